/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VBUSCTL_CMD_H
#define VBUSCTL_CMD_H

#include <stdbool.h>

#include <vbus/vbus.h>

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

/*
 * Split a batch line in place into at most @max words: blanks separate
 * words, '#' outside quotes starts a comment, "..." and '...' quote, and a
 * backslash escapes the next character. Returns the word count, -EINVAL for
 * an unterminated quote or trailing backslash, -E2BIG for too many words.
 */
int cmd_split_line(char *line, char **argv, int max);

/*
 * A keyword of @table (unambiguous prefixes allowed); prints the error and
 * returns NULL for an unknown or ambiguous one.
 */
const struct cmd *keyword(const struct cmd *table, const char *word);

/* Is @word @kw or a prefix of it (where @kw is the only keyword possible)? */
bool keyword_is(const char *word, const char *kw);

/* A whole unsigned number in @base, at most @max; -EINVAL otherwise. */
int parse_ulong(const char *arg, int base, unsigned long max, unsigned long *ret);

/* Messages with iproute2's wording; each returns EXIT_USAGE. */
int invarg(const char *why, const char *arg);
/* @arg is not @what ("a mode"): breaks libvbus's @rule, whose text says why. */
int invrule(const char *what, enum vbus_rule rule, const char *arg);
/* @arg is not a valid @what ("bus", "device", "class") name. */
int invname(const char *what, const char *arg);
int duparg(const char *key, const char *arg);
int missarg(const char *key);
/*
 * "Error: <what> \"<arg>\": <reason of -err>."; returns EXIT_SYSTEM. -ENODEV
 * (libvbus: the kernel module is missing) is said as such.
 */
int syserr(const char *what, const char *arg, int err);

#endif
