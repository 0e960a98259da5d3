// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: string sets and formatting helpers. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util.h"

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct namemap_entry *slot(const struct namemap *m, const char *name)
{
	size_t i = hash(name) & (m->cap - 1);

	while (m->v[i].name && strcmp(m->v[i].name, name) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static int grow(struct namemap *m)
{
	struct namemap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->v = calloc(m->cap, sizeof(*m->v));
	if (!m->v) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].name)
			*slot(m, old.v[i].name) = old.v[i];
	free(old.v);
	return 0;
}

int namemap_add(struct namemap *m, const char *name, void *ptr)
{
	struct namemap_entry *e;

	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -ENOMEM;
	e = slot(m, name);
	if (e->name)
		return 0;
	*e = (struct namemap_entry){ name, ptr };
	m->n++;
	return 0;
}

void *namemap_get(struct namemap *m, const char *name)
{
	struct namemap_entry *e;

	if (!m->n)
		return NULL;
	e = slot(m, name);
	if (!e->name)
		return NULL;
	return e->ptr ? e->ptr : (void *)e->name;
}

bool namemap_has(struct namemap *m, const char *name)
{
	return namemap_get(m, name) != NULL;
}

void namemap_clear(struct namemap *m)
{
	free(m->v);
	*m = (struct namemap){ 0 };
}

char *strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

int read_stream(FILE *f, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;

	errno = 0;
	do {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		return errno ? -errno : -EIO;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}
