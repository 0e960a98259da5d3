/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the receive paths of venet-tap's host netdev and vbus-enet's
 * client netdev share: statistics in per-CPU software counters
 * (ndev->tstats, dev_get_tstats64), to which a NAPI poll adds its frames
 * at once, and which frames go through GRO.
 */
#ifndef _VENET_STATS_H
#define _VENET_STATS_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>

static inline void venet_rx_stats_add(struct net_device *ndev, u64 packets, u64 bytes)
{
	struct pcpu_sw_netstats *tstats = this_cpu_ptr(ndev->tstats);

	u64_stats_update_begin(&tstats->syncp);
	u64_stats_add(&tstats->rx_bytes, bytes);
	u64_stats_add(&tstats->rx_packets, packets);
	u64_stats_update_end(&tstats->syncp);
}

/*
 * Whether a frame (after eth_type_trans()) is TCP over IPv4 or IPv6
 * (without extension headers), which GRO merges; headers outside the
 * linear part count as "not TCP". The receive paths hand GRO only these
 * (and GSO frames, vbus-enet): any other frame (UDP, ICMP, ARP) would only
 * be parsed by GRO's IP and UDP handlers and flushed, and goes to the stack
 * in a list instead, as veth's frames skip GRO unless it is turned on.
 */
static inline bool venet_gro_tcp(const struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return skb_headlen(skb) >= sizeof(struct iphdr) &&
		       ((const struct iphdr *)skb->data)->protocol == IPPROTO_TCP;
	if (skb->protocol == htons(ETH_P_IPV6))
		return skb_headlen(skb) >= sizeof(struct ipv6hdr) &&
		       ((const struct ipv6hdr *)skb->data)->nexthdr == IPPROTO_TCP;
	return false;
}

#endif /* _VENET_STATS_H */
