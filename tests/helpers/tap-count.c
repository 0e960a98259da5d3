// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * tap-count: venet-count's peer for bench/venet, a TAP device driven with
 * read() and write() on /dev/net/tun (the "userspace backend" path the
 * venet design documents compare against). Same modes and output:
 *
 *   tap-count IFNAME tx COUNT [SIZE] | rx COUNT [IDLE_MS] | echo SECONDS
 *
 * Prints "frames N seconds S pps P syscalls C" (echo: "frames N syscalls C").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if.h>
#include <linux/if_tun.h>

static unsigned long syscalls;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int tap_open(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Block until readable, at most ms; 0 on timeout. */
static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	syscalls++;
	return poll(&p, 1, ms);
}

int main(int argc, char **argv)
{
	static unsigned char f[9018 + 64];
	unsigned long count, n = 0;
	double t0 = 0, t1 = 0;
	ssize_t len;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "Usage: tap-count IFNAME { tx COUNT [SIZE] | rx COUNT [IDLE_MS] | "
			"echo SECONDS }\n");
		return 2;
	}
	fd = tap_open(argv[1]);
	if (fd < 0) {
		perror("tap-count: /dev/net/tun");
		return 1;
	}
	count = strtoul(argv[3], NULL, 0);
	if (!strcmp(argv[2], "tx")) {
		size_t size = argc > 4 ? strtoul(argv[4], NULL, 0) : 60;

		memset(f, 0xff, 6);
		memcpy(f + 6, "\x02\x00\x5e\x00\x00\x09\x88\xb5", 8);
		t0 = now();
		for (; n < count; n++) {
			memcpy(f + 14, &n, sizeof(n));
			syscalls++;
			if (write(fd, f, size) < 0)
				break;
		}
		t1 = now();
	} else if (!strcmp(argv[2], "rx")) {
		int idle = argc > 4 ? atoi(argv[4]) : 2000;

		while (n < count) {
			syscalls++;
			len = read(fd, f, sizeof(f));
			if (len < 0)
				break;
			if (!n)
				t0 = now();
			n++;
			t1 = now();
			if (n < count && idle && !wait_in(fd, idle))
				break;
		}
	} else {
		double end = now() + count;

		while (now() < end) {
			if (!wait_in(fd, 200))
				continue;
			syscalls++;
			len = read(fd, f, sizeof(f));
			if (len < 14)
				continue;
			memcpy(f + 9018, f, 6);
			memcpy(f, f + 6, 6);
			memcpy(f + 6, f + 9018, 6);
			syscalls++;
			if (write(fd, f, len) == len)
				n++;
		}
		printf("frames %lu syscalls %lu\n", n, syscalls);
		return 0;
	}
	printf("frames %lu seconds %.3f pps %.0f syscalls %lu\n", n, t1 - t0,
	       t1 > t0 ? n / (t1 - t0) : 0.0, syscalls);
	return 0;
}
