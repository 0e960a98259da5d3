// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-ioq-selftest.ko: runs the portable IOQ self-test, then a two-thread
 * run (this thread produces, a kthread consumes, both sleep through
 * shm-signal when idle) with a checksum, at load time. Loading fails with -EINVAL when a check fails, so that
 * "modprobe vbus-ioq-selftest" is the whole test; the module does nothing
 * once loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "ioq_selftest.h"

static unsigned int stress_count = 100000;
module_param(stress_count, uint, 0444);
MODULE_PARM_DESC(stress_count, "messages in the two-thread run (0: skip it)");

#define STRESS_RING	64
#define STRESS_GOLDEN	0x9e3779b97f4a7c15ULL
#define STRESS_TIMEOUT	(5 * HZ)	/* a wake-up that long overdue was lost */

/*
 * Both sides sleep through shm-signal: a side with nothing to do arms its
 * signal block and waits for its peer's wake-up counter to move, with a
 * timeout, so a lost wake-up fails the run instead of hanging it.
 */
struct stress {
	struct ioq prod;
	struct ioq cons;
	u64 *area;
	u64 sent_sum;
	u64 recv_sum;
	unsigned int count;
	int cons_ret;
	bool cons_done;
	atomic_t kicks;
	atomic_t calls;
	wait_queue_head_t kick_wq;
	wait_queue_head_t call_wq;
	struct completion done;
};

/* Take one buffer, answer it with the complement of its value. */
static int stress_serve(struct stress *s, struct ioq_elem *e)
{
	u64 *buf = e->sg[0].addr;
	int ret;

	s->recv_sum += *buf;
	*buf = ~*buf;
	ret = ioq_complete(&s->cons, e->id, e->ndesc, sizeof(*buf));
	if (ret < 0)
		return ret;
	if (ioq_notify(&s->cons)) {
		atomic_inc(&s->calls);
		wake_up(&s->call_wq);
	}
	return 0;
}

/* Consumer thread. */
static int stress_consumer(void *data)
{
	struct stress *s = data;
	unsigned int n = 0;
	struct ioq_elem e;
	int ret = 0, seen;

	while (n < READ_ONCE(s->count)) {
		ret = ioq_consume(&s->cons, &e);
		if (ret < 0)
			break;
		if (ret) {
			ret = stress_serve(s, &e);
			if (ret < 0)
				break;
			n++;
			continue;
		}
		seen = atomic_read(&s->kicks);
		if (ioq_arm(&s->cons) &&
		    !wait_event_timeout(s->kick_wq, atomic_read(&s->kicks) != seen ||
					!READ_ONCE(s->count), STRESS_TIMEOUT)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	s->cons_ret = n == s->count ? 0 : ret ? ret : -EIO;
	WRITE_ONCE(s->cons_done, true);
	wake_up(&s->call_wq);
	complete(&s->done);
	return 0;
}

/* Post what fits as one batch; wake the consumer if it asked for it. */
static unsigned int stress_post(struct stress *s, unsigned int sent)
{
	struct ioq_buf b = { .len = sizeof(u64), .flags = IOQ_DESC_F_WRITE };
	unsigned int n = 0;
	u64 v;

	while (sent + n < s->count && ioq_free_slots(&s->prod)) {
		v = (sent + n + 1) * STRESS_GOLDEN;
		b.offset = ((sent + n) % STRESS_RING) * sizeof(u64);
		s->area[(sent + n) % STRESS_RING] = v;
		if (ioq_post(&s->prod, &b, 1, (void *)(uintptr_t)v, IOQ_POST_HOLD) < 0)
			break;
		s->sent_sum += v;
		n++;
	}
	if (ioq_kick(&s->prod)) {
		atomic_inc(&s->kicks);
		wake_up(&s->kick_wq);
	}
	return n;
}

/* Caller's thread: post values, check each answer, sleep when idle. */
static int stress_produce(struct stress *s)
{
	unsigned int sent = 0, got = 0, posted, reaped;
	void *cookie;
	int ret, seen;
	u32 len;
	u64 v;

	while (got < s->count) {
		posted = stress_post(s, sent);
		sent += posted;
		reaped = 0;
		while ((ret = ioq_reap(&s->prod, &cookie, &len)) == 1) {
			v = (uintptr_t)cookie;
			if (len != sizeof(u64) || s->area[(got + reaped) % STRESS_RING] != ~v)
				return -EIO;
			reaped++;
		}
		if (ret < 0)
			return ret;
		got += reaped;
		if (posted || reaped)
			continue;
		seen = atomic_read(&s->calls);
		if (ioq_arm(&s->prod) &&
		    !wait_event_timeout(s->call_wq, atomic_read(&s->calls) != seen ||
					READ_ONCE(s->cons_done), STRESS_TIMEOUT))
			return -ETIMEDOUT;
		if (READ_ONCE(s->cons_done) && ioq_reap_empty(&s->prod))
			return got == s->count ? 0 : -EIO;
	}
	return 0;
}

static int stress_run(unsigned int count)
{
	size_t ring_len = IOQ_RING_SIZE(STRESS_RING);
	struct task_struct *t;
	struct stress *s;
	void *ring;
	int ret;

	s = vzalloc(sizeof(*s));
	ring = vzalloc(ring_len);
	if (!s || !ring) {
		ret = -ENOMEM;
		goto out_free;
	}
	s->area = vzalloc(STRESS_RING * sizeof(u64));
	s->count = count;
	init_waitqueue_head(&s->kick_wq);
	init_waitqueue_head(&s->call_wq);
	init_completion(&s->done);
	ret = -ENOMEM;
	if (!s->area || ioq_ring_format(ring, ring_len, STRESS_RING))
		goto out_free;
	ret = ioq_init(&s->prod, IOQ_PRODUCER, ring, ring_len, s->area, STRESS_RING * sizeof(u64));
	if (ret)
		goto out_free;
	ret = ioq_init(&s->cons, IOQ_CONSUMER, ring, ring_len, s->area, STRESS_RING * sizeof(u64));
	if (ret)
		goto out_cleanup;

	t = kthread_run(stress_consumer, s, "vbus-ioq-st");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out_cleanup;
	}
	ret = stress_produce(s);
	if (ret) {
		WRITE_ONCE(s->count, 0);	/* lets the consumer stop */
		wake_up(&s->kick_wq);
	}
	wait_for_completion(&s->done);
	if (!ret && (s->cons_ret || s->sent_sum != s->recv_sum))
		ret = -EIO;
	pr_info("two-thread run: %u messages, checksum %s, errors %llu/%llu, kicks %d, calls %d, suppressed %llu/%llu, status %d/%d\n",
		count, s->sent_sum == s->recv_sum ? "ok" : "MISMATCH", s->prod.stats.errors,
		s->cons.stats.errors, atomic_read(&s->kicks), atomic_read(&s->calls),
		s->prod.stats.suppressed, s->cons.stats.suppressed, ret, s->cons_ret);
out_cleanup:
	ioq_cleanup(&s->prod);
out_free:
	if (s)
		vfree(s->area);
	vfree(ring);
	vfree(s);
	return ret;
}

static int __init ioq_selftest_init(void)
{
	void *ring = vzalloc(IOQ_SELFTEST_RING_LEN);
	void *area = vzalloc(IOQ_SELFTEST_AREA_LEN);
	int ret = -ENOMEM;

	if (ring && area)
		ret = ioq_selftest(ring, IOQ_SELFTEST_RING_LEN, area, IOQ_SELFTEST_AREA_LEN);
	vfree(area);
	vfree(ring);
	if (ret) {
		pr_err("self-test failed (%d)\n", ret);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	pr_info("self-test passed\n");
	if (stress_count) {
		ret = stress_run(stress_count);
		if (ret) {
			pr_err("two-thread run failed (%d)\n", ret);
			return ret == -ENOMEM ? ret : -EINVAL;
		}
	}
	return 0;
}

static void __exit ioq_selftest_exit(void)
{
}

module_init(ioq_selftest_init);
module_exit(ioq_selftest_exit);
MODULE_DESCRIPTION("vbus IOQ ring self-test");
MODULE_LICENSE("GPL");
