/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvbus's generic client of a device connection (doc/abi/chardev.md):
 * what every protocol (venet.c today) is written on. Open a device of a
 * bus, make synchronous calls, have the kernel allocate the shared memory
 * and map it, register a queue's eventfds, kick a queue. Every function
 * returns a negative errno on failure.
 */
#ifndef LIBVBUS_CLIENT_H
#define LIBVBUS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct vbus_client;

/* One open device: its fd and, once vbus_dev_shm() mapped it, the shared memory. */
struct vbus_dev {
	int fd;
	uint8_t *shm;
	size_t shm_len;
};

/* Open device @id of the client's bus (VBUS_IOC_OPEN) into @dev. */
int vbus_dev_open(struct vbus_client *c, uint32_t id, struct vbus_dev *dev);
/* Unmap and close; @dev may be one that never opened (fd -1). */
void vbus_dev_close(struct vbus_dev *dev);
/* VBUS_IOC_CALL: @len bytes of input in @buf, room for @size; the output length. */
int vbus_dev_call(struct vbus_dev *dev, uint32_t func, void *buf, uint32_t len, uint32_t size);
/* VBUS_IOC_SHM for @size bytes (rounded up by the kernel), then map all of it. */
int vbus_dev_shm(struct vbus_dev *dev, uint64_t size);
/* VBUS_IOC_SIGNAL: eventfds of @queue (-1: none). */
int vbus_dev_signal(struct vbus_dev *dev, uint32_t queue, int call, int kick);
/* VBUS_IOC_KICK: the host does @queue's work within this call. */
int vbus_dev_kick(struct vbus_dev *dev, uint32_t queue);

#endif
