// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: module entry points. Each concern (configfs, sysfs, ...) lives
 * in its own file and is set up here in dependency order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vbus_internal.h"
#include "version.h"

static int __init vbus_init(void)
{
	int ret;

	ret = vbus_sysfs_init();
	if (ret)
		return ret;

	ret = vbus_configfs_init();
	if (ret)
		goto out_sysfs;

	pr_info("virtual-bus %s loaded\n", VBUS_VERSION);
	return 0;

out_sysfs:
	vbus_sysfs_exit();
	return ret;
}

static void __exit vbus_exit(void)
{
	vbus_configfs_exit();
	vbus_sysfs_exit();
}

module_init(vbus_init);
module_exit(vbus_exit);

MODULE_DESCRIPTION("Virtual-bus: a kernel IO resource container");
MODULE_LICENSE("GPL");
MODULE_VERSION(VBUS_VERSION);
MODULE_SOFTDEP("pre: configfs");
