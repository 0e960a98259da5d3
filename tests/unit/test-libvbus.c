// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: libvbus context and version calls against a fake sysfs tree. */
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

struct fixture {
	char root[64];
	struct vbus_ctx *ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->root, "/tmp/libvbus-test.XXXXXX");
	if (!mkdtemp(f->root) || vbus_ctx_new(&f->ctx) < 0)
		return -1;
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

static void write_version(const struct fixture *f, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/sys", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/vbus", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/vbus/version", f->root);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_library_version(void **state)
{
	assert_string_equal(vbus_library_version(), PACKAGE_VERSION);
}

static void test_kernel_version(void **state)
{
	struct fixture *f = *state;
	char *v = NULL;

	write_version(f, "1.2.3\n");
	assert_int_equal(vbus_ctx_set_root(f->ctx, f->root), 0);
	assert_int_equal(vbus_kernel_version(f->ctx, &v), 0);
	assert_string_equal(v, "1.2.3");
	free(v);
}

static void test_root_trailing_slash(void **state)
{
	struct fixture *f = *state;
	char root[80];
	char *v = NULL;

	write_version(f, "4.5\n");
	snprintf(root, sizeof(root), "%s//", f->root);
	assert_int_equal(vbus_ctx_set_root(f->ctx, root), 0);
	assert_int_equal(vbus_kernel_version(f->ctx, &v), 0);
	assert_string_equal(v, "4.5");
	free(v);
}

static void test_module_missing(void **state)
{
	struct fixture *f = *state;
	char *v = NULL;

	assert_int_equal(vbus_ctx_set_root(f->ctx, f->root), 0);
	assert_int_equal(vbus_kernel_version(f->ctx, &v), -ENOENT);
	assert_null(v);
	assert_string_equal(vbus_strerror(-ENOENT), "No such file or directory");
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	char *v = NULL;

	assert_int_equal(vbus_ctx_new(NULL), -EINVAL);
	assert_int_equal(vbus_ctx_set_root(f->ctx, "relative/path"), -EINVAL);
	assert_int_equal(vbus_ctx_set_root(NULL, "/"), -EINVAL);
	assert_int_equal(vbus_kernel_version(NULL, &v), -EINVAL);
	assert_int_equal(vbus_kernel_version(f->ctx, NULL), -EINVAL);
	vbus_ctx_free(NULL);
	assert_string_equal(vbus_strerror(-EACCES), strerror(EACCES));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_version),
		cmocka_unit_test_setup_teardown(test_kernel_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_trailing_slash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests_name("libvbus", tests, NULL, NULL);
}
