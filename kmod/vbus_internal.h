/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus core: private declarations shared by the files of vbus.ko.
 */
#ifndef VBUS_INTERNAL_H
#define VBUS_INTERNAL_H

#include <linux/kobject.h>

int vbus_configfs_init(void);
void vbus_configfs_exit(void);

int vbus_sysfs_init(void);
void vbus_sysfs_exit(void);

#endif /* VBUS_INTERNAL_H */
