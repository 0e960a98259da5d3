/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transmit area of a venet connection as a FIFO of frames (venet.c):
 * frames go back to back in the order they are posted, and one that does
 * not fit before the end goes to the start. A frame's bytes are free again
 * once it and every older frame came back, whatever order the host
 * completes them in. Offsets and lengths are the caller's unit (bytes,
 * already aligned).
 */
#ifndef LIBVBUS_TXFIFO_H
#define LIBVBUS_TXFIFO_H

#include <stdbool.h>
#include <stdint.h>

struct txfifo_slot {
	uint32_t off;			/* where the frame starts */
	bool done;			/* completed, not yet released */
};

struct txfifo {
	struct txfifo_slot *slots;	/* by post order, count of them */
	uint32_t count;			/* frames in flight at most */
	uint32_t size;			/* bytes of the area */
	uint32_t head, tail;		/* frames posted, frames released (free-running) */
	uint32_t next;			/* where the next frame goes */
};

int txfifo_init(struct txfifo *f, uint32_t count, uint32_t size);
void txfifo_free(struct txfifo *f);

static inline uint32_t txfifo_inflight(const struct txfifo *f)
{
	return f->head - f->tail;
}

/* Where len bytes would go, or -1 when they must wait for completions. */
int64_t txfifo_place(const struct txfifo *f, uint32_t len);
/* The slot the next frame takes: the caller names it to the host. */
static inline uint32_t txfifo_next_slot(const struct txfifo *f)
{
	return f->head % f->count;
}

/* Record a frame of len bytes posted at off (from txfifo_place()). */
void txfifo_push(struct txfifo *f, uint32_t off, uint32_t len);
/* The host completed the frame of slot: release what is released in order. */
void txfifo_done(struct txfifo *f, uint32_t slot);

#endif /* LIBVBUS_TXFIFO_H */
