// SPDX-License-Identifier: GPL-2.0
/* Test module for tests/vm-selftest.test: its init triggers one WARN_ON. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_on_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit warn_on_exit(void)
{
}

module_init(warn_on_init);
module_exit(warn_on_exit);
MODULE_DESCRIPTION("vm-run self-test: calls WARN_ON");
MODULE_LICENSE("GPL");
