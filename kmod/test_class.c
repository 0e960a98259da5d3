// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-test.ko: the device class `test` (interface type `test-echo`), used
 * by the test suite and as the worked example of
 * doc/writing-a-device-class.md.
 *
 * Attributes (/sys/vbus/devices/<name>/): `greeting` (read-write, up to 31
 * characters) and `calls` (read-only, the number of calls so far).
 * Functions: VBUS_TEST_ECHO returns its input, VBUS_TEST_GREETING returns
 * the greeting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vbus_class.h"

#define VBUS_TEST_ECHO		0
#define VBUS_TEST_GREETING	1

struct vbus_test_dev {
	struct mutex lock;		/* greeting */
	char greeting[32];
	atomic_t calls;
	atomic_t conns;
};

static struct vbus_test_dev *to_test_dev(struct kobject *kobj)
{
	return vbus_device_priv(vbus_device_from_kobj(kobj));
}

static ssize_t greeting_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct vbus_test_dev *t = to_test_dev(kobj);
	ssize_t ret;

	mutex_lock(&t->lock);
	ret = sysfs_emit(buf, "%s\n", t->greeting);
	mutex_unlock(&t->lock);
	return ret;
}

static ssize_t greeting_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	struct vbus_test_dev *t = to_test_dev(kobj);
	size_t len = strcspn(buf, "\n");

	if (len >= sizeof(t->greeting)) {
		pr_err("greeting too long (%zu characters)\n", len);
		return -EINVAL;
	}
	mutex_lock(&t->lock);
	memcpy(t->greeting, buf, len);
	t->greeting[len] = '\0';
	mutex_unlock(&t->lock);
	return count;
}

static ssize_t calls_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_test_dev(kobj)->calls));
}

static struct vbus_attribute vbus_test_attr_greeting = __VBUS_ATTR_RW(greeting, SETTING, STRING);
static struct vbus_attribute vbus_test_attr_calls = __VBUS_ATTR_COUNTER(calls, COUNTER, OTHER);

static struct attribute *vbus_test_attrs[] = {
	&vbus_test_attr_greeting.kattr.attr,
	&vbus_test_attr_calls.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vbus_test);

static int vbus_test_create(struct vbus_device *vdev)
{
	struct vbus_test_dev *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	mutex_init(&t->lock);
	strscpy(t->greeting, "hello", sizeof(t->greeting));
	vbus_device_set_priv(vdev, t);
	return 0;
}

static void vbus_test_release(struct vbus_device *vdev)
{
	kfree(vbus_device_priv(vdev));
}

static int vbus_test_connect(struct vbus_device *vdev, struct vbus_conn *conn)
{
	struct vbus_test_dev *t = vbus_device_priv(vdev);

	atomic_inc(&t->conns);
	return 0;
}

static void vbus_test_disconnect(struct vbus_device *vdev, struct vbus_conn *conn)
{
	struct vbus_test_dev *t = vbus_device_priv(vdev);

	atomic_dec(&t->conns);
}

static long vbus_test_call(struct vbus_device *vdev, struct vbus_conn *conn,
			   u32 func, void *buf, size_t len, size_t size)
{
	struct vbus_test_dev *t = vbus_device_priv(vdev);

	atomic_inc(&t->calls);
	switch (func) {
	case VBUS_TEST_ECHO:
		return len;
	case VBUS_TEST_GREETING:
		mutex_lock(&t->lock);
		len = strscpy(buf, t->greeting, size);
		mutex_unlock(&t->lock);
		return len;
	default:
		pr_err("device %s: unknown function %u\n", vbus_device_name(vdev), func);
		return -EINVAL;
	}
}

static struct vbus_class vbus_test_class = {
	.name		= "test",
	.type		= "test-echo",
	.owner		= THIS_MODULE,
	.attr_groups	= vbus_test_groups,
	.create		= vbus_test_create,
	.release	= vbus_test_release,
	.connect	= vbus_test_connect,
	.disconnect	= vbus_test_disconnect,
	.call		= vbus_test_call,
};

static int __init vbus_test_init(void)
{
	return vbus_class_register(&vbus_test_class);
}

static void __exit vbus_test_exit(void)
{
	vbus_class_unregister(&vbus_test_class);
}

module_init(vbus_test_init);
module_exit(vbus_test_exit);

MODULE_DESCRIPTION("Virtual-bus test device class (test-echo)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_VBUS_CLASS("test");
