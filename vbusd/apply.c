// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: applying a plan and undoing it on failure (apply.h). */
#include <errno.h>
#include <string.h>

#include <vbus/vbus.h>

#include "apply.h"

static int lv_bus_add(void *ud, const char *bus)
{
	return vbus_bus_add(ud, bus);
}

static int lv_bus_del(void *ud, const char *bus)
{
	return vbus_bus_del(ud, bus);
}

static int lv_bus_set_perm(void *ud, const char *bus, uid_t owner, gid_t group, mode_t mode)
{
	int r = vbus_bus_set_owner(ud, bus, owner);

	if (r >= 0)
		r = vbus_bus_set_group(ud, bus, group);
	if (r >= 0)
		r = vbus_bus_set_mode(ud, bus, mode);
	return r;
}

static int lv_bus_set_local(void *ud, const char *bus, bool on)
{
	return vbus_bus_set_local(ud, bus, on);
}

static int lv_dev_add(void *ud, const char *dev, const char *class)
{
	return vbus_device_add(ud, dev, class);
}

static int lv_dev_del(void *ud, const char *dev)
{
	return vbus_device_del(ud, dev);
}

static int lv_dev_set_attr(void *ud, const char *dev, const char *attr, const char *value)
{
	return vbus_device_set_attr(ud, dev, attr, value);
}

static int lv_dev_set_priority(void *ud, const char *dev, unsigned priority)
{
	return vbus_device_set_priority(ud, dev, priority);
}

static int lv_link(void *ud, const char *dev, const char *bus)
{
	return vbus_device_attach(ud, dev, bus);
}

static int lv_unlink(void *ud, const char *dev, const char *bus)
{
	return vbus_device_detach(ud, dev, bus);
}

const struct kops kops_libvbus = {
	.bus_add = lv_bus_add,
	.bus_del = lv_bus_del,
	.bus_set_perm = lv_bus_set_perm,
	.dev_add = lv_dev_add,
	.dev_del = lv_dev_del,
	.dev_set_attr = lv_dev_set_attr,
	.link = lv_link,
	.unlink = lv_unlink,
	.bus_set_local = lv_bus_set_local,
	.dev_set_priority = lv_dev_set_priority,
};

static int step(const struct action *a, const struct kops *ops, void *ud)
{
	int r;

	switch (a->kind) {
	case ACT_UNLINK:
		return ops->unlink(ud, a->dev, a->bus);
	case ACT_BUS_DEL:
		return ops->bus_del(ud, a->bus);
	case ACT_DEV_DEL:
		return ops->dev_del(ud, a->dev);
	case ACT_DEV_ADD:
		return ops->dev_add(ud, a->dev, a->class);
	case ACT_DEV_ATTR:
		return ops->dev_set_attr(ud, a->dev, a->attr, a->value);
	case ACT_DEV_PRIO:
		return ops->dev_set_priority(ud, a->dev, a->priority);
	case ACT_BUS_ADD:
		r = ops->bus_add(ud, a->bus);
		if (r >= 0 && (a->owner || a->group || a->mode != 0600)) {
			r = ops->bus_set_perm(ud, a->bus, a->owner, a->group, a->mode);
			if (r < 0)
				ops->bus_del(ud, a->bus);
		}
		return r;
	case ACT_BUS_PERM:
		return ops->bus_set_perm(ud, a->bus, a->owner, a->group, a->mode);
	case ACT_LINK:
		return ops->link(ud, a->dev, a->bus);
	case ACT_BUS_LOCAL:
		return ops->bus_set_local(ud, a->bus, a->local);
	}
	return -EINVAL;
}

/* Put back a device that a step deleted: class, priority, attributes, links (best effort). */
static void undo_dev_del(const struct live_device *d, const struct kops *ops, void *ud)
{
	if (!d->class || ops->dev_add(ud, d->name, d->class) < 0)
		return;
	if (d->priority >= 0 && d->priority != VBUS_PRIORITY_DEFAULT)
		ops->dev_set_priority(ud, d->name, (unsigned)d->priority);
	for (size_t i = 0; i < d->n_attrs; i++)
		ops->dev_set_attr(ud, d->name, d->attr_names[i], d->attr_values[i]);
}

/* Undo a step; errors are ignored, the best that can be done is to go on. */
static void undo(const struct action *a, const struct kops *ops, void *ud)
{
	const struct live_bus *b = a->old_bus;

	switch (a->kind) {
	case ACT_UNLINK:
		ops->link(ud, a->dev, a->bus);
		break;
	case ACT_BUS_DEL:
		if (ops->bus_add(ud, a->bus) < 0)
			break;
		ops->bus_set_perm(ud, a->bus, b->owner, b->group, b->mode);
		for (size_t i = 0; i < b->devices.n; i++)
			ops->link(ud, b->devices.v[i], a->bus);
		if (b->local)
			ops->bus_set_local(ud, a->bus, true);
		break;
	case ACT_DEV_DEL:
		undo_dev_del(a->old_dev, ops, ud);
		for (size_t i = 0; i < a->old_dev->buses.n; i++)
			ops->link(ud, a->dev, a->old_dev->buses.v[i]);
		break;
	case ACT_DEV_ADD:
		ops->dev_del(ud, a->dev);
		break;
	case ACT_DEV_ATTR:
		if (a->old_value)
			ops->dev_set_attr(ud, a->dev, a->attr, a->old_value);
		break;
	case ACT_DEV_PRIO:
		if (a->old_priority >= 0)
			ops->dev_set_priority(ud, a->dev, (unsigned)a->old_priority);
		break;
	case ACT_BUS_ADD:
		ops->bus_del(ud, a->bus);
		break;
	case ACT_BUS_PERM:
		ops->bus_set_perm(ud, a->bus, b->owner, b->group, b->mode);
		break;
	case ACT_LINK:
		ops->unlink(ud, a->dev, a->bus);
		break;
	case ACT_BUS_LOCAL:
		ops->bus_set_local(ud, a->bus, !a->local);
		break;
	}
}

int plan_apply(const struct plan *p, const struct kops *ops, void *ud, char **ret_error)
{
	size_t i;
	int r = 0;

	for (i = 0; i < p->n; i++) {
		r = step(&p->v[i], ops, ud);
		if (ops->progress)
			ops->progress();
		if (r < 0)
			break;
	}
	if (r >= 0)
		return 0;
	if (ret_error) {
		_cleanup_free_ char *what = action_describe(&p->v[i]);

		*ret_error = strdupf("Failed to %s: %s; the %zu step(s) before it were undone",
				     what ? what : "apply", strerror(-r), i);
	}
	/* A failed permission change may have been half done. */
	if (p->v[i].kind == ACT_BUS_PERM)
		undo(&p->v[i], ops, ud);
	while (i-- > 0) {
		undo(&p->v[i], ops, ud);
		if (ops->progress)
			ops->progress();
	}
	return r;
}
