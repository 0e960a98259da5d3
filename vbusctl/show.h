/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbusctl: printing of buses, devices, classes and statistics, shared by
 * the show commands, stats and monitor (one code path for text and JSON). */
#ifndef VBUSCTL_SHOW_H
#define VBUSCTL_SHOW_H

struct ctl;
struct vbus_bus;
struct vbus_class;
struct vbus_device;
struct vbus_link;
struct vbus_member;
struct vbus_stats;

/*
 * Each prints one object: in JSON an object under @key (NULL in an array),
 * in text one line or block.
 */
void print_bus(struct ctl *ctl, const char *key, const struct vbus_bus *b,
	       struct vbus_stats **stats, struct vbus_device **devs);
/* @priority: the device's (configfs), or -1 to leave it out. */
void print_device(struct ctl *ctl, const char *key, const struct vbus_device *d, int priority);
void print_class(struct ctl *ctl, const char *key, const struct vbus_class *c);
void print_link(struct ctl *ctl, const char *key, const struct vbus_link *l);
void print_member(struct ctl *ctl, const char *key, const struct vbus_member *m);
void print_stats(struct ctl *ctl, const char *key, const struct vbus_stats *s);

/* "Error: cannot show <what>: <reason>", -ENODEV as a missing module. */
int show_error(const char *what, int err);

#endif
