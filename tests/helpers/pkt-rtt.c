// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pkt-rtt: round trip at low load through a host netdev, for bench/venet.
 *
 *   pkt-rtt IFNAME COUNT
 *
 * Sends one broadcast frame of EtherType 0x88b5 at a time into IFNAME (an
 * AF_PACKET socket) and waits for the echo client behind it (venet-count
 * or tap-count in echo mode) to send it back, then pauses 1 ms; COUNT
 * times after 10 that are not measured. Prints "median M mean A lost L":
 * microseconds, and the frames that did not come back within 2 s. The
 * median is the figure to compare: under emulation, the wake-ups of idle
 * vCPUs put a long tail of milliseconds into the mean.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#define ETH_P_BENCH	0x88b5
#define WARMUP		10

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int read_mac(const char *ifname, unsigned char mac[6])
{
	char path[64 + IF_NAMESIZE];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
		   &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]);
	fclose(f);
	return n == 6 ? 0 : -1;
}

/* One round trip: seconds, or a negative value when nothing came back. */
static double round_trip(int fd, const unsigned char *frame, size_t len)
{
	unsigned char buf[2048];
	struct sockaddr_ll from;
	socklen_t fromlen;
	double t0 = now();
	ssize_t n;

	if (send(fd, frame, len, 0) < 0)
		return -1;
	do {	/* our own frame comes back first, as outgoing */
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
	} while (n >= 0 && from.sll_pkttype == PACKET_OUTGOING);
	return n < 0 ? -1 : now() - t0;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_BENCH),
	};
	struct timeval timeout = { .tv_sec = 2 };
	unsigned char frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int count, i, got = 0, lost = 0, fd;
	double *t, sum = 0;
	char *end;

	if (argc != 3) {
		fprintf(stderr, "Usage: pkt-rtt IFNAME COUNT\n");
		return 2;
	}
	count = strtol(argv[2], &end, 10);
	if (*end || count < 1 || count > 1000000) {
		fprintf(stderr, "Error: COUNT \"%s\" is not a number from 1 to 1000000.\n", argv[2]);
		return 1;
	}
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (!sll.sll_ifindex || read_mac(argv[1], frame + 6) < 0) {
		fprintf(stderr, "Error: no network interface \"%s\".\n", argv[1]);
		return 1;
	}
	frame[12] = ETH_P_BENCH >> 8;
	frame[13] = ETH_P_BENCH & 0xff;
	t = calloc(count, sizeof(*t));
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_BENCH));
	if (!t || fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0) {
		fprintf(stderr, "Error: packet socket on \"%s\": %s.\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < WARMUP + count; i++) {
		double rtt = round_trip(fd, frame, sizeof(frame));

		if (rtt < 0)
			lost++;
		else if (i >= WARMUP)
			sum += t[got++] = rtt * 1e6;
		usleep(1000);
	}
	if (!got) {
		fprintf(stderr, "Error: no frame came back through \"%s\".\n", argv[1]);
		return 1;
	}
	qsort(t, got, sizeof(*t), cmp_double);
	printf("median %.1f mean %.1f lost %d\n", t[got / 2], sum / got, lost);
	free(t);
	close(fd);
	return 0;
}
