// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: the portable IOQ ring and shm-signal (kmod/ioq/), both ends
 * in one thread over one ring, and a peer that breaks every rule.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ioq/ioq.h"

#define COUNT		8
#define BIG_COUNT	64
#define AREA_LEN	4096

struct fixture {
	struct ioq_ring *ring;
	size_t ring_len;
	u8 *area;
	struct ioq prod;
	struct ioq cons;
};

static struct fixture *fixture_new(u32 count)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ring_len = IOQ_RING_SIZE(count);
	f->ring = aligned_alloc(128, f->ring_len);
	f->area = calloc(1, AREA_LEN);
	assert_non_null(f->ring);
	assert_non_null(f->area);
	assert_int_equal(ioq_ring_format(f->ring, f->ring_len, count), 0);
	assert_int_equal(ioq_init(&f->prod, IOQ_PRODUCER, f->ring, f->ring_len, f->area, AREA_LEN),
			 0);
	assert_int_equal(ioq_init(&f->cons, IOQ_CONSUMER, f->ring, f->ring_len, f->area, AREA_LEN),
			 0);
	return f;
}

static int setup(void **state)
{
	*state = fixture_new(COUNT);
	return 0;
}

static int setup_big(void **state)
{
	*state = fixture_new(BIG_COUNT);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ioq_cleanup(&f->prod);
	ioq_cleanup(&f->cons);
	free(f->ring);
	free(f->area);
	free(f);
	return 0;
}

/* Post one buffer of len bytes at offset, readable or writable. */
static int post1(struct fixture *f, u64 offset, u32 len, u16 flags, void *cookie)
{
	struct ioq_buf b = { .offset = offset, .len = len, .flags = flags };

	return ioq_post(&f->prod, &b, 1, cookie, 0);
}

/* Consume one buffer and complete it at once with len bytes written. */
static void serve1(struct fixture *f, u32 len)
{
	struct ioq_elem e;

	assert_int_equal(ioq_consume(&f->cons, &e), 1);
	assert_int_equal(ioq_complete(&f->cons, e.id, e.ndesc, len), 0);
}

static void expect_reap(struct fixture *f, void *cookie, u32 len)
{
	void *c = NULL;
	u32 l = ~0U;

	assert_int_equal(ioq_reap(&f->prod, &c, &l), 1);
	assert_ptr_equal(c, cookie);
	assert_int_equal(l, len);
}

static void test_format_and_init(void **state)
{
	struct fixture *f = *state;
	struct ioq q;

	assert_int_equal(ioq_ring_format(f->ring, f->ring_len, 0), -EINVAL);
	assert_int_equal(ioq_ring_format(f->ring, f->ring_len, 1), -EINVAL);
	assert_int_equal(ioq_ring_format(f->ring, f->ring_len, 6), -EINVAL);
	assert_int_equal(ioq_ring_format(f->ring, f->ring_len, 65536), -EINVAL);
	assert_int_equal(ioq_ring_format(f->ring, f->ring_len - 1, COUNT), -EINVAL);
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, f->ring_len - 1, f->area, AREA_LEN),
			 -EINVAL);
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, 16, f->area, AREA_LEN), -EINVAL);

	f->ring->magic ^= 1;
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, f->ring_len, f->area, AREA_LEN),
			 -EINVAL);
	f->ring->magic ^= 1;
	f->ring->version = IOQ_VERSION + 1;
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, f->ring_len, f->area, AREA_LEN),
			 -EINVAL);
	f->ring->version = IOQ_VERSION;
	f->ring->count = 12;
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, f->ring_len, f->area, AREA_LEN),
			 -EINVAL);
	f->ring->count = 2 * COUNT;	/* larger than the memory given */
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, f->ring_len, f->area, AREA_LEN),
			 -EINVAL);
	f->ring->count = COUNT;
	assert_int_equal(ioq_init(&q, IOQ_CONSUMER, f->ring, f->ring_len, f->area, AREA_LEN), 0);
	ioq_cleanup(&q);
}

/* The layout is an ABI: offsets fixed by doc/abi/ioq.md. */
static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct ioq_desc), 16);
	assert_int_equal(sizeof(struct ioq_signal), 128);
	assert_int_equal(offsetof(struct ioq_ring, count), 8);
	assert_int_equal(offsetof(struct ioq_ring, cons_sig), 128);
	assert_int_equal(offsetof(struct ioq_ring, prod_sig), 256);
	assert_int_equal(offsetof(struct ioq_ring, desc), 384);
	assert_int_equal(IOQ_RING_SIZE(256), 384 + 256 * 16);
}

static void test_empty(void **state)
{
	struct fixture *f = *state;
	struct ioq_elem e;
	void *c;
	u32 l;

	assert_true(ioq_consume_empty(&f->cons));
	assert_true(ioq_reap_empty(&f->prod));
	assert_int_equal(ioq_consume(&f->cons, &e), 0);
	assert_int_equal(ioq_reap(&f->prod, &c, &l), 0);
	assert_int_equal(ioq_free_slots(&f->prod), COUNT);
	assert_int_equal(ioq_complete(&f->cons, 0, 1, 0), -EINVAL);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ioq_elem e;
	int cookie;

	assert_int_equal(post1(f, 100, 64, IOQ_DESC_F_WRITE, &cookie), 0);
	assert_false(ioq_consume_empty(&f->cons));
	assert_true(ioq_reap_empty(&f->prod));
	assert_int_equal(ioq_consume(&f->cons, &e), 1);
	assert_int_equal(e.ndesc, 1);
	assert_ptr_equal(e.sg[0].addr, f->area + 100);
	assert_int_equal(e.sg[0].len, 64);
	assert_int_equal(e.sg[0].flags, IOQ_DESC_F_WRITE);
	assert_int_equal(e.wlen, 64);
	assert_true(ioq_consume_empty(&f->cons));
	assert_int_equal(ioq_complete(&f->cons, e.id, e.ndesc, 10), 0);
	assert_false(ioq_reap_empty(&f->prod));
	expect_reap(f, &cookie, 10);
	assert_true(ioq_reap_empty(&f->prod));
	assert_int_equal(f->prod.stats.produced, 1);
	assert_int_equal(f->prod.stats.consumed, 1);
	assert_int_equal(f->cons.stats.produced, 1);
	assert_int_equal(f->cons.stats.consumed, 1);
	assert_int_equal(f->prod.stats.errors + f->cons.stats.errors, 0);
}

static void test_full(void **state)
{
	struct fixture *f = *state;
	int cookies[COUNT + 1];
	int i;

	for (i = 0; i < COUNT; i++)
		assert_int_equal(post1(f, i, 1, 0, &cookies[i]), 0);
	assert_int_equal(ioq_free_slots(&f->prod), 0);
	assert_int_equal(post1(f, 0, 1, 0, &cookies[COUNT]), -ENOSPC);
	serve1(f, 0);
	assert_int_equal(post1(f, 0, 1, 0, &cookies[COUNT]), -ENOSPC);	/* not reaped yet */
	expect_reap(f, &cookies[0], 0);
	assert_int_equal(post1(f, 0, 1, 0, &cookies[COUNT]), 0);
	for (i = 1; i <= COUNT; i++) {
		serve1(f, 0);
		expect_reap(f, &cookies[i], 0);
	}
	assert_int_equal(ioq_free_slots(&f->prod), COUNT);
}

/* Many laps with every batch size: the wrap counters flip correctly. */
static void test_wrap(void **state)
{
	struct fixture *f = *state;
	int cookies[COUNT];
	int lap, n, i;

	for (lap = 0; lap < 10; lap++) {
		for (n = 1; n <= COUNT; n++) {
			for (i = 0; i < n; i++)
				assert_int_equal(post1(f, i, 8, IOQ_DESC_F_WRITE, &cookies[i]), 0);
			for (i = 0; i < n; i++)
				serve1(f, i);
			for (i = 0; i < n; i++)
				expect_reap(f, &cookies[i], i);
			assert_true(ioq_consume_empty(&f->cons));
			assert_true(ioq_reap_empty(&f->prod));
		}
	}
	assert_int_equal(f->prod.stats.produced, 10 * COUNT * (COUNT + 1) / 2);
	assert_int_equal(f->cons.stats.consumed, f->prod.stats.produced);
	assert_int_equal(f->prod.stats.errors + f->cons.stats.errors, 0);
}

/* A scatter-gather chain, wrapping around the end of the ring. */
static void test_chain(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf b[3] = {
		{ .offset = 0, .len = 16 },
		{ .offset = 1000, .len = 100, .flags = IOQ_DESC_F_WRITE },
		{ .offset = 4000, .len = 96, .flags = IOQ_DESC_F_WRITE },
	};
	struct ioq_elem e;
	int cookie, round;

	for (round = 0; round < 2 * COUNT; round++) {
		assert_int_equal(ioq_post(&f->prod, b, 3, &cookie, 0), 0);
		assert_int_equal(ioq_consume(&f->cons, &e), 1);
		assert_int_equal(e.ndesc, 3);
		assert_ptr_equal(e.sg[0].addr, f->area);
		assert_int_equal(e.sg[0].flags, 0);
		assert_ptr_equal(e.sg[1].addr, f->area + 1000);
		assert_ptr_equal(e.sg[2].addr, f->area + 4000);
		assert_int_equal(e.sg[2].len, 96);
		assert_int_equal(e.wlen, 196);
		assert_int_equal(ioq_complete(&f->cons, e.id, e.ndesc, 196), 0);
		expect_reap(f, &cookie, 196);
	}
	assert_int_equal(f->prod.stats.produced, 6 * COUNT);
}

/* Completions in another order than the posts, chains mixed in. */
static void test_out_of_order(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf two[2] = { { .offset = 0, .len = 4 }, { .offset = 8, .len = 4 } };
	struct ioq_elem e[3];
	int a, b, c, round;

	for (round = 0; round < 3 * COUNT; round++) {
		assert_int_equal(post1(f, 0, 4, IOQ_DESC_F_WRITE, &a), 0);
		assert_int_equal(ioq_post(&f->prod, two, 2, &b, 0), 0);
		assert_int_equal(post1(f, 0, 4, IOQ_DESC_F_WRITE, &c), 0);
		assert_int_equal(ioq_consume(&f->cons, &e[0]), 1);
		assert_int_equal(ioq_consume(&f->cons, &e[1]), 1);
		assert_int_equal(ioq_consume(&f->cons, &e[2]), 1);
		assert_int_equal(ioq_complete(&f->cons, e[2].id, e[2].ndesc, 3), 0);
		assert_int_equal(ioq_complete(&f->cons, e[0].id, e[0].ndesc, 1), 0);
		expect_reap(f, &c, 3);
		expect_reap(f, &a, 1);
		assert_true(ioq_reap_empty(&f->prod));
		assert_int_equal(ioq_complete(&f->cons, e[1].id, e[1].ndesc, 0), 0);
		expect_reap(f, &b, 0);
	}
	assert_int_equal(ioq_free_slots(&f->prod), COUNT);
}

/* IOQ_POST_HOLD: nothing is visible until ioq_publish(), then all at once. */
static void test_batch_publish(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf b = { .offset = 0, .len = 1 };
	int cookies[4];
	int i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(ioq_post(&f->prod, &b, 1, &cookies[i], IOQ_POST_HOLD), 0);
		assert_true(ioq_consume_empty(&f->cons));
	}
	ioq_publish(&f->prod);
	for (i = 0; i < 4; i++)
		serve1(f, 0);
	for (i = 0; i < 4; i++)
		expect_reap(f, &cookies[i], 0);

	/* A post without HOLD ends an open batch; ioq_kick() publishes too. */
	assert_int_equal(ioq_post(&f->prod, &b, 1, &cookies[0], IOQ_POST_HOLD), 0);
	assert_int_equal(ioq_post(&f->prod, &b, 1, &cookies[1], 0), 0);
	serve1(f, 0);
	serve1(f, 0);
	assert_int_equal(ioq_post(&f->prod, &b, 1, &cookies[2], IOQ_POST_HOLD), 0);
	assert_true(ioq_consume_empty(&f->cons));
	ioq_kick(&f->prod);
	serve1(f, 0);
	for (i = 0; i < 3; i++)
		expect_reap(f, &cookies[i], 0);
}

static void test_post_invalid(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf b[IOQ_SG_MAX + 1] = { { 0 } };

	assert_int_equal(ioq_post(&f->prod, b, 0, NULL, 0), -EINVAL);
	assert_int_equal(ioq_post(&f->prod, b, IOQ_SG_MAX + 1, NULL, 0), -EINVAL);
	assert_int_equal(post1(f, AREA_LEN, 1, 0, NULL), -EINVAL);
	assert_int_equal(post1(f, AREA_LEN - 1, 2, 0, NULL), -EINVAL);
	assert_int_equal(post1(f, UINT64_MAX, 2, 0, NULL), -EINVAL);
	assert_int_equal(post1(f, 0, 1, IOQ_DESC_F_NEXT, NULL), -EINVAL);
	assert_int_equal(ioq_post(&f->cons, b, 1, NULL, 0), -EINVAL);
	assert_int_equal(post1(f, AREA_LEN, 0, 0, NULL), 0);	/* empty buffer at the end */
	assert_int_equal(f->prod.stats.errors, 0);
	assert_int_equal(f->prod.stats.produced, 1);
}

/* --- shm-signal: every path that raises or suppresses a wake-up --- */

static void test_signal_not_armed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_false(ioq_kick(&f->prod));
	assert_int_equal(f->prod.stats.signals, 0);
	assert_int_equal(f->prod.stats.suppressed, 1);
}

static void test_signal_nothing_new(void **state)
{
	struct fixture *f = *state;

	assert_true(ioq_arm(&f->cons));
	assert_false(ioq_kick(&f->prod));
	assert_false(ioq_notify(&f->cons));
	assert_int_equal(f->prod.stats.signals + f->prod.stats.suppressed, 0);
	assert_int_equal(f->cons.stats.signals + f->cons.stats.suppressed, 0);
}

static void test_signal_kick(void **state)
{
	struct fixture *f = *state;

	assert_true(ioq_arm(&f->cons));
	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_true(ioq_kick(&f->prod));
	/* The consumer has not caught up: its event index is behind, no second wake-up. */
	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_false(ioq_kick(&f->prod));
	assert_int_equal(f->prod.stats.signals, 1);
	assert_int_equal(f->prod.stats.suppressed, 1);
	/* It re-arms after draining: the next post wakes it again. */
	serve1(f, 0);
	serve1(f, 0);
	assert_true(ioq_arm(&f->cons));
	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_true(ioq_kick(&f->prod));
	assert_int_equal(f->prod.stats.signals, 2);
}

/* Arming with work already there tells the caller not to sleep. */
static void test_signal_arm_races_work(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_false(ioq_arm(&f->cons));
	serve1(f, 0);
	assert_false(ioq_arm(&f->prod));
	assert_true(ioq_arm(&f->cons));
}

/* Polling before arming: work found while polling means "do not sleep", unarmed. */
static void test_signal_arm_after_poll(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_false(ioq_arm_after_poll(&f->cons, 100));
	assert_int_equal(f->ring->cons_sig.flags, 0);
	serve1(f, 0);
	assert_true(ioq_arm_after_poll(&f->cons, 100));
	assert_int_equal(f->ring->cons_sig.flags, IOQ_SIG_NEED_WAKEUP);
	assert_int_equal(f->ring->cons_sig.event_idx, 1);
	assert_false(ioq_arm_after_poll(&f->prod, 0));	/* a completion is waiting */
	expect_reap(f, NULL, 0);
	assert_true(ioq_arm_after_poll(&f->prod, 0));
	assert_int_equal(f->ring->prod_sig.event_idx, 1);
}

static void test_signal_batch(void **state)
{
	struct fixture *f = *state;
	int i;

	assert_true(ioq_arm(&f->cons));
	for (i = 0; i < 4; i++)
		assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_true(ioq_kick(&f->prod));
	assert_int_equal(f->prod.stats.signals, 1);
	assert_int_equal(f->prod.stats.suppressed, 0);
}

static void test_signal_disarm(void **state)
{
	struct fixture *f = *state;

	assert_true(ioq_arm(&f->cons));
	ioq_disarm(&f->cons);
	assert_int_equal(f->ring->cons_sig.flags, 0);
	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_false(ioq_kick(&f->prod));
	assert_int_equal(f->prod.stats.suppressed, 1);
}

static void test_signal_completion(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	assert_true(ioq_arm(&f->prod));
	serve1(f, 0);
	assert_true(ioq_notify(&f->cons));
	serve1(f, 0);
	assert_false(ioq_notify(&f->cons));	/* the producer has not re-armed */
	assert_int_equal(f->cons.stats.signals, 1);
	assert_int_equal(f->cons.stats.suppressed, 1);
	assert_false(ioq_arm(&f->prod));	/* two completions are waiting */
}

/*
 * A producer waiting for n completions is signalled at the n-th, counted in
 * descriptors (a chain counts its length), and does not sleep when they are
 * there already; n beyond what is in flight waits for all of it.
 */
static void test_signal_arm_reap(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf chain[2] = { { .offset = 0, .len = 1 }, { .offset = 1, .len = 1 } };
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(post1(f, 0, 1, 0, &f->area[i]), 0);
	assert_int_equal(ioq_post(&f->prod, chain, 2, &f->area[4], 0), 0);
	assert_true(ioq_arm_reap(&f->prod, 3));
	assert_int_equal(f->ring->prod_sig.event_idx, 2);
	serve1(f, 0);
	serve1(f, 0);
	assert_false(ioq_notify(&f->cons));
	serve1(f, 0);
	assert_true(ioq_notify(&f->cons));
	assert_false(ioq_arm_reap(&f->prod, 3));
	assert_true(ioq_arm_reap(&f->prod, 4));
	for (i = 0; i < 3; i++)
		expect_reap(f, &f->area[i], 0);

	/* One buffer and the chain in flight: three descriptors. */
	assert_true(ioq_arm_reap(&f->prod, 3));
	assert_int_equal(f->ring->prod_sig.event_idx, 5);
	serve1(f, 0);
	assert_false(ioq_notify(&f->cons));
	serve1(f, 0);
	assert_true(ioq_notify(&f->cons));
	assert_false(ioq_arm_reap(&f->prod, 3));
	assert_false(ioq_arm_reap(&f->prod, 100));
	expect_reap(f, &f->area[3], 0);
	expect_reap(f, &f->area[4], 0);
	assert_true(ioq_arm_reap(&f->prod, 100));
}

/* Whatever the peer writes into the signal block only changes the decision. */
static void test_signal_garbage(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 100; i++) {
		f->ring->cons_sig.event_idx = (u16)(i * 7919);
		f->ring->cons_sig.flags = (u16)(i * 31);
		memset(f->ring->cons_sig.reserved, i, sizeof(f->ring->cons_sig.reserved));
		assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
		ioq_kick(&f->prod);
		serve1(f, 0);
		expect_reap(f, NULL, 0);
	}
	assert_int_equal(f->prod.stats.signals + f->prod.stats.suppressed, 100);
	assert_int_equal(f->prod.stats.errors, 0);
}

/* --- a peer that breaks the protocol --- */

/* The end is stopped for good, with the reason and one error counted. */
static void expect_broken(struct ioq *q, enum ioq_error err)
{
	struct ioq_buf b = { .offset = 0, .len = 1 };
	struct ioq_elem e;
	void *c;
	u32 l;

	assert_int_equal(ioq_error(q), err);
	assert_int_equal(q->stats.errors, 1);
	assert_string_not_equal(ioq_error_name(err), "unknown");
	if (q->role == IOQ_CONSUMER) {
		assert_int_equal(ioq_consume(q, &e), -EIO);
		assert_int_equal(ioq_complete(q, 0, 1, 0), -EIO);
	} else {
		assert_int_equal(ioq_reap(q, &c, &l), -EIO);
		assert_int_equal(ioq_post(q, &b, 1, NULL, 0), -EIO);
	}
	assert_int_equal(ioq_error(q), err);
}

static void expect_consume_fails(struct fixture *f, enum ioq_error err)
{
	struct ioq_elem e;

	assert_int_equal(ioq_consume(&f->cons, &e), -EIO);
	assert_int_equal(f->cons.stats.consumed, 0);
	expect_broken(&f->cons, err);
}

static void test_bad_desc_flags(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	f->ring->desc[0].flags |= 0x0010;
	expect_consume_fails(f, IOQ_ERR_FLAGS);
}

static void test_bad_offset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	f->ring->desc[0].offset = AREA_LEN + 1;
	f->ring->desc[0].len = 0;
	expect_consume_fails(f, IOQ_ERR_RANGE);
}

static void test_bad_len(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	f->ring->desc[0].len = AREA_LEN + 1;
	expect_consume_fails(f, IOQ_ERR_RANGE);
}

static void test_bad_offset_plus_len(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	f->ring->desc[0].offset = AREA_LEN - 10;
	f->ring->desc[0].len = 11;
	expect_consume_fails(f, IOQ_ERR_RANGE);
}

static void test_bad_offset_wraps(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	f->ring->desc[0].offset = UINT64_MAX - 4;
	f->ring->desc[0].len = 16;
	expect_consume_fails(f, IOQ_ERR_RANGE);
}

/* A bad descriptor in the middle of a chain stops the whole chain. */
static void test_bad_chain_member(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf b[2] = { { .offset = 0, .len = 1 }, { .offset = 0, .len = 1 } };

	assert_int_equal(ioq_post(&f->prod, b, 2, NULL, 0), 0);
	f->ring->desc[1].offset = AREA_LEN;
	expect_consume_fails(f, IOQ_ERR_RANGE);
}

/* NEXT on a descriptor whose successor was never published. */
static void test_bad_chain_unpublished(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
	f->ring->desc[0].flags |= IOQ_DESC_F_NEXT;
	expect_consume_fails(f, IOQ_ERR_CHAIN);
}

/* A chain longer than IOQ_SG_MAX, forged directly in the ring. */
static void test_bad_chain_too_long(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i <= IOQ_SG_MAX; i++) {
		f->ring->desc[i].len = 1;
		f->ring->desc[i].flags = IOQ_DESC_F_AVAIL | IOQ_DESC_F_NEXT;
	}
	expect_consume_fails(f, IOQ_ERR_CHAIN);
}

/* A chain that runs all the way round the ring back onto itself. */
static void test_bad_chain_loops(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < COUNT; i++)
		f->ring->desc[i].flags = IOQ_DESC_F_AVAIL | IOQ_DESC_F_NEXT;
	expect_consume_fails(f, IOQ_ERR_CHAIN);
}

/*
 * More buffers than the ring holds: the producer republishes a slot the
 * consumer has taken but not completed (an index jump past the ring).
 */
static void test_bad_overrun(void **state)
{
	struct fixture *f = *state;
	struct ioq_elem e;
	int i;

	for (i = 0; i < COUNT; i++) {
		assert_int_equal(post1(f, 0, 1, 0, NULL), 0);
		assert_int_equal(ioq_consume(&f->cons, &e), 1);
	}
	/* Second-lap ownership bits in slot 0, though nothing was completed. */
	f->ring->desc[0].flags = IOQ_DESC_F_USED;
	assert_int_equal(ioq_consume(&f->cons, &e), -EIO);
	assert_int_equal(ioq_error(&f->cons), IOQ_ERR_OVERRUN);
	assert_int_equal(f->cons.stats.errors, 1);
}

/* Stale or foreign owner bits are never taken for a new buffer. */
static void test_stale_owner_bits(void **state)
{
	struct fixture *f = *state;
	struct ioq_elem e;
	u16 bits[] = { 0, IOQ_DESC_F_USED, IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		f->ring->desc[0].flags = bits[i];
		assert_int_equal(ioq_consume(&f->cons, &e), 0);
	}
	assert_int_equal(f->cons.stats.errors, 0);
}

/* --- a consumer that breaks the protocol, seen from the producer --- */

static void complete_raw(struct fixture *f, unsigned int slot, u16 id, u32 len, u16 flags)
{
	f->ring->desc[slot].id = id;
	f->ring->desc[slot].len = len;
	f->ring->desc[slot].flags = flags;
}

static void expect_reap_fails(struct fixture *f, enum ioq_error err)
{
	void *c;
	u32 l;

	assert_int_equal(ioq_reap(&f->prod, &c, &l), -EIO);
	expect_broken(&f->prod, err);
}

static void test_bad_used_id_range(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 8, IOQ_DESC_F_WRITE, NULL), 0);
	assert_int_equal(post1(f, 0, 8, IOQ_DESC_F_WRITE, NULL), 0);
	complete_raw(f, 0, COUNT, 0, IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED);
	/* A waiter for both does not sleep: it must reap and see the error. */
	assert_false(ioq_arm_reap(&f->prod, 2));
	expect_reap_fails(f, IOQ_ERR_ID);
}

static void test_bad_used_id_not_in_flight(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 8, IOQ_DESC_F_WRITE, NULL), 0);
	complete_raw(f, 0, f->ring->desc[0].id + 1, 0, IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED);
	expect_reap_fails(f, IOQ_ERR_ID);
}

/* The same id completed twice. */
static void test_bad_used_twice(void **state)
{
	struct fixture *f = *state;
	struct ioq_elem e;
	int a, b;

	assert_int_equal(post1(f, 0, 8, IOQ_DESC_F_WRITE, &a), 0);
	assert_int_equal(post1(f, 0, 8, IOQ_DESC_F_WRITE, &b), 0);
	assert_int_equal(ioq_consume(&f->cons, &e), 1);
	assert_int_equal(ioq_complete(&f->cons, e.id, e.ndesc, 0), 0);
	complete_raw(f, 1, e.id, 0, IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED);
	expect_reap(f, &a, 0);
	expect_reap_fails(f, IOQ_ERR_ID);
}

static void test_bad_used_len(void **state)
{
	struct fixture *f = *state;
	struct ioq_buf b[2] = {
		{ .offset = 0, .len = 100 },	/* read-only: does not count */
		{ .offset = 100, .len = 8, .flags = IOQ_DESC_F_WRITE },
	};

	assert_int_equal(ioq_post(&f->prod, b, 2, NULL, 0), 0);
	complete_raw(f, 0, f->ring->desc[0].id, 9, IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED);
	expect_reap_fails(f, IOQ_ERR_LEN);
}

static void test_bad_used_flags(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(post1(f, 0, 8, IOQ_DESC_F_WRITE, NULL), 0);
	complete_raw(f, 0, f->ring->desc[0].id, 0,
		     IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED | IOQ_DESC_F_NEXT);
	expect_reap_fails(f, IOQ_ERR_FLAGS);
}

/* Random bytes all over the ring: any outcome but a crash or a bad buffer. */
static void test_random_ring(void **state)
{
	struct fixture *f = *state;
	struct ioq_elem e;
	unsigned int seed = 1, round, i;
	u8 *bytes = (u8 *)f->ring->desc;
	void *c;
	u32 l;
	int ret;

	for (round = 0; round < 2000; round++) {
		ioq_cleanup(&f->prod);
		assert_int_equal(ioq_init(&f->prod, IOQ_PRODUCER, f->ring, f->ring_len, f->area,
					  AREA_LEN), 0);
		assert_int_equal(ioq_init(&f->cons, IOQ_CONSUMER, f->ring, f->ring_len, f->area,
					  AREA_LEN), 0);
		for (i = 0; i < 3; i++)
			post1(f, 0, 1, IOQ_DESC_F_WRITE, NULL);
		for (i = 0; i < COUNT * sizeof(struct ioq_desc); i++)
			bytes[i] = (u8)rand_r(&seed);
		while ((ret = ioq_consume(&f->cons, &e)) == 1) {
			for (i = 0; i < e.ndesc; i++) {
				assert_true((u8 *)e.sg[i].addr >= f->area);
				assert_true((u8 *)e.sg[i].addr + e.sg[i].len <= f->area + AREA_LEN);
			}
			ioq_complete(&f->cons, e.id, e.ndesc, 0);
		}
		assert_true(ret == 0 || ret == -EIO);
		while ((ret = ioq_reap(&f->prod, &c, &l)) == 1)
			;
		assert_true(ret == 0 || ret == -EIO);
	}
}

#define T(fn)		cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define T_BIG(fn)	cmocka_unit_test_setup_teardown(fn, setup_big, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_format_and_init),
		cmocka_unit_test(test_layout),
		T(test_empty),
		T(test_round_trip),
		T(test_full),
		T(test_wrap),
		T(test_chain),
		T(test_out_of_order),
		T(test_batch_publish),
		T(test_post_invalid),
		T(test_signal_not_armed),
		T(test_signal_nothing_new),
		T(test_signal_kick),
		T(test_signal_arm_races_work),
		T(test_signal_arm_after_poll),
		T(test_signal_batch),
		T(test_signal_disarm),
		T(test_signal_completion),
		T(test_signal_arm_reap),
		T(test_signal_garbage),
		T(test_bad_desc_flags),
		T(test_bad_offset),
		T(test_bad_len),
		T(test_bad_offset_plus_len),
		T(test_bad_offset_wraps),
		T(test_bad_chain_member),
		T(test_bad_chain_unpublished),
		T_BIG(test_bad_chain_too_long),
		T(test_bad_chain_loops),
		T(test_bad_overrun),
		T(test_stale_owner_bits),
		T(test_bad_used_id_range),
		T(test_bad_used_id_not_in_flight),
		T(test_bad_used_twice),
		T(test_bad_used_len),
		T(test_bad_used_flags),
		T(test_random_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
