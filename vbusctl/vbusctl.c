// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl: manage vbus buses, devices and classes, after ip(8).
 *
 *   vbusctl [OPTIONS] OBJECT COMMAND [ARGS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbus/vbus.h>

#include "cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vbusctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { help }\n"
		"       OPTIONS := { -V[ersion] | -h[elp] }\n");
}

static int do_help(struct ctl *ctl, int argc, char **argv)
{
	usage(stdout);
	return EXIT_OK;
}

static const struct cmd objects[] = {
	{ "help", do_help, "show this text" },
	{ NULL, NULL, NULL },
};

static int print_version(struct ctl *ctl)
{
	char *kver = NULL;
	int r;

	r = vbus_kernel_version(ctl->vbus, &kver);
	printf("vbusctl %s, libvbus %s, kernel module %s\n", PACKAGE_VERSION,
	       vbus_library_version(), r == 0 ? kver : "not loaded");
	free(kver);
	return EXIT_OK;
}

/* Is @arg the option @opt or an abbreviation of it down to @min characters? */
static bool is_option(const char *arg, const char *opt, size_t min)
{
	size_t len;

	while (*arg == '-')
		arg++;
	len = strlen(arg);
	return len >= min && strncmp(opt, arg, len) == 0;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	int r, ret;

	r = vbus_ctx_new(&ctl.vbus);
	if (r < 0) {
		fprintf(stderr, "Error: cannot set up libvbus: %s\n", vbus_strerror(r));
		return EXIT_SYSTEM;
	}

	argc--, argv++;
	while (argc > 0 && argv[0][0] == '-' && argv[0][1] != '\0') {
		if (is_option(argv[0], "Version", 1)) {
			ret = print_version(&ctl);
			goto out;
		} else if (is_option(argv[0], "help", 1)) {
			usage(stdout);
			ret = EXIT_OK;
			goto out;
		} else {
			fprintf(stderr, "Error: option \"%s\" is unknown, try \"vbusctl -help\".\n",
				argv[0]);
			ret = EXIT_USAGE;
			goto out;
		}
	}

	if (argc == 0) {
		usage(stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	ret = cmd_dispatch(&ctl, objects, "object", argc, argv);
out:
	vbus_ctx_free(ctl.vbus);
	return ret;
}
