// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl class: the registered device classes.
 */
#include <stdio.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"
#include "show.h"

static int class_usage(struct ctl *ctl, int argc, char **argv)
{
	printf("Usage: vbusctl class show\n"
	       "       vbusctl class help\n");
	return EXIT_OK;
}

static int class_show(struct ctl *ctl, int argc, char **argv)
{
	struct vbus_class **classes;
	int r;

	if (argc > 0)
		return invarg("\"class show\" takes no argument", argv[0]);
	r = vbus_class_dump(ctl->vbus, &classes);
	if (r < 0)
		return show_error("classes", r);
	print_open_array(ctl->out, NULL);
	for (struct vbus_class **c = classes; *c; c++)
		print_class(ctl, NULL, *c);
	print_close_array(ctl->out);
	vbus_class_list_free(classes);
	return EXIT_OK;
}

static const struct cmd class_cmds[] = {
	{ "show", class_show },
	{ "list", class_show },
	{ "help", class_usage },
	{ NULL },
};

int do_class(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 0)
		return class_show(ctl, argc, argv);
	return cmd_dispatch(ctl, class_cmds, "command", argc, argv);
}
