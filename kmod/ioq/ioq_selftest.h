/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
#ifndef _VBUS_IOQ_SELFTEST_H
#define _VBUS_IOQ_SELFTEST_H

#include "ioq.h"

/* Ring memory of IOQ_RING_SIZE(16) and a 4096-byte area at least. */
#define IOQ_SELFTEST_RING_LEN	IOQ_RING_SIZE(16)
#define IOQ_SELFTEST_AREA_LEN	4096

/* 0 when every check passed, else minus the source line of the first failure. */
int ioq_selftest(void *ring, size_t ring_len, void *area, u64 area_len);

#endif /* _VBUS_IOQ_SELFTEST_H */
