// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The smallest libvbus program: print the library's version and the vbus
 * kernel module's. Build it against an installed libvbus with
 *
 *   cc vbus-version.c $(pkg-config --cflags --libs libvbus) -o vbus-version
 */
#include <stdio.h>
#include <stdlib.h>

#include <vbus/vbus.h>

int main(void)
{
	struct vbus_ctx *ctx;
	char *kver;
	int r;

	r = vbus_ctx_new(&ctx);
	if (r < 0) {
		fprintf(stderr, "vbus_ctx_new: %s\n", vbus_strerror(r));
		return 1;
	}
	printf("libvbus %s\n", vbus_library_version());
	r = vbus_kernel_version(ctx, &kver);
	if (r < 0) {
		fprintf(stderr, "kernel module: %s\n", vbus_strerror(r));
		vbus_ctx_free(ctx);
		return 1;
	}
	printf("vbus kernel module %s\n", kver);
	free(kver);
	vbus_ctx_free(ctx);
	return 0;
}
