// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus: classes, buses, devices, connection statistics and change
 * notifications as the "vbus" generic netlink family reports them, parsed
 * into opaque objects (doc/abi/genl.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vbus.h>
#include <linux/vbus_netlink.h>
#include <vbus/vbus.h>

#include "libvbus-private.h"

struct vbus_link {
	char *bus, *device, *type;
	uint32_t id;
};

struct vbus_member {
	char *bus;
	uint32_t id, pid;
	bool guest;
};

struct vbus_class {
	char *name, *type;
	uint32_t devices;
};

struct vbus_bus {
	char *name;
	uint32_t owner, group, mode;
	bool local;
	struct vbus_link *links;
	unsigned int n_links;
	struct vbus_member *members;
	unsigned int n_members;
};

struct vbus_attr {
	char *name, *value;
	uint8_t kind, type, counts;	/* enum vbus_attribute_kind, _type, _counts */
	uint64_t uint;		/* the value of a UINT or BOOL */
};

struct vbus_device {
	char *name, *class, *type;
	struct vbus_link *links;
	unsigned int n_links;
	struct vbus_attr *attrs;
	unsigned int n_attrs;
};

struct vbus_stats {
	char *bus;
	uint32_t member, pid;
	uint64_t counters[_VBUS_COUNTER_MAX];
	bool guest;		/* the guest counters came */
	uint64_t guest_counters[_VBUS_GUEST_COUNTER_MAX];
};

struct vbus_change {
	enum vbus_change_object object;
	enum vbus_change_action action;
	union {
		struct vbus_class class;
		struct vbus_bus bus;
		struct vbus_device device;
		struct vbus_link link;
		struct vbus_member member;
	};
};

/* libvbus's attribute kinds and types are the kernel's. */
_Static_assert((int)VBUS_ATTRIBUTE_COUNTER == VBUS_ATTR_KIND_COUNTER &&
	       (int)VBUS_ATTRIBUTE_QUEUE_COUNTER == VBUS_ATTR_KIND_QUEUE_COUNTER &&
	       (int)VBUS_ATTRIBUTE_UINT == VBUS_ATTR_TYPE_UINT &&
	       (int)VBUS_ATTRIBUTE_BOOL == VBUS_ATTR_TYPE_BOOL &&
	       (int)VBUS_ATTRIBUTE_FRAMES_IN == VBUS_ATTR_COUNTS_FRAMES_IN &&
	       (int)VBUS_ATTRIBUTE_FRAMES_OUT == VBUS_ATTR_COUNTS_FRAMES_OUT,
	       "attribute kinds, types and counts");

/* --- parsing helpers --------------------------------------------------- */

/* Parse state: the first error sticks. */
struct parse {
	int err;
};

static char *dup_str(struct parse *p, const struct nlattr *a)
{
	char *s;

	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) {
		p->err = -EBADMSG;
		return NULL;
	}
	s = strdup(mnl_attr_get_str(a));
	if (!s)
		p->err = -ENOMEM;
	return s;
}

static uint8_t get_u8(struct parse *p, const struct nlattr *a)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0) {
		p->err = -EBADMSG;
		return 0;
	}
	return mnl_attr_get_u8(a);
}

static uint32_t get_u32(struct parse *p, const struct nlattr *a)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
		p->err = -EBADMSG;
		return 0;
	}
	return mnl_attr_get_u32(a);
}

static uint64_t get_u64(struct parse *p, const struct nlattr *a)
{
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0) {
		p->err = -EBADMSG;
		return 0;
	}
	return mnl_attr_get_u64(a);
}

/* Grow *@array of @size-byte elements by one zeroed element; NULL on ENOMEM. */
static void *grow(struct parse *p, void *array, unsigned int *n, size_t size)
{
	char *a = realloc(*(void **)array, (*n + 1) * size);

	if (!a) {
		p->err = -ENOMEM;
		return NULL;
	}
	*(void **)array = a;
	memset(a + *n * size, 0, size);
	return a + (*n)++ * size;
}

static void link_attr(struct parse *p, const struct nlattr *a, struct vbus_link *l)
{
	switch (mnl_attr_get_type(a)) {
	case VBUS_A_LINK_BUS:
		l->bus = dup_str(p, a);
		break;
	case VBUS_A_LINK_ID:
		l->id = get_u32(p, a);
		break;
	case VBUS_A_LINK_DEVICE:
		l->device = dup_str(p, a);
		break;
	case VBUS_A_LINK_TYPE:
		l->type = dup_str(p, a);
		break;
	}
}

static void link_parse(struct parse *p, const struct nlattr *nest, struct vbus_link *l)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		link_attr(p, a, l);
}

static void member_attr(struct parse *p, const struct nlattr *a, struct vbus_member *m)
{
	switch (mnl_attr_get_type(a)) {
	case VBUS_A_MEMBER_ID:
		m->id = get_u32(p, a);
		break;
	case VBUS_A_MEMBER_PID:
		m->pid = get_u32(p, a);
		break;
	case VBUS_A_MEMBER_BUS:
		m->bus = dup_str(p, a);
		break;
	case VBUS_A_MEMBER_GUEST:
		m->guest = get_u8(p, a);
		break;
	}
}

static void member_parse(struct parse *p, const struct nlattr *nest, struct vbus_member *m)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		member_attr(p, a, m);
}

static void link_clear(struct vbus_link *l)
{
	free(l->bus);
	free(l->device);
	free(l->type);
}

static void links_free(struct vbus_link *links, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		link_clear(&links[i]);
	free(links);
}

/* --- classes ------------------------------------------------------------- */

static void class_parse(struct parse *p, const struct nlmsghdr *nlh, struct vbus_class *c)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case VBUS_A_CLASS_NAME:
			c->name = dup_str(p, a);
			break;
		case VBUS_A_CLASS_TYPE:
			c->type = dup_str(p, a);
			break;
		case VBUS_A_CLASS_DEVICES:
			c->devices = get_u32(p, a);
			break;
		}
	}
}

static void class_clear(struct vbus_class *c)
{
	free(c->name);
	free(c->type);
}

/* --- buses --------------------------------------------------------------- */

static void bus_parse(struct parse *p, const struct nlmsghdr *nlh, struct vbus_bus *b)
{
	const struct nlattr *a;
	struct vbus_link *l;
	struct vbus_member *m;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case VBUS_A_BUS_NAME:
			free(b->name);	/* again in each message of a bus cut in several */
			b->name = dup_str(p, a);
			break;
		case VBUS_A_BUS_OWNER:
			b->owner = get_u32(p, a);
			break;
		case VBUS_A_BUS_GROUP:
			b->group = get_u32(p, a);
			break;
		case VBUS_A_BUS_MODE:
			b->mode = get_u32(p, a);
			break;
		case VBUS_A_BUS_LOCAL:
			b->local = get_u8(p, a);
			break;
		case VBUS_A_BUS_LINK:
			l = grow(p, &b->links, &b->n_links, sizeof(*l));
			if (l)
				link_parse(p, a, l);
			break;
		case VBUS_A_BUS_MEMBER:
			m = grow(p, &b->members, &b->n_members, sizeof(*m));
			if (m)
				member_parse(p, a, m);
			break;
		}
	}
}

static void bus_clear(struct vbus_bus *b)
{
	free(b->name);
	links_free(b->links, b->n_links);
	for (unsigned int i = 0; i < b->n_members; i++)
		free(b->members[i].bus);
	free(b->members);
}

/* --- devices ------------------------------------------------------------- */

/*
 * A class attribute. A kind this library does not know is a setting; a type
 * it does not know, or a number that does not parse, a string.
 */
static void attr_parse(struct parse *p, const struct nlattr *nest, struct vbus_attr *at)
{
	const struct nlattr *a;
	char *end;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case VBUS_A_ATTR_NAME:
			at->name = dup_str(p, a);
			break;
		case VBUS_A_ATTR_VALUE:
			at->value = dup_str(p, a);
			break;
		case VBUS_A_ATTR_KIND:
			at->kind = get_u8(p, a);
			break;
		case VBUS_A_ATTR_TYPE:
			at->type = get_u8(p, a);
			break;
		case VBUS_A_ATTR_COUNTS:
			at->counts = get_u8(p, a);
			break;
		}
	}
	if (at->kind > VBUS_ATTRIBUTE_QUEUE_COUNTER)
		at->kind = VBUS_ATTRIBUTE_SETTING;
	if (at->type > VBUS_ATTRIBUTE_BOOL || !at->value)
		at->type = VBUS_ATTRIBUTE_STRING;
	if (at->type == VBUS_ATTRIBUTE_STRING)
		return;
	errno = 0;
	at->uint = strtoull(at->value, &end, 10);
	if (errno || end == at->value || *end || at->value[0] == '-' ||
	    (at->type == VBUS_ATTRIBUTE_BOOL && at->uint > 1)) {
		at->type = VBUS_ATTRIBUTE_STRING;
		at->uint = 0;
	}
}

/* Only a numeric counter counts frames. */
static void attr_check_counts(struct vbus_attr *at)
{
	if (at->counts > VBUS_ATTRIBUTE_FRAMES_OUT || at->kind == VBUS_ATTRIBUTE_SETTING ||
	    at->type != VBUS_ATTRIBUTE_UINT)
		at->counts = VBUS_ATTRIBUTE_COUNTS_OTHER;
}

static void device_parse(struct parse *p, const struct nlmsghdr *nlh, struct vbus_device *d)
{
	const struct nlattr *a;
	struct vbus_link *l;
	struct vbus_attr *at;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case VBUS_A_DEVICE_NAME:
			d->name = dup_str(p, a);
			break;
		case VBUS_A_DEVICE_CLASS:
			d->class = dup_str(p, a);
			break;
		case VBUS_A_DEVICE_TYPE:
			d->type = dup_str(p, a);
			break;
		case VBUS_A_DEVICE_LINK:
			l = grow(p, &d->links, &d->n_links, sizeof(*l));
			if (l)
				link_parse(p, a, l);
			break;
		case VBUS_A_DEVICE_ATTR:
			at = grow(p, &d->attrs, &d->n_attrs, sizeof(*at));
			if (at) {
				attr_parse(p, a, at);
				attr_check_counts(at);
			}
			break;
		}
	}
}

static void device_clear(struct vbus_device *d)
{
	free(d->name);
	free(d->class);
	free(d->type);
	links_free(d->links, d->n_links);
	for (unsigned int i = 0; i < d->n_attrs; i++) {
		free(d->attrs[i].name);
		free(d->attrs[i].value);
	}
	free(d->attrs);
}

/* --- statistics ---------------------------------------------------------- */

static const char *const counter_names[_VBUS_COUNTER_MAX] = {
	[VBUS_COUNTER_EVENTS] = "events",
	[VBUS_COUNTER_QNOTIFY] = "qnotify",
	[VBUS_COUNTER_QINJECT] = "qinject",
	[VBUS_COUNTER_NOTIFY] = "notify",
	[VBUS_COUNTER_INJECT] = "inject",
	[VBUS_COUNTER_BRIDGECALLS] = "bridgecalls",
	[VBUS_COUNTER_BUSCALLS] = "buscalls",
};

VBUS_EXPORT const char *vbus_counter_name(enum vbus_counter c)
{
	return c < _VBUS_COUNTER_MAX ? counter_names[c] : NULL;
}

/* In the kernel's order: VBUS_A_STATS_BAD_REQUEST onwards. */
static const char *const guest_counter_names[_VBUS_GUEST_COUNTER_MAX] = {
	[VBUS_GUEST_COUNTER_BAD_REQUEST] = "bad_request",
	[VBUS_GUEST_COUNTER_BAD_KICK] = "bad_kick",
	[VBUS_GUEST_COUNTER_QUEUE_OVERFLOW] = "queue_overflow",
	[VBUS_GUEST_COUNTER_RESETS] = "resets",
};

_Static_assert(VBUS_A_STATS_RESETS - VBUS_A_STATS_BAD_REQUEST + 1 == _VBUS_GUEST_COUNTER_MAX,
	       "one guest counter per attribute");

VBUS_EXPORT const char *vbus_guest_counter_name(enum vbus_guest_counter c)
{
	return c < _VBUS_GUEST_COUNTER_MAX ? guest_counter_names[c] : NULL;
}

static void stats_parse(struct parse *p, const struct nlmsghdr *nlh, struct vbus_stats *s)
{
	const struct nlattr *a;
	int type;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		type = mnl_attr_get_type(a);
		if (type == VBUS_A_STATS_BUS)
			s->bus = dup_str(p, a);
		else if (type == VBUS_A_STATS_MEMBER)
			s->member = get_u32(p, a);
		else if (type == VBUS_A_STATS_PID)
			s->pid = get_u32(p, a);
		else if (type >= VBUS_A_STATS_EVENTS && type <= VBUS_A_STATS_BUSCALLS)
			s->counters[type - VBUS_A_STATS_EVENTS] = get_u64(p, a);
		else if (type >= VBUS_A_STATS_BAD_REQUEST && type <= VBUS_A_STATS_RESETS) {
			s->guest_counters[type - VBUS_A_STATS_BAD_REQUEST] = get_u64(p, a);
			s->guest = true;
		}
	}
}

/* --- dumps --------------------------------------------------------------- */

enum kind { KIND_CLASS, KIND_BUS, KIND_DEVICE, KIND_STATS };

static const size_t kind_size[] = {
	[KIND_CLASS] = sizeof(struct vbus_class),
	[KIND_BUS] = sizeof(struct vbus_bus),
	[KIND_DEVICE] = sizeof(struct vbus_device),
	[KIND_STATS] = sizeof(struct vbus_stats),
};

static void object_parse(struct parse *p, enum kind kind, const struct nlmsghdr *nlh, void *obj)
{
	switch (kind) {
	case KIND_CLASS:
		class_parse(p, nlh, obj);
		break;
	case KIND_BUS:
		bus_parse(p, nlh, obj);
		break;
	case KIND_DEVICE:
		device_parse(p, nlh, obj);
		break;
	case KIND_STATS:
		stats_parse(p, nlh, obj);
		break;
	}
}

static void object_free(enum kind kind, void *obj)
{
	if (!obj)
		return;
	switch (kind) {
	case KIND_CLASS:
		class_clear(obj);
		break;
	case KIND_BUS:
		bus_clear(obj);
		break;
	case KIND_DEVICE:
		device_clear(obj);
		break;
	case KIND_STATS:
		free(((struct vbus_stats *)obj)->bus);
		break;
	}
	free(obj);
}

static void list_free(enum kind kind, void **list)
{
	if (!list)
		return;
	for (void **o = list; *o; o++)
		object_free(kind, *o);
	free(list);
}

struct collect {
	struct parse p;
	enum kind kind;
	void **list;
	unsigned int n;
};

/* The bus @nlh continues, when a bus too large for one message was cut (doc/abi/genl.md). */
static struct vbus_bus *bus_continued(struct collect *c, const struct nlmsghdr *nlh)
{
	struct vbus_bus *last;
	const struct nlattr *a;

	if (c->kind != KIND_BUS || !c->n)
		return NULL;
	last = c->list[c->n - 1];
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == VBUS_A_BUS_NAME)
			return last->name && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
			       !strcmp(last->name, mnl_attr_get_str(a)) ? last : NULL;
	}
	return NULL;
}

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct vbus_bus *bus;
	void *obj, **list;

	bus = bus_continued(c, nlh);
	if (bus) {
		bus_parse(&c->p, nlh, bus);
		return c->p.err ? MNL_CB_ERROR : MNL_CB_OK;
	}

	obj = calloc(1, kind_size[c->kind]);
	list = realloc(c->list, (c->n + 2) * sizeof(*list));
	if (!obj || !list) {
		free(obj);
		if (list)
			c->list = list;
		c->p.err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	c->list = list;
	list[c->n++] = obj;
	list[c->n] = NULL;
	object_parse(&c->p, c->kind, nlh, obj);
	return c->p.err ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Request @cmd (a dump unless @name_attr is set) with string filters. */
static int dump(struct vbus_ctx *ctx, enum kind kind, uint8_t cmd, const uint16_t *attrs,
		const char *const *values, unsigned int n, void ***ret_list)
{
	struct collect c = { .kind = kind };
	struct nlmsghdr *nlh;
	int r;

	if (!ret_list)
		return -EINVAL;
	if (!ctx->nl) {
		r = vbus_nl_new(&ctx->nl);
		if (r < 0)
			return r;
	}
	nlh = vbus_nl_request(ctx->nl, cmd, true);
	for (unsigned int i = 0; i < n; i++)
		if (values[i])
			mnl_attr_put_strz(nlh, attrs[i], values[i]);
	r = vbus_nl_transact(ctx->nl, nlh, collect_cb, &c);
	if (c.p.err)
		r = c.p.err;
	if (r < 0) {
		list_free(kind, c.list);
		return r;
	}
	if (!c.list) {
		c.list = calloc(1, sizeof(*c.list));
		if (!c.list)
			return -ENOMEM;
	}
	*ret_list = c.list;
	return (int)c.n;
}

VBUS_EXPORT int vbus_class_dump(struct vbus_ctx *ctx, struct vbus_class ***ret_list)
{
	if (!ctx)
		return -EINVAL;
	return dump(ctx, KIND_CLASS, VBUS_CMD_CLASS_GET, NULL, NULL, 0, (void ***)ret_list);
}

VBUS_EXPORT int vbus_bus_dump(struct vbus_ctx *ctx, const char *name, const char *device,
			      struct vbus_bus ***ret_list)
{
	const uint16_t attrs[] = { VBUS_A_BUS_NAME, VBUS_A_BUS_DEVICE };
	const char *values[] = { name, device };

	if (!ctx || (name && !vbus_name_valid(name)) || (device && !vbus_name_valid(device)))
		return -EINVAL;
	return dump(ctx, KIND_BUS, VBUS_CMD_BUS_GET, attrs, values, 2, (void ***)ret_list);
}

VBUS_EXPORT int vbus_device_dump(struct vbus_ctx *ctx, const char *name, const char *class,
				 const char *bus, struct vbus_device ***ret_list)
{
	const uint16_t attrs[] = { VBUS_A_DEVICE_NAME, VBUS_A_DEVICE_CLASS, VBUS_A_DEVICE_BUS };
	const char *values[] = { name, class, bus };

	if (!ctx || (name && !vbus_name_valid(name)) || (bus && !vbus_name_valid(bus)) ||
	    (class && !vbus_class_name_valid(class)))
		return -EINVAL;
	return dump(ctx, KIND_DEVICE, VBUS_CMD_DEVICE_GET, attrs, values, 3, (void ***)ret_list);
}

VBUS_EXPORT int vbus_bus_get_perm(struct vbus_ctx *ctx, const char *bus, uid_t *ret_owner,
				  gid_t *ret_group, mode_t *ret_mode)
{
	struct vbus_bus **list = NULL;
	int r;

	if (!bus || !ret_owner || !ret_group || !ret_mode)
		return -EINVAL;
	r = vbus_bus_dump(ctx, bus, NULL, &list);
	if (r == 1) {
		*ret_owner = list[0]->owner;
		*ret_group = list[0]->group;
		*ret_mode = list[0]->mode;
	}
	vbus_bus_list_free(list);
	return r < 0 ? r : r == 1 ? 0 : -ENOENT;
}

/* The names of @n links into a new NULL-terminated array: buses (@bus) or devices. */
static int links_strv(const struct vbus_link *links, unsigned int n, bool bus, char ***ret)
{
	char **v = calloc(n + 1, sizeof(*v));
	unsigned int i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		v[i] = strdup(bus ? links[i].bus : links[i].device);
		if (!v[i]) {
			vbus_strv_free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	return (int)n;
}

VBUS_EXPORT int vbus_bus_devices(struct vbus_ctx *ctx, const char *bus, char ***ret_devs)
{
	struct vbus_bus **list = NULL;
	int r;

	if (!bus || !ret_devs)
		return -EINVAL;
	r = vbus_bus_dump(ctx, bus, NULL, &list);
	if (r == 1)
		r = links_strv(list[0]->links, list[0]->n_links, false, ret_devs);
	else if (r == 0)
		r = -ENOENT;
	vbus_bus_list_free(list);
	return r;
}

VBUS_EXPORT int vbus_device_buses(struct vbus_ctx *ctx, const char *dev, char ***ret_buses)
{
	struct vbus_device **list = NULL;
	int r;

	if (!dev || !ret_buses)
		return -EINVAL;
	r = vbus_device_dump(ctx, dev, NULL, NULL, &list);
	if (r == 1)
		r = links_strv(list[0]->links, list[0]->n_links, true, ret_buses);
	else if (r == 0)
		r = -ENOENT;
	vbus_device_list_free(list);
	return r;
}

VBUS_EXPORT int vbus_stats_dump(struct vbus_ctx *ctx, const char *bus,
				struct vbus_stats ***ret_list)
{
	const uint16_t attrs[] = { VBUS_A_STATS_BUS };
	const char *values[] = { bus };

	if (!ctx || (bus && !vbus_name_valid(bus)))
		return -EINVAL;
	return dump(ctx, KIND_STATS, VBUS_CMD_STATS_GET, attrs, values, 1, (void ***)ret_list);
}

static int no_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

VBUS_EXPORT int vbus_stats_reset(struct vbus_ctx *ctx, const char *bus)
{
	struct nlmsghdr *nlh;
	int r;

	if (!ctx || (bus && !vbus_name_valid(bus)))
		return -EINVAL;
	if (!ctx->nl) {
		r = vbus_nl_new(&ctx->nl);
		if (r < 0)
			return r;
	}
	nlh = vbus_nl_request(ctx->nl, VBUS_CMD_STATS_RESET, false);
	if (bus)
		mnl_attr_put_strz(nlh, VBUS_A_STATS_BUS, bus);
	return vbus_nl_transact(ctx->nl, nlh, no_reply_cb, NULL);
}

VBUS_EXPORT void vbus_class_list_free(struct vbus_class **list)
{
	list_free(KIND_CLASS, (void **)list);
}

VBUS_EXPORT void vbus_bus_list_free(struct vbus_bus **list)
{
	list_free(KIND_BUS, (void **)list);
}

VBUS_EXPORT void vbus_device_list_free(struct vbus_device **list)
{
	list_free(KIND_DEVICE, (void **)list);
}

VBUS_EXPORT void vbus_stats_list_free(struct vbus_stats **list)
{
	list_free(KIND_STATS, (void **)list);
}

/* --- getters ------------------------------------------------------------- */

VBUS_EXPORT const char *vbus_class_get_name(const struct vbus_class *c)
{
	return c->name;
}

VBUS_EXPORT const char *vbus_class_get_type(const struct vbus_class *c)
{
	return c->type;
}

VBUS_EXPORT unsigned int vbus_class_get_devices(const struct vbus_class *c)
{
	return c->devices;
}

VBUS_EXPORT const char *vbus_bus_get_name(const struct vbus_bus *b)
{
	return b->name;
}

VBUS_EXPORT uid_t vbus_bus_get_owner(const struct vbus_bus *b)
{
	return b->owner;
}

VBUS_EXPORT gid_t vbus_bus_get_group(const struct vbus_bus *b)
{
	return b->group;
}

VBUS_EXPORT mode_t vbus_bus_get_mode(const struct vbus_bus *b)
{
	return b->mode;
}

VBUS_EXPORT bool vbus_bus_get_local(const struct vbus_bus *b)
{
	return b->local;
}

VBUS_EXPORT unsigned int vbus_bus_get_n_links(const struct vbus_bus *b)
{
	return b->n_links;
}

VBUS_EXPORT unsigned int vbus_bus_get_n_members(const struct vbus_bus *b)
{
	return b->n_members;
}

VBUS_EXPORT const struct vbus_link *vbus_bus_get_link(const struct vbus_bus *b, unsigned int i)
{
	return i < b->n_links ? &b->links[i] : NULL;
}

VBUS_EXPORT const struct vbus_member *vbus_bus_get_member(const struct vbus_bus *b,
							 unsigned int i)
{
	return i < b->n_members ? &b->members[i] : NULL;
}

VBUS_EXPORT const char *vbus_link_get_bus(const struct vbus_link *l)
{
	return l->bus;
}

VBUS_EXPORT uint32_t vbus_link_get_id(const struct vbus_link *l)
{
	return l->id;
}

VBUS_EXPORT const char *vbus_link_get_device(const struct vbus_link *l)
{
	return l->device;
}

VBUS_EXPORT const char *vbus_link_get_type(const struct vbus_link *l)
{
	return l->type;
}

VBUS_EXPORT uint32_t vbus_member_get_id(const struct vbus_member *m)
{
	return m->id;
}

VBUS_EXPORT pid_t vbus_member_get_pid(const struct vbus_member *m)
{
	return m->pid;
}

VBUS_EXPORT const char *vbus_member_get_bus(const struct vbus_member *m)
{
	return m->bus;
}

VBUS_EXPORT bool vbus_member_is_guest(const struct vbus_member *m)
{
	return m->guest;
}

VBUS_EXPORT const char *vbus_device_get_name(const struct vbus_device *d)
{
	return d->name;
}

VBUS_EXPORT const char *vbus_device_get_class(const struct vbus_device *d)
{
	return d->class;
}

VBUS_EXPORT const char *vbus_device_get_type(const struct vbus_device *d)
{
	return d->type;
}

VBUS_EXPORT unsigned int vbus_device_get_n_links(const struct vbus_device *d)
{
	return d->n_links;
}

VBUS_EXPORT const struct vbus_link *vbus_device_get_link(const struct vbus_device *d,
							unsigned int i)
{
	return i < d->n_links ? &d->links[i] : NULL;
}

VBUS_EXPORT unsigned int vbus_device_get_n_attrs(const struct vbus_device *d)
{
	return d->n_attrs;
}

VBUS_EXPORT const char *vbus_device_get_attr_name(const struct vbus_device *d, unsigned int i)
{
	return i < d->n_attrs ? d->attrs[i].name : NULL;
}

VBUS_EXPORT const char *vbus_device_get_attr_value(const struct vbus_device *d, unsigned int i)
{
	return i < d->n_attrs ? d->attrs[i].value : NULL;
}

VBUS_EXPORT enum vbus_attribute_kind vbus_device_get_attr_kind(const struct vbus_device *d,
								unsigned int i)
{
	return i < d->n_attrs ? d->attrs[i].kind : VBUS_ATTRIBUTE_SETTING;
}

VBUS_EXPORT enum vbus_attribute_type vbus_device_get_attr_type(const struct vbus_device *d,
								unsigned int i)
{
	return i < d->n_attrs ? d->attrs[i].type : VBUS_ATTRIBUTE_STRING;
}

VBUS_EXPORT uint64_t vbus_device_get_attr_uint(const struct vbus_device *d, unsigned int i)
{
	return i < d->n_attrs ? d->attrs[i].uint : 0;
}

VBUS_EXPORT enum vbus_attribute_counts vbus_device_get_attr_counts(const struct vbus_device *d,
								   unsigned int i)
{
	return i < d->n_attrs ? d->attrs[i].counts : VBUS_ATTRIBUTE_COUNTS_OTHER;
}

VBUS_EXPORT const char *vbus_stats_get_bus(const struct vbus_stats *s)
{
	return s->bus;
}

VBUS_EXPORT uint32_t vbus_stats_get_member(const struct vbus_stats *s)
{
	return s->member;
}

VBUS_EXPORT pid_t vbus_stats_get_pid(const struct vbus_stats *s)
{
	return s->pid;
}

VBUS_EXPORT uint64_t vbus_stats_get(const struct vbus_stats *s, enum vbus_counter c)
{
	return c < _VBUS_COUNTER_MAX ? s->counters[c] : 0;
}

VBUS_EXPORT bool vbus_stats_is_guest(const struct vbus_stats *s)
{
	return s->guest;
}

VBUS_EXPORT uint64_t vbus_stats_get_guest(const struct vbus_stats *s, enum vbus_guest_counter c)
{
	return c < _VBUS_GUEST_COUNTER_MAX ? s->guest_counters[c] : 0;
}

/* --- change notifications ------------------------------------------------- */

struct vbus_monitor {
	struct vbus_nl *nl;
	struct vbus_change **queue;	/* parsed, not yet returned */
	unsigned int head, n;
	struct parse p;
};

static const struct {
	bool known;
	enum vbus_change_object object;
	enum vbus_change_action action;
} ntf[VBUS_CMD_MAX + 1] = {
	[VBUS_CMD_CLASS_ADD_NTF] = { true, VBUS_OBJECT_CLASS, VBUS_CHANGE_ADD },
	[VBUS_CMD_CLASS_DEL_NTF] = { true, VBUS_OBJECT_CLASS, VBUS_CHANGE_DEL },
	[VBUS_CMD_BUS_ADD_NTF] = { true, VBUS_OBJECT_BUS, VBUS_CHANGE_ADD },
	[VBUS_CMD_BUS_DEL_NTF] = { true, VBUS_OBJECT_BUS, VBUS_CHANGE_DEL },
	[VBUS_CMD_DEVICE_ADD_NTF] = { true, VBUS_OBJECT_DEVICE, VBUS_CHANGE_ADD },
	[VBUS_CMD_DEVICE_DEL_NTF] = { true, VBUS_OBJECT_DEVICE, VBUS_CHANGE_DEL },
	[VBUS_CMD_DEVICE_CHANGE_NTF] = { true, VBUS_OBJECT_DEVICE, VBUS_CHANGE_CHANGE },
	[VBUS_CMD_LINK_ADD_NTF] = { true, VBUS_OBJECT_LINK, VBUS_CHANGE_ADD },
	[VBUS_CMD_LINK_DEL_NTF] = { true, VBUS_OBJECT_LINK, VBUS_CHANGE_DEL },
	[VBUS_CMD_MEMBER_ADD_NTF] = { true, VBUS_OBJECT_MEMBER, VBUS_CHANGE_ADD },
	[VBUS_CMD_MEMBER_DEL_NTF] = { true, VBUS_OBJECT_MEMBER, VBUS_CHANGE_DEL },
	[VBUS_CMD_BUS_CHANGE_NTF] = { true, VBUS_OBJECT_BUS, VBUS_CHANGE_CHANGE },
	[VBUS_CMD_DEVICE_ATTR_NTF] = { true, VBUS_OBJECT_DEVICE, VBUS_CHANGE_ATTR },
};

VBUS_EXPORT void vbus_change_free(struct vbus_change *c)
{
	if (!c)
		return;
	switch (c->object) {
	case VBUS_OBJECT_CLASS:
		class_clear(&c->class);
		break;
	case VBUS_OBJECT_BUS:
		bus_clear(&c->bus);
		break;
	case VBUS_OBJECT_DEVICE:
		device_clear(&c->device);
		break;
	case VBUS_OBJECT_LINK:
		link_clear(&c->link);
		break;
	case VBUS_OBJECT_MEMBER:
		free(c->member.bus);
		break;
	}
	free(c);
}

static void change_parse(struct parse *p, const struct nlmsghdr *nlh, struct vbus_change *c)
{
	const struct nlattr *a;

	switch (c->object) {
	case VBUS_OBJECT_CLASS:
		class_parse(p, nlh, &c->class);
		break;
	case VBUS_OBJECT_BUS:
		bus_parse(p, nlh, &c->bus);
		break;
	case VBUS_OBJECT_DEVICE:
		device_parse(p, nlh, &c->device);
		break;
	case VBUS_OBJECT_LINK:
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			link_attr(p, a, &c->link);
		break;
	case VBUS_OBJECT_MEMBER:
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			member_attr(p, a, &c->member);
		break;
	}
}

/* Queue each notification of a received batch. */
static int change_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vbus_monitor *m = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct vbus_change *c, **q;

	if (g->cmd > VBUS_CMD_MAX || !ntf[g->cmd].known)
		return MNL_CB_OK;	/* newer than this library: skipped */
	c = calloc(1, sizeof(*c));
	q = realloc(m->queue, (m->n + 1) * sizeof(*q));
	if (q)
		m->queue = q;
	if (!c || !q) {
		free(c);
		m->p.err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	q[m->n++] = c;
	c->object = ntf[g->cmd].object;
	c->action = ntf[g->cmd].action;
	change_parse(&m->p, nlh, c);
	return m->p.err ? MNL_CB_ERROR : MNL_CB_OK;
}

VBUS_EXPORT int vbus_monitor_new(struct vbus_ctx *ctx, struct vbus_monitor **ret)
{
	struct vbus_monitor *m;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	r = vbus_nl_new(&m->nl);
	if (r == 0)
		r = vbus_nl_subscribe(m->nl);
	if (r == 0 && fcntl(vbus_nl_fd(m->nl), F_SETFL, O_NONBLOCK) < 0)
		r = -errno;
	if (r < 0) {
		vbus_monitor_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

VBUS_EXPORT void vbus_monitor_free(struct vbus_monitor *m)
{
	if (!m)
		return;
	for (unsigned int i = m->head; i < m->n; i++)
		vbus_change_free(m->queue[i]);
	free(m->queue);
	vbus_nl_free(m->nl);
	free(m);
}

VBUS_EXPORT int vbus_monitor_get_fd(const struct vbus_monitor *m)
{
	return vbus_nl_fd(m->nl);
}

VBUS_EXPORT int vbus_monitor_next(struct vbus_monitor *m, struct vbus_change **ret)
{
	int r;

	if (!m || !ret)
		return -EINVAL;
	if (m->head == m->n) {
		m->head = m->n = 0;
		r = vbus_nl_read_events(m->nl, change_cb, m);
		if (r == -EAGAIN)
			r = 0;
		if (m->p.err) {
			r = m->p.err;
			m->p.err = 0;
		}
		if (r < 0)
			return r;
		if (m->n == 0)
			return 0;
	}
	*ret = m->queue[m->head++];
	return 1;
}

VBUS_EXPORT enum vbus_change_object vbus_change_get_object(const struct vbus_change *c)
{
	return c->object;
}

VBUS_EXPORT enum vbus_change_action vbus_change_get_action(const struct vbus_change *c)
{
	return c->action;
}

VBUS_EXPORT const struct vbus_class *vbus_change_get_class(const struct vbus_change *c)
{
	return c->object == VBUS_OBJECT_CLASS ? &c->class : NULL;
}

VBUS_EXPORT const struct vbus_bus *vbus_change_get_bus(const struct vbus_change *c)
{
	return c->object == VBUS_OBJECT_BUS ? &c->bus : NULL;
}

VBUS_EXPORT const struct vbus_device *vbus_change_get_device(const struct vbus_change *c)
{
	return c->object == VBUS_OBJECT_DEVICE ? &c->device : NULL;
}

VBUS_EXPORT const struct vbus_link *vbus_change_get_link(const struct vbus_change *c)
{
	return c->object == VBUS_OBJECT_LINK ? &c->link : NULL;
}

VBUS_EXPORT const struct vbus_member *vbus_change_get_member(const struct vbus_change *c)
{
	return c->object == VBUS_OBJECT_MEMBER ? &c->member : NULL;
}
