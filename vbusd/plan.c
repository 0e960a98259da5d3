// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: the plan from the desired topology, the live state and ownership (plan.h). */
#include <errno.h>
#include <string.h>

#include <vbus/vbus.h>

#include "plan.h"

struct planner {
	struct topology *t;
	struct live *live;
	const struct state *owned;
	struct plan *p;
	struct strset recreated_devs;	/* devices (re)created: all their links are new */
	struct strset deleted_devs;
	int err;
};

static struct action *add(struct planner *pl, enum action_kind kind, const char *bus,
			  const char *dev)
{
	struct plan *p = pl->p;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct action *v = realloc(p->v, cap * sizeof(*v));

		if (!v) {
			pl->err = -ENOMEM;
			return NULL;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n] = (struct action){ .kind = kind, .bus = bus, .dev = dev, .seq = p->n };
	return &p->v[p->n++];
}

static void conflict(struct planner *pl, const char *what, const char *name, const char *file,
		     unsigned line, unsigned col)
{
	char *msg = strdupf("%s:%u:%u: %s \"%s\" exists and was not created by vbusd; "
			    "remove it or rename it in the topology", file, line, col, what, name);
	char **v = msg ? realloc(pl->p->errors, (pl->p->n_errors + 1) * sizeof(*v)) : NULL;

	if (!v) {
		free(msg);
		pl->err = -ENOMEM;
		return;
	}
	v[pl->p->n_errors++] = msg;
	pl->p->errors = v;
}

static struct action *set_priority(struct planner *pl, const struct topo_device *d, int old)
{
	struct action *a = add(pl, ACT_DEV_PRIO, NULL, d->name);

	if (a) {
		a->priority = d->priority;
		a->old_priority = old;
	}
	return a;
}

static void create_device(struct planner *pl, const struct topo_device *d)
{
	struct action *a = add(pl, ACT_DEV_ADD, NULL, d->name);

	if (a)
		a->class = d->class;
	if (a && d->priority != VBUS_PRIORITY_DEFAULT)
		a = set_priority(pl, d, -1);
	for (size_t i = 0; a && i < d->n_attrs; i++) {
		a = add(pl, ACT_DEV_ATTR, NULL, d->name);
		if (a) {
			a->attr = d->attrs[i].name;
			a->value = d->attrs[i].value;
		}
	}
	if (strset_add(&pl->recreated_devs, d->name) < 0)
		pl->err = -ENOMEM;
}

static void plan_device(struct planner *pl, const struct topo_device *d)
{
	struct live_device *l = live_get_device(pl->live, d->name);
	struct action *a;

	if (!l) {
		create_device(pl, d);
		return;
	}
	if (!strset_has(&pl->owned->devices, d->name)) {
		conflict(pl, "device", d->name, d->file, d->line, d->col);
		return;
	}
	if (!l->class || strcmp(l->class, d->class) != 0) {
		/* A class cannot be changed: replace the device. */
		a = add(pl, ACT_DEV_DEL, NULL, d->name);
		if (a)
			a->old_dev = l;
		create_device(pl, d);
		return;
	}
	if (l->priority != (int)d->priority && !set_priority(pl, d, l->priority))
		return;
	for (size_t i = 0; i < d->n_attrs; i++) {
		const char *cur = live_device_attr(l, d->attrs[i].name);

		if (cur && strcmp(cur, d->attrs[i].value) == 0)
			continue;
		a = add(pl, ACT_DEV_ATTR, NULL, d->name);
		if (!a)
			return;
		a->attr = d->attrs[i].name;
		a->value = d->attrs[i].value;
		a->old_value = cur;
	}
}

static void plan_bus_links(struct planner *pl, const struct topo_bus *b,
			   const struct live_bus *l)
{
	for (size_t i = 0; i < b->n_devices; i++) {
		const char *dev = b->devices[i].name;

		if (!l || strset_has(&pl->recreated_devs, dev) || !strset_has(&l->devices, dev))
			add(pl, ACT_LINK, b->name, dev);
	}
	/* Links to devices vbusd owns that the topology no longer wants on this bus. */
	for (size_t i = 0; l && i < l->devices.n; i++) {
		const char *dev = l->devices.v[i];

		if (!topo_bus_has_device(b, dev) && strset_has(&pl->owned->devices, dev) &&
		    !strset_has(&pl->recreated_devs, dev) && !strset_has(&pl->deleted_devs, dev))
			add(pl, ACT_UNLINK, b->name, dev);
	}
}

static void plan_bus(struct planner *pl, const struct topo_bus *b)
{
	struct live_bus *l = live_get_bus(pl->live, b->name);
	struct action *a = NULL;

	if (!l) {
		a = add(pl, ACT_BUS_ADD, b->name, NULL);
	} else if (!strset_has(&pl->owned->buses, b->name)) {
		conflict(pl, "bus", b->name, b->file, b->line, b->col);
		return;
	} else if (l->owner != b->owner || l->group != b->group || l->mode != b->mode) {
		a = add(pl, ACT_BUS_PERM, b->name, NULL);
		if (a)
			a->old_bus = l;
	}
	if (a) {
		a->owner = b->owner;
		a->group = b->group;
		a->mode = b->mode;
	}
	plan_bus_links(pl, b, l);
	/* After the links (the order of kinds), so the kernel finds its devices. */
	if (l ? l->local != b->local : b->local) {
		a = add(pl, ACT_BUS_LOCAL, b->name, NULL);
		if (a)
			a->local = b->local;
	}
}

/* Objects vbusd owns that no file declares any more. */
static void plan_deletions(struct planner *pl)
{
	const struct state *o = pl->owned;
	struct action *a;

	for (size_t i = 0; i < o->devices.n; i++) {
		struct live_device *l = live_get_device(pl->live, o->devices.v[i]);

		if (!l || topology_get_device(pl->t, l->name))
			continue;
		a = add(pl, ACT_DEV_DEL, NULL, l->name);
		if (a)
			a->old_dev = l;
		if (strset_add(&pl->deleted_devs, l->name) < 0)
			pl->err = -ENOMEM;
	}
	for (size_t i = 0; i < o->buses.n; i++) {
		struct live_bus *l = live_get_bus(pl->live, o->buses.v[i]);

		if (!l || topology_get_bus(pl->t, l->name))
			continue;
		a = add(pl, ACT_BUS_DEL, l->name, NULL);
		if (a)
			a->old_bus = l;
	}
}

static int action_cmp(const void *x, const void *y)
{
	const struct action *a = x, *b = y;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int owned_after(struct planner *pl)
{
	struct state *s = &pl->p->owned;
	int r = 0;

	for (size_t i = 0; i < pl->t->n_buses && r >= 0; i++)
		r = strset_add(&s->buses, pl->t->buses[i]->name);
	for (size_t i = 0; i < pl->t->n_devices && r >= 0; i++)
		r = strset_add(&s->devices, pl->t->devices[i]->name);
	return r;
}

int plan_compute(struct topology *t, struct live *live, const struct state *owned,
		 struct plan **ret)
{
	struct planner pl = { .t = t, .live = live, .owned = owned };
	int r;

	pl.p = calloc(1, sizeof(*pl.p));
	if (!pl.p)
		return -ENOMEM;
	plan_deletions(&pl);
	for (size_t i = 0; i < t->n_devices && !pl.err; i++)
		plan_device(&pl, t->devices[i]);
	for (size_t i = 0; i < t->n_buses && !pl.err; i++)
		plan_bus(&pl, t->buses[i]);
	r = pl.err ? pl.err : owned_after(&pl);
	strset_clear(&pl.recreated_devs);
	strset_clear(&pl.deleted_devs);
	if (r < 0) {
		plan_free(pl.p);
		return r;
	}
	qsort(pl.p->v, pl.p->n, sizeof(*pl.p->v), action_cmp);
	*ret = pl.p;
	return 0;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_errors; i++)
		free(p->errors[i]);
	free(p->errors);
	free(p->v);
	state_clear(&p->owned);
	free(p);
}

const char *action_verb(const struct action *a)
{
	switch (a->kind) {
	case ACT_BUS_ADD:
	case ACT_DEV_ADD:
		return "create";
	case ACT_BUS_DEL:
	case ACT_DEV_DEL:
		return "delete";
	default:
		return "change";
	}
}

char *action_describe(const struct action *a)
{
	switch (a->kind) {
	case ACT_UNLINK:
		return strdupf("unlink device %s from bus %s", a->dev, a->bus);
	case ACT_BUS_DEL:
		return strdupf("delete bus %s", a->bus);
	case ACT_DEV_DEL:
		return strdupf("delete device %s", a->dev);
	case ACT_DEV_ADD:
		return strdupf("create device %s class %s", a->dev, a->class);
	case ACT_DEV_ATTR:
		if (a->old_value)
			return strdupf("set device %s attribute %s to \"%s\" (was \"%s\")", a->dev,
				       a->attr, a->value, a->old_value);
		return strdupf("set device %s attribute %s to \"%s\"", a->dev, a->attr, a->value);
	case ACT_DEV_PRIO:
		if (a->old_priority >= 0)
			return strdupf("set device %s priority %u (was %d)", a->dev, a->priority,
				       a->old_priority);
		return strdupf("set device %s priority %u", a->dev, a->priority);
	case ACT_BUS_ADD:
		return strdupf("create bus %s owner %u group %u mode %04o", a->bus,
			       (unsigned)a->owner, (unsigned)a->group, (unsigned)a->mode);
	case ACT_BUS_PERM:
		return strdupf("set bus %s owner %u group %u mode %04o (was %u %u %04o)", a->bus,
			       (unsigned)a->owner, (unsigned)a->group, (unsigned)a->mode,
			       (unsigned)a->old_bus->owner, (unsigned)a->old_bus->group,
			       (unsigned)a->old_bus->mode);
	case ACT_LINK:
		return strdupf("link device %s to bus %s", a->dev, a->bus);
	case ACT_BUS_LOCAL:
		return strdupf("set bus %s local %s", a->bus, a->local ? "on" : "off");
	}
	return NULL;
}
