// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A venet driver in userspace (doc/abi/venet.md, man/libvbus-client.3),
 * written on the generic client of a device connection (client.c).
 *
 * Shared memory layout of one venet connection, all in the one area the
 * kernel allocates (VBUS_IOC_SHM) and we map:
 *
 *   rx ring | tx ring | rx buffers (rx_bufs x rx_buf_len) | tx area (VENET_TX_AREA)
 *
 * An rx buffer is a chain of VENET_SEG-byte descriptors, enough for the MTU
 * at open time plus an Ethernet header and a VLAN tag, adjacent in memory so
 * that a received frame is contiguous. A tx frame is one descriptor into the
 * tx area, a FIFO (txfifo.h) in which frames are packed back to back
 * (VENET_TX_ALIGN) in the order they are posted, so that small ones share
 * pages and cache lines on both sides.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <linux/vbus.h>
#include <linux/vbus_venet.h>

#include "client.h"
#include "libvbus-private.h"
#include "txfifo.h"
#include "ioq/ioq.h"
#include "vbus/vbus.h"

#define VENET_RING		1024		/* descriptors per ring */
#define VENET_SEG		2048		/* rx descriptor size */
#define VENET_TX_BUF		9216		/* the largest tx frame, header included */
#define VENET_TX_BUFS		512		/* tx frames in flight at most */
#define VENET_TX_AREA		(VENET_TX_BUFS * VENET_TX_BUF)
#define VENET_TX_ALIGN		64
/* A sender that ran out of room waits until no more than this are in flight. */
#define VENET_TX_WAKE		(VENET_TX_BUFS / 2)
#define VENET_BUSY_POLL_MAX	1000000		/* microseconds */

struct vbus_venet {
	struct vbus_dev dev;		/* the device fd and the shared memory */
	int call_fd;			/* eventfd: the host signals rx and tx completions */
	int ep_fd;			/* epoll of call_fd and fd: the pollable fd */
	struct ioq rxq, txq;
	struct venet_config cfg;
	unsigned int rx_segs;		/* descriptors per rx buffer */
	unsigned int rx_bufs;
	uint8_t *rx_area, *tx_area;
	struct txfifo tx;		/* the frames in the tx area */
	bool tx_stopped;		/* ran out: no send until VENET_TX_WAKE in flight */
	unsigned int *rx_held;		/* rx buffers handed out by the last recv */
	unsigned int n_rx_held;
	unsigned int busy_poll_us;	/* vbus_venet_wait() polls this long before it sleeps */
};

static int venet_call(struct vbus_venet *v, uint32_t func, void *buf, uint32_t len, uint32_t size)
{
	return vbus_dev_call(&v->dev, func, buf, len, size);
}

/*
 * Wake the host for a queue: it takes our tx frames through its stack, or
 * restarts its queue for our rx buffers, within this call.
 */
static int venet_kick(struct vbus_venet *v, uint32_t queue)
{
	return vbus_dev_kick(&v->dev, queue);
}

/*
 * One call eventfd for both queues, no kick eventfd: we kick with
 * VBUS_IOC_KICK (venet_kick()), so that the host does the work in our own
 * system call instead of waking a thread of its own.
 */
static int venet_setup_signals(struct vbus_venet *v)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ret;

	v->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (v->call_fd < 0 || v->ep_fd < 0)
		return -errno;
	ret = vbus_dev_signal(&v->dev, VENET_QUEUE_RX, v->call_fd, -1);
	if (!ret)
		ret = vbus_dev_signal(&v->dev, VENET_QUEUE_TX, v->call_fd, -1);
	if (ret)
		return ret;
	/*
	 * Edge-triggered: each call wakes us once and its count is never read
	 * (the rings, not the eventfd, say what there is to do), which saves a
	 * read() per wake-up. The device fd, for its EPOLLHUP, is not.
	 */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = v->call_fd;
	if (epoll_ctl(v->ep_fd, EPOLL_CTL_ADD, v->call_fd, &ev) < 0)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.fd = v->dev.fd;
	if (epoll_ctl(v->ep_fd, EPOLL_CTL_ADD, v->dev.fd, &ev) < 0)
		return -errno;
	return 0;
}

static int venet_setup_queue(struct vbus_venet *v, uint32_t queue, uint64_t ring,
			     uint64_t area, uint64_t area_len)
{
	struct venet_qreg r = {
		.queue = queue, .count = VENET_RING, .ring = ring, .area = area,
		.area_len = area_len,
	};
	struct ioq *q = queue == VENET_QUEUE_RX ? &v->rxq : &v->txq;
	int ret;

	ret = venet_call(v, VENET_FUNC_QREG, &r, sizeof(r), sizeof(r));
	if (ret < 0)
		return ret;
	return ioq_init(q, IOQ_PRODUCER, v->dev.shm + ring, IOQ_RING_SIZE(VENET_RING),
			v->dev.shm + area, area_len);
}

static int venet_post_rx(struct vbus_venet *v, unsigned int b, unsigned int flags)
{
	struct ioq_buf bufs[IOQ_SG_MAX];
	unsigned int i;

	for (i = 0; i < v->rx_segs; i++) {
		bufs[i].offset = ((uint64_t)b * v->rx_segs + i) * VENET_SEG;
		bufs[i].len = VENET_SEG;
		bufs[i].flags = IOQ_DESC_F_WRITE;
	}
	return ioq_post(&v->rxq, bufs, v->rx_segs, (void *)(uintptr_t)(b + 1), flags);
}

/* Size and map the shared memory, register both rings, post every rx buffer. */
static int venet_setup_rings(struct vbus_venet *v)
{
	uint64_t ring_sz = (IOQ_RING_SIZE(VENET_RING) + 4095) & ~4095ULL;
	uint64_t rx_len, tx_len = VENET_TX_AREA;
	unsigned int i;
	int ret;

	/* Sized for the MTU now: small buffers are many buffers and short chains. */
	v->rx_segs = (v->cfg.mtu + 18 + VENET_SEG - 1) / VENET_SEG;
	if (v->rx_segs > IOQ_SG_MAX)
		return -EPROTO;
	if (v->rx_segs > 1 && !(v->cfg.caps & VENET_CAP_SG))
		return -EOPNOTSUPP;
	v->rx_bufs = VENET_RING / v->rx_segs;
	rx_len = (uint64_t)v->rx_bufs * v->rx_segs * VENET_SEG;
	ret = vbus_dev_shm(&v->dev, 2 * ring_sz + rx_len + tx_len);
	if (ret)
		return ret;
	v->rx_area = v->dev.shm + 2 * ring_sz;
	v->tx_area = v->rx_area + rx_len;
	ret = venet_setup_queue(v, VENET_QUEUE_RX, 0, 2 * ring_sz, rx_len);
	if (!ret)
		ret = venet_setup_queue(v, VENET_QUEUE_TX, ring_sz, 2 * ring_sz + rx_len, tx_len);
	if (ret)
		return ret;

	v->rx_held = calloc(v->rx_bufs, sizeof(*v->rx_held));
	if (txfifo_init(&v->tx, VENET_TX_BUFS, VENET_TX_AREA) < 0 || !v->rx_held)
		return -ENOMEM;
	for (i = 0; i < v->rx_bufs; i++) {
		ret = venet_post_rx(v, i, IOQ_POST_HOLD);
		if (ret)
			return ret;
	}
	ioq_publish(&v->rxq);
	return 0;
}

VBUS_EXPORT void vbus_venet_free(struct vbus_venet *v)
{
	if (!v)
		return;
	if (v->dev.fd >= 0)
		venet_call(v, VENET_FUNC_LINKDOWN, NULL, 0, 0);
	ioq_cleanup(&v->rxq);
	ioq_cleanup(&v->txq);
	if (v->ep_fd >= 0)
		close(v->ep_fd);
	if (v->call_fd >= 0)
		close(v->call_fd);
	vbus_dev_close(&v->dev);
	txfifo_free(&v->tx);
	free(v->rx_held);
	free(v);
}

static int venet_negotiate(struct vbus_venet *v)
{
	/*
	 * What this client handles, not VENET_CAPS: not VENET_CAP_RXOFF (our
	 * rx buffers are sized for the MTU, and vbus_venet_recv() hands out
	 * frames with complete checksums), and not VENET_CAP_LINKEV (its
	 * signals on queue 2 would make the device fd, which our epoll set
	 * watches level-triggered for EPOLLHUP, readable for good).
	 */
	struct venet_negcap neg = {
		.caps = VENET_CAP_SG | VENET_CAP_RXWAIT | VENET_CAP_TXOFF,
	};
	int ret;

	ret = venet_call(v, VENET_FUNC_NEGCAP, &neg, sizeof(neg), sizeof(neg));
	if (ret < 0)
		return ret;
	ret = venet_call(v, VENET_FUNC_CONFIG, &v->cfg, 0, sizeof(v->cfg));
	if (ret < 0)
		return ret;
	if (ret < (int)sizeof(v->cfg) || v->cfg.frame_max > VENET_TX_BUF)
		return -EPROTO;
	return 0;
}

VBUS_EXPORT int vbus_venet_open(struct vbus_client *c, uint32_t id, struct vbus_venet **ret_venet)
{
	struct vbus_venet *v;
	int ret;

	if (!c || !ret_venet)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->call_fd = v->ep_fd = -1;
	ret = vbus_dev_open(c, id, &v->dev);
	if (!ret)
		ret = venet_negotiate(v);
	if (!ret)
		ret = venet_setup_signals(v);
	if (!ret)
		ret = venet_setup_rings(v);
	if (!ret)
		ret = venet_call(v, VENET_FUNC_LINKUP, NULL, 0, 0);
	if (ret < 0)
		goto out_free;
	*ret_venet = v;
	return 0;

out_free:
	vbus_venet_free(v);
	return ret;
}

VBUS_EXPORT int vbus_venet_get_fd(const struct vbus_venet *v)
{
	return v->ep_fd;
}

VBUS_EXPORT int vbus_venet_get_mac(const struct vbus_venet *v, uint8_t ret_mac[6])
{
	memcpy(ret_mac, v->cfg.mac, 6);
	return 0;
}

VBUS_EXPORT unsigned int vbus_venet_get_mtu(const struct vbus_venet *v)
{
	return v->cfg.mtu;
}

/* Take the host's completions; the frames they release free their bytes. */
static void venet_reap_tx(struct vbus_venet *v)
{
	void *cookie;
	uint32_t len;

	while (ioq_reap(&v->txq, &cookie, &len) > 0)
		txfifo_done(&v->tx, (uintptr_t)cookie - 1);
}

static size_t venet_txhdr_len(const struct vbus_venet *v)
{
	return v->cfg.caps & VENET_CAP_TXOFF ? sizeof(struct venet_txhdr) : 0;
}

/* With VENET_CAP_TXOFF each frame starts with its header, all zero without offloads. */
static size_t venet_put_txhdr(struct vbus_venet *v, uint8_t *to,
			      const struct vbus_venet_offload *off)
{
	struct venet_txhdr h = { 0 };

	if (!venet_txhdr_len(v))
		return 0;
	if (off) {
		h.flags = off->csum ? VENET_TXHDR_F_CSUM : 0;
		h.gso_type = off->gso_type;
		h.hdr_len = htole16(off->hdr_len);
		h.gso_size = htole16(off->gso_size);
		h.csum_start = htole16(off->csum_start);
		h.csum_offset = htole16(off->csum_offset);
	}
	memcpy(to, &h, sizeof(h));
	return sizeof(h);
}

static int venet_send(struct vbus_venet *v, const struct iovec *frames,
		      const struct vbus_venet_offload *off, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	venet_reap_tx(v);
	/* Once out of room, wait for half the ring: the host gets whole batches. */
	if (v->tx_stopped && txfifo_inflight(&v->tx) > VENET_TX_WAKE)
		return -EAGAIN;
	v->tx_stopped = false;
	for (i = 0; i < n; i++) {
		size_t max = off && off[i].gso_type ? VENET_TX_BUF - sizeof(struct venet_txhdr) :
			     v->cfg.frame_max;
		struct ioq_buf buf = { 0 };
		uint32_t slot = txfifo_next_slot(&v->tx), size;
		int64_t at;

		if (frames[i].iov_len > max || frames[i].iov_len < 14) {
			ret = -EMSGSIZE;
			break;
		}
		size = venet_txhdr_len(v) + frames[i].iov_len;
		size = (size + VENET_TX_ALIGN - 1) & ~(uint32_t)(VENET_TX_ALIGN - 1);
		at = txfifo_place(&v->tx, size);
		if (at < 0) {
			v->tx_stopped = true;
			ret = -EAGAIN;
			break;
		}
		buf.offset = at;
		buf.len = venet_put_txhdr(v, v->tx_area + at, off ? &off[i] : NULL);
		memcpy(v->tx_area + at + buf.len, frames[i].iov_base, frames[i].iov_len);
		buf.len += frames[i].iov_len;
		ret = ioq_post(&v->txq, &buf, 1, (void *)(uintptr_t)(slot + 1), IOQ_POST_HOLD);
		if (ret) {
			if (ret == -ENOSPC)
				ret = -EAGAIN;
			break;
		}
		txfifo_push(&v->tx, at, size);
	}
	if (ioq_kick(&v->txq)) {
		int r = venet_kick(v, VENET_QUEUE_TX);

		if (r < 0)
			return r;
	}
	return i ? (int)i : ret;
}

VBUS_EXPORT int vbus_venet_send(struct vbus_venet *v, const struct iovec *frames, unsigned int n)
{
	return venet_send(v, frames, NULL, n);
}

VBUS_EXPORT bool vbus_venet_has_offload(const struct vbus_venet *v)
{
	return v->cfg.caps & VENET_CAP_TXOFF;
}

VBUS_EXPORT int vbus_venet_send_offload(struct vbus_venet *v, const struct iovec *frames,
					const struct vbus_venet_offload *off, unsigned int n)
{
	if (!vbus_venet_has_offload(v))
		return -EOPNOTSUPP;
	return venet_send(v, frames, off, n);
}

VBUS_EXPORT int vbus_venet_recv(struct vbus_venet *v, struct iovec *frames, unsigned int n)
{
	unsigned int i, got = 0;
	void *cookie;
	uint32_t len;
	int ret;

	for (i = 0; i < v->n_rx_held; i++) {
		ret = venet_post_rx(v, v->rx_held[i], IOQ_POST_HOLD);
		if (ret)
			return ret;
	}
	v->n_rx_held = 0;
	while (got < n) {
		unsigned int b;

		ret = ioq_reap(&v->rxq, &cookie, &len);
		if (ret < 0)
			return ret;
		if (!ret)
			break;
		b = (unsigned int)(uintptr_t)cookie - 1;
		if (!len) {	/* truncated by the host, or flushed */
			ret = venet_post_rx(v, b, IOQ_POST_HOLD);
			if (ret)
				return ret;
			continue;
		}
		v->rx_held[v->n_rx_held++] = b;
		frames[got].iov_base = v->rx_area + (size_t)b * v->rx_segs * VENET_SEG;
		frames[got].iov_len = len;
		got++;
	}
	/* Publish the reposted buffers; the host may wait for them (only with RXWAIT). */
	if (ioq_kick(&v->rxq) && (v->cfg.caps & VENET_CAP_RXWAIT)) {
		ret = venet_kick(v, VENET_QUEUE_RX);
		if (ret < 0 && !got)
			return ret;
	}
	return got;
}

/* Arm what we would wait for; true when it is safe to sleep. */
static bool venet_arm(struct vbus_venet *v)
{
	bool idle = ioq_arm(&v->rxq);

	venet_reap_tx(v);
	if (!v->tx_stopped)
		return idle;
	if (txfifo_inflight(&v->tx) <= VENET_TX_WAKE)
		return false;	/* the room a sender waits for is there */
	return ioq_arm_reap(&v->txq, txfifo_inflight(&v->tx) - VENET_TX_WAKE) && idle;
}

/*
 * Out of transmit room: do the host's work on our own frames in this
 * thread (a tx kick runs a poll of the ring in the system call) for as long
 * as that makes room; true once there is enough to go on.
 */
static bool venet_help_tx(struct vbus_venet *v)
{
	uint32_t before;

	while (v->tx_stopped && txfifo_inflight(&v->tx) > VENET_TX_WAKE) {
		before = txfifo_inflight(&v->tx);
		if (venet_kick(v, VENET_QUEUE_TX) < 0)
			return false;
		venet_reap_tx(v);
		if (txfifo_inflight(&v->tx) >= before)
			return false;
	}
	return v->tx_stopped;
}

VBUS_EXPORT int vbus_venet_set_busy_poll(struct vbus_venet *v, unsigned int usecs)
{
	if (usecs > VENET_BUSY_POLL_MAX)
		return -EINVAL;
	v->busy_poll_us = usecs;
	return 0;
}

static uint64_t venet_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* What vbus_venet_wait() waits for is there: a received frame, or the room a sender wants. */
static bool venet_ready(struct vbus_venet *v)
{
	if (!ioq_reap_empty(&v->rxq))
		return true;
	if (!v->tx_stopped)
		return false;
	venet_reap_tx(v);
	return txfifo_inflight(&v->tx) <= VENET_TX_WAKE;
}

/*
 * Busy-poll (vbus_venet_set_busy_poll()): watch the rings for up to the
 * set time, at most timeout_ms, without arming a signal, so that neither
 * side makes a system call for what arrives meanwhile; true if it did.
 */
static bool venet_busy_poll(struct vbus_venet *v, int timeout_ms)
{
	uint64_t us = v->busy_poll_us, end;

	if (timeout_ms >= 0 && us > (uint64_t)timeout_ms * 1000)
		us = (uint64_t)timeout_ms * 1000;
	if (!us)
		return false;
	end = venet_now_ns() + us * 1000;
	do {
		if (venet_ready(v))
			return true;
		ioq_cpu_relax();
	} while (venet_now_ns() < end);
	return false;
}

VBUS_EXPORT int vbus_venet_wait(struct vbus_venet *v, int timeout_ms)
{
	struct epoll_event ev[2];
	int n, i;

	if (venet_help_tx(v) || venet_busy_poll(v, timeout_ms) || !venet_arm(v))
		return 1;
	n = epoll_wait(v->ep_fd, ev, 2, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		if (ev[i].data.fd == v->dev.fd && (ev[i].events & EPOLLHUP))
			return -ENODEV;
	}
	return n ? 1 : 0;
}
