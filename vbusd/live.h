/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live kernel state vbusd plans against: two genl dumps (buses, devices). */
#ifndef VBUSD_LIVE_H
#define VBUSD_LIVE_H

#include <sys/types.h>

#include "state.h"
#include "util.h"

struct vbus_ctx;

struct live_bus {
	char *name;
	uid_t owner;
	gid_t group;
	mode_t mode;
	bool local;
	struct strset devices;
};

struct live_device {
	char *name;
	char *class;	/* NULL: untyped */
	int priority;	/* configfs's; -1: unknown (the device went away) */
	char **attr_names;
	char **attr_values;
	size_t n_attrs;
	struct strset buses;
};

struct live {
	struct live_bus **buses;
	size_t n_buses;
	struct live_device **devices;
	size_t n_devices;
	struct namemap bus_by_name, device_by_name;
};

int live_read(struct vbus_ctx *ctx, struct live **ret);
/*
 * Read the devices' priorities again: they are not in the dumps (configfs
 * has them) and no event announces a change of one, so a kept live state
 * cannot know them.
 */
int live_read_priorities(struct vbus_ctx *ctx, struct live *l);
void live_free(struct live *l);
static inline void live_freep(struct live **l)
{
	live_free(*l);
}

/* Building blocks of live_read(), for tests. A device has VBUS_PRIORITY_DEFAULT. */
int live_new(struct live **ret);
struct live_bus *live_add_bus(struct live *l, const char *name, uid_t owner, gid_t group,
			      mode_t mode);
struct live_device *live_add_device(struct live *l, const char *name, const char *class);
int live_add_attr(struct live_device *d, const char *name, const char *value);
int live_add_link(struct live *l, const char *bus, const char *dev);

struct live_bus *live_get_bus(struct live *l, const char *name);
struct live_device *live_get_device(struct live *l, const char *name);
/* The value of attribute @name of @d without trailing blanks, or NULL. */
const char *live_device_attr(const struct live_device *d, const char *name);

#endif
