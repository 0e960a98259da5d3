/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VBUSCTL_CMD_H
#define VBUSCTL_CMD_H

#include <stdbool.h>

struct vbus_ctx;
struct printer;

/* Exit codes: see vbusctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_SYSTEM = 2,
};

/* Everything a command needs; there are no globals. */
struct ctl {
	struct vbus_ctx *vbus;
	struct printer *out;
	bool json;
	bool pretty;
	bool force;
	bool timestamp;
	int stats;		/* how many -s */
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

/*
 * Dispatch argv[0] through @table; @what names the level in errors
 * ("object", "command"). An unknown or ambiguous word is a usage error
 * naming it and, for an ambiguous one, the candidates.
 */
int cmd_dispatch(struct ctl *ctl, const struct cmd *table, const char *what,
		 int argc, char **argv);

/* Print "Usage: ..." lines for @table's entries under @prefix ("vbusctl bus"). */
void cmd_usage(const struct cmd *table, const char *prefix);

/*
 * Split a batch line in place into at most @max words: blanks separate
 * words, '#' outside quotes starts a comment, "..." and '...' quote, and a
 * backslash escapes the next character. Returns the word count, -EINVAL for
 * an unterminated quote or trailing backslash, -E2BIG for too many words.
 */
int cmd_split_line(char *line, char **argv, int max);

/* Messages with iproute2's wording; each returns EXIT_USAGE. */
int invarg(const char *why, const char *arg);
int duparg(const char *key, const char *arg);
int missarg(const char *key);
/* "Error: <what> \"<arg>\": <reason of -err>." ; returns EXIT_SYSTEM. */
int syserr(const char *what, const char *arg, int err);

#endif
