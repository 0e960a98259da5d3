// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later
/*
 * IOQ ring, built unchanged into the kernel modules and into libvbus
 * (ioq_env.h supplies the difference). Protocol: doc/abi/ioq.md.
 *
 * Ordering, one pair per direction:
 * - a descriptor's body is written before its flags with release semantics
 *   and read after its flags with acquire semantics (ioq_post/ioq_consume,
 *   ioq_complete/ioq_reap);
 * - a side that may sleep publishes its signal block, then ioq_mb(), then
 *   re-checks the ring (ioq_arm); the peer updates the ring, then ioq_mb(),
 *   then reads the signal block (ioq_kick, ioq_notify). One of the two sees
 *   the other's write, so a wake-up is never lost.
 */
#include "ioq.h"

#define IOQ_OWNER_MASK		(IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED)

/* The wrap counter of sequence number seq: 1 on the first lap, then alternating. */
static inline bool ioq_wrap(const struct ioq *q, u32 seq)
{
	return !((seq >> q->order) & 1);
}

/* Owner bits of a descriptor posted at seq. */
static inline u16 ioq_avail_bits(const struct ioq *q, u32 seq)
{
	return ioq_wrap(q, seq) ? IOQ_DESC_F_AVAIL : IOQ_DESC_F_USED;
}

/* Owner bits of a completion written at seq. */
static inline u16 ioq_used_bits(const struct ioq *q, u32 seq)
{
	return ioq_wrap(q, seq) ? IOQ_OWNER_MASK : 0;
}

static inline struct ioq_desc *ioq_desc_at(const struct ioq *q, u32 seq)
{
	return &q->desc[seq & (q->count - 1)];
}

/* Record a violation by the peer; the first one stops this end for good. */
static int ioq_fail(struct ioq *q, enum ioq_error err)
{
	if (q->error == IOQ_ERR_NONE)
		q->error = err;
	q->stats.errors++;
	return -EIO;
}

static bool ioq_in_area(const struct ioq *q, u64 offset, u32 len)
{
	return len <= q->area_len && offset <= q->area_len - len;
}

int ioq_ring_format(void *mem, size_t len, u32 count)
{
	struct ioq_ring *ring = mem;

	if (count < IOQ_COUNT_MIN || count > IOQ_COUNT_MAX || (count & (count - 1)) ||
	    len < IOQ_RING_SIZE(count))
		return -EINVAL;
	memset(ring, 0, IOQ_RING_SIZE(count));
	ring->count = count;
	ring->version = IOQ_VERSION;
	ring->magic = IOQ_MAGIC;
	return 0;
}
IOQ_EXPORT(ioq_ring_format);

/* The header is read once here and never again: the peer may rewrite it. */
static int ioq_init_ring(struct ioq *q, struct ioq_ring *ring, size_t ring_len)
{
	u32 magic = READ_ONCE(ring->magic);
	u16 version = READ_ONCE(ring->version);
	u32 count = READ_ONCE(ring->count);

	if (ring_len < sizeof(*ring) || magic != IOQ_MAGIC || version != IOQ_VERSION)
		return -EINVAL;
	if (count < IOQ_COUNT_MIN || count > IOQ_COUNT_MAX || (count & (count - 1)) ||
	    ring_len < IOQ_RING_SIZE(count))
		return -EINVAL;
	q->count = count;
	q->order = 0;
	while ((1U << q->order) < count)
		q->order++;
	q->desc = ring->desc;
	return 0;
}

int ioq_init(struct ioq *q, enum ioq_role role, void *ring, size_t ring_len,
	     void *area, u64 area_len)
{
	struct ioq_ring *r = ring;
	u32 i;
	int ret;

	memset(q, 0, sizeof(*q));
	ret = ioq_init_ring(q, r, ring_len);
	if (ret < 0)
		return ret;
	q->role = role;
	q->area = area;
	q->area_len = area ? area_len : 0;
	q->own_sig = role == IOQ_PRODUCER ? &r->prod_sig : &r->cons_sig;
	q->peer_sig = role == IOQ_PRODUCER ? &r->cons_sig : &r->prod_sig;
	if (role != IOQ_PRODUCER)
		return 0;

	q->slots = ioq_calloc(q->count, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	for (i = 0; i < q->count; i++)
		q->slots[i].next_free = i + 1;
	return 0;
}
IOQ_EXPORT(ioq_init);

void ioq_cleanup(struct ioq *q)
{
	ioq_free(q->slots);
	q->slots = NULL;
}
IOQ_EXPORT(ioq_cleanup);

u32 ioq_free_slots(const struct ioq *q)
{
	return q->count - (q->next - q->used);
}
IOQ_EXPORT(ioq_free_slots);

/* Caller's own mistakes are -EINVAL, not ring errors. */
static int ioq_post_check(const struct ioq *q, const struct ioq_buf *bufs, unsigned int n,
			  u32 *ret_wlen)
{
	u32 wlen = 0;
	unsigned int i;

	if (q->role != IOQ_PRODUCER || !n || n > IOQ_SG_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if ((bufs[i].flags & ~IOQ_DESC_F_WRITE) ||
		    !ioq_in_area(q, bufs[i].offset, bufs[i].len))
			return -EINVAL;
		if ((bufs[i].flags & IOQ_DESC_F_WRITE) && wlen + bufs[i].len < wlen)
			return -EINVAL;
		if (bufs[i].flags & IOQ_DESC_F_WRITE)
			wlen += bufs[i].len;
	}
	*ret_wlen = wlen;
	return 0;
}

/*
 * Write a chain at q->next. The head's flags go last (release), or are
 * held back with IOQ_POST_HOLD so that a whole batch appears at once.
 */
int ioq_post(struct ioq *q, const struct ioq_buf *bufs, unsigned int n, void *cookie,
	     unsigned int flags)
{
	u32 seq = q->next, wlen;
	struct ioq_slot *slot;
	struct ioq_desc *d;
	unsigned int i;
	u16 id, f;
	int ret;

	if (unlikely(q->error))
		return -EIO;
	ret = ioq_post_check(q, bufs, n, &wlen);
	if (unlikely(ret < 0))
		return ret;
	if (ioq_free_slots(q) < n)
		return -ENOSPC;

	id = q->free_head;
	slot = &q->slots[id];
	q->free_head = slot->next_free;
	slot->cookie = cookie;
	slot->wlen = wlen;
	slot->ndesc = n;

	for (i = n; i-- > 0;) {
		d = ioq_desc_at(q, seq + i);
		d->offset = bufs[i].offset;
		d->len = bufs[i].len;
		d->id = id;
		f = bufs[i].flags | ioq_avail_bits(q, seq + i);
		if (i + 1 < n)
			f |= IOQ_DESC_F_NEXT;
		if (i)
			WRITE_ONCE(d->flags, f);
	}
	q->next = seq + n;
	q->stats.produced += n;

	if ((flags & IOQ_POST_HOLD) && !q->holding) {
		q->holding = true;
		q->held = seq;
		q->held_flags = f;
		return 0;
	}
	ioq_store_release(&d->flags, f);
	/* A post without HOLD ends an open batch. */
	if (!(flags & IOQ_POST_HOLD))
		ioq_publish(q);
	return 0;
}
IOQ_EXPORT(ioq_post);

/* Make a held batch visible. */
void ioq_publish(struct ioq *q)
{
	if (!q->holding)
		return;
	q->holding = false;
	ioq_store_release(&ioq_desc_at(q, q->held)->flags, q->held_flags);
}
IOQ_EXPORT(ioq_publish);

/* Decide whether the peer needs a wake-up for what this end published since the last call. */
static bool ioq_signal(struct ioq *q, u32 seq)
{
	bool need;

	if (seq == q->signalled)
		return false;
	/* Pairs with the ioq_mb() in ioq_arm(): ring update before signal read. */
	ioq_mb();
	need = shm_signal_needed(q->peer_sig, seq, q->signalled);
	q->signalled = seq;
	if (need)
		q->stats.signals++;
	else
		q->stats.suppressed++;
	return need;
}

/* Publish held posts; true when the caller must wake the consumer. */
bool ioq_kick(struct ioq *q)
{
	ioq_publish(q);
	return ioq_signal(q, q->next);
}
IOQ_EXPORT(ioq_kick);

/* True when the consumer must be woken for completions written so far. */
bool ioq_notify(struct ioq *q)
{
	return ioq_signal(q, q->used);
}
IOQ_EXPORT(ioq_notify);

bool ioq_reap_empty(struct ioq *q)
{
	u16 f;

	if (q->next == q->used)
		return true;
	f = READ_ONCE(ioq_desc_at(q, q->used)->flags);
	return (f & IOQ_OWNER_MASK) != ioq_used_bits(q, q->used);
}
IOQ_EXPORT(ioq_reap_empty);

/*
 * Take the next completion: 1 with the cookie and the length written, 0 when
 * there is none, -EIO when the consumer broke the protocol.
 */
int ioq_reap(struct ioq *q, void **ret_cookie, u32 *ret_len)
{
	struct ioq_desc *d = ioq_desc_at(q, q->used);
	struct ioq_slot *slot;
	u32 len;
	u16 f, id;

	if (unlikely(q->error))
		return -EIO;
	if (q->next == q->used)
		return 0;
	f = ioq_load_acquire(&d->flags);
	if ((f & IOQ_OWNER_MASK) != ioq_used_bits(q, q->used))
		return 0;
	id = READ_ONCE(d->id);
	len = READ_ONCE(d->len);
	if (unlikely(f & ~IOQ_OWNER_MASK))
		return ioq_fail(q, IOQ_ERR_FLAGS);
	if (unlikely(id >= q->count || !q->slots[id].ndesc))
		return ioq_fail(q, IOQ_ERR_ID);
	slot = &q->slots[id];
	if (unlikely(len > slot->wlen))
		return ioq_fail(q, IOQ_ERR_LEN);

	q->used += slot->ndesc;
	q->stats.consumed += slot->ndesc;
	*ret_cookie = slot->cookie;
	*ret_len = len;
	slot->ndesc = 0;
	slot->cookie = NULL;
	slot->next_free = q->free_head;
	q->free_head = id;
	return 1;
}
IOQ_EXPORT(ioq_reap);

bool ioq_consume_empty(struct ioq *q)
{
	u16 f = READ_ONCE(ioq_desc_at(q, q->next)->flags);

	return (f & IOQ_OWNER_MASK) != ioq_avail_bits(q, q->next);
}
IOQ_EXPORT(ioq_consume_empty);

/* Check and map one posted descriptor at seq into e->sg[n]. */
static int ioq_take_desc(struct ioq *q, struct ioq_elem *e, u32 seq, u16 f, unsigned int n)
{
	const struct ioq_desc *d = ioq_desc_at(q, seq);
	u64 offset = READ_ONCE(d->offset);
	u32 len = READ_ONCE(d->len);

	if (unlikely(f & ~IOQ_DESC_F_KNOWN))
		return ioq_fail(q, IOQ_ERR_FLAGS);
	if (unlikely(n >= IOQ_SG_MAX))
		return ioq_fail(q, IOQ_ERR_CHAIN);
	/* Slots between used and next are ours until completed: never more than the ring. */
	if (unlikely(seq - q->used >= q->count))
		return ioq_fail(q, IOQ_ERR_OVERRUN);
	if (unlikely(!ioq_in_area(q, offset, len)))
		return ioq_fail(q, IOQ_ERR_RANGE);
	e->sg[n].addr = q->area + offset;
	e->sg[n].len = len;
	e->sg[n].flags = f & IOQ_DESC_F_WRITE;
	if (f & IOQ_DESC_F_WRITE) {
		/* Overflow-proof whatever the limits on the area and the chain. */
		if (unlikely(e->wlen + len < len))
			return ioq_fail(q, IOQ_ERR_RANGE);
		e->wlen += len;
	}
	return 0;
}

/*
 * Take the next posted buffer: 1 with e filled in, 0 when there is none,
 * -EIO when the producer broke the protocol. e->sg[].addr point into the
 * registered area; the id is the producer's and is only echoed back.
 */
int ioq_consume(struct ioq *q, struct ioq_elem *e)
{
	const struct ioq_desc *d = ioq_desc_at(q, q->next);
	u32 seq = q->next;
	unsigned int n = 0;
	int ret;
	u16 f;

	if (unlikely(q->error))
		return -EIO;
	f = ioq_load_acquire(&d->flags);
	if ((f & IOQ_OWNER_MASK) != ioq_avail_bits(q, seq))
		return 0;
	e->id = READ_ONCE(d->id);
	e->wlen = 0;
	for (;;) {
		ret = ioq_take_desc(q, e, seq, f, n);
		if (unlikely(ret < 0))
			return ret;
		n++;
		seq++;
		if (!(f & IOQ_DESC_F_NEXT))
			break;
		/* The producer writes a chain's tail before its head: it must be there. */
		f = READ_ONCE(ioq_desc_at(q, seq)->flags);
		if (unlikely((f & IOQ_OWNER_MASK) != ioq_avail_bits(q, seq)))
			return ioq_fail(q, IOQ_ERR_CHAIN);
	}
	e->ndesc = n;
	q->next = seq;
	q->stats.consumed += n;
	return 1;
}
IOQ_EXPORT(ioq_consume);

/*
 * Return a buffer taken by ioq_consume(), in any order: its id and
 * descriptor count, and the bytes written into it.
 */
int ioq_complete(struct ioq *q, u16 id, u16 ndesc, u32 len)
{
	struct ioq_desc *d = ioq_desc_at(q, q->used);

	if (unlikely(q->error))
		return -EIO;
	if (unlikely(q->role != IOQ_CONSUMER || !ndesc || q->next - q->used < ndesc))
		return -EINVAL;
	WRITE_ONCE(d->id, id);
	WRITE_ONCE(d->len, len);
	ioq_store_release(&d->flags, ioq_used_bits(q, q->used));
	q->used += ndesc;
	q->stats.produced += ndesc;
	return 0;
}
IOQ_EXPORT(ioq_complete);

/*
 * About to sleep: ask the peer for a wake-up at the next sequence number
 * this end waits for. True when it is safe to sleep, false when work arrived
 * meanwhile (then the caller goes on polling; the request stays armed).
 */
bool ioq_arm(struct ioq *q)
{
	bool producer = q->role == IOQ_PRODUCER;

	shm_signal_arm(q->own_sig, &q->sig, producer ? q->used : q->next);
	/* Pairs with the ioq_mb() in ioq_signal(): signal write before ring read. */
	ioq_mb();
	return producer ? ioq_reap_empty(q) : ioq_consume_empty(q);
}
IOQ_EXPORT(ioq_arm);

/*
 * Descriptors completed and not yet reaped, counted from the oldest until n
 * are found (producer). A completion that ioq_reap() would refuse ends the
 * count as found: the caller then reaps and meets the error.
 */
static u32 ioq_reap_ready(const struct ioq *q, u32 n)
{
	u32 seq = q->used;
	u16 f, id;

	while (seq - q->used < n && seq != q->next) {
		f = ioq_load_acquire(&ioq_desc_at(q, seq)->flags);
		if ((f & IOQ_OWNER_MASK) != ioq_used_bits(q, seq))
			break;
		id = READ_ONCE(ioq_desc_at(q, seq)->id);
		if (id >= q->count || !q->slots[id].ndesc)
			return n;
		seq += q->slots[id].ndesc;
	}
	return seq - q->used;
}

/*
 * Producer about to sleep until its consumer has completed n descriptors,
 * counted from the oldest not reaped (at most those in flight): a sender
 * that stopped on a full ring waits for room for a batch, not for the first
 * completion. True when it is safe to sleep, false when that many are
 * completed already. n <= 1 is ioq_arm().
 */
bool ioq_arm_reap(struct ioq *q, u32 n)
{
	if (n > q->next - q->used)
		n = q->next - q->used;
	if (q->role != IOQ_PRODUCER || n <= 1)
		return ioq_arm(q);
	shm_signal_arm(q->own_sig, &q->sig, q->used + n - 1);
	ioq_mb();
	return ioq_reap_ready(q, n) < n;
}
IOQ_EXPORT(ioq_arm_reap);

/*
 * ioq_arm() after polling the ring up to spins times: a side that would
 * otherwise sleep and be kicked right away (its peer was about to post)
 * stays awake for a moment instead, as vhost's busyloop_timeout does. Each
 * poll reads a descriptor this end owns next, so it costs no cache traffic
 * until the peer writes it. spins = 0 is ioq_arm().
 */
bool ioq_arm_after_poll(struct ioq *q, unsigned int spins)
{
	bool producer = q->role == IOQ_PRODUCER;

	while (spins--) {
		if (!(producer ? ioq_reap_empty(q) : ioq_consume_empty(q)))
			return false;
		ioq_cpu_relax();
	}
	return ioq_arm(q);
}
IOQ_EXPORT(ioq_arm_after_poll);

/* This end polls from now on: the peer may skip every wake-up. */
void ioq_disarm(struct ioq *q)
{
	shm_signal_disarm(q->own_sig, &q->sig);
}
IOQ_EXPORT(ioq_disarm);

const char *ioq_error_name(enum ioq_error err)
{
	static const char * const names[IOQ_ERR_MAX] = {
		[IOQ_ERR_NONE] = "none",
		[IOQ_ERR_FLAGS] = "unknown descriptor flags",
		[IOQ_ERR_RANGE] = "buffer outside the registered area",
		[IOQ_ERR_CHAIN] = "bad descriptor chain",
		[IOQ_ERR_OVERRUN] = "more buffers outstanding than the ring holds",
		[IOQ_ERR_ID] = "completion of a buffer not in flight",
		[IOQ_ERR_LEN] = "completion longer than the buffer",
	};

	return (unsigned int)err < IOQ_ERR_MAX ? names[err] : "unknown";
}
IOQ_EXPORT(ioq_error_name);
