// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The generic client (client.h): attach to a bus (/dev/vbus/<bus>, the
 * exported vbus_client_*) and drive a device connection, whatever the
 * device's protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vbus.h>

#include "client.h"
#include "libvbus-private.h"
#include "vbus/vbus.h"

struct vbus_client {
	int fd;
};

VBUS_EXPORT int vbus_client_open(const char *bus, struct vbus_client **ret_client)
{
	struct vbus_client *c;
	char path[sizeof(VBUS_DEV_DIR) + VBUS_NAME_MAX + 2];

	if (!bus || !vbus_name_valid(bus) || !ret_client)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(path, sizeof(path), VBUS_DEV_DIR "/%s", bus);
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		int err = -errno;

		free(c);
		return err;
	}
	*ret_client = c;
	return 0;
}

VBUS_EXPORT void vbus_client_free(struct vbus_client *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

VBUS_EXPORT int vbus_client_get_fd(const struct vbus_client *c)
{
	return c->fd;
}

int vbus_dev_open(struct vbus_client *c, uint32_t id, struct vbus_dev *dev)
{
	struct vbus_open req = { .id = id };

	dev->shm = NULL;
	dev->shm_len = 0;
	dev->fd = ioctl(c->fd, VBUS_IOC_OPEN, &req);
	return dev->fd < 0 ? -errno : 0;
}

void vbus_dev_close(struct vbus_dev *dev)
{
	if (dev->shm)
		munmap(dev->shm, dev->shm_len);
	dev->shm = NULL;
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

int vbus_dev_call(struct vbus_dev *dev, uint32_t func, void *buf, uint32_t len, uint32_t size)
{
	struct vbus_call call = {
		.func = func, .data = (uintptr_t)buf, .len = len, .size = size,
	};
	int ret = ioctl(dev->fd, VBUS_IOC_CALL, &call);

	return ret < 0 ? -errno : ret;
}

int vbus_dev_shm(struct vbus_dev *dev, uint64_t size)
{
	struct vbus_shm shm = { .size = size };
	void *addr;

	if (ioctl(dev->fd, VBUS_IOC_SHM, &shm) < 0)
		return -errno;
	addr = mmap(NULL, shm.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, 0);
	if (addr == MAP_FAILED)
		return -errno;
	dev->shm = addr;
	dev->shm_len = shm.size;
	return 0;
}

int vbus_dev_signal(struct vbus_dev *dev, uint32_t queue, int call, int kick)
{
	struct vbus_signal sig = { .queue = queue, .call = call, .kick = kick };

	return ioctl(dev->fd, VBUS_IOC_SIGNAL, &sig) < 0 ? -errno : 0;
}

int vbus_dev_kick(struct vbus_dev *dev, uint32_t queue)
{
	return ioctl(dev->fd, VBUS_IOC_KICK, (unsigned long)queue) < 0 ? -errno : 0;
}
