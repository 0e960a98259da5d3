/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vbusctl output: one code path for text and JSON, after iproute2's
 * json_print. Each call names the JSON key and the text format; which of the
 * two is used depends on the mode, so -j output cannot drift from the text.
 */
#ifndef VBUSCTL_PRINT_H
#define VBUSCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum print_what {
	PRINT_ANY,	/* JSON value and text */
	PRINT_JSON,	/* JSON only */
	PRINT_TEXT,	/* text only */
};

struct printer;

/* @json: JSON mode; @pretty: indented JSON; output goes to @out. */
int printer_new(FILE *out, bool json, bool pretty, struct printer **ret);
void printer_free(struct printer *p);
bool printer_is_json(const struct printer *p);

/*
 * A document is one JSON value (text: nothing). Objects and arrays nest;
 * @key is NULL inside an array and for the document's top value.
 * printer_end() writes the document (JSON) and a newline.
 */
void print_open_object(struct printer *p, const char *key);
void print_close_object(struct printer *p);
void print_open_array(struct printer *p, const char *key);
void print_close_array(struct printer *p);
void print_end(struct printer *p);

void print_string(struct printer *p, enum print_what w, const char *key, const char *fmt,
		  const char *value);
void print_uint(struct printer *p, enum print_what w, const char *key, const char *fmt,
		uint64_t value);
void print_int(struct printer *p, enum print_what w, const char *key, const char *fmt,
	       int64_t value);
void print_bool(struct printer *p, enum print_what w, const char *key, const char *fmt,
		bool value);
void print_float(struct printer *p, enum print_what w, const char *key, const char *fmt,
		 double value);
/* JSON null / the text @fmt as it is. */
void print_null(struct printer *p, enum print_what w, const char *key, const char *fmt);
/* Text only: a newline (nothing in JSON mode). */
void print_nl(struct printer *p);

#endif
