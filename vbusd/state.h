/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state store: which buses and devices vbusd created, so that it only
 * ever changes or removes those. A JSON file written atomically (temporary
 * file, fsync, rename, fsync of the directory).
 */
#ifndef VBUSD_STATE_H
#define VBUSD_STATE_H

#include "util.h"

/* A set of names that owns its copies. */
struct strset {
	char **v;
	size_t n;
	struct namemap map;
};

int strset_add(struct strset *s, const char *name);
bool strset_has(const struct strset *s, const char *name);
void strset_clear(struct strset *s);

struct state {
	struct strset buses;
	struct strset devices;
};

/* A missing file is an empty state; -EBADMSG: not a state file. */
int state_load(const char *path, struct state *ret);
int state_save(const char *path, const struct state *s);
void state_clear(struct state *s);
bool state_equal(const struct state *a, const struct state *b);

/* Write a whole file atomically, as the state file is. */
int write_file_atomic(const char *path, const char *text, size_t len);

#endif

