// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl: keyword tables, unambiguous-prefix lookup, dispatch, batch line
 * splitting and the shared error messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbus/vbus.h>

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

static void print_candidates(const struct cmd *table, const char *word)
{
	const char *sep = "";

	for (const struct cmd *c = table; c->name; c++) {
		if (strncmp(c->name, word, strlen(word)) == 0) {
			fprintf(stderr, "%s%s", sep, c->name);
			sep = ", ";
		}
	}
}

int cmd_dispatch(struct ctl *ctl, const struct cmd *table, const char *what,
		 int argc, char **argv)
{
	const struct cmd *c;
	bool ambiguous;

	c = cmd_lookup(table, argv[0], &ambiguous);
	if (ambiguous) {
		fprintf(stderr, "Error: %s \"%s\" is ambiguous: it could be ", what, argv[0]);
		print_candidates(table, argv[0]);
		fprintf(stderr, ".\n");
		return EXIT_USAGE;
	}
	if (!c) {
		fprintf(stderr, "Error: %s \"%s\" is unknown, try \"vbusctl help\".\n", what,
			argv[0]);
		return EXIT_USAGE;
	}
	return c->fn(ctl, argc - 1, argv + 1);
}

int cmd_split_line(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (*r == '\0' || *r == '#')
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = w;
		for (; *r; r++) {
			if (quote) {
				if (*r == quote) {
					quote = 0;
					continue;
				}
			} else if (*r == '"' || *r == '\'') {
				quote = *r;
				continue;
			} else if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
				break;
			}
			if (*r == '\\' && quote != '\'') {
				if (*++r == '\0')
					return -EINVAL;
			}
			*w++ = *r;
		}
		if (quote)
			return -EINVAL;
		if (*r)
			r++;
		*w++ = '\0';
	}
}

int invarg(const char *why, const char *arg)
{
	fprintf(stderr, "Error: argument \"%s\" is wrong: %s\n", arg, why);
	return EXIT_USAGE;
}

int invrule(const char *what, enum vbus_rule rule, const char *arg)
{
	fprintf(stderr, "Error: argument \"%s\" is wrong: not %s (%s)\n", arg, what,
		vbus_rule_text(rule));
	return EXIT_USAGE;
}

int invname(const char *what, const char *arg)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "a %s name", what);
	return invrule(buf, strcmp(what, "class") == 0 ? VBUS_RULE_CLASS : VBUS_RULE_NAME, arg);
}

int duparg(const char *key, const char *arg)
{
	fprintf(stderr, "Error: duplicate \"%s\": \"%s\" is the second value.\n", key, arg);
	return EXIT_USAGE;
}

int missarg(const char *key)
{
	fprintf(stderr, "Error: argument for \"%s\" is missing.\n", key);
	return EXIT_USAGE;
}

int syserr(const char *what, const char *arg, int err)
{
	if (err == -ENODEV)
		fprintf(stderr, "Error: %s \"%s\": the vbus kernel module is not loaded and "
			"\"modprobe vbus\" failed.\n", what, arg);
	else
		fprintf(stderr, "Error: %s \"%s\": %s.\n", what, arg, vbus_strerror(err));
	return EXIT_SYSTEM;
}

const struct cmd *keyword(const struct cmd *table, const char *word)
{
	const struct cmd *c;
	bool ambiguous;

	c = cmd_lookup(table, word, &ambiguous);
	if (ambiguous) {
		fprintf(stderr, "Error: argument \"%s\" is ambiguous: it could be ", word);
		print_candidates(table, word);
		fprintf(stderr, ".\n");
	} else if (!c) {
		fprintf(stderr, "Error: argument \"%s\" is wrong: expected one of ", word);
		print_candidates(table, "");
		fprintf(stderr, ".\n");
	}
	return c;
}

int parse_ulong(const char *arg, int base, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (!*arg || *arg == '-' || *arg == '+' || *arg == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

bool keyword_is(const char *word, const char *kw)
{
	return *word && strncmp(kw, word, strlen(word)) == 0;
}
