/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * IOQ: one end of a shared-memory descriptor ring (layout in
 * <linux/vbus_ioq.h>, protocol in doc/abi/ioq.md). The same code runs in
 * the kernel and in libvbus. One struct ioq per end; each end is used by
 * one thread at a time (callers serialise).
 *
 * Everything in the ring and the signal blocks is written by the peer and is
 * untrusted: read once, checked, and a violation moves this end into an
 * error state in which every call returns -EIO.
 */
#ifndef _VBUS_IOQ_H
#define _VBUS_IOQ_H

#include "ioq_env.h"
#include "shm_signal.h"

/* Longest chain of descriptors one buffer may use. */
#define IOQ_SG_MAX		16

/* ioq_post() flags */
#define IOQ_POST_HOLD		0x1	/* keep the batch unpublished until ioq_publish() */

enum ioq_role {
	IOQ_PRODUCER,		/* posts buffers, reaps completions (the client/driver) */
	IOQ_CONSUMER,		/* takes buffers, completes them (the device) */
};

/* Why an end stopped: what the peer did wrong. */
enum ioq_error {
	IOQ_ERR_NONE,
	IOQ_ERR_FLAGS,		/* unknown descriptor flag bits */
	IOQ_ERR_RANGE,		/* buffer outside the registered area */
	IOQ_ERR_CHAIN,		/* chain longer than IOQ_SG_MAX or not fully published */
	IOQ_ERR_OVERRUN,	/* more buffers outstanding than the ring holds */
	IOQ_ERR_ID,		/* completion of an id that is not in flight */
	IOQ_ERR_LEN,		/* completion longer than the writable buffer */
	IOQ_ERR_MAX,
};

/* Per-end counters, in descriptors and decisions. */
struct ioq_stats {
	u64 produced;		/* descriptors this end handed to its peer */
	u64 consumed;		/* descriptors this end took back from its peer */
	u64 signals;		/* wake-ups this end decided to send */
	u64 suppressed;		/* wake-ups this end found unnecessary */
	u64 errors;		/* protocol violations seen (the first one stops the end) */
};

/* A buffer as the producer posts it. */
struct ioq_buf {
	u64 offset;
	u32 len;
	u16 flags;		/* IOQ_DESC_F_WRITE or 0 */
};

/* A buffer as the consumer receives it: checked, and mapped into the area. */
struct ioq_elem {
	u16 id;
	u16 ndesc;
	u32 wlen;		/* writable bytes in the chain */
	struct {
		void *addr;
		u32 len;
		u16 flags;
	} sg[IOQ_SG_MAX];
};

/* Producer-private state of one buffer id. */
struct ioq_slot {
	void *cookie;
	u32 wlen;
	u16 ndesc;		/* 0: the id is free */
	u16 next_free;
};

struct ioq {
	struct ioq_desc *desc;
	struct ioq_signal *own_sig;	/* the block this end writes */
	struct ioq_signal *peer_sig;	/* the block its peer writes */
	u8 *area;
	u64 area_len;
	u32 count;
	u32 order;
	u32 next;		/* next slot to post (producer) or to take (consumer) */
	u32 used;		/* next completion to reap (producer) or to write (consumer) */
	u32 signalled;		/* sequence at the last signal decision */
	u32 held;		/* producer: slot of an unpublished batch head */
	u16 held_flags;
	bool holding;
	u16 free_head;		/* producer: first free id */
	struct ioq_slot *slots;	/* producer: per id */
	enum ioq_role role;
	enum ioq_error error;
	struct shm_signal_state sig;
	struct ioq_stats stats;
};

int ioq_ring_format(void *mem, size_t len, u32 count);
int ioq_init(struct ioq *q, enum ioq_role role, void *ring, size_t ring_len,
	     void *area, u64 area_len);
void ioq_cleanup(struct ioq *q);

/* Producer */
int ioq_post(struct ioq *q, const struct ioq_buf *bufs, unsigned int n, void *cookie,
	     unsigned int flags);
void ioq_publish(struct ioq *q);
bool ioq_kick(struct ioq *q);
int ioq_reap(struct ioq *q, void **ret_cookie, u32 *ret_len);
bool ioq_reap_empty(struct ioq *q);
bool ioq_arm_reap(struct ioq *q, u32 n);
u32 ioq_free_slots(const struct ioq *q);

/* Consumer */
int ioq_consume(struct ioq *q, struct ioq_elem *e);
bool ioq_consume_empty(struct ioq *q);
int ioq_complete(struct ioq *q, u16 id, u16 ndesc, u32 len);
bool ioq_notify(struct ioq *q);

/* Both ends */
bool ioq_arm(struct ioq *q);
bool ioq_arm_after_poll(struct ioq *q, unsigned int spins);
void ioq_disarm(struct ioq *q);
const char *ioq_error_name(enum ioq_error err);

static inline enum ioq_error ioq_error(const struct ioq *q)
{
	return q->error;
}

#endif /* _VBUS_IOQ_H */
