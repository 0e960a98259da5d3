// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: vbusctl keyword lookup and dispatch (vbusctl/cmd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd.h"

static int called;

static int fn_a(struct ctl *ctl, int argc, char **argv)
{
	called = 'a';
	check_expected(argc);
	return 7;
}

static int fn_b(struct ctl *ctl, int argc, char **argv)
{
	called = 'b';
	return 0;
}

static const struct cmd table[] = {
	{ "show", fn_a, NULL },
	{ "set", fn_b, NULL },
	{ "stats", fn_b, NULL },
	{ "add", fn_b, NULL },
	{ NULL, NULL, NULL },
};

static void test_lookup_exact(void **state)
{
	bool amb;

	assert_ptr_equal(cmd_lookup(table, "set", &amb), &table[1]);
	assert_false(amb);
}

static void test_lookup_unique_prefix(void **state)
{
	bool amb;

	assert_ptr_equal(cmd_lookup(table, "sh", &amb), &table[0]);
	assert_ptr_equal(cmd_lookup(table, "st", &amb), &table[2]);
	assert_ptr_equal(cmd_lookup(table, "a", &amb), &table[3]);
	assert_false(amb);
}

static void test_lookup_ambiguous(void **state)
{
	bool amb;

	assert_null(cmd_lookup(table, "s", &amb));
	assert_true(amb);
}

static void test_lookup_unknown(void **state)
{
	bool amb;

	assert_null(cmd_lookup(table, "showx", &amb));
	assert_false(amb);
	assert_null(cmd_lookup(table, "x", &amb));
	assert_false(amb);
	assert_null(cmd_lookup(table, "", &amb));
	assert_false(amb);
}

static void test_dispatch(void **state)
{
	struct ctl ctl = { 0 };
	char *argv[] = { "sho", "x", "y", NULL };

	called = 0;
	expect_value(fn_a, argc, 2);
	assert_int_equal(cmd_dispatch(&ctl, table, "command", 3, argv), 7);
	assert_int_equal(called, 'a');
}

static void test_dispatch_errors(void **state)
{
	struct ctl ctl = { 0 };
	char *amb[] = { "s", NULL };
	char *unknown[] = { "zap", NULL };

	called = 0;
	assert_int_equal(cmd_dispatch(&ctl, table, "command", 1, amb), EXIT_USAGE);
	assert_int_equal(cmd_dispatch(&ctl, table, "command", 1, unknown), EXIT_USAGE);
	assert_int_equal(called, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_exact),
		cmocka_unit_test(test_lookup_unique_prefix),
		cmocka_unit_test(test_lookup_ambiguous),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_dispatch_errors),
	};

	return cmocka_run_group_tests_name("vbusctl-cmd", tests, NULL, NULL);
}
