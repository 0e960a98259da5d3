/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Positions of JSON values. jansson parses without keeping where a value
 * was, so a second pass over the text records the line and column of every
 * value and key by its JSON path ("$.buses[0].name"), for error messages.
 */
#ifndef VBUSD_JSONPOS_H
#define VBUSD_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct jpos {
	struct namemap values;	/* path -> struct jpos_entry */
	struct namemap keys;	/* path of a member -> position of its key */
	void *entries;
};

/*
 * Record the positions of the values of the (valid) JSON document @text:
 * all of them and the keys (@full), or only objects, arrays and array
 * elements (cheap for a big document; a full scan can follow on an error).
 */
int jpos_scan(struct jpos *p, const char *text, size_t len, bool full);
/* Line and column (from 1) of the value at @path (of its key when @key). */
bool jpos_find(struct jpos *p, const char *path, bool key, unsigned *ret_line, unsigned *ret_col);
void jpos_free(struct jpos *p);

/* The path of the innermost value open at byte @offset of @text; free() it. */
char *jpos_path_at(const char *text, size_t len, size_t offset);

/* Paths of a member and of an array element; free() them. */
char *jpath_member(const char *parent, const char *key);
char *jpath_index(const char *parent, size_t i);

#endif
