/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LIBVBUS_PRIVATE_H
#define LIBVBUS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Symbols are hidden by default; this marks the exported API. */
#define VBUS_EXPORT __attribute__((visibility("default")))

struct vbus_nl;

struct vbus_ctx {
	char *root;		/* prefix for every kernel path; "" means "/" */
	struct vbus_nl *nl;	/* the genl socket, opened on first use */
};

/* The "vbus" generic netlink family (netlink.c). -ENODEV: not registered. */
int vbus_nl_new(struct vbus_nl **ret);
void vbus_nl_free(struct vbus_nl *nl);
/* Start a request of @cmd in the socket's buffer; add attributes, then transact. */
struct nlmsghdr *vbus_nl_request(struct vbus_nl *nl, uint8_t cmd, bool dump);
int vbus_nl_transact(struct vbus_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int vbus_nl_subscribe(struct vbus_nl *nl);
int vbus_nl_fd(const struct vbus_nl *nl);
int vbus_nl_read_events(struct vbus_nl *nl, mnl_cb_t cb, void *data);

/* "<root><fmt...>" into @buf; -ENAMETOOLONG if it does not fit. */
int vbus_path(const struct vbus_ctx *ctx, char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int vbus_read_line(const struct vbus_ctx *ctx, const char *path, char **ret_line);

/* Write @value to the attribute file @path (below the root) in one write(). */
int vbus_write_attr(const struct vbus_ctx *ctx, const char *path, const char *value);

#endif
