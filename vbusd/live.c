// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: the live kernel state, from libvbus's genl dumps (live.h). */
#include <errno.h>
#include <string.h>

#include <vbus/vbus.h>

#include "live.h"

int live_new(struct live **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void live_free(struct live *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_buses; i++) {
		strset_clear(&l->buses[i]->devices);
		free(l->buses[i]->name);
		free(l->buses[i]);
	}
	for (size_t i = 0; i < l->n_devices; i++) {
		struct live_device *d = l->devices[i];

		for (size_t j = 0; j < d->n_attrs; j++) {
			free(d->attr_names[j]);
			free(d->attr_values[j]);
		}
		free(d->attr_names);
		free(d->attr_values);
		strset_clear(&d->buses);
		free(d->name);
		free(d->class);
		free(d);
	}
	free(l->buses);
	free(l->devices);
	namemap_clear(&l->bus_by_name);
	namemap_clear(&l->device_by_name);
	free(l);
}

struct live_bus *live_add_bus(struct live *l, const char *name, uid_t owner, gid_t group,
			      mode_t mode)
{
	struct live_bus *b = calloc(1, sizeof(*b));
	struct live_bus **v = realloc(l->buses, (l->n_buses + 1) * sizeof(*v));

	if (v)
		l->buses = v;
	if (!b || !v || !(b->name = strdup(name)) ||
	    namemap_add(&l->bus_by_name, b->name, b) < 0) {
		if (b)
			free(b->name);
		free(b);
		return NULL;
	}
	b->owner = owner;
	b->group = group;
	b->mode = mode;
	l->buses[l->n_buses++] = b;
	return b;
}

struct live_device *live_add_device(struct live *l, const char *name, const char *class)
{
	struct live_device *d = calloc(1, sizeof(*d));
	struct live_device **v = realloc(l->devices, (l->n_devices + 1) * sizeof(*v));

	if (v)
		l->devices = v;
	if (!d || !v || !(d->name = strdup(name)) || (class && !(d->class = strdup(class))) ||
	    namemap_add(&l->device_by_name, d->name, d) < 0) {
		if (d) {
			free(d->name);
			free(d->class);
		}
		free(d);
		return NULL;
	}
	d->priority = VBUS_PRIORITY_DEFAULT;
	l->devices[l->n_devices++] = d;
	return d;
}

int live_add_attr(struct live_device *d, const char *name, const char *value)
{
	char **n = realloc(d->attr_names, (d->n_attrs + 1) * sizeof(*n));
	char **v;
	size_t len;

	if (!n)
		return -ENOMEM;
	d->attr_names = n;
	v = realloc(d->attr_values, (d->n_attrs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->attr_values = v;
	n[d->n_attrs] = strdup(name);
	v[d->n_attrs] = strdup(value);
	if (!n[d->n_attrs] || !v[d->n_attrs]) {
		free(n[d->n_attrs]);
		free(v[d->n_attrs]);
		return -ENOMEM;
	}
	len = strlen(v[d->n_attrs]);
	while (len && strchr(" \t\n", v[d->n_attrs][len - 1]))
		v[d->n_attrs][--len] = '\0';
	d->n_attrs++;
	return 0;
}

int live_add_link(struct live *l, const char *bus, const char *dev)
{
	struct live_bus *b = live_get_bus(l, bus);
	struct live_device *d = live_get_device(l, dev);
	int r;

	if (!b || !d)
		return 0;	/* raced with a removal between the two dumps */
	r = strset_add(&b->devices, dev);
	return r < 0 ? r : strset_add(&d->buses, bus);
}

struct live_bus *live_get_bus(struct live *l, const char *name)
{
	return namemap_get(&l->bus_by_name, name);
}

struct live_device *live_get_device(struct live *l, const char *name)
{
	return namemap_get(&l->device_by_name, name);
}

const char *live_device_attr(const struct live_device *d, const char *name)
{
	for (size_t i = 0; i < d->n_attrs; i++)
		if (strcmp(d->attr_names[i], name) == 0)
			return d->attr_values[i];
	return NULL;
}

/* Not in the dump: configfs has it. -ENOENT: the device went away since. */
static int read_priority(struct vbus_ctx *ctx, struct live_device *d)
{
	unsigned prio;
	int r;

	r = vbus_device_get_priority(ctx, d->name, &prio);
	if (r == -ENOENT) {
		d->priority = -1;
		return 0;
	}
	if (r >= 0)
		d->priority = (int)prio;
	return r;
}

static int read_devices(struct vbus_ctx *ctx, struct live *l)
{
	struct vbus_device **list = NULL;
	int n, r = 0;

	n = vbus_device_dump(ctx, NULL, NULL, NULL, &list);
	if (n < 0)
		return n;
	for (int i = 0; i < n && r >= 0; i++) {
		const struct vbus_device *vd = list[i];
		struct live_device *d = live_add_device(l, vbus_device_get_name(vd),
							vbus_device_get_class(vd));

		if (!d) {
			r = -ENOMEM;
			break;
		}
		for (unsigned j = 0; j < vbus_device_get_n_attrs(vd) && r >= 0; j++)
			r = live_add_attr(d, vbus_device_get_attr_name(vd, j),
					  vbus_device_get_attr_value(vd, j));
		if (r >= 0)
			r = read_priority(ctx, d);
	}
	vbus_device_list_free(list);
	return r;
}

static int read_buses(struct vbus_ctx *ctx, struct live *l)
{
	struct vbus_bus **list = NULL;
	int n, r = 0;

	n = vbus_bus_dump(ctx, NULL, NULL, &list);
	if (n < 0)
		return n;
	for (int i = 0; i < n && r >= 0; i++) {
		const struct vbus_bus *vb = list[i];

		struct live_bus *b = live_add_bus(l, vbus_bus_get_name(vb), vbus_bus_get_owner(vb),
						  vbus_bus_get_group(vb), vbus_bus_get_mode(vb));

		if (!b) {
			r = -ENOMEM;
			break;
		}
		b->local = vbus_bus_get_local(vb);
		for (unsigned j = 0; j < vbus_bus_get_n_links(vb) && r >= 0; j++)
			r = live_add_link(l, vbus_bus_get_name(vb),
					  vbus_link_get_device(vbus_bus_get_link(vb, j)));
	}
	vbus_bus_list_free(list);
	return r;
}

int live_read_priorities(struct vbus_ctx *ctx, struct live *l)
{
	int r = 0;

	for (size_t i = 0; i < l->n_devices && r >= 0; i++)
		r = read_priority(ctx, l->devices[i]);
	return r;
}

int live_read(struct vbus_ctx *ctx, struct live **ret)
{
	struct live *l;
	int r;

	r = live_new(&l);
	if (r < 0)
		return r;
	r = read_devices(ctx, l);
	if (r >= 0)
		r = read_buses(ctx, l);
	if (r < 0) {
		live_free(l);
		return r;
	}
	*ret = l;
	return 0;
}
