// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl: keyword tables, unambiguous-prefix lookup and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

const struct cmd *cmd_lookup(const struct cmd *table, const char *word, bool *ret_ambiguous)
{
	const struct cmd *found = NULL;
	size_t len = strlen(word);

	*ret_ambiguous = false;
	if (len == 0)
		return NULL;
	for (const struct cmd *c = table; c->name; c++) {
		if (strcmp(c->name, word) == 0) {
			*ret_ambiguous = false;
			return c;
		}
		if (strncmp(c->name, word, len) == 0) {
			if (found)
				*ret_ambiguous = true;
			found = c;
		}
	}
	return *ret_ambiguous ? NULL : found;
}

int cmd_dispatch(struct ctl *ctl, const struct cmd *table, const char *what,
		 int argc, char **argv)
{
	const struct cmd *c;
	bool ambiguous;

	c = cmd_lookup(table, argv[0], &ambiguous);
	if (!c) {
		fprintf(stderr, "Error: %s \"%s\" is %s, try \"vbusctl help\".\n", what, argv[0],
			ambiguous ? "ambiguous" : "unknown");
		return EXIT_USAGE;
	}
	return c->fn(ctl, argc - 1, argv + 1);
}
