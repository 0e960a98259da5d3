// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl: how buses, devices, classes, links, members and connection
 * statistics print, in text and JSON from the same calls (doc/vbusctl-json.md
 * documents the JSON shapes).
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "print.h"
#include "show.h"

int show_error(const char *what, int err)
{
	if (err == -ENODEV)
		fprintf(stderr, "Error: cannot show %s: the vbus kernel module is not loaded.\n",
			what);
	else
		fprintf(stderr, "Error: cannot show %s: %s.\n", what, vbus_strerror(err));
	return EXIT_SYSTEM;
}

static void print_owner(struct printer *p, uid_t uid, gid_t gid)
{
	struct passwd *pw = getpwuid(uid);
	struct group *gr = getgrgid(gid);

	print_uint(p, PRINT_JSON, "owner", NULL, uid);
	if (pw)
		print_string(p, PRINT_TEXT, NULL, " owner %s", pw->pw_name);
	else
		print_uint(p, PRINT_TEXT, NULL, " owner %" PRIu64, uid);
	print_uint(p, PRINT_JSON, "group", NULL, gid);
	if (gr)
		print_string(p, PRINT_TEXT, NULL, " group %s", gr->gr_name);
	else
		print_uint(p, PRINT_TEXT, NULL, " group %" PRIu64, gid);
}

/* The counters of a connection, as a "stats" object (text: one line). */
static void print_counters(struct printer *p, const struct vbus_stats *s)
{
	print_open_object(p, "stats");
	for (enum vbus_counter c = 0; c < _VBUS_COUNTER_MAX; c++) {
		char fmt[32];

		snprintf(fmt, sizeof(fmt), "%s%s %%" PRIu64, c ? " " : "", vbus_counter_name(c));
		print_uint(p, PRINT_ANY, vbus_counter_name(c), fmt, vbus_stats_get(s, c));
	}
	print_close_object(p);
}

/* A guest connection's own counters, "guest_stats" (text: a line after @lead). */
static void print_guest_counters(struct printer *p, const struct vbus_stats *s,
				 const char *lead)
{
	if (!vbus_stats_is_guest(s))
		return;
	print_string(p, PRINT_TEXT, NULL, "%sguest", lead);
	print_open_object(p, "guest_stats");
	for (enum vbus_guest_counter c = 0; c < _VBUS_GUEST_COUNTER_MAX; c++) {
		char fmt[40];

		snprintf(fmt, sizeof(fmt), " %s %%" PRIu64, vbus_guest_counter_name(c));
		print_uint(p, PRINT_ANY, vbus_guest_counter_name(c), fmt,
			   vbus_stats_get_guest(s, c));
	}
	print_close_object(p);
}

/* Text: " guest" after a member that is a guest connection; JSON: "guest", always. */
static void print_guest_flag(struct printer *p, const struct vbus_member *m)
{
	if (vbus_member_is_guest(m))
		print_bool(p, PRINT_ANY, "guest", " guest", true);
	else
		print_bool(p, PRINT_JSON, "guest", NULL, false);
}

void print_stats(struct ctl *ctl, const char *key, const struct vbus_stats *s)
{
	struct printer *p = ctl->out;

	print_open_object(p, key);
	print_string(p, PRINT_ANY, "bus", "bus %s", vbus_stats_get_bus(s));
	print_uint(p, PRINT_ANY, "member", " member %" PRIu64, vbus_stats_get_member(s));
	print_uint(p, PRINT_ANY, "pid", " pid %" PRIu64, vbus_stats_get_pid(s));
	print_string(p, PRINT_TEXT, NULL, "%s", "\n    ");
	print_counters(p, s);
	print_guest_counters(p, s, "\n    ");
	print_nl(p);
	print_close_object(p);
}

void print_member(struct ctl *ctl, const char *key, const struct vbus_member *m)
{
	struct printer *p = ctl->out;

	print_open_object(p, key);
	print_string(p, PRINT_ANY, "bus", "bus %s ", vbus_member_get_bus(m));
	print_uint(p, PRINT_ANY, "pid", "pid %" PRIu64, vbus_member_get_pid(m));
	print_uint(p, PRINT_ANY, "id", " id %" PRIu64, vbus_member_get_id(m));
	print_guest_flag(p, m);
	print_close_object(p);
}

void print_link(struct ctl *ctl, const char *key, const struct vbus_link *l)
{
	struct printer *p = ctl->out;

	print_open_object(p, key);
	print_string(p, PRINT_ANY, "bus", "bus %s ", vbus_link_get_bus(l));
	print_uint(p, PRINT_ANY, "id", "id %" PRIu64, vbus_link_get_id(l));
	if (vbus_link_get_device(l))
		print_string(p, PRINT_ANY, "device", " device %s", vbus_link_get_device(l));
	if (vbus_link_get_type(l))
		print_string(p, PRINT_ANY, "type", " type %s", vbus_link_get_type(l));
	print_close_object(p);
}

static const struct vbus_stats *member_stats(struct vbus_stats **stats, const char *bus,
					     uint32_t member)
{
	for (; stats && *stats; stats++)
		if (vbus_stats_get_member(*stats) == member &&
		    strcmp(vbus_stats_get_bus(*stats), bus) == 0)
			return *stats;
	return NULL;
}

static const struct vbus_device *find_device(struct vbus_device **devs, const char *name)
{
	for (; devs && *devs; devs++)
		if (strcmp(vbus_device_get_name(*devs), name) == 0)
			return *devs;
	return NULL;
}

/* Class attribute @i of @d as its type says: a JSON number or boolean, text as sysfs shows it. */
static void print_attr_value(struct printer *p, const struct vbus_device *d, unsigned int i,
			     const char *key)
{
	switch (vbus_device_get_attr_type(d, i)) {
	case VBUS_ATTRIBUTE_UINT:
		print_uint(p, PRINT_ANY, key, "%" PRIu64, vbus_device_get_attr_uint(d, i));
		break;
	case VBUS_ATTRIBUTE_BOOL:
		print_bool(p, PRINT_JSON, key, NULL, vbus_device_get_attr_uint(d, i));
		print_string(p, PRINT_TEXT, NULL, "%s", vbus_device_get_attr_value(d, i));
		break;
	default:
		print_string(p, PRINT_ANY, key, "%s", vbus_device_get_attr_value(d, i));
		break;
	}
}

/*
 * The class attributes of @d of kind @kind, under @key, "NAME VALUE"
 * separated by @sep, after @lead in text. Per-queue counters (named
 * QUEUE_COUNTER) go one object and one line per queue, "queue QUEUE: ...".
 */
static void print_attr_kind(struct printer *p, const struct vbus_device *d,
			    enum vbus_attribute_kind kind, const char *key, const char *lead,
			    const char *sep)
{
	unsigned int i, n = vbus_device_get_n_attrs(d), shown = 0;
	char queue[64] = "";

	print_open_object(p, key);
	for (i = 0; i < n; i++) {
		const char *name = vbus_device_get_attr_name(d, i);
		const char *field = name;

		if (vbus_device_get_attr_kind(d, i) != kind)
			continue;
		if (kind == VBUS_ATTRIBUTE_QUEUE_COUNTER) {
			size_t len = strcspn(name, "_");

			if (name[len] && (strncmp(queue, name, len) || queue[len])) {
				if (queue[0]) {
					print_close_object(p);
					print_nl(p);
				}
				snprintf(queue, sizeof(queue), "%.*s", (int)len, name);
				print_open_object(p, queue);
				print_string(p, PRINT_TEXT, NULL, "%squeue ", lead);
				print_string(p, PRINT_TEXT, NULL, "%s:", queue);
			}
			field = name[len] ? name + len + 1 : name;
			print_string(p, PRINT_TEXT, NULL, "%s", sep);
		} else {
			print_string(p, PRINT_TEXT, NULL, "%s", shown ? sep : lead);
		}
		print_string(p, PRINT_TEXT, NULL, "%s ", field);
		print_attr_value(p, d, i, field);
		shown++;
	}
	if (queue[0])
		print_close_object(p);
	if (shown)
		print_nl(p);
	print_close_object(p);
}

/*
 * A device's class attributes: its @settings, then by the number of -s
 * (@level) its counters ("stats", -s) and its queues' ("queues", -s -s).
 * Text: after @indent, the settings one a line.
 */
static void print_attrs(struct printer *p, const struct vbus_device *d, bool settings,
			int level, const char *indent)
{
	char sep[32], lead[40];

	snprintf(sep, sizeof(sep), "\n%s", indent);
	if (settings)
		print_attr_kind(p, d, VBUS_ATTRIBUTE_SETTING, "attributes", indent, sep);
	snprintf(lead, sizeof(lead), "%sstats: ", indent);
	if (level >= 1)
		print_attr_kind(p, d, VBUS_ATTRIBUTE_COUNTER, "stats", lead, " ");
	if (level >= 2)
		print_attr_kind(p, d, VBUS_ATTRIBUTE_QUEUE_COUNTER, "queues", indent, " ");
}

/*
 * A bus with its devices and members; @stats (-s): the connections of all
 * buses, whose counters are shown under the bus's members; @devs (-s -s):
 * all devices, whose counters and per-queue counters are shown under the
 * bus's devices.
 */
void print_bus(struct ctl *ctl, const char *key, const struct vbus_bus *b,
	       struct vbus_stats **stats, struct vbus_device **devs)
{
	const char *name = vbus_bus_get_name(b);
	struct printer *p = ctl->out;
	const struct vbus_member *m;
	const struct vbus_link *l;
	const struct vbus_device *d;
	const struct vbus_stats *s;
	unsigned int i;
	char mode[8];

	print_open_object(p, key);
	print_string(p, PRINT_ANY, "name", "bus %s", name);
	print_owner(p, vbus_bus_get_owner(b), vbus_bus_get_group(b));
	snprintf(mode, sizeof(mode), "%04o", (unsigned int)vbus_bus_get_mode(b));
	print_string(p, PRINT_ANY, "mode", " mode %s", mode);
	/* Text: only when on, as ip(8) prints flags that are set. */
	if (vbus_bus_get_local(b))
		print_bool(p, PRINT_ANY, "local", " local on", true);
	else
		print_bool(p, PRINT_JSON, "local", NULL, false);
	print_nl(p);
	print_open_array(p, "devices");
	for (i = 0; i < vbus_bus_get_n_links(b); i++) {
		l = vbus_bus_get_link(b, i);
		print_open_object(p, NULL);
		print_uint(p, PRINT_ANY, "id", "    id %" PRIu64, vbus_link_get_id(l));
		print_string(p, PRINT_ANY, "device", " device %s", vbus_link_get_device(l));
		print_string(p, PRINT_ANY, "type", " type %s", vbus_link_get_type(l));
		print_nl(p);
		d = find_device(devs, vbus_link_get_device(l));
		if (d)
			print_attrs(p, d, false, ctl->stats, "        ");
		print_close_object(p);
	}
	print_close_array(p);
	print_open_array(p, "members");
	for (i = 0; i < vbus_bus_get_n_members(b); i++) {
		m = vbus_bus_get_member(b, i);
		print_open_object(p, NULL);
		print_uint(p, PRINT_ANY, "pid", "    member pid %" PRIu64, vbus_member_get_pid(m));
		print_uint(p, PRINT_ANY, "id", " id %" PRIu64, vbus_member_get_id(m));
		print_guest_flag(p, m);
		print_nl(p);
		s = member_stats(stats, name, vbus_member_get_id(m));
		if (s) {
			print_string(p, PRINT_TEXT, NULL, "%s", "        ");
			print_counters(p, s);
			print_guest_counters(p, s, "\n        ");
			print_nl(p);
		}
		print_close_object(p);
	}
	print_close_array(p);
	print_close_object(p);
}

void print_device(struct ctl *ctl, const char *key, const struct vbus_device *d, int priority)
{
	struct printer *p = ctl->out;
	unsigned int i;

	print_open_object(p, key);
	print_string(p, PRINT_ANY, "name", "device %s", vbus_device_get_name(d));
	if (vbus_device_get_class(d)) {
		print_string(p, PRINT_ANY, "class", " class %s", vbus_device_get_class(d));
		print_string(p, PRINT_ANY, "type", " type %s", vbus_device_get_type(d));
	} else {
		print_null(p, PRINT_ANY, "class", " untyped");
		print_null(p, PRINT_JSON, "type", NULL);
	}
	if (priority >= 0)
		print_uint(p, PRINT_ANY, "priority", " priority %" PRIu64, priority);
	print_nl(p);
	print_open_array(p, "buses");
	for (i = 0; i < vbus_device_get_n_links(d); i++) {
		const struct vbus_link *l = vbus_device_get_link(d, i);

		print_open_object(p, NULL);
		print_string(p, PRINT_ANY, "bus", "    bus %s", vbus_link_get_bus(l));
		print_uint(p, PRINT_ANY, "id", " id %" PRIu64, vbus_link_get_id(l));
		print_nl(p);
		print_close_object(p);
	}
	print_close_array(p);
	print_attrs(p, d, true, ctl->stats, "    ");
	print_close_object(p);
}

void print_class(struct ctl *ctl, const char *key, const struct vbus_class *c)
{
	struct printer *p = ctl->out;

	print_open_object(p, key);
	print_string(p, PRINT_ANY, "name", "class %s", vbus_class_get_name(c));
	print_string(p, PRINT_ANY, "type", " type %s", vbus_class_get_type(c));
	print_uint(p, PRINT_ANY, "devices", " devices %" PRIu64, vbus_class_get_devices(c));
	print_nl(p);
	print_close_object(p);
}
