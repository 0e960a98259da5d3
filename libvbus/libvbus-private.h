/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LIBVBUS_PRIVATE_H
#define LIBVBUS_PRIVATE_H

#include <stddef.h>

/* Symbols are hidden by default; this marks the exported API. */
#define VBUS_EXPORT __attribute__((visibility("default")))

struct vbus_ctx {
	char *root;	/* prefix for every kernel path; "" means "/" */
};

/* "<root><fmt...>" into @buf; -ENAMETOOLONG if it does not fit. */
int vbus_path(const struct vbus_ctx *ctx, char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int vbus_read_line(const struct vbus_ctx *ctx, const char *path, char **ret_line);

/* Write @value to the attribute file @path (below the root) in one write(). */
int vbus_write_attr(const struct vbus_ctx *ctx, const char *path, const char *value);

#endif
