/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbusctl: the entry point of each OBJECT. */
#ifndef VBUSCTL_OBJECTS_H
#define VBUSCTL_OBJECTS_H

struct ctl;

int do_bus(struct ctl *ctl, int argc, char **argv);
int do_device(struct ctl *ctl, int argc, char **argv);
int do_class(struct ctl *ctl, int argc, char **argv);
int do_stats(struct ctl *ctl, int argc, char **argv);
int do_monitor(struct ctl *ctl, int argc, char **argv);
int do_topology(struct ctl *ctl, int argc, char **argv);

#endif
