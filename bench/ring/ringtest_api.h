/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The interface between ringtest's main.c (tools/virtio/ringtest in the
 * kernel, extracted at bench time) and a ring implementation, declared
 * here so that IOQ's side builds without ringtest's headers.
 */
#ifndef VBUS_BENCH_RINGTEST_API_H
#define VBUS_BENCH_RINGTEST_API_H

#include <stdbool.h>

/* Provided by main.c. */
extern unsigned int ring_size;
void kick(void);
void call(void);

/* Provided by the ring: guest side, then host side. */
void alloc_ring(void);
int add_inbuf(unsigned int len, void *buf, void *datap);
void *get_buf(unsigned int *lenp, void **bufp);
void disable_call(void);
bool used_empty(void);
bool enable_call(void);
void kick_available(void);
void disable_kick(void);
bool avail_empty(void);
bool enable_kick(void);
bool use_buf(unsigned int *lenp, void **bufp);
void call_used(void);

/* Provided by wakeups.c, in place of eventfd(), write() and read() in main.c. */
int bench_eventfd(unsigned int initval, int flags);
long bench_write(int fd, const void *buf, unsigned long len);
long bench_read(int fd, void *buf, unsigned long len);

#endif /* VBUS_BENCH_RINGTEST_API_H */
