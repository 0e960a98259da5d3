// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Two-thread IOQ stress: a producer posts numbered messages (chains of one
 * to three descriptors, published in batches), a consumer answers each with
 * the complement of its number, completing out of order; both sleep on
 * eventfds through shm-signal, so a lost wake-up stalls the test (it fails
 * after 10 s). Checksums of what was sent, received and answered must
 * agree.
 *
 * IOQ_STRESS_COUNT sets the number of messages (make check: 1M;
 * bench/ring/run: 100M).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ioq/ioq.h"

#define RING		256
#define CHUNK		64		/* area bytes per message: 4 x 16 */
#define HOLD_MAX	4		/* completions the consumer reorders */

struct stress {
	struct ioq prod;
	struct ioq cons;
	u8 *area;
	unsigned long count;
	int kick_fd;
	int call_fd;
	u64 sent_sum;
	u64 recv_sum;
	unsigned long bad_answers;
	unsigned long kicks;
	unsigned long calls;
};

static void wake(int fd)
{
	u64 one = 1;

	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

/*
 * Wait for a wake-up; one ten seconds overdue was lost: fail rather than
 * hang (from either thread, so not through cmocka's longjmp).
 */
static void sleep_on(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	u64 v;

	if (poll(&p, 1, 10000) != 1) {
		fprintf(stderr, "lost wake-up: nothing on eventfd %d for 10 s\n", fd);
		_exit(1);
	}
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
}

static u64 msg_value(unsigned long i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

/* Complete the held buffers newest first, answering each. */
static void consumer_flush(struct stress *s, struct ioq_elem *held, unsigned int *nheld)
{
	unsigned int i, k;
	u64 v;

	for (i = *nheld; i-- > 0;) {
		v = *(u64 *)held[i].sg[0].addr;
		s->recv_sum += v;
		for (k = 1; k < held[i].ndesc; k++)
			*(u64 *)held[i].sg[k].addr = ~v;
		assert_int_equal(ioq_complete(&s->cons, held[i].id, held[i].ndesc,
					      8 * (held[i].ndesc - 1)), 0);
	}
	*nheld = 0;
	if (ioq_notify(&s->cons)) {
		s->calls++;
		wake(s->call_fd);
	}
}

static void *consumer(void *arg)
{
	struct stress *s = arg;
	struct ioq_elem held[HOLD_MAX];
	unsigned long done = 0;
	unsigned int nheld = 0;
	int ret;

	while (done < s->count) {
		ret = ioq_consume(&s->cons, &held[nheld]);
		assert_true(ret >= 0);
		if (ret == 1) {
			done++;
			if (++nheld == HOLD_MAX)
				consumer_flush(s, held, &nheld);
			continue;
		}
		if (nheld)
			consumer_flush(s, held, &nheld);
		else if (ioq_arm(&s->cons))
			sleep_on(s->kick_fd);
	}
	consumer_flush(s, held, &nheld);
	return NULL;
}

/* Post as many messages as fit; returns how many. */
static unsigned long producer_fill(struct stress *s, unsigned long *sent, u32 *chunks,
				   unsigned int *nfree)
{
	struct ioq_buf b[3];
	unsigned long n = 0;
	unsigned int k, ndesc;
	u32 chunk;
	u64 off;

	while (*sent < s->count && *nfree) {
		ndesc = 1 + *sent % 3;
		if (ioq_free_slots(&s->prod) < ndesc)
			break;
		chunk = chunks[--*nfree];
		off = (u64)chunk * CHUNK;
		*(u64 *)(s->area + off) = msg_value(*sent);
		*(u64 *)(s->area + off + 56) = *sent;	/* which message, for the check */
		for (k = 0; k < ndesc; k++) {
			b[k].offset = off + 16 * k;
			b[k].len = k ? 8 : 16;
			b[k].flags = k ? IOQ_DESC_F_WRITE : 0;
		}
		assert_int_equal(ioq_post(&s->prod, b, ndesc, (void *)(uintptr_t)chunk,
					  IOQ_POST_HOLD), 0);
		s->sent_sum += msg_value(*sent);
		++*sent;
		n++;
	}
	if (ioq_kick(&s->prod)) {
		s->kicks++;
		wake(s->kick_fd);
	}
	return n;
}

/* Take back answered messages, checking each answer; returns how many. */
static unsigned long producer_reap(struct stress *s, u32 *chunks, unsigned int *nfree)
{
	unsigned long n = 0, i;
	unsigned int k, ndesc;
	void *cookie;
	u32 len;
	u8 *buf;

	while (ioq_reap(&s->prod, &cookie, &len) == 1) {
		buf = s->area + (uintptr_t)cookie * CHUNK;
		i = *(u64 *)(buf + 56);
		ndesc = 1 + i % 3;
		if (len != 8 * (ndesc - 1) || *(u64 *)buf != msg_value(i))
			s->bad_answers++;
		for (k = 1; k < ndesc; k++)
			if (*(u64 *)(buf + 16 * k) != ~msg_value(i))
				s->bad_answers++;
		chunks[(*nfree)++] = (u32)(uintptr_t)cookie;
		n++;
	}
	return n;
}

static void producer(struct stress *s)
{
	unsigned long sent = 0, got = 0, posted, reaped;
	unsigned int nfree = RING, i;
	u32 chunks[RING];

	for (i = 0; i < RING; i++)
		chunks[i] = i;
	while (got < s->count) {
		posted = producer_fill(s, &sent, chunks, &nfree);
		reaped = producer_reap(s, chunks, &nfree);
		got += reaped;
		if (posted || reaped)
			continue;
		if (ioq_arm(&s->prod))
			sleep_on(s->call_fd);
	}
}

static unsigned long stress_count(void)
{
	const char *env = getenv("IOQ_STRESS_COUNT");

	return env ? strtoul(env, NULL, 0) : 1000000;
}

static void test_two_threads(void **state)
{
	size_t ring_len = IOQ_RING_SIZE(RING);
	struct stress s = { .count = stress_count() };
	struct timespec t0, t1;
	pthread_t t;
	void *ring;
	double secs;

	(void)state;
	ring = aligned_alloc(4096, (ring_len + 4095) & ~4095UL);
	s.area = calloc(RING, CHUNK);
	assert_non_null(ring);
	assert_non_null(s.area);
	assert_int_equal(ioq_ring_format(ring, ring_len, RING), 0);
	assert_int_equal(ioq_init(&s.prod, IOQ_PRODUCER, ring, ring_len, s.area, RING * CHUNK), 0);
	assert_int_equal(ioq_init(&s.cons, IOQ_CONSUMER, ring, ring_len, s.area, RING * CHUNK), 0);
	s.kick_fd = eventfd(0, 0);
	s.call_fd = eventfd(0, 0);
	assert_true(s.kick_fd >= 0 && s.call_fd >= 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&t, NULL, consumer, &s), 0);
	producer(&s);
	assert_int_equal(pthread_join(t, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("# %lu messages in %.2f s (%.2f M/s), %.4f kicks/msg, %.4f calls/msg, signals suppressed %llu + %llu\n",
	       s.count, secs, s.count / secs / 1e6,
	       (double)s.kicks / s.count, (double)s.calls / s.count,
	       (unsigned long long)s.prod.stats.suppressed,
	       (unsigned long long)s.cons.stats.suppressed);
	assert_int_equal(s.bad_answers, 0);
	assert_true(s.sent_sum == s.recv_sum);
	assert_int_equal(s.prod.stats.errors + s.cons.stats.errors, 0);
	assert_int_equal(s.prod.stats.produced, s.cons.stats.consumed);
	assert_int_equal(s.cons.stats.produced, s.prod.stats.consumed);
	assert_int_equal(s.prod.stats.signals, s.kicks);
	assert_int_equal(s.cons.stats.signals, s.calls);

	close(s.kick_fd);
	close(s.call_fd);
	ioq_cleanup(&s.prod);
	free(s.area);
	free(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
