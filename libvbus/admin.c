// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus administration through configfs (doc/abi/configfs.md), the one
 * write path: buses, devices, their types, priorities and links, and class
 * attributes on sysfs (doc/abi/sysfs.md). Compound operations (a device that
 * cannot be typed, a bus or device removed with its links) undo what they
 * did when a later step fails, so a failed call changes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vbus.h>
#include <vbus/vbus.h>

#include "libvbus-private.h"

#define CONFIGFS_MOUNT "/sys/kernel/config"

extern char **environ;

/* Run "modprobe -q NAME"; 0 when it loaded (or was loaded). */
static int modprobe(const char *name)
{
	char *argv[] = { "modprobe", "-q", "--", (char *)name, NULL };
	pid_t pid;
	int r, status;

	r = posix_spawnp(&pid, "modprobe", NULL, NULL, argv, environ);
	if (r)
		return -r;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOENT;
}

/* Does VBUS_CONFIGFS_ROOT/<group>/<name> exist (group and name may be "")? */
static bool configfs_exists(const struct vbus_ctx *ctx, const char *group, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (vbus_path(ctx, path, sizeof(path), VBUS_CONFIGFS_ROOT "/%s/%s", group, name) < 0)
		return false;
	return lstat(path, &st) == 0;
}

/*
 * Make sure configfs is mounted and vbus.ko loaded. Only on the real root:
 * below a test root there is nothing to load.
 */
VBUS_EXPORT int vbus_load(struct vbus_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	if (configfs_exists(ctx, "", ""))
		return 0;
	if (ctx->root[0])
		return -ENODEV;
	if (geteuid() != 0)
		return -EPERM;
	if (modprobe("vbus") < 0)
		return -ENODEV;
	if (access(VBUS_CONFIGFS_ROOT, F_OK) < 0 &&
	    mount("configfs", CONFIGFS_MOUNT, "configfs", 0, NULL) < 0 && errno != EBUSY)
		return -errno;
	return access(VBUS_CONFIGFS_ROOT, F_OK) < 0 ? -ENODEV : 0;
}

VBUS_EXPORT int vbus_bus_exists(struct vbus_ctx *ctx, const char *bus)
{
	if (!ctx || !vbus_name_valid(bus))
		return -EINVAL;
	return configfs_exists(ctx, "instances", bus);
}

VBUS_EXPORT int vbus_device_exists(struct vbus_ctx *ctx, const char *dev)
{
	if (!ctx || !vbus_name_valid(dev))
		return -EINVAL;
	return configfs_exists(ctx, "devices", dev);
}

static int mkdir_at(const struct vbus_ctx *ctx, const char *group, const char *name)
{
	char path[PATH_MAX];
	int r;

	r = vbus_path(ctx, path, sizeof(path), VBUS_CONFIGFS_ROOT "/%s/%s", group, name);
	if (r < 0)
		return r;
	return mkdir(path, 0755) < 0 ? -errno : 0;
}

static int rmdir_at(const struct vbus_ctx *ctx, const char *group, const char *name)
{
	char path[PATH_MAX];
	int r;

	r = vbus_path(ctx, path, sizeof(path), VBUS_CONFIGFS_ROOT "/%s/%s", group, name);
	if (r < 0)
		return r;
	return rmdir(path) < 0 ? -errno : 0;
}

VBUS_EXPORT int vbus_bus_add(struct vbus_ctx *ctx, const char *bus)
{
	int r;

	if (!ctx || !vbus_name_valid(bus))
		return -EINVAL;
	r = vbus_load(ctx);
	if (r < 0)
		return r;
	return mkdir_at(ctx, "instances", bus);
}

/* The configfs file @attr of object @name in @group ("instances", "devices"). */
static int configfs_attr_path(const char *group, const char *name, const char *attr, char *path,
			      size_t size)
{
	int r;

	if (!vbus_name_valid(name))
		return -EINVAL;
	r = snprintf(path, size, VBUS_CONFIGFS_ROOT "/%s/%s/%s", group, name, attr);
	return r < 0 || (size_t)r >= size ? -ENAMETOOLONG : 0;
}

static int configfs_set(struct vbus_ctx *ctx, const char *group, const char *name,
			const char *attr, const char *value)
{
	char path[PATH_MAX];
	int r;

	if (!ctx)
		return -EINVAL;
	r = configfs_attr_path(group, name, attr, path, sizeof(path));
	return r < 0 ? r : vbus_write_attr(ctx, path, value);
}

static int bus_set(struct vbus_ctx *ctx, const char *bus, const char *attr, const char *value)
{
	return configfs_set(ctx, "instances", bus, attr, value);
}

VBUS_EXPORT int vbus_bus_set_owner(struct vbus_ctx *ctx, const char *bus, uid_t uid)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", (unsigned int)uid);
	return bus_set(ctx, bus, "owner", v);
}

VBUS_EXPORT int vbus_bus_set_group(struct vbus_ctx *ctx, const char *bus, gid_t gid)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", (unsigned int)gid);
	return bus_set(ctx, bus, "group", v);
}

VBUS_EXPORT int vbus_bus_set_mode(struct vbus_ctx *ctx, const char *bus, mode_t mode)
{
	char v[16];

	if (mode > 0777)
		return -EINVAL;
	snprintf(v, sizeof(v), "%04o", (unsigned int)mode);
	return bus_set(ctx, bus, "mode", v);
}

VBUS_EXPORT int vbus_bus_set_local(struct vbus_ctx *ctx, const char *bus, bool on)
{
	return bus_set(ctx, bus, "local", on ? "1" : "0");
}

/* Free a NULL-terminated string array (NULL is fine). */
VBUS_EXPORT void vbus_strv_free(char **strv)
{
	if (!strv)
		return;
	for (char **s = strv; *s; s++)
		free(*s);
	free(strv);
}

static int strv_push(char ***strv, size_t *n, const char *s)
{
	char **v = realloc(*strv, (*n + 2) * sizeof(char *));

	if (!v)
		return -ENOMEM;
	*strv = v;
	v[*n] = strdup(s);
	if (!v[*n])
		return -ENOMEM;
	v[++*n] = NULL;
	return 0;
}

/* The device a link in instances/<bus>/ points to, or NULL if @name is none. */
static const char *link_target(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return NULL;
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

/*
 * The links in instances/<bus>/: their names and, at the same index, the
 * devices they point to. If @dev is given, only links to it.
 */
static int bus_links(const struct vbus_ctx *ctx, const char *bus, const char *dev,
		     char ***ret_names, char ***ret_devs)
{
	char dir[PATH_MAX], target[PATH_MAX];
	char **names = NULL, **devs = NULL;
	size_t nn = 0, nd = 0;
	struct dirent *de;
	const char *d;
	DIR *dp;
	int r = 0;

	r = vbus_path(ctx, dir, sizeof(dir), VBUS_CONFIGFS_ROOT "/instances/%s", bus);
	if (r < 0)
		return r;
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((de = readdir(dp))) {
		if (de->d_type != DT_LNK)
			continue;
		d = link_target(dir, de->d_name, target, sizeof(target));
		if (!d || (dev && strcmp(d, dev) != 0))
			continue;
		r = strv_push(&names, &nn, de->d_name);
		if (r == 0)
			r = strv_push(&devs, &nd, d);
		if (r < 0)
			break;
	}
	closedir(dp);
	if (r < 0 || !ret_names || !ret_devs) {
		vbus_strv_free(names);
		vbus_strv_free(devs);
		return r < 0 ? r : (int)nn;
	}
	*ret_names = names;
	*ret_devs = devs;
	return (int)nn;
}

static int link_make(const struct vbus_ctx *ctx, const char *bus, const char *name,
		     const char *dev)
{
	char target[PATH_MAX], link[PATH_MAX];
	int r;

	r = vbus_path(ctx, target, sizeof(target), VBUS_CONFIGFS_ROOT "/devices/%s", dev);
	if (r == 0)
		r = vbus_path(ctx, link, sizeof(link), VBUS_CONFIGFS_ROOT "/instances/%s/%s",
			      bus, name);
	if (r < 0)
		return r;
	return symlink(target, link) < 0 ? -errno : 0;
}

static int link_remove(const struct vbus_ctx *ctx, const char *bus, const char *name)
{
	char link[PATH_MAX];
	int r;

	r = vbus_path(ctx, link, sizeof(link), VBUS_CONFIGFS_ROOT "/instances/%s/%s", bus,
		      name);
	if (r < 0)
		return r;
	return unlink(link) < 0 ? -errno : 0;
}

VBUS_EXPORT int vbus_device_attach(struct vbus_ctx *ctx, const char *dev, const char *bus)
{
	if (!ctx || !vbus_name_valid(dev) || !vbus_name_valid(bus))
		return -EINVAL;
	return link_make(ctx, bus, dev, dev);
}

VBUS_EXPORT int vbus_device_detach(struct vbus_ctx *ctx, const char *dev, const char *bus)
{
	char **names = NULL, **devs = NULL;
	int r;

	if (!ctx || !vbus_name_valid(dev) || !vbus_name_valid(bus))
		return -EINVAL;
	r = bus_links(ctx, bus, dev, &names, &devs);
	if (r == 0)
		r = -ENOENT;
	if (r > 0)
		r = link_remove(ctx, bus, names[0]);
	vbus_strv_free(names);
	vbus_strv_free(devs);
	return r;
}

/* Remove @names[] from @bus; on failure put back what was removed. */
static int links_remove(const struct vbus_ctx *ctx, const char *bus, char **names, char **devs)
{
	int r = 0, i;

	for (i = 0; names && names[i]; i++) {
		r = link_remove(ctx, bus, names[i]);
		if (r < 0)
			break;
	}
	if (r < 0)
		while (--i >= 0)
			link_make(ctx, bus, names[i], devs[i]);
	return r;
}

VBUS_EXPORT int vbus_bus_del(struct vbus_ctx *ctx, const char *bus)
{
	char **names = NULL, **devs = NULL;
	int r;

	if (!ctx || !vbus_name_valid(bus))
		return -EINVAL;
	r = bus_links(ctx, bus, NULL, &names, &devs);
	if (r >= 0)
		r = links_remove(ctx, bus, names, devs);
	if (r >= 0) {
		r = rmdir_at(ctx, "instances", bus);
		for (int i = 0; r < 0 && names && names[i]; i++)
			link_make(ctx, bus, names[i], devs[i]);
	}
	vbus_strv_free(names);
	vbus_strv_free(devs);
	return r;
}

/*
 * The buses @dev is linked on, as configfs has them: the write path undoes
 * and redoes exactly these links (the read side is vbus_device_buses()).
 */
static int configfs_device_buses(struct vbus_ctx *ctx, const char *dev, char ***ret_buses)
{
	char dir[PATH_MAX];
	char **buses = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *dp;
	int r;

	if (!ctx || !vbus_name_valid(dev) || !ret_buses)
		return -EINVAL;
	r = vbus_path(ctx, dir, sizeof(dir), VBUS_CONFIGFS_ROOT "/instances");
	if (r < 0)
		return r;
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((de = readdir(dp))) {
		if (de->d_type != DT_DIR || !vbus_name_valid(de->d_name))
			continue;
		r = bus_links(ctx, de->d_name, dev, NULL, NULL);
		if (r > 0)
			r = strv_push(&buses, &n, de->d_name);
		if (r < 0)
			break;
		r = 0;
	}
	closedir(dp);
	if (r < 0) {
		vbus_strv_free(buses);
		return r;
	}
	*ret_buses = buses;
	return (int)n;
}

static bool class_registered(const struct vbus_ctx *ctx, const char *class)
{
	char path[PATH_MAX];
	struct stat st;

	if (vbus_path(ctx, path, sizeof(path), VBUS_SYSFS_ROOT "/deviceclass/%s", class) < 0)
		return false;
	return lstat(path, &st) == 0;
}

VBUS_EXPORT int vbus_class_load(struct vbus_ctx *ctx, const char *class)
{
	char alias[VBUS_TYPE_LEN + 16];

	if (!ctx || !vbus_class_name_valid(class))
		return -EINVAL;
	if (class_registered(ctx, class))
		return 0;
	if (ctx->root[0])
		return -ENOENT;
	snprintf(alias, sizeof(alias), "vbus-class-%s", class);
	if (modprobe(alias) < 0 || !class_registered(ctx, class))
		return -ENOENT;
	return 0;
}

VBUS_EXPORT int vbus_device_add(struct vbus_ctx *ctx, const char *dev, const char *class)
{
	int r;

	if (!ctx || !vbus_name_valid(dev) || !vbus_class_name_valid(class))
		return -EINVAL;
	r = vbus_load(ctx);
	if (r < 0)
		return r;
	r = mkdir_at(ctx, "devices", dev);
	if (r < 0)
		return r;
	/* The class first (its module loaded if need be), then the type. */
	r = vbus_class_load(ctx, class);
	if (r == 0)
		r = configfs_set(ctx, "devices", dev, "type", class);
	if (r < 0)
		rmdir_at(ctx, "devices", dev);
	return r;
}

VBUS_EXPORT int vbus_device_del(struct vbus_ctx *ctx, const char *dev)
{
	char **buses = NULL;
	int r, i = 0;

	r = configfs_device_buses(ctx, dev, &buses);
	if (r < 0)
		return r;
	for (; buses && buses[i]; i++) {
		r = vbus_device_detach(ctx, dev, buses[i]);
		if (r < 0)
			break;
	}
	if (r >= 0)
		r = rmdir_at(ctx, "devices", dev);
	if (r < 0)
		while (--i >= 0)
			link_make(ctx, buses[i], dev, dev);
	vbus_strv_free(buses);
	return r < 0 ? r : 0;
}

VBUS_EXPORT int vbus_device_set_priority(struct vbus_ctx *ctx, const char *dev,
					 unsigned int priority)
{
	char v[16];

	if (priority > VBUS_PRIORITY_MAX)
		return -EINVAL;
	snprintf(v, sizeof(v), "%u", priority);
	return configfs_set(ctx, "devices", dev, "priority", v);
}

VBUS_EXPORT int vbus_device_get_priority(struct vbus_ctx *ctx, const char *dev,
					 unsigned int *ret_priority)
{
	char path[PATH_MAX], *line;
	int r;

	if (!ctx || !ret_priority)
		return -EINVAL;
	r = configfs_attr_path("devices", dev, "priority", path, sizeof(path));
	if (r == 0)
		r = vbus_read_line(ctx, path, &line);
	if (r < 0)
		return r;
	/* The kernel shows what it accepted; anything else is not its file. */
	r = vbus_priority_parse(line, ret_priority) < 0 ? -EIO : 0;
	free(line);
	return r;
}

/* The sysfs file of class attribute @attr of @dev (relative to the root). */
static int device_attr_path(const char *dev, const char *attr, char *path, size_t size)
{
	int r;

	if (!vbus_name_valid(dev) || !vbus_attr_name_valid(attr))
		return -EINVAL;
	r = snprintf(path, size, VBUS_SYSFS_ROOT "/devices/%s/%s", dev, attr);
	return r < 0 || (size_t)r >= size ? -ENAMETOOLONG : 0;
}

VBUS_EXPORT int vbus_device_set_attr(struct vbus_ctx *ctx, const char *dev, const char *attr,
				     const char *value)
{
	char path[PATH_MAX];
	int r;

	if (!ctx || !value)
		return -EINVAL;
	r = device_attr_path(dev, attr, path, sizeof(path));
	return r < 0 ? r : vbus_write_attr(ctx, path, value);
}

VBUS_EXPORT int vbus_device_get_attr(struct vbus_ctx *ctx, const char *dev, const char *attr,
				     char **ret_value)
{
	char path[PATH_MAX];
	int r;

	if (!ctx || !ret_value)
		return -EINVAL;
	r = device_attr_path(dev, attr, path, sizeof(path));
	return r < 0 ? r : vbus_read_line(ctx, path, ret_value);
}
