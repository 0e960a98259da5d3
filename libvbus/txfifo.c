// SPDX-License-Identifier: LGPL-2.1-or-later
/* The transmit area's FIFO of frames: see txfifo.h. */
#include <errno.h>
#include <stdlib.h>

#include "txfifo.h"

int txfifo_init(struct txfifo *f, uint32_t count, uint32_t size)
{
	*f = (struct txfifo){ .count = count, .size = size };
	f->slots = calloc(count, sizeof(*f->slots));
	return f->slots ? 0 : -ENOMEM;
}

void txfifo_free(struct txfifo *f)
{
	free(f->slots);
	f->slots = NULL;
}

/*
 * In flight are [tail, next) when next > tail, else, wrapped, [tail, end)
 * and [0, next): full when next == tail.
 */
int64_t txfifo_place(const struct txfifo *f, uint32_t len)
{
	uint32_t tail;

	if (!txfifo_inflight(f))
		return len <= f->size ? 0 : -1;
	if (txfifo_inflight(f) == f->count)
		return -1;
	tail = f->slots[f->tail % f->count].off;
	if (f->next > tail) {
		if (len <= f->size - f->next)
			return f->next;
		if (len <= tail)
			return 0;
		return -1;
	}
	if (len <= tail - f->next)
		return f->next;
	return -1;
}

void txfifo_push(struct txfifo *f, uint32_t off, uint32_t len)
{
	f->slots[txfifo_next_slot(f)] = (struct txfifo_slot){ .off = off };
	f->head++;
	f->next = off + len;
}

void txfifo_done(struct txfifo *f, uint32_t slot)
{
	f->slots[slot].done = true;
	while (txfifo_inflight(f) && f->slots[f->tail % f->count].done) {
		f->slots[f->tail % f->count].done = false;
		f->tail++;
	}
}
