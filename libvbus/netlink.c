// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus: the read side through the "vbus" generic netlink family
 * (doc/abi/genl.md) with libmnl: the socket, the family and group ids, and
 * one request loop for do and dump requests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vbus_netlink.h>

#include "libvbus-private.h"

struct vbus_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t events_group;	/* 0: not found */
	uint32_t seq;
	char *buf;		/* MNL_SOCKET_BUFFER_SIZE */
};

static int family_group_cb(const struct nlattr *nest, void *data)
{
	struct vbus_nl *nl = data;
	struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && strcmp(name, VBUS_MCGRP_EVENTS) == 0)
		nl->events_group = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vbus_nl *nl = data;
	struct nlattr *a, *g;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				nl->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a)
				family_group_cb(g, nl);
			break;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *msg_start(struct vbus_nl *nl, uint16_t type, uint8_t cmd, uint8_t version,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* The end of a dump carries the dump's error: an error, never a short list. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* As libmnl's own: with a control array, libmnl runs no default for any type. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

/*
 * Send @nlh and run @cb on each reply until the ACK or the end of the
 * dump. Returns 0 or the request's (or the dump's) negative errno.
 */
static int transact(struct vbus_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl->sock);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0)
			return -errno;
		errno = 0;
		r = mnl_cb_run2(nl->buf, n, seq, portid, cb, data, ctl_cb, MNL_ARRAY_SIZE(ctl_cb));
	} while (r == MNL_CB_OK);
	if (r < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void vbus_nl_free(struct vbus_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

/* -ENODEV when the family is not registered (the module is not loaded). */
int vbus_nl_new(struct vbus_nl **ret)
{
	struct vbus_nl *nl = calloc(1, sizeof(*nl));
	struct nlmsghdr *nlh;
	int r;

	if (!nl)
		return -ENOMEM;
	nl->buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->buf || !nl->sock) {
		r = nl->buf ? -errno : -ENOMEM;
		goto fail;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto fail;
	}
	/* Extended ACKs carry the kernel's message for a refused request. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &(int){ 1 }, sizeof(int));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &(int){ 1 }, sizeof(int));
	nl->seq = time(NULL);

	nlh = msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VBUS_GENL_NAME);
	r = transact(nl, nlh, family_cb, nl);
	if (r == -ENOENT || (r == 0 && nl->family == 0))
		r = -ENODEV;
	if (r < 0)
		goto fail;
	*ret = nl;
	return 0;
fail:
	vbus_nl_free(nl);
	return r;
}

struct nlmsghdr *vbus_nl_request(struct vbus_nl *nl, uint8_t cmd, bool dump)
{
	return msg_start(nl, nl->family, cmd, VBUS_GENL_VERSION, dump ? NLM_F_DUMP : 0);
}

int vbus_nl_transact(struct vbus_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return transact(nl, nlh, cb, data);
}

int vbus_nl_subscribe(struct vbus_nl *nl)
{
	if (!nl->events_group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &nl->events_group,
				  sizeof(nl->events_group)) < 0)
		return -errno;
	return 0;
}

int vbus_nl_fd(const struct vbus_nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

/* Read one batch of notifications and run @cb on each. */
int vbus_nl_read_events(struct vbus_nl *nl, mnl_cb_t cb, void *data)
{
	ssize_t n;
	int r;

	n = mnl_socket_recvfrom(nl->sock, nl->buf, MNL_SOCKET_BUFFER_SIZE);
	if (n < 0)
		return -errno;
	r = mnl_cb_run(nl->buf, n, 0, 0, cb, data);
	return r < 0 ? (errno ? -errno : -EIO) : 0;
}
