// SPDX-License-Identifier: GPL-2.0
/*
 * venet-tap.ko: the device class `venet-tap` (interface type
 * `virtual-ethernet`). Each device owns a host netdev; its one client
 * drives the other end through two IOQ rings in the connection's shared
 * memory (doc/abi/venet.md):
 *
 *  - rx (host to client): the client posts empty buffers; the netdev's
 *    transmit path copies each frame into the next one and completes it.
 *    No buffer: with VENET_CAP_RXWAIT the queue stops until the client
 *    kicks the rx ring (the frame waits in the qdisc or in pktgen);
 *    without it the frame is dropped and counted as an overrun. With
 *    VENET_CAP_RXOFF the netdev offers checksum offload and TSO while that
 *    client is connected (ndo_fix_features), and each frame goes with a
 *    virtio-net header saying what is left to do.
 *  - tx (client to host): the client posts frames and kicks; NAPI takes up
 *    to its budget per poll, builds skbs and hands them to the stack, and
 *    re-arms the ring's shm-signal only when it runs dry. A kick by ioctl
 *    (VBUS_IOC_KICK) runs a poll in the client's own system call, on a
 *    second NAPI instance, beside the thread's; the stack still gets the
 *    frames in ring order, and neither poll waits for the other to run
 *    (venet_tx_deliver). A kick with interrupts on (a kernel client's,
 *    from its transmit path) schedules a third instance, not threaded,
 *    which runs as a softirq when the kicking context enables BHs again.
 *
 * Everything in the rings is untrusted; the IOQ code checks it and stops a
 * ring at the first violation, after which the link goes down (counted).
 *
 * Locking: venet_dev.lock protects the client pointer, client_mac and the
 * netdev pointer; it nests inside vbus_lock (connect/disconnect) and
 * outside rtnl_lock. The data path reads venet_dev.dp under RCU; the two
 * tx NAPI instances share the tx ring's end and the order of delivery
 * under venet_priv.txlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/virtio_net.h>
#include <net/page_pool.h>
#include <uapi/linux/vbus.h>
#include <uapi/linux/vbus_venet.h>

#include "ioq/ioq.h"
#include "vbus_class.h"
#include "venet_host.h"
#include "venet_stats.h"

#define VENET_COALESCE_DEFAULT	32
#define VENET_COALESCE_MAX	1024

/* One client's end of the device: its rings and negotiated state. */
struct venet_client {
	struct vbus_conn *conn;
	struct venet_dev *vd;
	struct ioq rxq;			/* used by the xmit path only (one tx queue) */
	struct ioq txq;			/* used by NAPI only */
	bool rxq_reg, txq_reg;
	bool up;
	bool rxwait;			/* VENET_CAP_RXWAIT, fixed at link up */
	bool txoff;			/* VENET_CAP_TXOFF, fixed at link up */
	bool linkev;			/* VENET_CAP_LINKEV, fixed at link up */
	bool rxoff;			/* VENET_CAP_RXOFF, fixed at link up */
	u32 caps;
	unsigned int rx_unsignalled;	/* completions since the last notify */
	unsigned long broken;		/* bit 0: a ring error was seen */
};

/* The device (vbus class private data). */
struct venet_dev {
	struct mutex lock;
	struct vbus_device *vdev;
	struct net_device *ndev;
	struct venet_client *client;	/* the connected client, under lock */
	struct venet_client __rcu *dp;	/* the client while its link is up */
	u8 client_mac[ETH_ALEN];
	char client_ifname[IFNAMSIZ];	/* for a kernel client (vbus-enet); "" default */
	unsigned int coalesce;
	atomic64_t rx_overruns;		/* host to client: no buffer posted */
	atomic64_t rx_truncated;	/* host to client: frame longer than the buffer */
	atomic64_t tx_bad;		/* client to host: refused frames */
	atomic64_t tx_by_kick;		/* client to host: taken off the ring by a kick */
	atomic64_t ring_errors;		/* protocol violations: link went down */
};

/*
 * The tx ring's NAPI instances: the NAPI thread's, VBUS_IOC_KICK's, and
 * the softirq's of kicks with interrupts on (venet_kick).
 */
enum { VENET_TX_THREAD, VENET_TX_KICK, VENET_TX_BH, VENET_TX_POLLS };

/* One NAPI instance of the tx ring. */
struct venet_txpoll {
	struct napi_struct napi;
	struct net_device *ndev;	/* the host netdev (VENET_TX_BH's napi.dev is bh_dev) */
	struct page_pool *pool;		/* heads of its skbs (a pool has one consumer) */
	struct ioq_elem *elems;		/* its batch, NAPI_POLL_WEIGHT of them */
};

/*
 * Batches taken off the tx ring and not yet handed to the stack, at most:
 * a poll takes no new batch beyond that while an earlier one waits.
 */
#define VENET_TX_AHEAD		8
/* How long a batch may wait for the one just before it to be delivered. */
#define VENET_TX_TURN_WAIT_NS	(50 * NSEC_PER_USEC)

/*
 * The offloads of the host netdev (hw_features), on while a client with
 * VENET_CAP_RXOFF has its link up: checksums left partial and TCP segments
 * of up to 64 KiB go to the client as they are. Not NETIF_F_GSO_ROBUST:
 * the headers of GSO frames from untrusted senders (SKB_GSO_DODGY: packet
 * sockets, tun) are checked by the host's GSO code before they get here.
 */
#define VENET_RXOFF_FEATURES	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | \
				 NETIF_F_TSO6 | NETIF_F_TSO_ECN)

/* netdev_priv() of the host netdev. */
struct venet_priv {
	struct venet_dev *vd;
	bool rxoff;			/* the client takes the offloads; under rtnl */
	spinlock_t txlock;		/* the tx ring's end and the order of delivery */
	u32 tx_next;			/* the number of the next batch, under txlock */
	u32 tx_turn;			/* the batch whose frames go to the stack next */
	unsigned long tx_parked;	/* batches left for the turn's holder, by nr % AHEAD */
	bool tx_blocked;		/* a poll found VENET_TX_AHEAD batches waiting */
	struct list_head tx_park[VENET_TX_AHEAD];	/* their skbs */
	struct venet_txpoll tx[VENET_TX_POLLS];
	/*
	 * VENET_TX_BH's: a dummy netdev, so that the instance stays out of
	 * the host netdev's threaded NAPI (dev_set_threaded() sets every
	 * instance of a netdev).
	 */
	struct net_device *bh_dev;
};

/* A ring broke the protocol: count it once and take the carrier down. */
static void venet_broken(struct venet_client *c, struct ioq *q)
{
	struct venet_dev *vd = c->vd;

	if (test_and_set_bit(0, &c->broken))
		return;
	atomic64_inc(&vd->ring_errors);
	netif_carrier_off(vd->ndev);
	if (net_ratelimit())
		netdev_info(vd->ndev, "client ring error: %s\n",
			    ioq_error_name(ioq_error(q)));
}

/*
 * Host to client. Runs under the netdev's tx queue lock: one thread on rxq.
 * With VENET_CAP_RXOFF the frame goes after its header (struct
 * venet_txhdr, virtio_net_hdr's layout); the writable descriptors take the
 * header's hlen bytes, then the frame's.
 */
static int venet_fill(struct venet_client *c, struct sk_buff *skb)
{
	struct virtio_net_hdr h;
	u32 hlen = 0, total, pos = 0, i;
	struct ioq_elem e;
	int ret;

	/* Only TCP segments can be GSO here (VENET_RXOFF_FEATURES). */
	if (c->rxoff) {
		if (virtio_net_hdr_from_skb(skb, &h, true, true, 0))
			return -EINVAL;
		hlen = sizeof(h);
	}
	total = hlen + skb->len;
	ret = ioq_consume(&c->rxq, &e);
	if (ret <= 0)
		return ret ?: -ENOBUFS;
	if (total > e.wlen) {
		atomic64_inc(&c->vd->rx_truncated);
		ioq_complete(&c->rxq, e.id, e.ndesc, 0);
		return -EMSGSIZE;
	}
	for (i = 0; i < e.ndesc && pos < total; i++) {
		u8 *to = e.sg[i].addr;
		u32 n, room;

		if (!(e.sg[i].flags & IOQ_DESC_F_WRITE))
			continue;
		room = min_t(u32, e.sg[i].len, total - pos);
		if (pos < hlen) {
			n = min_t(u32, room, hlen - pos);
			memcpy(to, (u8 *)&h + pos, n);
			to += n;
			pos += n;
			room -= n;
		}
		if (room && skb_copy_bits(skb, pos - hlen, to, room))
			break;
		pos += room;
	}
	return ioq_complete(&c->rxq, e.id, e.ndesc, pos);
}

static void venet_rx_notify(struct venet_client *c)
{
	c->rx_unsignalled = 0;
	vbus_conn_signal(c->conn, VENET_QUEUE_RX, ioq_notify(&c->rxq));
}

/*
 * VENET_CAP_RXWAIT and no rx buffer: hand the client what it has, stop the
 * queue and ask for a kick at the next buffer it posts (the kick wakes the
 * queue); -EBUSY while it has none, else the frame goes into the buffer
 * that arrived meanwhile.
 */
static int venet_rx_wait(struct venet_client *c, struct net_device *ndev,
			 struct sk_buff *skb)
{
	venet_rx_notify(c);
	netif_stop_queue(ndev);
	if (ioq_arm(&c->rxq))
		return -EBUSY;
	netif_start_queue(ndev);
	return venet_fill(c, skb);
}

/* What became of a frame for the client, counted; false once its ring broke. */
static bool venet_xmit_count(struct venet_client *c, struct net_device *ndev, int ret,
			     unsigned int len)
{
	if (ret == -ENOBUFS)
		atomic64_inc(&c->vd->rx_overruns);
	else if (ret == -EIO)
		venet_broken(c, &c->rxq);
	if (ret)
		dev_core_stats_tx_dropped_inc(ndev);
	else
		dev_sw_netstats_tx_add(ndev, 1, len);
	return ret != -EIO;
}

/*
 * A frame the stack left offloads in (a partial checksum, a GSO segment)
 * for a client without VENET_CAP_RXOFF: one the qdisc requeued while a
 * client with it waited for buffers, then reconnected without it. Checksum
 * and segment it here, as validate_xmit_skb() would have; its segments wait
 * for no buffer (without one they are dropped as overruns).
 */
static void venet_xmit_sw(struct venet_client *c, struct net_device *ndev, struct sk_buff *skb)
{
	struct sk_buff *segs = skb, *next;
	bool ok = true;

	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs))
			segs = NULL;
		else
			consume_skb(skb);
	} else if (skb_checksum_help(skb)) {
		segs = NULL;
	}
	if (!segs) {
		dev_core_stats_tx_dropped_inc(ndev);
		dev_kfree_skb_any(skb);
		return;
	}
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		if (ok)
			ok = venet_xmit_count(c, ndev, venet_fill(c, skb), skb->len);
		else
			dev_core_stats_tx_dropped_inc(ndev);
		dev_kfree_skb_any(skb);
	}
	if (ok)
		venet_rx_notify(c);
}

static netdev_tx_t venet_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	struct venet_dev *vd = p->vd;
	struct venet_client *c;
	unsigned int len = skb->len;
	int ret;

	rcu_read_lock();
	c = rcu_dereference(vd->dp);
	if (!c) {
		rcu_read_unlock();
		dev_core_stats_tx_dropped_inc(ndev);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	if (unlikely(!c->rxoff && (skb_is_gso(skb) || skb->ip_summed == CHECKSUM_PARTIAL))) {
		venet_xmit_sw(c, ndev, skb);
		rcu_read_unlock();
		return NETDEV_TX_OK;
	}
	ret = venet_fill(c, skb);
	if (ret == -ENOBUFS && c->rxwait)
		ret = venet_rx_wait(c, ndev, skb);
	if (ret == -EBUSY) {
		/* The queue is stopped: the qdisc or pktgen keeps the frame. */
		rcu_read_unlock();
		return NETDEV_TX_BUSY;
	}
	if (venet_xmit_count(c, ndev, ret, len) &&
	    (!netdev_xmit_more() || ++c->rx_unsignalled >= READ_ONCE(vd->coalesce)))
		venet_rx_notify(c);
	rcu_read_unlock();
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/*
 * VENET_CAP_TXOFF: apply the frame's header (struct venet_txhdr, at its
 * start) and take it off; false when the host refuses it. The header is the
 * client's: virtio_net_hdr_to_skb() checks it as it does for tun and packet
 * sockets.
 */
static bool venet_txoff(struct sk_buff *skb, unsigned int mtu_frame)
{
	struct venet_txhdr h;

	/* The layout and the values are virtio_net_hdr's (uapi/linux/virtio_net.h). */
	BUILD_BUG_ON(sizeof(h) != sizeof(struct virtio_net_hdr));
	memcpy(&h, skb->data, sizeof(h));
	__skb_pull(skb, sizeof(h));
	if (skb->len < ETH_HLEN || (h.gso_type == VENET_GSO_NONE && skb->len > mtu_frame))
		return false;
	return !virtio_net_hdr_to_skb(skb, (struct virtio_net_hdr *)&h, true);
}

/*
 * An skb for a frame of len bytes. Heads up to a page are fragments of the
 * device's page pool: the stack hands each page back when the last skb on
 * it is freed (skb_mark_for_recycle), so that a small frame costs neither a
 * page allocation nor clearing one (init_on_alloc). napi_alloc_skb() would
 * spend a cleared order-0 page on every four frames under about 700 bytes.
 * A larger frame (a GSO segment of up to 64 KiB, a jumbo frame) gets a
 * head of VENET_TX_HEAD bytes from napi_alloc_skb() for its headers, and
 * the caller puts the rest in pages (venet_add_pages): no allocation of
 * more than a page, which a linear 64 KiB skb would take (order 5, atomic).
 */
#define VENET_TX_HEAD		256

static struct sk_buff *venet_alloc_skb(struct venet_txpoll *t, unsigned int len)
{
	unsigned int size = SKB_HEAD_ALIGN(NET_SKB_PAD + NET_IP_ALIGN + len);
	unsigned int offset;
	struct sk_buff *skb;
	struct page *page;
	void *data;

	if (size > PAGE_SIZE)
		return napi_alloc_skb(&t->napi, VENET_TX_HEAD);
	page = page_pool_dev_alloc_frag(t->pool, &offset, size);
	if (!page)
		return NULL;
	data = page_address(page) + offset;
	skb = napi_build_skb(data, size);
	if (!skb) {
		page_pool_put_full_page(t->pool, page, true);
		return NULL;
	}
	skb_mark_for_recycle(skb);
	skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
	return skb;
}

/* Where the copy of a chain's bytes has got to: descriptor i, offset off. */
struct venet_elem_pos {
	u32 i, off;
};

/* Copy the chain's next n bytes (it has them: the caller summed its lengths) to dst. */
static void venet_elem_copy(const struct ioq_elem *e, struct venet_elem_pos *pos, u8 *dst, u32 n)
{
	u32 k;

	while (n) {
		k = min(n, e->sg[pos->i].len - pos->off);
		memcpy(dst, (u8 *)e->sg[pos->i].addr + pos->off, k);
		dst += k;
		n -= k;
		pos->off += k;
		if (pos->off == e->sg[pos->i].len) {
			pos->i++;
			pos->off = 0;
		}
	}
}

/* The frame's bytes from pos on (len of them) into pages, as the skb's fragments. */
static int venet_add_pages(struct sk_buff *skb, const struct ioq_elem *e,
			   struct venet_elem_pos *pos, u32 len)
{
	struct page *page;
	u32 n;

	while (len) {
		if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
			return -EMSGSIZE;
		page = dev_alloc_page();
		if (!page)
			return -ENOMEM;
		n = min_t(u32, len, PAGE_SIZE);
		venet_elem_copy(e, pos, page_address(page), n);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, n, PAGE_SIZE);
		len -= n;
	}
	return 0;
}

/*
 * Client to host: one frame of the tx ring as an skb, or NULL (dropped and
 * counted). Its length is added to *bytes.
 */
static struct sk_buff *venet_inject(struct net_device *ndev, struct venet_txpoll *t,
				    const struct ioq_elem *e, bool txoff, u64 *bytes)
{
	struct venet_dev *vd = ((struct venet_priv *)netdev_priv(ndev))->vd;
	unsigned int mtu_frame = READ_ONCE(ndev->mtu) + VLAN_ETH_HLEN;
	unsigned int hlen = txoff ? sizeof(struct venet_txhdr) : 0;
	unsigned int max = txoff ? hlen + VENET_TXOFF_FRAME_MAX : mtu_frame;
	struct venet_elem_pos pos = { 0 };
	struct sk_buff *skb;
	u64 len = 0;	/* up to IOQ_SG_MAX lengths of the client's: no u32 sum */
	u32 i, head;

	for (i = 0; i < e->ndesc; i++)
		len += e->sg[i].len;
	if (e->wlen || len < hlen + ETH_HLEN || len > max)
		goto out_bad;
	skb = venet_alloc_skb(t, len);
	if (!skb) {
		dev_core_stats_rx_dropped_inc(ndev);
		return NULL;
	}
	/* A head of VENET_TX_HEAD bytes (a large frame) or the whole frame. */
	head = min_t(u32, len, skb_tailroom(skb));
	venet_elem_copy(e, &pos, __skb_put(skb, head), head);
	if (venet_add_pages(skb, e, &pos, len - head)) {
		kfree_skb(skb);
		dev_core_stats_rx_dropped_inc(ndev);
		return NULL;
	}
	if (txoff && !venet_txoff(skb, mtu_frame)) {
		kfree_skb(skb);
		goto out_bad;
	}
	skb->protocol = eth_type_trans(skb, ndev);
	*bytes += skb->len + ETH_HLEN;
	return skb;

out_bad:
	atomic64_inc(&vd->tx_bad);
	dev_core_stats_rx_dropped_inc(ndev);
	return NULL;
}

/* GRO's frames to the stack now (gro_normal_list(), which modules cannot call). */
static void venet_gro_flush(struct napi_struct *napi)
{
	napi_gro_flush(napi, false);
	if (napi->rx_count) {
		netif_receive_skb_list(&napi->rx_list);
		INIT_LIST_HEAD(&napi->rx_list);
		napi->rx_count = 0;
	}
}

/*
 * One batch's skbs to the stack: GRO only for TCP, which it can merge, and
 * flushed before the next batch; every other frame (GSO frames too) goes
 * in one list (netif_receive_skb_list).
 */
static void venet_tx_receive(struct napi_struct *napi, struct list_head *batch)
{
	struct sk_buff *skb, *next;

	list_for_each_entry_safe(skb, next, batch, list) {
		if (!skb_is_gso(skb) && venet_gro_tcp(skb)) {
			skb_list_del_init(skb);
			napi_gro_receive(napi, skb);
		}
	}
	if (!list_empty(batch))
		netif_receive_skb_list(batch);
	INIT_LIST_HEAD(batch);
	venet_gro_flush(napi);
}

/*
 * Batch nr's skbs to the stack in ring order: after the batches taken
 * before it. The poll whose batch has the turn delivers it, then every
 * batch parked behind it, and passes the turn on. A batch that is done
 * before its turn waits for the one just before it, which is likely
 * being delivered on the other CPU (BHs off), for VENET_TX_TURN_WAIT_NS at
 * most. Otherwise, or when that CPU does not get to run (a vCPU the
 * hypervisor preempted), it is parked for the turn's holder to deliver and
 * this poll goes on: no poll waits on another's progress for longer.
 */
static void venet_tx_deliver(struct venet_priv *p, struct venet_txpoll *t,
			     struct list_head *batch, u32 nr)
{
	unsigned int slot = nr % VENET_TX_AHEAD;
	bool blocked;
	u64 until = 0;

	while (READ_ONCE(p->tx_turn) == nr - 1) {
		if (!until)
			until = local_clock() + VENET_TX_TURN_WAIT_NS;
		else if (local_clock() > until)
			break;
		cpu_relax();
	}
	spin_lock(&p->txlock);
	if (p->tx_turn != nr) {
		list_splice_tail_init(batch, &p->tx_park[slot]);
		__set_bit(slot, &p->tx_parked);
		spin_unlock(&p->txlock);
		return;
	}
	for (;;) {
		spin_unlock(&p->txlock);
		venet_tx_receive(&t->napi, batch);
		slot = ++nr % VENET_TX_AHEAD;
		spin_lock(&p->txlock);
		if (!__test_and_clear_bit(slot, &p->tx_parked))
			break;
		list_splice_init(&p->tx_park[slot], batch);
	}
	WRITE_ONCE(p->tx_turn, nr);
	blocked = p->tx_blocked;
	p->tx_blocked = false;
	spin_unlock(&p->txlock);
	/* A poll that could take no batch left the ring to the thread. */
	if (blocked)
		napi_schedule(&p->tx[VENET_TX_THREAD].napi);
}

/*
 * Client to host. Two NAPI instances share the ring: the NAPI thread's
 * (woken by the ring's shm-signal) and the one a VBUS_IOC_KICK runs in the
 * client's system call. Each poll takes a numbered batch off the ring
 * under txlock, builds its skbs without the lock, beside the other
 * instance, completes the batch and hands it to the stack in its turn,
 * or leaves it to the poll that has the turn.
 */
static int venet_poll(struct napi_struct *napi, int budget)
{
	struct venet_txpoll *t = container_of(napi, struct venet_txpoll, napi);
	struct net_device *ndev = t->ndev;
	struct venet_priv *p = netdev_priv(ndev);
	struct venet_client *c;
	struct sk_buff *skb;
	LIST_HEAD(batch);
	int done = 0, ret = 0, n = 0, i;
	bool signal, blocked = false, rearm = false;
	u64 bytes = 0;
	u32 nr;

	rcu_read_lock();
	c = rcu_dereference(p->vd->dp);
	if (!c)
		goto out;
	spin_lock(&p->txlock);
	/* VENET_TX_AHEAD batches wait for the stack: the turn's holder reschedules us. */
	blocked = p->tx_next - p->tx_turn >= VENET_TX_AHEAD;
	p->tx_blocked |= blocked;
	while (!blocked && done < budget) {
		ret = ioq_consume(&c->txq, &t->elems[done]);
		if (ret <= 0)
			break;
		done++;
	}
	nr = p->tx_next;
	if (done)
		p->tx_next++;
	spin_unlock(&p->txlock);
	if (!done && !ret)
		goto out;

	for (i = 0; i < done; i++) {
		skb = venet_inject(ndev, t, &t->elems[i], c->txoff, &bytes);
		if (skb) {
			list_add_tail(&skb->list, &batch);
			n++;
		}
	}
	spin_lock(&p->txlock);
	for (i = 0; i < done; i++)
		ioq_complete(&c->txq, t->elems[i].id, t->elems[i].ndesc, 0);
	signal = ioq_notify(&c->txq);
	spin_unlock(&p->txlock);
	if (ret < 0)
		venet_broken(c, &c->txq);
	else
		vbus_conn_signal(c->conn, VENET_QUEUE_TX, signal);
	if (n)
		venet_rx_stats_add(ndev, n, bytes);
	if (done) {
		if (t == &p->tx[VENET_TX_KICK])
			atomic64_add(done, &p->vd->tx_by_kick);
		venet_tx_deliver(p, t, &batch, nr);
	}
out:
	/* Out of work: sleep on the ring's shm-signal, unless frames arrived meanwhile. */
	if (done < budget && napi_complete_done(napi, done) && c && ret >= 0 && !blocked) {
		spin_lock(&p->txlock);
		rearm = !ioq_arm(&c->txq);
		spin_unlock(&p->txlock);
	}
	/*
	 * Frames arrived as it re-armed: the softirq's instance polls again,
	 * the others leave them to the thread, as a kick's poll leaves what
	 * its budget did not take.
	 */
	if (rearm && t == &p->tx[VENET_TX_BH])
		napi_schedule(napi);
	else if (rearm || (done == budget && t == &p->tx[VENET_TX_KICK]))
		napi_schedule(&p->tx[VENET_TX_THREAD].napi);
	rcu_read_unlock();
	return done;
}

static int venet_open(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	int i;

	for (i = 0; i < VENET_TX_POLLS; i++)
		napi_enable(&p->tx[i].napi);
	netif_start_queue(ndev);
	/* Frames the client posted while we were down. */
	napi_schedule(&p->tx[VENET_TX_THREAD].napi);
	return 0;
}

static int venet_stop(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	int i;

	netif_stop_queue(ndev);
	for (i = 0; i < VENET_TX_POLLS; i++)
		napi_disable(&p->tx[i].napi);
	return 0;
}

static void venet_free_txpolls(struct venet_priv *p)
{
	int i;

	for (i = 0; i < VENET_TX_POLLS; i++) {
		if (!IS_ERR_OR_NULL(p->tx[i].pool))
			page_pool_destroy(p->tx[i].pool);
		kvfree(p->tx[i].elems);
	}
}

static int venet_init(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);
	struct page_pool_params pp = {
		.flags = PP_FLAG_PAGE_FRAG,
		.pool_size = 1024,
		.nid = NUMA_NO_NODE,
	};
	int i, ret;

	for (i = 0; i < VENET_TX_POLLS; i++) {
		struct venet_txpoll *t = &p->tx[i];

		t->pool = page_pool_create(&pp);
		t->elems = kvcalloc(NAPI_POLL_WEIGHT, sizeof(*t->elems), GFP_KERNEL);
		if (IS_ERR(t->pool) || !t->elems) {
			ret = IS_ERR(t->pool) ? PTR_ERR(t->pool) : -ENOMEM;
			venet_free_txpolls(p);
			return ret;
		}
		t->ndev = ndev;
	}
	ndev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	p->bh_dev = kzalloc(sizeof(*p->bh_dev), GFP_KERNEL);
	if (!ndev->tstats || !p->bh_dev) {
		kfree(p->bh_dev);
		free_percpu(ndev->tstats);
		venet_free_txpolls(p);
		return -ENOMEM;
	}
	/* Not threaded, and no busy polling (its napi_id would name bh_dev): _tx. */
	init_dummy_netdev(p->bh_dev);
	netif_napi_add_tx(p->bh_dev, &p->tx[VENET_TX_BH].napi, venet_poll);
	return 0;
}

static void venet_uninit(struct net_device *ndev)
{
	struct venet_priv *p = netdev_priv(ndev);

	netif_napi_del(&p->tx[VENET_TX_BH].napi);
	kfree(p->bh_dev);
	free_percpu(ndev->tstats);
	venet_free_txpolls(p);
}

/* The offloads only as far as the connected client takes them. */
static netdev_features_t venet_fix_features(struct net_device *ndev, netdev_features_t features)
{
	struct venet_priv *p = netdev_priv(ndev);

	if (!p->rxoff)
		features &= ~VENET_RXOFF_FEATURES;
	return features;
}

static const struct net_device_ops venet_netdev_ops = {
	.ndo_init		= venet_init,
	.ndo_uninit		= venet_uninit,
	.ndo_open		= venet_open,
	.ndo_stop		= venet_stop,
	.ndo_start_xmit		= venet_xmit,
	.ndo_fix_features	= venet_fix_features,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void venet_setup(struct net_device *ndev)
{
	ether_setup(ndev);
	ndev->netdev_ops = &venet_netdev_ops;
	ndev->needs_free_netdev = true;
	/* A qdisc (tx_queue_len from ether_setup) holds frames while the queue waits. */
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/* Wanted by default, on only with a client that takes them (ndo_fix_features). */
	ndev->hw_features |= VENET_RXOFF_FEATURES;
	ndev->features |= VENET_RXOFF_FEATURES;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = VENET_MTU_MAX;
	eth_hw_addr_random(ndev);
}

/* Caller holds vd->lock. */
static int venet_netdev_create_locked(struct venet_dev *vd, const char *name)
{
	struct net_device *ndev;
	struct venet_priv *p;
	int ret, i;

	ndev = alloc_netdev(sizeof(*p), name, NET_NAME_USER, venet_setup);
	if (!ndev)
		return -ENOMEM;
	p = netdev_priv(ndev);
	p->vd = vd;
	spin_lock_init(&p->txlock);
	for (i = 0; i < VENET_TX_AHEAD; i++)
		INIT_LIST_HEAD(&p->tx_park[i]);
	netif_napi_add(ndev, &p->tx[VENET_TX_THREAD].napi, venet_poll);
	netif_napi_add(ndev, &p->tx[VENET_TX_KICK].napi, venet_poll);
	ret = register_netdev(ndev);
	if (ret) {
		free_netdev(ndev);
		return ret;
	}
	netif_carrier_off(ndev);
	/*
	 * Threaded NAPI: a kick arrives from the client's eventfd write, with
	 * interrupts off, where a raised softirq would wait for the next tick;
	 * the NAPI thread is woken at once (the role of vhost's worker).
	 */
	rtnl_lock();
	ret = dev_set_threaded(ndev, true);
	rtnl_unlock();
	if (ret) {
		unregister_netdev(ndev);
		return ret;
	}
	vd->ndev = ndev;
	return 0;
}

/* Connections and the venet protocol */

/* The netdev's offloads as far as a client takes them. Caller holds vd->lock. */
static void venet_set_rxoff_locked(struct venet_dev *vd, bool rxoff)
{
	struct venet_priv *p = netdev_priv(vd->ndev);

	rtnl_lock();
	if (p->rxoff != rxoff) {
		p->rxoff = rxoff;
		netdev_update_features(vd->ndev);
	}
	rtnl_unlock();
}

/* Take the data path away from the client. Caller holds vd->lock. */
static void venet_link_down_locked(struct venet_dev *vd, struct venet_client *c)
{
	if (!c->up)
		return;
	WRITE_ONCE(c->up, false);
	netif_carrier_off(vd->ndev);
	/*
	 * Offloads off before the client goes: what the stack prepares from
	 * now on is finished on the host; a frame prepared before and
	 * requeued meanwhile is finished in venet_xmit_sw().
	 */
	venet_set_rxoff_locked(vd, false);
	RCU_INIT_POINTER(vd->dp, NULL);
	/* No xmit or NAPI poll uses the rings after this. */
	synchronize_net();
	/* A queue waiting for rx buffers (RXWAIT) waits no more: xmit drops now. */
	if (netif_running(vd->ndev))
		netif_wake_queue(vd->ndev);
}

static int venet_link_up_locked(struct venet_dev *vd, struct venet_client *c)
{
	struct venet_priv *p = netdev_priv(vd->ndev);

	if (c->up)
		return 0;
	if (!c->rxq_reg || !c->txq_reg || ioq_error(&c->rxq) || ioq_error(&c->txq))
		return -EINVAL;
	/*
	 * The rx ring's signal is armed only while the queue waits for buffers
	 * (RXWAIT); without RXWAIT the host never waits and needs no kick.
	 */
	ioq_disarm(&c->rxq);
	ioq_arm(&c->txq);
	c->rxwait = c->caps & VENET_CAP_RXWAIT;
	c->txoff = c->caps & VENET_CAP_TXOFF;
	c->linkev = c->caps & VENET_CAP_LINKEV;
	c->rxoff = c->caps & VENET_CAP_RXOFF;
	WRITE_ONCE(c->up, true);
	rcu_assign_pointer(vd->dp, c);
	venet_set_rxoff_locked(vd, c->rxoff);
	netif_carrier_on(vd->ndev);
	napi_schedule(&p->tx[VENET_TX_THREAD].napi);
	return 0;
}

/*
 * Link down: hand the posted rx buffers back empty, at most one ring's worth
 * per call: a client that posts each buffer again as it comes back cannot
 * keep the call (and the locks it holds) going.
 */
static int venet_flushrx_locked(struct venet_client *c)
{
	struct ioq_elem e;
	u32 n = 0;
	int ret = 0;

	if (c->up)
		return -EBUSY;
	if (!c->rxq_reg)
		return -EINVAL;
	while (n < c->rxq.count && (ret = ioq_consume(&c->rxq, &e)) > 0) {
		ioq_complete(&c->rxq, e.id, e.ndesc, 0);
		n++;
	}
	if (n)
		venet_rx_notify(c);
	return ret < 0 ? ret : 0;
}

static long venet_call_locked(struct venet_dev *vd, struct venet_client *c, u32 func,
			      void *buf, size_t len, size_t size)
{
	struct venet_negcap *neg = buf;
	struct venet_config *cfg = buf;

	switch (func) {
	case VENET_FUNC_NEGCAP:
		if (len != sizeof(*neg) || neg->reserved)
			return -EINVAL;
		c->caps = neg->caps & VENET_CAPS;
		neg->caps = c->caps;
		return sizeof(*neg);
	case VENET_FUNC_QREG:
		if (len != sizeof(struct venet_qreg))
			return -EINVAL;
		if (((struct venet_qreg *)buf)->queue == VENET_QUEUE_RX)
			return venet_host_qreg(c->conn, &c->rxq, &c->rxq_reg, c->up, buf);
		return venet_host_qreg(c->conn, &c->txq, &c->txq_reg, c->up, buf);
	case VENET_FUNC_LINKUP:
		return venet_link_up_locked(vd, c);
	case VENET_FUNC_LINKDOWN:
		venet_link_down_locked(vd, c);
		return 0;
	case VENET_FUNC_MACQUERY:
		if (size < ETH_ALEN)
			return -EINVAL;
		memcpy(buf, vd->client_mac, ETH_ALEN);
		return ETH_ALEN;
	case VENET_FUNC_FLUSHRX:
		return venet_flushrx_locked(c);
	case VENET_FUNC_IFNAME:
		if (size < IFNAMSIZ)
			return -EINVAL;
		return strscpy(buf, vd->client_ifname, IFNAMSIZ) + 1;
	case VENET_FUNC_CONFIG:
		if (size < sizeof(*cfg))
			return -EINVAL;
		memset(cfg, 0, sizeof(*cfg));
		memcpy(cfg->mac, vd->client_mac, ETH_ALEN);
		cfg->mtu = READ_ONCE(vd->ndev->mtu);
		cfg->caps = c->caps;
		cfg->frame_max = VENET_FRAME_MAX;
		/* Under rtnl, as the netdev event that signals a change (venet_link_event). */
		rtnl_lock();
		cfg->link = netif_running(vd->ndev);
		rtnl_unlock();
		return sizeof(*cfg);
	default:
		return -EINVAL;
	}
}

static long venet_call(struct vbus_device *vdev, struct vbus_conn *conn, u32 func,
		       void *buf, size_t len, size_t size)
{
	struct venet_dev *vd = vbus_device_priv(vdev);
	struct venet_client *c = vbus_conn_priv(conn);
	long ret;

	mutex_lock(&vd->lock);
	ret = venet_call_locked(vd, c, func, buf, len, size);
	mutex_unlock(&vd->lock);
	return ret;
}

static void venet_kick(struct vbus_device *vdev, struct vbus_conn *conn, u32 queue)
{
	struct venet_dev *vd = vbus_device_priv(vdev);
	struct venet_client *c = vbus_conn_priv(conn);
	struct venet_priv *p;

	/* The ndev is stable while connected. */
	if (!c || !READ_ONCE(c->up))
		return;
	p = netdev_priv(vd->ndev);
	if (queue == VENET_QUEUE_TX && irqs_disabled()) {
		/* An eventfd's: a softirq raised here would wait for the next interrupt. */
		napi_schedule(&p->tx[VENET_TX_THREAD].napi);
	} else if (queue == VENET_QUEUE_TX) {
		/*
		 * Interrupts on (the local connector's kick, from vbus-enet's
		 * transmit path, BHs off): the softirq runs when the caller
		 * enables BHs, after it dropped its locks, with no thread to
		 * wake. Not a poll here: what the frames make the host send
		 * back may go to the caller's own transmit path.
		 */
		local_bh_disable();
		napi_schedule(&p->tx[VENET_TX_BH].napi);
		local_bh_enable();
	} else if (queue == VENET_QUEUE_RX && c->rxwait && netif_running(vd->ndev)) {
		/* Buffers posted (RXWAIT): a queue waiting for them goes on. */
		netif_wake_queue(vd->ndev);
	}
}

/*
 * VBUS_IOC_KICK: the client's own thread does the work (under the
 * connection's lock: the link stays as it is). tx: one poll of the ring
 * runs here, on the kick's NAPI instance, beside the NAPI thread's poll if
 * that one is busy: the frames reach the stack before the call returns,
 * as with a write to a tap device, and a client that waits for room does
 * the work it waits for. What one budget leaves goes to the thread. rx:
 * the queue wakes here, and its qdisc runs when BHs are enabled again.
 */
static void venet_kick_sync(struct vbus_device *vdev, struct vbus_conn *conn, u32 queue)
{
	struct venet_dev *vd = vbus_device_priv(vdev);
	struct venet_client *c = vbus_conn_priv(conn);
	struct venet_priv *p;
	struct napi_struct *napi;

	if (!c || !READ_ONCE(c->up))
		return;
	p = netdev_priv(vd->ndev);
	napi = &p->tx[VENET_TX_KICK].napi;
	local_bh_disable();
	if (queue != VENET_QUEUE_TX)
		venet_kick(vdev, conn, queue);
	else if (!napi_schedule_prep(napi))
		napi_schedule(&p->tx[VENET_TX_THREAD].napi);
	else if (venet_poll(napi, NAPI_POLL_WEIGHT) == NAPI_POLL_WEIGHT)
		napi_complete(napi);
	local_bh_enable();
}

static int venet_connect(struct vbus_device *vdev, struct vbus_conn *conn)
{
	struct venet_dev *vd = vbus_device_priv(vdev);
	struct venet_client *c;
	int ret = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->conn = conn;
	c->vd = vd;
	mutex_lock(&vd->lock);
	if (vd->client) {
		ret = -EBUSY;
		kfree(c);
	} else {
		vd->client = c;
		vbus_conn_set_priv(conn, c);
	}
	mutex_unlock(&vd->lock);
	return ret;
}

static void venet_disconnect(struct vbus_device *vdev, struct vbus_conn *conn)
{
	struct venet_dev *vd = vbus_device_priv(vdev);
	struct venet_client *c = vbus_conn_priv(conn);

	mutex_lock(&vd->lock);
	venet_link_down_locked(vd, c);
	if (c->rxq_reg)
		ioq_cleanup(&c->rxq);
	if (c->txq_reg)
		ioq_cleanup(&c->txq);
	vd->client = NULL;
	mutex_unlock(&vd->lock);
	vbus_conn_set_priv(conn, NULL);
	kfree(c);
}

/* Attributes: /sys/vbus/devices/<name>/ */

static struct venet_dev *to_venet_dev(struct kobject *kobj)
{
	return vbus_device_priv(vbus_device_from_kobj(kobj));
}

static ssize_t ifname_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	ssize_t ret;

	mutex_lock(&vd->lock);
	ret = sysfs_emit(buf, "%s\n", vd->ndev->name);
	mutex_unlock(&vd->lock);
	return ret;
}

/*
 * The kernel cannot rename a netdev from a module (dev_change_name is not
 * exported): a new name means a new netdev, allowed while no client is
 * connected and the old one is down.
 */
static ssize_t ifname_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	char name[IFNAMSIZ];
	size_t len = strcspn(buf, "\n");
	struct net_device *old;
	int ret;

	if (!len || len >= IFNAMSIZ) {
		pr_err("invalid ifname of %zu characters\n", len);
		return -EINVAL;
	}
	memcpy(name, buf, len);
	name[len] = '\0';
	if (!dev_valid_name(name)) {
		pr_err("invalid ifname %s\n", name);
		return -EINVAL;
	}
	mutex_lock(&vd->lock);
	old = vd->ndev;
	if (vd->client || (old->flags & IFF_UP)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (!strcmp(old->name, name)) {
		ret = 0;
		goto out_unlock;
	}
	ret = venet_netdev_create_locked(vd, name);
	if (!ret)
		unregister_netdev(old);
out_unlock:
	mutex_unlock(&vd->lock);
	return ret ?: count;
}

static ssize_t host_mac_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	ssize_t ret;

	mutex_lock(&vd->lock);
	ret = sysfs_emit(buf, "%pM\n", vd->ndev->dev_addr);
	mutex_unlock(&vd->lock);
	return ret;
}

static int venet_parse_mac(const char *buf, u8 *mac)
{
	char s[18];
	size_t len = strcspn(buf, "\n");

	if (len != 17)
		goto out_invalid;
	memcpy(s, buf, len);
	s[len] = '\0';
	if (!mac_pton(s, mac) || !is_valid_ether_addr(mac))
		goto out_invalid;
	return 0;
out_invalid:
	pr_err("invalid MAC address %.*s\n", (int)min_t(size_t, len, 32), buf);
	return -EINVAL;
}

static ssize_t host_mac_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	struct sockaddr sa = {};
	int ret;

	ret = venet_parse_mac(buf, (u8 *)sa.sa_data);
	if (ret)
		return ret;
	mutex_lock(&vd->lock);
	/* Under vd->lock: an ifname store may replace the netdev. */
	sa.sa_family = vd->ndev->type;
	rtnl_lock();
	ret = dev_set_mac_address(vd->ndev, &sa, NULL);
	rtnl_unlock();
	mutex_unlock(&vd->lock);
	return ret ?: count;
}

static ssize_t client_mac_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	ssize_t ret;

	mutex_lock(&vd->lock);
	ret = sysfs_emit(buf, "%pM\n", vd->client_mac);
	mutex_unlock(&vd->lock);
	return ret;
}

static ssize_t client_mac_store(struct kobject *kobj, struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	u8 mac[ETH_ALEN];
	int ret;

	ret = venet_parse_mac(buf, mac);
	if (ret)
		return ret;
	mutex_lock(&vd->lock);
	if (vd->client)
		ret = -EBUSY;
	else
		ether_addr_copy(vd->client_mac, mac);
	mutex_unlock(&vd->lock);
	return ret ?: count;
}

static ssize_t client_ifname_show(struct kobject *kobj, struct kobj_attribute *attr,
				  char *buf)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	ssize_t ret;

	mutex_lock(&vd->lock);
	ret = sysfs_emit(buf, "%s\n", vd->client_ifname);
	mutex_unlock(&vd->lock);
	return ret;
}

/* The name a kernel client gives its netdev (VENET_FUNC_IFNAME); empty: its own. */
static ssize_t client_ifname_store(struct kobject *kobj, struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	size_t len = strcspn(buf, "\n");
	char name[IFNAMSIZ] = "";
	int ret = 0;

	if (len < IFNAMSIZ)
		memcpy(name, buf, len);
	if (len >= IFNAMSIZ || (len && !dev_valid_name(name))) {
		pr_err("invalid client_ifname %.*s\n", (int)min_t(size_t, len, 32), buf);
		return -EINVAL;
	}
	mutex_lock(&vd->lock);
	if (vd->client)
		ret = -EBUSY;
	else
		strscpy(vd->client_ifname, name, sizeof(vd->client_ifname));
	mutex_unlock(&vd->lock);
	return ret ?: count;
}

static ssize_t mtu_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	ssize_t ret;

	mutex_lock(&vd->lock);
	ret = sysfs_emit(buf, "%u\n", vd->ndev->mtu);
	mutex_unlock(&vd->lock);
	return ret;
}

/* The same as "ip link set IFNAME mtu N", for topologies that set it. */
static ssize_t mtu_store(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	unsigned int mtu;
	int ret;

	if (kstrtouint(buf, 10, &mtu)) {
		pr_err("invalid mtu %.*s\n", (int)min_t(size_t, strcspn(buf, "\n"), 32), buf);
		return -EINVAL;
	}
	mutex_lock(&vd->lock);
	rtnl_lock();
	ret = dev_set_mtu(vd->ndev, mtu);
	rtnl_unlock();
	mutex_unlock(&vd->lock);
	return ret ?: count;
}

static ssize_t coalesce_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_venet_dev(kobj)->coalesce));
}

static ssize_t coalesce_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || !v || v > VENET_COALESCE_MAX) {
		pr_err("invalid coalesce %.*s\n", (int)strcspn(buf, "\n"), buf);
		return -EINVAL;
	}
	WRITE_ONCE(to_venet_dev(kobj)->coalesce, v);
	return count;
}

static ssize_t connected_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct venet_dev *vd = to_venet_dev(kobj);
	ssize_t ret;

	mutex_lock(&vd->lock);
	ret = sysfs_emit(buf, "%d\n", !!vd->client);
	mutex_unlock(&vd->lock);
	return ret;
}

#define VENET_COUNTER_ATTR(name)						\
static ssize_t name##_show(struct kobject *kobj, struct kobj_attribute *attr,	\
			   char *buf)						\
{										\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&to_venet_dev(kobj)->name)); \
}										\
static struct vbus_attribute venet_attr_##name = __VBUS_ATTR_COUNTER(name, COUNTER, OTHER)

/*
 * The host end's IOQ counters of the connected client's rings (0 without
 * one): produced, consumed, signals, suppressed, errors per queue. They
 * reach genl and vbusctl through the device dump of class attributes.
 */
#define VENET_QUEUE_ATTR(q, field, counts)					\
static ssize_t q##_##field##_show(struct kobject *kobj,			\
				  struct kobj_attribute *attr, char *buf)	\
{										\
	struct venet_dev *vd = to_venet_dev(kobj);				\
	u64 v = 0;								\
										\
	mutex_lock(&vd->lock);							\
	if (vd->client && vd->client->q##_reg)					\
		v = READ_ONCE(vd->client->q.stats.field);			\
	mutex_unlock(&vd->lock);						\
	return sysfs_emit(buf, "%llu\n", v);					\
}										\
static struct vbus_attribute venet_attr_##q##_##field =			\
	__VBUS_ATTR_COUNTER(q##_##field, QUEUE_COUNTER, counts)

/* The frames each way: those rxq completes to the client, those txq takes. */
VENET_QUEUE_ATTR(rxq, produced, FRAMES_IN);
VENET_QUEUE_ATTR(rxq, consumed, OTHER);
VENET_QUEUE_ATTR(rxq, signals, OTHER);
VENET_QUEUE_ATTR(rxq, suppressed, OTHER);
VENET_QUEUE_ATTR(rxq, errors, OTHER);
VENET_QUEUE_ATTR(txq, produced, OTHER);
VENET_QUEUE_ATTR(txq, consumed, FRAMES_OUT);
VENET_QUEUE_ATTR(txq, signals, OTHER);
VENET_QUEUE_ATTR(txq, suppressed, OTHER);
VENET_QUEUE_ATTR(txq, errors, OTHER);

VENET_COUNTER_ATTR(rx_overruns);
VENET_COUNTER_ATTR(rx_truncated);
VENET_COUNTER_ATTR(tx_bad);
VENET_COUNTER_ATTR(tx_by_kick);
VENET_COUNTER_ATTR(ring_errors);

static struct vbus_attribute venet_attr_ifname = __VBUS_ATTR_RW(ifname, SETTING, STRING);
static struct vbus_attribute venet_attr_host_mac = __VBUS_ATTR_RW(host_mac, SETTING, STRING);
static struct vbus_attribute venet_attr_client_mac = __VBUS_ATTR_RW(client_mac, SETTING, STRING);
static struct vbus_attribute venet_attr_client_ifname =
	__VBUS_ATTR_RW(client_ifname, SETTING, STRING);
static struct vbus_attribute venet_attr_mtu = __VBUS_ATTR_RW(mtu, SETTING, UINT);
static struct vbus_attribute venet_attr_coalesce = __VBUS_ATTR_RW(coalesce, SETTING, UINT);
static struct vbus_attribute venet_attr_connected = __VBUS_ATTR_RO(connected, SETTING, BOOL);

static struct attribute *venet_attrs[] = {
	&venet_attr_ifname.kattr.attr,
	&venet_attr_host_mac.kattr.attr,
	&venet_attr_client_mac.kattr.attr,
	&venet_attr_client_ifname.kattr.attr,
	&venet_attr_mtu.kattr.attr,
	&venet_attr_coalesce.kattr.attr,
	&venet_attr_connected.kattr.attr,
	&venet_attr_rx_overruns.kattr.attr,
	&venet_attr_rx_truncated.kattr.attr,
	&venet_attr_tx_bad.kattr.attr,
	&venet_attr_tx_by_kick.kattr.attr,
	&venet_attr_ring_errors.kattr.attr,
	&venet_attr_rxq_produced.kattr.attr,
	&venet_attr_rxq_consumed.kattr.attr,
	&venet_attr_rxq_signals.kattr.attr,
	&venet_attr_rxq_suppressed.kattr.attr,
	&venet_attr_rxq_errors.kattr.attr,
	&venet_attr_txq_produced.kattr.attr,
	&venet_attr_txq_consumed.kattr.attr,
	&venet_attr_txq_signals.kattr.attr,
	&venet_attr_txq_suppressed.kattr.attr,
	&venet_attr_txq_errors.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(venet);

static int venet_create(struct vbus_device *vdev)
{
	struct venet_dev *vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	int ret;

	if (!vd)
		return -ENOMEM;
	mutex_init(&vd->lock);
	vd->vdev = vdev;
	vd->coalesce = VENET_COALESCE_DEFAULT;
	eth_random_addr(vd->client_mac);
	mutex_lock(&vd->lock);
	ret = venet_netdev_create_locked(vd, "venet%d");
	mutex_unlock(&vd->lock);
	if (ret) {
		kfree(vd);
		return ret;
	}
	vbus_device_set_priv(vdev, vd);
	return 0;
}

static void venet_release(struct vbus_device *vdev)
{
	struct venet_dev *vd = vbus_device_priv(vdev);

	if (!vd)
		return;
	unregister_netdev(vd->ndev);
	kfree(vd);
}

static struct vbus_class venet_class = {
	.name		= "venet-tap",
	.type		= VENET_TYPE,
	.owner		= THIS_MODULE,
	.attr_groups	= venet_groups,
	.create		= venet_create,
	.release	= venet_release,
	.connect	= venet_connect,
	.disconnect	= venet_disconnect,
	.call		= venet_call,
	.kick		= venet_kick,
	.kick_sync	= venet_kick_sync,
};

/*
 * The host netdev went up or down (under rtnl): a client with the link up
 * and VENET_CAP_LINKEV is signalled on VENET_QUEUE_LINK and reads the state
 * by VENET_FUNC_CONFIG, which reads it under rtnl too: a client that
 * brought its link up after this read the new state.
 */
static void venet_link_event(struct venet_dev *vd)
{
	struct venet_client *c;

	rcu_read_lock();
	c = rcu_dereference(vd->dp);
	if (c && c->linkev)
		vbus_conn_signal(c->conn, VENET_QUEUE_LINK, true);
	rcu_read_unlock();
}

/* Attributes backed by the netdev change through ip(8) too: announce them. */
static int venet_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *ndev = netdev_notifier_info_to_dev(ptr);
	struct venet_priv *p = netdev_priv(ndev);
	const char *attr;

	if (ndev->netdev_ops != &venet_netdev_ops)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_CHANGENAME:
		attr = "ifname";
		break;
	case NETDEV_CHANGEMTU:
		attr = "mtu";
		break;
	case NETDEV_CHANGEADDR:
		attr = "host_mac";
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
		venet_link_event(p->vd);
		return NOTIFY_DONE;
	default:
		return NOTIFY_DONE;
	}
	vbus_device_attr_changed(p->vd->vdev, attr);
	return NOTIFY_DONE;
}

static struct notifier_block venet_netdev_notifier = {
	.notifier_call = venet_netdev_event,
};

static int __init venet_mod_init(void)
{
	int ret;

	ret = register_netdevice_notifier(&venet_netdev_notifier);
	if (ret)
		return ret;
	ret = vbus_class_register(&venet_class);
	if (ret)
		unregister_netdevice_notifier(&venet_netdev_notifier);
	return ret;
}

static void __exit venet_mod_exit(void)
{
	vbus_class_unregister(&venet_class);
	unregister_netdevice_notifier(&venet_netdev_notifier);
}

module_init(venet_mod_init);
module_exit(venet_mod_exit);

MODULE_DESCRIPTION("Virtual-bus virtual-ethernet device class with a host netdev (venet-tap)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_VBUS_CLASS("venet-tap");
