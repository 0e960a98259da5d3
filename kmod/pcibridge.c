// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-pcibridge.ko: the guest side of the guest connector
 * (doc/abi/guest.md). It binds an ivshmem-doorbell PCI device (1af4:1110)
 * whose BAR2 starts with VBUS_GUEST_MAGIC, and puts the devices of the bus
 * behind it on the driver model (vbus_driver.h) as struct
 * vbus_proxy_device, where vbus-enet and the other drivers bind them. It
 * needs vbus-ioq and vbus-proxy, never vbus.ko: a guest has none.
 *
 * BAR2 is the shared region (<linux/vbus_guest.h>), mapped write-back with
 * memremap(); BAR0's doorbell register rings the host's doorbells; MSI-X
 * vector v is the host's signal queue v. Probe resets the host's side (out
 * of band: the header's reset word), checks the header's layout against
 * BAR2's length, lists the devices and registers them. A driver's open,
 * shm, call and close are control requests (one at a time, a single
 * request slot) that wait for the completion on vector 0 for at most
 * timeout_ms: a host that does not answer breaks the control channel
 * (-ETIMEDOUT, then -EIO) but cannot hang the guest. A kick is an atomic or
 * into the device's kick word and a doorbell write. Vector v's handler
 * drains signal queue v in one go (at most VBUS_PCIB_SIGQ_BUDGET entries;
 * more, or an overflow, signals every open device on every queue, which
 * drivers take as a spurious wake-up). Control events (ADD, DEL, DEAD) are
 * handled by a work item: DEAD kills a connection, ADD, DEL and OVERFLOW
 * make the devices follow a fresh LIST.
 *
 * The host writes the region and may be hostile: every field is read once
 * into a local and bounded, the layout is read once after the reset and
 * kept in this driver's memory, no offset the host writes later is
 * followed except a SHM result inside the device areas, and every loop is
 * bounded.
 *
 * Locking: dev_lock (devs, the devices' registration; the event work)
 * nests outside ctl_lock (the request slot and the request ring);
 * open_lock protects open[], which interrupt handlers and kicks read under
 * RCU. Devices are registered with dev_lock held: a driver's probe may
 * send requests, never take dev_lock.
 *
 * Lifetimes: remove marks the bridge dying, unregisters every device (the
 * drivers close their connections through the still working channel),
 * waits until each was released (ops->release, at the last reference),
 * then frees the interrupts and cancels the work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <uapi/linux/vbus.h>
#include <uapi/linux/vbus_guest.h>

#include "ioq/ioq.h"
#include "vbus_driver.h"

#define PCI_DEVICE_ID_IVSHMEM	0x1110
#define IVSHMEM_DOORBELL	12	/* BAR0 register */

/* Signal-queue entries one interrupt delivers one by one. */
#define VBUS_PCIB_SIGQ_BUDGET	256

static unsigned int timeout_ms = 5000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "How long a control request waits for the host, in ms (default 5000)");

struct vbus_pcib;

/* An MSI-X vector and its signal queue. */
struct vbus_pcib_vec {
	struct vbus_pcib *b;
	struct vbus_guest_sigq *q;
	u32 v;
	u32 count;		/* entries, a power of two (checked) */
	u32 cons;		/* entries consumed: ours, never read back */
	u32 overflow;		/* the host's overflow count last seen */
	bool irq;		/* requested */
	char name[32];
};

/* A device of the bus on the driver model. */
struct vbus_pcib_dev {
	struct vbus_proxy_device pdev;
	struct vbus_pcib *b;		/* valid while registered */
	vbus_proxy_signal_t signal;
	u32 handle;			/* open: 1..vectors-1; 0 closed */
	bool dead;			/* the host killed the connection (DEAD) */
	bool shm;			/* an area was allocated */
	struct list_head entry;		/* vbus_pcib.devs */
};

struct vbus_pcib {
	struct pci_dev *pci;
	void __iomem *regs;		/* BAR0 */
	void *region;			/* BAR2, write-back */
	u32 size;			/* of BAR2 */
	struct vbus_guest_hdr *hdr;
	char bus[64];
	u32 vectors;
	u32 dev_area, dev_size;		/* checked */
	struct vbus_guest_req *slot;	/* the request slot, at req_buf */
	struct vbus_pcib_vec vec[VBUS_GUEST_VECTORS_MAX];

	struct mutex ctl_lock;		/* req, slot, ctl_broken */
	struct ioq req;			/* control requests: we produce */
	bool req_init;
	int reaped;			/* the request's ioq_reap() result */
	bool ctl_broken;
	wait_queue_head_t ctl_wq;	/* vector 0 wakes it */

	struct ioq evt;			/* control events: the work consumes */
	struct work_struct work;
	bool dying;			/* under dev_lock; READ_ONCE in interrupts */

	spinlock_t open_lock;		/* open[] */
	struct vbus_pcib_dev __rcu *open[VBUS_GUEST_VECTORS_MAX];

	struct mutex dev_lock;		/* devs */
	struct list_head devs;		/* vbus_pcib_dev.entry */
	atomic_t live;			/* devices not yet released */
};

static struct vbus_pcib_dev *to_pcib_dev(struct vbus_proxy_device *pdev)
{
	return container_of(pdev, struct vbus_pcib_dev, pdev);
}

static void vbus_pcib_doorbell(struct vbus_pcib *b, u32 h)
{
	writel(VBUS_GUEST_HOST_PEER << 16 | h, b->regs + IVSHMEM_DOORBELL);
}

/* The control channel */

static bool vbus_pcib_reaped(struct vbus_pcib *b)
{
	void *cookie;
	u32 len;

	b->reaped = ioq_reap(&b->req, &cookie, &len);
	return b->reaped != 0;
}

/*
 * One control request: @len bytes of @in, room for @size in @out (which
 * receives the slot's first @size bytes on success). Returns 0 with the
 * host's result in *@ret_result, the host's errno, -ETIMEDOUT when it did
 * not answer in time, -EIO once the channel is broken, -EPROTO when the
 * host's status is no errno.
 */
static int vbus_pcib_request(struct vbus_pcib *b, u32 op, u32 handle, u32 func, u64 arg,
			     const void *in, u32 len, void *out, u32 size, u64 *ret_result)
{
	struct ioq_buf buf = { .offset = 0, .len = VBUS_GUEST_CTL_BUF, .flags = IOQ_DESC_F_WRITE };
	struct vbus_guest_req *r = b->slot;
	long left;
	s32 status;
	int ret;

	if (len > VBUS_GUEST_DATA_MAX || size > VBUS_GUEST_DATA_MAX)
		return -EMSGSIZE;
	mutex_lock(&b->ctl_lock);
	if (b->ctl_broken) {
		ret = -EIO;
		goto out;
	}
	WRITE_ONCE(r->op, op);
	WRITE_ONCE(r->handle, handle);
	WRITE_ONCE(r->func, func);
	WRITE_ONCE(r->len, len);
	WRITE_ONCE(r->arg, arg);
	WRITE_ONCE(r->size, size);
	WRITE_ONCE(r->status, 0);
	WRITE_ONCE(r->result, 0);
	if (len)
		memcpy(r->data, in, len);
	ret = ioq_post(&b->req, &buf, 1, r, 0);
	if (ret) {
		dev_err(&b->pci->dev, "control ring: %s\n", ioq_error_name(ioq_error(&b->req)));
		b->ctl_broken = true;
		ret = -EIO;
		goto out;
	}
	ioq_kick(&b->req);
	ioq_arm(&b->req);
	/* Control requests are rare: ring whatever the host asked for. */
	vbus_pcib_doorbell(b, 0);
	left = wait_event_timeout(b->ctl_wq, vbus_pcib_reaped(b),
				  msecs_to_jiffies(max(timeout_ms, 1U)));
	if (!left) {
		dev_err(&b->pci->dev, "control request %u: no answer in %u ms\n", op, timeout_ms);
		b->ctl_broken = true;
		ret = -ETIMEDOUT;
		goto out;
	}
	if (b->reaped < 0) {
		dev_err(&b->pci->dev, "control ring: %s\n", ioq_error_name(ioq_error(&b->req)));
		b->ctl_broken = true;
		ret = -EIO;
		goto out;
	}
	status = READ_ONCE(r->status);
	*ret_result = READ_ONCE(r->result);
	if (status < -EHWPOISON || status > 0) {
		dev_warn_ratelimited(&b->pci->dev, "control request %u: status %d\n", op, status);
		ret = -EPROTO;
	} else {
		ret = status;
	}
	if (!ret && size)
		memcpy(out, r->data, size);
out:
	mutex_unlock(&b->ctl_lock);
	return ret;
}

/* The connection (struct vbus_proxy_ops) */

static int vbus_pcib_open(struct vbus_proxy_device *pdev, vbus_proxy_signal_t signal)
{
	struct vbus_pcib_dev *d = to_pcib_dev(pdev);
	struct vbus_pcib *b = d->b;
	u64 h;
	int ret;

	if (!signal)
		return -EINVAL;
	if (d->handle)
		return -EBUSY;
	ret = vbus_pcib_request(b, VBUS_GUEST_OP_OPEN, 0, 0, pdev->id, NULL, 0, NULL, 0, &h);
	if (ret)
		return ret;
	spin_lock(&b->open_lock);
	if (!h || h >= b->vectors || rcu_access_pointer(b->open[h])) {
		spin_unlock(&b->open_lock);
		dev_warn_ratelimited(&b->pci->dev, "device %u: bad handle %llu\n", pdev->id, h);
		return -EPROTO;
	}
	d->signal = signal;
	d->dead = false;
	WRITE_ONCE(d->handle, h);
	rcu_assign_pointer(b->open[h], d);
	spin_unlock(&b->open_lock);
	return 0;
}

static void vbus_pcib_close(struct vbus_proxy_device *pdev)
{
	struct vbus_pcib_dev *d = to_pcib_dev(pdev);
	struct vbus_pcib *b = d->b;
	u32 h = d->handle;
	u64 res;

	if (!h)
		return;
	spin_lock(&b->open_lock);
	if (rcu_access_pointer(b->open[h]) == d)
		RCU_INIT_POINTER(b->open[h], NULL);
	WRITE_ONCE(d->handle, 0);
	spin_unlock(&b->open_lock);
	/* No signal or kick of this handle is in flight after this. */
	synchronize_rcu();
	/* A dead handle too: the host keeps it (and the device area) until this CLOSE. */
	vbus_pcib_request(b, VBUS_GUEST_OP_CLOSE, h, 0, 0, NULL, 0, NULL, 0, &res);
	d->shm = false;
}

/* The handle of an open, live connection, or why there is none. */
static int vbus_pcib_handle(struct vbus_pcib_dev *d)
{
	if (!d->handle)
		return -ENOTCONN;
	if (READ_ONCE(d->dead))
		return -ENODEV;
	return d->handle;
}

static long vbus_pcib_call(struct vbus_proxy_device *pdev, u32 func, void *buf, size_t len,
			   size_t size)
{
	struct vbus_pcib_dev *d = to_pcib_dev(pdev);
	int h = vbus_pcib_handle(d), ret;
	u64 res;

	if (h < 0)
		return h;
	if (len > size)
		return -EINVAL;
	if (size > VBUS_GUEST_DATA_MAX)
		return -EMSGSIZE;
	ret = vbus_pcib_request(d->b, VBUS_GUEST_OP_CALL, h, func, 0, buf, len, buf, size, &res);
	if (ret)
		return ret;
	if (res > size)
		return -EPROTO;
	return res;
}

static int vbus_pcib_shm(struct vbus_proxy_device *pdev, size_t size, void **ret_addr)
{
	struct vbus_pcib_dev *d = to_pcib_dev(pdev);
	struct vbus_pcib *b = d->b;
	int h = vbus_pcib_handle(d), ret;
	u64 off;

	if (h < 0)
		return h;
	size = PAGE_ALIGN(size);
	if (!size || size > b->dev_size)
		return -EINVAL;
	if (d->shm)
		return -EBUSY;
	ret = vbus_pcib_request(b, VBUS_GUEST_OP_SHM, h, 0, size, NULL, 0, NULL, 0, &off);
	if (ret)
		return ret;
	if (off < b->dev_area || !PAGE_ALIGNED(off) ||
	    off - b->dev_area > b->dev_size - size) {
		dev_warn_ratelimited(&b->pci->dev, "device %u: area at %llu\n", pdev->id, off);
		return -EPROTO;
	}
	d->shm = true;
	*ret_addr = b->region + off;
	return 0;
}

/* Any context; ignored when closed or dead. */
static void vbus_pcib_kick(struct vbus_proxy_device *pdev, u32 queue)
{
	struct vbus_pcib_dev *d = to_pcib_dev(pdev);
	struct vbus_pcib *b = d->b;
	u32 h;

	if (queue >= VBUS_QUEUES_MAX)
		return;
	rcu_read_lock();
	h = READ_ONCE(d->handle);
	if (h && !READ_ONCE(d->dead)) {
		atomic64_or(BIT_ULL(queue), (atomic64_t *)&b->hdr->kick[h]);
		vbus_pcib_doorbell(b, h);
	}
	rcu_read_unlock();
}

/* Remove waits for every release: the bridge (and this module) outlive them. */
static void vbus_pcib_dev_release(struct vbus_proxy_device *pdev)
{
	struct vbus_pcib *b = to_pcib_dev(pdev)->b;

	kfree(to_pcib_dev(pdev));
	if (atomic_dec_and_test(&b->live))
		wake_up_var(&b->live);
}

static const struct vbus_proxy_ops vbus_pcib_proxy_ops = {
	.open		= vbus_pcib_open,
	.close		= vbus_pcib_close,
	.call		= vbus_pcib_call,
	.shm		= vbus_pcib_shm,
	.kick		= vbus_pcib_kick,
	.release	= vbus_pcib_dev_release,
};

/* Signals */

/* Under RCU (an interrupt handler). */
static void vbus_pcib_signal(struct vbus_pcib *b, u32 entry)
{
	u32 h = entry >> 16, queue = entry & 0xffff;
	struct vbus_pcib_dev *d;

	if (!h || h >= b->vectors || queue >= VBUS_QUEUES_MAX)
		return;
	d = rcu_dereference(b->open[h]);
	if (d)
		d->signal(&d->pdev, queue);
}

/* Under RCU: an overflow, or more than one interrupt delivers one by one. */
static void vbus_pcib_signal_all(struct vbus_pcib *b)
{
	struct vbus_pcib_dev *d;
	u32 h, queue;

	for (h = 1; h < b->vectors; h++) {
		d = rcu_dereference(b->open[h]);
		for (queue = 0; d && queue < VBUS_QUEUES_MAX; queue++)
			d->signal(&d->pdev, queue);
	}
}

static void vbus_pcib_drain(struct vbus_pcib_vec *vec)
{
	struct vbus_guest_sigq *q = vec->q;
	/* The entries the host wrote before prod. */
	u32 prod = smp_load_acquire(&q->prod);
	u32 overflow = READ_ONCE(q->overflow);
	u32 n = prod - vec->cons, i;

	rcu_read_lock();
	if (overflow != vec->overflow || n > vec->count || n > VBUS_PCIB_SIGQ_BUDGET) {
		vec->overflow = overflow;
		vbus_pcib_signal_all(vec->b);
	} else {
		for (i = 0; i < n; i++)
			vbus_pcib_signal(vec->b, READ_ONCE(q->entry[(vec->cons + i) &
								    (vec->count - 1)]));
	}
	rcu_read_unlock();
	vec->cons = prod;
	/* The entries are read before the host may overwrite them. */
	smp_store_release(&q->cons, prod);
}

static irqreturn_t vbus_pcib_irq(int irq, void *data)
{
	struct vbus_pcib_vec *vec = data;
	struct vbus_pcib *b = vec->b;

	if (!vec->v) {
		wake_up(&b->ctl_wq);
		if (!READ_ONCE(b->dying))
			schedule_work(&b->work);
	}
	vbus_pcib_drain(vec);
	return IRQ_HANDLED;
}

/* The devices follow the bus */

/* Caller holds dev_lock. */
static struct vbus_pcib_dev *vbus_pcib_find(struct vbus_pcib *b, u32 id)
{
	struct vbus_pcib_dev *d;

	list_for_each_entry(d, &b->devs, entry) {
		if (d->pdev.id == id)
			return d;
	}
	return NULL;
}

/* Caller holds dev_lock. */
static void vbus_pcib_del(struct vbus_pcib_dev *d)
{
	list_del(&d->entry);
	vbus_proxy_device_unregister(&d->pdev);
}

/* Caller holds dev_lock. */
static int vbus_pcib_add(struct vbus_pcib *b, u32 id, const char *type)
{
	struct vbus_pcib_dev *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->b = b;
	d->pdev.ops = &vbus_pcib_proxy_ops;
	d->pdev.id = id;
	d->pdev.dev.parent = &b->pci->dev;
	strscpy(d->pdev.type, type, sizeof(d->pdev.type));
	strscpy(d->pdev.bus, b->bus, sizeof(d->pdev.bus));
	atomic_inc(&b->live);
	ret = vbus_proxy_device_register(&d->pdev);
	if (ret) {
		dev_err(&b->pci->dev, "device %u on the driver model: error %d\n", id, ret);
		return ret;	/* freed by the release */
	}
	list_add_tail(&d->entry, &b->devs);
	return 0;
}

/*
 * Caller holds dev_lock: the devices follow a fresh LIST. A device whose id
 * left or whose type changed goes; new ones come. Returns 0 or the LIST's
 * error.
 */
static int vbus_pcib_sync(struct vbus_pcib *b)
{
	const u32 max = VBUS_GUEST_DATA_MAX / sizeof(struct vbus_dev_info);
	struct vbus_pcib_dev *d, *tmp;
	struct vbus_dev_info *info;
	u64 n, i;
	int ret;

	info = kcalloc(max, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	ret = vbus_pcib_request(b, VBUS_GUEST_OP_LIST, 0, 0, 0, NULL, 0, info,
				max * sizeof(*info), &n);
	if (ret)
		goto out;
	if (n > max) {
		dev_warn_ratelimited(&b->pci->dev, "LIST: %llu devices\n", n);
		ret = -EPROTO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* Unusable entries are dropped: no NUL, or a repeated id. */
		if (strnlen(info[i].type, sizeof(info[i].type)) == sizeof(info[i].type))
			info[i].type[0] = '\0';
		info[i].reserved = 0;
	}
	list_for_each_entry_safe(d, tmp, &b->devs, entry) {
		for (i = 0; i < n; i++) {
			if (info[i].id == d->pdev.id && !strcmp(info[i].type, d->pdev.type))
				break;
		}
		if (i == n)
			vbus_pcib_del(d);
		else
			info[i].reserved = 1;	/* kept */
	}
	for (i = 0; i < n; i++) {
		if (info[i].reserved || !info[i].type[0] || vbus_pcib_find(b, info[i].id))
			continue;
		vbus_pcib_add(b, info[i].id, info[i].type);
	}
out:
	kfree(info);
	return ret;
}

/* DEAD: the host killed the handle's connection; the driver's close sends the CLOSE. */
static void vbus_pcib_kill(struct vbus_pcib *b, u32 h)
{
	struct vbus_pcib_dev *d;

	spin_lock(&b->open_lock);
	d = rcu_dereference_protected(b->open[h], lockdep_is_held(&b->open_lock));
	if (d) {
		WRITE_ONCE(d->dead, true);
		RCU_INIT_POINTER(b->open[h], NULL);
	}
	spin_unlock(&b->open_lock);
}

/* Caller holds dev_lock. Returns true when the devices must follow a LIST. */
static bool vbus_pcib_event(struct vbus_pcib *b, const struct vbus_guest_event *ev)
{
	struct vbus_pcib_dev *d;

	switch (ev->event) {
	case VBUS_GUEST_EVT_ADD:
		return true;
	case VBUS_GUEST_EVT_DEL:
		/* Even if the id came back since: its connection is gone. */
		d = vbus_pcib_find(b, ev->id);
		if (d)
			vbus_pcib_del(d);
		return true;
	case VBUS_GUEST_EVT_OVERFLOW:
		return true;
	case VBUS_GUEST_EVT_DEAD:
		if (ev->handle && ev->handle < b->vectors)
			vbus_pcib_kill(b, ev->handle);
		return false;
	default:
		dev_warn_ratelimited(&b->pci->dev, "unknown event %u\n", ev->event);
		return false;
	}
}

static void vbus_pcib_work(struct work_struct *work)
{
	struct vbus_pcib *b = container_of(work, struct vbus_pcib, work);
	struct vbus_guest_event ev;
	struct ioq_elem e;
	bool sync = false;
	u32 n;
	int ret = 0;

	mutex_lock(&b->dev_lock);
	if (b->dying)
		goto out;
	/* At most a ring's worth per run. */
	for (n = 0; n < b->evt.count; n++) {
		ret = ioq_consume(&b->evt, &e);
		if (ret <= 0)
			break;
		if (e.ndesc == 1 && e.sg[0].len >= sizeof(ev)) {
			memcpy(&ev, e.sg[0].addr, sizeof(ev));
			sync |= vbus_pcib_event(b, &ev);
		}
		ioq_complete(&b->evt, e.id, e.ndesc, 0);
	}
	if (ret < 0)
		dev_err_ratelimited(&b->pci->dev, "event ring: %s\n",
				    ioq_error_name(ioq_error(&b->evt)));
	if (n && ioq_notify(&b->evt))
		vbus_pcib_doorbell(b, 0);
	if (ret >= 0 && (n == b->evt.count || !ioq_arm(&b->evt)))
		schedule_work(&b->work);
	if (sync)
		vbus_pcib_sync(b);
out:
	mutex_unlock(&b->dev_lock);
}

/* Probe */

/*
 * Send the out-of-band reset and wait for the host's new generation. The
 * host may clear the header while it resets (generation 0, no magic) and
 * writes the layout, then the generation, then the magic: done when the
 * generation is new and not 0 and the magic is back.
 */
static int vbus_pcib_reset(struct vbus_pcib *b)
{
	unsigned long end = jiffies + msecs_to_jiffies(max(timeout_ms, 1U));
	u32 old = READ_ONCE(b->hdr->generation), gen;

	WRITE_ONCE(b->hdr->reset, 1);
	vbus_pcib_doorbell(b, 0);
	for (;;) {
		/* The layout the host wrote before its generation. */
		gen = smp_load_acquire(&b->hdr->generation);
		if (gen != old && gen && READ_ONCE(b->hdr->magic) == VBUS_GUEST_MAGIC)
			return 0;
		if (time_after(jiffies, end)) {
			dev_err(&b->pci->dev, "reset: no answer in %u ms\n", timeout_ms);
			return -ETIMEDOUT;
		}
		msleep(20);
	}
}

/* A part of the region, outside the header. */
static bool vbus_pcib_in(struct vbus_pcib *b, u32 off, u64 len, u32 align)
{
	return off >= sizeof(struct vbus_guest_hdr) && IS_ALIGNED(off, align) &&
	       len <= b->size && off <= b->size - len;
}

static int vbus_pcib_bad(struct vbus_pcib *b, const char *what, u64 val)
{
	dev_err(&b->pci->dev, "header: bad %s (%llu)\n", what, val);
	return -EINVAL;
}

/* Read the header once, check it against BAR2 and attach to the rings. */
static int vbus_pcib_layout(struct vbus_pcib *b, u32 msix)
{
	struct vbus_guest_hdr *h = b->hdr;
	u32 count = READ_ONCE(h->ctl_count), ring_size = READ_ONCE(h->ring_size);
	u32 req_ring = READ_ONCE(h->req_ring), evt_ring = READ_ONCE(h->evt_ring);
	u32 req_buf = READ_ONCE(h->req_buf), evt_buf = READ_ONCE(h->evt_buf);
	u32 sigq = READ_ONCE(h->sigq), sigq_size = READ_ONCE(h->sigq_size);
	u32 vectors = READ_ONCE(h->vectors), size = READ_ONCE(h->size), v, qc;
	u64 magic = READ_ONCE(h->magic);
	char bus[sizeof(h->bus)];
	int ret;

	memcpy(bus, h->bus, sizeof(bus));
	b->dev_area = READ_ONCE(h->dev_area);
	b->dev_size = READ_ONCE(h->dev_size);
	if (magic != VBUS_GUEST_MAGIC || READ_ONCE(h->version) != VBUS_GUEST_VERSION)
		return vbus_pcib_bad(b, "magic or version after the reset", magic);
	if (size != b->size)
		return vbus_pcib_bad(b, "size", size);
	if (vectors < VBUS_GUEST_VECTORS_MIN || vectors > VBUS_GUEST_VECTORS_MAX || vectors > msix)
		return vbus_pcib_bad(b, "vectors", vectors);
	if (count < IOQ_COUNT_MIN || count > IOQ_COUNT_MAX || !is_power_of_2(count))
		return vbus_pcib_bad(b, "ctl_count", count);
	if (ring_size < IOQ_RING_SIZE(count))
		return vbus_pcib_bad(b, "ring_size", ring_size);
	if (!vbus_pcib_in(b, req_ring, ring_size, 64))
		return vbus_pcib_bad(b, "req_ring", req_ring);
	if (!vbus_pcib_in(b, evt_ring, ring_size, 64))
		return vbus_pcib_bad(b, "evt_ring", evt_ring);
	if (!vbus_pcib_in(b, req_buf, (u64)count * VBUS_GUEST_CTL_BUF, 64))
		return vbus_pcib_bad(b, "req_buf", req_buf);
	if (!vbus_pcib_in(b, evt_buf, (u64)count * sizeof(struct vbus_guest_event), 8))
		return vbus_pcib_bad(b, "evt_buf", evt_buf);
	if (sigq_size < sizeof(struct vbus_guest_sigq) + sizeof(u32) || !IS_ALIGNED(sigq_size, 64))
		return vbus_pcib_bad(b, "sigq_size", sigq_size);
	if (!vbus_pcib_in(b, sigq, (u64)vectors * sigq_size, 64))
		return vbus_pcib_bad(b, "sigq", sigq);
	if (!vbus_pcib_in(b, b->dev_area, b->dev_size, PAGE_SIZE))
		return vbus_pcib_bad(b, "dev_area", b->dev_area);
	if (!strnlen(bus, sizeof(bus)) || strnlen(bus, sizeof(bus)) >= sizeof(b->bus) ||
	    strchr(bus, '/'))
		return vbus_pcib_bad(b, "bus name, of length", strnlen(bus, sizeof(bus)));
	strscpy(b->bus, bus, sizeof(b->bus));

	for (v = 0; v < vectors; v++) {
		struct vbus_pcib_vec *vec = &b->vec[v];

		vec->q = b->region + sigq + v * sigq_size;
		qc = READ_ONCE(vec->q->count);
		if (!is_power_of_2(qc) ||
		    qc > (sigq_size - sizeof(struct vbus_guest_sigq)) / sizeof(u32))
			return vbus_pcib_bad(b, "signal queue count", qc);
		vec->b = b;
		vec->v = v;
		vec->count = qc;
		vec->cons = READ_ONCE(vec->q->prod);
		vec->overflow = READ_ONCE(vec->q->overflow);
		WRITE_ONCE(vec->q->cons, vec->cons);
		WRITE_ONCE(vec->q->want_irq, 1);
	}
	b->vectors = vectors;

	ret = ioq_init(&b->req, IOQ_PRODUCER, b->region + req_ring, ring_size,
		       b->region + req_buf, (u64)count * VBUS_GUEST_CTL_BUF);
	if (ret)
		return vbus_pcib_bad(b, "request ring at", req_ring);
	b->req_init = true;
	ret = ioq_init(&b->evt, IOQ_CONSUMER, b->region + evt_ring, ring_size,
		       b->region + evt_buf, (u64)count * sizeof(struct vbus_guest_event));
	if (ret)
		return vbus_pcib_bad(b, "event ring at", evt_ring);
	b->slot = b->region + req_buf;
	return 0;
}

static int vbus_pcib_irqs(struct vbus_pcib *b)
{
	struct vbus_pcib_vec *vec;
	int ret;
	u32 v;

	ret = pci_alloc_irq_vectors(b->pci, b->vectors, b->vectors, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;
	for (v = 0; v < b->vectors; v++) {
		vec = &b->vec[v];
		snprintf(vec->name, sizeof(vec->name), "vbus-%s-%u", b->bus, v);
		ret = request_irq(pci_irq_vector(b->pci, v), vbus_pcib_irq, 0, vec->name, vec);
		if (ret)
			return ret;
		vec->irq = true;
	}
	return 0;
}

/* Every device gone, no interrupt, no work: undo the probe. */
static void vbus_pcib_teardown(struct vbus_pcib *b)
{
	struct vbus_pcib_dev *d, *tmp;
	LIST_HEAD(gone);
	u32 v;

	mutex_lock(&b->dev_lock);
	WRITE_ONCE(b->dying, true);
	list_splice_init(&b->devs, &gone);
	mutex_unlock(&b->dev_lock);
	/* Their drivers close through the channel, which still runs. */
	list_for_each_entry_safe(d, tmp, &gone, entry) {
		list_del(&d->entry);
		vbus_proxy_device_unregister(&d->pdev);
	}
	wait_var_event(&b->live, !atomic_read(&b->live));
	for (v = 0; v < VBUS_GUEST_VECTORS_MAX; v++) {
		if (b->vec[v].irq)
			free_irq(pci_irq_vector(b->pci, v), &b->vec[v]);
	}
	pci_free_irq_vectors(b->pci);
	cancel_work_sync(&b->work);
	if (b->req_init)
		ioq_cleanup(&b->req);
	ioq_cleanup(&b->evt);
	memunmap(b->region);
	pci_iounmap(b->pci, b->regs);
	pci_release_regions(b->pci);
	pci_disable_device(b->pci);
	kfree(b);
}

static int vbus_pcib_probe(struct pci_dev *pci, const struct pci_device_id *id)
{
	resource_size_t len = pci_resource_len(pci, 2);
	struct vbus_pcib *b;
	int msix, ret;
	u32 version;
	u64 magic;

	if (!(pci_resource_flags(pci, 2) & IORESOURCE_MEM) || len < VBUS_GUEST_SIZE_MIN ||
	    len > VBUS_GUEST_SIZE_MAX || !is_power_of_2(len)) {
		dev_info(&pci->dev, "BAR2 of %pa bytes: not a vbus bridge\n", &len);
		return -ENODEV;
	}
	msix = pci_msix_vec_count(pci);
	if (msix < VBUS_GUEST_VECTORS_MIN) {
		dev_info(&pci->dev, "%d MSI-X vectors: not a vbus bridge\n", msix);
		return -ENODEV;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->pci = pci;
	b->size = len;
	mutex_init(&b->ctl_lock);
	mutex_init(&b->dev_lock);
	spin_lock_init(&b->open_lock);
	init_waitqueue_head(&b->ctl_wq);
	INIT_LIST_HEAD(&b->devs);
	INIT_WORK(&b->work, vbus_pcib_work);

	ret = pci_enable_device(pci);
	if (ret)
		goto err_free;
	ret = pci_request_regions(pci, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	b->regs = pci_iomap(pci, 0, 0);
	b->region = memremap(pci_resource_start(pci, 2), len, MEMREMAP_WB);
	if (!b->regs || !b->region) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	b->hdr = b->region;
	magic = READ_ONCE(b->hdr->magic);
	version = READ_ONCE(b->hdr->version);
	if (magic != VBUS_GUEST_MAGIC || version != VBUS_GUEST_VERSION) {
		dev_info(&pci->dev, "BAR2 has magic %#llx version %u, not a vbus bridge (version %u)\n",
			 magic, version, VBUS_GUEST_VERSION);
		ret = -ENODEV;
		goto err_unmap;
	}
	pci_set_master(pci);
	ret = vbus_pcib_reset(b);
	if (ret)
		goto err_unmap;
	ret = vbus_pcib_layout(b, msix);
	if (ret)
		goto err_unmap;
	pci_set_drvdata(pci, b);
	ret = vbus_pcib_irqs(b);
	if (ret) {
		dev_err(&pci->dev, "%u MSI-X interrupts: error %d\n", b->vectors, ret);
		goto err_teardown;
	}
	mutex_lock(&b->dev_lock);
	ret = vbus_pcib_sync(b);
	mutex_unlock(&b->dev_lock);
	if (ret) {
		dev_err(&pci->dev, "bus %s: listing its devices: error %d\n", b->bus, ret);
		goto err_teardown;
	}
	/* Events that came before the handler was there. */
	ioq_arm(&b->evt);
	schedule_work(&b->work);
	dev_info(&pci->dev, "bus %s: %u vectors, %u KiB\n", b->bus, b->vectors, b->size >> 10);
	return 0;

err_teardown:
	vbus_pcib_teardown(b);
	return ret;
err_unmap:
	if (b->req_init)
		ioq_cleanup(&b->req);
	if (b->region)
		memunmap(b->region);
	if (b->regs)
		pci_iounmap(pci, b->regs);
	pci_release_regions(pci);
err_disable:
	pci_disable_device(pci);
err_free:
	kfree(b);
	return ret;
}

static void vbus_pcib_remove(struct pci_dev *pci)
{
	vbus_pcib_teardown(pci_get_drvdata(pci));
}

static const struct pci_device_id vbus_pcib_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_DEVICE_ID_IVSHMEM) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vbus_pcib_ids);

static struct pci_driver vbus_pcib_driver = {
	.name		= "vbus-pcibridge",
	.id_table	= vbus_pcib_ids,
	.probe		= vbus_pcib_probe,
	.remove		= vbus_pcib_remove,
};
module_pci_driver(vbus_pcib_driver);

MODULE_DESCRIPTION("Virtual-bus guest bridge: a vbus bus through an ivshmem-doorbell device");
MODULE_LICENSE("GPL");
