// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later
/*
 * A self-test of the IOQ code in whatever environment it is built for: the
 * kernel module vbus-ioq-selftest runs it at load time, a unit test runs it
 * in userspace. The thorough tests are tests/unit/test-ioq.c; this one
 * proves that the build for each environment behaves the same.
 */
#include "ioq_selftest.h"

#define ST_COUNT	16
#define ST_AREA_LEN	4096

struct ioq_st {
	struct ioq_ring *ring;
	size_t ring_len;
	u8 *area;
	struct ioq prod;
	struct ioq cons;
	int failed;		/* line of the first failed check */
};

#define ST_CHECK(st, cond)						\
	do {								\
		if (!(cond) && !(st)->failed)				\
			(st)->failed = __LINE__;			\
	} while (0)

static void ioq_st_reset(struct ioq_st *st)
{
	ioq_cleanup(&st->prod);
	ioq_cleanup(&st->cons);
	ST_CHECK(st, ioq_ring_format(st->ring, st->ring_len, ST_COUNT) == 0);
	ST_CHECK(st, ioq_init(&st->prod, IOQ_PRODUCER, st->ring, st->ring_len, st->area,
			      ST_AREA_LEN) == 0);
	ST_CHECK(st, ioq_init(&st->cons, IOQ_CONSUMER, st->ring, st->ring_len, st->area,
			      ST_AREA_LEN) == 0);
}

/* Round trips over several laps, chains of 1 to 3, completed newest first. */
static void ioq_st_traffic(struct ioq_st *st)
{
	struct ioq_buf b[3] = {
		{ .offset = 0, .len = 8 },
		{ .offset = 8, .len = 8, .flags = IOQ_DESC_F_WRITE },
		{ .offset = 16, .len = 8, .flags = IOQ_DESC_F_WRITE },
	};
	struct ioq_elem e[3];
	unsigned long i, n;
	void *cookie;
	u32 len;

	for (i = 0; i < 10 * ST_COUNT; i++) {
		for (n = 0; n < 3; n++)
			ST_CHECK(st, ioq_post(&st->prod, b, n + 1, (void *)(n + 1), 0) == 0);
		for (n = 0; n < 3; n++)
			ST_CHECK(st, ioq_consume(&st->cons, &e[n]) == 1 && e[n].ndesc == n + 1);
		for (n = 3; n-- > 0;)
			ST_CHECK(st, ioq_complete(&st->cons, e[n].id, e[n].ndesc, 8 * n) == 0);
		for (n = 3; n-- > 0;)
			ST_CHECK(st, ioq_reap(&st->prod, &cookie, &len) == 1 &&
				 cookie == (void *)(n + 1) && len == 8 * n);
		ST_CHECK(st, ioq_reap_empty(&st->prod) && ioq_consume_empty(&st->cons));
	}
	ST_CHECK(st, st->prod.stats.produced == 60 * ST_COUNT);
	ST_CHECK(st, st->cons.stats.consumed == 60 * ST_COUNT);
}

/* One wake-up per arm, none while the peer polls. */
static void ioq_st_signals(struct ioq_st *st)
{
	struct ioq_buf b = { .offset = 0, .len = 1 };
	struct ioq_elem e;

	ST_CHECK(st, ioq_post(&st->prod, &b, 1, NULL, 0) == 0 && !ioq_kick(&st->prod));
	ST_CHECK(st, !ioq_arm(&st->cons));	/* work is waiting: do not sleep */
	ST_CHECK(st, ioq_consume(&st->cons, &e) == 1);
	ST_CHECK(st, ioq_arm(&st->cons));
	ST_CHECK(st, ioq_post(&st->prod, &b, 1, NULL, IOQ_POST_HOLD) == 0);
	ST_CHECK(st, ioq_post(&st->prod, &b, 1, NULL, IOQ_POST_HOLD) == 0);
	ST_CHECK(st, ioq_kick(&st->prod));
	ST_CHECK(st, ioq_post(&st->prod, &b, 1, NULL, 0) == 0 && !ioq_kick(&st->prod));
	ST_CHECK(st, st->prod.stats.signals == 1 && st->prod.stats.suppressed == 2);
}

/* Each kind of corrupted ring stops the end reading it, with one error counted. */
static void ioq_st_corrupt(struct ioq_st *st, unsigned int kind)
{
	struct ioq_buf b = { .offset = 0, .len = 8, .flags = IOQ_DESC_F_WRITE };
	static const enum ioq_error want[] = {
		IOQ_ERR_RANGE, IOQ_ERR_RANGE, IOQ_ERR_FLAGS, IOQ_ERR_CHAIN, IOQ_ERR_ID, IOQ_ERR_LEN,
	};
	struct ioq_desc *d = &st->ring->desc[0];
	struct ioq *victim = kind < 4 ? &st->cons : &st->prod;
	struct ioq_elem e;
	void *cookie;
	u32 len;
	int ret;

	ioq_st_reset(st);
	ST_CHECK(st, ioq_post(&st->prod, &b, 1, NULL, 0) == 0);
	switch (kind) {
	case 0:
		d->offset = ST_AREA_LEN - 4;
		break;
	case 1:
		d->offset = ~0ULL - 4;
		break;
	case 2:
		d->flags |= 0x0100;
		break;
	case 3:
		d->flags |= IOQ_DESC_F_NEXT;
		break;
	case 4:
	case 5:
		d->id = kind == 4 ? ST_COUNT : d->id;
		d->len = kind == 5 ? 9 : 0;
		d->flags = IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED;
		break;
	}
	if (victim == &st->cons)
		ret = ioq_consume(victim, &e);
	else
		ret = ioq_reap(victim, &cookie, &len);
	ST_CHECK(st, ret == -EIO);
	ST_CHECK(st, ioq_error(victim) == want[kind] && victim->stats.errors == 1);
	ST_CHECK(st, ioq_consume(&st->cons, &e) <= 0 && ioq_reap(&st->prod, &cookie, &len) <= 0);
}

int ioq_selftest(void *ring, size_t ring_len, void *area, u64 area_len)
{
	struct ioq_st st = { .ring = ring, .ring_len = ring_len, .area = area };
	unsigned int kind;

	if (ring_len < IOQ_RING_SIZE(ST_COUNT) || area_len < ST_AREA_LEN)
		return -EINVAL;
	ioq_st_reset(&st);
	ioq_st_traffic(&st);
	ioq_st_reset(&st);
	ioq_st_signals(&st);
	for (kind = 0; kind < 6; kind++)
		ioq_st_corrupt(&st, kind);
	ioq_cleanup(&st.prod);
	ioq_cleanup(&st.cons);
	return st.failed ? -st.failed : 0;
}
