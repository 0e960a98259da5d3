// SPDX-License-Identifier: GPL-2.0
/* Test module for tests/vm-selftest.test (debug kernel): its init leaks. */
#include <linux/module.h>
#include <linux/slab.h>

static void *leak;

static int __init leak_init(void)
{
	leak = kmalloc(128, GFP_KERNEL);
	if (!leak)
		return -ENOMEM;
	leak = NULL;	/* the only reference: gone */
	return 0;
}

static void __exit leak_exit(void)
{
}

module_init(leak_init);
module_exit(leak_exit);
MODULE_DESCRIPTION("vm-run self-test: leaks 128 bytes");
MODULE_LICENSE("GPL");
