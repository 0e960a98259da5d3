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

#ifdef __cplusplus
}
#endif

#endif /* VBUS_VBUS_H */
