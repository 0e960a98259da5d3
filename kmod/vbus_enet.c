// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-enet.ko: the driver of interface type `virtual-ethernet` on the vbus
 * driver model (vbus_driver.h): the client end of a venet device
 * (doc/abi/venet.md) as a kernel netdev, paired with venet-tap's host
 * netdev as a veth pair is. It reaches the device only through the
 * transport-neutral vbus_proxy_* calls, so it runs over the local
 * connector today and the guest bridge next.
 *
 * Shared memory (one area from vbus_proxy_shm()): the rx ring, the tx ring,
 * then VENET_ENET_RING fixed buffers for each direction, each large enough
 * for the largest frame (VENET_FRAME_MAX), so every MTU up to 9000 works
 * without re-registering; with VENET_CAP_RXOFF the rx buffers hold a header
 * and a 64 KiB frame; a GSO frame on tx (VENET_CAP_TXOFF) takes a chain of
 * tx buffers. Frames are copied in and out of the area (the host copies on
 * its side too).
 *
 *  - rx (host to client): every rx buffer is posted at probe; NAPI reaps the
 *    completed ones, copies each frame into an skb for GRO (TCP and GSO
 *    frames) or for a list it hands the stack at the end of the poll (the
 *    others), and posts the buffer again; the ring's signal (shm-signal)
 *    is armed only when NAPI runs dry. VENET_CAP_RXWAIT: the host waits
 *    for buffers rather than drop, and is kicked when it waits and buffers
 *    come back.
 *    VENET_CAP_RXOFF (module parameter rx_offload): each frame starts with
 *    a virtio-net header, which virtio_net_hdr_to_skb() turns into the
 *    skb's checksum and GSO state after stricter checks of our own; a frame
 *    whose header or length the host got wrong is dropped and counted
 *    (rx_bad).
 *  - tx (client to host): the transmit path copies the frame (linear or
 *    fragmented: NETIF_F_SG) into a free buffer and posts it held back;
 *    the batch is published and the host kicked (only if shm-signal says
 *    it sleeps) at the end of a burst (no xmit_more). Completions are
 *    reaped in the transmit path and in NAPI; a ring without room for the
 *    largest frame stops the queue and arms the ring's signal for a batch
 *    of completions. VENET_CAP_TXOFF (module parameter tx_offload): each
 *    frame starts with a virtio-net header (virtio_net_hdr_from_skb()), so
 *    the netdev offers checksum offload and, with VENET_CAP_SG, TSO: a GSO
 *    frame of up to 64 KiB goes as a chain of buffers, which the host's
 *    stack takes as it is.
 *
 * Locking: the tx ring and its free buffers are under the netdev's tx
 * queue lock (one queue); the rx ring is NAPI's alone. The device's calls
 * are made from probe and remove only (process context, without rtnl: the
 * class takes its own lock, which nests outside rtnl).
 *
 * Lifetime: probe opens the device and brings the link up, remove takes it
 * down, unregisters the netdev and closes the device, after which no signal
 * arrives. The carrier follows the link: on while the host netdev is up
 * (VENET_CAP_LINKEV: the host signals each change on VENET_QUEUE_LINK and
 * the link work reads it by CONFIG), off when a ring breaks. When the
 * device leaves its bus the connection dies first (calls fail, kicks are
 * ignored) and remove follows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/virtio_net.h>
#include <uapi/linux/vbus_ioq.h>
#include <uapi/linux/vbus_venet.h>

#include "ioq/ioq.h"
#include "vbus_driver.h"
#include "venet_stats.h"

#define VENET_ENET_NAME		"vbus-enet"	/* the driver, as ethtool -i says */
#define VENET_ENET_RING		256	/* descriptors, and buffers, per ring */
#define VENET_ENET_BUF		9216	/* >= VENET_FRAME_MAX, a multiple of 64 */
#define VENET_ENET_TX_WAKE	32	/* completions that restart a stopped queue */
/* The tx buffers of the largest frame with VENET_CAP_TXOFF: its header and 64 KiB. */
#define VENET_ENET_TX_CHAIN	DIV_ROUND_UP(sizeof(struct virtio_net_hdr) + VENET_TXOFF_FRAME_MAX, \
				     VENET_ENET_BUF)
#define VENET_ENET_TX_END	VENET_ENET_RING	/* tx_next[] of a chain's last buffer */
/* The netdev's offloads with VENET_CAP_TXOFF; TSO needs VENET_CAP_SG too (chains). */
#define VENET_ENET_TXOFF_CSUM	NETIF_F_HW_CSUM
#define VENET_ENET_TXOFF_TSO	(NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_TSO_ECN)
/* An rx buffer with VENET_CAP_RXOFF: the header and the largest GSO frame. */
#define VENET_ENET_RXOFF_BUF	ALIGN(VENET_RXOFF_BUF_MIN, 64)
/* The linear part of a frame longer than VENET_FRAME_MAX (its headers); pages hold the rest. */
#define VENET_ENET_RX_HEAD	256

static bool rx_offload = true;
module_param(rx_offload, bool, 0644);
MODULE_PARM_DESC(rx_offload,
		 "Ask the host for partial checksums and TCP segments of 64 KiB (VENET_CAP_RXOFF), at the next probe (default: on)");

static bool tx_offload = true;
module_param(tx_offload, bool, 0644);
MODULE_PARM_DESC(tx_offload,
		 "Send the host partial checksums and TCP segments of 64 KiB (VENET_CAP_TXOFF), at the next probe (default: on)");

struct venet_enet {
	struct vbus_proxy_device *pdev;
	struct net_device *ndev;
	struct napi_struct napi;
	struct ioq rxq;			/* NAPI's */
	struct ioq txq;			/* under the tx queue lock */
	u8 *shm;
	u64 rx_area, tx_area;		/* offsets of the buffer areas */
	u32 rx_buf;			/* bytes per rx buffer */
	u64 rx_gso, rx_bad;		/* frames with GSO, malformed frames: NAPI's */
	u64 rx_polls;			/* NAPI polls: NAPI's */
	u64 tx_gso;			/* GSO frames sent: under the tx queue lock */
	u16 tx_free[VENET_ENET_RING];	/* free tx buffers, under the tx queue lock */
	u16 tx_next[VENET_ENET_RING];	/* a posted chain's next buffer, or VENET_ENET_TX_END */
	unsigned int n_tx_free;
	unsigned int tx_max;		/* buffers of the largest frame: stop below that */
	bool rxwait;
	bool linkev;			/* VENET_CAP_LINKEV granted */
	struct work_struct link_work;	/* the host's link changed */
	bool rxoff;			/* VENET_CAP_RXOFF: rx frames start with a header */
	bool txoff;			/* VENET_CAP_TXOFF: tx frames start with a header */
	bool rxq_reg, txq_reg;
	unsigned long broken;		/* bit 0: a ring broke the protocol */
	struct venet_config cfg;
};

static void venet_enet_broken(struct venet_enet *e, struct ioq *q)
{
	if (test_and_set_bit(0, &e->broken))
		return;
	netif_carrier_off(e->ndev);
	netdev_err(e->ndev, "host ring error: %s\n", ioq_error_name(ioq_error(q)));
}

/* Device to driver: any context. */
static void venet_enet_signal(struct vbus_proxy_device *pdev, u32 queue)
{
	struct venet_enet *e = dev_get_drvdata(&pdev->dev);

	if (queue == VENET_QUEUE_LINK)
		schedule_work(&e->link_work);
	else
		napi_schedule(&e->napi);
}

/* Take the host's tx completions back. Caller holds the tx queue lock. */
static void venet_enet_tx_reap(struct venet_enet *e)
{
	void *cookie;
	u32 len;
	int ret;
	u16 b;

	while ((ret = ioq_reap(&e->txq, &cookie, &len)) > 0) {
		for (b = (uintptr_t)cookie - 1; b != VENET_ENET_TX_END; b = e->tx_next[b])
			e->tx_free[e->n_tx_free++] = b;
	}
	if (ret < 0)
		venet_enet_broken(e, &e->txq);
}

static void venet_enet_tx_kick(struct venet_enet *e)
{
	if (ioq_kick(&e->txq))
		vbus_proxy_kick(e->pdev, VENET_QUEUE_TX);
}

/*
 * Copy the frame, after its header (VENET_CAP_TXOFF) if any, into a chain
 * of n free tx buffers and post it held back. Caller holds the tx queue
 * lock and checked that n buffers are free.
 */
static int venet_enet_tx_post(struct venet_enet *e, struct sk_buff *skb,
			      const struct virtio_net_hdr *h, unsigned int n)
{
	unsigned int hlen = e->txoff ? sizeof(*h) : 0, total = hlen + skb->len, pos = 0, i;
	struct ioq_buf bufs[VENET_ENET_TX_CHAIN] = { 0 };
	u16 head = VENET_ENET_TX_END, b;
	int ret = 0;
	u8 *to;

	for (i = n; i-- > 0;) {
		b = e->tx_free[--e->n_tx_free];
		e->tx_next[b] = head;
		head = b;
		bufs[i].offset = (u64)b * VENET_ENET_BUF;	/* in the tx area */
	}
	for (i = 0; i < n && !ret; i++) {
		bufs[i].len = min_t(unsigned int, total - pos, VENET_ENET_BUF);
		to = e->shm + e->tx_area + bufs[i].offset;
		if (!i && hlen) {
			/* hlen < VENET_ENET_BUF: in the first buffer. */
			memcpy(to, h, hlen);
			ret = skb_copy_bits(skb, 0, to + hlen, bufs[i].len - hlen);
		} else {
			ret = skb_copy_bits(skb, pos - hlen, to, bufs[i].len);
		}
		pos += bufs[i].len;
	}
	if (!ret)
		ret = ioq_post(&e->txq, bufs, n, (void *)(uintptr_t)(head + 1), IOQ_POST_HOLD);
	if (ret) {
		for (b = head; b != VENET_ENET_TX_END; b = e->tx_next[b])
			e->tx_free[e->n_tx_free++] = b;
	}
	return ret;
}

static netdev_tx_t venet_enet_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct venet_enet *e = netdev_priv(ndev);
	struct virtio_net_hdr h = { 0 };
	unsigned int len = skb->len, n;
	bool gso = skb_is_gso(skb);

	venet_enet_tx_reap(e);
	/* Only TCP segments can be GSO here, of a chain at most (venet_enet_features_check). */
	if (len < ETH_HLEN ||
	    len > (gso ? VENET_TXOFF_FRAME_MAX : READ_ONCE(ndev->mtu) + VLAN_ETH_HLEN) ||
	    (e->txoff && virtio_net_hdr_from_skb(skb, &h, true, false, 0)))
		goto out_drop;
	n = DIV_ROUND_UP((e->txoff ? sizeof(h) : 0) + len, VENET_ENET_BUF);
	if (n > e->n_tx_free || venet_enet_tx_post(e, skb, &h, n))
		goto out_drop;
	if (gso)
		WRITE_ONCE(e->tx_gso, e->tx_gso + 1);
	dev_sw_netstats_tx_add(ndev, 1, len);
	dev_consume_skb_any(skb);

	if (e->n_tx_free < e->tx_max) {
		/* No room for the largest frame: wait for a batch of completions. */
		netif_stop_queue(ndev);
		venet_enet_tx_kick(e);
		if (!ioq_arm_reap(&e->txq, VENET_ENET_TX_WAKE)) {
			venet_enet_tx_reap(e);
			netif_wake_queue(ndev);
		}
	} else if (!netdev_xmit_more()) {
		venet_enet_tx_kick(e);
	}
	return NETDEV_TX_OK;

out_drop:
	dev_core_stats_tx_dropped_inc(ndev);
	dev_kfree_skb_any(skb);
	if (!netdev_xmit_more())
		venet_enet_tx_kick(e);
	return NETDEV_TX_OK;
}

/* A GSO frame beyond what a chain holds (forwarded from GRO) is segmented by the stack. */
static netdev_features_t venet_enet_features_check(struct sk_buff *skb, struct net_device *ndev,
						   netdev_features_t features)
{
	if (skb_is_gso(skb) && skb->len > VENET_TXOFF_FRAME_MAX)
		features &= ~NETIF_F_GSO_MASK;
	return vlan_features_check(skb, features);
}

static int venet_enet_post_rx(struct venet_enet *e, u16 b, unsigned int flags)
{
	struct ioq_buf buf = {
		.offset = (u64)b * e->rx_buf,	/* in the rx area */
		.len = e->rx_buf,
		.flags = IOQ_DESC_F_WRITE,
	};

	return ioq_post(&e->rxq, &buf, 1, (void *)(uintptr_t)(b + 1), flags);
}

/*
 * A copy of a frame of len bytes: linear up to VENET_FRAME_MAX, beyond that
 * (GSO frames) its first VENET_ENET_RX_HEAD bytes linear and the rest in
 * pages, rather than a 64 KiB allocation of contiguous memory.
 */
static struct sk_buff *venet_enet_rx_skb(struct napi_struct *napi, const u8 *data, u32 len)
{
	u32 head = len <= VENET_FRAME_MAX ? len : VENET_ENET_RX_HEAD, off, n;
	struct sk_buff *skb;
	struct page *page;

	skb = napi_alloc_skb(napi, head);
	if (!skb)
		return NULL;
	skb_put_data(skb, data, head);
	for (off = head; off < len; off += n) {
		page = dev_alloc_page();
		if (!page) {
			kfree_skb(skb);
			return NULL;
		}
		n = min_t(u32, len - off, PAGE_SIZE);
		memcpy(page_address(page), data + off, n);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, n, PAGE_SIZE);
	}
	return skb;
}

/*
 * VENET_CAP_RXOFF: whether the header the host wrote (a copy: read once)
 * may go to virtio_net_hdr_to_skb() with a frame of len bytes. Stricter
 * than virtio-net: the host sends only TCP segments, always with a partial
 * checksum, and no flag we do not know.
 */
static bool venet_enet_hdr_ok(const struct virtio_net_hdr *h, u32 len)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return false;
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return len <= VENET_FRAME_MAX;
	return (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6) &&
	       (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && len <= VENET_RXOFF_FRAME_MAX;
}

/*
 * One frame the host completed into rx buffer data (len bytes, which the
 * IOQ code checked against the buffer, not 0) to GRO, or to the list the
 * poll hands the stack (venet_gro_tcp()); false when it was dropped: no
 * memory, or malformed (also counted in rx_bad).
 */
static bool venet_enet_rx(struct venet_enet *e, const u8 *data, u32 len, struct list_head *list)
{
	struct net_device *ndev = e->ndev;
	struct virtio_net_hdr h = { 0 };
	u32 hlen = e->rxoff ? sizeof(h) : 0;
	struct sk_buff *skb = NULL;

	if (len < hlen + ETH_HLEN)
		goto out_bad;
	memcpy(&h, data, hlen);
	len -= hlen;
	if (hlen && !venet_enet_hdr_ok(&h, len))
		goto out_bad;
	skb = venet_enet_rx_skb(&e->napi, data + hlen, len);
	if (!skb) {
		dev_core_stats_rx_dropped_inc(ndev);
		return false;
	}
	if (hlen) {
		/* A frame too short for its gso_size is not GSO, and then fits the MTU's frame. */
		if (virtio_net_hdr_to_skb(skb, &h, true) ||
		    (!skb_is_gso(skb) && len > VENET_FRAME_MAX))
			goto out_bad;
		/*
		 * rx-checksumming off: the stack checks every checksum, the
		 * host's partial ones completed here (a GSO frame's stay
		 * partial: the host's own stack left them, as it would for a
		 * NIC), those the host verified again.
		 */
		if (!(ndev->features & NETIF_F_RXCSUM)) {
			if (skb->ip_summed == CHECKSUM_PARTIAL && !skb_is_gso(skb) &&
			    skb_checksum_help(skb))
				goto out_bad;
		} else if ((h.flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
			   skb->ip_summed == CHECKSUM_NONE) {
			skb->ip_summed = CHECKSUM_UNNECESSARY;
		}
	}
	skb->protocol = eth_type_trans(skb, ndev);
	if (skb_is_gso(skb)) {
		/* The segments' protocol is the frame's. */
		if (!virtio_net_hdr_match_proto(skb->protocol, h.gso_type))
			goto out_bad;
		WRITE_ONCE(e->rx_gso, e->rx_gso + 1);
	}
	if (skb_is_gso(skb) || venet_gro_tcp(skb))
		napi_gro_receive(&e->napi, skb);
	else
		list_add_tail(&skb->list, list);
	return true;

out_bad:
	kfree_skb(skb);
	WRITE_ONCE(e->rx_bad, e->rx_bad + 1);
	dev_core_stats_rx_dropped_inc(ndev);
	return false;
}

/* Host to client, and the tx completions of a stopped queue. */
static int venet_enet_poll(struct napi_struct *napi, int budget)
{
	struct venet_enet *e = container_of(napi, struct venet_enet, napi);
	struct net_device *ndev = e->ndev;
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, 0);
	u64 packets = 0, bytes = 0;
	LIST_HEAD(list);
	void *cookie;
	int done = 0, ret = 0;
	u32 len;
	u16 b;

	WRITE_ONCE(e->rx_polls, e->rx_polls + 1);
	if (netif_tx_queue_stopped(txq)) {
		__netif_tx_lock(txq, smp_processor_id());
		venet_enet_tx_reap(e);
		if (e->n_tx_free >= VENET_ENET_TX_WAKE || e->n_tx_free == VENET_ENET_RING)
			netif_tx_wake_queue(txq);
		__netif_tx_unlock(txq);
	}

	while (done < budget && (ret = ioq_reap(&e->rxq, &cookie, &len)) > 0) {
		b = (uintptr_t)cookie - 1;
		done++;
		/* Length 0: a buffer the host returned empty (the frame did not fit). */
		if (len && venet_enet_rx(e, e->shm + e->rx_area + (u64)b * e->rx_buf, len, &list)) {
			packets++;
			bytes += len - (e->rxoff ? sizeof(struct virtio_net_hdr) : 0);
		}
		/* The ring has room for it: it came off the ring just now. */
		venet_enet_post_rx(e, b, IOQ_POST_HOLD);
	}
	if (ret < 0)
		venet_enet_broken(e, &e->rxq);
	if (!list_empty(&list))
		netif_receive_skb_list(&list);
	if (packets)
		venet_rx_stats_add(ndev, packets, bytes);
	/* Buffers back: publish, and kick a host that waits for them (RXWAIT). */
	if (ioq_kick(&e->rxq) && e->rxwait)
		vbus_proxy_kick(e->pdev, VENET_QUEUE_RX);

	if (done < budget && napi_complete_done(napi, done) && ret >= 0 && !ioq_arm(&e->rxq))
		napi_schedule(napi);
	return done;
}

static int venet_enet_open(struct net_device *ndev)
{
	struct venet_enet *e = netdev_priv(ndev);

	napi_enable(&e->napi);
	netif_start_queue(ndev);
	/* Frames the host completed while we were down. */
	napi_schedule(&e->napi);
	return 0;
}

static int venet_enet_stop(struct net_device *ndev)
{
	struct venet_enet *e = netdev_priv(ndev);

	netif_stop_queue(ndev);
	napi_disable(&e->napi);
	return 0;
}

static const struct net_device_ops venet_enet_netdev_ops = {
	.ndo_open		= venet_enet_open,
	.ndo_stop		= venet_enet_stop,
	.ndo_start_xmit		= venet_enet_xmit,
	.ndo_features_check	= venet_enet_features_check,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* ethtool: the driver's name and the IOQ counters of its ring ends. */

static const char venet_enet_stat_names[][ETH_GSTRING_LEN] = {
	"rxq_produced", "rxq_consumed", "rxq_signals", "rxq_suppressed", "rxq_errors",
	"txq_produced", "txq_consumed", "txq_signals", "txq_suppressed", "txq_errors",
	"rx_gso", "rx_bad", "tx_gso", "rx_polls",
};

static void venet_enet_get_drvinfo(struct net_device *ndev, struct ethtool_drvinfo *info)
{
	struct venet_enet *e = netdev_priv(ndev);

	strscpy(info->driver, VENET_ENET_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&e->pdev->dev), sizeof(info->bus_info));
}

static int venet_enet_get_sset_count(struct net_device *ndev, int sset)
{
	return sset == ETH_SS_STATS ? ARRAY_SIZE(venet_enet_stat_names) : -EOPNOTSUPP;
}

static void venet_enet_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, venet_enet_stat_names, sizeof(venet_enet_stat_names));
}

static void venet_enet_get_stats(struct net_device *ndev, struct ethtool_stats *stats, u64 *data)
{
	struct venet_enet *e = netdev_priv(ndev);
	const struct ioq_stats *s[] = { &e->rxq.stats, &e->txq.stats };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		*data++ = READ_ONCE(s[i]->produced);
		*data++ = READ_ONCE(s[i]->consumed);
		*data++ = READ_ONCE(s[i]->signals);
		*data++ = READ_ONCE(s[i]->suppressed);
		*data++ = READ_ONCE(s[i]->errors);
	}
	*data++ = READ_ONCE(e->rx_gso);
	*data++ = READ_ONCE(e->rx_bad);
	*data++ = READ_ONCE(e->tx_gso);
	*data++ = READ_ONCE(e->rx_polls);
}

static const struct ethtool_ops venet_enet_ethtool_ops = {
	.get_drvinfo		= venet_enet_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= venet_enet_get_sset_count,
	.get_strings		= venet_enet_get_strings,
	.get_ethtool_stats	= venet_enet_get_stats,
};

/* Probe and remove */

static long venet_enet_call(struct venet_enet *e, u32 func, void *buf, size_t len, size_t size)
{
	return vbus_proxy_call(e->pdev, func, buf, len, size);
}

static int venet_enet_qreg(struct venet_enet *e, u32 queue, u64 ring, u64 area)
{
	struct venet_qreg r = {
		.queue = queue, .count = VENET_ENET_RING, .ring = ring, .area = area,
		.area_len = (u64)VENET_ENET_RING *
			    (queue == VENET_QUEUE_RX ? e->rx_buf : VENET_ENET_BUF),
	};
	struct ioq *q = queue == VENET_QUEUE_RX ? &e->rxq : &e->txq;
	bool *reg = queue == VENET_QUEUE_RX ? &e->rxq_reg : &e->txq_reg;
	long ret;

	ret = venet_enet_call(e, VENET_FUNC_QREG, &r, sizeof(r), sizeof(r));
	if (ret < 0)
		return ret;
	ret = ioq_init(q, IOQ_PRODUCER, e->shm + ring, IOQ_RING_SIZE(VENET_ENET_RING),
		       e->shm + area, r.area_len);
	*reg = !ret;
	return ret;
}

/*
 * The carrier follows the host netdev's state, which CONFIG reports with
 * VENET_CAP_LINKEV (a host without it: on while the link is up), and stays
 * off once a ring broke. Process context.
 */
static void venet_enet_link_update(struct venet_enet *e)
{
	struct venet_config cfg;
	bool up = true;

	if (e->linkev)
		up = venet_enet_call(e, VENET_FUNC_CONFIG, &cfg, 0, sizeof(cfg)) >=
			(long)sizeof(cfg) && cfg.link;
	if (up && !test_bit(0, &e->broken)) {
		netif_carrier_on(e->ndev);
		/* A ring that broke meanwhile keeps it off. */
		if (test_bit(0, &e->broken))
			netif_carrier_off(e->ndev);
	} else {
		netif_carrier_off(e->ndev);
	}
}

static void venet_enet_link_work(struct work_struct *work)
{
	venet_enet_link_update(container_of(work, struct venet_enet, link_work));
}

/* Negotiate, allocate and register the rings, post every rx buffer. */
static int venet_enet_setup(struct venet_enet *e)
{
	size_t ring_sz = PAGE_ALIGN(IOQ_RING_SIZE(VENET_ENET_RING));
	size_t rx_sz, tx_sz = (size_t)VENET_ENET_RING * VENET_ENET_BUF;
	struct venet_negcap neg = { .caps = VENET_CAP_RXWAIT | VENET_CAP_LINKEV };
	void *shm;
	long ret;
	u16 i;

	BUILD_BUG_ON(VENET_ENET_TX_CHAIN > IOQ_SG_MAX || VENET_ENET_TX_WAKE < VENET_ENET_TX_CHAIN);
	if (READ_ONCE(rx_offload))
		neg.caps |= VENET_CAP_RXOFF;
	if (READ_ONCE(tx_offload))
		neg.caps |= VENET_CAP_TXOFF | VENET_CAP_SG;
	ret = venet_enet_call(e, VENET_FUNC_NEGCAP, &neg, sizeof(neg), sizeof(neg));
	if (ret < 0)
		return ret;
	e->rxwait = neg.caps & VENET_CAP_RXWAIT;
	e->linkev = neg.caps & VENET_CAP_LINKEV;
	e->rxoff = neg.caps & VENET_CAP_RXOFF;
	e->txoff = neg.caps & VENET_CAP_TXOFF;
	e->tx_max = 1;
	if (e->txoff) {
		/* The offloads the host takes: TSO only as chains of buffers. */
		e->ndev->hw_features |= VENET_ENET_TXOFF_CSUM;
		if (neg.caps & VENET_CAP_SG) {
			e->ndev->hw_features |= VENET_ENET_TXOFF_TSO;
			e->tx_max = VENET_ENET_TX_CHAIN;
		}
		e->ndev->features |= e->ndev->hw_features;
	}
	e->rx_buf = e->rxoff ? VENET_ENET_RXOFF_BUF : VENET_ENET_BUF;
	rx_sz = (size_t)VENET_ENET_RING * e->rx_buf;
	ret = venet_enet_call(e, VENET_FUNC_CONFIG, &e->cfg, 0, sizeof(e->cfg));
	if (ret < 0)
		return ret;
	if (ret < (long)sizeof(e->cfg) || e->cfg.frame_max > VENET_ENET_BUF)
		return -EPROTO;
	ret = vbus_proxy_shm(e->pdev, 2 * ring_sz + rx_sz + tx_sz, &shm);
	if (ret)
		return ret;
	e->shm = shm;
	e->rx_area = 2 * ring_sz;
	e->tx_area = e->rx_area + rx_sz;
	ret = venet_enet_qreg(e, VENET_QUEUE_RX, 0, e->rx_area);
	if (!ret)
		ret = venet_enet_qreg(e, VENET_QUEUE_TX, ring_sz, e->tx_area);
	if (ret)
		return ret;
	for (i = 0; i < VENET_ENET_RING; i++) {
		ret = venet_enet_post_rx(e, i, IOQ_POST_HOLD);
		if (ret)
			return ret;
		e->tx_free[i] = VENET_ENET_RING - 1 - i;
	}
	e->n_tx_free = VENET_ENET_RING;
	ioq_publish(&e->rxq);
	return 0;
}

static void venet_enet_netdev_setup(struct net_device *ndev)
{
	ether_setup(ndev);
	ndev->netdev_ops = &venet_enet_netdev_ops;
	ndev->ethtool_ops = &venet_enet_ethtool_ops;
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	ndev->features |= NETIF_F_SG | NETIF_F_HIGHDMA | NETIF_F_RXCSUM;
	ndev->hw_features |= NETIF_F_SG | NETIF_F_RXCSUM;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = VENET_MTU_MAX;
}

static void venet_enet_free(struct venet_enet *e)
{
	if (e->rxq_reg)
		ioq_cleanup(&e->rxq);
	if (e->txq_reg)
		ioq_cleanup(&e->txq);
	free_percpu(e->ndev->tstats);
	free_netdev(e->ndev);
}

static int venet_enet_probe(struct vbus_proxy_device *pdev)
{
	char name[IFNAMSIZ] = "";
	struct net_device *ndev;
	struct venet_enet *e;
	int ret;

	ndev = alloc_netdev(sizeof(*e), "vbenet%d", NET_NAME_ENUM, venet_enet_netdev_setup);
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, &pdev->dev);
	e = netdev_priv(ndev);
	e->pdev = pdev;
	e->ndev = ndev;
	INIT_WORK(&e->link_work, venet_enet_link_work);
	netif_napi_add(ndev, &e->napi, venet_enet_poll);
	ndev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!ndev->tstats) {
		free_netdev(ndev);
		return -ENOMEM;
	}
	dev_set_drvdata(&pdev->dev, e);

	ret = vbus_proxy_open(pdev, venet_enet_signal);
	if (ret)
		goto out_free;
	ret = venet_enet_setup(e);
	if (ret)
		goto out_close;
	eth_hw_addr_set(ndev, e->cfg.mac);
	ndev->mtu = clamp_t(u32, e->cfg.mtu, ETH_MIN_MTU, VENET_MTU_MAX);
	if (venet_enet_call(e, VENET_FUNC_IFNAME, name, 0, sizeof(name)) > 1) {
		name[IFNAMSIZ - 1] = '\0';
		strscpy(ndev->name, name, IFNAMSIZ);
		ndev->name_assign_type = NET_NAME_USER;
	}
	netif_carrier_off(ndev);
	ret = register_netdev(ndev);
	if (ret)
		goto out_close;
	ret = venet_enet_call(e, VENET_FUNC_LINKUP, NULL, 0, 0);
	if (ret < 0) {
		unregister_netdev(ndev);
		goto out_close;
	}
	/* From now on the host signals each change of its link (LINKEV). */
	venet_enet_link_update(e);
	return 0;

out_close:
	vbus_proxy_close(pdev);
out_free:
	dev_set_drvdata(&pdev->dev, NULL);
	venet_enet_free(e);
	return ret;
}

static void venet_enet_remove(struct vbus_proxy_device *pdev)
{
	struct venet_enet *e = dev_get_drvdata(&pdev->dev);

	/* The host stops using the rings (an error once the device left the bus). */
	venet_enet_call(e, VENET_FUNC_LINKDOWN, NULL, 0, 0);
	/* Link down (or the connection dead): no link signal comes any more. */
	cancel_work_sync(&e->link_work);
	netif_carrier_off(e->ndev);
	unregister_netdev(e->ndev);
	/* No signal after this; the shared memory goes with the connection. */
	vbus_proxy_close(pdev);
	dev_set_drvdata(&pdev->dev, NULL);
	venet_enet_free(e);
}

static struct vbus_driver venet_enet_driver = {
	.type		= VENET_TYPE,
	.probe		= venet_enet_probe,
	.remove		= venet_enet_remove,
	.driver = {
		.name	= VENET_ENET_NAME,
	},
};

static int __init venet_enet_init(void)
{
	return vbus_driver_register(&venet_enet_driver);
}

static void __exit venet_enet_exit(void)
{
	vbus_driver_unregister(&venet_enet_driver);
}

module_init(venet_enet_init);
module_exit(venet_enet_exit);

MODULE_DESCRIPTION("Virtual-bus virtual-ethernet driver: the client netdev of a venet device");
MODULE_LICENSE("GPL");
MODULE_ALIAS_VBUS_DRIVER(VENET_TYPE);
