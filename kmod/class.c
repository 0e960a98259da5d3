// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the registry of device classes and the accessors class modules
 * use (vbus_class.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "vbus_internal.h"

/* Do the class's attribute names follow the rule the tools check? */
static bool vbus_class_attrs_valid(const struct vbus_class *class)
{
	const struct attribute_group **group;
	struct attribute **attr;

	for (group = class->attr_groups; group && *group; group++) {
		for (attr = (*group)->attrs; attr && *attr; attr++) {
			if (!vbus_rule_attr((*attr)->name))
				return false;
		}
	}
	return true;
}

/* Keep vbus_classes sorted by name: class dumps resume by name. Caller holds vbus_lock. */
static void vbus_class_insert_locked(struct vbus_class *class)
{
	struct vbus_class *next;

	list_for_each_entry(next, &vbus_classes, list) {
		if (strcmp(next->name, class->name) > 0)
			break;
	}
	list_add_tail(&class->list, &next->list);
}

/**
 * vbus_class_register - make a device class available to `type`
 * @class: the class, owned by the caller until vbus_class_unregister()
 *
 * Returns 0, -EINVAL for a class without a valid name (vbus_rules.h) or
 * interface type, or with an attribute name the rules refuse, -EEXIST when
 * a class of that name exists.
 */
int vbus_class_register(struct vbus_class *class)
{
	int ret;

	if (!class->name || !vbus_rule_class(class->name) || !class->type ||
	    !*class->type || strlen(class->type) >= VBUS_TYPE_LEN ||
	    !vbus_class_attrs_valid(class)) {
		pr_err("invalid device class \"%s\"\n", class->name ?: "(null)");
		return -EINVAL;
	}

	mutex_lock(&vbus_lock);
	if (vbus_class_find(class->name)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = vbus_sysfs_class_add(class);
	if (ret)
		goto out_unlock;
	vbus_class_insert_locked(class);
	vbus_notify_class(class, VBUS_CMD_CLASS_ADD_NTF);
	pr_info("device class %s (%s) registered\n", class->name, class->type);
out_unlock:
	mutex_unlock(&vbus_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vbus_class_register);

/**
 * vbus_class_unregister - withdraw a device class
 * @class: a registered class
 *
 * Called from the class module's exit: every device of the class holds a
 * reference on the module, so none exists by then.
 */
void vbus_class_unregister(struct vbus_class *class)
{
	mutex_lock(&vbus_lock);
	list_del(&class->list);
	vbus_notify_class(class, VBUS_CMD_CLASS_DEL_NTF);
	vbus_sysfs_class_del(class);
	mutex_unlock(&vbus_lock);
}
EXPORT_SYMBOL_GPL(vbus_class_unregister);

const char *vbus_device_name(struct vbus_device *vdev)
{
	return vdev->name;
}
EXPORT_SYMBOL_GPL(vbus_device_name);

void *vbus_device_priv(struct vbus_device *vdev)
{
	return vdev->priv;
}
EXPORT_SYMBOL_GPL(vbus_device_priv);

void vbus_device_set_priv(struct vbus_device *vdev, void *priv)
{
	vdev->priv = priv;
}
EXPORT_SYMBOL_GPL(vbus_device_set_priv);

/* For class attributes: the kobject their show/store callbacks receive. */
struct vbus_device *vbus_device_from_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct vbus_device, kobj);
}
EXPORT_SYMBOL_GPL(vbus_device_from_kobj);
