// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * venet-echo: a userspace venet driver that answers ARP and ICMP echo for
 * one IPv4 address, so that ping from the host stack reaches this process
 * through vbus. With --mirror it also sends back, addresses swapped, every
 * frame of the local experimental EtherType 0x88b5 (used by the tests).
 *
 *   venet-echo --bus NAME --device ID --address IPV4 [--mirror] [--busy-poll USECS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <vbus/vbus.h>

#define BATCH		64
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_MIRROR	0x88b5
#define ETH_P_8021Q	0x8100

struct echo {
	struct vbus_venet *v;
	uint8_t mac[6];
	struct in_addr addr;
	bool mirror;
	unsigned long arp, icmp, mirrored;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (p[0] << 8) | p[1];
}

/* Turn the Ethernet header around: to the sender, from us. */
static void eth_reply(const struct echo *e, uint8_t *f)
{
	memcpy(f, f + 6, 6);
	memcpy(f + 6, e->mac, 6);
}

static bool arp_reply(struct echo *e, uint8_t *f, size_t len)
{
	uint8_t *a = f + ETH_HLEN;
	uint8_t tmp[10];

	/* Ethernet/IPv4 request for our address */
	if (len < ETH_HLEN + 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IP ||
	    a[4] != 6 || a[5] != 4 || get16(a + 6) != 1 || memcmp(a + 24, &e->addr, 4))
		return false;
	eth_reply(e, f);
	put16(a + 6, 2);
	memcpy(tmp, a + 8, 10);			/* sender MAC and IP */
	memcpy(a + 8, e->mac, 6);
	memcpy(a + 14, &e->addr, 4);
	memcpy(a + 18, tmp, 10);		/* become the target */
	e->arp++;
	return true;
}

static bool icmp_reply(struct echo *e, uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_HLEN, *icmp, tmp[4];
	size_t ihl, tot;

	if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4)
		return false;
	ihl = (ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	if (ihl < 20 || tot < ihl + 8 || ETH_HLEN + tot > len || ip[9] != 1 ||
	    memcmp(ip + 16, &e->addr, 4) || (get16(ip + 6) & 0x3fff))
		return false;
	icmp = ip + ihl;
	if (icmp[0] != 8)
		return false;
	eth_reply(e, f);
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	ip[8] = 64;
	put16(ip + 10, 0);
	put16(ip + 10, csum(ip, ihl));
	icmp[0] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 2, csum(icmp, tot - ihl));
	e->icmp++;
	return true;
}

static bool mirror_reply(struct echo *e, uint8_t *f, size_t len)
{
	uint8_t tmp[6];

	if (!e->mirror)
		return false;
	/* untagged, or behind one VLAN tag */
	if (get16(f + 12) != ETH_P_MIRROR &&
	    (get16(f + 12) != ETH_P_8021Q || len < 18 || get16(f + 16) != ETH_P_MIRROR))
		return false;
	memcpy(tmp, f, 6);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, tmp, 6);
	e->mirrored++;
	return true;
}

static int echo_batch(struct echo *e)
{
	struct iovec in[BATCH], out[BATCH];
	int n, i, m = 0, ret;

	n = vbus_venet_recv(e->v, in, BATCH);
	if (n <= 0)
		return n;
	for (i = 0; i < n; i++) {
		uint8_t *f = in[i].iov_base;
		size_t len = in[i].iov_len;
		uint16_t type;

		if (len < ETH_HLEN)
			continue;
		type = get16(f + 12);
		if ((type == ETH_P_ARP && arp_reply(e, f, len)) ||
		    (type == ETH_P_IP && icmp_reply(e, f, len)) || mirror_reply(e, f, len))
			out[m++] = in[i];
	}
	for (i = 0; i < m;) {
		ret = vbus_venet_send(e->v, out + i, m - i);
		if (ret == -EAGAIN) {
			ret = vbus_venet_wait(e->v, 100);
			if (ret < 0)
				return ret;
			continue;
		}
		if (ret < 0)
			return ret;
		i += ret;
	}
	return n;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: venet-echo --bus NAME --device ID --address IPV4 [--mirror] "
		"[--busy-poll USECS]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bus", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "address", required_argument, NULL, 'a' },
		{ "mirror", no_argument, NULL, 'm' },
		{ "busy-poll", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct echo e = { 0 };
	struct vbus_client *c;
	const char *bus = NULL, *addr = NULL;
	long id = -1, busy_poll = 0;
	char *end;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "b:d:a:mp:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			bus = optarg;
			break;
		case 'd':
			id = strtol(optarg, &end, 0);
			if (*end || id < 0 || id > UINT32_MAX) {
				fprintf(stderr, "Error: argument \"%s\" is wrong: device id\n", optarg);
				return 1;
			}
			break;
		case 'a':
			addr = optarg;
			break;
		case 'm':
			e.mirror = true;
			break;
		case 'p':
			busy_poll = strtol(optarg, &end, 10);
			if (*end || !*optarg || busy_poll < 0 || busy_poll > 1000000) {
				fprintf(stderr, "Error: argument \"%s\" is wrong: busy-poll "
					"microseconds (0 to 1000000)\n", optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!bus || id < 0 || !addr || optind != argc) {
		usage(stderr);
		return 1;
	}
	if (inet_pton(AF_INET, addr, &e.addr) != 1) {
		fprintf(stderr, "Error: argument \"%s\" is wrong: IPv4 address\n", addr);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	ret = vbus_client_open(bus, &c);
	if (ret < 0) {
		fprintf(stderr, "Failed to attach to bus %s: %s\n", bus, strerror(-ret));
		return 1;
	}
	ret = vbus_venet_open(c, id, &e.v);
	if (ret < 0) {
		fprintf(stderr, "Failed to open device %ld: %s\n", id, strerror(-ret));
		vbus_client_free(c);
		return 1;
	}
	vbus_venet_set_busy_poll(e.v, busy_poll);
	vbus_venet_get_mac(e.v, e.mac);
	fprintf(stderr, "venet-echo: %s on %s/%ld, MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
		addr, bus, id, e.mac[0], e.mac[1], e.mac[2], e.mac[3], e.mac[4], e.mac[5]);

	while (!stop) {
		ret = echo_batch(&e);
		if (ret == 0)
			ret = vbus_venet_wait(e.v, 1000);
		if (ret < 0 && ret != -EINTR)
			break;
	}
	fprintf(stderr, "venet-echo: %lu ARP, %lu ICMP, %lu mirrored%s%s\n", e.arp, e.icmp,
		e.mirrored, ret < 0 ? ": " : "", ret < 0 ? strerror(-ret) : "");
	vbus_venet_free(e.v);
	vbus_client_free(c);
	return ret < 0 && !stop ? 1 : 0;
}
