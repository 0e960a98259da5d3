// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the guest connector's host side (doc/abi/guest.md). The bus
 * fd's VBUS_IOC_GUEST makes a guest connection (struct vbus_gh): a bus
 * member like a bus fd's, held by an anonymous guest fd, that owns the
 * region a VM guest reaches through one ivshmem-doorbell device. The region
 * is a shmem file whose pages are pinned and vmapped here; its fd goes to
 * vbusd, which hands it to QEMU. Layout: <linux/vbus_guest.h>.
 *
 * Control channel: doorbell 0 queues the work, which serves requests from
 * the request ring (IOQ, the host consumes) and posts the dead handles and
 * the member's events (hot-plug) on the event ring (IOQ, the host
 * produces); at most VBUS_GH_BATCH requests per run, then it queues itself
 * again. Each device the guest opens is a struct vbus_gh_dev, a connection
 * (conn.c) whose handle is its doorbell: the doorbell's wake-up exchanges
 * the handle's kick word with 0 and kicks each queue set in it; a signal of
 * the device appends an entry to its vector's signal queue and writes the
 * vector's interrupt eventfd.
 *
 * Everything in the region is the guest's to write at any time: each value
 * the host uses is read once into a local and bounded, and no offset the
 * guest wrote is followed. The host's own state (sequence numbers, the
 * allocator of device areas, the signal queues' producer indices) lives
 * here, never in the region.
 *
 * Dead handles: a killed connection's DEAD is no member event (the
 * member's queue drops events when full, and a DEAD must not be lost):
 * the kill sets the handle's bit in dead_pending, the work posts a DEAD
 * record for it and moves the bit to dead_posted, and the guest's
 * completion of that record clears it. OPEN skips a handle in dead_posted
 * even after the guest closed it, so a DEAD the guest has not read never
 * names a newer connection; a close before the DEAD was posted drops it
 * (nothing is left to tell).
 *
 * Locking: gh->lock (a mutex, outside vbus_lock) serialises the control
 * channel, the handles, the device areas and dead_posted; gh->sig_lock
 * (irq-safe) the signal queues' appends. dead_pending takes atomic bitops:
 * the kill sets a bit under vbus_lock and the connection's lock (it cannot
 * take gh->lock), the close clears it under the connection's lock too, the
 * work under gh->lock. Doorbell wake-ups take none of these locks: they
 * run under the eventfd's wait-queue lock and read the handles under RCU.
 *
 * Lifetimes: the guest fd's release tears down everything in order (no
 * request served, no doorbell hooked, every device closed, the member off
 * the bus, the work finished), then frees. Each device's connection holds
 * a reference on the member (conn.c). Removing the bus kills the devices'
 * connections and makes the member dead: requests then fail with ENODEV
 * until vbusd closes the guest fd.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/eventfd.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/user.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <uapi/linux/vbus_guest.h>

#include "ioq/ioq.h"
#include "vbus_internal.h"

#define VBUS_GH_CTL_COUNT	8	/* request slots; descriptors per control ring */
#define VBUS_GH_BATCH		64	/* requests served per run of the work */
#define VBUS_GH_SIGQ_SIZE	PAGE_SIZE
#define VBUS_GH_SIGQ_COUNT	rounddown_pow_of_two((VBUS_GH_SIGQ_SIZE - \
						     sizeof(struct vbus_guest_sigq)) / sizeof(u32))

struct vbus_gh;

/* A doorbell: the guest's writes for one vector, an eventfd the host polls. */
struct vbus_gh_bell {
	struct vbus_gh *gh;
	u32 index;
	struct file *file;		/* holds the file the wait entry is on */
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	bool hooked;
};

/* A device the guest opened: a connection, named by its handle. */
struct vbus_gh_dev {
	struct vbus_conn conn;
	struct vbus_gh *gh;
	u32 handle;
	u32 vector;			/* its signal queue and interrupt (sig_lock) */
	unsigned long area;		/* first page of its device area */
	unsigned long pages;		/* 0: none */
	bool closing;			/* the guest closes it: no DEAD event */
	bool dead;			/* no kick reaches the class (RCU) */
	struct rcu_head rcu;
};

/* The guest connection: the guest fd's private data. */
struct vbus_gh {
	struct vbus_member *member;	/* holds a reference */
	struct file *region;
	struct page **pages;
	unsigned long npages;
	void *base;			/* the region, vmapped */
	struct vbus_guest_hdr *hdr;
	struct user_struct *user;	/* charged npages (RLIMIT_MEMLOCK); NULL: none */
	u32 size, vectors;
	u32 req_ring, evt_ring, ring_size, req_buf, evt_buf, sigq, dev_area, dev_size;
	struct vbus_gh_bell bells[VBUS_GUEST_VECTORS_MAX];
	struct eventfd_ctx *irqs[VBUS_GUEST_VECTORS_MAX];
	struct work_struct work;
	struct vbus_signals irq;	/* by vector: irqs */
	DECLARE_BITMAP(dead_pending, VBUS_GUEST_VECTORS_MAX);	/* DEAD to post (atomic) */

	struct mutex lock;		/* below, up to sig_lock */
	bool dead;			/* the guest fd is going */
	bool ctl_ok;			/* reqq and evtq attached to the rings */
	struct ioq reqq, evtq;
	u32 evt_busy;			/* event records in flight, by bit */
	u8 evt_dead[VBUS_GH_CTL_COUNT];	/* by record: the handle of its DEAD, or 0 */
	DECLARE_BITMAP(dead_posted, VBUS_GUEST_VECTORS_MAX);	/* DEAD not completed */
	u32 generation;
	struct vbus_gh_dev __rcu *devs[VBUS_GUEST_VECTORS_MAX];	/* by handle */
	u8 *data;			/* a request's data: VBUS_GUEST_DATA_MAX bytes */
	unsigned long *area_map;	/* device area pages in use */

	spinlock_t sig_lock;		/* the signal queues */
	u32 sig_prod[VBUS_GUEST_VECTORS_MAX];
	u32 sig_overflow[VBUS_GUEST_VECTORS_MAX];

	atomic64_t bad_request;		/* requests refused unread, broken rings */
	atomic64_t bad_kick;		/* kick bits beyond the queues */
	atomic64_t queue_overflow;	/* signal queue entries dropped */
	atomic64_t resets;
};

static struct vbus_gh_dev *to_gh_dev(struct vbus_conn *conn)
{
	return container_of(conn, struct vbus_gh_dev, conn);
}

/* Any context, a doorbell's wake-up among them (vbus_signals_raise()). */
static void vbus_gh_irq(struct vbus_gh *gh, u32 vector)
{
	atomic64_inc(&gh->member->stats.qinject);
	vbus_signals_raise(&gh->irq, vector, gh->irqs[vector]);
}

/* Set before the guest runs, put after vbus_signals_cancel(). */
static struct eventfd_ctx *vbus_gh_irq_ctx(struct vbus_signals *s, unsigned int vector)
{
	return container_of(s, struct vbus_gh, irq)->irqs[vector];
}

static struct vbus_guest_sigq *vbus_gh_sigq(struct vbus_gh *gh, u32 vector)
{
	return gh->base + gh->sigq + vector * VBUS_GH_SIGQ_SIZE;
}

/* The devices' connections (struct vbus_conn_ops) */

/*
 * Under vbus_lock and conn->lock: kicks in flight finish first; the guest
 * hears of it (the work posts the DEAD) unless it is closing the handle.
 */
static void vbus_gh_conn_kill(struct vbus_conn *conn)
{
	struct vbus_gh_dev *gd = to_gh_dev(conn);

	WRITE_ONCE(gd->dead, true);
	synchronize_rcu_expedited();
	if (gd->closing)
		return;
	set_bit(gd->handle, gd->gh->dead_pending);
	/* The bit before the work that reads it. */
	vbus_guest_event(gd->gh);
}

static bool vbus_gh_conn_has_signal(struct vbus_conn *conn, u32 queue)
{
	return true;
}

/*
 * Any context. The entry goes to the device's vector's queue; a full queue
 * (or one whose consumer index lies) counts an overflow instead. The guest
 * is interrupted unless it cleared want_irq, and always on an overflow.
 */
static void vbus_gh_conn_signal(struct vbus_conn *conn, u32 queue)
{
	struct vbus_gh_dev *gd = to_gh_dev(conn);
	struct vbus_gh *gh = gd->gh;
	struct vbus_guest_sigq *sq;
	u32 count = VBUS_GH_SIGQ_COUNT, prod, vector;
	unsigned long flags;
	bool irq;

	spin_lock_irqsave(&gh->sig_lock, flags);
	vector = gd->vector;
	sq = vbus_gh_sigq(gh, vector);
	prod = gh->sig_prod[vector];
	if (prod - READ_ONCE(sq->cons) >= count) {
		WRITE_ONCE(sq->overflow, ++gh->sig_overflow[vector]);
		atomic64_inc(&gh->queue_overflow);
		irq = true;
	} else {
		WRITE_ONCE(sq->entry[prod & (count - 1)], VBUS_GUEST_SIG_ENTRY(gd->handle, queue));
		/* The entry before the index that publishes it. */
		smp_store_release(&sq->prod, ++prod);
		gh->sig_prod[vector] = prod;
		/* The index before want_irq (the guest: want_irq before cons). */
		smp_mb();
		irq = READ_ONCE(sq->want_irq);
	}
	spin_unlock_irqrestore(&gh->sig_lock, flags);
	if (irq)
		vbus_gh_irq(gh, vector);
}

/* After the class disconnected; readers of devs[] may still hold it. */
static void vbus_gh_conn_release(struct vbus_conn *conn)
{
	kfree_rcu(to_gh_dev(conn), rcu);
}

static const struct vbus_conn_ops vbus_gh_conn_ops = {
	.kill		= vbus_gh_conn_kill,
	.has_signal	= vbus_gh_conn_has_signal,
	.signal		= vbus_gh_conn_signal,
	.release	= vbus_gh_conn_release,
};

/* Doorbells */

/* Doorbell h > 0: the queues set in the handle's kick word. Atomic context. */
static void vbus_gh_kick(struct vbus_gh *gh, u32 h)
{
	const u64 queues = GENMASK_ULL(VBUS_QUEUES_MAX - 1, 0);
	struct vbus_gh_dev *gd;
	u64 bits;
	u32 q;

	rcu_read_lock();
	gd = rcu_dereference(gh->devs[h]);
	if (!gd || READ_ONCE(gd->dead)) {
		atomic64_inc(&gh->member->stats.notify);
		goto out;
	}
	bits = xchg(&gh->hdr->kick[h], 0);
	if (bits & ~queues)
		atomic64_inc(&gh->bad_kick);
	bits &= queues;
	if (!bits)
		atomic64_inc(&gh->member->stats.notify);
	for_each_set_bit(q, (unsigned long *)&bits, VBUS_QUEUES_MAX)
		vbus_conn_kick(&gd->conn, q);
out:
	rcu_read_unlock();
}

/* Runs under the doorbell eventfd's wait-queue lock, in any context. */
static int vbus_gh_bell_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct vbus_gh_bell *b = container_of(wait, struct vbus_gh_bell, wait);
	u64 cnt;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* Consume the count so that the eventfd never fills (as irqfd does). */
	eventfd_ctx_do_read(b->ctx, &cnt);
	if (b->index)
		vbus_gh_kick(b->gh, b->index);
	else
		queue_work(system_unbound_wq, &b->gh->work);
	return 0;
}

static void vbus_gh_bell_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct vbus_gh_bell *b = container_of(pt, struct vbus_gh_bell, pt);

	add_wait_queue(wqh, &b->wait);
}

/* The control channel, under gh->lock */

/*
 * Close device @h (open): no event, and a DEAD of it not posted yet is
 * dropped (one posted keeps the handle until the guest completes it); its
 * area returns to the allocator.
 */
static void vbus_gh_dev_close_locked(struct vbus_gh *gh, u32 h)
{
	struct vbus_gh_dev *gd = rcu_dereference_protected(gh->devs[h],
							   lockdep_is_held(&gh->lock));

	RCU_INIT_POINTER(gh->devs[h], NULL);
	if (gd->pages)
		bitmap_clear(gh->area_map, gd->area, gd->pages);
	/* Under the connection's lock as kill reads and sets them: no DEAD for a close. */
	mutex_lock(&gd->conn.lock);
	gd->closing = true;
	clear_bit(h, gh->dead_pending);
	mutex_unlock(&gd->conn.lock);
	vbus_conn_close(&gd->conn);
}

/* Every device closed: no DEAD is left to tell, none posted is waited for. */
static void vbus_gh_close_all_locked(struct vbus_gh *gh)
{
	u32 h;

	for (h = 1; h < gh->vectors; h++) {
		if (rcu_access_pointer(gh->devs[h]))
			vbus_gh_dev_close_locked(gh, h);
	}
	bitmap_zero(gh->dead_pending, VBUS_GUEST_VECTORS_MAX);
	bitmap_zero(gh->dead_posted, VBUS_GUEST_VECTORS_MAX);
}

/*
 * Re-format the control part of the region and start generation + 1,
 * reading nothing the guest wrote: every device closed, the rings and the
 * signal queues new, pending events and DEADs dropped (the guest lists the
 * bus).
 */
static void vbus_gh_reset_locked(struct vbus_gh *gh)
{
	struct vbus_guest_hdr *hdr = gh->hdr;
	struct vbus_event ev;
	unsigned long flags;
	u32 v;

	vbus_gh_close_all_locked(gh);
	while (vbus_member_pop(gh->member, &ev))
		;
	if (gh->ctl_ok)
		ioq_cleanup(&gh->evtq);
	gh->ctl_ok = false;
	gh->evt_busy = 0;

	/*
	 * All but the header's first fields: generation must not move (to 0)
	 * before the new layout is there, and magic, version, size and
	 * vectors never change (written again below).
	 */
	BUILD_BUG_ON(offsetof(struct vbus_guest_hdr, generation) >=
		     offsetof(struct vbus_guest_hdr, ctl_count));
	memset(gh->base + offsetof(struct vbus_guest_hdr, ctl_count), 0,
	       gh->dev_area - offsetof(struct vbus_guest_hdr, ctl_count));
	spin_lock_irqsave(&gh->sig_lock, flags);
	for (v = 0; v < gh->vectors; v++) {
		struct vbus_guest_sigq *sq = vbus_gh_sigq(gh, v);

		sq->count = VBUS_GH_SIGQ_COUNT;
		sq->want_irq = 1;
		gh->sig_prod[v] = 0;
		gh->sig_overflow[v] = 0;
	}
	spin_unlock_irqrestore(&gh->sig_lock, flags);

	WRITE_ONCE(hdr->version, VBUS_GUEST_VERSION);
	WRITE_ONCE(hdr->size, gh->size);
	WRITE_ONCE(hdr->vectors, gh->vectors);
	hdr->ctl_count = VBUS_GH_CTL_COUNT;
	hdr->req_ring = gh->req_ring;
	hdr->evt_ring = gh->evt_ring;
	hdr->ring_size = gh->ring_size;
	hdr->req_buf = gh->req_buf;
	hdr->evt_buf = gh->evt_buf;
	hdr->sigq = gh->sigq;
	hdr->sigq_size = VBUS_GH_SIGQ_SIZE;
	hdr->dev_area = gh->dev_area;
	hdr->dev_size = gh->dev_size;
	strscpy(hdr->bus, gh->member->bus->name, sizeof(hdr->bus));

	if (!ioq_ring_format(gh->base + gh->req_ring, gh->ring_size, VBUS_GH_CTL_COUNT) &&
	    !ioq_ring_format(gh->base + gh->evt_ring, gh->ring_size, VBUS_GH_CTL_COUNT) &&
	    !ioq_init(&gh->reqq, IOQ_CONSUMER, gh->base + gh->req_ring, gh->ring_size,
		      gh->base + gh->req_buf, VBUS_GH_CTL_COUNT * VBUS_GUEST_CTL_BUF)) {
		if (!ioq_init(&gh->evtq, IOQ_PRODUCER, gh->base + gh->evt_ring, gh->ring_size,
			      gh->base + gh->evt_buf,
			      VBUS_GH_CTL_COUNT * sizeof(struct vbus_guest_event))) {
			gh->ctl_ok = true;
			/* Doorbell 0 for every request. */
			ioq_arm(&gh->reqq);
		}
	}
	gh->generation++;
	atomic64_inc(&gh->resets);
	/* The layout before the generation and the magic that announce it. */
	smp_wmb();
	WRITE_ONCE(hdr->generation, gh->generation);
	WRITE_ONCE(hdr->magic, VBUS_GUEST_MAGIC);
	vbus_gh_irq(gh, 0);
}

/* The guest's completions of event records: each frees its record, a DEAD's its handle. */
static int vbus_gh_reap_events(struct vbus_gh *gh)
{
	void *cookie;
	u32 len, i;
	int ret;

	while ((ret = ioq_reap(&gh->evtq, &cookie, &len)) > 0) {
		i = (uintptr_t)cookie - 1;
		gh->evt_busy &= ~BIT(i);
		if (gh->evt_dead[i])
			__clear_bit(gh->evt_dead[i], gh->dead_posted);
	}
	return ret;
}

static long vbus_gh_list(struct vbus_gh *gh, void *buf, u32 size, u64 *result)
{
	struct vbus_dev_info *infos = buf;
	struct vbus_member *m = gh->member;
	struct vbus_link *link;
	unsigned long id;
	u32 n = 0, total = 0;
	long ret = 0;

	mutex_lock(&vbus_lock);
	if (m->dead) {
		ret = -ENODEV;
	} else {
		xa_for_each(&m->bus->links, id, link) {
			if ((n + 1) * sizeof(*infos) <= size) {
				memset(&infos[n], 0, sizeof(infos[n]));
				infos[n].id = link->id;
				strscpy(infos[n].type, link->dev->class->type,
					sizeof(infos[n].type));
				n++;
			}
			total++;
		}
	}
	mutex_unlock(&vbus_lock);
	*result = total;
	if (ret)
		return ret;
	return n < total ? -EMSGSIZE : n * sizeof(*infos);
}

static long vbus_gh_open(struct vbus_gh *gh, u64 id, u64 *result)
{
	struct vbus_gh_dev *gd;
	unsigned long flags;
	u32 h, prio;
	int ret;

	BUILD_BUG_ON(VBUS_DEVICE_PRIORITY_MAX != VBUS_GUEST_VECTORS_MAX);
	if (id > U32_MAX)
		return -ENOENT;
	/* A DEAD the guest completed before it asked frees its handle. */
	if (!bitmap_empty(gh->dead_posted, VBUS_GUEST_VECTORS_MAX))
		vbus_gh_reap_events(gh);
	/* The lowest handle that is free and named by no DEAD the guest may still read. */
	for (h = 1; h < gh->vectors; h++) {
		if (!rcu_access_pointer(gh->devs[h]) && !test_bit(h, gh->dead_posted))
			break;
	}
	if (h == gh->vectors)
		return -ENOSPC;
	gd = kzalloc(sizeof(*gd), GFP_KERNEL_ACCOUNT);
	if (!gd)
		return -ENOMEM;
	vbus_conn_init(&gd->conn, &vbus_gh_conn_ops);
	gd->gh = gh;
	gd->handle = h;
	gd->vector = VBUS_DEVICE_PRIORITY_DEFAULT;
	ret = vbus_conn_connect(&gd->conn, gh->member, id);
	if (ret) {
		kfree(gd);
		return ret;
	}
	/*
	 * The device's priority as it is now, bounded by this guest's vectors
	 * (a device may be on buses whose guests have fewer vectors than others).
	 */
	prio = min(READ_ONCE(gd->conn.link->dev->priority), gh->vectors - 1);
	spin_lock_irqsave(&gh->sig_lock, flags);
	gd->vector = prio;
	spin_unlock_irqrestore(&gh->sig_lock, flags);
	/* A kick word left from an earlier device of this handle is not its. */
	WRITE_ONCE(gh->hdr->kick[h], 0);
	rcu_assign_pointer(gh->devs[h], gd);
	*result = h;
	return 0;
}

static struct vbus_gh_dev *vbus_gh_dev_get(struct vbus_gh *gh, u32 h)
{
	if (!h || h >= gh->vectors)
		return NULL;
	return rcu_dereference_protected(gh->devs[h], lockdep_is_held(&gh->lock));
}

static long vbus_gh_shm(struct vbus_gh *gh, u32 h, u64 size, u64 *result)
{
	struct vbus_gh_dev *gd = vbus_gh_dev_get(gh, h);
	unsigned long pages, start, dev_pages = gh->dev_size >> PAGE_SHIFT;
	void *shm;
	int ret;

	if (!gd)
		return -EBADF;
	if (!size || size > gh->dev_size || size > VBUS_SHM_MAX)
		return -EINVAL;
	if (gd->pages)
		return -EBUSY;
	pages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	start = bitmap_find_next_zero_area(gh->area_map, dev_pages, 0, pages, 0);
	if (start >= dev_pages)
		return -ENOMEM;
	shm = gh->base + gh->dev_area + (start << PAGE_SHIFT);
	/* Zeroed as a device fd's memory is; whatever the guest writes after is its. */
	memset(shm, 0, pages << PAGE_SHIFT);
	mutex_lock(&gd->conn.lock);
	ret = vbus_conn_set_shm_locked(&gd->conn, shm, pages << PAGE_SHIFT);
	mutex_unlock(&gd->conn.lock);
	if (ret)
		return ret;
	bitmap_set(gh->area_map, start, pages);
	gd->area = start;
	gd->pages = pages;
	*result = gh->dev_area + (start << PAGE_SHIFT);
	return 0;
}

/* One request, copied once from its slot; the answer written back. Returns the bytes written. */
static u32 vbus_gh_serve(struct vbus_gh *gh, struct ioq_elem *e, bool *reset)
{
	struct vbus_guest_req *slot = e->sg[0].addr;
	u32 room = min_t(u32, e->sg[0].len, VBUS_GUEST_CTL_BUF);
	struct vbus_guest_req req;
	u8 *buf = gh->data;
	u64 result = 0;
	long ret;

	atomic64_inc(&gh->member->stats.bridgecalls);
	if (e->ndesc != 1 || !(e->sg[0].flags & IOQ_DESC_F_WRITE) || room < sizeof(req) ||
	    !IS_ALIGNED((unsigned long)slot, sizeof(u64))) {
		atomic64_inc(&gh->bad_request);
		return 0;
	}
	memcpy(&req, slot, sizeof(req));
	room -= sizeof(req);

	switch (req.op) {
	case VBUS_GUEST_OP_RESET:
		*reset = true;
		return 0;
	case VBUS_GUEST_OP_LIST:
		ret = req.size > room ? -EINVAL : vbus_gh_list(gh, buf, req.size, &result);
		break;
	case VBUS_GUEST_OP_OPEN:
		ret = vbus_gh_open(gh, req.arg, &result);
		break;
	case VBUS_GUEST_OP_SHM:
		ret = vbus_gh_shm(gh, req.handle, req.arg, &result);
		break;
	case VBUS_GUEST_OP_CALL:
		if (!vbus_gh_dev_get(gh, req.handle)) {
			ret = -EBADF;
			break;
		}
		if (req.len > req.size || req.size > room) {
			ret = -EINVAL;
			break;
		}
		memcpy(buf, slot->data, req.len);
		ret = vbus_conn_call(&vbus_gh_dev_get(gh, req.handle)->conn, req.func, buf,
				     req.len, req.size);
		if (ret >= 0)
			result = ret;
		break;
	case VBUS_GUEST_OP_CLOSE:
		ret = -EBADF;
		if (vbus_gh_dev_get(gh, req.handle)) {
			vbus_gh_dev_close_locked(gh, req.handle);
			ret = 0;
		}
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	if (ret > 0)
		memcpy(slot->data, buf, ret);
	WRITE_ONCE(slot->result, result);
	WRITE_ONCE(slot->status, ret < 0 ? ret : 0);
	return sizeof(req) + (ret > 0 ? ret : 0);
}

static bool vbus_gh_evt_room(struct vbus_gh *gh)
{
	return ioq_free_slots(&gh->evtq) && gh->evt_busy != BIT(VBUS_GH_CTL_COUNT) - 1;
}

/* @rec in a free event record, posted; @dead: the handle of a DEAD, or 0. */
static int vbus_gh_post_rec(struct vbus_gh *gh, const struct vbus_guest_event *rec, u32 dead)
{
	struct vbus_guest_event *recs = gh->base + gh->evt_buf;
	struct ioq_buf b = { .len = sizeof(*rec) };
	u32 i = ffz(gh->evt_busy);
	int ret;

	memcpy(&recs[i], rec, sizeof(*rec));
	b.offset = i * sizeof(*rec);
	ret = ioq_post(&gh->evtq, &b, 1, (void *)(uintptr_t)(i + 1), 0);
	if (ret)
		return ret;
	gh->evt_busy |= BIT(i);
	gh->evt_dead[i] = dead;
	return 0;
}

/* The pending DEADs, as far as the ring has room. Returns whether one was posted. */
static bool vbus_gh_post_dead(struct vbus_gh *gh)
{
	bool posted = false;
	u32 h;

	for_each_set_bit(h, gh->dead_pending, gh->vectors) {
		struct vbus_guest_event rec = { .event = VBUS_GUEST_EVT_DEAD, .handle = h };

		if (!vbus_gh_evt_room(gh) || vbus_gh_post_rec(gh, &rec, h))
			break;
		/* The handle is not reused until the guest completed the record. */
		__set_bit(h, gh->dead_posted);
		clear_bit(h, gh->dead_pending);
		atomic64_inc(&gh->member->stats.events);
		posted = true;
	}
	return posted;
}

/*
 * Post the dead handles, then what the member queued, on the event ring as
 * far as it has room. Returns whether to run again.
 */
static bool vbus_gh_post_events(struct vbus_gh *gh)
{
	struct vbus_event ev;
	bool posted;

	if (vbus_gh_reap_events(gh) < 0)
		return false;
	/* A connection dies before the DEL of its device is queued: its DEAD first. */
	posted = vbus_gh_post_dead(gh);
	while (vbus_gh_evt_room(gh) && vbus_member_pop(gh->member, &ev)) {
		struct vbus_guest_event rec = { .id = ev.id };

		switch (ev.event) {
		case VBUS_EVENT_DEVICE_ADD:
			rec.event = VBUS_GUEST_EVT_ADD;
			strscpy(rec.type, ev.type, sizeof(rec.type));
			break;
		case VBUS_EVENT_DEVICE_DEL:
			rec.event = VBUS_GUEST_EVT_DEL;
			break;
		case VBUS_EVENT_OVERFLOW:
			rec.event = VBUS_GUEST_EVT_OVERFLOW;
			break;
		default:	/* the bus is gone: its devices' DEL came first */
			continue;
		}
		if (vbus_gh_post_rec(gh, &rec, 0))
			break;
		posted = true;
	}
	if (posted && ioq_kick(&gh->evtq))
		vbus_gh_irq(gh, 0);
	/* Events wait for room: doorbell 0 when the guest completes one. */
	return (READ_ONCE(gh->member->count) ||
		!bitmap_empty(gh->dead_pending, VBUS_GUEST_VECTORS_MAX)) &&
	       !ioq_arm_reap(&gh->evtq, 1);
}

/* The control channel's work: a reset asked for, requests, events. */
static void vbus_gh_work(struct work_struct *work)
{
	struct vbus_gh *gh = container_of(work, struct vbus_gh, work);
	unsigned int n = 0;
	bool again = false, reset = false;
	struct ioq_elem e;
	int ret = 0;
	u32 len;

	mutex_lock(&gh->lock);
	if (gh->dead)
		goto out;
	if (xchg(&gh->hdr->reset, 0))
		vbus_gh_reset_locked(gh);
	if (!gh->ctl_ok)
		goto out;
	while (n < VBUS_GH_BATCH) {
		ret = ioq_consume(&gh->reqq, &e);
		if (ret <= 0)
			break;
		n++;
		len = vbus_gh_serve(gh, &e, &reset);
		if (reset)
			break;
		ioq_complete(&gh->reqq, e.id, e.ndesc, len);
	}
	if (reset) {
		vbus_gh_reset_locked(gh);
		again = true;
	} else if (ret < 0) {
		/* Broken until a reset: each doorbell on it counts. */
		atomic64_inc(&gh->bad_request);
	} else {
		if (n && ioq_notify(&gh->reqq))
			vbus_gh_irq(gh, 0);
		again = n == VBUS_GH_BATCH || !ioq_arm(&gh->reqq);
	}
	if (gh->ctl_ok && !ioq_error(&gh->evtq))
		again |= vbus_gh_post_events(gh);
out:
	mutex_unlock(&gh->lock);
	if (again)
		queue_work(system_unbound_wq, &gh->work);
}

/* The guest fd */

static void vbus_gh_unhook(struct vbus_gh *gh)
{
	u32 i;
	u64 cnt;

	for (i = 0; i < gh->vectors; i++) {
		if (gh->bells[i].hooked)
			eventfd_ctx_remove_wait_queue(gh->bells[i].ctx, &gh->bells[i].wait, &cnt);
		gh->bells[i].hooked = false;
	}
}

/*
 * Frees what vbus_gh_create() set up, however far it got; off the bus
 * already, its devices closed: nothing interrupts the guest any more.
 */
static void vbus_gh_free(struct vbus_gh *gh)
{
	unsigned long i;

	vbus_signals_cancel(&gh->irq);
	if (gh->ctl_ok)
		ioq_cleanup(&gh->evtq);
	if (gh->base)
		vunmap(gh->base);
	for (i = 0; gh->pages && i < gh->npages && gh->pages[i]; i++)
		put_page(gh->pages[i]);
	kvfree(gh->pages);
	if (gh->region)
		fput(gh->region);
	if (gh->user) {
		atomic_long_sub(gh->npages, &gh->user->locked_vm);
		free_uid(gh->user);
	}
	for (i = 0; i < VBUS_GUEST_VECTORS_MAX; i++) {
		if (gh->bells[i].ctx)
			eventfd_ctx_put(gh->bells[i].ctx);
		if (gh->bells[i].file)
			fput(gh->bells[i].file);
		if (gh->irqs[i])
			eventfd_ctx_put(gh->irqs[i]);
	}
	bitmap_free(gh->area_map);
	kfree(gh->data);
	if (gh->member)
		vbus_member_unref(gh->member);
	kvfree(gh);
}

static int vbus_gh_file_release(struct inode *inode, struct file *file)
{
	struct vbus_gh *gh = file->private_data;
	struct vbus_member *m = gh->member;

	mutex_lock(&gh->lock);
	gh->dead = true;
	mutex_unlock(&gh->lock);
	vbus_gh_unhook(gh);
	mutex_lock(&gh->lock);
	vbus_gh_close_all_locked(gh);
	mutex_unlock(&gh->lock);

	mutex_lock(&vbus_lock);
	vbus_member_del_locked(m);
	vbus_sysfs_member_del(m->bus, m->pid);
	if (m->bus->guest == gh)
		m->bus->guest = NULL;
	mutex_unlock(&vbus_lock);
	cancel_work_sync(&gh->work);
	vbus_gh_free(gh);
	return 0;
}

static void vbus_gh_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vbus_gh *gh = file->private_data;
	u32 vec[VBUS_GUEST_VECTORS_MAX];
	struct vbus_gh_dev *gd;
	u32 h, open = 0;

	rcu_read_lock();
	for (h = 1; h < gh->vectors; h++) {
		gd = rcu_dereference(gh->devs[h]);
		vec[h] = gd ? READ_ONCE(gd->vector) : U32_MAX;
		open += !!gd;
	}
	rcu_read_unlock();
	seq_printf(m, "vbus-bus:\t%s\n", gh->member->bus->name);
	seq_printf(m, "vbus-guest-size:\t%u\n", gh->size);
	seq_printf(m, "vbus-guest-vectors:\t%u\n", gh->vectors);
	seq_printf(m, "vbus-guest-generation:\t%u\n", READ_ONCE(gh->generation));
	seq_printf(m, "vbus-guest-open:\t%u\n", open);
	seq_printf(m, "vbus-guest-resets:\t%lld\n", atomic64_read(&gh->resets));
	seq_printf(m, "vbus-guest-bad-request:\t%lld\n", atomic64_read(&gh->bad_request));
	seq_printf(m, "vbus-guest-bad-kick:\t%lld\n", atomic64_read(&gh->bad_kick));
	seq_printf(m, "vbus-guest-queue-overflow:\t%lld\n", atomic64_read(&gh->queue_overflow));
	for (h = 1; h < gh->vectors; h++) {
		if (vec[h] != U32_MAX)
			seq_printf(m, "vbus-guest-handle-%u-vector:\t%u\n", h, vec[h]);
	}
}

static const struct file_operations vbus_gh_fops = {
	.owner		= THIS_MODULE,
	.release	= vbus_gh_file_release,
	.show_fdinfo	= vbus_gh_show_fdinfo,
	.llseek		= noop_llseek,
};

/* Caller holds vbus_lock, @gh's member on its bus: @gh lives. */
atomic64_t *vbus_guest_counter(struct vbus_gh *gh, enum vbus_guest_counter c)
{
	switch (c) {
	case VBUS_GH_BAD_REQUEST:
		return &gh->bad_request;
	case VBUS_GH_BAD_KICK:
		return &gh->bad_kick;
	case VBUS_GH_QUEUE_OVERFLOW:
		return &gh->queue_overflow;
	default:
		return &gh->resets;
	}
}

/* The member's events and the dead handles: the work posts them. Caller holds vbus_lock. */
void vbus_guest_event(struct vbus_gh *gh)
{
	queue_work(system_unbound_wq, &gh->work);
}

/* Creation */

/* The host's layout for @size bytes and @vectors: -EINVAL when it leaves no device page. */
static int vbus_gh_layout(struct vbus_gh *gh)
{
	u32 off = PAGE_SIZE;

	gh->ring_size = PAGE_ALIGN(IOQ_RING_SIZE(VBUS_GH_CTL_COUNT));
	gh->req_ring = off;
	off += gh->ring_size;
	gh->evt_ring = off;
	off += gh->ring_size;
	gh->req_buf = off;
	off += VBUS_GH_CTL_COUNT * VBUS_GUEST_CTL_BUF;
	gh->evt_buf = off;
	off += PAGE_ALIGN(VBUS_GH_CTL_COUNT * sizeof(struct vbus_guest_event));
	gh->sigq = off;
	off += gh->vectors * VBUS_GH_SIGQ_SIZE;
	gh->dev_area = off;
	if (off + PAGE_SIZE > gh->size)
		return -EINVAL;
	gh->dev_size = gh->size - off;
	return 0;
}

/* The region: a shmem file sealed against resize, its pages pinned and vmapped. */
static int vbus_gh_region(struct vbus_gh *gh)
{
	struct address_space *mapping;
	unsigned long i;
	struct page *page;
	int ret;

	gh->npages = gh->size >> PAGE_SHIFT;
	if (!capable(CAP_IPC_LOCK)) {
		gh->user = get_uid(current_user());
		ret = vbus_shm_account(gh->user, gh->npages);
		if (ret) {
			free_uid(gh->user);
			gh->user = NULL;
			return ret;
		}
	}
	gh->region = shmem_file_setup("vbus-guest", gh->size, VM_NORESERVE);
	if (IS_ERR(gh->region)) {
		ret = PTR_ERR(gh->region);
		gh->region = NULL;
		return ret;
	}
	SHMEM_I(file_inode(gh->region))->seals |= F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;
	mapping = gh->region->f_mapping;
	mapping_set_unevictable(mapping);
	gh->pages = kvcalloc(gh->npages, sizeof(*gh->pages), GFP_KERNEL);
	if (!gh->pages)
		return -ENOMEM;
	/* Charged to the caller's memory cgroup as they are allocated. */
	for (i = 0; i < gh->npages; i++) {
		page = shmem_read_mapping_page_gfp(mapping, i, GFP_KERNEL | __GFP_NOWARN);
		if (IS_ERR(page))
			return PTR_ERR(page);
		gh->pages[i] = page;
	}
	gh->base = vmap(gh->pages, gh->npages, VM_MAP, PAGE_KERNEL);
	if (!gh->base)
		return -ENOMEM;
	gh->hdr = gh->base;
	return 0;
}

/*
 * The member's pid: the guest's process (@nr in the caller's pid namespace,
 * a live process, else -ESRCH) or, for 0, the caller.
 */
static int vbus_gh_pid(s32 nr, pid_t *ret)
{
	struct pid *pid;

	if (!nr) {
		*ret = task_tgid_nr(current);
		return 0;
	}
	rcu_read_lock();
	pid = find_vpid(nr);
	*ret = pid && pid_task(pid, PIDTYPE_TGID) ? pid_nr(pid) : 0;
	rcu_read_unlock();
	if (!*ret) {
		pr_err_ratelimited("guest: no process %d\n", nr);
		return -ESRCH;
	}
	return 0;
}

static int vbus_gh_get_fds(struct vbus_gh *gh, const struct vbus_guest *req)
{
	s32 bells[VBUS_GUEST_VECTORS_MAX], irqs[VBUS_GUEST_VECTORS_MAX];
	size_t len = req->vectors * sizeof(s32);
	u32 i;
	int ret;

	if (copy_from_user(bells, u64_to_user_ptr(req->doorbells), len) ||
	    copy_from_user(irqs, u64_to_user_ptr(req->irqs), len))
		return -EFAULT;
	for (i = 0; i < req->vectors; i++) {
		struct vbus_gh_bell *b = &gh->bells[i];

		if (bells[i] < 0 || irqs[i] < 0)
			return -EBADF;
		ret = vbus_signal_get(bells[i], &b->file, &b->ctx);
		if (!ret)
			ret = vbus_signal_get(irqs[i], NULL, &gh->irqs[i]);
		if (ret)
			return ret;
		b->gh = gh;
		b->index = i;
		init_waitqueue_func_entry(&b->wait, vbus_gh_bell_wake);
		init_poll_funcptr(&b->pt, vbus_gh_bell_queue_proc);
	}
	return 0;
}

/* Caller holds vbus_lock: @gh's member joins @bm's bus, its only guest. */
static int vbus_gh_join_locked(struct vbus_gh *gh, struct vbus_member *bm)
{
	struct vbus_bus *bus = bm->bus;
	int ret;

	if (bm->dead || bus->dead)
		return -ENODEV;
	if (bus->guest)
		return -EBUSY;
	ret = vbus_sysfs_member_add(bus, gh->member->pid);
	if (ret)
		return ret;
	vbus_member_add_locked(gh->member, bus);
	bus->guest = gh;
	return 0;
}

/* Undo a join that came to nothing. */
static void vbus_gh_leave(struct vbus_gh *gh)
{
	struct vbus_member *m = gh->member;

	mutex_lock(&vbus_lock);
	vbus_member_del_locked(m);
	vbus_sysfs_member_del(m->bus, m->pid);
	m->bus->guest = NULL;
	mutex_unlock(&vbus_lock);
	cancel_work_sync(&gh->work);
}

/* VBUS_IOC_GUEST on bus fd member @bm: the guest fd, or a negative errno. */
long vbus_guest_create(struct vbus_member *bm, void __user *argp)
{
	struct vbus_guest req;
	struct file *file;
	struct vbus_gh *gh;
	int fd, rfd, ret;
	pid_t pid;
	u32 i;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (!req.size)
		req.size = VBUS_GUEST_SIZE_DEFAULT;
	if (req.flags || req.pid < 0 || req.size < VBUS_GUEST_SIZE_MIN ||
	    req.size > VBUS_GUEST_SIZE_MAX || !is_power_of_2(req.size) ||
	    req.vectors < VBUS_GUEST_VECTORS_MIN || req.vectors > VBUS_GUEST_VECTORS_MAX) {
		pr_err_ratelimited("guest: invalid size %llu, vectors %u, pid %d or flags %#x\n",
				   req.size, req.vectors, req.pid, req.flags);
		return -EINVAL;
	}
	ret = vbus_gh_pid(req.pid, &pid);
	if (ret)
		return ret;
	gh = kvzalloc(sizeof(*gh), GFP_KERNEL_ACCOUNT);
	if (!gh)
		return -ENOMEM;
	gh->size = req.size;
	gh->vectors = req.vectors;
	mutex_init(&gh->lock);
	spin_lock_init(&gh->sig_lock);
	INIT_WORK(&gh->work, vbus_gh_work);
	BUILD_BUG_ON(VBUS_GUEST_VECTORS_MAX > VBUS_SIGNALS_MAX);
	vbus_signals_init(&gh->irq, vbus_gh_irq_ctx);
	ret = vbus_gh_layout(gh);
	if (ret) {
		pr_err_ratelimited("guest: %llu bytes cannot hold %u vectors and a device page\n",
				   req.size, req.vectors);
		goto out_free;
	}
	ret = vbus_gh_get_fds(gh, &req);
	if (ret)
		goto out_free;
	ret = -ENOMEM;
	gh->area_map = bitmap_zalloc(gh->dev_size >> PAGE_SHIFT, GFP_KERNEL_ACCOUNT);
	gh->data = kmalloc(VBUS_GUEST_DATA_MAX, GFP_KERNEL_ACCOUNT);
	gh->member = vbus_member_alloc(pid);
	if (!gh->area_map || !gh->data || !gh->member)
		goto out_free;
	gh->member->guest = gh;
	ret = vbus_gh_region(gh);
	if (ret)
		goto out_free;

	mutex_lock(&vbus_lock);
	ret = vbus_gh_join_locked(gh, bm);
	mutex_unlock(&vbus_lock);
	if (ret)
		goto out_free;
	mutex_lock(&gh->lock);
	vbus_gh_reset_locked(gh);
	mutex_unlock(&gh->lock);

	rfd = get_unused_fd_flags(O_CLOEXEC);
	if (rfd < 0) {
		ret = rfd;
		goto out_leave;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_rfd;
	}
	req.region_fd = rfd;
	if (copy_to_user(argp, &req, sizeof(req))) {
		ret = -EFAULT;
		goto out_fd;
	}
	file = anon_inode_getfile("[vbus-guest]", &vbus_gh_fops, gh, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_fd;
	}
	for (i = 0; i < gh->vectors; i++) {
		vfs_poll(gh->bells[i].file, &gh->bells[i].pt);
		gh->bells[i].hooked = true;
	}
	fd_install(rfd, get_file(gh->region));
	fd_install(fd, file);
	/* Doorbells rung before they were hooked. */
	queue_work(system_unbound_wq, &gh->work);
	return fd;

out_fd:
	put_unused_fd(fd);
out_rfd:
	put_unused_fd(rfd);
out_leave:
	mutex_lock(&gh->lock);
	vbus_gh_close_all_locked(gh);
	mutex_unlock(&gh->lock);
	vbus_gh_leave(gh);
out_free:
	vbus_gh_free(gh);
	return ret;
}
