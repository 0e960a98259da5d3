/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvbus: the one library that knows vbus's kernel interfaces.
 *
 * Conventions: objects are opaque and come from vbus_*_new(), which has a
 * matching vbus_*_free() that accepts NULL. Every call returns 0 (or a
 * count) on success and a negative errno on failure; the library never
 * prints, logs or aborts. Output parameters come last and are named ret_*.
 */
#ifndef VBUS_VBUS_H
#define VBUS_VBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vbus_ctx;

/* Version of the library, e.g. "0.1.0". */
const char *vbus_library_version(void);

/* Text for a (negative) errno returned by libvbus, as strerror(3) gives it. */
const char *vbus_strerror(int err);

int vbus_ctx_new(struct vbus_ctx **ret_ctx);
void vbus_ctx_free(struct vbus_ctx *ctx);

/*
 * Look up kernel interfaces below @root instead of "/" (a chroot, a test
 * fixture). @root must be an absolute path; NULL restores "/".
 */
int vbus_ctx_set_root(struct vbus_ctx *ctx, const char *root);

/*
 * Version of the loaded vbus kernel module (/sys/vbus/version) into a new
 * string in *ret_version, freed by the caller with free().
 * -ENOENT: the module is not loaded.
 */
int vbus_kernel_version(struct vbus_ctx *ctx, char **ret_version);

/*
 * The rules names and values follow, the kernel's own: bus and device names
 * are 1-64 characters of [A-Za-z0-9._:-] other than "." and ".."; class
 * names the same in at most 31; class attribute names 1-64 characters of
 * [A-Za-z0-9_-]. vbus_rule_text() says what a rule wants, for messages.
 */
bool vbus_name_valid(const char *name);
bool vbus_class_name_valid(const char *name);
bool vbus_attr_name_valid(const char *name);

enum vbus_rule {
	VBUS_RULE_NAME,		/* bus and device names */
	VBUS_RULE_CLASS,	/* device class names */
	VBUS_RULE_ATTR,		/* class attribute names */
	VBUS_RULE_MODE,		/* vbus_mode_parse() */
	VBUS_RULE_USER,		/* vbus_user_parse() */
	VBUS_RULE_GROUP,	/* vbus_group_parse() */
	VBUS_RULE_PRIORITY,	/* vbus_priority_parse() */
};

const char *vbus_rule_text(enum vbus_rule rule);

/* A bus's mode: octal, at most 0777 (4 digits with a leading 0). -EINVAL otherwise. */
int vbus_mode_parse(const char *s, mode_t *ret_mode);
/* A user (group) name, or a number below 4294967295. -ENOENT: no such user (group). */
int vbus_user_parse(const char *s, uid_t *ret_uid);
int vbus_group_parse(const char *s, gid_t *ret_gid);

/*
 * A device's priority: which of a VM guest's interrupt vectors (and signal
 * queues) carries the device's signals (doc/abi/guest.md), from 0 to
 * VBUS_PRIORITY_MAX; a new device has VBUS_PRIORITY_DEFAULT.
 */
#define VBUS_PRIORITY_MAX	63
#define VBUS_PRIORITY_DEFAULT	1
/* A priority: 1 or 2 decimal digits, at most VBUS_PRIORITY_MAX. -EINVAL otherwise. */
int vbus_priority_parse(const char *s, unsigned int *ret_priority);

/*
 * Administration (configfs, doc/abi/configfs.md). A name that breaks its
 * rule is -EINVAL before the kernel is asked. Other errors are the kernel's
 * errno (doc/abi), e.g. -EEXIST, -ENOENT, -EBUSY. A call that fails has
 * changed nothing.
 */

/*
 * Mount configfs and load vbus.ko if needed (vbus_bus_add and
 * vbus_device_add call it). -ENODEV: the module is not loaded and cannot be;
 * -EPERM: not root, so it cannot be loaded.
 */
int vbus_load(struct vbus_ctx *ctx);

/* 1 if the bus (device) exists, 0 if not. */
int vbus_bus_exists(struct vbus_ctx *ctx, const char *bus);
int vbus_device_exists(struct vbus_ctx *ctx, const char *dev);

int vbus_bus_add(struct vbus_ctx *ctx, const char *bus);
/* Removes the bus and its links (not the devices). */
int vbus_bus_del(struct vbus_ctx *ctx, const char *bus);
int vbus_bus_set_owner(struct vbus_ctx *ctx, const char *bus, uid_t uid);
int vbus_bus_set_group(struct vbus_ctx *ctx, const char *bus, gid_t gid);
/* -EINVAL: @mode above 0777. */
int vbus_bus_set_mode(struct vbus_ctx *ctx, const char *bus, mode_t mode);
/*
 * Connect the host kernel to the bus (the local connector) or disconnect
 * it: its devices appear on the driver model, where vbus-enet drives a
 * virtual-ethernet device (doc/abi/local.md). -EBUSY: a device of the bus
 * has a client already.
 */
int vbus_bus_set_local(struct vbus_ctx *ctx, const char *bus, bool on);
/* Who may attach: owner, group and permission bits. */
int vbus_bus_get_perm(struct vbus_ctx *ctx, const char *bus, uid_t *ret_owner,
		      gid_t *ret_group, mode_t *ret_mode);

/*
 * Create a device of @class. An unknown class makes libvbus load the module
 * that provides it ("modprobe vbus-class-<class>") once; still unknown:
 * -ENOENT.
 */
int vbus_device_add(struct vbus_ctx *ctx, const char *dev, const char *class);
/*
 * Make sure device class @class is registered, loading the module that
 * provides it ("modprobe vbus-class-<class>") if needed. -ENOENT: no such
 * class and no module provides it.
 */
int vbus_class_load(struct vbus_ctx *ctx, const char *class);
/* Removes the device, detaching it from every bus first. */
int vbus_device_del(struct vbus_ctx *ctx, const char *dev);
int vbus_device_attach(struct vbus_ctx *ctx, const char *dev, const char *bus);
/* -ENOENT: the device is not on the bus. */
int vbus_device_detach(struct vbus_ctx *ctx, const char *dev, const char *bus);
/* Class attributes (sysfs /sys/vbus/devices/<dev>/<attr>). */
int vbus_device_set_attr(struct vbus_ctx *ctx, const char *dev, const char *attr,
			 const char *value);
int vbus_device_get_attr(struct vbus_ctx *ctx, const char *dev, const char *attr,
			 char **ret_value);
/*
 * The device's priority (configfs devices/<dev>/priority; typed or not). A
 * guest uses a new priority from its next open of the device on.
 * vbus_device_set_priority: -EINVAL above VBUS_PRIORITY_MAX.
 */
int vbus_device_set_priority(struct vbus_ctx *ctx, const char *dev, unsigned int priority);
int vbus_device_get_priority(struct vbus_ctx *ctx, const char *dev,
			     unsigned int *ret_priority);

/*
 * NULL-terminated lists (free with vbus_strv_free()); the return value is
 * the count: the devices linked on @bus, the buses @dev is linked on.
 */
int vbus_bus_devices(struct vbus_ctx *ctx, const char *bus, char ***ret_devs);
int vbus_device_buses(struct vbus_ctx *ctx, const char *dev, char ***ret_buses);
void vbus_strv_free(char **strv);

/*
 * Host netdevs of network device classes (rtnetlink): bring one up or down,
 * enslave it to a bridge (@master NULL: release it), move it to a network
 * namespace (@netns: a name under /run/netns, as ip-netns(8) makes them, or
 * the path of a namespace file such as /proc/PID/ns/net). -ENODEV: no such
 * netdev (or master); -EPERM: needs CAP_NET_ADMIN.
 */
int vbus_netdev_set_up(struct vbus_ctx *ctx, const char *ifname, bool up);
int vbus_netdev_set_master(struct vbus_ctx *ctx, const char *ifname, const char *master);
int vbus_netdev_set_netns(struct vbus_ctx *ctx, const char *ifname, const char *netns);

/*
 * The read side: the "vbus" generic netlink family (doc/abi/genl.md). A
 * dump returns a NULL-terminated array of objects (the count as the return
 * value) that the matching *_list_free() releases, with everything the
 * getters return. -ENODEV: the vbus module is not loaded.
 */
struct vbus_class;
struct vbus_bus;
struct vbus_device;
struct vbus_link;
struct vbus_member;
struct vbus_stats;

int vbus_class_dump(struct vbus_ctx *ctx, struct vbus_class ***ret_list);
void vbus_class_list_free(struct vbus_class **list);
const char *vbus_class_get_name(const struct vbus_class *c);
const char *vbus_class_get_type(const struct vbus_class *c);	/* interface type */
unsigned int vbus_class_get_devices(const struct vbus_class *c);

/* Filters may be NULL: @name, or the buses that carry @device. */
int vbus_bus_dump(struct vbus_ctx *ctx, const char *name, const char *device,
		  struct vbus_bus ***ret_list);
void vbus_bus_list_free(struct vbus_bus **list);
const char *vbus_bus_get_name(const struct vbus_bus *b);
uid_t vbus_bus_get_owner(const struct vbus_bus *b);
gid_t vbus_bus_get_group(const struct vbus_bus *b);
mode_t vbus_bus_get_mode(const struct vbus_bus *b);
/* Is the host kernel connected (the local connector, doc/abi/local.md)? */
bool vbus_bus_get_local(const struct vbus_bus *b);
unsigned int vbus_bus_get_n_links(const struct vbus_bus *b);
const struct vbus_link *vbus_bus_get_link(const struct vbus_bus *b, unsigned int i);
unsigned int vbus_bus_get_n_members(const struct vbus_bus *b);
const struct vbus_member *vbus_bus_get_member(const struct vbus_bus *b, unsigned int i);

/* A device on a bus. */
const char *vbus_link_get_bus(const struct vbus_link *l);
uint32_t vbus_link_get_id(const struct vbus_link *l);
const char *vbus_link_get_device(const struct vbus_link *l);	/* NULL in device dumps */
const char *vbus_link_get_type(const struct vbus_link *l);	/* NULL in device dumps */

/* A membership: one open of /dev/vbus/<bus>. */
uint32_t vbus_member_get_id(const struct vbus_member *m);
pid_t vbus_member_get_pid(const struct vbus_member *m);
const char *vbus_member_get_bus(const struct vbus_member *m);
/* A guest connection (doc/abi/guest.md)? Its pid is the guest's process (QEMU). */
bool vbus_member_is_guest(const struct vbus_member *m);

/* Filters may be NULL and combine: @name, devices of @class, devices on @bus. */
int vbus_device_dump(struct vbus_ctx *ctx, const char *name, const char *class,
		     const char *bus, struct vbus_device ***ret_list);
void vbus_device_list_free(struct vbus_device **list);
const char *vbus_device_get_name(const struct vbus_device *d);
const char *vbus_device_get_class(const struct vbus_device *d);	/* NULL: untyped */
const char *vbus_device_get_type(const struct vbus_device *d);
unsigned int vbus_device_get_n_links(const struct vbus_device *d);
const struct vbus_link *vbus_device_get_link(const struct vbus_device *d, unsigned int i);
unsigned int vbus_device_get_n_attrs(const struct vbus_device *d);
const char *vbus_device_get_attr_name(const struct vbus_device *d, unsigned int i);
const char *vbus_device_get_attr_value(const struct vbus_device *d, unsigned int i);

/* What a class attribute is, as its class declares (doc/abi/genl.md). */
enum vbus_attribute_kind {
	VBUS_ATTRIBUTE_SETTING,		/* configuration or state */
	VBUS_ATTRIBUTE_COUNTER,		/* a counter of the device */
	VBUS_ATTRIBUTE_QUEUE_COUNTER,	/* a counter of one queue, named QUEUE_COUNTER */
};

/* How its value reads. */
enum vbus_attribute_type {
	VBUS_ATTRIBUTE_STRING,
	VBUS_ATTRIBUTE_UINT,		/* vbus_device_get_attr_uint() */
	VBUS_ATTRIBUTE_BOOL,		/* vbus_device_get_attr_uint(): 0 or 1 */
};

/*
 * An attribute whose module does not say is a string setting; a kind this
 * library does not know is a setting, a type it does not know (or a number
 * that does not parse) a string.
 */
enum vbus_attribute_kind vbus_device_get_attr_kind(const struct vbus_device *d, unsigned int i);
enum vbus_attribute_type vbus_device_get_attr_type(const struct vbus_device *d, unsigned int i);
/* The value of a UINT or BOOL attribute; 0 for a STRING one. */
uint64_t vbus_device_get_attr_uint(const struct vbus_device *d, unsigned int i);

/* What a counter counts (unknown: OTHER). */
enum vbus_attribute_counts {
	VBUS_ATTRIBUTE_COUNTS_OTHER,
	VBUS_ATTRIBUTE_FRAMES_IN,	/* frames (descriptors) delivered to the client */
	VBUS_ATTRIBUTE_FRAMES_OUT,	/* frames (descriptors) taken from the client */
};
enum vbus_attribute_counts vbus_device_get_attr_counts(const struct vbus_device *d,
						       unsigned int i);

/* Statistics of each connection (doc/statistics.md). */
enum vbus_counter {
	VBUS_COUNTER_EVENTS,
	VBUS_COUNTER_QNOTIFY,
	VBUS_COUNTER_QINJECT,
	VBUS_COUNTER_NOTIFY,
	VBUS_COUNTER_INJECT,
	VBUS_COUNTER_BRIDGECALLS,
	VBUS_COUNTER_BUSCALLS,
	_VBUS_COUNTER_MAX,
};

const char *vbus_counter_name(enum vbus_counter c);
/* @bus NULL: every connection. */
int vbus_stats_dump(struct vbus_ctx *ctx, const char *bus, struct vbus_stats ***ret_list);
void vbus_stats_list_free(struct vbus_stats **list);
const char *vbus_stats_get_bus(const struct vbus_stats *s);
uint32_t vbus_stats_get_member(const struct vbus_stats *s);
pid_t vbus_stats_get_pid(const struct vbus_stats *s);
uint64_t vbus_stats_get(const struct vbus_stats *s, enum vbus_counter c);

/* A guest connection's own counters (doc/abi/guest.md), besides the above. */
enum vbus_guest_counter {
	VBUS_GUEST_COUNTER_BAD_REQUEST,
	VBUS_GUEST_COUNTER_BAD_KICK,
	VBUS_GUEST_COUNTER_QUEUE_OVERFLOW,
	VBUS_GUEST_COUNTER_RESETS,
	_VBUS_GUEST_COUNTER_MAX,
};

const char *vbus_guest_counter_name(enum vbus_guest_counter c);
/* Does @s carry them (a guest connection's, on a kernel that sends them)? */
bool vbus_stats_is_guest(const struct vbus_stats *s);
uint64_t vbus_stats_get_guest(const struct vbus_stats *s, enum vbus_guest_counter c);
/* Zero the counters (of @bus's connections, or all). -EPERM: needs CAP_NET_ADMIN. */
int vbus_stats_reset(struct vbus_ctx *ctx, const char *bus);

/*
 * Change notifications (the "events" multicast group). Poll the monitor's
 * fd (non-blocking); vbus_monitor_next() returns 1 with a change (free it
 * with vbus_change_free()), 0 when none is pending, -ENOBUFS when changes
 * were lost because the socket's buffer overflowed (list again).
 */
struct vbus_monitor;
struct vbus_change;

enum vbus_change_object {
	VBUS_OBJECT_CLASS,
	VBUS_OBJECT_BUS,
	VBUS_OBJECT_DEVICE,
	VBUS_OBJECT_LINK,
	VBUS_OBJECT_MEMBER,
};

enum vbus_change_action {
	VBUS_CHANGE_ADD,
	VBUS_CHANGE_DEL,
	VBUS_CHANGE_CHANGE,	/* a device got its class; a bus's owner, group or mode changed */
	VBUS_CHANGE_ATTR,	/* a device's class attribute changed: the device has that */
				/* one attribute, its value NULL (read it if it matters) */
};

int vbus_monitor_new(struct vbus_ctx *ctx, struct vbus_monitor **ret);
void vbus_monitor_free(struct vbus_monitor *m);
int vbus_monitor_get_fd(const struct vbus_monitor *m);
int vbus_monitor_next(struct vbus_monitor *m, struct vbus_change **ret);
void vbus_change_free(struct vbus_change *c);
enum vbus_change_object vbus_change_get_object(const struct vbus_change *c);
enum vbus_change_action vbus_change_get_action(const struct vbus_change *c);
/* The object the change is about; NULL for the other kinds. */
const struct vbus_class *vbus_change_get_class(const struct vbus_change *c);
const struct vbus_bus *vbus_change_get_bus(const struct vbus_change *c);
const struct vbus_device *vbus_change_get_device(const struct vbus_change *c);
const struct vbus_link *vbus_change_get_link(const struct vbus_change *c);
const struct vbus_member *vbus_change_get_member(const struct vbus_change *c);

/*
 * Client API (man/libvbus-client.3): a process attaches to a bus and drives
 * a device of it. The bus fd is the membership (close it to leave).
 */
struct vbus_client;
struct vbus_venet;
struct iovec;

int vbus_client_open(const char *bus, struct vbus_client **ret_client);
void vbus_client_free(struct vbus_client *c);
int vbus_client_get_fd(const struct vbus_client *c);

/*
 * A userspace venet driver on device @id of the bus: negotiates, sets up
 * the shared memory and both rings, posts receive buffers and brings the
 * link up (the host netdev's carrier goes on). One per device at a time:
 * -EBUSY if another client drives it.
 */
int vbus_venet_open(struct vbus_client *c, uint32_t id, struct vbus_venet **ret_venet);
void vbus_venet_free(struct vbus_venet *v);
/* Readable when vbus_venet_wait() would not block (for poll/epoll loops). */
int vbus_venet_get_fd(const struct vbus_venet *v);
int vbus_venet_get_mac(const struct vbus_venet *v, uint8_t ret_mac[6]);
unsigned int vbus_venet_get_mtu(const struct vbus_venet *v);
/*
 * Queue up to @n frames (copied) and signal the host once if it sleeps.
 * Returns the number queued; -EAGAIN if none fit, -EMSGSIZE for a first
 * frame shorter than 14 or longer than the device allows, -EIO if the ring
 * broke.
 */
int vbus_venet_send(struct vbus_venet *v, const struct iovec *frames, unsigned int n);
/*
 * Transmit offloads (doc/abi/venet.md, VENET_CAP_TXOFF): the host completes
 * a checksum and segments a frame up to 64 KiB, as virtio-net's header
 * says. vbus_venet_has_offload(): whether the host granted them.
 */
struct vbus_venet_offload {
	bool csum;		/* complete the checksum from csum_start to the end, */
	uint16_t csum_start;	/* (from the frame's start; the field holds the */
	uint16_t csum_offset;	/* pseudo-header sum) stored csum_offset past it */
	uint8_t gso_type;	/* 0: none, 1: TCPv4, 3: UDP, 4: TCPv6 (| 0x80: ECN) */
	uint16_t gso_size;	/* payload bytes per segment */
	uint16_t hdr_len;	/* length of the headers (a hint) */
};
bool vbus_venet_has_offload(const struct vbus_venet *v);
/*
 * vbus_venet_send() with @off[i] for frame i; a frame with a gso_type may
 * be larger than the MTU (up to 9206 bytes here). -EOPNOTSUPP without the
 * host's grant. A header the host refuses drops that frame (its tx_bad).
 */
int vbus_venet_send_offload(struct vbus_venet *v, const struct iovec *frames,
			    const struct vbus_venet_offload *off, unsigned int n);
/*
 * Up to @n received frames: @frames point into the receive buffers, valid
 * until the next call, which gives those buffers back to the host.
 * Returns the count (0: none now).
 */
int vbus_venet_recv(struct vbus_venet *v, struct iovec *frames, unsigned int n);
/*
 * Sleep until frames arrive or transmit room frees up, at most @timeout_ms
 * (-1: no limit). 1: go on, 0: timed out, -ENODEV: the device or bus went
 * away (free the driver).
 */
int vbus_venet_wait(struct vbus_venet *v, int timeout_ms);
/*
 * Busy-poll: vbus_venet_wait() watches the rings for up to @usecs (at most
 * its timeout) before it arms a signal and sleeps, trading CPU time for
 * latency as SO_BUSY_POLL does. 0 (the default) turns it off; -EINVAL above
 * 1000000.
 */
int vbus_venet_set_busy_poll(struct vbus_venet *v, unsigned int usecs);

#ifdef __cplusplus
}
#endif

#endif /* VBUS_VBUS_H */
