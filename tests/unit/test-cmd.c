// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests: vbusctl keyword lookup and dispatch (vbusctl/cmd.c), and
 * "device set" on a fake configfs and sysfs below a test root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"

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
	{ "show", fn_a },
	{ "set", fn_b },
	{ "stats", fn_b },
	{ "add", fn_b },
	{ NULL },
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

static void test_split_words(void **state)
{
	char line[] = "  bus add  vm1\towner root \n";
	char *argv[8];

	assert_int_equal(cmd_split_line(line, argv, 8), 5);
	assert_string_equal(argv[0], "bus");
	assert_string_equal(argv[1], "add");
	assert_string_equal(argv[2], "vm1");
	assert_string_equal(argv[3], "owner");
	assert_string_equal(argv[4], "root");
}

static void test_split_quotes_and_escapes(void **state)
{
	char line[] = "device set \"a b\" 'c \\d' e\\ f \"x\\\"y\" # comment \"";
	char *argv[8];

	assert_int_equal(cmd_split_line(line, argv, 8), 6);
	assert_string_equal(argv[2], "a b");
	assert_string_equal(argv[3], "c \\d");
	assert_string_equal(argv[4], "e f");
	assert_string_equal(argv[5], "x\"y");
}

static void test_split_empty_and_comment(void **state)
{
	char empty[] = " \t\n", comment[] = "   # bus add x\n", hash[] = "a#b";
	char *argv[4];

	assert_int_equal(cmd_split_line(empty, argv, 4), 0);
	assert_int_equal(cmd_split_line(comment, argv, 4), 0);
	assert_int_equal(cmd_split_line(hash, argv, 4), 1);
	assert_string_equal(argv[0], "a#b");
}

static void test_split_errors(void **state)
{
	char open_dq[] = "bus add \"vm1", open_sq[] = "bus 'x", bs[] = "bus x\\";
	char many[] = "a b c d e";
	char *argv[4];

	assert_int_equal(cmd_split_line(open_dq, argv, 4), -EINVAL);
	assert_int_equal(cmd_split_line(open_sq, argv, 4), -EINVAL);
	assert_int_equal(cmd_split_line(bs, argv, 4), -EINVAL);
	assert_int_equal(cmd_split_line(many, argv, 4), -E2BIG);
}

/* A fake tree with device d1: configfs priority 1, class attribute greeting "hi". */
static int setup_tree(void **state)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));
	char root[] = "/tmp/vbusctl-device.XXXXXX", cmd[256];

	if (!ctl || !mkdtemp(root) || vbus_ctx_new(&ctl->vbus) < 0 ||
	    vbus_ctx_set_root(ctl->vbus, root) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir -p sys/kernel/config/vbus/devices/d1 "
		 "sys/vbus/devices/d1 && echo 1 > sys/kernel/config/vbus/devices/d1/priority && "
		 "echo hi > sys/vbus/devices/d1/greeting", root);
	if (system(cmd) != 0 || chdir(root) < 0)
		return -1;
	*state = ctl;
	return 0;
}

static int teardown_tree(void **state)
{
	struct ctl *ctl = *state;
	char cwd[PATH_MAX], cmd[PATH_MAX + 16];

	vbus_ctx_free(ctl->vbus);
	free(ctl);
	if (!getcwd(cwd, sizeof(cwd)) || chdir("/") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cwd);
	return system(cmd) == 0 ? 0 : -1;
}

/* The first line of @path (relative to the test root). */
static const char *line_of(const char *path)
{
	static char buf[64];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

#define PRIO "sys/kernel/config/vbus/devices/d1/priority"
#define GREETING "sys/vbus/devices/d1/greeting"

static int device(struct ctl *ctl, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return do_device(ctl, argc, argv);
}

/* "priority" goes to configfs, is checked first, and is put back when a later write fails. */
static void test_device_set_priority(void **state)
{
	struct ctl *ctl = *state;
	char *bad[][7] = {
		{ "set", "d1", "priority", "64", NULL },
		{ "set", "d1", "priority", "-1", NULL },
		{ "set", "d1", "priority", "x", NULL },
		{ "set", "d1", "greeting", "yo", "priority", NULL },
		{ "set", "d1", "greeting", "yo", "priority", "64", NULL },
		{ "set", "d1", "priority", "2", "priority", "3", NULL },
		{ "add", "d2", "type", "test", "priority", "64", NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(device(ctl, bad[i]), EXIT_USAGE);
	assert_int_equal(access("sys/kernel/config/vbus/devices/d2", F_OK), -1);
	assert_string_equal(line_of(PRIO), "1");
	assert_string_equal(line_of(GREETING), "hi");

	assert_int_equal(device(ctl, (char *[]){ "set", "d1", "priority", "7", "greeting", "yo",
						 NULL }), EXIT_OK);
	assert_string_equal(line_of(PRIO), "7");
	assert_string_equal(line_of(GREETING), "yo");

	/* An attribute that cannot be read: nothing written. */
	assert_int_equal(device(ctl, (char *[]){ "set", "d1", "priority", "9", "colour", "red",
						 NULL }), EXIT_SYSTEM);
	assert_string_equal(line_of(PRIO), "7");

	/* A write that fails after the priority's: the old priority is put back. */
	assert_int_equal(unlink(GREETING), 0);
	assert_int_equal(symlink("/dev/full", GREETING), 0);
	assert_int_equal(device(ctl, (char *[]){ "set", "d1", "priority", "9", "greeting", "hey",
						 NULL }), EXIT_SYSTEM);
	assert_string_equal(line_of(PRIO), "7");
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
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_split_quotes_and_escapes),
		cmocka_unit_test(test_split_empty_and_comment),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test_setup_teardown(test_device_set_priority, setup_tree,
						teardown_tree),
	};

	return cmocka_run_group_tests_name("vbusctl-cmd", tests, NULL, NULL);
}
