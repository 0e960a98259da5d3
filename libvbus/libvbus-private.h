/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LIBVBUS_PRIVATE_H
#define LIBVBUS_PRIVATE_H

/* Symbols are hidden by default; this marks the exported API. */
#define VBUS_EXPORT __attribute__((visibility("default")))

struct vbus_ctx;

int vbus_read_line(const struct vbus_ctx *ctx, const char *path, char **ret_line);

#endif
