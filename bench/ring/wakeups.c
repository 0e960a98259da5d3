// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Counts the wake-ups of a ringtest run. bench/ring/run compiles ringtest's
 * main.c with eventfd, write and read renamed to these functions: the first
 * eventfd is the kick (guest to host), the second the call (host to guest).
 * A write is a signal sent; a read that found the counter empty slept.
 * Printed at exit on stderr as "wakeups kicks=N calls=N sleeps=N".
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ringtest_api.h"

static int kick_fd = -1, call_fd = -1;
static atomic_ulong kicks, calls, sleeps;

static void report(void)
{
	fprintf(stderr, "wakeups kicks=%lu calls=%lu sleeps=%lu\n", atomic_load(&kicks),
		atomic_load(&calls), atomic_load(&sleeps));
}

int bench_eventfd(unsigned int initval, int flags)
{
	int fd = eventfd(initval, flags);

	if (kick_fd < 0) {
		kick_fd = fd;
		atexit(report);
	} else if (call_fd < 0) {
		call_fd = fd;
	}
	return fd;
}

long bench_write(int fd, const void *buf, unsigned long len)
{
	if (fd == kick_fd)
		atomic_fetch_add_explicit(&kicks, 1, memory_order_relaxed);
	else if (fd == call_fd)
		atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
	return write(fd, buf, len);
}

long bench_read(int fd, void *buf, unsigned long len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 0) == 0)
		atomic_fetch_add_explicit(&sleeps, 1, memory_order_relaxed);
	return read(fd, buf, len);
}
