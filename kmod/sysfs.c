// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the read-only reflection of the bus model under /sys/vbus.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "vbus_internal.h"
#include "version.h"

static struct kobject *vbus_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", VBUS_VERSION);
}

static struct kobj_attribute vbus_attr_version = __ATTR_RO(version);

static struct attribute *vbus_root_attrs[] = {
	&vbus_attr_version.attr,
	NULL,
};

static const struct attribute_group vbus_root_group = {
	.attrs = vbus_root_attrs,
};

int vbus_sysfs_init(void)
{
	int ret;

	vbus_kobj = kobject_create_and_add("vbus", NULL);
	if (!vbus_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(vbus_kobj, &vbus_root_group);
	if (ret)
		goto out_put;
	return 0;

out_put:
	kobject_put(vbus_kobj);
	return ret;
}

void vbus_sysfs_exit(void)
{
	sysfs_remove_group(vbus_kobj, &vbus_root_group);
	kobject_put(vbus_kobj);
}
