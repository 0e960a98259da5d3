/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vbusd's ivshmem servers (doc/abi/guest.md, "Userspace"): one listening
 * socket, /run/vbusd/ivshmem/<bus>.sock, for each bus whose topology says
 * "guest". QEMU's ivshmem-doorbell device connects; vbusd makes the bus's
 * guest connection (VBUS_IOC_GUEST) and hands QEMU the region and the
 * eventfds. The listening socket, QEMU's connection and the guest fd live in
 * systemd's fd store, so that a restarted vbusd takes them back.
 */
#ifndef VBUSD_IVSHMEM_H
#define VBUSD_IVSHMEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "topology.h"

struct ivshmem_server;

struct ivshmem {
	sd_event *event;
	const char *dir;		/* of the sockets */
	struct ivshmem_server **servers;
	size_t n_servers;
};

/* Take back what an earlier vbusd left in the fd store. */
void ivshmem_restore(struct ivshmem *iv);
/* Serve exactly the guest buses of @t: start, update and stop servers. */
void ivshmem_sync(struct ivshmem *iv, const struct topology *t);
/* Close everything (vbusd exits: the fd store keeps what matters). */
void ivshmem_clear(struct ivshmem *iv);

#endif
