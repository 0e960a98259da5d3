// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl: manage vbus buses, devices and classes, after ip(8).
 *
 *   vbusctl [OPTIONS] OBJECT COMMAND [ARGS]
 *   vbusctl [OPTIONS] -batch FILE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"

#define BATCH_ARGS_MAX 512

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vbusctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       vbusctl [ -force ] -batch FILE\n"
		"where  OBJECT := { bus | device | class | stats | monitor | topology | help }\n"
		"       OPTIONS := { -V[ersion] | -j[son] | -p[retty] | -s[tatistics] |\n"
		"                    -b[atch] FILE | -force | -t[imestamp] | -h[elp] }\n");
}

static int do_help(struct ctl *ctl, int argc, char **argv)
{
	usage(stdout);
	return EXIT_OK;
}

static const struct cmd objects[] = {
	{ "bus", do_bus },
	{ "device", do_device },
	{ "class", do_class },
	{ "stats", do_stats },
	{ "monitor", do_monitor },
	{ "topology", do_topology },
	{ "help", do_help },
	{ NULL },
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

static int run(struct ctl *ctl, int argc, char **argv)
{
	int ret = cmd_dispatch(ctl, objects, "object", argc, argv);

	print_end(ctl->out);
	return ret;
}

/* Run each line of @name ("-": standard input); see vbusctl(8), BATCH MODE. */
static int run_batch(struct ctl *ctl, const char *name)
{
	char *line = NULL, *argv[BATCH_ARGS_MAX];
	size_t cap = 0;
	unsigned int lineno = 0;
	int argc, r, ret = EXIT_OK;
	FILE *in;

	in = strcmp(name, "-") == 0 ? stdin : fopen(name, "re");
	if (!in)
		return syserr("cannot open batch file", name, -errno);

	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		argc = cmd_split_line(line, argv, BATCH_ARGS_MAX);
		if (argc == 0)
			continue;
		if (argc < 0) {
			fprintf(stderr, "Error: %s.\n", argc == -E2BIG ? "too many arguments"
				: "unterminated quote or trailing backslash");
			r = EXIT_USAGE;
		} else {
			r = run(ctl, argc, argv);
		}
		if (r != EXIT_OK) {
			fprintf(stderr, "Command failed %s:%u\n", name, lineno);
			if (ret == EXIT_OK)
				ret = r;
			if (!ctl->force)
				break;
		}
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return ret;
}

enum opt { OPT_VERSION, OPT_HELP, OPT_JSON, OPT_PRETTY, OPT_STATS, OPT_BATCH, OPT_FORCE,
	   OPT_TIMESTAMP };

static const struct cmd options[] = {
	[OPT_VERSION]	= { "Version" },
	[OPT_HELP]	= { "help" },
	[OPT_JSON]	= { "json" },
	[OPT_PRETTY]	= { "pretty" },
	[OPT_STATS]	= { "statistics" },
	[OPT_BATCH]	= { "batch" },
	[OPT_FORCE]	= { "force" },
	[OPT_TIMESTAMP]	= { "timestamp" },
	{ NULL },
};

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	const char *batch = NULL;
	bool version = false;
	int r, ret = EXIT_USAGE;

	for (argc--, argv++; argc > 0 && argv[0][0] == '-' && argv[0][1]; argc--, argv++) {
		const char *opt = argv[0] + (argv[0][1] == '-' ? 2 : 1);
		const struct cmd *o;
		bool ambiguous;

		o = cmd_lookup(options, opt, &ambiguous);
		if (!o) {
			fprintf(stderr, "Error: option \"%s\" is %s, try \"vbusctl -help\".\n",
				argv[0], ambiguous ? "ambiguous" : "unknown");
			return EXIT_USAGE;
		}
		switch (o - options) {
		case OPT_VERSION:
			version = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_OK;
		case OPT_JSON:
			ctl.json = true;
			break;
		case OPT_PRETTY:
			ctl.pretty = true;
			break;
		case OPT_STATS:
			ctl.stats++;
			break;
		case OPT_FORCE:
			ctl.force = true;
			break;
		case OPT_TIMESTAMP:
			ctl.timestamp = true;
			break;
		case OPT_BATCH:
			if (argc < 2)
				return missarg(argv[0]);
			if (batch)
				return duparg(argv[0], argv[1]);
			batch = *++argv;
			argc--;
			break;
		}
	}

	r = vbus_ctx_new(&ctl.vbus);
	if (r >= 0)
		r = printer_new(stdout, ctl.json, ctl.pretty, &ctl.out);
	if (r < 0) {
		fprintf(stderr, "Error: cannot set up: %s.\n", vbus_strerror(r));
		ret = EXIT_SYSTEM;
		goto out;
	}

	if (version)
		ret = print_version(&ctl);
	else if (batch && argc > 0)
		fprintf(stderr, "Error: argument \"%s\" is wrong: -batch takes no command.\n",
			argv[0]);
	else if (batch)
		ret = run_batch(&ctl, batch);
	else if (argc == 0)
		usage(stderr);
	else
		ret = run(&ctl, argc, argv);
out:
	printer_free(ctl.out);
	vbus_ctx_free(ctl.vbus);
	return ret;
}
