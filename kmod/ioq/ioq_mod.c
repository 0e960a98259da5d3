// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-ioq.ko: the IOQ ring (ioq.c, shared with libvbus) as a module of its
 * own, exporting the ring's API (ioq.h, doc/abi/ioq.md) to the host's device
 * classes (venet-tap) and to drivers (vbus-enet), so that a guest, which has
 * no vbus.ko, loads it with vbus-proxy.ko and its drivers. It has no state.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("vbus IOQ shared-memory ring");
MODULE_LICENSE("GPL");
