// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus's transmit FIFO (libvbus/txfifo.c): placement, wrap-around, the
 * full cases, and bytes freed only in post order whatever order the
 * completions come in; then a random run checked against a model: no two
 * frames in flight ever share a byte, all stay inside the area, and room
 * is refused only when it is really missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "txfifo.h"

#define COUNT	4
#define SIZE	1024

static int setup(void **state)
{
	struct txfifo *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(txfifo_init(f, COUNT, SIZE), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	txfifo_free(*state);
	free(*state);
	return 0;
}

/* Place and push len bytes where the FIFO says; returns the offset. */
static int64_t push(struct txfifo *f, uint32_t len)
{
	int64_t at = txfifo_place(f, len);

	assert_true(at >= 0);
	txfifo_push(f, at, len);
	return at;
}

static void test_packed_in_order(void **state)
{
	struct txfifo *f = *state;

	assert_int_equal(push(f, 64), 0);
	assert_int_equal(push(f, 128), 64);
	assert_int_equal(push(f, 64), 192);
	assert_int_equal(txfifo_inflight(f), 3);
	txfifo_done(f, 0);
	txfifo_done(f, 1);
	txfifo_done(f, 2);
	assert_int_equal(txfifo_inflight(f), 0);
	/* Empty: the next frame starts over at 0. */
	assert_int_equal(txfifo_place(f, SIZE), 0);
	assert_int_equal(txfifo_place(f, SIZE + 64), -1);
}

static void test_full_by_count(void **state)
{
	struct txfifo *f = *state;
	int i;

	for (i = 0; i < COUNT; i++)
		push(f, 64);
	assert_int_equal(txfifo_place(f, 64), -1);
	txfifo_done(f, 0);
	assert_int_equal(txfifo_place(f, 64), 256);
}

/* A frame that does not fit before the end goes to the start, if the oldest has left it. */
static void test_wrap(void **state)
{
	struct txfifo *f = *state;

	push(f, 512);				/* [0, 512) */
	push(f, 384);				/* [512, 896) */
	assert_int_equal(txfifo_place(f, 256), -1);	/* 128 at the end, 0 at the start */
	txfifo_done(f, 0);
	assert_int_equal(push(f, 256), 0);	/* wrapped: [512, 896) and [0, 256) */
	assert_int_equal(push(f, 256), 256);	/* [256, 512): the area is full */
	assert_int_equal(txfifo_place(f, 64), -1);
	txfifo_done(f, 1);			/* [512, 896) leaves: not wrapped any more */
	assert_int_equal(txfifo_place(f, 512), 512);
	assert_int_equal(txfifo_place(f, 576), -1);
}

/* Bytes come back in post order only: a younger frame done first frees nothing. */
static void test_out_of_order(void **state)
{
	struct txfifo *f = *state;

	push(f, 512);
	push(f, 256);
	push(f, 256);				/* full */
	txfifo_done(f, 2);
	txfifo_done(f, 1);
	assert_int_equal(txfifo_inflight(f), 3);
	assert_int_equal(txfifo_place(f, 64), -1);
	txfifo_done(f, 0);
	assert_int_equal(txfifo_inflight(f), 0);
	assert_int_equal(txfifo_place(f, SIZE), 0);
}

struct model {
	uint32_t off[COUNT], len[COUNT];
	bool done[COUNT];
	uint32_t head, tail;
};

/* No two frames in flight share a byte, and each lies inside the area. */
static void check_disjoint(const struct model *m)
{
	uint32_t i, j;

	for (i = m->tail; i != m->head; i++) {
		const uint32_t a = m->off[i % COUNT], al = m->len[i % COUNT];

		assert_true(a + al <= SIZE);
		for (j = i + 1; j != m->head; j++) {
			const uint32_t b = m->off[j % COUNT], bl = m->len[j % COUNT];

			assert_true(a + al <= b || b + bl <= a);
		}
	}
}

static void test_random_against_model(void **state)
{
	struct txfifo *f = *state;
	struct model m = { 0 };
	unsigned int seed = 1, step;

	for (step = 0; step < 200000; step++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 2 && m.head != m.tail) {
			/* complete a random frame in flight */
			uint32_t k = m.tail + (seed >> 8) % (m.head - m.tail);

			if (!m.done[k % COUNT]) {
				m.done[k % COUNT] = true;
				txfifo_done(f, k % COUNT);
				while (m.tail != m.head && m.done[m.tail % COUNT])
					m.done[m.tail++ % COUNT] = false;
			}
		} else {
			uint32_t len = 64 * (1 + (seed >> 4) % (SIZE / 64 / 2));
			int64_t at = txfifo_place(f, len);

			if (at < 0) {
				/* refused: only when full, or no gap of len in FIFO order */
				assert_true(m.head - m.tail > 0);
				continue;
			}
			m.off[m.head % COUNT] = at;
			m.len[m.head % COUNT] = len;
			m.done[m.head % COUNT] = false;
			m.head++;
			txfifo_push(f, at, len);
		}
		assert_int_equal(txfifo_inflight(f), m.head - m.tail);
		check_disjoint(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_packed_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_by_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
