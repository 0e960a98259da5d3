// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus: context, versions and error strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vbus.h>
#include <vbus/vbus.h>

#include "libvbus-private.h"

VBUS_EXPORT const char *vbus_library_version(void)
{
	return PACKAGE_VERSION;
}

VBUS_EXPORT const char *vbus_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

VBUS_EXPORT int vbus_ctx_new(struct vbus_ctx **ret_ctx)
{
	struct vbus_ctx *ctx;

	if (!ret_ctx)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->root = strdup("");
	if (!ctx->root) {
		free(ctx);
		return -ENOMEM;
	}
	*ret_ctx = ctx;
	return 0;
}

VBUS_EXPORT void vbus_ctx_free(struct vbus_ctx *ctx)
{
	if (!ctx)
		return;
	vbus_nl_free(ctx->nl);
	free(ctx->root);
	free(ctx);
}

VBUS_EXPORT int vbus_ctx_set_root(struct vbus_ctx *ctx, const char *root)
{
	char *copy;
	size_t len;

	if (!ctx)
		return -EINVAL;
	if (!root)
		root = "";
	else if (root[0] != '/')
		return -EINVAL;
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	copy = strndup(root, len);
	if (!copy)
		return -ENOMEM;
	free(ctx->root);
	ctx->root = copy;
	return 0;
}

int vbus_path(const struct vbus_ctx *ctx, char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(ctx->root);
	va_list ap;
	int r;

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, ctx->root, len);
	va_start(ap, fmt);
	r = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= size - len)
		return -ENAMETOOLONG;
	return 0;
}

/* Read a one-line attribute file below the context root, without the newline. */
int vbus_read_line(const struct vbus_ctx *ctx, const char *path, char **ret_line)
{
	char full[PATH_MAX], buf[4096];
	ssize_t n;
	char *line;
	int fd, r;

	r = vbus_path(ctx, full, sizeof(full), "%s", path);
	if (r < 0)
		return r;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = -errno;
	close(fd);
	if (n < 0)
		return r;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	line = strdup(buf);
	if (!line)
		return -ENOMEM;
	*ret_line = line;
	return 0;
}

int vbus_write_attr(const struct vbus_ctx *ctx, const char *path, const char *value)
{
	char full[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, r;

	r = vbus_path(ctx, full, sizeof(full), "%s", path);
	if (r < 0)
		return r;
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	r = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return r;
}

VBUS_EXPORT int vbus_kernel_version(struct vbus_ctx *ctx, char **ret_version)
{
	if (!ctx || !ret_version)
		return -EINVAL;
	return vbus_read_line(ctx, VBUS_SYSFS_ROOT "/version", ret_version);
}
