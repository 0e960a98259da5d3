// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: a connection, one client's use of one device through a link
 * (struct vbus_conn), whatever kind of client it is. A connector (the
 * userspace device fd, conn_fd.c; the local connector, local.c; the guest
 * connector next) embeds a struct vbus_conn in its own and implements
 * struct vbus_conn_ops; this file does the rest: connect, calls, kicks,
 * the class API of signals and shared memory, and teardown when the
 * client closes, the device is unlinked or the bus removed. A class sees only this file's interface
 * (vbus_class.h) and never learns which kind of client it has.
 *
 * Locking: vbus_lock protects the link's connection list and the dead flag's
 * transition; conn->lock serialises calls, kick_sync, the shared memory's
 * registration and teardown, so a class callback never runs after its
 * disconnect. Kicks and signals from the data path take no lock: the
 * connector's kill operation guarantees that no kick follows it, and a
 * class signals only until its disconnect returns (vbus_class.h).
 *
 * Lifetime: a connection holds a reference on its link and on its member;
 * the connector frees it in its release operation, called once from
 * vbus_conn_close() after the class disconnected.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vbus_internal.h"

void vbus_conn_init(struct vbus_conn *conn, const struct vbus_conn_ops *ops)
{
	conn->ops = ops;
	mutex_init(&conn->lock);
	INIT_LIST_HEAD(&conn->link_entry);
}

/* Caller holds vbus_lock. */
static int vbus_conn_connect_locked(struct vbus_conn *conn, struct vbus_member *m,
				    struct vbus_link *link)
{
	int ret;

	if (m->dead)
		return -ENODEV;
	if (!link || link->dead || link->bus != m->bus)
		return -ENOENT;
	conn->link = link;
	conn->member = m;
	if (link->dev->class->connect) {
		ret = link->dev->class->connect(link->dev, conn);
		if (ret)
			return ret;
	}
	kobject_get(&link->kobj);
	kref_get(&m->ref);
	list_add_tail(&conn->link_entry, &link->conns);
	return 0;
}

/*
 * Connect @conn (initialised, not connected) to device @id of @m's bus. On
 * success the connection is live until vbus_conn_close(); on failure the
 * caller still owns it and frees it itself.
 */
int vbus_conn_connect(struct vbus_conn *conn, struct vbus_member *m, u32 id)
{
	int ret;

	mutex_lock(&vbus_lock);
	ret = vbus_conn_connect_locked(conn, m, m->dead ? NULL : vbus_link_find_id(m->bus, id));
	mutex_unlock(&vbus_lock);
	return ret;
}

/*
 * The same for a link the caller holds a reference on: -ENOENT once it
 * left the bus (its id may name another device by then).
 */
int vbus_conn_connect_link(struct vbus_conn *conn, struct vbus_member *m, struct vbus_link *link)
{
	int ret;

	mutex_lock(&vbus_lock);
	ret = vbus_conn_connect_locked(conn, m, link);
	mutex_unlock(&vbus_lock);
	return ret;
}

/* Caller holds vbus_lock; the connection is still on its link. */
static void vbus_conn_kill_locked(struct vbus_conn *conn)
{
	struct vbus_device *dev = conn->link->dev;

	list_del_init(&conn->link_entry);
	mutex_lock(&conn->lock);
	conn->dead = true;
	conn->ops->kill(conn);
	if (dev->class->disconnect)
		dev->class->disconnect(dev, conn);
	mutex_unlock(&conn->lock);
}

/* The device leaves the bus: its connections die. Caller holds vbus_lock. */
void vbus_link_kill(struct vbus_link *link)
{
	struct vbus_conn *conn, *tmp;

	list_for_each_entry_safe(conn, tmp, &link->conns, link_entry)
		vbus_conn_kill_locked(conn);
}

/* The client is done: disconnect (unless dead already) and free. */
void vbus_conn_close(struct vbus_conn *conn)
{
	struct vbus_member *m = conn->member;
	struct vbus_link *link = conn->link;

	mutex_lock(&vbus_lock);
	if (!conn->dead)
		vbus_conn_kill_locked(conn);
	mutex_unlock(&vbus_lock);
	conn->ops->release(conn);
	kobject_put(&link->kobj);
	vbus_member_unref(m);
}

/*
 * A synchronous call: @len bytes in @buf, room for @size. Returns the
 * output length (at most @size) or a negative errno.
 */
long vbus_conn_call(struct vbus_conn *conn, u32 func, void *buf, size_t len, size_t size)
{
	struct vbus_device *dev = conn->link->dev;
	long ret;

	mutex_lock(&conn->lock);
	if (conn->dead)
		ret = -ENODEV;
	else if (!dev->class->call)
		ret = -EOPNOTSUPP;
	else
		ret = dev->class->call(dev, conn, func, buf, len, size);
	mutex_unlock(&conn->lock);
	atomic64_inc(&conn->member->stats.buscalls);
	return ret > (long)size ? -EIO : ret;
}

/*
 * Register the connection's shared memory, once: @shm stays the
 * connector's, which frees it in its release operation (after the class
 * disconnected). -ENODEV dead, -EBUSY already registered. Caller holds
 * conn->lock.
 */
int vbus_conn_set_shm_locked(struct vbus_conn *conn, void *shm, size_t len)
{
	lockdep_assert_held(&conn->lock);
	if (conn->dead)
		return -ENODEV;
	if (conn->shm)
		return -EBUSY;
	conn->shm_len = len;
	/* Set once, the length first: vbus_fd_mmap() reads it without the lock. */
	smp_store_release(&conn->shm, shm);
	return 0;
}

static void vbus_conn_count_kick(struct vbus_conn *conn)
{
	atomic64_inc(&conn->member->stats.notify);
	atomic64_inc(&conn->member->stats.qnotify);
}

/*
 * The client kicked queue @queue (< VBUS_QUEUES_MAX) from a context that
 * may not sleep: the class's kick callback. The connector guarantees that
 * none comes after its kill operation returned.
 */
void vbus_conn_kick(struct vbus_conn *conn, u32 queue)
{
	const struct vbus_class *class = conn->link->dev->class;

	vbus_conn_count_kick(conn);
	if (class->kick)
		class->kick(conn->link->dev, conn, queue);
}

/*
 * The client kicked queue @queue (< VBUS_QUEUES_MAX) in its own process
 * context: the class's kick_sync callback (else kick) under the
 * connection's lock. -ENODEV when dead.
 */
int vbus_conn_kick_sync(struct vbus_conn *conn, u32 queue)
{
	const struct vbus_class *class = conn->link->dev->class;
	int ret = 0;

	mutex_lock(&conn->lock);
	if (conn->dead) {
		ret = -ENODEV;
	} else {
		vbus_conn_count_kick(conn);
		if (class->kick_sync)
			class->kick_sync(conn->link->dev, conn, queue);
		else if (class->kick)
			class->kick(conn->link->dev, conn, queue);
	}
	mutex_unlock(&conn->lock);
	return ret;
}

/* The class API (vbus_class.h) */

void *vbus_conn_priv(struct vbus_conn *conn)
{
	return conn->priv;
}
EXPORT_SYMBOL_GPL(vbus_conn_priv);

void vbus_conn_set_priv(struct vbus_conn *conn, void *priv)
{
	conn->priv = priv;
}
EXPORT_SYMBOL_GPL(vbus_conn_set_priv);

int vbus_conn_shm(struct vbus_conn *conn, void **ret_addr, size_t *ret_len)
{
	if (!conn->shm)
		return -ENOENT;
	*ret_addr = conn->shm;
	*ret_len = conn->shm_len;
	return 0;
}
EXPORT_SYMBOL_GPL(vbus_conn_shm);

bool vbus_conn_has_signal(struct vbus_conn *conn, u32 queue)
{
	return queue < VBUS_QUEUES_MAX && conn->ops->has_signal(conn, queue);
}
EXPORT_SYMBOL_GPL(vbus_conn_has_signal);

void vbus_conn_signal(struct vbus_conn *conn, u32 queue, bool needed)
{
	atomic64_inc(&conn->member->stats.inject);
	if (!needed || queue >= VBUS_QUEUES_MAX)
		return;
	atomic64_inc(&conn->member->stats.qinject);
	conn->ops->signal(conn, queue);
}
EXPORT_SYMBOL_GPL(vbus_conn_signal);
