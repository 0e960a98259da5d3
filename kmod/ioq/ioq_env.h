/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * The environment of the portable IOQ code: types, one-time accesses,
 * barriers and allocation, from the kernel or from userspace. Nothing else
 * in kmod/ioq/ knows which one it is built for.
 */
#ifndef _VBUS_IOQ_ENV_H
#define _VBUS_IOQ_ENV_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/processor.h>
#include <uapi/linux/vbus_ioq.h>

/* Barrier pairing: see the comment at the top of ioq.c. */
#define ioq_load_acquire(p)	smp_load_acquire(p)
/* Pairs with ioq_load_acquire() of the same descriptor flags. */
#define ioq_store_release(p, v)	smp_store_release(p, v)
/* Ring update vs. signal block (ioq_arm() vs. ioq_signal()). */
#define ioq_mb()		smp_mb()
#define ioq_cpu_relax()		cpu_relax()
#define ioq_calloc(n, size)	kvcalloc(n, size, GFP_KERNEL)
#define ioq_free(p)		kvfree(p)
/* vbus.ko links the ring once and exports it to classes and drivers. */
#define IOQ_EXPORT(sym)		EXPORT_SYMBOL_GPL(sym)

#else /* userspace */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/vbus_ioq.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

/* Relaxed atomics: the kernel's volatile accesses, in terms thread sanitizers understand. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define ioq_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ioq_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
/* Ring update vs. signal block (ioq_arm() vs. ioq_signal()). */
static inline void ioq_mb(void)
{
#if defined(__x86_64__)
	/* What the kernel's smp_mb() is on x86: cheaper than mfence. */
	__asm__ __volatile__("lock; addl $0,-132(%%rsp)" ::: "memory", "cc");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}
static inline void ioq_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#define ioq_calloc(n, size)	calloc(n, size)
#define ioq_free(p)		free(p)
/* Nothing to export: a declaration that takes the semicolon. */
#define IOQ_EXPORT(sym)		_Static_assert(1, #sym)

#endif /* __KERNEL__ */

#endif /* _VBUS_IOQ_ENV_H */
