// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the local connector. `instances/<bus>/local` = 1 makes the host
 * kernel a member of the bus (struct vbus_local, with a struct vbus_member
 * that counts in the statistics like a bus fd's) and puts every device of
 * the bus on the driver model (vbus_driver.h) as a struct vbus_proxy_device,
 * where a vbus driver (vbus-enet) binds it. The driver's connection is a
 * struct vbus_conn like a device fd's (conn.c): calls and kicks are direct
 * function calls, signals call the driver's callback, and the shared memory
 * is a kernel allocation of the driver's size.
 *
 * Hot-plug: the member's events (a link added or removed, the bus gone)
 * queue the sync work, which makes the proxy devices follow the bus's
 * links: a new link gets a device, a dead one loses it (the driver's remove
 * closes its connection, which the unlink already killed).
 *
 * Locking: vbus_local_mutex serialises `local` writes (outside vbus_lock);
 * bus->local and the member's place on the bus change under vbus_lock;
 * local->lock (outside vbus_lock) protects the device list and serialises
 * syncs. Devices are registered and unregistered without vbus_lock, since a
 * driver's probe and remove open and close connections, which take it.
 *
 * Lifetimes: `local` = 0 tears down at once; removing the bus detaches the
 * connector under vbus_lock and queues the teardown on vbus_local_wq, which
 * module exit drains. Each proxy device holds a reference on its link; each
 * open connection one on the member (conn.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vbus_driver.h"
#include "vbus_internal.h"

/* The host kernel as a client of one bus. */
struct vbus_local {
	struct vbus_bus *bus;		/* valid while member holds it */
	struct vbus_member *member;	/* holds a reference */
	struct work_struct sync;	/* devices follow the links */
	struct work_struct destroy;	/* the bus went away */
	struct mutex lock;		/* devs, syncs */
	struct list_head devs;		/* vbus_local_dev.entry */
	bool dead;			/* under vbus_lock: remove every device */
};

/* A device of the bus on the driver model. */
struct vbus_local_dev {
	struct vbus_proxy_device pdev;
	struct vbus_link *link;		/* holds a reference */
	struct vbus_member *member;	/* valid while registered */
	struct vbus_local_conn *conn;	/* open: between probe and remove */
	struct list_head entry;		/* vbus_local.devs */
};

/* A driver's connection to its device. */
struct vbus_local_conn {
	struct vbus_conn conn;
	struct vbus_local_dev *ldev;
	vbus_proxy_signal_t signal;
	bool dead;			/* no kick reaches the class (RCU) */
};

static DEFINE_MUTEX(vbus_local_mutex);
static struct workqueue_struct *vbus_local_wq;

static struct vbus_local_dev *to_local_dev(struct vbus_proxy_device *pdev)
{
	return container_of(pdev, struct vbus_local_dev, pdev);
}

static struct vbus_local_conn *to_local_conn(struct vbus_conn *conn)
{
	return container_of(conn, struct vbus_local_conn, conn);
}

/* The connection (struct vbus_conn_ops) */

/*
 * Under vbus_lock and conn->lock: kicks in flight finish first. An expedited
 * grace period, as synchronize_net() takes under the RTNL: a bus's teardown
 * kills one connection per device while every admin operation waits on
 * vbus_lock.
 */
static void vbus_local_conn_kill(struct vbus_conn *conn)
{
	WRITE_ONCE(to_local_conn(conn)->dead, true);
	synchronize_rcu_expedited();
}

static bool vbus_local_conn_has_signal(struct vbus_conn *conn, u32 queue)
{
	return true;
}

static void vbus_local_conn_signal(struct vbus_conn *conn, u32 queue)
{
	struct vbus_local_conn *lc = to_local_conn(conn);

	lc->signal(&lc->ldev->pdev, queue);
}

static void vbus_local_conn_release(struct vbus_conn *conn)
{
	vfree(conn->shm);
	kfree(to_local_conn(conn));
}

static const struct vbus_conn_ops vbus_local_conn_ops = {
	.kill		= vbus_local_conn_kill,
	.has_signal	= vbus_local_conn_has_signal,
	.signal		= vbus_local_conn_signal,
	.release	= vbus_local_conn_release,
};

/* The device (struct vbus_proxy_ops), for its driver */

static int vbus_local_open(struct vbus_proxy_device *pdev, vbus_proxy_signal_t signal)
{
	struct vbus_local_dev *ldev = to_local_dev(pdev);
	struct vbus_local_conn *lc;
	int ret;

	if (!signal)
		return -EINVAL;
	if (ldev->conn)
		return -EBUSY;
	lc = kzalloc(sizeof(*lc), GFP_KERNEL);
	if (!lc)
		return -ENOMEM;
	vbus_conn_init(&lc->conn, &vbus_local_conn_ops);
	lc->ldev = ldev;
	lc->signal = signal;
	/* An open, as VBUS_IOC_OPEN on a bus fd is. */
	atomic64_inc(&ldev->member->stats.bridgecalls);
	ret = vbus_conn_connect_link(&lc->conn, ldev->member, ldev->link);
	if (ret) {
		kfree(lc);
		return ret;
	}
	ldev->conn = lc;
	return 0;
}

static void vbus_local_close(struct vbus_proxy_device *pdev)
{
	struct vbus_local_dev *ldev = to_local_dev(pdev);

	if (!ldev->conn)
		return;
	vbus_conn_close(&ldev->conn->conn);
	ldev->conn = NULL;
}

static long vbus_local_call(struct vbus_proxy_device *pdev, u32 func, void *buf, size_t len,
			    size_t size)
{
	struct vbus_local_dev *ldev = to_local_dev(pdev);

	if (!ldev->conn)
		return -ENOTCONN;
	if (len > size || size > VBUS_CALL_MAX)
		return -EINVAL;
	return vbus_conn_call(&ldev->conn->conn, func, buf, len, size);
}

static int vbus_local_shm(struct vbus_proxy_device *pdev, size_t size, void **ret_addr)
{
	struct vbus_local_dev *ldev = to_local_dev(pdev);
	struct vbus_conn *conn;
	void *shm;
	int ret;

	if (!ldev->conn)
		return -ENOTCONN;
	if (!size || size > VBUS_SHM_MAX)
		return -EINVAL;
	conn = &ldev->conn->conn;
	size = PAGE_ALIGN(size);
	shm = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!shm)
		return -ENOMEM;
	mutex_lock(&conn->lock);
	ret = vbus_conn_set_shm_locked(conn, shm, size);
	mutex_unlock(&conn->lock);
	if (ret) {
		vfree(shm);
		return ret;
	}
	*ret_addr = shm;
	return 0;
}

/* Any context; ignored once the connection died (unlink, bus gone). */
static void vbus_local_kick(struct vbus_proxy_device *pdev, u32 queue)
{
	struct vbus_local_conn *lc = to_local_dev(pdev)->conn;

	if (queue >= VBUS_QUEUES_MAX)
		return;
	rcu_read_lock();
	if (!READ_ONCE(lc->dead))
		vbus_conn_kick(&lc->conn, queue);
	rcu_read_unlock();
}

static void vbus_local_dev_release(struct vbus_proxy_device *pdev)
{
	struct vbus_local_dev *ldev = to_local_dev(pdev);

	kobject_put(&ldev->link->kobj);
	kfree(ldev);
}

static const struct vbus_proxy_ops vbus_local_proxy_ops = {
	.open		= vbus_local_open,
	.close		= vbus_local_close,
	.call		= vbus_local_call,
	.shm		= vbus_local_shm,
	.kick		= vbus_local_kick,
	.release	= vbus_local_dev_release,
};

/* The devices follow the bus */

/* Caller holds vbus_lock. */
static bool vbus_local_has_link(struct vbus_local *local, struct vbus_link *link)
{
	struct vbus_local_dev *ldev;

	list_for_each_entry(ldev, &local->devs, entry) {
		if (ldev->link == link)
			return true;
	}
	return false;
}

/*
 * Caller holds local->lock and vbus_lock: the devices to remove (dead
 * links, or all when the connector is dead) move to @gone, those to add
 * are allocated onto @new. -ENOMEM when one of them could not be.
 */
static int vbus_local_diff_locked(struct vbus_local *local, struct list_head *gone,
				  struct list_head *new)
{
	struct vbus_local_dev *ldev, *tmp;
	struct vbus_link *link;
	unsigned long id;
	int ret = 0;

	list_for_each_entry_safe(ldev, tmp, &local->devs, entry) {
		if (local->dead || ldev->link->dead)
			list_move_tail(&ldev->entry, gone);
	}
	if (local->dead)
		return 0;
	xa_for_each(&local->bus->links, id, link) {
		if (vbus_local_has_link(local, link))
			continue;
		ldev = kzalloc(sizeof(*ldev), GFP_KERNEL);
		if (!ldev) {
			pr_err("bus %s: no memory for device %lu\n", local->bus->name, id);
			ret = -ENOMEM;
			continue;
		}
		kobject_get(&link->kobj);
		ldev->link = link;
		ldev->member = local->member;
		ldev->pdev.ops = &vbus_local_proxy_ops;
		ldev->pdev.id = link->id;
		strscpy(ldev->pdev.type, link->dev->class->type, sizeof(ldev->pdev.type));
		strscpy(ldev->pdev.bus, local->bus->name, sizeof(ldev->pdev.bus));
		list_add_tail(&ldev->entry, new);
	}
	return ret;
}

/*
 * The devices follow the links. Returns 0, or the first error of a link
 * left without its device (a later sync tries it again).
 */
static int vbus_local_sync(struct vbus_local *local)
{
	struct vbus_local_dev *ldev, *tmp;
	LIST_HEAD(gone);
	LIST_HEAD(new);
	int ret, err;

	mutex_lock(&local->lock);
	mutex_lock(&vbus_lock);
	ret = vbus_local_diff_locked(local, &gone, &new);
	mutex_unlock(&vbus_lock);

	list_for_each_entry_safe(ldev, tmp, &gone, entry) {
		list_del(&ldev->entry);
		vbus_proxy_device_unregister(&ldev->pdev);
	}
	list_for_each_entry_safe(ldev, tmp, &new, entry) {
		u32 id = ldev->pdev.id;

		list_del(&ldev->entry);
		err = vbus_proxy_device_register(&ldev->pdev);
		if (err) {
			/* ldev is gone: freed by the release. */
			pr_err("bus %s: device %u on the driver model: error %d\n",
			       local->bus->name, id, err);
			ret = ret ?: err;
			continue;
		}
		list_add_tail(&ldev->entry, &local->devs);
	}
	mutex_unlock(&local->lock);
	return ret;
}

static void vbus_local_sync_work(struct work_struct *work)
{
	vbus_local_sync(container_of(work, struct vbus_local, sync));
}

/* An event of the member: the links changed or the bus went. Caller holds vbus_lock. */
void vbus_local_event(struct vbus_local *local)
{
	queue_work(vbus_local_wq, &local->sync);
}

/* Dead and detached from the bus: remove every device and free. */
static void vbus_local_free(struct vbus_local *local)
{
	cancel_work_sync(&local->sync);
	vbus_local_sync(local);
	vbus_member_unref(local->member);
	kfree(local);
}

static void vbus_local_destroy_work(struct work_struct *work)
{
	vbus_local_free(container_of(work, struct vbus_local, destroy));
}

/* Caller holds vbus_lock: the connector leaves the bus; no event reaches it after. */
static void vbus_local_detach_locked(struct vbus_bus *bus)
{
	struct vbus_local *local = bus->local;

	WRITE_ONCE(bus->local, NULL);
	local->dead = true;
	vbus_member_del_locked(local->member);
	if (!bus->dead)
		vbus_notify_bus(bus, VBUS_CMD_BUS_CHANGE_NTF);
}

/* The bus is being removed. Caller holds vbus_lock. */
void vbus_local_bus_del(struct vbus_bus *bus)
{
	struct vbus_local *local = bus->local;

	if (!local)
		return;
	vbus_local_detach_locked(bus);
	queue_work(vbus_local_wq, &local->destroy);
}

/* Caller holds vbus_lock. */
static int vbus_local_attach_locked(struct vbus_bus *bus, struct vbus_local *local)
{
	struct vbus_link *link;
	unsigned long id;

	if (bus->dead)
		return -ENODEV;
	if (bus->local)
		return -EALREADY;
	/* A device with a client already: the kernel could not drive it. */
	xa_for_each(&bus->links, id, link) {
		if (!list_empty(&link->conns)) {
			pr_err("bus %s: device %s has a client: no local connection\n",
			       bus->name, link->dev->name);
			return -EBUSY;
		}
	}
	local->bus = bus;
	vbus_member_add_locked(local->member, bus);
	WRITE_ONCE(bus->local, local);
	vbus_notify_bus(bus, VBUS_CMD_BUS_CHANGE_NTF);
	return 0;
}

static int vbus_local_off(struct vbus_bus *bus)
{
	struct vbus_local *local;

	mutex_lock(&vbus_lock);
	local = bus->local;
	if (local)
		vbus_local_detach_locked(bus);
	mutex_unlock(&vbus_lock);
	if (local)
		vbus_local_free(local);
	return 0;
}

static int vbus_local_on(struct vbus_bus *bus)
{
	struct vbus_local *local;
	int ret;

	/*
	 * A bus of this name removed just before may still be tearing down its
	 * devices, whose names ("<bus>:<id>") the new ones take.
	 */
	flush_workqueue(vbus_local_wq);
	local = kzalloc(sizeof(*local), GFP_KERNEL);
	if (!local)
		return -ENOMEM;
	local->member = vbus_member_alloc(0);
	if (!local->member) {
		kfree(local);
		return -ENOMEM;
	}
	local->member->local = local;
	mutex_init(&local->lock);
	INIT_LIST_HEAD(&local->devs);
	INIT_WORK(&local->sync, vbus_local_sync_work);
	INIT_WORK(&local->destroy, vbus_local_destroy_work);

	mutex_lock(&vbus_lock);
	ret = vbus_local_attach_locked(bus, local);
	mutex_unlock(&vbus_lock);
	if (ret) {
		vbus_member_unref(local->member);
		kfree(local);
		return ret == -EALREADY ? 0 : ret;
	}
	/*
	 * The devices are there (and probed) when the write returns; if one
	 * could not be, the write fails and leaves the bus as it was.
	 */
	ret = vbus_local_sync(local);
	if (ret)
		vbus_local_off(bus);
	return ret;
}

/* configfs instances/<bus>/local: connect or disconnect the host kernel. */
int vbus_local_set(struct vbus_bus *bus, bool on)
{
	int ret;

	mutex_lock(&vbus_local_mutex);
	ret = on ? vbus_local_on(bus) : vbus_local_off(bus);
	mutex_unlock(&vbus_local_mutex);
	return ret;
}

int vbus_local_init(void)
{
	vbus_local_wq = alloc_workqueue("vbus-local", WQ_UNBOUND, 0);
	return vbus_local_wq ? 0 : -ENOMEM;
}

/* After configfs is gone: no bus, so no connector; the last teardowns run. */
void vbus_local_exit(void)
{
	destroy_workqueue(vbus_local_wq);
}
