// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the "vbus" generic netlink family, the scalable read side of
 * the model (doc/abi/genl.md, doc/netlink/specs/vbus.yaml). Dumps of
 * classes, buses, devices and connection statistics with filters; the
 * "events" multicast group announcing every change. configfs stays the only
 * way to change topology; the one state-changing operation here (resetting
 * counters) needs CAP_NET_ADMIN. Reading and listening are open to everyone,
 * like the world-readable /sys/vbus they mirror.
 *
 * Shaped as net/core/netdev-genl.c: one fill(skb, obj, info) per object
 * serves gets, dumps and notifications, and one doit serves every get.
 * Dumps keep their place in cb->ctx and resume by key (a class's name, a
 * bus's or device's id, a link's and a member's id), so a dump racing with
 * configfs changes never repeats or misses an object that exists
 * throughout; the events group reports the changes. No object's size fails
 * a dump: a bus with more links and members than one message holds
 * continues in the next messages, each starting with the bus's name
 * (readers merge them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <net/genetlink.h>
#include <uapi/linux/vbus_netlink.h>

#include "vbus_internal.h"

static struct genl_family vbus_genl_family;

static const struct genl_multicast_group vbus_genl_mcgrps[] = {
	{ .name = VBUS_MCGRP_EVENTS, },
};

/*
 * Where a dump goes on, in cb->ctx, by key: objects made meanwhile come later
 * in key order and removed ones are gone, so neither moves the others.
 */
struct vbus_dump_ctx {
	u32 id;				/* buses, devices, stats: the bus or device at hand */
	u32 link;			/* buses: the next link id of bus @id; U32_MAX: all sent */
	u32 member;			/* buses, stats: the next member id of bus @id */
	char class[VBUS_TYPE_LEN];	/* classes: the last one sent; "": none yet */
};

/*
 * Where a message goes, as every fill(skb, obj, info) takes it: a reply, a
 * part of a dump (NLM_F_MULTI, with its context) or a notification (portid
 * and seq 0).
 */
struct vbus_nl_info {
	u32 portid;
	u32 seq;
	int flags;
	u8 cmd;
	char *page;			/* device fills: a page for the attributes' show() */
	struct vbus_dump_ctx *ctx;	/* dumps: where a bus cut short goes on */
};

/* Puts: each puts one object's attributes. Callers hold vbus_lock. */

static int vbus_class_put(struct sk_buff *skb, void *obj)
{
	struct vbus_class *class = obj;
	struct vbus_device *dev;
	unsigned long id;
	u32 count = 0;

	xa_for_each(&vbus_devices, id, dev)
		count += dev->class == class;
	if (nla_put_string(skb, VBUS_A_CLASS_NAME, class->name) ||
	    nla_put_string(skb, VBUS_A_CLASS_TYPE, class->type) ||
	    nla_put_u32(skb, VBUS_A_CLASS_DEVICES, count))
		return -EMSGSIZE;
	return 0;
}

static int vbus_link_put(struct sk_buff *skb, void *obj)
{
	struct vbus_link *link = obj;

	if (nla_put_string(skb, VBUS_A_LINK_BUS, link->bus->name) ||
	    nla_put_u32(skb, VBUS_A_LINK_ID, link->id) ||
	    nla_put_string(skb, VBUS_A_LINK_DEVICE, link->dev->name) ||
	    nla_put_string(skb, VBUS_A_LINK_TYPE, link->dev->class->type))
		return -EMSGSIZE;
	return 0;
}

static int vbus_member_put(struct sk_buff *skb, void *obj)
{
	struct vbus_member *m = obj;

	if (nla_put_u32(skb, VBUS_A_MEMBER_ID, m->id) ||
	    nla_put_u32(skb, VBUS_A_MEMBER_PID, m->pid) ||
	    nla_put_string(skb, VBUS_A_MEMBER_BUS, m->bus->name) ||
	    nla_put_u8(skb, VBUS_A_MEMBER_GUEST, !!m->guest))
		return -EMSGSIZE;
	return 0;
}

static int vbus_nest_put(struct sk_buff *skb, int attr,
			 int (*put)(struct sk_buff *skb, void *obj), void *obj)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (put(skb, obj)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A bus without its links and members, as notifications carry it. */
static int vbus_bus_put(struct sk_buff *skb, void *obj)
{
	struct vbus_bus *bus = obj;

	if (nla_put_string(skb, VBUS_A_BUS_NAME, bus->name) ||
	    nla_put_u32(skb, VBUS_A_BUS_OWNER, from_kuid_munged(&init_user_ns, bus->owner)) ||
	    nla_put_u32(skb, VBUS_A_BUS_GROUP, from_kgid_munged(&init_user_ns, bus->gid)) ||
	    nla_put_u32(skb, VBUS_A_BUS_MODE, bus->mode) ||
	    nla_put_u8(skb, VBUS_A_BUS_LOCAL, !!bus->local))
		return -EMSGSIZE;
	return 0;
}

/* The class attributes as sysfs shows them, newline stripped, with their kind and type. */
static int vbus_device_put_attrs(struct sk_buff *skb, struct vbus_device *dev,
				 char *page)
{
	const struct attribute_group **groups = dev->class->attr_groups;
	const struct vbus_attribute *vattr;
	struct kobj_attribute *kattr;
	struct attribute **attr;
	struct nlattr *nest;
	ssize_t len;

	for (; groups && *groups; groups++) {
		for (attr = (*groups)->attrs; attr && *attr; attr++) {
			kattr = container_of(*attr, struct kobj_attribute, attr);
			/* Dumps are open to all: only what sysfs shows to all. */
			if (!kattr->show || ((*attr)->mode & 0444) != 0444)
				continue;
			len = kattr->show(&dev->kobj, kattr, page);
			if (len < 0)
				continue;
			len = min_t(ssize_t, len, PAGE_SIZE - 1);
			page[len] = '\0';
			strim(page);
			vattr = to_vbus_attribute(kattr);
			nest = nla_nest_start(skb, VBUS_A_DEVICE_ATTR);
			if (!nest || nla_put_string(skb, VBUS_A_ATTR_NAME, (*attr)->name) ||
			    nla_put_string(skb, VBUS_A_ATTR_VALUE, page) ||
			    nla_put_u8(skb, VBUS_A_ATTR_KIND, vattr->kind) ||
			    nla_put_u8(skb, VBUS_A_ATTR_TYPE, vattr->type) ||
			    (vattr->counts &&
			     nla_put_u8(skb, VBUS_A_ATTR_COUNTS, vattr->counts)))
				return -EMSGSIZE;
			nla_nest_end(skb, nest);
		}
	}
	return 0;
}

/* A device without its class attributes, as notifications carry it. */
static int vbus_device_put(struct sk_buff *skb, void *obj)
{
	struct vbus_device *dev = obj;
	struct vbus_link *link;
	struct nlattr *nest;

	if (nla_put_string(skb, VBUS_A_DEVICE_NAME, dev->name))
		return -EMSGSIZE;
	if (dev->class &&
	    (nla_put_string(skb, VBUS_A_DEVICE_CLASS, dev->class->name) ||
	     nla_put_string(skb, VBUS_A_DEVICE_TYPE, dev->class->type)))
		return -EMSGSIZE;
	list_for_each_entry(link, &dev->links, dev_entry) {
		nest = nla_nest_start(skb, VBUS_A_DEVICE_LINK);
		if (!nest || nla_put_string(skb, VBUS_A_LINK_BUS, link->bus->name) ||
		    nla_put_u32(skb, VBUS_A_LINK_ID, link->id))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

/* The connection counters: one table for the fill and for STATS_RESET. */
static const struct {
	int attr;
	size_t offset;			/* in struct vbus_stats */
} vbus_counters[] = {
	{ VBUS_A_STATS_EVENTS, offsetof(struct vbus_stats, events) },
	{ VBUS_A_STATS_QNOTIFY, offsetof(struct vbus_stats, qnotify) },
	{ VBUS_A_STATS_QINJECT, offsetof(struct vbus_stats, qinject) },
	{ VBUS_A_STATS_NOTIFY, offsetof(struct vbus_stats, notify) },
	{ VBUS_A_STATS_INJECT, offsetof(struct vbus_stats, inject) },
	{ VBUS_A_STATS_BRIDGECALLS, offsetof(struct vbus_stats, bridgecalls) },
	{ VBUS_A_STATS_BUSCALLS, offsetof(struct vbus_stats, buscalls) },
};

static atomic64_t *vbus_counter(struct vbus_member *m, unsigned int i)
{
	return (atomic64_t *)((char *)&m->stats + vbus_counters[i].offset);
}

/* A guest connection's own counters, after the member's. */
static const struct {
	int attr;
	enum vbus_guest_counter c;
} vbus_guest_counters[] = {
	{ VBUS_A_STATS_BAD_REQUEST, VBUS_GH_BAD_REQUEST },
	{ VBUS_A_STATS_BAD_KICK, VBUS_GH_BAD_KICK },
	{ VBUS_A_STATS_QUEUE_OVERFLOW, VBUS_GH_QUEUE_OVERFLOW },
	{ VBUS_A_STATS_RESETS, VBUS_GH_RESETS },
};

static atomic64_t *vbus_guest_stat(struct vbus_member *m, unsigned int i)
{
	return vbus_guest_counter(m->guest, vbus_guest_counters[i].c);
}

static int vbus_stats_put(struct sk_buff *skb, void *obj)
{
	struct vbus_member *m = obj;
	unsigned int i;

	if (nla_put_string(skb, VBUS_A_STATS_BUS, m->bus->name) ||
	    nla_put_u32(skb, VBUS_A_STATS_MEMBER, m->id) ||
	    nla_put_u32(skb, VBUS_A_STATS_PID, m->pid))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(vbus_counters); i++) {
		if (nla_put_u64_64bit(skb, vbus_counters[i].attr,
				      atomic64_read(vbus_counter(m, i)), VBUS_A_STATS_PAD))
			return -EMSGSIZE;
	}
	for (i = 0; m->guest && i < ARRAY_SIZE(vbus_guest_counters); i++) {
		if (nla_put_u64_64bit(skb, vbus_guest_counters[i].attr,
				      atomic64_read(vbus_guest_stat(m, i)), VBUS_A_STATS_PAD))
			return -EMSGSIZE;
	}
	return 0;
}

/* Fills: one message each, addressed as @info says. Callers hold vbus_lock. */

static void *vbus_msg_put(struct sk_buff *skb, const struct vbus_nl_info *info)
{
	return genlmsg_put(skb, info->portid, info->seq, &vbus_genl_family, info->flags,
			   info->cmd);
}

/* One message of put()'s attributes. */
static int vbus_fill(struct sk_buff *skb, int (*put)(struct sk_buff *skb, void *obj),
		     void *obj, const struct vbus_nl_info *info)
{
	void *hdr = vbus_msg_put(skb, info);

	if (!hdr)
		return -EMSGSIZE;
	if (put(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int vbus_class_fill(struct sk_buff *skb, void *class, const struct vbus_nl_info *info)
{
	return vbus_fill(skb, vbus_class_put, class, info);
}

/*
 * A bus with its links and members (links first). In a dump (info->ctx) a
 * bus too large for the rest of the message is cut after what fits and 1 is
 * returned: the context says which link and member the next message goes on
 * with (the bus's name starts each). 0: the bus is complete; -EMSGSIZE: not
 * even the first of them fitted (always, for a reply too large).
 */
static int vbus_bus_fill(struct sk_buff *skb, void *obj, const struct vbus_nl_info *info)
{
	struct vbus_dump_ctx *ctx = info->ctx;
	u32 from_member = ctx ? ctx->member : 0;
	struct vbus_bus *bus = obj;
	struct vbus_member *m;
	struct vbus_link *link;
	bool some = false;
	unsigned long id;
	void *hdr;

	hdr = vbus_msg_put(skb, info);
	if (!hdr)
		return -EMSGSIZE;
	if (vbus_bus_put(skb, bus))
		goto out_cancel;
	xa_for_each_start(&bus->links, id, link, ctx ? ctx->link : 0) {
		if (vbus_nest_put(skb, VBUS_A_BUS_LINK, vbus_link_put, link))
			goto out_cut;
		some = true;
		if (ctx)
			ctx->link = id + 1;
	}
	if (ctx)
		ctx->link = U32_MAX;
	list_for_each_entry(m, &bus->members, bus_entry) {
		if (m->id < from_member)	/* members join in id order */
			continue;
		if (vbus_nest_put(skb, VBUS_A_BUS_MEMBER, vbus_member_put, m))
			goto out_cut;
		some = true;
		if (ctx)
			ctx->member = m->id + 1;
	}
	genlmsg_end(skb, hdr);
	return 0;

out_cut:
	if (ctx && some) {
		genlmsg_end(skb, hdr);
		return 1;
	}
out_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* A device with its class attributes, as gets and dumps carry it. */
struct vbus_device_page {
	struct vbus_device *dev;
	char *page;			/* for the attributes' show() */
};

static int vbus_device_put_all(struct sk_buff *skb, void *obj)
{
	struct vbus_device_page *dp = obj;

	if (vbus_device_put(skb, dp->dev) ||
	    (dp->dev->class && vbus_device_put_attrs(skb, dp->dev, dp->page)))
		return -EMSGSIZE;
	return 0;
}

static int vbus_device_fill(struct sk_buff *skb, void *dev, const struct vbus_nl_info *info)
{
	struct vbus_device_page dp = { .dev = dev, .page = info->page };

	return vbus_fill(skb, vbus_device_put_all, &dp, info);
}

static int vbus_stats_fill(struct sk_buff *skb, void *m, const struct vbus_nl_info *info)
{
	return vbus_fill(skb, vbus_stats_put, m, info);
}

/* Filters (the lookups are core.c's). Callers hold vbus_lock. */

static const char *vbus_attr_str(struct nlattr **attrs, int type)
{
	return attrs && attrs[type] ? nla_data(attrs[type]) : NULL;
}

static bool vbus_stats_match(struct vbus_member *m, struct nlattr **attrs)
{
	const char *bus = vbus_attr_str(attrs, VBUS_A_STATS_BUS);

	if (bus && strcmp(m->bus->name, bus))
		return false;
	if (attrs && attrs[VBUS_A_STATS_MEMBER] &&
	    nla_get_u32(attrs[VBUS_A_STATS_MEMBER]) != m->id)
		return false;
	return true;
}

/* Dumps */

static struct vbus_dump_ctx *vbus_dump_start(struct netlink_callback *cb, u8 cmd,
					     struct vbus_nl_info *info)
{
	struct vbus_dump_ctx *ctx = (struct vbus_dump_ctx *)cb->ctx;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	*info = (struct vbus_nl_info){
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
		.cmd = cmd,
		.ctx = ctx,
	};
	return ctx;
}

/* A part is done: more to come unless nothing fitted an empty message (report that). */
static int vbus_dump_done(struct sk_buff *skb, int err)
{
	if (err < 0 && !(err == -EMSGSIZE && skb->len))
		return err;
	return skb->len;
}

static int vbus_genl_class_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vbus_nl_info info;
	struct vbus_dump_ctx *ctx = vbus_dump_start(cb, VBUS_CMD_CLASS_GET, &info);
	struct vbus_class *class;
	int err = 0;

	mutex_lock(&vbus_lock);
	list_for_each_entry(class, &vbus_classes, list) {	/* sorted by name */
		if (ctx->class[0] && strcmp(class->name, ctx->class) <= 0)
			continue;
		err = vbus_class_fill(skb, class, &info);
		if (err)
			break;
		strscpy(ctx->class, class->name, sizeof(ctx->class));
	}
	mutex_unlock(&vbus_lock);
	return vbus_dump_done(skb, err);
}

static int vbus_genl_bus_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	const char *name = vbus_attr_str(attrs, VBUS_A_BUS_NAME);
	const char *devname = vbus_attr_str(attrs, VBUS_A_BUS_DEVICE);
	struct vbus_nl_info info;
	struct vbus_dump_ctx *ctx = vbus_dump_start(cb, VBUS_CMD_BUS_GET, &info);
	struct vbus_device *dev = NULL;
	struct vbus_bus *bus;
	unsigned long id;
	int err = 0;

	mutex_lock(&vbus_lock);
	if (devname) {
		dev = vbus_device_find(devname);
		if (!dev)
			goto out_unlock;
	}
	xa_for_each_start(&vbus_buses, id, bus, ctx->id) {
		if ((name && strcmp(bus->name, name)) ||
		    (dev && !vbus_link_find(dev, bus)))
			continue;
		if (id != ctx->id) {	/* not begun: from its first link and member */
			ctx->id = id;
			ctx->link = 0;
			ctx->member = 0;
		}
		err = vbus_bus_fill(skb, bus, &info);
		if (err)
			break;
		ctx->id = id + 1;
		ctx->link = 0;
		ctx->member = 0;
	}
	if (err > 0)		/* cut: the next message goes on with this bus */
		err = 0;
out_unlock:
	mutex_unlock(&vbus_lock);
	return vbus_dump_done(skb, err);
}

static int vbus_genl_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	const char *name = vbus_attr_str(attrs, VBUS_A_DEVICE_NAME);
	const char *class = vbus_attr_str(attrs, VBUS_A_DEVICE_CLASS);
	const char *bus = vbus_attr_str(attrs, VBUS_A_DEVICE_BUS);
	struct vbus_nl_info info;
	struct vbus_dump_ctx *ctx = vbus_dump_start(cb, VBUS_CMD_DEVICE_GET, &info);
	struct vbus_bus *on = NULL;
	struct vbus_device *dev;
	unsigned long id;
	int err = 0;

	info.page = (char *)__get_free_page(GFP_KERNEL);
	if (!info.page)
		return -ENOMEM;
	mutex_lock(&vbus_lock);
	if (bus) {
		on = vbus_bus_find(bus);
		if (!on)
			goto out_unlock;
	}
	xa_for_each_start(&vbus_devices, id, dev, ctx->id) {
		if ((name && strcmp(dev->name, name)) ||
		    (class && (!dev->class || strcmp(dev->class->name, class))) ||
		    (on && !vbus_link_find(dev, on)))
			continue;
		err = vbus_device_fill(skb, dev, &info);
		if (err)
			break;
		ctx->id = id + 1;
	}
out_unlock:
	mutex_unlock(&vbus_lock);
	free_page((unsigned long)info.page);
	return vbus_dump_done(skb, err);
}

/* By bus id, then member id (members join a bus in id order). */
static int vbus_genl_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	struct vbus_nl_info info;
	struct vbus_dump_ctx *ctx = vbus_dump_start(cb, VBUS_CMD_STATS_GET, &info);
	struct vbus_member *m;
	struct vbus_bus *bus;
	unsigned long id;
	int err = 0;

	mutex_lock(&vbus_lock);
	xa_for_each_start(&vbus_buses, id, bus, ctx->id) {
		if (id != ctx->id) {
			ctx->id = id;
			ctx->member = 0;
		}
		list_for_each_entry(m, &bus->members, bus_entry) {
			if (m->id < ctx->member || !vbus_stats_match(m, attrs))
				continue;
			err = vbus_stats_fill(skb, m, &info);
			if (err)
				goto out_unlock;
			ctx->member = m->id + 1;
		}
	}
out_unlock:
	mutex_unlock(&vbus_lock);
	return vbus_dump_done(skb, err);
}

/* Gets: one doit for every object */

struct vbus_get {
	int attr;					/* the request's name attribute */
	void *(*find)(const char *name);		/* caller holds vbus_lock */
	int (*fill)(struct sk_buff *skb, void *obj, const struct vbus_nl_info *info);
};

/*
 * The object the request names, found by find() and filled by fill(); no
 * such object: -ENOENT with the attribute in extack (the caller says what it
 * is); one that does not fit a message: -EMSGSIZE (dump it).
 */
static int vbus_genl_get(struct genl_info *info, const struct vbus_get *get)
{
	struct vbus_nl_info ni = {
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.cmd = info->genlhdr->cmd,
	};
	struct sk_buff *msg;
	void *obj;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, get->attr))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	ni.page = (char *)__get_free_page(GFP_KERNEL);
	if (!msg || !ni.page) {
		err = -ENOMEM;
		goto out_free;
	}
	mutex_lock(&vbus_lock);
	obj = get->find(nla_data(info->attrs[get->attr]));
	if (obj) {
		err = get->fill(msg, obj, &ni);
		if (err)
			NL_SET_ERR_MSG(info->extack, "too large for one message: dump it");
	} else {
		NL_SET_BAD_ATTR(info->extack, info->attrs[get->attr]);
		err = -ENOENT;
	}
	mutex_unlock(&vbus_lock);
	if (err)
		goto out_free;
	free_page((unsigned long)ni.page);
	return genlmsg_reply(msg, info);

out_free:
	nlmsg_free(msg);
	free_page((unsigned long)ni.page);
	return err;
}

static void *vbus_class_lookup(const char *name)
{
	return vbus_class_find(name);
}

static void *vbus_bus_lookup(const char *name)
{
	return vbus_bus_find(name);
}

static void *vbus_device_lookup(const char *name)
{
	return vbus_device_find(name);
}

static int vbus_genl_class_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const struct vbus_get get = {
		VBUS_A_CLASS_NAME, vbus_class_lookup, vbus_class_fill
	};
	int err = vbus_genl_get(info, &get);

	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such device class");
	return err;
}

static int vbus_genl_bus_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const struct vbus_get get = {
		VBUS_A_BUS_NAME, vbus_bus_lookup, vbus_bus_fill
	};
	int err = vbus_genl_get(info, &get);

	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such bus");
	return err;
}

static int vbus_genl_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const struct vbus_get get = {
		VBUS_A_DEVICE_NAME, vbus_device_lookup, vbus_device_fill
	};
	int err = vbus_genl_get(info, &get);

	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such device");
	return err;
}

/* Zeroes what the statistics fill shows: the same counter table. */
static int vbus_genl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vbus_member *m;
	struct vbus_bus *bus;
	unsigned long id;
	unsigned int i;

	mutex_lock(&vbus_lock);
	xa_for_each(&vbus_buses, id, bus) {
		list_for_each_entry(m, &bus->members, bus_entry) {
			if (!vbus_stats_match(m, info->attrs))
				continue;
			for (i = 0; i < ARRAY_SIZE(vbus_counters); i++)
				atomic64_set(vbus_counter(m, i), 0);
			for (i = 0; m->guest && i < ARRAY_SIZE(vbus_guest_counters); i++)
				atomic64_set(vbus_guest_stat(m, i), 0);
		}
	}
	mutex_unlock(&vbus_lock);
	return 0;
}

/* Policies: one per operation, validated strictly. */

static const struct nla_policy vbus_class_get_policy[VBUS_A_CLASS_NAME + 1] = {
	[VBUS_A_CLASS_NAME]	= { .type = NLA_NUL_STRING, .len = VBUS_TYPE_LEN - 1 },
};

static const struct nla_policy vbus_bus_get_policy[VBUS_A_BUS_DEVICE + 1] = {
	[VBUS_A_BUS_NAME]	= { .type = NLA_NUL_STRING, .len = VBUS_NAME_MAX },
	[VBUS_A_BUS_DEVICE]	= { .type = NLA_NUL_STRING, .len = VBUS_NAME_MAX },
};

static const struct nla_policy vbus_device_get_policy[VBUS_A_DEVICE_BUS + 1] = {
	[VBUS_A_DEVICE_NAME]	= { .type = NLA_NUL_STRING, .len = VBUS_NAME_MAX },
	[VBUS_A_DEVICE_CLASS]	= { .type = NLA_NUL_STRING, .len = VBUS_TYPE_LEN - 1 },
	[VBUS_A_DEVICE_BUS]	= { .type = NLA_NUL_STRING, .len = VBUS_NAME_MAX },
};

static const struct nla_policy vbus_stats_policy[VBUS_A_STATS_MEMBER + 1] = {
	[VBUS_A_STATS_BUS]	= { .type = NLA_NUL_STRING, .len = VBUS_NAME_MAX },
	[VBUS_A_STATS_MEMBER]	= { .type = NLA_U32 },
};

static const struct genl_ops vbus_genl_ops[] = {
	{
		.cmd	= VBUS_CMD_CLASS_GET,
		.doit	= vbus_genl_class_doit,
		.dumpit	= vbus_genl_class_dumpit,
		.policy	= vbus_class_get_policy,
		.maxattr = ARRAY_SIZE(vbus_class_get_policy) - 1,
	},
	{
		.cmd	= VBUS_CMD_BUS_GET,
		.doit	= vbus_genl_bus_doit,
		.dumpit	= vbus_genl_bus_dumpit,
		.policy	= vbus_bus_get_policy,
		.maxattr = ARRAY_SIZE(vbus_bus_get_policy) - 1,
	},
	{
		.cmd	= VBUS_CMD_DEVICE_GET,
		.doit	= vbus_genl_device_doit,
		.dumpit	= vbus_genl_device_dumpit,
		.policy	= vbus_device_get_policy,
		.maxattr = ARRAY_SIZE(vbus_device_get_policy) - 1,
	},
	{
		.cmd	= VBUS_CMD_STATS_GET,
		.dumpit	= vbus_genl_stats_dumpit,
		.policy	= vbus_stats_policy,
		.maxattr = ARRAY_SIZE(vbus_stats_policy) - 1,
	},
	{
		.cmd	= VBUS_CMD_STATS_RESET,
		.doit	= vbus_genl_stats_reset_doit,
		.policy	= vbus_stats_policy,
		.maxattr = ARRAY_SIZE(vbus_stats_policy) - 1,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family vbus_genl_family __ro_after_init = {
	.name		= VBUS_GENL_NAME,
	.version	= VBUS_GENL_VERSION,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= vbus_genl_ops,
	.n_ops		= ARRAY_SIZE(vbus_genl_ops),
	.resv_start_op	= VBUS_CMD_STATS_RESET + 1,
	.mcgrps		= vbus_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vbus_genl_mcgrps),
};

/* Notifications, skipped when nobody listens. Callers hold vbus_lock but where said. */

static void vbus_notify(u8 cmd, int (*put)(struct sk_buff *skb, void *obj), void *obj)
{
	struct vbus_nl_info info = { .cmd = cmd };
	struct sk_buff *skb;

	if (!genl_has_listeners(&vbus_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto out_lost;
	if (vbus_fill(skb, put, obj, &info)) {
		nlmsg_free(skb);
		goto out_lost;
	}
	genlmsg_multicast(&vbus_genl_family, skb, 0, 0, GFP_KERNEL);
	return;

out_lost:
	/* Listeners learn of it as of an overrun (ENOBUFS) and dump again. */
	genl_set_err(&vbus_genl_family, &init_net, 0, 0, -ENOBUFS);
}

void vbus_notify_class(struct vbus_class *class, u8 cmd)
{
	vbus_notify(cmd, vbus_class_put, class);
}

void vbus_notify_bus(struct vbus_bus *bus, u8 cmd)
{
	vbus_notify(cmd, vbus_bus_put, bus);
}

void vbus_notify_device(struct vbus_device *dev, u8 cmd)
{
	vbus_notify(cmd, vbus_device_put, dev);
}

struct vbus_attr_change {
	struct vbus_device *dev;
	const char *attr;
};

static int vbus_attr_change_put(struct sk_buff *skb, void *obj)
{
	struct vbus_attr_change *ac = obj;
	struct vbus_device *dev = ac->dev;
	struct nlattr *nest;

	if (nla_put_string(skb, VBUS_A_DEVICE_NAME, dev->name) ||
	    nla_put_string(skb, VBUS_A_DEVICE_CLASS, dev->class->name) ||
	    nla_put_string(skb, VBUS_A_DEVICE_TYPE, dev->class->type))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, VBUS_A_DEVICE_ATTR);
	if (!nest || nla_put_string(skb, VBUS_A_ATTR_NAME, ac->attr))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Unlike the other notifications this one takes no lock: it is sent from
 * sysfs writes (which device removal waits for under vbus_lock) and from
 * classes' own contexts. It reads only what is fixed once the device has its
 * class, and the caller keeps the device alive.
 */
void vbus_device_attr_changed(struct vbus_device *dev, const char *attr)
{
	struct vbus_attr_change ac = { .dev = dev, .attr = attr };

	if (!READ_ONCE(dev->class))	/* still in its class's create() */
		return;
	vbus_notify(VBUS_CMD_DEVICE_ATTR_NTF, vbus_attr_change_put, &ac);
}
EXPORT_SYMBOL_GPL(vbus_device_attr_changed);

void vbus_notify_link(struct vbus_link *link, u8 cmd)
{
	vbus_notify(cmd, vbus_link_put, link);
}

void vbus_notify_member(struct vbus_member *m, u8 cmd)
{
	vbus_notify(cmd, vbus_member_put, m);
}

int vbus_genl_init(void)
{
	return genl_register_family(&vbus_genl_family);
}

void vbus_genl_exit(void)
{
	genl_unregister_family(&vbus_genl_family);
}
