// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit test: the portable IOQ self-test that vbus-ioq-selftest.ko runs in
 * the kernel (kmod/ioq/ioq_selftest.c), built and run here in userspace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ioq/ioq_selftest.c"

static void test_selftest(void **state)
{
	void *ring = aligned_alloc(128, IOQ_SELFTEST_RING_LEN);
	void *area = calloc(1, IOQ_SELFTEST_AREA_LEN);

	(void)state;
	assert_non_null(ring);
	assert_non_null(area);
	assert_int_equal(ioq_selftest(ring, IOQ_SELFTEST_RING_LEN, area, IOQ_SELFTEST_AREA_LEN), 0);
	assert_int_equal(ioq_selftest(ring, IOQ_SELFTEST_RING_LEN - 1, area,
				      IOQ_SELFTEST_AREA_LEN), -EINVAL);
	free(area);
	free(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selftest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
