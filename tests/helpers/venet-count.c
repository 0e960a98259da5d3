// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * venet-count: a libvbus venet client that sends or counts frames, for the
 * VM tests and bench/venet.
 *
 *   venet-count [-b USECS] BUS ID tx COUNT [SIZE]   send COUNT frames of SIZE bytes
 *                                                   (default 60)
 *   venet-count [-b USECS] BUS ID rx COUNT [IDLE_MS] receive until COUNT frames or IDLE_MS
 *                                                   (default 2000) without one
 *   venet-count [-b USECS] BUS ID echo SECONDS      send every frame back, addresses swapped
 *                                                   (until SIGTERM or SIGINT at the latest)
 *
 * -b: busy-poll for up to USECS before sleeping (vbus_venet_set_busy_poll()).
 * Frames sent are broadcast, EtherType 0x88b5, numbered in their first
 * payload bytes. Prints "frames N seconds S pps P" (echo: "frames N"), then
 * "kicks K calls C": this connection's qnotify and qinject from genl, from
 * which bench/venet derives system calls per frame (a kick is one ioctl(),
 * a call one epoll_wait()).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>
#include <vbus/vbus.h>

#define BATCH	256

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Frame k is built in slot k % BATCH of one packed buffer and numbered once,
 * however the sends split; iov[j] points to slot j % BATCH, so that the
 * frames from k on are &iov[k % BATCH].
 */
static int do_tx(struct vbus_venet *v, unsigned long count, size_t size)
{
	size_t stride = ((size > 22 ? size : 22) + 63) & ~(size_t)63;
	unsigned char *frames = calloc(BATCH, stride);
	struct iovec iov[2 * BATCH], rx[BATCH];
	unsigned long sent = 0, built = 0;
	unsigned int i;
	double t0 = now();
	int ret = 0;

	if (!frames)
		return -ENOMEM;
	for (i = 0; i < 2 * BATCH; i++) {
		unsigned char *f = frames + i % BATCH * stride;

		memset(f, 0xff, 6);
		vbus_venet_get_mac(v, f + 6);
		f[12] = 0x88;
		f[13] = 0xb5;
		iov[i].iov_base = f;
		iov[i].iov_len = size;
	}
	while (sent < count) {
		unsigned int n = count - sent < BATCH ? count - sent : BATCH;

		for (; built < sent + n; built++)
			memcpy(frames + built % BATCH * stride + 14, &built, sizeof(built));
		ret = vbus_venet_send(v, &iov[sent % BATCH], n);
		if (ret == -EAGAIN) {
			ret = vbus_venet_wait(v, 1000);
			/* What the host sends meanwhile (IPv6 neighbour discovery...) is dropped. */
			while (ret > 0)
				ret = vbus_venet_recv(v, rx, BATCH);
			if (ret < 0)
				break;
			continue;
		}
		if (ret < 0)
			break;
		sent += ret;
	}
	free(frames);
	if (ret < 0)
		return ret;
	printf("frames %lu seconds %.3f pps %.0f\n", sent, now() - t0, sent / (now() - t0));
	return 0;
}

static int do_rx(struct vbus_venet *v, unsigned long count, int idle_ms)
{
	struct iovec iov[BATCH];
	unsigned long got = 0;
	double t0 = 0, t1 = 0;
	int ret;

	while (got < count) {
		ret = vbus_venet_recv(v, iov, BATCH);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			if (!got)
				t0 = now();
			got += ret;
			t1 = now();
			continue;
		}
		ret = vbus_venet_wait(v, idle_ms);
		if (ret < 0)
			return ret;
		if (!ret)
			break;
	}
	printf("frames %lu seconds %.3f pps %.0f\n", got, t1 - t0,
	       t1 > t0 ? got / (t1 - t0) : 0.0);
	return 0;
}

static int do_echo(struct vbus_venet *v, int seconds)
{
	struct iovec iov[BATCH];
	unsigned long n_echo = 0;
	double end = now() + seconds;
	unsigned char tmp[6];
	int ret, i;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (now() < end && !stop) {
		ret = vbus_venet_recv(v, iov, BATCH);
		if (ret < 0)
			return ret;
		if (!ret) {
			ret = vbus_venet_wait(v, 200);
			if (ret < 0)
				return ret;
			continue;
		}
		for (i = 0; i < ret; i++) {
			unsigned char *f = iov[i].iov_base;

			memcpy(tmp, f, 6);
			memcpy(f, f + 6, 6);
			memcpy(f + 6, tmp, 6);
		}
		for (i = 0; i < ret;) {
			int n = vbus_venet_send(v, iov + i, ret - i);

			if (n == -EAGAIN)
				n = vbus_venet_wait(v, 100) < 0 ? -ENODEV : 0;
			if (n < 0)
				return n;
			i += n;
		}
		n_echo += ret;
	}
	printf("frames %lu\n", n_echo);
	return 0;
}

static void print_signals(const char *bus)
{
	struct vbus_stats **list;
	struct vbus_ctx *ctx;
	unsigned int i;

	if (vbus_ctx_new(&ctx) < 0)
		return;
	if (vbus_stats_dump(ctx, bus, &list) >= 0) {
		for (i = 0; list[i]; i++) {
			if (vbus_stats_get_pid(list[i]) != getpid())
				continue;
			printf("kicks %llu calls %llu\n",
			       (unsigned long long)vbus_stats_get(list[i], VBUS_COUNTER_QNOTIFY),
			       (unsigned long long)vbus_stats_get(list[i], VBUS_COUNTER_QINJECT));
		}
		vbus_stats_list_free(list);
	}
	vbus_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	struct vbus_client *c;
	struct vbus_venet *v;
	unsigned long count, busy_poll = 0;
	char *end;
	int ret;

	while ((ret = getopt(argc, argv, "+b:")) != -1) {
		if (ret != 'b')
			goto usage;
		busy_poll = strtoul(optarg, &end, 10);
		if (*end || !*optarg) {
			fprintf(stderr, "Error: busy-poll time \"%s\" is not a number of microseconds\n",
				optarg);
			return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5)
		goto usage;
	ret = vbus_client_open(argv[1], &c);
	if (!ret)
		ret = vbus_venet_open(c, strtoul(argv[2], NULL, 0), &v);
	if (!ret && busy_poll)
		ret = vbus_venet_set_busy_poll(v, busy_poll > UINT32_MAX ? UINT32_MAX : busy_poll);
	if (ret < 0) {
		fprintf(stderr, "venet-count: %s\n", strerror(-ret));
		return 1;
	}
	count = strtoul(argv[4], NULL, 0);
	if (!strcmp(argv[3], "tx"))
		ret = do_tx(v, count, argc > 5 ? strtoul(argv[5], NULL, 0) : 60);
	else if (!strcmp(argv[3], "rx"))
		ret = do_rx(v, count, argc > 5 ? atoi(argv[5]) : 2000);
	else if (!strcmp(argv[3], "echo"))
		ret = do_echo(v, count);
	else
		ret = -EINVAL;
	print_signals(argv[1]);
	fflush(stdout);
	vbus_venet_free(v);
	vbus_client_free(c);
	if (ret < 0)
		fprintf(stderr, "venet-count: %s\n", strerror(-ret));
	return ret < 0;

usage:
	fprintf(stderr, "Usage: venet-count [-b USECS] BUS ID { tx COUNT [SIZE] | "
		"rx COUNT [IDLE_MS] | echo SECONDS }\n");
	return 2;
}
