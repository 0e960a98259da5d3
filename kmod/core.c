// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: module entry points, the global lock and lists, and the life of
 * every object: create, destroy and lookup of buses, devices and links,
 * their defaults and their kobject releases are here and nowhere else.
 * configfs.c, sysfs.c, genl.c and chardev.c only call them (nvmet's shape:
 * configfs is glue over the core). Each concern (configfs, sysfs, classes,
 * the connector, genl) lives in its own file and is set up here in
 * dependency order. The rules every name follows are in vbus_rules.h,
 * shared with libvbus.
 *
 * Lifetimes: an object's memory is owned by its kobject; create returns it
 * with one reference (the caller's: the configfs item), destroy unhooks it
 * from every list and from sysfs, and the last kobject_put() frees it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_internal.h"
#include "version.h"

DEFINE_MUTEX(vbus_lock);
LIST_HEAD(vbus_classes);			/* sorted by name */
DEFINE_XARRAY_ALLOC1(vbus_buses);		/* by id, in creation order */
DEFINE_XARRAY_ALLOC1(vbus_devices);		/* by id, in creation order */
static u32 vbus_bus_next, vbus_device_next;	/* cyclic: an id is not soon reused */

/* Lookups. Each: caller holds vbus_lock. */

struct vbus_class *vbus_class_find(const char *name)
{
	struct vbus_class *class;

	list_for_each_entry(class, &vbus_classes, list) {
		if (!strcmp(class->name, name))
			return class;
	}
	return NULL;
}

struct vbus_bus *vbus_bus_find(const char *name)
{
	struct vbus_bus *bus;
	unsigned long id;

	xa_for_each(&vbus_buses, id, bus) {
		if (!strcmp(bus->name, name))
			return bus;
	}
	return NULL;
}

struct vbus_device *vbus_device_find(const char *name)
{
	struct vbus_device *dev;
	unsigned long id;

	xa_for_each(&vbus_devices, id, dev) {
		if (!strcmp(dev->name, name))
			return dev;
	}
	return NULL;
}

/* The link of @dev on @bus. */
struct vbus_link *vbus_link_find(struct vbus_device *dev, struct vbus_bus *bus)
{
	struct vbus_link *link;

	list_for_each_entry(link, &dev->links, dev_entry) {
		if (link->bus == bus)
			return link;
	}
	return NULL;
}

/* Device @id of @bus. */
struct vbus_link *vbus_link_find_id(struct vbus_bus *bus, u32 id)
{
	return xa_load(&bus->links, id);
}

/* Devices */

static void vbus_device_release(struct kobject *kobj)
{
	struct vbus_device *dev = vbus_device_from_kobj(kobj);
	struct vbus_class *class = dev->class;

	if (class) {
		if (class->release)
			class->release(dev);
		module_put(class->owner);
	}
	kfree(dev);
}

static const struct kobj_type vbus_device_ktype = {
	.release	= vbus_device_release,
	.sysfs_ops	= &vbus_device_sysfs_ops,
};

/**
 * vbus_device_create - a new untyped device, in sysfs and announced
 * @name: its name; checked here
 *
 * Returns the device with one reference, or ERR_PTR(-EINVAL) for a bad
 * name, -ENOMEM, or sysfs's error (-EEXIST).
 */
struct vbus_device *vbus_device_create(const char *name)
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
	dev->priority = VBUS_DEVICE_PRIORITY_DEFAULT;
	INIT_LIST_HEAD(&dev->links);
	kobject_init(&dev->kobj, &vbus_device_ktype);

	mutex_lock(&vbus_lock);
	ret = xa_alloc_cyclic(&vbus_devices, &dev->id, dev, xa_limit_31b, &vbus_device_next,
			      GFP_KERNEL);
	if (ret < 0)
		goto out_unlock;
	ret = vbus_sysfs_device_add(dev);
	if (ret)
		goto out_erase;
	vbus_notify_device(dev, VBUS_CMD_DEVICE_ADD_NTF);
	mutex_unlock(&vbus_lock);
	return dev;

out_erase:
	xa_erase(&vbus_devices, dev->id);
out_unlock:
	mutex_unlock(&vbus_lock);
	kobject_put(&dev->kobj);
	return ERR_PTR(ret);
}

/*
 * Unhook a device no bus links (configfs sees to that) and mark it dead: a
 * link that resolved it before is refused from then on. The caller's
 * reference stays.
 */
void vbus_device_destroy(struct vbus_device *dev)
{
	mutex_lock(&vbus_lock);
	dev->dead = true;
	xa_erase(&vbus_devices, dev->id);
	vbus_notify_device(dev, VBUS_CMD_DEVICE_DEL_NTF);
	vbus_sysfs_device_del(dev);
	mutex_unlock(&vbus_lock);
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

/**
 * vbus_device_set_class - type a device, once
 * @dev: the device
 * @name: a registered class
 *
 * Returns 0, -EBUSY if already typed, -ENOENT for an unknown class, or the
 * class's create() error.
 */
int vbus_device_set_class(struct vbus_device *dev, const char *name)
{
	int ret;

	mutex_lock(&vbus_lock);
	ret = vbus_device_set_class_locked(dev, name);
	mutex_unlock(&vbus_lock);
	return ret;
}

/* Buses */

static void vbus_bus_release(struct kobject *kobj)
{
	struct vbus_bus *bus = kobj_to_vbus_bus(kobj);

	xa_destroy(&bus->links);
	kfree(bus);
}

static const struct kobj_type vbus_bus_ktype = {
	.release	= vbus_bus_release,
	.sysfs_ops	= &kobj_sysfs_ops,
};

/**
 * vbus_bus_create - a new bus: in sysfs, with its character device, announced
 * @name: its name; checked here
 *
 * Defaults: owner and group root, mode 0600. Returns the bus with one
 * reference, or ERR_PTR(-EINVAL), -ENOMEM, or the error of sysfs or the
 * character device.
 */
struct vbus_bus *vbus_bus_create(const char *name)
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
	kobject_init(&bus->kobj, &vbus_bus_ktype);

	mutex_lock(&vbus_lock);
	ret = xa_alloc_cyclic(&vbus_buses, &bus->id, bus, xa_limit_31b, &vbus_bus_next,
			      GFP_KERNEL);
	if (ret < 0)
		goto out_unlock;
	ret = vbus_sysfs_bus_add(bus);
	if (ret)
		goto out_erase;
	ret = vbus_chardev_bus_add(bus);
	if (ret)
		goto out_sysfs;
	vbus_notify_bus(bus, VBUS_CMD_BUS_ADD_NTF);
	mutex_unlock(&vbus_lock);
	return bus;

out_sysfs:
	vbus_sysfs_bus_del(bus);
out_erase:
	xa_erase(&vbus_buses, bus->id);
out_unlock:
	mutex_unlock(&vbus_lock);
	kobject_put(&bus->kobj);
	return ERR_PTR(ret);
}

/*
 * Unhook a bus without links (configfs sees to that). Members still holding
 * the bus fd see VBUS_EVENT_BUS_GONE and ENODEV from then on. The caller's
 * reference stays.
 */
void vbus_bus_destroy(struct vbus_bus *bus)
{
	mutex_lock(&vbus_lock);
	xa_erase(&vbus_buses, bus->id);
	bus->dead = true;
	vbus_notify_bus(bus, VBUS_CMD_BUS_DEL_NTF);
	vbus_local_bus_del(bus);
	vbus_chardev_bus_del(bus);
	vbus_sysfs_bus_del(bus);
	mutex_unlock(&vbus_lock);
}

/* Who may attach: any of @owner, @gid, @mode may be NULL (unchanged). */
void vbus_bus_set_perm(struct vbus_bus *bus, const kuid_t *owner, const kgid_t *gid,
		       const umode_t *mode)
{
	bool changed = false;

	mutex_lock(&vbus_lock);
	if (owner && !uid_eq(*owner, bus->owner)) {
		WRITE_ONCE(bus->owner, *owner);
		changed = true;
	}
	if (gid && !gid_eq(*gid, bus->gid)) {
		WRITE_ONCE(bus->gid, *gid);
		changed = true;
	}
	if (mode && *mode != bus->mode) {
		WRITE_ONCE(bus->mode, *mode);
		changed = true;
	}
	if (changed)
		vbus_notify_bus(bus, VBUS_CMD_BUS_CHANGE_NTF);
	mutex_unlock(&vbus_lock);
}

/* Links */

static void vbus_link_release(struct kobject *kobj)
{
	struct vbus_link *link = kobj_to_vbus_link(kobj);

	kobject_put(&link->dev->kobj);
	kobject_put(&link->bus->kobj);
	kfree(link);
}

static const struct kobj_type vbus_link_ktype = {
	.release	= vbus_link_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= vbus_link_groups,
};

/* Caller holds vbus_lock. */
static int vbus_link_add_locked(struct vbus_bus *bus, struct vbus_device *dev)
{
	struct vbus_link *link;
	int ret;

	if (dev->dead)
		return -ENOENT;
	if (!dev->class) {
		pr_err("bus %s: device %s has no type\n", bus->name, dev->name);
		return -EINVAL;
	}
	if (vbus_link_find(dev, bus))
		return -EEXIST;

	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return -ENOMEM;
	kobject_init(&link->kobj, &vbus_link_ktype);
	kobject_get(&bus->kobj);
	link->bus = bus;
	kobject_get(&dev->kobj);
	link->dev = dev;
	INIT_LIST_HEAD(&link->conns);
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

/**
 * vbus_link_add - link a typed device onto a bus, at the lowest free id
 * @bus: the bus
 * @dev: the device
 *
 * Returns 0, -EINVAL for an untyped device, -EEXIST if it is on the bus,
 * -ENOENT if the device is being destroyed.
 */
int vbus_link_add(struct vbus_bus *bus, struct vbus_device *dev)
{
	int ret;

	mutex_lock(&vbus_lock);
	ret = vbus_link_add_locked(bus, dev);
	mutex_unlock(&vbus_lock);
	return ret;
}

/* Unlink @dev from @bus: its connections turn dead, members see DEVICE_DEL. */
void vbus_link_del(struct vbus_bus *bus, struct vbus_device *dev)
{
	struct vbus_link *link;

	mutex_lock(&vbus_lock);
	link = vbus_link_find(dev, bus);
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

/* Module */

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

	ret = vbus_local_init();
	if (ret)
		goto out_genl;

	ret = vbus_configfs_init();
	if (ret)
		goto out_local;

	pr_info("virtual-bus %s loaded\n", VBUS_VERSION);
	return 0;

out_local:
	vbus_local_exit();
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
	vbus_local_exit();
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
