// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-test-driver.ko: the driver of interface type `test-echo` (the class
 * `test`, vbus-test.ko), used by the test suite and as the worked example of
 * "Writing a driver" in doc/writing-a-device-class.md.
 *
 * Probe opens the device and asks for its greeting (VBUS_TEST_GREETING);
 * remove closes it. Device attributes (/sys/bus/vbus/devices/<bus>:<id>/):
 * `greeting` (ro, what probe got) and `echo` (rw: a write is sent through
 * VBUS_TEST_ECHO, a read shows what came back; ENODEV once the device left
 * its bus).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_driver.h"

#define VBUS_TEST_ECHO		0
#define VBUS_TEST_GREETING	1

struct vbus_test_drv {
	struct mutex lock;		/* echo */
	char greeting[32];
	char echo[32];
};

static ssize_t greeting_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vbus_test_drv *t = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", t->greeting);
}
static DEVICE_ATTR_RO(greeting);

static ssize_t echo_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vbus_test_drv *t = dev_get_drvdata(dev);
	ssize_t ret;

	mutex_lock(&t->lock);
	ret = sysfs_emit(buf, "%s\n", t->echo);
	mutex_unlock(&t->lock);
	return ret;
}

static ssize_t echo_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct vbus_test_drv *t = dev_get_drvdata(dev);
	char in[32] = "";
	size_t len = strcspn(buf, "\n");
	long ret;

	if (len >= sizeof(in))
		return -EINVAL;
	memcpy(in, buf, len);
	ret = vbus_proxy_call(to_vbus_proxy_device(dev), VBUS_TEST_ECHO, in, len, sizeof(in) - 1);
	if (ret < 0)
		return ret;
	mutex_lock(&t->lock);
	memcpy(t->echo, in, ret);
	t->echo[ret] = '\0';
	mutex_unlock(&t->lock);
	return count;
}
static DEVICE_ATTR_RW(echo);

static struct attribute *vbus_test_drv_attrs[] = {
	&dev_attr_greeting.attr,
	&dev_attr_echo.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_test_drv);

/* The test class signals nothing: a callback is still required. */
static void vbus_test_drv_signal(struct vbus_proxy_device *pdev, u32 queue)
{
}

static int vbus_test_drv_probe(struct vbus_proxy_device *pdev)
{
	struct vbus_test_drv *t;
	long ret;

	t = devm_kzalloc(&pdev->dev, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	mutex_init(&t->lock);
	ret = vbus_proxy_open(pdev, vbus_test_drv_signal);
	if (ret)
		return ret;
	ret = vbus_proxy_call(pdev, VBUS_TEST_GREETING, t->greeting, 0, sizeof(t->greeting));
	if (ret < 0) {
		vbus_proxy_close(pdev);
		return ret;
	}
	/* A string whatever the device wrote (a guest's host may be hostile). */
	t->greeting[min_t(long, ret, sizeof(t->greeting) - 1)] = '\0';
	dev_set_drvdata(&pdev->dev, t);
	return 0;
}

static void vbus_test_drv_remove(struct vbus_proxy_device *pdev)
{
	vbus_proxy_close(pdev);
}

static struct vbus_driver vbus_test_driver = {
	.type		= "test-echo",
	.probe		= vbus_test_drv_probe,
	.remove		= vbus_test_drv_remove,
	.driver = {
		.name		= "vbus-test",
		.dev_groups	= vbus_test_drv_groups,
	},
};

static int __init vbus_test_drv_init(void)
{
	return vbus_driver_register(&vbus_test_driver);
}

static void __exit vbus_test_drv_exit(void)
{
	vbus_driver_unregister(&vbus_test_driver);
}

module_init(vbus_test_drv_init);
module_exit(vbus_test_drv_exit);

MODULE_DESCRIPTION("Virtual-bus test driver (interface type test-echo)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_VBUS_DRIVER("test-echo");
