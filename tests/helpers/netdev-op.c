// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test helper (tests/vm/65-netdev.sh): one libvbus netdev operation.
 *   netdev-op IFNAME { up | down | master BRIDGE | nomaster | netns NS }
 * Prints "errno N: text" and exits 1 when libvbus refuses.
 */
#include <stdio.h>
#include <string.h>

#include <vbus/vbus.h>

int main(int argc, char **argv)
{
	struct vbus_ctx *ctx;
	int r = -1;

	if (argc < 3 || vbus_ctx_new(&ctx) < 0) {
		fprintf(stderr, "usage: netdev-op IFNAME { up | down | master BR | nomaster | netns NS }\n");
		return 2;
	}
	if (strcmp(argv[2], "up") == 0 || strcmp(argv[2], "down") == 0)
		r = vbus_netdev_set_up(ctx, argv[1], argv[2][0] == 'u');
	else if (strcmp(argv[2], "nomaster") == 0)
		r = vbus_netdev_set_master(ctx, argv[1], NULL);
	else if (argc == 4 && strcmp(argv[2], "master") == 0)
		r = vbus_netdev_set_master(ctx, argv[1], argv[3]);
	else if (argc == 4 && strcmp(argv[2], "netns") == 0)
		r = vbus_netdev_set_netns(ctx, argv[1], argv[3]);
	else
		return 2;
	vbus_ctx_free(ctx);
	if (r < 0) {
		printf("errno %d: %s\n", -r, vbus_strerror(r));
		return 1;
	}
	return 0;
}
