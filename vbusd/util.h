/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbusd: small helpers shared by its files (cleanup attributes, string sets). */
#ifndef VBUSD_UTIL_H
#define VBUSD_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _cleanup_free_ _cleanup_(freep)
/* json_auto_t comes from jansson. */

/*
 * A map from names to objects (open addressing; the names are not copied and
 * must outlive the map). A name added twice keeps its first object.
 */
struct namemap_entry {
	const char *name;
	void *ptr;
};

struct namemap {
	struct namemap_entry *v;
	size_t n, cap;
};

int namemap_add(struct namemap *m, const char *name, void *ptr);
/* The object of @name (@name itself when added with a NULL object), or NULL. */
void *namemap_get(struct namemap *m, const char *name);
bool namemap_has(struct namemap *m, const char *name);
void namemap_clear(struct namemap *m);

/* All of @f into a new NUL-terminated buffer (*@ret_len bytes before the NUL); -errno. */
int read_stream(FILE *f, char **ret, size_t *ret_len);

/* printf into a new string; NULL when out of memory. */
char *strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
