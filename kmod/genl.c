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
 * One _fill() per object serves doit, dumpit and notifications. Dumps
 * resume by position, so a dump racing with configfs changes may miss or
 * repeat an object, never crash; the events group reports the changes. No
 * object's size fails a dump: a bus with more links and members than one
 * message holds continues in the next messages, each starting with the
 * bus's name (readers merge them).
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

/* Fill helpers. Callers hold vbus_lock. */

static void *vbus_genl_put(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &vbus_genl_family, flags, cmd);
}

static int vbus_class_put(struct sk_buff *skb, void *obj)
{
	struct vbus_class *class = obj;
	struct vbus_device *dev;
	u32 count = 0;

	list_for_each_entry(dev, &vbus_devices, list)
		count += dev->class == class;
	if (nla_put_string(skb, VBUS_A_CLASS_NAME, class->name) ||
	    nla_put_string(skb, VBUS_A_CLASS_TYPE, class->type) ||
	    nla_put_u32(skb, VBUS_A_CLASS_DEVICES, count))
		return -EMSGSIZE;
	return 0;
}

/* One message of put()'s attributes. */
static int vbus_obj_fill(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd,
			 int (*put)(struct sk_buff *skb, void *obj), void *obj)
{
	void *hdr = vbus_genl_put(skb, portid, seq, flags, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (put(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
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
	    nla_put_string(skb, VBUS_A_MEMBER_BUS, m->bus->name))
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
	    nla_put_u32(skb, VBUS_A_BUS_MODE, bus->mode))
		return -EMSGSIZE;
	return 0;
}

/*
 * One message of a bus, with its links and members (links first) from
 * number *pos on. A bus too large for the rest of the message is cut after
 * what fits: 1 is returned, *pos tells where the next message goes on (the
 * bus's name starts each). 0: the bus is complete; -EMSGSIZE: not even the
 * first of them fitted.
 */
static int vbus_bus_fill(struct sk_buff *skb, struct vbus_bus *bus,
			 u32 portid, u32 seq, int flags, u8 cmd, long *pos)
{
	struct vbus_member *m;
	struct vbus_link *link;
	long i = 0, start = *pos;
	unsigned long id;
	void *hdr;

	hdr = vbus_genl_put(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (vbus_bus_put(skb, bus))
		goto out_cancel;
	xa_for_each(&bus->links, id, link) {
		if (i++ < start)
			continue;
		if (vbus_nest_put(skb, VBUS_A_BUS_LINK, vbus_link_put, link))
			goto out_cut;
		(*pos)++;
	}
	list_for_each_entry(m, &bus->members, bus_entry) {
		if (i++ < start)
			continue;
		if (vbus_nest_put(skb, VBUS_A_BUS_MEMBER, vbus_member_put, m))
			goto out_cut;
		(*pos)++;
	}
	genlmsg_end(skb, hdr);
	return 0;

out_cut:
	if (*pos > start) {
		genlmsg_end(skb, hdr);
		return 1;
	}
out_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
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

static int vbus_device_fill(struct sk_buff *skb, struct vbus_device *dev,
			    u32 portid, u32 seq, int flags, u8 cmd, char *page)
{
	void *hdr;

	hdr = vbus_genl_put(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (vbus_device_put(skb, dev) ||
	    (dev->class && vbus_device_put_attrs(skb, dev, page))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int vbus_stats_fill(struct sk_buff *skb, struct vbus_member *m,
			   u32 portid, u32 seq, int flags)
{
	const struct {
		int attr;
		atomic64_t *val;
	} counters[] = {
		{ VBUS_A_STATS_EVENTS, &m->stats.events },
		{ VBUS_A_STATS_QNOTIFY, &m->stats.qnotify },
		{ VBUS_A_STATS_QINJECT, &m->stats.qinject },
		{ VBUS_A_STATS_NOTIFY, &m->stats.notify },
		{ VBUS_A_STATS_INJECT, &m->stats.inject },
		{ VBUS_A_STATS_BRIDGECALLS, &m->stats.bridgecalls },
		{ VBUS_A_STATS_BUSCALLS, &m->stats.buscalls },
	};
	void *hdr;
	int i;

	hdr = vbus_genl_put(skb, portid, seq, flags, VBUS_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, VBUS_A_STATS_BUS, m->bus->name) ||
	    nla_put_u32(skb, VBUS_A_STATS_MEMBER, m->id) ||
	    nla_put_u32(skb, VBUS_A_STATS_PID, m->pid))
		goto out_cancel;
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		if (nla_put_u64_64bit(skb, counters[i].attr,
				      atomic64_read(counters[i].val), VBUS_A_STATS_PAD))
			goto out_cancel;
	}
	genlmsg_end(skb, hdr);
	return 0;

out_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Filters (the lookups are core.c's). Callers hold vbus_lock. */

static const char *vbus_attr_str(struct nlattr **attrs, int type)
{
	return attrs && attrs[type] ? nla_data(attrs[type]) : NULL;
}

/* Dumps: cb->args[0] is the position to resume from. */

static int vbus_dump_done(struct sk_buff *skb, struct netlink_callback *cb,
			  long idx, int err)
{
	/* Nothing fitted into an empty message: report it, do not loop. */
	if (err && idx == cb->args[0])
		return err;
	cb->args[0] = idx;
	return skb->len;
}

static int vbus_genl_class_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vbus_class *class;
	long idx = 0;
	int err = 0;

	mutex_lock(&vbus_lock);
	list_for_each_entry(class, &vbus_classes, list) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		err = vbus_obj_fill(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				    NLM_F_MULTI, VBUS_CMD_CLASS_GET, vbus_class_put, class);
		if (err)
			break;
		idx++;
	}
	mutex_unlock(&vbus_lock);
	return vbus_dump_done(skb, cb, idx, err);
}

static int vbus_genl_bus_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	const char *name = vbus_attr_str(attrs, VBUS_A_BUS_NAME);
	const char *devname = vbus_attr_str(attrs, VBUS_A_BUS_DEVICE);
	struct vbus_device *dev = NULL;
	struct vbus_bus *bus;
	long idx = 0, pos;
	int err = 0;

	mutex_lock(&vbus_lock);
	if (devname) {
		dev = vbus_device_find(devname);
		if (!dev)
			goto out_unlock;
	}
	list_for_each_entry(bus, &vbus_buses, list) {
		if ((name && strcmp(bus->name, name)) ||
		    (dev && !vbus_link_find(dev, bus)))
			continue;
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		/* cb->args[1]: where the bus at cb->args[0] goes on. */
		pos = idx == cb->args[0] ? cb->args[1] : 0;
		err = vbus_bus_fill(skb, bus, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, VBUS_CMD_BUS_GET, &pos);
		if (err > 0) {
			/* Cut: the next message goes on with this bus. */
			cb->args[1] = pos;
			err = 0;
			break;
		}
		if (err)
			break;
		cb->args[1] = 0;
		idx++;
	}
out_unlock:
	mutex_unlock(&vbus_lock);
	return vbus_dump_done(skb, cb, idx, err);
}

static int vbus_genl_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	const char *name = vbus_attr_str(attrs, VBUS_A_DEVICE_NAME);
	const char *class = vbus_attr_str(attrs, VBUS_A_DEVICE_CLASS);
	const char *bus = vbus_attr_str(attrs, VBUS_A_DEVICE_BUS);
	struct vbus_bus *on = NULL;
	struct vbus_device *dev;
	long idx = 0;
	char *page;
	int err = 0;

	page = (char *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	mutex_lock(&vbus_lock);
	if (bus) {
		on = vbus_bus_find(bus);
		if (!on)
			goto out_unlock;
	}
	list_for_each_entry(dev, &vbus_devices, list) {
		if ((name && strcmp(dev->name, name)) ||
		    (class && (!dev->class || strcmp(dev->class->name, class))) ||
		    (on && !vbus_link_find(dev, on)))
			continue;
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		err = vbus_device_fill(skb, dev, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI,
				       VBUS_CMD_DEVICE_GET, page);
		if (err)
			break;
		idx++;
	}
out_unlock:
	mutex_unlock(&vbus_lock);
	free_page((unsigned long)page);
	return vbus_dump_done(skb, cb, idx, err);
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

static int vbus_genl_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	struct vbus_member *m;
	struct vbus_bus *bus;
	long idx = 0;
	int err = 0;

	mutex_lock(&vbus_lock);
	list_for_each_entry(bus, &vbus_buses, list) {
		list_for_each_entry(m, &bus->members, bus_entry) {
			if (!vbus_stats_match(m, attrs))
				continue;
			if (idx < cb->args[0]) {
				idx++;
				continue;
			}
			err = vbus_stats_fill(skb, m, NETLINK_CB(cb->skb).portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (err)
				goto out_unlock;
			idx++;
		}
	}
out_unlock:
	mutex_unlock(&vbus_lock);
	return vbus_dump_done(skb, cb, idx, err);
}

/* doit handlers */

static int vbus_genl_reply(struct genl_info *info, struct sk_buff *msg, int err)
{
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int vbus_genl_class_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vbus_class *class;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, VBUS_A_CLASS_NAME))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&vbus_lock);
	class = vbus_class_find(nla_data(info->attrs[VBUS_A_CLASS_NAME]));
	if (class) {
		err = vbus_obj_fill(msg, info->snd_portid, info->snd_seq, 0,
				    VBUS_CMD_CLASS_GET, vbus_class_put, class);
	} else {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VBUS_A_CLASS_NAME]);
		NL_SET_ERR_MSG(info->extack, "no such device class");
		err = -ENOENT;
	}
	mutex_unlock(&vbus_lock);
	return vbus_genl_reply(info, msg, err);
}

static int vbus_genl_bus_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vbus_bus *bus;
	struct sk_buff *msg;
	long pos = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, VBUS_A_BUS_NAME))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&vbus_lock);
	bus = vbus_bus_find(nla_data(info->attrs[VBUS_A_BUS_NAME]));
	if (bus) {
		err = vbus_bus_fill(msg, bus, info->snd_portid, info->snd_seq, 0,
				    VBUS_CMD_BUS_GET, &pos);
		if (err > 0) {
			NL_SET_ERR_MSG(info->extack, "bus too large for one message: dump it");
			err = -EMSGSIZE;
		}
	} else {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VBUS_A_BUS_NAME]);
		NL_SET_ERR_MSG(info->extack, "no such bus");
		err = -ENOENT;
	}
	mutex_unlock(&vbus_lock);
	return vbus_genl_reply(info, msg, err);
}

static int vbus_genl_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vbus_device *dev;
	struct sk_buff *msg;
	char *page;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, VBUS_A_DEVICE_NAME))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	page = (char *)__get_free_page(GFP_KERNEL);
	if (!msg || !page) {
		err = -ENOMEM;
		goto out_free;
	}
	mutex_lock(&vbus_lock);
	dev = vbus_device_find(nla_data(info->attrs[VBUS_A_DEVICE_NAME]));
	if (dev) {
		err = vbus_device_fill(msg, dev, info->snd_portid, info->snd_seq, 0,
				       VBUS_CMD_DEVICE_GET, page);
	} else {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VBUS_A_DEVICE_NAME]);
		NL_SET_ERR_MSG(info->extack, "no such device");
		err = -ENOENT;
	}
	mutex_unlock(&vbus_lock);
	free_page((unsigned long)page);
	return vbus_genl_reply(info, msg, err);

out_free:
	nlmsg_free(msg);
	free_page((unsigned long)page);
	return err;
}

static int vbus_genl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vbus_member *m;
	struct vbus_bus *bus;

	mutex_lock(&vbus_lock);
	list_for_each_entry(bus, &vbus_buses, list) {
		list_for_each_entry(m, &bus->members, bus_entry) {
			if (!vbus_stats_match(m, info->attrs))
				continue;
			atomic64_set(&m->stats.events, 0);
			atomic64_set(&m->stats.qnotify, 0);
			atomic64_set(&m->stats.qinject, 0);
			atomic64_set(&m->stats.notify, 0);
			atomic64_set(&m->stats.inject, 0);
			atomic64_set(&m->stats.bridgecalls, 0);
			atomic64_set(&m->stats.buscalls, 0);
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
	struct sk_buff *skb;

	if (!genl_has_listeners(&vbus_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (vbus_obj_fill(skb, 0, 0, 0, cmd, put, obj)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast(&vbus_genl_family, skb, 0, 0, GFP_KERNEL);
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
