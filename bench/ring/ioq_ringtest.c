// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOQ behind the ring interface of the kernel's tools/virtio/ringtest, so
 * that bench/ring/run drives IOQ with the very harness (main.c, extracted at
 * bench time) that drives the kernel's own layouts. Guest = IOQ producer,
 * host = IOQ consumer, one ring, one area.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "ioq/ioq.h"
#include "ringtest_api.h"

#define AREA_LEN	4096

/*
 * IOQ_SPIN: ring polls before a side arms its signal and sleeps
 * (ioq_arm_after_poll()); 0, the default, is the peers' policy exactly.
 */
static unsigned int spins;

static struct ioq guest __attribute__((aligned(128)));
static struct ioq host __attribute__((aligned(128)));
static u8 area[AREA_LEN];

static void print_stats(void)
{
	fprintf(stderr, "ioq: guest produced %llu signals %llu suppressed %llu errors %llu\n",
		(unsigned long long)guest.stats.produced, (unsigned long long)guest.stats.signals,
		(unsigned long long)guest.stats.suppressed, (unsigned long long)guest.stats.errors);
	fprintf(stderr, "ioq: host consumed %llu signals %llu suppressed %llu errors %llu\n",
		(unsigned long long)host.stats.consumed, (unsigned long long)host.stats.signals,
		(unsigned long long)host.stats.suppressed, (unsigned long long)host.stats.errors);
}

void alloc_ring(void)
{
	size_t len = IOQ_RING_SIZE(ring_size);
	void *ring;

	if (posix_memalign(&ring, 4096, len) || ioq_ring_format(ring, len, ring_size) ||
	    ioq_init(&guest, IOQ_PRODUCER, ring, len, area, AREA_LEN) ||
	    ioq_init(&host, IOQ_CONSUMER, ring, len, area, AREA_LEN)) {
		perror("Unable to set up the IOQ ring");
		exit(3);
	}
	if (getenv("IOQ_SPIN"))
		spins = strtoul(getenv("IOQ_SPIN"), NULL, 0);
	if (getenv("IOQ_STATS"))
		atexit(print_stats);
}

/* guest side */
int add_inbuf(unsigned int len, void *buf, void *datap)
{
	struct ioq_buf b = { .offset = 0, .len = len, .flags = IOQ_DESC_F_WRITE };

	return ioq_post(&guest, &b, 1, datap, 0) ? -1 : 0;
}

void *get_buf(unsigned int *lenp, void **bufp)
{
	void *cookie;
	u32 len;

	if (ioq_reap(&guest, &cookie, &len) != 1)
		return NULL;
	*lenp = len;
	*bufp = cookie;
	return cookie;
}

/* Awake again: clear NEED_WAKEUP (one write per sleep, none per message). */
void disable_call(void)
{
	ioq_disarm(&guest);
}

bool used_empty(void)
{
	return ioq_reap_empty(&guest);
}

bool enable_call(void)
{
	return ioq_arm_after_poll(&guest, spins);
}

void kick_available(void)
{
	if (ioq_kick(&guest))
		kick();
}

/* host side */
void disable_kick(void)
{
	ioq_disarm(&host);
}

bool avail_empty(void)
{
	return ioq_consume_empty(&host);
}

bool enable_kick(void)
{
	return ioq_arm_after_poll(&host, spins);
}

bool use_buf(unsigned int *lenp, void **bufp)
{
	struct ioq_elem e;

	if (ioq_consume(&host, &e) != 1)
		return false;
	*lenp = e.sg[0].len;
	*bufp = e.sg[0].addr;
	return ioq_complete(&host, e.id, e.ndesc, 0) == 0;
}

void call_used(void)
{
	if (ioq_notify(&host))
		call();
}
