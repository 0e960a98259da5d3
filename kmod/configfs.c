// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the configfs subsystem, /sys/kernel/config/vbus, the one write
 * path of the administrative model. Its two top-level groups are
 * instances/ (buses) and devices/; a symlink from instances/<bus>/ to
 * devices/<name> links a device onto a bus.
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
 */
static void vbus_configfs_unhash(struct config_item *item)
{
	d_drop(item->ci_dentry);
}

/* Devices */

static ssize_t vbus_device_type_show(struct config_item *item, char *page)
{
	struct vbus_class *class = READ_ONCE(to_vbus_device(item)->class);

	return sysfs_emit(page, "%s\n", class ? class->name : "");
}

/* Caller holds vbus_lock. */
static int vbus_device_set_class_locked(struct vbus_device *dev, const char *name)
{
	struct vbus_class *class;
	int ret;

	if (dev->class)
		return -EBUSY;
	class = vbus_class_find(name);
	if (!class || !try_module_get(class->owner)) {
		pr_err("device %s: unknown device class \"%s\"\n", dev->name, name);
		return -ENOENT;
	}
	if (class->create) {
		ret = class->create(dev);
		if (ret)
			goto out_put;
	}
	WRITE_ONCE(dev->class, class);
	ret = vbus_sysfs_device_typed(dev);
	if (ret)
		goto out_release;
	vbus_notify_device(dev, VBUS_CMD_DEVICE_CHANGE_NTF);
	return 0;

out_release:
	WRITE_ONCE(dev->class, NULL);
	if (class->release)
		class->release(dev);
	dev->priv = NULL;
out_put:
	module_put(class->owner);
	return ret;
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

	mutex_lock(&vbus_lock);
	ret = vbus_device_set_class_locked(dev, name);
	mutex_unlock(&vbus_lock);
	return ret ? ret : count;
}

CONFIGFS_ATTR(vbus_device_, type);

static struct configfs_attribute *vbus_device_attrs[] = {
	&vbus_device_attr_type,
	NULL,
};

static void vbus_device_release(struct config_item *item)
{
	kobject_put(&to_vbus_device(item)->kobj);
}

static struct configfs_item_operations vbus_device_item_ops = {
	.release	= vbus_device_release,
};

static const struct config_item_type vbus_device_type = {
	.ct_item_ops	= &vbus_device_item_ops,
	.ct_attrs	= vbus_device_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_group *vbus_devices_make_group(struct config_group *group,
						    const char *name)
{
	struct vbus_device *dev;
	int ret;

	if (!vbus_rule_name(name)) {
		pr_err("invalid device name \"%s\"\n", name);
		return ERR_PTR(-EINVAL);
	}
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	strscpy(dev->name, name, sizeof(dev->name));
	INIT_LIST_HEAD(&dev->links);
	vbus_device_init_kobj(dev);
	config_group_init_type_name(&dev->group, name, &vbus_device_type);

	mutex_lock(&vbus_lock);
	ret = vbus_sysfs_device_add(dev);
	if (ret)
		goto out_unlock;
	list_add_tail(&dev->list, &vbus_devices);
	vbus_notify_device(dev, VBUS_CMD_DEVICE_ADD_NTF);
	mutex_unlock(&vbus_lock);
	return &dev->group;

out_unlock:
	mutex_unlock(&vbus_lock);
	kobject_put(&dev->kobj);
	return ERR_PTR(ret);
}

/* rmdir: configfs refuses it (EBUSY) while a bus links the device. */
static void vbus_devices_drop_item(struct config_group *group,
				   struct config_item *item)
{
	struct vbus_device *dev = to_vbus_device(item);

	vbus_configfs_unhash(item);
	mutex_lock(&vbus_lock);
	dev->dead = true;
	list_del(&dev->list);
	vbus_notify_device(dev, VBUS_CMD_DEVICE_DEL_NTF);
	vbus_sysfs_device_del(dev);
	mutex_unlock(&vbus_lock);
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
	mutex_lock(&vbus_lock);
	if (is_group ? !gid_eq(gid, bus->gid) : !uid_eq(uid, bus->owner)) {
		if (is_group)
			WRITE_ONCE(bus->gid, gid);
		else
			WRITE_ONCE(bus->owner, uid);
		vbus_notify_bus(bus, VBUS_CMD_BUS_CHANGE_NTF);
	}
	mutex_unlock(&vbus_lock);
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
	u16 mode;

	if (kstrtou16(page, 8, &mode) || mode > 0777) {
		pr_err("bus %s: invalid mode \"%.*s\"\n", bus->name,
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	mutex_lock(&vbus_lock);
	if (mode != bus->mode) {
		WRITE_ONCE(bus->mode, mode);
		vbus_notify_bus(bus, VBUS_CMD_BUS_CHANGE_NTF);
	}
	mutex_unlock(&vbus_lock);
	return count;
}

CONFIGFS_ATTR(vbus_bus_, owner);
CONFIGFS_ATTR(vbus_bus_, group);
CONFIGFS_ATTR(vbus_bus_, mode);

static struct configfs_attribute *vbus_bus_attrs[] = {
	&vbus_bus_attr_owner,
	&vbus_bus_attr_group,
	&vbus_bus_attr_mode,
	NULL,
};

/* Caller holds vbus_lock. */
static struct vbus_link *vbus_bus_find_link(struct vbus_bus *bus,
					    struct vbus_device *dev)
{
	struct vbus_link *link;

	list_for_each_entry(link, &dev->links, dev_entry) {
		if (link->bus == bus)
			return link;
	}
	return NULL;
}

/* Caller holds vbus_lock. */
static int vbus_bus_link_locked(struct vbus_bus *bus, struct vbus_device *dev)
{
	struct vbus_link *link;
	int ret;

	if (dev->dead)
		return -ENOENT;
	if (!dev->class) {
		pr_err("bus %s: device %s has no type\n", bus->name, dev->name);
		return -EINVAL;
	}
	if (vbus_bus_find_link(bus, dev))
		return -EEXIST;

	link = vbus_link_alloc(bus, dev);
	if (!link)
		return -ENOMEM;
	ret = xa_alloc(&bus->links, &link->id, link, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto out_put;
	ret = vbus_sysfs_link_add(link);
	if (ret)
		goto out_erase;
	list_add_tail(&link->dev_entry, &dev->links);
	vbus_bus_event(bus, VBUS_EVENT_DEVICE_ADD, link);
	vbus_notify_link(link, VBUS_CMD_LINK_ADD_NTF);
	return 0;

out_erase:
	xa_erase(&bus->links, link->id);
out_put:
	kobject_put(&link->kobj);
	return ret;
}

static int vbus_bus_allow_link(struct config_item *item,
			       struct config_item *target)
{
	int ret;

	if (target->ci_type != &vbus_device_type) {
		pr_err("bus %s: %s is not a vbus device\n",
		       to_vbus_bus(item)->name, config_item_name(target));
		return -EINVAL;
	}
	mutex_lock(&vbus_lock);
	ret = vbus_bus_link_locked(to_vbus_bus(item), to_vbus_device(target));
	mutex_unlock(&vbus_lock);
	return ret;
}

static void vbus_bus_drop_link(struct config_item *item,
			       struct config_item *target)
{
	struct vbus_bus *bus = to_vbus_bus(item);
	struct vbus_link *link;

	mutex_lock(&vbus_lock);
	link = vbus_bus_find_link(bus, to_vbus_device(target));
	if (link) {
		link->dead = true;
		list_del(&link->dev_entry);
		xa_erase(&bus->links, link->id);
		vbus_link_kill(link);
		vbus_bus_event(bus, VBUS_EVENT_DEVICE_DEL, link);
		vbus_notify_link(link, VBUS_CMD_LINK_DEL_NTF);
		vbus_sysfs_link_del(link);
		kobject_put(&link->kobj);
	}
	mutex_unlock(&vbus_lock);
}

static void vbus_bus_release(struct config_item *item)
{
	kobject_put(&to_vbus_bus(item)->kobj);
}

static struct configfs_item_operations vbus_bus_item_ops = {
	.release	= vbus_bus_release,
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
	struct vbus_bus *bus;
	int ret;

	if (!vbus_rule_name(name)) {
		pr_err("invalid bus name \"%s\"\n", name);
		return ERR_PTR(-EINVAL);
	}
	bus = kzalloc(sizeof(*bus), GFP_KERNEL);
	if (!bus)
		return ERR_PTR(-ENOMEM);
	strscpy(bus->name, name, sizeof(bus->name));
	xa_init_flags(&bus->links, XA_FLAGS_ALLOC);
	INIT_LIST_HEAD(&bus->members);
	INIT_LIST_HEAD(&bus->pids);
	bus->owner = GLOBAL_ROOT_UID;
	bus->gid = GLOBAL_ROOT_GID;
	bus->mode = 0600;
	bus->minor = -1;
	vbus_bus_init_kobj(bus);
	config_group_init_type_name(&bus->group, name, &vbus_bus_type);

	mutex_lock(&vbus_lock);
	ret = vbus_sysfs_bus_add(bus);
	if (ret)
		goto out_unlock;
	ret = vbus_chardev_bus_add(bus);
	if (ret)
		goto out_sysfs;
	list_add_tail(&bus->list, &vbus_buses);
	vbus_notify_bus(bus, VBUS_CMD_BUS_ADD_NTF);
	mutex_unlock(&vbus_lock);
	return &bus->group;

out_sysfs:
	vbus_sysfs_bus_del(bus);
out_unlock:
	mutex_unlock(&vbus_lock);
	kobject_put(&bus->kobj);
	return ERR_PTR(ret);
}

/*
 * rmdir: configfs refuses it (ENOTEMPTY) while devices are linked. Members
 * still holding the bus fd see VBUS_EVENT_BUS_GONE and ENODEV from then on.
 */
static void vbus_instances_drop_item(struct config_group *group,
				     struct config_item *item)
{
	struct vbus_bus *bus = to_vbus_bus(item);

	vbus_configfs_unhash(item);
	mutex_lock(&vbus_lock);
	list_del(&bus->list);
	bus->dead = true;
	vbus_notify_bus(bus, VBUS_CMD_BUS_DEL_NTF);
	vbus_chardev_bus_del(bus);
	vbus_sysfs_bus_del(bus);
	mutex_unlock(&vbus_lock);
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
