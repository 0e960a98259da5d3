// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: module entry points, the global lock and lists, and the rules
 * every name follows. Each concern (configfs, sysfs, classes, the character
 * device) lives in its own file and is set up here in dependency order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/string.h>

#include "vbus_internal.h"
#include "version.h"

DEFINE_MUTEX(vbus_lock);
LIST_HEAD(vbus_classes);
LIST_HEAD(vbus_buses);
LIST_HEAD(vbus_devices);

/*
 * Bus and device names: 1 to VBUS_NAME_MAX characters of [A-Za-z0-9._:-],
 * so a UUID is a valid name and every name is a safe file name in configfs,
 * sysfs and /dev/vbus.
 */
bool vbus_name_valid(const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (len < 1 || len > VBUS_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && !strchr("._:-", name[i]))
			return false;
	}
	return true;
}

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
