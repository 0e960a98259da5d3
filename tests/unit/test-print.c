// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: vbusctl's one output path for text and JSON (vbusctl/print.c). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "print.h"

/* The same calls a "bus show" makes, in whatever mode @p is. */
static void emit(struct printer *p)
{
	print_open_array(p, NULL);
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "bus %s", "vm1");
	print_uint(p, PRINT_ANY, "owner", " owner %" PRIu64, 107);
	print_string(p, PRINT_ANY, "mode", " mode %s", "0660");
	print_bool(p, PRINT_JSON, "enabled", NULL, true);
	print_string(p, PRINT_TEXT, NULL, " (%s)", "text only");
	print_null(p, PRINT_ANY, "group", " group none");
	print_open_array(p, "devices");
	print_uint(p, PRINT_ANY, NULL, " %" PRIu64, 0);
	print_uint(p, PRINT_ANY, NULL, " %" PRIu64, 1);
	print_close_array(p);
	print_int(p, PRINT_ANY, "delta", " delta %" PRId64, -3);
	print_float(p, PRINT_ANY, "rate", " rate %.1f", 2.5);
	print_nl(p);
	print_close_object(p);
	print_close_array(p);
	print_end(p);
}

static char *render(bool json, bool pretty)
{
	struct printer *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(printer_new(f, json, pretty, &p), 0);
	emit(p);
	printer_free(p);
	fclose(f);
	return buf;
}

static void test_text(void **state)
{
	char *s = render(false, false);

	assert_string_equal(s, "bus vm1 owner 107 mode 0660 (text only) group none 0 1 delta -3 rate 2.5\n");
	free(s);
}

static void test_json(void **state)
{
	char *s = render(true, false);

	assert_string_equal(s, "[{\"name\":\"vm1\",\"owner\":107,\"mode\":\"0660\",\"enabled\":true,"
			       "\"group\":null,\"devices\":[0,1],\"delta\":-3,\"rate\":2.5}]\n");
	free(s);
}

static void test_json_pretty(void **state)
{
	char *s = render(true, true);

	assert_non_null(strstr(s, "[\n    {\n        \"name\": \"vm1\",\n"));
	assert_string_equal(s + strlen(s) - 8, "    }\n]\n");
	assert_non_null(strstr(s, "\"devices\": [\n            0,\n            1\n        ]"));
	free(s);
}

static void test_json_escapes_and_unclosed(void **state)
{
	struct printer *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(printer_new(f, true, false, &p), 0);
	print_open_object(p, NULL);
	print_string(p, PRINT_ANY, "name", "%s", "a\"b\\c\n\x01");
	print_open_object(p, "inner");
	/* print_end closes what is still open */
	print_end(p);
	printer_free(p);
	fclose(f);
	assert_string_equal(buf, "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"inner\":{}}\n");
	free(buf);
}

static void test_empty_document(void **state)
{
	struct printer *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(printer_new(f, true, false, &p), 0);
	print_end(p);
	printer_free(p);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_pretty),
		cmocka_unit_test(test_json_escapes_and_unclosed),
		cmocka_unit_test(test_empty_document),
	};

	return cmocka_run_group_tests_name("vbusctl-print", tests, NULL, NULL);
}
