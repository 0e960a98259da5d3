/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus device-class API: what a module implementing a device class (venet-tap,
 * the test class, ...) sees of vbus.ko. doc/writing-a-device-class.md walks
 * through it with vbus-test.ko as the example.
 */
#ifndef VBUS_CLASS_H
#define VBUS_CLASS_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <linux/types.h>

#include <uapi/linux/vbus_netlink.h>

struct vbus_device;
struct vbus_conn;

/**
 * struct vbus_attribute - a class attribute
 * @kattr: the sysfs attribute
 * @kind: enum vbus_attr_kind: a setting (configuration or state), a counter
 *	of the device, or a counter of one of its queues
 * @type: enum vbus_attr_type: how the value reads (string, unsigned number,
 *	boolean 0/1)
 * @counts: enum vbus_attr_counts, for a counter: frames delivered to the
 *	client or taken from it, from which tools derive frames per kick and
 *	per interrupt; OTHER (0) for anything else
 *
 * sysfs shows every kind alike; genl's device dump carries @kind and @type
 * with each value, so that tools keep counters apart from settings and
 * print numbers as numbers (doc/abi/genl.md).
 */
struct vbus_attribute {
	struct kobj_attribute kattr;
	u8 kind;
	u8 type;
	u8 counts;
};

#define __VBUS_ATTR_RW(_name, _kind, _type)					\
	{ .kattr = __ATTR_RW(_name), .kind = VBUS_ATTR_KIND_##_kind,		\
	  .type = VBUS_ATTR_TYPE_##_type }
#define __VBUS_ATTR_RO(_name, _kind, _type)					\
	{ .kattr = __ATTR_RO(_name), .kind = VBUS_ATTR_KIND_##_kind,		\
	  .type = VBUS_ATTR_TYPE_##_type }
/* A read-only counter (@_kind COUNTER or QUEUE_COUNTER) of what @_counts says. */
#define __VBUS_ATTR_COUNTER(_name, _kind, _counts)				\
	{ .kattr = __ATTR_RO(_name), .kind = VBUS_ATTR_KIND_##_kind,		\
	  .type = VBUS_ATTR_TYPE_UINT, .counts = VBUS_ATTR_COUNTS_##_counts }

/* The struct vbus_attribute of a class attribute's kobj_attribute. */
static inline const struct vbus_attribute *to_vbus_attribute(const struct kobj_attribute *ka)
{
	return container_of(ka, struct vbus_attribute, kattr);
}

/**
 * struct vbus_class - a device class
 * @name: class name, written to a device's configfs `type` attribute
 * @type: interface type clients see, e.g. "virtual-ethernet"
 * @owner: THIS_MODULE; pinned while a device of the class exists
 * @attr_groups: NULL-terminated class attributes, shown on
 *	/sys/vbus/devices/<name>/ of each device of the class (optional);
 *	each one the kattr.attr of a struct vbus_attribute
 * @create: a device was given this class; set its private data (optional)
 * @release: the device is being freed; free the private data (optional)
 * @connect: a client opened the device (optional; error refuses the open)
 * @disconnect: the client closed it or the device went away (optional)
 * @call: a synchronous call: @len input bytes in @buf, room for @size
 *	bytes of output; returns the output length or a negative errno
 * @kick: the client signalled queue @queue through its kick eventfd
 *	(optional). Runs in atomic context, possibly with interrupts off
 *	(inside the eventfd's wake-up: irqsave locks), possibly before the
 *	class set up its data path and never after @disconnect returned. A
 *	vbus_conn_signal() from here is delivered from a work item.
 * @kick_sync: the client kicked queue @queue with VBUS_IOC_KICK (optional;
 *	@kick is called instead when absent). Runs in the client's process
 *	context under the connection's lock, serialised against @call and
 *	@disconnect, possibly before the class set up its data path; may do
 *	the queue's work there and then.
 *
 * Callbacks run in process context and may sleep. @connect and @disconnect
 * run with vbus_lock held: they must not call back into vbus. @call runs
 * under the connection's lock only, serialised against @disconnect.
 */
struct vbus_class {
	const char *name;
	const char *type;
	struct module *owner;
	const struct attribute_group **attr_groups;
	int (*create)(struct vbus_device *vdev);
	void (*release)(struct vbus_device *vdev);
	int (*connect)(struct vbus_device *vdev, struct vbus_conn *conn);
	void (*disconnect)(struct vbus_device *vdev, struct vbus_conn *conn);
	long (*call)(struct vbus_device *vdev, struct vbus_conn *conn, u32 func,
		     void *buf, size_t len, size_t size);
	void (*kick)(struct vbus_device *vdev, struct vbus_conn *conn, u32 queue);
	void (*kick_sync)(struct vbus_device *vdev, struct vbus_conn *conn, u32 queue);

	/* private to vbus.ko */
	struct list_head list;
	struct kobject *kobj;
};

/*
 * Every class module declares this alias, so that "modprobe vbus-class-NAME"
 * loads the module of class NAME (libvbus does, for a device of an unknown
 * class).
 */
#define MODULE_ALIAS_VBUS_CLASS(name) MODULE_ALIAS("vbus-class-" name)

int vbus_class_register(struct vbus_class *class);
void vbus_class_unregister(struct vbus_class *class);

const char *vbus_device_name(struct vbus_device *vdev);
void *vbus_device_priv(struct vbus_device *vdev);
void vbus_device_set_priv(struct vbus_device *vdev, void *priv);
struct vbus_device *vbus_device_from_kobj(struct kobject *kobj);
/*
 * Announce that class attribute @attr of @vdev changed value other than
 * through a write to its file (writes are announced by the core), e.g. a
 * netdev renamed with ip(8). Any context that may sleep; no lock needed.
 */
void vbus_device_attr_changed(struct vbus_device *vdev, const char *attr);

void *vbus_conn_priv(struct vbus_conn *conn);
void vbus_conn_set_priv(struct vbus_conn *conn, void *priv);

/*
 * The connection's shared memory (VBUS_IOC_SHM): -ENOENT before the client
 * allocated it. Valid until @disconnect returns. Caller holds the
 * connection (in @call).
 */
int vbus_conn_shm(struct vbus_conn *conn, void **ret_addr, size_t *ret_len);
/* Does queue @queue have a call eventfd or a kick eventfd registered? */
bool vbus_conn_has_signal(struct vbus_conn *conn, u32 queue);
/*
 * A device-to-client signal on @queue was decided: @needed says whether
 * shm-signal found the client waiting. Counted; delivered when needed. Any
 * context, between a successful @call that set up the data path and the
 * return of @disconnect.
 */
void vbus_conn_signal(struct vbus_conn *conn, u32 queue, bool needed);

#endif /* VBUS_CLASS_H */
