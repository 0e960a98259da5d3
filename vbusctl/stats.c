// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl stats: the counters of each client connection (doc/statistics.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"
#include "show.h"

static int stats_usage(void)
{
	printf("Usage: vbusctl stats [ bus NAME | device NAME ]\n"
	       "       vbusctl stats help\n");
	return EXIT_OK;
}

/* Is @bus one of the buses in @buses? */
static bool bus_listed(struct vbus_bus **buses, const char *bus)
{
	for (; *buses; buses++)
		if (strcmp(vbus_bus_get_name(*buses), bus) == 0)
			return true;
	return false;
}

enum { KW_BUS, KW_DEVICE, KW_HELP };
static const struct cmd stats_keywords[] = {
	[KW_BUS] = { "bus" },
	[KW_DEVICE] = { "device" },
	[KW_HELP] = { "help" },
	{ NULL },
};

int do_stats(struct ctl *ctl, int argc, char **argv)
{
	struct vbus_bus **buses = NULL;
	struct vbus_stats **stats = NULL;
	const char *bus = NULL, *dev = NULL;
	const struct cmd *kw = NULL;
	int r;

	if (argc > 0) {
		kw = keyword(stats_keywords, argv[0]);
		if (!kw)
			return EXIT_USAGE;
		if (kw - stats_keywords == KW_HELP)
			return stats_usage();
		if (argc < 2)
			return missarg(kw->name);
		if (argc > 2)
			return invarg("only one of bus NAME or device NAME", argv[2]);
		if (!vbus_name_valid(argv[1]))
			return invname(kw->name, argv[1]);
		if (kw - stats_keywords == KW_BUS)
			bus = argv[1];
		else
			dev = argv[1];
	}

	/* The connections of a device are those of the buses it is on. */
	r = dev ? vbus_bus_dump(ctl->vbus, NULL, dev, &buses) : 0;
	if (r >= 0 && dev && !buses[0] && vbus_device_exists(ctl->vbus, dev) == 0) {
		vbus_bus_list_free(buses);
		fprintf(stderr, "Error: device \"%s\" does not exist.\n", dev);
		return EXIT_SYSTEM;
	}
	if (r >= 0 && bus && vbus_bus_exists(ctl->vbus, bus) == 0) {
		fprintf(stderr, "Error: bus \"%s\" does not exist.\n", bus);
		return EXIT_SYSTEM;
	}
	if (r >= 0)
		r = vbus_stats_dump(ctl->vbus, bus, &stats);
	if (r < 0) {
		vbus_bus_list_free(buses);
		return show_error("statistics", r);
	}
	print_open_array(ctl->out, NULL);
	for (struct vbus_stats **s = stats; *s; s++)
		if (!dev || bus_listed(buses, vbus_stats_get_bus(*s)))
			print_stats(ctl, NULL, *s);
	print_close_array(ctl->out);
	vbus_stats_list_free(stats);
	vbus_bus_list_free(buses);
	return EXIT_OK;
}
