// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusd: where each value of a JSON text is (jsonpos.h). The scanner trusts
 * jansson for validity and only stops early, without failing, on text it
 * does not expect, so it also finds the path at a syntax error.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "jsonpos.h"

struct jpos_entry {
	char *path;
	unsigned line, col;
};

struct entries {
	struct jpos_entry *v;
	size_t n, cap;
};

struct scanner {
	const char *s;
	size_t i, len, stop;
	unsigned line;
	size_t line_start;
	char path[4096];
	struct entries *out;
	char *stop_path;
	bool full;	/* every value and key, or only objects, arrays and array elements */
	bool done;
	int err;
};

static bool key_plain(const char *key, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_' && key[i] != '-')
			return false;
	return true;
}

/* Append member @key (@len bytes) to the path in @buf. */
static void path_member(char *buf, size_t size, const char *key, size_t len)
{
	size_t n = strlen(buf);

	if (key_plain(key, len))
		snprintf(buf + n, size - n, ".%.*s", (int)len, key);
	else
		snprintf(buf + n, size - n, "[\"%.*s\"]", (int)len, key);
}

char *jpath_member(const char *parent, const char *key)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", parent);
	path_member(buf, sizeof(buf), key, strlen(key));
	return strdup(buf);
}

char *jpath_index(const char *parent, size_t i)
{
	return strdupf("%s[%zu]", parent, i);
}

static void advance(struct scanner *sc)
{
	if (sc->s[sc->i] == '\n') {
		sc->line++;
		sc->line_start = sc->i + 1;
	}
	sc->i++;
}

static void skip_ws(struct scanner *sc)
{
	while (sc->i < sc->len && isspace((unsigned char)sc->s[sc->i]))
		advance(sc);
}

/* Stop at the requested offset, remembering the path there. */
static bool stopped(struct scanner *sc)
{
	if (sc->done)
		return true;
	if (sc->i >= sc->len || (sc->stop != (size_t)-1 && sc->i >= sc->stop)) {
		if (!sc->stop_path)
			sc->stop_path = strdup(sc->path);
		sc->done = true;
	}
	return sc->done;
}

/* Unexpected text: a syntax error is here, in the value being scanned. */
static void stop_here(struct scanner *sc)
{
	if (sc->done)
		return;
	sc->stop_path = strdup(sc->path);
	sc->done = true;
}

static void record(struct scanner *sc, const char *path, size_t line_start, unsigned line,
		   size_t at)
{
	struct entries *e = sc->out;

	if (!e)
		return;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct jpos_entry *v = realloc(e->v, cap * sizeof(*v));

		if (!v) {
			sc->err = -ENOMEM;
			sc->done = true;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n] = (struct jpos_entry){ strdup(path), line, (unsigned)(at - line_start + 1) };
	if (!e->v[e->n].path) {
		sc->err = -ENOMEM;
		sc->done = true;
		return;
	}
	e->n++;
}

/* Skip a string starting at its opening quote; the raw text between quotes. */
static void scan_string(struct scanner *sc, const char **ret, size_t *ret_len)
{
	size_t start;

	advance(sc);
	start = sc->i;
	while (sc->i < sc->len && sc->s[sc->i] != '"') {
		if (sc->s[sc->i] == '\\')
			advance(sc);
		if (sc->i < sc->len)
			advance(sc);
	}
	*ret = sc->s + start;
	*ret_len = sc->i - start;
	if (sc->i < sc->len)
		advance(sc);
}

static void scan_value(struct scanner *sc, bool element);

static void scan_object(struct scanner *sc)
{
	size_t base = strlen(sc->path);

	advance(sc);
	for (;;) {
		const char *key;
		size_t klen, at, ls;
		unsigned line;

		skip_ws(sc);
		if (stopped(sc) || sc->s[sc->i] == '}' || sc->s[sc->i] != '"')
			break;
		at = sc->i;
		ls = sc->line_start;
		line = sc->line;
		scan_string(sc, &key, &klen);
		path_member(sc->path, sizeof(sc->path), key, klen);
		skip_ws(sc);
		if (stopped(sc) || sc->s[sc->i] != ':') {
			stop_here(sc);
			return;
		}
		/* Keys are recorded with a "#" suffix beside their values. */
		if (sc->full) {
			strncat(sc->path, "#", sizeof(sc->path) - strlen(sc->path) - 1);
			record(sc, sc->path, ls, line, at);
			sc->path[strlen(sc->path) - 1] = '\0';
		}
		advance(sc);
		scan_value(sc, false);
		if (sc->done)
			return;
		sc->path[base] = '\0';
		skip_ws(sc);
		if (stopped(sc) || sc->s[sc->i] != ',')
			break;
		advance(sc);
	}
	sc->path[base] = '\0';
	if (!sc->done && sc->s[sc->i] == '}')
		advance(sc);
	else
		stop_here(sc);
}

static void scan_array(struct scanner *sc)
{
	size_t base = strlen(sc->path);

	advance(sc);
	for (size_t n = 0;; n++) {
		skip_ws(sc);
		if (stopped(sc) || sc->s[sc->i] == ']')
			break;
		snprintf(sc->path + base, sizeof(sc->path) - base, "[%zu]", n);
		scan_value(sc, true);
		if (sc->done)
			return;
		sc->path[base] = '\0';
		skip_ws(sc);
		if (stopped(sc) || sc->s[sc->i] != ',')
			break;
		advance(sc);
	}
	sc->path[base] = '\0';
	if (!sc->done && sc->s[sc->i] == ']')
		advance(sc);
	else
		stop_here(sc);
}

static void scan_value(struct scanner *sc, bool element)
{
	const char *str;
	size_t len;

	skip_ws(sc);
	if (stopped(sc))
		return;
	if (sc->full || element || sc->s[sc->i] == '{' || sc->s[sc->i] == '[')
		record(sc, sc->path, sc->line_start, sc->line, sc->i);
	switch (sc->s[sc->i]) {
	case '{':
		scan_object(sc);
		break;
	case '[':
		scan_array(sc);
		break;
	case '"':
		scan_string(sc, &str, &len);
		break;
	default:
		while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]))
			advance(sc);
	}
}

static void scanner_init(struct scanner *sc, const char *text, size_t len, size_t stop)
{
	*sc = (struct scanner){ .s = text, .len = len, .stop = stop, .line = 1 };
	strcpy(sc->path, "$");
}

int jpos_scan(struct jpos *p, const char *text, size_t len, bool full)
{
	struct entries *e = calloc(1, sizeof(*e));
	struct scanner sc;
	int r = 0;

	if (!e)
		return -ENOMEM;
	*p = (struct jpos){ .entries = e };
	scanner_init(&sc, text, len, (size_t)-1);
	sc.out = e;
	sc.full = full;
	scan_value(&sc, false);
	free(sc.stop_path);
	if (sc.err)
		return sc.err;
	for (size_t i = 0; i < e->n && r >= 0; i++) {
		char *path = e->v[i].path;
		size_t n = strlen(path);

		if (n && path[n - 1] == '#')
			r = namemap_add(&p->keys, path, &e->v[i]);
		else
			r = namemap_add(&p->values, path, &e->v[i]);
	}
	return r;
}

bool jpos_find(struct jpos *p, const char *path, bool key, unsigned *ret_line, unsigned *ret_col)
{
	struct jpos_entry *e;
	char buf[4096];

	if (key) {
		snprintf(buf, sizeof(buf), "%s#", path);
		e = namemap_get(&p->keys, buf);
	} else {
		e = namemap_get(&p->values, path);
	}
	if (!e)
		return false;
	*ret_line = e->line;
	*ret_col = e->col;
	return true;
}

void jpos_free(struct jpos *p)
{
	struct entries *e = p->entries;

	if (e) {
		for (size_t i = 0; i < e->n; i++)
			free(e->v[i].path);
		free(e->v);
		free(e);
	}
	namemap_clear(&p->values);
	namemap_clear(&p->keys);
	p->entries = NULL;
}

char *jpos_path_at(const char *text, size_t len, size_t offset)
{
	struct scanner sc;

	scanner_init(&sc, text, len, offset);
	scan_value(&sc, false);
	return sc.stop_path ? sc.stop_path : strdup(sc.path);
}
