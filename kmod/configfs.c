// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the configfs subsystem, /sys/kernel/config/vbus, the one write
 * path of the administrative model. Its two top-level groups are
 * instances/ (buses) and devices/.
 */
#include <linux/configfs.h>
#include <linux/module.h>

#include "vbus_internal.h"

static const struct config_item_type vbus_instances_type = {
	.ct_owner	= THIS_MODULE,
};

static const struct config_item_type vbus_devices_type = {
	.ct_owner	= THIS_MODULE,
};

static const struct config_item_type vbus_root_type = {
	.ct_owner	= THIS_MODULE,
};

static struct config_group vbus_instances_group;
static struct config_group vbus_devices_group;

static struct configfs_subsystem vbus_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "vbus",
			.ci_type	= &vbus_root_type,
		},
	},
};

int vbus_configfs_init(void)
{
	config_group_init(&vbus_subsys.su_group);
	mutex_init(&vbus_subsys.su_mutex);

	config_group_init_type_name(&vbus_instances_group, "instances",
				    &vbus_instances_type);
	configfs_add_default_group(&vbus_instances_group, &vbus_subsys.su_group);

	config_group_init_type_name(&vbus_devices_group, "devices",
				    &vbus_devices_type);
	configfs_add_default_group(&vbus_devices_group, &vbus_subsys.su_group);

	return configfs_register_subsystem(&vbus_subsys);
}

void vbus_configfs_exit(void)
{
	configfs_unregister_subsystem(&vbus_subsys);
}
