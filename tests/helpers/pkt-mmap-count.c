// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pkt-mmap-count: venet-count's strongest peer for bench/venet, an AF_PACKET
 * socket with PACKET_MMAP rings on one end of a veth pair whose other end
 * plays the host netdev's role: what a user picks today for a fast
 * userspace packet path to the host stack. Transmit: a TPACKET_V2 ring with
 * PACKET_QDISC_BYPASS, one send() per batch; receive: a TPACKET_V3 ring of
 * blocks, one poll() per block that is not ready yet.
 *
 *   pkt-mmap-count IFNAME tx COUNT [SIZE] | rx COUNT [IDLE_MS]
 *
 * Frames sent are venet-count's (broadcast, EtherType 0x88b5, numbered).
 * Prints "frames N seconds S pps P syscalls C", as tap-count does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define FRAME_SIZE	2048		/* a 1500-byte frame and its header */
#define TX_FRAMES	1024
#define TX_BATCH	256		/* frames per send() */
#define RX_BLOCK	(1 << 16)
#define RX_BLOCKS	64

static unsigned long syscalls;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Bound to ifname; protocol 0 receives nothing (until bound again, rx). */
static int pkt_bind(int fd, const char *ifname, int proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(proto),
		.sll_ifindex = if_nametoindex(ifname),
	};

	if (!sll.sll_ifindex) {
		fprintf(stderr, "Error: no interface \"%s\"\n", ifname);
		return -ENODEV;
	}
	return bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
}

static int pkt_open(const char *ifname, int version)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    pkt_bind(fd, ifname, 0) < 0) {
		perror("pkt-mmap-count: socket");
		return -1;
	}
	return fd;
}

static int do_tx(int fd, unsigned long count, size_t size, unsigned long *sent)
{
	struct tpacket_req req = {
		.tp_block_size = RX_BLOCK, .tp_frame_size = FRAME_SIZE,
		.tp_block_nr = TX_FRAMES * FRAME_SIZE / RX_BLOCK, .tp_frame_nr = TX_FRAMES,
	};
	unsigned int idx = 0, queued = 0, one = 1;
	size_t off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
	unsigned char *ring;

	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return -errno;
	ring = mmap(NULL, (size_t)TX_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
	if (ring == MAP_FAILED)
		return -errno;
	while (*sent < count) {
		struct tpacket2_hdr *h = (void *)(ring + (size_t)idx * FRAME_SIZE);
		unsigned char *f = (unsigned char *)h + off;
		unsigned int status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		if (status & TP_STATUS_WRONG_FORMAT)
			return -EINVAL;
		if (status != TP_STATUS_AVAILABLE) {
			/* Full: send what is queued and wait for the kernel to give slots back. */
			syscalls++;
			if (send(fd, NULL, 0, 0) < 0 && errno != EINTR)
				return -errno;
			queued = 0;
			continue;
		}
		memset(f, 0xff, 6);
		memcpy(f + 6, "\x02\x00\x5e\x00\x00\x09\x88\xb5", 8);
		memcpy(f + 14, sent, sizeof(*sent));
		h->tp_len = size;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		idx = (idx + 1) % TX_FRAMES;
		++*sent;
		if (++queued == TX_BATCH) {
			syscalls++;
			if (send(fd, NULL, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN &&
			    errno != ENOBUFS)
				return -errno;
			queued = 0;
		}
	}
	syscalls++;
	return send(fd, NULL, 0, 0) < 0 ? -errno : 0;
}

static int do_rx(int fd, const char *ifname, unsigned long count, int idle_ms,
		 unsigned long *got, double *t0, double *t1)
{
	struct tpacket_req3 req = {
		.tp_block_size = RX_BLOCK, .tp_block_nr = RX_BLOCKS,
		.tp_frame_size = FRAME_SIZE, .tp_frame_nr = RX_BLOCK / FRAME_SIZE * RX_BLOCKS,
		.tp_retire_blk_tov = 1,		/* ms: a block not full comes up after that */
	};
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int b = 0;
	unsigned char *ring;
	int ret;

	if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return -errno;
	ring = mmap(NULL, (size_t)RX_BLOCK * RX_BLOCKS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED)
		return -errno;
	/* The ring is mapped: now take every frame of the interface. */
	ret = pkt_bind(fd, ifname, ETH_P_ALL);
	if (ret)
		return ret;
	while (*got < count) {
		struct tpacket_block_desc *d = (void *)(ring + (size_t)b * RX_BLOCK);

		if (!(__atomic_load_n(&d->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER)) {
			syscalls++;
			if (!poll(&p, 1, *got || idle_ms ? idle_ms : -1))
				break;
			continue;
		}
		if (d->hdr.bh1.num_pkts) {
			if (!*got)
				*t0 = now();
			*got += d->hdr.bh1.num_pkts;
			*t1 = now();
		}
		__atomic_store_n(&d->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		b = (b + 1) % RX_BLOCKS;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count, n = 0;
	double t0 = 0, t1 = 0;
	int fd, ret;

	if (argc < 4 || (strcmp(argv[2], "tx") && strcmp(argv[2], "rx"))) {
		fprintf(stderr, "Usage: pkt-mmap-count IFNAME { tx COUNT [SIZE] | "
			"rx COUNT [IDLE_MS] }\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 0);
	if (!strcmp(argv[2], "tx")) {
		size_t size = argc > 4 ? strtoul(argv[4], NULL, 0) : 60;

		if (size < 22 || size > FRAME_SIZE - TPACKET2_HDRLEN) {
			fprintf(stderr, "Error: frame size \"%s\" is not 22 to %zu\n", argv[4],
				(size_t)(FRAME_SIZE - TPACKET2_HDRLEN));
			return 2;
		}
		fd = pkt_open(argv[1], TPACKET_V2);
		if (fd < 0)
			return 1;
		t0 = now();
		ret = do_tx(fd, count, size, &n);
		t1 = now();
	} else {
		fd = pkt_open(argv[1], TPACKET_V3);
		if (fd < 0)
			return 1;
		ret = do_rx(fd, argv[1], count, argc > 4 ? atoi(argv[4]) : 2000, &n, &t0, &t1);
	}
	if (ret < 0) {
		fprintf(stderr, "pkt-mmap-count: %s\n", strerror(-ret));
		return 1;
	}
	printf("frames %lu seconds %.3f pps %.0f syscalls %lu\n", n, t1 - t0,
	       t1 > t0 ? n / (t1 - t0) : 0.0, syscalls);
	return 0;
}
