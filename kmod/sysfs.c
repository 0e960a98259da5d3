// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the read-only reflection of the bus model under /sys/vbus:
 *
 *   version
 *   deviceclass/<class>/type
 *   devices/<name>/{class -> ../../deviceclass/<class>, interfaces/<bus>:<id> -> ..}
 *   instances/<bus>/{devices/<id>/{device -> .., type}, members/<pid>}
 *
 * Kept in step with configfs by core.c and chardev.c, under vbus_lock (the
 * objects' kobj_types, with their releases, are core.c's).
 * No callback here takes vbus_lock (see vbus_internal.h).
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vbus_internal.h"
#include "version.h"

static struct kobject *vbus_kobj;
static struct kobject *vbus_classes_kobj;
static struct kobject *vbus_devices_kobj;
static struct kobject *vbus_instances_kobj;

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

/* deviceclass/<class>: a copy of what it shows, so it outlives nothing. */

struct vbus_class_kobj {
	struct kobject kobj;
	char type[VBUS_TYPE_LEN];
};

static ssize_t vbus_class_type_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  container_of(kobj, struct vbus_class_kobj, kobj)->type);
}

static struct kobj_attribute vbus_class_attr_type =
	__ATTR(type, 0444, vbus_class_type_show, NULL);

static struct attribute *vbus_class_attrs[] = {
	&vbus_class_attr_type.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_class);

static void vbus_class_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vbus_class_kobj, kobj));
}

static const struct kobj_type vbus_class_ktype = {
	.release	= vbus_class_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= vbus_class_groups,
};

/* Caller holds vbus_lock. */
int vbus_sysfs_class_add(struct vbus_class *class)
{
	struct vbus_class_kobj *ck;
	int ret;

	ck = kzalloc(sizeof(*ck), GFP_KERNEL);
	if (!ck)
		return -ENOMEM;
	strscpy(ck->type, class->type, sizeof(ck->type));
	ret = kobject_init_and_add(&ck->kobj, &vbus_class_ktype,
				   vbus_classes_kobj, "%s", class->name);
	if (ret) {
		kobject_put(&ck->kobj);
		return ret;
	}
	class->kobj = &ck->kobj;
	return 0;
}

/* Caller holds vbus_lock. */
void vbus_sysfs_class_del(struct vbus_class *class)
{
	kobject_del(class->kobj);
	kobject_put(class->kobj);
	class->kobj = NULL;
}

/* devices/<name> */

/*
 * The files of devices/<name> are the class's attributes (kobj_attribute),
 * handled as kobj_sysfs_ops does; a successful write is announced
 * (VBUS_CMD_DEVICE_ATTR_NTF), so that listeners see attribute changes too.
 */
static ssize_t vbus_device_attr_show(struct kobject *kobj, struct attribute *attr,
				     char *buf)
{
	struct kobj_attribute *kattr = container_of(attr, struct kobj_attribute, attr);

	return kattr->show ? kattr->show(kobj, kattr, buf) : -EIO;
}

static ssize_t vbus_device_attr_store(struct kobject *kobj, struct attribute *attr,
				      const char *buf, size_t count)
{
	struct kobj_attribute *kattr = container_of(attr, struct kobj_attribute, attr);
	ssize_t ret;

	if (!kattr->store)
		return -EIO;
	ret = kattr->store(kobj, kattr, buf, count);
	if (ret >= 0)
		vbus_device_attr_changed(vbus_device_from_kobj(kobj), attr->name);
	return ret;
}

/* For the device's kobj_type (core.c). */
const struct sysfs_ops vbus_device_sysfs_ops = {
	.show	= vbus_device_attr_show,
	.store	= vbus_device_attr_store,
};

/* Caller holds vbus_lock. */
int vbus_sysfs_device_add(struct vbus_device *dev)
{
	int ret;

	ret = kobject_add(&dev->kobj, vbus_devices_kobj, "%s", dev->name);
	if (ret)
		return ret;
	dev->ifaces_kobj = kobject_create_and_add("interfaces", &dev->kobj);
	if (!dev->ifaces_kobj) {
		kobject_del(&dev->kobj);
		return -ENOMEM;
	}
	return 0;
}

/* The device got its class. Caller holds vbus_lock. */
int vbus_sysfs_device_typed(struct vbus_device *dev)
{
	int ret;

	ret = sysfs_create_link(&dev->kobj, dev->class->kobj, "class");
	if (ret)
		return ret;
	if (dev->class->attr_groups) {
		ret = sysfs_create_groups(&dev->kobj, dev->class->attr_groups);
		if (ret)
			goto out_link;
	}
	return 0;

out_link:
	sysfs_remove_link(&dev->kobj, "class");
	return ret;
}

/* Caller holds vbus_lock. */
void vbus_sysfs_device_del(struct vbus_device *dev)
{
	kobject_put(dev->ifaces_kobj);
	dev->ifaces_kobj = NULL;
	kobject_del(&dev->kobj);
}

/* instances/<bus> */

/* Caller holds vbus_lock; on failure calls vbus_sysfs_bus_del(). */
int vbus_sysfs_bus_add(struct vbus_bus *bus)
{
	int ret;

	ret = kobject_add(&bus->kobj, vbus_instances_kobj, "%s", bus->name);
	if (ret)
		return ret;
	bus->devices_kobj = kobject_create_and_add("devices", &bus->kobj);
	bus->members_kobj = kobject_create_and_add("members", &bus->kobj);
	if (!bus->devices_kobj || !bus->members_kobj) {
		vbus_sysfs_bus_del(bus);
		return -ENOMEM;
	}
	return 0;
}

struct vbus_pid {
	struct list_head entry;		/* vbus_bus.pids */
	pid_t pid;
	unsigned int count;		/* memberships this pid opened */
	char name[16];
	struct kobj_attribute attr;
};

/* Caller holds vbus_lock. */
void vbus_sysfs_bus_del(struct vbus_bus *bus)
{
	struct vbus_pid *p, *tmp;

	list_for_each_entry_safe(p, tmp, &bus->pids, entry) {
		sysfs_remove_file(bus->members_kobj, &p->attr.attr);
		list_del(&p->entry);
		kfree(p);
	}
	kobject_put(bus->members_kobj);
	bus->members_kobj = NULL;
	kobject_put(bus->devices_kobj);
	bus->devices_kobj = NULL;
	kobject_del(&bus->kobj);
}

/* instances/<bus>/members/<pid>: the number of open memberships of pid. */

static ssize_t vbus_pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(container_of(attr, struct vbus_pid, attr)->count));
}

/* Caller holds vbus_lock. */
static struct vbus_pid *vbus_pid_find(struct vbus_bus *bus, pid_t pid)
{
	struct vbus_pid *p;

	list_for_each_entry(p, &bus->pids, entry) {
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

/* Caller holds vbus_lock. */
int vbus_sysfs_member_add(struct vbus_bus *bus, pid_t pid)
{
	struct vbus_pid *p = vbus_pid_find(bus, pid);
	int ret;

	if (p) {
		WRITE_ONCE(p->count, p->count + 1);
		return 0;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->count = 1;
	snprintf(p->name, sizeof(p->name), "%d", pid);
	sysfs_attr_init(&p->attr.attr);
	p->attr.attr.name = p->name;
	p->attr.attr.mode = 0444;
	p->attr.show = vbus_pid_show;
	ret = sysfs_create_file(bus->members_kobj, &p->attr.attr);
	if (ret) {
		kfree(p);
		return ret;
	}
	list_add_tail(&p->entry, &bus->pids);
	return 0;
}

/* Caller holds vbus_lock. */
void vbus_sysfs_member_del(struct vbus_bus *bus, pid_t pid)
{
	struct vbus_pid *p = vbus_pid_find(bus, pid);

	if (!p)
		return;
	if (p->count > 1) {
		WRITE_ONCE(p->count, p->count - 1);
		return;
	}
	sysfs_remove_file(bus->members_kobj, &p->attr.attr);
	list_del(&p->entry);
	kfree(p);
}

/* instances/<bus>/devices/<id> */

static ssize_t vbus_link_type_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", kobj_to_vbus_link(kobj)->dev->class->type);
}

static struct kobj_attribute vbus_link_attr_type =
	__ATTR(type, 0444, vbus_link_type_show, NULL);

static struct attribute *vbus_link_attrs[] = {
	&vbus_link_attr_type.attr,
	NULL,
};

static const struct attribute_group vbus_link_group = {
	.attrs = vbus_link_attrs,
};

/* For the link's kobj_type (core.c). */
const struct attribute_group *vbus_link_groups[] = {
	&vbus_link_group,
	NULL,
};

static void vbus_link_iface_name(struct vbus_link *link, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%u", link->bus->name, link->id);
}

/* Caller holds vbus_lock. */
int vbus_sysfs_link_add(struct vbus_link *link)
{
	char name[VBUS_NAME_MAX + 16];
	int ret;

	ret = kobject_add(&link->kobj, link->bus->devices_kobj, "%u", link->id);
	if (ret)
		return ret;
	ret = sysfs_create_link(&link->kobj, &link->dev->kobj, "device");
	if (ret)
		goto out_del;
	vbus_link_iface_name(link, name, sizeof(name));
	ret = sysfs_create_link(link->dev->ifaces_kobj, &link->kobj, name);
	if (ret)
		goto out_del;
	return 0;

out_del:
	kobject_del(&link->kobj);
	return ret;
}

/* Caller holds vbus_lock. */
void vbus_sysfs_link_del(struct vbus_link *link)
{
	char name[VBUS_NAME_MAX + 16];

	vbus_link_iface_name(link, name, sizeof(name));
	sysfs_remove_link(link->dev->ifaces_kobj, name);
	kobject_del(&link->kobj);
}

int vbus_sysfs_init(void)
{
	int ret;

	vbus_kobj = kobject_create_and_add("vbus", NULL);
	if (!vbus_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(vbus_kobj, &vbus_root_group);
	if (ret)
		goto out_put;

	ret = -ENOMEM;
	vbus_classes_kobj = kobject_create_and_add("deviceclass", vbus_kobj);
	if (!vbus_classes_kobj)
		goto out_put;
	vbus_devices_kobj = kobject_create_and_add("devices", vbus_kobj);
	if (!vbus_devices_kobj)
		goto out_classes;
	vbus_instances_kobj = kobject_create_and_add("instances", vbus_kobj);
	if (!vbus_instances_kobj)
		goto out_devices;
	return 0;

out_devices:
	kobject_put(vbus_devices_kobj);
out_classes:
	kobject_put(vbus_classes_kobj);
out_put:
	kobject_put(vbus_kobj);
	return ret;
}

void vbus_sysfs_exit(void)
{
	kobject_put(vbus_instances_kobj);
	kobject_put(vbus_devices_kobj);
	kobject_put(vbus_classes_kobj);
	kobject_put(vbus_kobj);
}
