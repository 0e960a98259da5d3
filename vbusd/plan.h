/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan: what to create, change and delete to take the live state to the
 * topology, touching only objects vbusd owns. Actions are ordered so that
 * every step is possible when its turn comes (unlink, delete, create, link).
 */
#ifndef VBUSD_PLAN_H
#define VBUSD_PLAN_H

#include <sys/types.h>

#include "live.h"
#include "state.h"
#include "topology.h"

enum action_kind {
	ACT_UNLINK,
	ACT_BUS_DEL,
	ACT_DEV_DEL,
	ACT_DEV_ADD,
	ACT_DEV_ATTR,
	ACT_DEV_PRIO,
	ACT_BUS_ADD,
	ACT_BUS_PERM,
	ACT_LINK,
	ACT_BUS_LOCAL,
};

struct action {
	enum action_kind kind;
	const char *bus;
	const char *dev;
	const char *class;		/* ACT_DEV_ADD */
	const char *attr, *value;	/* ACT_DEV_ATTR */
	const char *old_value;		/* ACT_DEV_ATTR: NULL when not readable */
	unsigned priority;		/* ACT_DEV_PRIO */
	int old_priority;		/* ACT_DEV_PRIO: -1 for a new device or none read */
	uid_t owner;			/* ACT_BUS_ADD, ACT_BUS_PERM */
	gid_t group;
	mode_t mode;
	bool local;			/* ACT_BUS_LOCAL */
	const struct live_bus *old_bus;		/* ACT_BUS_DEL, ACT_BUS_PERM */
	const struct live_device *old_dev;	/* ACT_DEV_DEL */
	size_t seq;
};

struct plan {
	struct action *v;
	size_t n, cap;
	char **errors;		/* objects in the way that vbusd does not own */
	size_t n_errors;
	struct state owned;	/* what vbusd owns once the plan is applied */
};

/*
 * Plan from @t (valid) and @live with @owned the objects vbusd owns. The
 * plan points into all three, which must outlive it.
 */
int plan_compute(struct topology *t, struct live *live, const struct state *owned,
		 struct plan **ret);
void plan_free(struct plan *p);
static inline void plan_freep(struct plan **p)
{
	plan_free(*p);
}

/* "create", "change" or "delete" (what the action does to its object). */
const char *action_verb(const struct action *a);
/* One line describing @a, e.g. "create bus vm1"; free() it. */
char *action_describe(const struct action *a);

#endif
