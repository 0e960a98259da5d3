// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl output engine: text through printf formats, JSON through a jansson
 * tree that is written out whole when the document ends.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "print.h"

#define PRINT_DEPTH_MAX 16

struct printer {
	FILE *out;
	bool json;
	bool pretty;
	json_t *stack[PRINT_DEPTH_MAX];
	int depth;		/* number of open containers */
	json_t *doc;		/* the finished top value, until print_end() */
};

int printer_new(FILE *out, bool json, bool pretty, struct printer **ret)
{
	struct printer *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->out = out;
	p->json = json;
	p->pretty = pretty;
	*ret = p;
	return 0;
}

void printer_free(struct printer *p)
{
	if (!p)
		return;
	while (p->depth > 0)
		json_decref(p->stack[--p->depth]);
	json_decref(p->doc);
	free(p);
}

bool printer_is_json(const struct printer *p)
{
	return p->json;
}

static bool wants_json(const struct printer *p, enum print_what w)
{
	return p->json && w != PRINT_TEXT;
}

static bool wants_text(const struct printer *p, enum print_what w, const char *fmt)
{
	return !p->json && w != PRINT_JSON && fmt;
}

/* Put @v under @key into the innermost container, or make it the document. */
static void json_add(struct printer *p, const char *key, json_t *v)
{
	json_t *top;

	if (!v)
		return;
	if (p->depth == 0) {
		json_decref(p->doc);
		p->doc = v;
		return;
	}
	top = p->stack[p->depth - 1];
	if (json_is_array(top))
		json_array_append_new(top, v);
	else
		json_object_set_new(top, key ? key : "", v);
}

static void open_container(struct printer *p, const char *key, json_t *c)
{
	if (!p->json)
		return;
	if (p->depth == PRINT_DEPTH_MAX) {
		json_decref(c);
		return;
	}
	json_add(p, key, json_incref(c));
	p->stack[p->depth++] = c;
}

static void close_container(struct printer *p)
{
	if (p->json && p->depth > 0)
		json_decref(p->stack[--p->depth]);
}

void print_open_object(struct printer *p, const char *key)
{
	if (p->json)
		open_container(p, key, json_object());
}

void print_close_object(struct printer *p)
{
	close_container(p);
}

void print_open_array(struct printer *p, const char *key)
{
	if (p->json)
		open_container(p, key, json_array());
}

void print_close_array(struct printer *p)
{
	close_container(p);
}

void print_end(struct printer *p)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;

	if (!p->json)
		return;
	while (p->depth > 0)
		close_container(p);
	if (!p->doc)
		return;
	flags |= p->pretty ? JSON_INDENT(4) : JSON_COMPACT;
	json_dumpf(p->doc, p->out, flags);
	fputc('\n', p->out);
	fflush(p->out);
	json_decref(p->doc);
	p->doc = NULL;
}

static void text(struct printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text(struct printer *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void print_string(struct printer *p, enum print_what w, const char *key, const char *fmt,
		  const char *value)
{
	if (wants_json(p, w))
		json_add(p, key, value ? json_string(value) : json_null());
	else if (wants_text(p, w, fmt))
		text(p, fmt, value ? value : "");
}

void print_uint(struct printer *p, enum print_what w, const char *key, const char *fmt,
		uint64_t value)
{
	if (wants_json(p, w))
		json_add(p, key, json_integer((json_int_t)value));
	else if (wants_text(p, w, fmt))
		text(p, fmt, value);
}

void print_int(struct printer *p, enum print_what w, const char *key, const char *fmt,
	       int64_t value)
{
	if (wants_json(p, w))
		json_add(p, key, json_integer(value));
	else if (wants_text(p, w, fmt))
		text(p, fmt, value);
}

void print_bool(struct printer *p, enum print_what w, const char *key, const char *fmt,
		bool value)
{
	if (wants_json(p, w))
		json_add(p, key, json_boolean(value));
	else if (wants_text(p, w, fmt))
		text(p, fmt, value ? "true" : "false");
}

void print_float(struct printer *p, enum print_what w, const char *key, const char *fmt,
		 double value)
{
	if (wants_json(p, w))
		json_add(p, key, json_real(value));
	else if (wants_text(p, w, fmt))
		text(p, fmt, value);
}

void print_null(struct printer *p, enum print_what w, const char *key, const char *fmt)
{
	if (wants_json(p, w))
		json_add(p, key, json_null());
	else if (wants_text(p, w, fmt))
		text(p, fmt, "");
}
#pragma GCC diagnostic pop

void print_nl(struct printer *p)
{
	if (!p->json)
		fputc('\n', p->out);
}
