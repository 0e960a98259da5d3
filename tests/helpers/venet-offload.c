// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * venet-offload: send one IPv4/UDP frame through a venet device with the
 * transmit offloads of VENET_CAP_TXOFF (vbus_venet_send_offload()), for
 * tests/vm/84-venet-offload.sh.
 *
 *   venet-offload BUS ID DST_MAC SRC_IP DST_IP PORT CASE
 *
 * CASE: csum (a UDP checksum left for the host to complete), plain (the
 * same frame, a wrong checksum, no offload), ufo (a 4,000-byte datagram
 * with gso UDP, segment 1,000), big (the same without gso: above the MTU),
 * bad-start (csum_start past the frame), bad-gso (gso_type 2), zero-gso
 * (gso TCPv4, gso_size 0). The payload is "venet-offload CASE" padded with
 * dots. Prints "sent", then keeps the device open (its link up) until
 * killed, so that the caller looks for the outcome at its own pace; exits 2
 * when the host grants no transmit offload.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <vbus/vbus.h>

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

int main(int argc, char **argv)
{
	static const char *const cases[] = { "csum", "plain", "ufo", "big", "bad-start",
					     "bad-gso", "zero-gso", NULL };
	static uint8_t f[9000];
	struct vbus_venet_offload off = { 0 };
	struct vbus_client *c = NULL;
	struct vbus_venet *v = NULL;
	const char *what;
	unsigned int mac[6];
	struct in_addr src, dst;
	size_t payload = 40, len;
	uint8_t *ip = f + 14, *udp = f + 34;
	int ret, i;

	if (argc != 8 || sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2],
				&mac[3], &mac[4], &mac[5]) != 6 ||
	    !inet_aton(argv[4], &src) || !inet_aton(argv[5], &dst)) {
		fprintf(stderr, "Usage: venet-offload BUS ID DST_MAC SRC_IP DST_IP PORT CASE\n");
		return 1;
	}
	what = argv[7];
	for (i = 0; cases[i] && strcmp(cases[i], what); i++)
		;
	if (!cases[i]) {
		fprintf(stderr, "Error: unknown case \"%s\".\n", what);
		return 1;
	}
	if (!strcmp(what, "ufo") || !strcmp(what, "big"))
		payload = 4000;
	len = 42 + payload;

	ret = vbus_client_open(argv[1], &c);
	if (!ret)
		ret = vbus_venet_open(c, strtoul(argv[2], NULL, 0), &v);
	if (ret) {
		fprintf(stderr, "venet-offload: %s\n", strerror(-ret));
		return 1;
	}
	if (!vbus_venet_has_offload(v)) {
		fprintf(stderr, "venet-offload: the host grants no transmit offload\n");
		return 2;
	}

	for (i = 0; i < 6; i++)
		f[i] = mac[i];
	vbus_venet_get_mac(v, f + 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + payload);
	put16(ip + 4, 0x1234);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, ~fold(sum16(ip, 20, 0)));
	put16(udp, 7000);
	put16(udp + 2, atoi(argv[6]));
	put16(udp + 4, 8 + payload);
	memset(udp + 8, '.', payload);
	memcpy(udp + 8, "venet-offload ", 14);
	memcpy(udp + 22, what, strlen(what));
	/* Wrong on purpose unless the host completes it. */
	put16(udp + 6, 0xdead);

	if (strcmp(what, "plain") && strcmp(what, "big") && strcmp(what, "bad-gso") &&
	    strcmp(what, "zero-gso")) {
		/* The pseudo-header's sum in the field, the host adds the rest. */
		uint32_t ph = sum16(ip + 12, 8, 17 + 8 + payload);

		put16(udp + 6, fold(ph));
		off.csum = true;
		off.csum_start = 34;
		off.csum_offset = 6;
	}
	if (!strcmp(what, "ufo")) {
		off.gso_type = 3;
		off.gso_size = 1000;
		off.hdr_len = 42;
	} else if (!strcmp(what, "bad-start")) {
		off.csum_start = 5000;
	} else if (!strcmp(what, "bad-gso")) {
		off.gso_type = 2;
		off.gso_size = 1000;
	} else if (!strcmp(what, "zero-gso")) {
		off.gso_type = 1;
	}

	ret = vbus_venet_send_offload(v, &(struct iovec){ f, len }, &off, 1);
	if (ret != 1) {
		fprintf(stderr, "venet-offload: send: %s\n", strerror(ret < 0 ? -ret : EIO));
		return 1;
	}
	printf("sent\n");
	fflush(stdout);
	for (;;) {
		struct iovec rx[16];

		if (vbus_venet_wait(v, -1) < 0)
			return 1;
		while (vbus_venet_recv(v, rx, 16) > 0)
			;
	}
}
