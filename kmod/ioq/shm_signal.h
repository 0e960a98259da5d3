/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * shm-signal: decides whether a side must be woken. The side that may sleep
 * publishes, in its own struct ioq_signal, the sequence number it waits for
 * and NEED_WAKEUP; its peer signals only when its sequence crosses that
 * index while NEED_WAKEUP is set. Everything else is suppressed.
 */
#ifndef _VBUS_SHM_SIGNAL_H
#define _VBUS_SHM_SIGNAL_H

#include "ioq_env.h"

/* The waiting side's private copy of what it last published. */
struct shm_signal_state {
	u16 event_idx;
	bool armed;
};

/*
 * True when event lies in [old, new): the peer asked to be woken at a
 * sequence number this update has just passed (virtio's EVENT_IDX test).
 * A value written by an untrusted peer can only change the answer.
 */
static inline bool shm_signal_crossed(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
}

/*
 * Publish "wake me when the peer's sequence passes idx". Only written when
 * changed, so that a side re-arming at the same index does not pull the
 * cache line away from its peer. The caller then issues ioq_mb() and
 * re-checks its ring (pairs with the ioq_mb() in shm_signal_needed()'s
 * callers).
 */
static inline void shm_signal_arm(struct ioq_signal *sig, struct shm_signal_state *st, u16 idx)
{
	if (st->event_idx != idx) {
		WRITE_ONCE(sig->event_idx, idx);
		st->event_idx = idx;
	}
	if (!st->armed) {
		WRITE_ONCE(sig->flags, IOQ_SIG_NEED_WAKEUP);
		st->armed = true;
	}
}

/* Tell the peer not to signal at all: this side polls (AF_XDP's NEED_WAKEUP clear). */
static inline void shm_signal_disarm(struct ioq_signal *sig, struct shm_signal_state *st)
{
	if (st->armed) {
		WRITE_ONCE(sig->flags, 0);
		st->armed = false;
	}
}

/*
 * Does the peer need a wake-up now that our sequence moved from old to new?
 * Caller has issued ioq_mb() after publishing the ring update. Each shared
 * field is read once.
 */
static inline bool shm_signal_needed(const struct ioq_signal *sig, u16 new, u16 old)
{
	u16 flags = READ_ONCE(sig->flags);
	u16 event = READ_ONCE(sig->event_idx);

	return (flags & IOQ_SIG_NEED_WAKEUP) && shm_signal_crossed(event, new, old);
}

#endif /* _VBUS_SHM_SIGNAL_H */
