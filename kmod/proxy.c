// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-proxy.ko: the vbus driver model (vbus_driver.h). The Linux bus type
 * "vbus" on which connectors register the devices of the buses they
 * connect and drivers bind them by interface type. It knows nothing of
 * vbus.ko, so that the same module and the same drivers run in a guest over
 * the guest bridge.
 *
 * Locking and lifetimes are the driver core's: probe and remove run under
 * the device lock; a device's memory is freed by its connector's release
 * operation when the last reference is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_driver.h"

#define to_vbus_driver(d) container_of(d, struct vbus_driver, driver)

static ssize_t type_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_vbus_proxy_device(dev)->type);
}
static DEVICE_ATTR_RO(type);

static ssize_t bus_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_vbus_proxy_device(dev)->bus);
}
static DEVICE_ATTR_RO(bus);

static ssize_t id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_vbus_proxy_device(dev)->id);
}
static DEVICE_ATTR_RO(id);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "vbus:%s\n", to_vbus_proxy_device(dev)->type);
}
static DEVICE_ATTR_RO(modalias);

static struct attribute *vbus_proxy_dev_attrs[] = {
	&dev_attr_type.attr,
	&dev_attr_bus.attr,
	&dev_attr_id.attr,
	&dev_attr_modalias.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_proxy_dev);

/*
 * A device matches no driver until device_add() has returned. The device is
 * on the bus's list, and its uevent has gone out, before device_add() is
 * done: a driver registered in that window (udev loads it by the uevent's
 * modalias) would try to probe it, and the driver core of Debian's 6.1
 * refuses that with dev_err_probe(-EPROBE_DEFER, "Device not ready to
 * probe"), whose reason string it then never frees (kmemleak). Matching
 * nothing in the window skips the device cleanly; vbus_proxy_device_register
 * attaches it afterwards.
 */
static int vbus_proxy_match(struct device *dev, struct device_driver *drv)
{
	struct vbus_proxy_device *pdev = to_vbus_proxy_device(dev);

	return READ_ONCE(pdev->added) && !strcmp(pdev->type, to_vbus_driver(drv)->type);
}

static int vbus_proxy_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct vbus_proxy_device *pdev = to_vbus_proxy_device(dev);

	return add_uevent_var(env, "VBUS_TYPE=%s", pdev->type) ?:
	       add_uevent_var(env, "VBUS_BUS=%s", pdev->bus) ?:
	       add_uevent_var(env, "MODALIAS=vbus:%s", pdev->type);
}

static int vbus_proxy_probe(struct device *dev)
{
	return to_vbus_driver(dev->driver)->probe(to_vbus_proxy_device(dev));
}

static void vbus_proxy_remove(struct device *dev)
{
	struct vbus_driver *drv = to_vbus_driver(dev->driver);

	if (drv->remove)
		drv->remove(to_vbus_proxy_device(dev));
}

static struct bus_type vbus_proxy_bus = {
	.name		= "vbus",
	.dev_groups	= vbus_proxy_dev_groups,
	.match		= vbus_proxy_match,
	.uevent		= vbus_proxy_uevent,
	.probe		= vbus_proxy_probe,
	.remove		= vbus_proxy_remove,
};

int __vbus_driver_register(struct vbus_driver *drv, struct module *owner)
{
	if (!drv->type || !drv->probe)
		return -EINVAL;
	drv->driver.bus = &vbus_proxy_bus;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__vbus_driver_register);

void vbus_driver_unregister(struct vbus_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(vbus_driver_unregister);

static void vbus_proxy_device_release(struct device *dev)
{
	struct vbus_proxy_device *pdev = to_vbus_proxy_device(dev);

	pdev->ops->release(pdev);
}

int vbus_proxy_device_register(struct vbus_proxy_device *pdev)
{
	int ret;

	device_initialize(&pdev->dev);
	pdev->dev.bus = &vbus_proxy_bus;
	pdev->dev.release = vbus_proxy_device_release;
	pdev->added = false;
	ret = dev_set_name(&pdev->dev, "%s:%u", pdev->bus, pdev->id);
	if (!ret)
		ret = device_add(&pdev->dev);
	if (ret) {
		put_device(&pdev->dev);
		return ret;
	}
	/* See vbus_proxy_match; a driver's probe failing is not ours to return. */
	WRITE_ONCE(pdev->added, true);
	ret = device_attach(&pdev->dev);
	if (ret < 0)
		dev_warn(&pdev->dev, "attaching a driver: %d\n", ret);
	return 0;
}
EXPORT_SYMBOL_GPL(vbus_proxy_device_register);

void vbus_proxy_device_unregister(struct vbus_proxy_device *pdev)
{
	device_unregister(&pdev->dev);
}
EXPORT_SYMBOL_GPL(vbus_proxy_device_unregister);

static int __init vbus_proxy_init(void)
{
	return bus_register(&vbus_proxy_bus);
}

static void __exit vbus_proxy_exit(void)
{
	bus_unregister(&vbus_proxy_bus);
}

module_init(vbus_proxy_init);
module_exit(vbus_proxy_exit);

MODULE_DESCRIPTION("Virtual-bus driver model: the vbus bus type for vbus drivers");
MODULE_LICENSE("GPL");
