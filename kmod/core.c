// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: module entry points, the global lock and lists. Each concern
 * (configfs, sysfs, classes, the character device) lives in its own file and
 * is set up here in dependency order. The rules every name follows are in
 * vbus_rules.h, shared with libvbus.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "vbus_internal.h"
#include "version.h"

DEFINE_MUTEX(vbus_lock);
LIST_HEAD(vbus_classes);
LIST_HEAD(vbus_buses);
LIST_HEAD(vbus_devices);

static int __init vbus_init(void)
{
	int ret;

	ret = vbus_sysfs_init();
	if (ret)
		return ret;

	ret = vbus_chardev_init();
	if (ret)
		goto out_sysfs;

	ret = vbus_genl_init();
	if (ret)
		goto out_chardev;

	ret = vbus_configfs_init();
	if (ret)
		goto out_genl;

	pr_info("virtual-bus %s loaded\n", VBUS_VERSION);
	return 0;

out_genl:
	vbus_genl_exit();
out_chardev:
	vbus_chardev_exit();
out_sysfs:
	vbus_sysfs_exit();
	return ret;
}

static void __exit vbus_exit(void)
{
	vbus_configfs_exit();
	vbus_genl_exit();
	vbus_chardev_exit();
	vbus_sysfs_exit();
}

module_init(vbus_init);
module_exit(vbus_exit);

MODULE_DESCRIPTION("Virtual-bus: a kernel IO resource container");
MODULE_LICENSE("GPL");
MODULE_VERSION(VBUS_VERSION);
MODULE_SOFTDEP("pre: configfs");
