/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vbus core: private declarations shared by the files of vbus.ko.
 *
 * Locking: vbus_lock (a mutex) protects the class list, the bus and device
 * xarrays, every link, each bus's member list and each link's connection
 * list, and the dead flags. Lock order: vbus_lock, then vbus_conn.lock, then
 * vbus_member.lock. sysfs show/store callbacks never take vbus_lock, so
 * removing sysfs entries (which waits for running callbacks) is safe under
 * it.
 *
 * Lifetimes: every object's memory is owned by its kobject. configfs items,
 * links, members and connections hold kobject references, so whichever of
 * rmdir, unlink, close or rmmod comes last frees the object.
 */
#ifndef VBUS_INTERNAL_H
#define VBUS_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/configfs.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/vbus.h>
#include <uapi/linux/vbus_netlink.h>

#include "vbus_class.h"
#include "vbus_rules.h"

#define VBUS_EVENT_QUEUE	64

extern struct mutex vbus_lock;
extern struct list_head vbus_classes;	/* sorted by name */
extern struct xarray vbus_buses;	/* id -> bus, ids in creation order */
extern struct xarray vbus_devices;	/* id -> device, likewise */

struct eventfd_ctx;
struct file;
struct user_struct;
struct vbus_local;
struct vbus_gh;

struct vbus_device {
	struct config_group group;	/* devices/<name> */
	struct kobject kobj;		/* /sys/vbus/devices/<name>; owns the memory */
	struct kobject *ifaces_kobj;	/* interfaces/ */
	struct vbus_class *class;	/* NULL until typed; set once */
	void *priv;			/* the class's */
	u32 id;				/* in vbus_devices: the key dumps resume by */
	struct list_head links;		/* vbus_link.dev_entry */
	bool dead;			/* rmdir'ed: no new links */
	u32 priority;			/* a guest's vector for its signals (configfs) */
	char name[VBUS_NAME_MAX + 1];
};

/* configfs devices/<name>/priority: the default, and the bound (exclusive). */
#define VBUS_DEVICE_PRIORITY_DEFAULT	VBUS_RULE_PRIORITY_DEFAULT
#define VBUS_DEVICE_PRIORITY_MAX	(VBUS_RULE_PRIORITY_MAX + 1)

struct vbus_bus {
	struct config_group group;	/* instances/<name> */
	struct kobject kobj;		/* /sys/vbus/instances/<name>; owns the memory */
	struct kobject *devices_kobj;	/* devices/ */
	struct kobject *members_kobj;	/* members/ */
	struct xarray links;		/* id -> struct vbus_link */
	struct list_head members;	/* vbus_member.bus_entry */
	struct list_head pids;		/* vbus_pid.entry */
	kuid_t owner;
	kgid_t gid;
	umode_t mode;
	int minor;			/* /dev/vbus/<name>; -1 without */
	struct vbus_local *local;	/* the local connector; NULL: off */
	struct vbus_gh *guest;		/* the guest connection; NULL: none */
	struct cdev *cdev;
	struct device *chrdev;
	bool dead;
	u32 id;				/* in vbus_buses: the key dumps resume by */
	char name[VBUS_NAME_MAX + 1];
};

/* A device on a bus: instances/<bus>/<device> in configfs. */
struct vbus_link {
	struct kobject kobj;		/* instances/<bus>/devices/<id> in sysfs */
	struct vbus_bus *bus;		/* holds a reference */
	struct vbus_device *dev;	/* holds a reference */
	u32 id;
	bool dead;
	struct list_head dev_entry;	/* vbus_device.links */
	struct list_head conns;		/* vbus_conn.link_entry */
};

/* Per-connection counters (doc/statistics.md). */
struct vbus_stats {
	atomic64_t events;
	atomic64_t qnotify;
	atomic64_t qinject;
	atomic64_t notify;
	atomic64_t inject;
	atomic64_t bridgecalls;
	atomic64_t buscalls;
};

/* A membership: one open of /dev/vbus/<bus>, or the local connector's. */
struct vbus_member {
	struct kref ref;		/* its owner's and each connection's */
	struct vbus_bus *bus;		/* holds a reference */
	u32 id;				/* for genl: unique while loaded */
	pid_t pid;			/* the opener (tgid) */
	struct list_head bus_entry;	/* vbus_bus.members */
	spinlock_t lock;		/* the event queue and dead */
	wait_queue_head_t wq;
	struct vbus_event events[VBUS_EVENT_QUEUE];
	unsigned int head, count;
	bool overflow;
	bool dead;
	struct vbus_local *local;	/* the local connector's: events go there */
	struct vbus_gh *guest;		/* a guest connection's: its work posts the events */
	struct vbus_stats stats;
};

struct vbus_conn;

/**
 * struct vbus_conn_ops - what a connector implements for its connections
 * @kill: the connection died (the client closed, the device left the bus,
 *	the bus went away). Called once, under vbus_lock and conn->lock,
 *	before the class's disconnect: after it returns no kick may reach the
 *	class; tell the client.
 * @has_signal: can a device-to-client signal on @queue (< VBUS_QUEUES_MAX)
 *	reach the client? Any context.
 * @signal: deliver a device-to-client signal on @queue (< VBUS_QUEUES_MAX)
 *	that shm-signal found needed. Any context, including with interrupts
 *	off; never after the class's disconnect returned.
 * @release: free the connector's part of the connection (shared memory,
 *	signals) and the memory holding it. Called once from
 *	vbus_conn_close(), after the class disconnected.
 */
struct vbus_conn_ops {
	void (*kill)(struct vbus_conn *conn);
	bool (*has_signal)(struct vbus_conn *conn, u32 queue);
	void (*signal)(struct vbus_conn *conn, u32 queue);
	void (*release)(struct vbus_conn *conn);
};

/*
 * A client's connection to a device through a link (conn.c), embedded in
 * the connector's own structure.
 */
struct vbus_conn {
	const struct vbus_conn_ops *ops;
	struct mutex lock;		/* calls, kick_sync, shm and teardown */
	void *shm;			/* the connector's; set once under lock (released) */
	size_t shm_len;
	struct vbus_link *link;		/* holds a reference */
	struct vbus_member *member;	/* holds a reference */
	struct list_head link_entry;	/* vbus_link.conns */
	bool dead;			/* set under vbus_lock and lock */
	void *priv;			/* the class's */
};

static inline struct vbus_device *to_vbus_device(struct config_item *item)
{
	return container_of(to_config_group(item), struct vbus_device, group);
}

static inline struct vbus_bus *to_vbus_bus(struct config_item *item)
{
	return container_of(to_config_group(item), struct vbus_bus, group);
}

static inline struct vbus_bus *kobj_to_vbus_bus(struct kobject *kobj)
{
	return container_of(kobj, struct vbus_bus, kobj);
}

static inline struct vbus_link *kobj_to_vbus_link(struct kobject *kobj)
{
	return container_of(kobj, struct vbus_link, kobj);
}

/* core.c: the life of every object. Lookups: caller holds vbus_lock. */
struct vbus_class *vbus_class_find(const char *name);
struct vbus_bus *vbus_bus_find(const char *name);
struct vbus_device *vbus_device_find(const char *name);
struct vbus_link *vbus_link_find(struct vbus_device *dev, struct vbus_bus *bus);
struct vbus_link *vbus_link_find_id(struct vbus_bus *bus, u32 id);
struct vbus_device *vbus_device_create(const char *name);
void vbus_device_destroy(struct vbus_device *dev);
int vbus_device_set_class(struct vbus_device *dev, const char *name);
struct vbus_bus *vbus_bus_create(const char *name);
void vbus_bus_destroy(struct vbus_bus *bus);
void vbus_bus_set_perm(struct vbus_bus *bus, const kuid_t *owner, const kgid_t *gid,
		       const umode_t *mode);
int vbus_link_add(struct vbus_bus *bus, struct vbus_device *dev);
void vbus_link_del(struct vbus_bus *bus, struct vbus_device *dev);

/* configfs.c */
int vbus_configfs_init(void);
void vbus_configfs_exit(void);

/* sysfs.c */
extern const struct sysfs_ops vbus_device_sysfs_ops;
extern const struct attribute_group *vbus_link_groups[];
int vbus_sysfs_init(void);
void vbus_sysfs_exit(void);
int vbus_sysfs_class_add(struct vbus_class *class);
void vbus_sysfs_class_del(struct vbus_class *class);
int vbus_sysfs_device_add(struct vbus_device *dev);
int vbus_sysfs_device_typed(struct vbus_device *dev);
void vbus_sysfs_device_del(struct vbus_device *dev);
int vbus_sysfs_bus_add(struct vbus_bus *bus);
void vbus_sysfs_bus_del(struct vbus_bus *bus);
int vbus_sysfs_link_add(struct vbus_link *link);
void vbus_sysfs_link_del(struct vbus_link *link);
int vbus_sysfs_member_add(struct vbus_bus *bus, pid_t pid);
void vbus_sysfs_member_del(struct vbus_bus *bus, pid_t pid);

/* genl.c */
int vbus_genl_init(void);
void vbus_genl_exit(void);
void vbus_notify_class(struct vbus_class *class, u8 cmd);
void vbus_notify_bus(struct vbus_bus *bus, u8 cmd);
void vbus_notify_device(struct vbus_device *dev, u8 cmd);
void vbus_notify_link(struct vbus_link *link, u8 cmd);
void vbus_notify_member(struct vbus_member *m, u8 cmd);

/* chardev.c */
int vbus_chardev_init(void);
void vbus_chardev_exit(void);
int vbus_chardev_bus_add(struct vbus_bus *bus);
void vbus_chardev_bus_del(struct vbus_bus *bus);
void vbus_bus_event(struct vbus_bus *bus, u32 event, struct vbus_link *link);
struct vbus_member *vbus_member_alloc(pid_t pid);
void vbus_member_add_locked(struct vbus_member *m, struct vbus_bus *bus);
void vbus_member_del_locked(struct vbus_member *m);
void vbus_member_unref(struct vbus_member *m);
void vbus_member_queue(struct vbus_member *m, u32 event, u32 id, const char *type);
bool vbus_member_pop(struct vbus_member *m, struct vbus_event *ev);

/* conn.c */
void vbus_conn_init(struct vbus_conn *conn, const struct vbus_conn_ops *ops);
int vbus_conn_connect(struct vbus_conn *conn, struct vbus_member *m, u32 id);
int vbus_conn_connect_link(struct vbus_conn *conn, struct vbus_member *m, struct vbus_link *link);
void vbus_conn_close(struct vbus_conn *conn);
void vbus_link_kill(struct vbus_link *link);
long vbus_conn_call(struct vbus_conn *conn, u32 func, void *buf, size_t len, size_t size);
int vbus_conn_set_shm_locked(struct vbus_conn *conn, void *shm, size_t len);
void vbus_conn_kick(struct vbus_conn *conn, u32 queue);
int vbus_conn_kick_sync(struct vbus_conn *conn, u32 queue);

/* conn_fd.c */
long vbus_fd_conn_open(struct vbus_member *m, void __user *argp);
int vbus_shm_account(struct user_struct *user, unsigned long pages);
int vbus_signal_get(s32 fd, struct file **ret_file, struct eventfd_ctx **ret_ctx);

/*
 * Up to VBUS_SIGNALS_MAX eventfds, by index, that may be signalled from any
 * context: vbus_signals_raise() signals at once or, inside another eventfd's
 * wake-up, where eventfd_signal() refuses with a warning, sets the index's
 * pending bit and queues the work, which signals what @get(index) returns,
 * under RCU (NULL: nothing). vbus_signals_cancel() before the eventfds go.
 */
#define VBUS_SIGNALS_MAX	64
struct vbus_signals {
	DECLARE_BITMAP(pending, VBUS_SIGNALS_MAX);
	struct work_struct work;
	struct eventfd_ctx *(*get)(struct vbus_signals *s, unsigned int index);
};
void vbus_signals_init(struct vbus_signals *s,
		       struct eventfd_ctx *(*get)(struct vbus_signals *s, unsigned int index));
void vbus_signals_raise(struct vbus_signals *s, unsigned int index, struct eventfd_ctx *ctx);
void vbus_signals_cancel(struct vbus_signals *s);

/* guest.c */
long vbus_guest_create(struct vbus_member *bm, void __user *argp);
void vbus_guest_event(struct vbus_gh *gh);
/* A guest connection's own counters (doc/abi/guest.md), for genl. */
enum vbus_guest_counter {
	VBUS_GH_BAD_REQUEST,
	VBUS_GH_BAD_KICK,
	VBUS_GH_QUEUE_OVERFLOW,
	VBUS_GH_RESETS,
};
atomic64_t *vbus_guest_counter(struct vbus_gh *gh, enum vbus_guest_counter c);

/* local.c */
int vbus_local_init(void);
void vbus_local_exit(void);
int vbus_local_set(struct vbus_bus *bus, bool on);
void vbus_local_bus_del(struct vbus_bus *bus);
void vbus_local_event(struct vbus_local *local);

#endif /* VBUS_INTERNAL_H */
