// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pkt-seq: the order in which the host stack receives numbered frames, for
 * the VM tests.
 *
 *   pkt-seq IFNAME IDLE_MS [COUNT]
 *
 * Reads the frames of EtherType 0x88b5 that IFNAME receives (an AF_PACKET
 * socket) until COUNT have come or IDLE_MS pass without one (the first
 * frame may take up to 30 s), taking each one's number where venet-count
 * puts it: 8 bytes after the Ethernet header. Prints "frames N reordered R dropped D": R counts
 * the frames numbered lower than one before them; D the frames the socket
 * dropped (a full receive queue), which leave gaps but no disorder.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#define ETH_P_BENCH	0x88b5

static int set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_BENCH),
	};
	unsigned long frames = 0, reordered = 0, count = 0;
	struct tpacket_stats st;
	socklen_t stlen = sizeof(st);
	int rcvbuf = 64 << 20, idle_ms, fd;
	uint64_t seq, last = 0;
	unsigned char buf[128];
	char *end;
	ssize_t n;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "Usage: pkt-seq IFNAME IDLE_MS [COUNT]\n");
		return 2;
	}
	idle_ms = strtol(argv[2], &end, 10);
	if (*end || idle_ms < 1 || idle_ms > 60000) {
		fprintf(stderr, "Error: IDLE_MS \"%s\" is not a number from 1 to 60000.\n", argv[2]);
		return 1;
	}
	if (argc == 4) {
		count = strtoul(argv[3], &end, 10);
		if (*end || !count || argv[3][0] == '-') {
			fprintf(stderr, "Error: COUNT \"%s\" is not a positive number.\n", argv[3]);
			return 1;
		}
	}
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "Error: no network interface \"%s\".\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_BENCH));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 ||
	    set_timeout(fd, 30000) < 0) {
		fprintf(stderr, "Error: packet socket on \"%s\": %s.\n", argv[1], strerror(errno));
		return 1;
	}
	while ((n = recv(fd, buf, sizeof(buf), MSG_TRUNC)) >= 0) {
		if (n < 14 + (ssize_t)sizeof(seq))
			continue;
		memcpy(&seq, buf + 14, sizeof(seq));
		if (frames++ && seq <= last)
			reordered++;
		last = seq;
		if (frames == count)
			break;
		if (frames == 1 && set_timeout(fd, idle_ms) < 0)
			break;
	}
	if ((frames != count && errno != EAGAIN) ||
	    getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &stlen) < 0) {
		fprintf(stderr, "Error: reading \"%s\": %s.\n", argv[1], strerror(errno));
		return 1;
	}
	printf("frames %lu reordered %lu dropped %u\n", frames, reordered, st.tp_drops);
	return 0;
}
