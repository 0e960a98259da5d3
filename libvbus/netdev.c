// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus: host netdev operations for the network devices of vbus classes
 * (venet-tap's host side): up/down, bridge master, network namespace,
 * through rtnetlink with libnl-route-3.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <vbus/vbus.h>

#include "libvbus-private.h"

/* Map libnl's error codes to errno. */
static int nl_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
	case NLE_RANGE:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_NOACCESS:
		return -EACCES;
	default:
		return -EIO;
	}
}

/* Apply @change (built by the caller) to the link named @ifname. */
static int link_change(const char *ifname, struct rtnl_link *change)
{
	struct nl_sock *sk;
	struct rtnl_link *link = NULL;
	int r;

	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/'))
		return -EINVAL;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r == 0)
		r = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (r == 0)
		r = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return nl_errno(r);
}

VBUS_EXPORT int vbus_netdev_set_up(struct vbus_ctx *ctx, const char *ifname, bool up)
{
	struct rtnl_link *change;
	int r;

	if (!ctx)
		return -EINVAL;
	change = rtnl_link_alloc();
	if (!change)
		return -ENOMEM;
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	r = link_change(ifname, change);
	rtnl_link_put(change);
	return r;
}

VBUS_EXPORT int vbus_netdev_set_master(struct vbus_ctx *ctx, const char *ifname,
				       const char *master)
{
	struct rtnl_link *change;
	unsigned int index = 0;
	int r;

	if (!ctx)
		return -EINVAL;
	if (master) {
		if (!*master || strlen(master) >= IFNAMSIZ)
			return -EINVAL;
		index = if_nametoindex(master);
		if (!index)
			return -ENODEV;
	}
	change = rtnl_link_alloc();
	if (!change)
		return -ENOMEM;
	rtnl_link_set_master(change, index);
	r = link_change(ifname, change);
	rtnl_link_put(change);
	return r;
}

VBUS_EXPORT int vbus_netdev_set_netns(struct vbus_ctx *ctx, const char *ifname,
				      const char *netns)
{
	struct rtnl_link *change;
	char path[PATH_MAX];
	int fd, r;

	if (!ctx || !netns || !*netns)
		return -EINVAL;
	if (netns[0] == '/')
		r = snprintf(path, sizeof(path), "%s", netns);
	else if (!strchr(netns, '/') && strcmp(netns, ".") && strcmp(netns, ".."))
		r = snprintf(path, sizeof(path), "/run/netns/%s", netns);
	else
		return -EINVAL;
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	change = rtnl_link_alloc();
	if (!change) {
		close(fd);
		return -ENOMEM;
	}
	rtnl_link_set_ns_fd(change, fd);
	r = link_change(ifname, change);
	rtnl_link_put(change);
	close(fd);
	return r;
}
