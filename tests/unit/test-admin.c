// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: libvbus administration (libvbus/admin.c) on a fake configfs
 * tree below a test root. The kernel's own answers are tested in the VM;
 * here: name checks, link bookkeeping and the undo of failed compound calls.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <vbus/vbus.h>

#define CFS "/sys/kernel/config/vbus"

struct fixture {
	char root[64];
	struct vbus_ctx *ctx;
};

static const char *at(const struct fixture *f, const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", f->root, rel);
	return buf[i];
}

static void mkdirs(const struct fixture *f, const char *rel)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", at(f, rel));
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->root, "/tmp/libvbus-admin.XXXXXX");
	if (!mkdtemp(f->root) || vbus_ctx_new(&f->ctx) < 0 ||
	    vbus_ctx_set_root(f->ctx, f->root) < 0)
		return -1;
	mkdirs(f, CFS "/instances");
	mkdirs(f, CFS "/devices/d1");
	mkdirs(f, CFS "/devices/d2");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	vbus_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static bool exists(const struct fixture *f, const char *rel)
{
	struct stat st;

	return lstat(at(f, rel), &st) == 0;
}

static void test_names(void **state)
{
	char long_name[64 + 2];

	assert_true(vbus_name_valid("vm1"));
	assert_true(vbus_name_valid("6f1e6b1c-1d0a-4c4e-9a57-0b9f3c1e2d3a"));
	assert_true(vbus_name_valid("a.b_c:d-e"));
	assert_false(vbus_name_valid(""));
	assert_false(vbus_name_valid(NULL));
	assert_false(vbus_name_valid("."));
	assert_false(vbus_name_valid(".."));
	assert_false(vbus_name_valid("a/b"));
	assert_false(vbus_name_valid("a b"));
	assert_false(vbus_name_valid("caf\xc3\xa9"));
	memset(long_name, 'x', sizeof(long_name));
	long_name[64] = '\0';
	assert_true(vbus_name_valid(long_name));
	long_name[64] = 'x';
	long_name[64 + 1] = '\0';
	assert_false(vbus_name_valid(long_name));
}

static void test_class_and_attr_names(void **state)
{
	assert_true(vbus_class_name_valid("venet-tap"));
	assert_true(vbus_class_name_valid("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));	/* 31 */
	assert_false(vbus_class_name_valid("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));	/* 32 */
	assert_false(vbus_class_name_valid(".."));
	assert_false(vbus_class_name_valid("a/b"));
	assert_false(vbus_class_name_valid(NULL));
	assert_true(vbus_attr_name_valid("host_mac"));
	assert_true(vbus_attr_name_valid("rx-max"));
	assert_false(vbus_attr_name_valid("a.b"));
	assert_false(vbus_attr_name_valid(".."));
	assert_false(vbus_attr_name_valid(""));
	assert_string_equal(vbus_rule_text(VBUS_RULE_MODE), "octal, at most 0777");
	assert_string_equal(vbus_rule_text(VBUS_RULE_PRIORITY), "a number from 0 to 63");
	assert_null(vbus_rule_text(VBUS_RULE_PRIORITY + 1));
}

static void test_mode_user_group(void **state)
{
	mode_t mode = 01234;
	uid_t uid = 7;
	gid_t gid = 7;

	assert_int_equal(vbus_mode_parse("0660", &mode), 0);
	assert_int_equal(mode, 0660);
	assert_int_equal(vbus_mode_parse("7", &mode), 0);
	assert_int_equal(mode, 07);
	assert_int_equal(vbus_mode_parse("1777", &mode), -EINVAL);
	assert_int_equal(vbus_mode_parse("00777", &mode), -EINVAL);
	assert_int_equal(vbus_mode_parse("0999", &mode), -EINVAL);
	assert_int_equal(vbus_mode_parse("+644", &mode), -EINVAL);
	assert_int_equal(vbus_mode_parse("", &mode), -EINVAL);
	assert_int_equal(mode, 07);
	assert_int_equal(vbus_user_parse("root", &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(vbus_user_parse("4294967294", &uid), 0);
	assert_int_equal(uid, 4294967294U);
	assert_int_equal(vbus_user_parse("4294967295", &uid), -ENOENT);
	assert_int_equal(vbus_user_parse("no-such-user-x", &uid), -ENOENT);
	assert_int_equal(vbus_user_parse("-1", &uid), -ENOENT);
	assert_int_equal(vbus_group_parse("root", &gid), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(vbus_group_parse("1002", &gid), 0);
	assert_int_equal(gid, 1002);
	assert_int_equal(vbus_group_parse("no-such-group-x", &gid), -ENOENT);
}

static void test_priority_parse(void **state)
{
	static const char *const bad[] = { "64", "-1", "x", "", "+1", " 1", "1 ", "007", "1.0",
					   "0x1", "99" };
	unsigned int prio = 42;

	assert_int_equal(vbus_priority_parse("0", &prio), 0);
	assert_int_equal(prio, 0);
	assert_int_equal(vbus_priority_parse("63", &prio), 0);
	assert_int_equal(prio, 63);
	assert_int_equal(vbus_priority_parse("07", &prio), 0);
	assert_int_equal(prio, 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vbus_priority_parse(bad[i], &prio), -EINVAL);
	assert_int_equal(prio, 7);
	assert_int_equal(vbus_priority_parse(NULL, &prio), -EINVAL);
	assert_int_equal(vbus_priority_parse("1", NULL), -EINVAL);
}

static void write_file(const struct fixture *f, const char *rel, const char *text)
{
	FILE *fp = fopen(at(f, rel), "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *read_file(const struct fixture *f, const char *rel)
{
	static char buf[64];
	FILE *fp = fopen(at(f, rel), "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* configfs devices/<dev>/priority: read and written as the kernel shows it. */
static void test_priority_get_set(void **state)
{
	struct fixture *f = *state;
	unsigned int prio = 42;

	write_file(f, CFS "/devices/d1/priority", "1\n");
	assert_int_equal(vbus_device_get_priority(f->ctx, "d1", &prio), 0);
	assert_int_equal(prio, 1);
	assert_int_equal(vbus_device_set_priority(f->ctx, "d1", 63), 0);
	assert_string_equal(read_file(f, CFS "/devices/d1/priority"), "63");
	assert_int_equal(vbus_device_get_priority(f->ctx, "d1", &prio), 0);
	assert_int_equal(prio, 63);

	/* Bad values and names are refused before the kernel is asked. */
	assert_int_equal(vbus_device_set_priority(f->ctx, "d1", 64), -EINVAL);
	assert_int_equal(vbus_device_set_priority(f->ctx, "d1", (unsigned int)-1), -EINVAL);
	assert_int_equal(vbus_device_set_priority(f->ctx, "../d1", 2), -EINVAL);
	assert_int_equal(vbus_device_set_priority(NULL, "d1", 2), -EINVAL);
	assert_int_equal(vbus_device_get_priority(f->ctx, "d1", NULL), -EINVAL);
	assert_string_equal(read_file(f, CFS "/devices/d1/priority"), "63");

	assert_int_equal(vbus_device_get_priority(f->ctx, "nope", &prio), -ENOENT);
	assert_int_equal(vbus_device_set_priority(f->ctx, "nope", 2), -ENOENT);
	assert_false(exists(f, CFS "/devices/nope"));
	write_file(f, CFS "/devices/d2/priority", "junk\n");
	assert_int_equal(vbus_device_get_priority(f->ctx, "d2", &prio), -EIO);
	assert_int_equal(prio, 63);
}

static void test_bad_names_touch_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vbus_bus_add(f->ctx, "../x"), -EINVAL);
	assert_int_equal(vbus_device_add(f->ctx, "x y", "test"), -EINVAL);
	assert_int_equal(vbus_device_add(f->ctx, "d3", "a/b"), -EINVAL);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", ""), -EINVAL);
	assert_int_equal(vbus_device_set_attr(f->ctx, "d1", "../x", "1"), -EINVAL);
	assert_int_equal(vbus_bus_set_mode(f->ctx, "b", 01000), -EINVAL);
	assert_false(exists(f, CFS "/instances/..x"));
	assert_false(exists(f, CFS "/devices/d3"));
}

static void test_bus_add_exists(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vbus_bus_exists(f->ctx, "b1"), 0);
	assert_int_equal(vbus_bus_add(f->ctx, "b1"), 0);
	assert_int_equal(vbus_bus_exists(f->ctx, "b1"), 1);
	assert_int_equal(vbus_bus_add(f->ctx, "b1"), -EEXIST);
	assert_int_equal(vbus_device_exists(f->ctx, "d1"), 1);
	assert_int_equal(vbus_device_exists(f->ctx, "nope"), 0);
}

static void test_attach_detach(void **state)
{
	struct fixture *f = *state;
	char buf[PATH_MAX];
	ssize_t n;

	assert_int_equal(vbus_bus_add(f->ctx, "b1"), 0);
	assert_int_equal(vbus_bus_add(f->ctx, "b2"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", "b1"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", "b2"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d2", "b1"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d2", "b1"), -EEXIST);

	n = readlink(at(f, CFS "/instances/b1/d1"), buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, at(f, CFS "/devices/d1"));

	assert_true(exists(f, CFS "/instances/b2/d1"));
	assert_true(exists(f, CFS "/instances/b1/d2"));

	assert_int_equal(vbus_device_detach(f->ctx, "d1", "b1"), 0);
	assert_false(exists(f, CFS "/instances/b1/d1"));
	assert_int_equal(vbus_device_detach(f->ctx, "d1", "b1"), -ENOENT);
	assert_true(exists(f, CFS "/instances/b2/d1"));
}

static void test_detach_link_of_another_name(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vbus_bus_add(f->ctx, "b1"), 0);
	assert_int_equal(symlink("../../devices/d2", at(f, CFS "/instances/b1/other")), 0);
	assert_int_equal(vbus_device_detach(f->ctx, "d2", "b1"), 0);
	assert_false(exists(f, CFS "/instances/b1/other"));
}

static void test_bus_del_takes_links(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vbus_bus_add(f->ctx, "b1"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", "b1"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d2", "b1"), 0);
	assert_int_equal(vbus_bus_del(f->ctx, "b1"), 0);
	assert_false(exists(f, CFS "/instances/b1"));
	assert_true(exists(f, CFS "/devices/d1"));
	assert_int_equal(vbus_bus_del(f->ctx, "b1"), -ENOENT);
}

static void test_bus_del_failure_restores_links(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vbus_bus_add(f->ctx, "b1"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", "b1"), 0);
	mkdirs(f, CFS "/instances/b1/busy");	/* rmdir fails: ENOTEMPTY */
	assert_int_equal(vbus_bus_del(f->ctx, "b1"), -ENOTEMPTY);
	assert_true(exists(f, CFS "/instances/b1/d1"));
}

static void test_device_del_detaches_then_restores_on_failure(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vbus_bus_add(f->ctx, "b1"), 0);
	assert_int_equal(vbus_bus_add(f->ctx, "b2"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", "b1"), 0);
	assert_int_equal(vbus_device_attach(f->ctx, "d1", "b2"), 0);
	mkdirs(f, CFS "/devices/d1/busy");
	assert_int_equal(vbus_device_del(f->ctx, "d1"), -ENOTEMPTY);
	assert_true(exists(f, CFS "/instances/b1/d1"));
	assert_true(exists(f, CFS "/instances/b2/d1"));

	assert_int_equal(rmdir(at(f, CFS "/devices/d1/busy")), 0);
	assert_int_equal(vbus_device_del(f->ctx, "d1"), 0);
	assert_false(exists(f, CFS "/devices/d1"));
	assert_false(exists(f, CFS "/instances/b1/d1"));
	assert_false(exists(f, CFS "/instances/b2/d1"));
}

static void test_device_add_untypable_leaves_nothing(void **state)
{
	struct fixture *f = *state;

	/* The fake tree has no "type" file: the write fails, mkdir is undone. */
	assert_int_equal(vbus_device_add(f->ctx, "d3", "test"), -ENOENT);
	assert_false(exists(f, CFS "/devices/d3"));
	assert_int_equal(vbus_device_add(f->ctx, "d1", "test"), -EEXIST);
	assert_true(exists(f, CFS "/devices/d1"));
}

static void test_load_below_test_root(void **state)
{
	struct fixture *f = *state;
	struct vbus_ctx *empty;

	assert_int_equal(vbus_load(f->ctx), 0);
	assert_int_equal(vbus_ctx_new(&empty), 0);
	assert_int_equal(vbus_ctx_set_root(empty, "/nonexistent-root"), 0);
	assert_int_equal(vbus_load(empty), -ENODEV);
	assert_int_equal(vbus_bus_add(empty, "b1"), -ENODEV);
	vbus_ctx_free(empty);
}

static void test_class_load(void **state)
{
	struct fixture *f = *state;

	mkdirs(f, "/sys/vbus/deviceclass/test");
	assert_int_equal(vbus_class_load(f->ctx, "test"), 0);
	assert_int_equal(vbus_class_load(f->ctx, "nope"), -ENOENT);
	assert_int_equal(vbus_class_load(f->ctx, "../test"), -EINVAL);
	assert_int_equal(vbus_class_load(f->ctx, ""), -EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_class_and_attr_names),
		cmocka_unit_test(test_mode_user_group),
		cmocka_unit_test(test_priority_parse),
		T(test_priority_get_set),
		T(test_bad_names_touch_nothing),
		T(test_bus_add_exists),
		T(test_attach_detach),
		T(test_detach_link_of_another_name),
		T(test_bus_del_takes_links),
		T(test_bus_del_failure_restores_links),
		T(test_device_del_detaches_then_restores_on_failure),
		T(test_device_add_untypable_leaves_nothing),
		T(test_load_below_test_root),
		T(test_class_load),
	};

	return cmocka_run_group_tests_name("libvbus-admin", tests, NULL, NULL);
}
