/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive statistics of a netdev with per-CPU software counters
 * (ndev->tstats, dev_get_tstats64): venet-tap's host netdev and
 * vbus-enet's client netdev add a NAPI poll's frames at once.
 */
#ifndef _VENET_STATS_H
#define _VENET_STATS_H

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

#endif /* _VENET_STATS_H */
