/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a plan, all or nothing: when a step fails, the steps already
 * taken are undone in reverse order.
 */
#ifndef VBUSD_APPLY_H
#define VBUSD_APPLY_H

#include "plan.h"

struct vbus_ctx;

/* The kernel operations a plan uses (libvbus in vbusd, a fake in tests). */
struct kops {
	int (*bus_add)(void *ud, const char *bus);
	int (*bus_del)(void *ud, const char *bus);
	int (*bus_set_perm)(void *ud, const char *bus, uid_t owner, gid_t group, mode_t mode);
	int (*dev_add)(void *ud, const char *dev, const char *class);
	int (*dev_del)(void *ud, const char *dev);
	int (*dev_set_attr)(void *ud, const char *dev, const char *attr, const char *value);
	int (*link)(void *ud, const char *dev, const char *bus);
	int (*unlink)(void *ud, const char *dev, const char *bus);
	/* Optional: called after every step and undo, so a caller can show life. */
	void (*progress)(void);
	int (*bus_set_local)(void *ud, const char *bus, bool on);
	int (*dev_set_priority)(void *ud, const char *dev, unsigned priority);
};

extern const struct kops kops_libvbus;	/* ud: struct vbus_ctx * */

/*
 * Apply @p. On failure (a negative errno) every step taken has been undone
 * and *ret_error (free() it) says which step failed and why.
 */
int plan_apply(const struct plan *p, const struct kops *ops, void *ud, char **ret_error);

#endif
