// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the configfs subsystem, /sys/kernel/config/vbus, the one write
 * path of the administrative model. Its two top-level groups are
 * instances/ (buses) and devices/; a symlink from instances/<bus>/ to
 * devices/<name> links a device onto a bus. Glue over core.c, which creates,
 * destroys and links the objects: here are only the configfs items, the
 * parsing of what is written, and the item references.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_internal.h"

static const struct config_item_type vbus_device_type;

/*
 * At rmdir, before the item's last reference goes: configfs_rmdir() drops it
 * before the VFS unhashes the directory's dentry (after ->rmdir returns), and
 * symlink() resolves its target with configfs_get_config_item(), which only
 * checks d_unhashed(): a symlink to this item racing the rmdir would take a
 * reference on freed memory and hand it to allow_link. Unhashed now, such a
 * symlink fails with ENOENT; one that resolved it earlier holds a reference.
 * A mkdir that configfs fails after make_group (its directory or attribute
 * files not made: ENOMEM) drops an item that may have no dentry yet.
 */
static void vbus_configfs_unhash(struct config_item *item)
{
	if (item->ci_dentry)
		d_drop(item->ci_dentry);
}

/* Devices */

static ssize_t vbus_device_type_show(struct config_item *item, char *page)
{
	struct vbus_class *class = READ_ONCE(to_vbus_device(item)->class);

	return sysfs_emit(page, "%s\n", class ? class->name : "");
}

static ssize_t vbus_device_type_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct vbus_device *dev = to_vbus_device(item);
	char buf[VBUS_TYPE_LEN];
	char *name;
	int ret;

	if (strscpy(buf, page, sizeof(buf)) < 0) {
		pr_err("device %s: class name too long\n", dev->name);
		return -EINVAL;
	}
	name = strim(buf);
	if (!*name) {
		pr_err("device %s: empty class name\n", dev->name);
		return -EINVAL;
	}

	ret = vbus_device_set_class(dev, name);
	return ret ? ret : count;
}

CONFIGFS_ATTR(vbus_device_, type);

static ssize_t vbus_device_priority_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_vbus_device(item)->priority));
}

/* The vector of its signals in a guest that opens it from now on (doc/abi/guest.md). */
static ssize_t vbus_device_priority_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct vbus_device *dev = to_vbus_device(item);
	u32 prio;

	if (kstrtou32(page, 10, &prio) || prio >= VBUS_DEVICE_PRIORITY_MAX) {
		pr_err("device %s: priority must be 0 to %u\n", dev->name,
		       VBUS_DEVICE_PRIORITY_MAX - 1);
		return -EINVAL;
	}
	WRITE_ONCE(dev->priority, prio);
	return count;
}

CONFIGFS_ATTR(vbus_device_, priority);

static struct configfs_attribute *vbus_device_attrs[] = {
	&vbus_device_attr_type,
	&vbus_device_attr_priority,
	NULL,
};

static void vbus_device_item_release(struct config_item *item)
{
	kobject_put(&to_vbus_device(item)->kobj);
}

static struct configfs_item_operations vbus_device_item_ops = {
	.release	= vbus_device_item_release,
};

static const struct config_item_type vbus_device_type = {
	.ct_item_ops	= &vbus_device_item_ops,
	.ct_attrs	= vbus_device_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *vbus_devices_make_group(struct config_group *group,
						    const char *name)
{
	struct vbus_device *dev = vbus_device_create(name);

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	config_group_init_type_name(&dev->group, name, &vbus_device_type);
	return &dev->group;
}

/* rmdir: configfs refuses it (EBUSY) while a bus links the device. */
static void vbus_devices_drop_item(struct config_group *group,
				   struct config_item *item)
{
	vbus_configfs_unhash(item);
	vbus_device_destroy(to_vbus_device(item));
	config_item_put(item);
}

static struct configfs_group_operations vbus_devices_group_ops = {
	.make_group	= vbus_devices_make_group,
	.drop_item	= vbus_devices_drop_item,
};

static const struct config_item_type vbus_devices_type = {
	.ct_group_ops	= &vbus_devices_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* Buses */

static ssize_t vbus_bus_owner_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n",
			  from_kuid_munged(current_user_ns(),
					   READ_ONCE(to_vbus_bus(item)->owner)));
}

/* owner and group: a decimal id in the writer's user namespace. */
static ssize_t vbus_bus_id_store(struct config_item *item, const char *page,
				 size_t count, bool is_group)
{
	struct vbus_bus *bus = to_vbus_bus(item);
	kuid_t uid;
	kgid_t gid;
	u32 val;

	if (kstrtou32(page, 10, &val))
		goto out_inval;
	uid = make_kuid(current_user_ns(), val);
	gid = make_kgid(current_user_ns(), val);
	if (is_group ? !gid_valid(gid) : !uid_valid(uid))
		goto out_inval;
	vbus_bus_set_perm(bus, is_group ? NULL : &uid, is_group ? &gid : NULL, NULL);
	return count;

out_inval:
	pr_err("bus %s: invalid %s \"%.*s\"\n", bus->name, is_group ? "group" : "owner",
	       (int)strcspn(page, "\n"), page);
	return -EINVAL;
}

static ssize_t vbus_bus_owner_store(struct config_item *item,
				    const char *page, size_t count)
{
	return vbus_bus_id_store(item, page, count, false);
}

static ssize_t vbus_bus_group_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n",
			  from_kgid_munged(current_user_ns(),
					   READ_ONCE(to_vbus_bus(item)->gid)));
}

static ssize_t vbus_bus_group_store(struct config_item *item,
				    const char *page, size_t count)
{
	return vbus_bus_id_store(item, page, count, true);
}

static ssize_t vbus_bus_mode_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%04o\n", READ_ONCE(to_vbus_bus(item)->mode));
}

static ssize_t vbus_bus_mode_store(struct config_item *item,
				   const char *page, size_t count)
{
	struct vbus_bus *bus = to_vbus_bus(item);
	umode_t mode;
	u16 val;

	if (kstrtou16(page, 8, &val) || val > 0777) {
		pr_err("bus %s: invalid mode \"%.*s\"\n", bus->name,
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	mode = val;
	vbus_bus_set_perm(bus, NULL, NULL, &mode);
	return count;
}

static ssize_t vbus_bus_local_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", !!READ_ONCE(to_vbus_bus(item)->local));
}

/* The local connector (local.c): 1 connects the host kernel to the bus. */
static ssize_t vbus_bus_local_store(struct config_item *item,
				    const char *page, size_t count)
{
	struct vbus_bus *bus = to_vbus_bus(item);
	unsigned int on;
	int ret;

	if (kstrtouint(page, 10, &on) || on > 1) {
		pr_err("bus %s: invalid local \"%.*s\"\n", bus->name,
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	ret = vbus_local_set(bus, on);
	return ret ?: count;
}

CONFIGFS_ATTR(vbus_bus_, owner);
CONFIGFS_ATTR(vbus_bus_, group);
CONFIGFS_ATTR(vbus_bus_, mode);
CONFIGFS_ATTR(vbus_bus_, local);

static struct configfs_attribute *vbus_bus_attrs[] = {
	&vbus_bus_attr_owner,
	&vbus_bus_attr_group,
	&vbus_bus_attr_mode,
	&vbus_bus_attr_local,
	NULL,
};

static int vbus_bus_allow_link(struct config_item *item,
			       struct config_item *target)
{
	if (target->ci_type != &vbus_device_type) {
		pr_err("bus %s: %s is not a vbus device\n",
		       to_vbus_bus(item)->name, config_item_name(target));
		return -EINVAL;
	}
	return vbus_link_add(to_vbus_bus(item), to_vbus_device(target));
}

static void vbus_bus_drop_link(struct config_item *item,
			       struct config_item *target)
{
	vbus_link_del(to_vbus_bus(item), to_vbus_device(target));
}

static void vbus_bus_item_release(struct config_item *item)
{
	kobject_put(&to_vbus_bus(item)->kobj);
}

static struct configfs_item_operations vbus_bus_item_ops = {
	.release	= vbus_bus_item_release,
	.allow_link	= vbus_bus_allow_link,
	.drop_link	= vbus_bus_drop_link,
};

static const struct config_item_type vbus_bus_type = {
	.ct_item_ops	= &vbus_bus_item_ops,
	.ct_attrs	= vbus_bus_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *vbus_instances_make_group(struct config_group *group,
						      const char *name)
{
	struct vbus_bus *bus = vbus_bus_create(name);

	if (IS_ERR(bus))
		return ERR_CAST(bus);
	config_group_init_type_name(&bus->group, name, &vbus_bus_type);
	return &bus->group;
}

/*
 * rmdir: configfs refuses it (ENOTEMPTY) while devices are linked. Members
 * still holding the bus fd see VBUS_EVENT_BUS_GONE and ENODEV from then on.
 */
static void vbus_instances_drop_item(struct config_group *group,
				     struct config_item *item)
{
	vbus_configfs_unhash(item);
	vbus_bus_destroy(to_vbus_bus(item));
	config_item_put(item);
}

static struct configfs_group_operations vbus_instances_group_ops = {
	.make_group	= vbus_instances_make_group,
	.drop_item	= vbus_instances_drop_item,
};

static const struct config_item_type vbus_instances_type = {
	.ct_group_ops	= &vbus_instances_group_ops,
	.ct_owner	= THIS_MODULE,
};

/* The subsystem */

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
