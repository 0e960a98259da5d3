/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vbus driver model (vbus-proxy.ko, the seeds' vbus-proxy): what a
 * driver of a vbus device (vbus-enet, ...) and a connector that puts
 * devices in front of drivers (the local connector; the guest bridge next)
 * see. doc/writing-a-device-class.md, "Writing a driver", walks through it.
 *
 * Every device of a connected bus appears as a struct vbus_proxy_device on
 * the Linux bus type "vbus" (/sys/bus/vbus/devices/<bus>:<id>), with the
 * attributes type, bus, id and modalias ("vbus:<type>", so that udev loads
 * the driver: MODULE_ALIAS_VBUS_DRIVER). A struct vbus_driver binds the
 * devices of its interface type. The driver reaches its device only through
 * the functions below, which the connector implements (struct
 * vbus_proxy_ops): the driver never knows the transport.
 *
 * Lifetimes: the connector registers a device when it appears on a
 * connected bus and unregisters it when it leaves (remove runs first); the
 * driver opens the device in probe and closes it in remove. Between a
 * device's disappearance and remove, calls fail with -ENODEV and kicks are
 * ignored.
 */
#ifndef VBUS_DRIVER_H
#define VBUS_DRIVER_H

#include <linux/device.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/types.h>

struct vbus_proxy_device;

/*
 * A device-to-driver signal on @queue: any context, also with interrupts
 * off; never after vbus_proxy_close() returned.
 */
typedef void (*vbus_proxy_signal_t)(struct vbus_proxy_device *pdev, u32 queue);

/**
 * struct vbus_proxy_ops - a connector's implementation of a device
 * @open: connect to the device; @signal is where its signals go. -EBUSY
 *	when the device has another client.
 * @close: disconnect; no signal arrives after it returns; frees what
 *	@shm allocated
 * @call: a synchronous call (process context): @len bytes in @buf, room
 *	for @size; returns the output length or a negative errno
 * @shm: allocate the connection's shared memory of at least @size bytes,
 *	once; the device addresses it by offset, the driver at *@ret_addr
 * @kick: signal queue @queue to the device: any context, also from a
 *	driver's NAPI poll or transmit path
 * @release: the struct device was released: free @pdev
 */
struct vbus_proxy_ops {
	int (*open)(struct vbus_proxy_device *pdev, vbus_proxy_signal_t signal);
	void (*close)(struct vbus_proxy_device *pdev);
	long (*call)(struct vbus_proxy_device *pdev, u32 func, void *buf, size_t len,
		     size_t size);
	int (*shm)(struct vbus_proxy_device *pdev, size_t size, void **ret_addr);
	void (*kick)(struct vbus_proxy_device *pdev, u32 queue);
	void (*release)(struct vbus_proxy_device *pdev);
};

/**
 * struct vbus_proxy_device - a vbus device in front of a driver
 * @dev: on bus "vbus", named "<bus>:<id>"
 * @type: the interface type, e.g. "virtual-ethernet"
 * @bus: the name of the vbus bus it came from
 * @id: its id on that bus
 * @ops: the connector's
 * @added: device_add() has returned (vbus-proxy's; drivers match only then)
 */
struct vbus_proxy_device {
	struct device dev;
	char type[32];
	char bus[64];
	u32 id;
	const struct vbus_proxy_ops *ops;
	bool added;
};

static inline struct vbus_proxy_device *to_vbus_proxy_device(struct device *dev)
{
	return container_of(dev, struct vbus_proxy_device, dev);
}

/**
 * struct vbus_driver - a driver of one interface type
 * @type: the interface type it binds
 * @probe: bind @pdev (process context; may open it)
 * @remove: unbind @pdev (close what probe opened)
 * @driver: the driver core's; set .name (and .owner through
 *	vbus_driver_register)
 */
struct vbus_driver {
	const char *type;
	int (*probe)(struct vbus_proxy_device *pdev);
	void (*remove)(struct vbus_proxy_device *pdev);
	struct device_driver driver;
};

#define MODULE_ALIAS_VBUS_DRIVER(type) MODULE_ALIAS("vbus:" type)

int __vbus_driver_register(struct vbus_driver *drv, struct module *owner);
#define vbus_driver_register(drv) __vbus_driver_register(drv, THIS_MODULE)
void vbus_driver_unregister(struct vbus_driver *drv);

/* Drivers: the device, whatever the transport (see struct vbus_proxy_ops). */
static inline int vbus_proxy_open(struct vbus_proxy_device *pdev, vbus_proxy_signal_t signal)
{
	return pdev->ops->open(pdev, signal);
}

static inline void vbus_proxy_close(struct vbus_proxy_device *pdev)
{
	pdev->ops->close(pdev);
}

static inline long vbus_proxy_call(struct vbus_proxy_device *pdev, u32 func, void *buf,
				   size_t len, size_t size)
{
	return pdev->ops->call(pdev, func, buf, len, size);
}

static inline int vbus_proxy_shm(struct vbus_proxy_device *pdev, size_t size, void **ret_addr)
{
	return pdev->ops->shm(pdev, size, ret_addr);
}

static inline void vbus_proxy_kick(struct vbus_proxy_device *pdev, u32 queue)
{
	pdev->ops->kick(pdev, queue);
}

/*
 * Connectors: @pdev zeroed, with type, bus, id and ops set (and dev.parent
 * if any); after vbus_proxy_device_register() fails or after
 * vbus_proxy_device_unregister(), the driver core frees it through
 * ops->release once the last reference is gone.
 */
int vbus_proxy_device_register(struct vbus_proxy_device *pdev);
void vbus_proxy_device_unregister(struct vbus_proxy_device *pdev);

#endif /* VBUS_DRIVER_H */
