// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/guest's ethstats IFNAME: every ethtool statistic of IFNAME as "name
 * value" lines, for the nested guest's busybox initramfs, which has no
 * ethtool (virtio-net's per-queue "kicks" are the doorbells it counts).
 * Built static by bench/guest/run.
 */
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static int ethtool(int fd, const char *ifname, void *data)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

int main(int argc, char **argv)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *names;
	struct ethtool_stats *stats;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint32_t n, i;

	if (argc != 2) {
		fprintf(stderr, "Usage: ethstats IFNAME\n");
		return 2;
	}
	if (fd < 0 || ethtool(fd, argv[1], &info) < 0) {
		perror(argv[1]);
		return 1;
	}
	n = info.n_stats;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + (size_t)n * sizeof(uint64_t));
	if (!names || !stats)
		return 1;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = n;
	if (ethtool(fd, argv[1], names) < 0 || ethtool(fd, argv[1], stats) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%.*s %llu\n", ETH_GSTRING_LEN, (char *)names->data + i * ETH_GSTRING_LEN,
		       (unsigned long long)stats->data[i]);
	return 0;
}
