// SPDX-License-Identifier: GPL-2.0
/*
 * venet-tap's copy of the portable IOQ ring (kmod/ioq/): each module that
 * uses IOQ links its own, so that vbus.ko keeps no ring ABI of its own.
 */
#include "ioq/ioq.c"
