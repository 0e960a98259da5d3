/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VBUSCTL_CMD_H
#define VBUSCTL_CMD_H

#include <stdbool.h>

struct vbus_ctx;

/* Exit codes: see vbusctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_SYSTEM = 2,
};

/* Everything a command needs; there are no globals. */
struct ctl {
	struct vbus_ctx *vbus;
	bool json;
	bool pretty;
	int stats;
};

struct cmd {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
	const char *help;
};

/*
 * Find @word in the NULL-terminated @table: an exact name, or a prefix of
 * exactly one name. Returns the entry, or NULL with *ret_ambiguous set when
 * the prefix matched more than one.
 */
const struct cmd *cmd_lookup(const struct cmd *table, const char *word, bool *ret_ambiguous);

/* Dispatch argv[0] through @table; @what names the level in errors ("object"). */
int cmd_dispatch(struct ctl *ctl, const struct cmd *table, const char *what,
		 int argc, char **argv);

#endif
