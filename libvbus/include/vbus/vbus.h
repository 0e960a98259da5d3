/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvbus: the one library that knows vbus's kernel interfaces.
 *
 * Conventions: objects are opaque and come from vbus_*_new(), which has a
 * matching vbus_*_free() that accepts NULL. Every call returns 0 (or a
 * count) on success and a negative errno on failure; the library never
 * prints, logs or aborts. Output parameters come last and are named ret_*.
 */
#ifndef VBUS_VBUS_H
#define VBUS_VBUS_H

#include <stdbool.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vbus_ctx;

/* Version of the library, e.g. "0.1.0". */
const char *vbus_library_version(void);

/* Text for a (negative) errno returned by libvbus, as strerror(3) gives it. */
const char *vbus_strerror(int err);

int vbus_ctx_new(struct vbus_ctx **ret_ctx);
void vbus_ctx_free(struct vbus_ctx *ctx);

/*
 * Look up kernel interfaces below @root instead of "/" (a chroot, a test
 * fixture). @root must be an absolute path; NULL restores "/".
 */
int vbus_ctx_set_root(struct vbus_ctx *ctx, const char *root);

/*
 * Version of the loaded vbus kernel module (/sys/vbus/version) into a new
 * string in *ret_version, freed by the caller with free().
 * -ENOENT: the module is not loaded.
 */
int vbus_kernel_version(struct vbus_ctx *ctx, char **ret_version);

/*
 * Administration (configfs, doc/abi/configfs.md). Names of buses and
 * devices are 1-64 characters of [A-Za-z0-9._:-]; any other name is
 * -EINVAL before the kernel is asked. Other errors are the kernel's errno
 * (doc/abi), e.g. -EEXIST, -ENOENT, -EBUSY. A call that fails has changed
 * nothing.
 */
bool vbus_name_valid(const char *name);

/*
 * Mount configfs and load vbus.ko if needed (vbus_bus_add and
 * vbus_device_add call it). -ENODEV: the module is not loaded and cannot be;
 * -EPERM: not root, so it cannot be loaded.
 */
int vbus_load(struct vbus_ctx *ctx);

/* 1 if the bus (device) exists, 0 if not. */
int vbus_bus_exists(struct vbus_ctx *ctx, const char *bus);
int vbus_device_exists(struct vbus_ctx *ctx, const char *dev);

int vbus_bus_add(struct vbus_ctx *ctx, const char *bus);
/* Removes the bus and its links (not the devices). */
int vbus_bus_del(struct vbus_ctx *ctx, const char *bus);
int vbus_bus_set_owner(struct vbus_ctx *ctx, const char *bus, uid_t uid);
int vbus_bus_set_group(struct vbus_ctx *ctx, const char *bus, gid_t gid);
/* -EINVAL: @mode above 0777. */
int vbus_bus_set_mode(struct vbus_ctx *ctx, const char *bus, mode_t mode);
/* Who may attach: owner, group and permission bits. */
int vbus_bus_get_perm(struct vbus_ctx *ctx, const char *bus, uid_t *ret_owner,
		      gid_t *ret_group, mode_t *ret_mode);

/*
 * Create a device of @class. An unknown class makes libvbus load the module
 * that provides it ("modprobe vbus-class-<class>") once; still unknown:
 * -ENOENT.
 */
int vbus_device_add(struct vbus_ctx *ctx, const char *dev, const char *class);
/* Removes the device, detaching it from every bus first. */
int vbus_device_del(struct vbus_ctx *ctx, const char *dev);
int vbus_device_attach(struct vbus_ctx *ctx, const char *dev, const char *bus);
/* -ENOENT: the device is not on the bus. */
int vbus_device_detach(struct vbus_ctx *ctx, const char *dev, const char *bus);
/* Class attributes (sysfs /sys/vbus/devices/<dev>/<attr>). */
int vbus_device_set_attr(struct vbus_ctx *ctx, const char *dev, const char *attr,
			 const char *value);
int vbus_device_get_attr(struct vbus_ctx *ctx, const char *dev, const char *attr,
			 char **ret_value);

/*
 * NULL-terminated lists (free with vbus_strv_free()); the return value is
 * the count: the devices linked on @bus, the buses @dev is linked on.
 */
int vbus_bus_devices(struct vbus_ctx *ctx, const char *bus, char ***ret_devs);
int vbus_device_buses(struct vbus_ctx *ctx, const char *dev, char ***ret_buses);
void vbus_strv_free(char **strv);

#ifdef __cplusplus
}
#endif

#endif /* VBUS_VBUS_H */
