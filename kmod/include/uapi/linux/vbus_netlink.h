/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The "vbus" generic netlink family: dumps of classes, buses, devices and
 * connection statistics, and the "events" multicast group. Described in
 * doc/netlink/specs/vbus.yaml (the kernel's YAML netlink spec format) and
 * doc/abi/genl.md; keep the three in step.
 */
#ifndef _UAPI_LINUX_VBUS_NETLINK_H
#define _UAPI_LINUX_VBUS_NETLINK_H

#define VBUS_GENL_NAME		"vbus"
#define VBUS_GENL_VERSION	1
#define VBUS_MCGRP_EVENTS	"events"

enum {
	VBUS_A_CLASS_NAME = 1,		/* string */
	VBUS_A_CLASS_TYPE,		/* string: interface type */
	VBUS_A_CLASS_DEVICES,		/* u32: devices of the class */

	__VBUS_A_CLASS_MAX,
	VBUS_A_CLASS_MAX = (__VBUS_A_CLASS_MAX - 1)
};

/* A device on a bus, nested in bus and device replies; LINK_*_NTF. */
enum {
	VBUS_A_LINK_BUS = 1,		/* string */
	VBUS_A_LINK_ID,			/* u32 */
	VBUS_A_LINK_DEVICE,		/* string */
	VBUS_A_LINK_TYPE,		/* string: interface type */

	__VBUS_A_LINK_MAX,
	VBUS_A_LINK_MAX = (__VBUS_A_LINK_MAX - 1)
};

/* One open of /dev/vbus/<bus>, nested in bus replies; MEMBER_*_NTF. */
enum {
	VBUS_A_MEMBER_ID = 1,		/* u32: unique while the module is loaded */
	VBUS_A_MEMBER_PID,		/* u32: the opener */
	VBUS_A_MEMBER_BUS,		/* string */
	VBUS_A_MEMBER_GUEST,		/* u8: 1 for a guest connection (pid: QEMU's) */

	__VBUS_A_MEMBER_MAX,
	VBUS_A_MEMBER_MAX = (__VBUS_A_MEMBER_MAX - 1)
};

enum {
	VBUS_A_BUS_NAME = 1,		/* string; request: filter */
	VBUS_A_BUS_OWNER,		/* u32 uid */
	VBUS_A_BUS_GROUP,		/* u32 gid */
	VBUS_A_BUS_MODE,		/* u32 */
	VBUS_A_BUS_LINK,		/* nest (link), multi */
	VBUS_A_BUS_MEMBER,		/* nest (member), multi */
	VBUS_A_BUS_DEVICE,		/* string; request: only buses with this device */
	VBUS_A_BUS_LOCAL,		/* u8: 1 while the local connector is on */

	__VBUS_A_BUS_MAX,
	VBUS_A_BUS_MAX = (__VBUS_A_BUS_MAX - 1)
};

/* What a class attribute is (VBUS_A_ATTR_KIND). */
enum vbus_attr_kind {
	VBUS_ATTR_KIND_SETTING,		/* configuration or state */
	VBUS_ATTR_KIND_COUNTER,		/* a counter of the device; only goes up */
	VBUS_ATTR_KIND_QUEUE_COUNTER,	/* a counter of one queue, named QUEUE_COUNTER */
};

/* How a class attribute's value reads (VBUS_A_ATTR_TYPE). */
enum vbus_attr_type {
	VBUS_ATTR_TYPE_STRING,
	VBUS_ATTR_TYPE_UINT,		/* decimal, 0..2^64-1 */
	VBUS_ATTR_TYPE_BOOL,		/* 0 or 1 */
};

/* What a counter counts, where tools derive rates from it (VBUS_A_ATTR_COUNTS). */
enum vbus_attr_counts {
	VBUS_ATTR_COUNTS_OTHER,
	VBUS_ATTR_COUNTS_FRAMES_IN,	/* frames (descriptors) delivered to the client */
	VBUS_ATTR_COUNTS_FRAMES_OUT,	/* frames (descriptors) taken from the client */
};

/* A class attribute of a device, nested in device replies. */
enum {
	VBUS_A_ATTR_NAME = 1,		/* string */
	VBUS_A_ATTR_VALUE,		/* string, as sysfs shows it */
	VBUS_A_ATTR_KIND,		/* u8: enum vbus_attr_kind */
	VBUS_A_ATTR_TYPE,		/* u8: enum vbus_attr_type */
	VBUS_A_ATTR_COUNTS,		/* u8: enum vbus_attr_counts; counters only */

	__VBUS_A_ATTR_MAX,
	VBUS_A_ATTR_MAX = (__VBUS_A_ATTR_MAX - 1)
};

enum {
	VBUS_A_DEVICE_NAME = 1,		/* string; request: filter */
	VBUS_A_DEVICE_CLASS,		/* string; absent while untyped; request: filter */
	VBUS_A_DEVICE_TYPE,		/* string: interface type */
	VBUS_A_DEVICE_LINK,		/* nest (link), multi */
	VBUS_A_DEVICE_ATTR,		/* nest (attr), multi */
	VBUS_A_DEVICE_BUS,		/* string; request: only devices on this bus */

	__VBUS_A_DEVICE_MAX,
	VBUS_A_DEVICE_MAX = (__VBUS_A_DEVICE_MAX - 1)
};

/* Counters of one connection (membership); doc/statistics.md. */
enum {
	VBUS_A_STATS_BUS = 1,		/* string; request: filter */
	VBUS_A_STATS_MEMBER,		/* u32: VBUS_A_MEMBER_ID; request: filter */
	VBUS_A_STATS_PID,		/* u32 */
	VBUS_A_STATS_PAD,
	VBUS_A_STATS_EVENTS,		/* u64 */
	VBUS_A_STATS_QNOTIFY,		/* u64 */
	VBUS_A_STATS_QINJECT,		/* u64 */
	VBUS_A_STATS_NOTIFY,		/* u64 */
	VBUS_A_STATS_INJECT,		/* u64 */
	VBUS_A_STATS_BRIDGECALLS,	/* u64 */
	VBUS_A_STATS_BUSCALLS,		/* u64 */
	VBUS_A_STATS_BAD_REQUEST,	/* u64: a guest connection's only, as below */
	VBUS_A_STATS_BAD_KICK,		/* u64 */
	VBUS_A_STATS_QUEUE_OVERFLOW,	/* u64 */
	VBUS_A_STATS_RESETS,		/* u64 */

	__VBUS_A_STATS_MAX,
	VBUS_A_STATS_MAX = (__VBUS_A_STATS_MAX - 1)
};

enum {
	VBUS_CMD_CLASS_GET = 1,		/* do (CLASS_NAME) and dump */
	VBUS_CMD_BUS_GET,		/* do (BUS_NAME) and dump (BUS_DEVICE) */
	VBUS_CMD_DEVICE_GET,		/* do (DEVICE_NAME) and dump (DEVICE_CLASS, DEVICE_BUS) */
	VBUS_CMD_STATS_GET,		/* dump (STATS_BUS, STATS_MEMBER) */
	VBUS_CMD_STATS_RESET,		/* do (STATS_BUS, STATS_MEMBER); CAP_NET_ADMIN */
	VBUS_CMD_CLASS_ADD_NTF,		/* class attributes */
	VBUS_CMD_CLASS_DEL_NTF,
	VBUS_CMD_BUS_ADD_NTF,		/* bus attributes (name, owner, group, mode) */
	VBUS_CMD_BUS_DEL_NTF,
	VBUS_CMD_DEVICE_ADD_NTF,	/* device attributes (name, class, type) */
	VBUS_CMD_DEVICE_DEL_NTF,
	VBUS_CMD_DEVICE_CHANGE_NTF,	/* the device got its class */
	VBUS_CMD_LINK_ADD_NTF,		/* link attributes */
	VBUS_CMD_LINK_DEL_NTF,
	VBUS_CMD_MEMBER_ADD_NTF,	/* member attributes */
	VBUS_CMD_MEMBER_DEL_NTF,
	VBUS_CMD_BUS_CHANGE_NTF,	/* bus attributes: owner, group or mode changed */
	VBUS_CMD_DEVICE_ATTR_NTF,	/* device name, class, type and one DEVICE_ATTR */
					/* with the name (no value) of a class */
					/* attribute whose value changed */

	__VBUS_CMD_MAX,
	VBUS_CMD_MAX = (__VBUS_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VBUS_NETLINK_H */

