// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: libvbus's read side (libvbus/objects.c) parsing canned
 * netlink messages. The test links objects.c itself and fakes the one layer
 * below it (netlink.c's vbus_nl_*): a request is recorded, and the canned
 * replies go through libmnl's mnl_cb_run() as the socket's would. What the
 * kernel sends is tested in the VM (50-genl.sh); here: every attribute
 * lands in its getter, nests and repeats, malformed attributes, the
 * filters a call puts in its request, and the reads built on dumps.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vbus_netlink.h>
#include <vbus/vbus.h>

#include "libvbus-private.h"

/* --- the fake genl socket ---------------------------------------------- */

struct vbus_nl {
	char req[8192];
	char replies[8192];
	size_t len;		/* of the canned replies */
	int fd;			/* what the monitor polls: /dev/null */
};

static struct vbus_nl fake;

int vbus_nl_new(struct vbus_nl **ret)
{
	*ret = &fake;
	return 0;
}

void vbus_nl_free(struct vbus_nl *nl)
{
}

struct nlmsghdr *vbus_nl_request(struct vbus_nl *nl, uint8_t cmd, bool dump)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	g->cmd = cmd;
	return nlh;
}

int vbus_nl_transact(struct vbus_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	int r = mnl_cb_run(nl->replies, nl->len, 0, 0, cb, data);

	return r < 0 ? (errno ? -errno : -EIO) : 0;
}

int vbus_nl_subscribe(struct vbus_nl *nl)
{
	return 0;
}

int vbus_nl_fd(const struct vbus_nl *nl)
{
	return nl->fd;
}

int vbus_nl_read_events(struct vbus_nl *nl, mnl_cb_t cb, void *data)
{
	int r = vbus_nl_transact(nl, NULL, cb, data);

	nl->len = 0;	/* read once */
	return r;
}

/* --- canned replies ------------------------------------------------------ */

static struct nlmsghdr *reply(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(fake.replies + fake.len);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = 0x20;	/* the family id: any but a control type */
	g->cmd = cmd;
	return nlh;
}

static void done(struct nlmsghdr *nlh)
{
	fake.len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void link_nest(struct nlmsghdr *nlh, uint16_t type, const char *bus, uint32_t id,
		      const char *dev)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_strz(nlh, VBUS_A_LINK_BUS, bus);
	mnl_attr_put_u32(nlh, VBUS_A_LINK_ID, id);
	if (dev) {
		mnl_attr_put_strz(nlh, VBUS_A_LINK_DEVICE, dev);
		mnl_attr_put_strz(nlh, VBUS_A_LINK_TYPE, "virtual-ethernet");
	}
	mnl_attr_nest_end(nlh, nest);
}

static void canned_bus(const char *name, uint32_t owner, unsigned int links)
{
	struct nlmsghdr *nlh = reply(VBUS_CMD_BUS_GET);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, VBUS_A_BUS_NAME, name);
	mnl_attr_put_u32(nlh, VBUS_A_BUS_OWNER, owner);
	mnl_attr_put_u32(nlh, VBUS_A_BUS_GROUP, 1002);
	mnl_attr_put_u32(nlh, VBUS_A_BUS_MODE, 0660);
	for (unsigned int i = 0; i < links; i++)
		link_nest(nlh, VBUS_A_BUS_LINK, name, i, i ? "net1" : "net0");
	nest = mnl_attr_nest_start(nlh, VBUS_A_BUS_MEMBER);
	mnl_attr_put_u32(nlh, VBUS_A_MEMBER_ID, 7);
	mnl_attr_put_u32(nlh, VBUS_A_MEMBER_PID, 4242);
	mnl_attr_put_strz(nlh, VBUS_A_MEMBER_BUS, name);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, VBUS_A_BUS_MEMBER);	/* a guest connection */
	mnl_attr_put_u32(nlh, VBUS_A_MEMBER_ID, 8);
	mnl_attr_put_u32(nlh, VBUS_A_MEMBER_PID, 1307);
	mnl_attr_put_strz(nlh, VBUS_A_MEMBER_BUS, name);
	mnl_attr_put_u8(nlh, VBUS_A_MEMBER_GUEST, 1);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, 99, 1);	/* newer than this library: ignored */
	done(nlh);
}

static void canned_device(uint8_t cmd)
{
	struct nlmsghdr *nlh = reply(cmd);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, VBUS_A_DEVICE_NAME, "net0");
	mnl_attr_put_strz(nlh, VBUS_A_DEVICE_CLASS, "venet-tap");
	mnl_attr_put_strz(nlh, VBUS_A_DEVICE_TYPE, "virtual-ethernet");
	link_nest(nlh, VBUS_A_DEVICE_LINK, "vm1", 0, NULL);
	link_nest(nlh, VBUS_A_DEVICE_LINK, "vm2", 3, NULL);
	nest = mnl_attr_nest_start(nlh, VBUS_A_DEVICE_ATTR);
	mnl_attr_put_strz(nlh, VBUS_A_ATTR_NAME, "mtu");
	mnl_attr_put_strz(nlh, VBUS_A_ATTR_VALUE, "9000");
	mnl_attr_nest_end(nlh, nest);
	done(nlh);
}

static int setup(void **state)
{
	struct vbus_ctx *ctx;

	memset(&fake, 0, sizeof(fake));
	fake.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fake.fd >= 0);
	assert_int_equal(vbus_ctx_new(&ctx), 0);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	vbus_ctx_free(*state);
	close(fake.fd);
	return 0;
}

/* The string attribute @type of the recorded request, or NULL. */
static const char *request_str(uint16_t type)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)fake.req;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return mnl_attr_get_str(a);
	return NULL;
}

static uint8_t request_cmd(void)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload((const struct nlmsghdr *)fake.req);

	return g->cmd;
}

/* --- tests --------------------------------------------------------------- */

static void test_bus_dump(void **state)
{
	struct vbus_bus **list = NULL;
	const struct vbus_link *l;
	const struct vbus_member *m;

	canned_bus("vm1", 1000, 2);
	canned_bus("vm2", 0, 0);
	assert_int_equal(vbus_bus_dump(*state, NULL, "net0", &list), 2);
	assert_int_equal(request_cmd(), VBUS_CMD_BUS_GET);
	assert_string_equal(request_str(VBUS_A_BUS_DEVICE), "net0");
	assert_null(request_str(VBUS_A_BUS_NAME));
	assert_string_equal(vbus_bus_get_name(list[0]), "vm1");
	assert_int_equal(vbus_bus_get_owner(list[0]), 1000);
	assert_int_equal(vbus_bus_get_group(list[0]), 1002);
	assert_int_equal(vbus_bus_get_mode(list[0]), 0660);
	assert_int_equal(vbus_bus_get_n_links(list[0]), 2);
	l = vbus_bus_get_link(list[0], 1);
	assert_string_equal(vbus_link_get_bus(l), "vm1");
	assert_int_equal(vbus_link_get_id(l), 1);
	assert_string_equal(vbus_link_get_device(l), "net1");
	assert_string_equal(vbus_link_get_type(l), "virtual-ethernet");
	assert_null(vbus_bus_get_link(list[0], 2));
	assert_int_equal(vbus_bus_get_n_members(list[0]), 2);
	m = vbus_bus_get_member(list[0], 0);
	assert_int_equal(vbus_member_get_id(m), 7);
	assert_int_equal(vbus_member_get_pid(m), 4242);
	assert_string_equal(vbus_member_get_bus(m), "vm1");
	assert_false(vbus_member_is_guest(m));		/* no GUEST: an older kernel's */
	m = vbus_bus_get_member(list[0], 1);
	assert_int_equal(vbus_member_get_id(m), 8);
	assert_int_equal(vbus_member_get_pid(m), 1307);
	assert_true(vbus_member_is_guest(m));
	assert_null(vbus_bus_get_member(list[0], 2));
	assert_string_equal(vbus_bus_get_name(list[1]), "vm2");
	assert_int_equal(vbus_bus_get_n_links(list[1]), 0);
	assert_null(list[2]);
	vbus_bus_list_free(list);
}

static void test_device_dump(void **state)
{
	struct vbus_device **list = NULL;
	const struct vbus_link *l;

	canned_device(VBUS_CMD_DEVICE_GET);
	assert_int_equal(vbus_device_dump(*state, "net0", "venet-tap", "vm1", &list), 1);
	assert_string_equal(request_str(VBUS_A_DEVICE_NAME), "net0");
	assert_string_equal(request_str(VBUS_A_DEVICE_CLASS), "venet-tap");
	assert_string_equal(request_str(VBUS_A_DEVICE_BUS), "vm1");
	assert_string_equal(vbus_device_get_name(list[0]), "net0");
	assert_string_equal(vbus_device_get_class(list[0]), "venet-tap");
	assert_string_equal(vbus_device_get_type(list[0]), "virtual-ethernet");
	assert_int_equal(vbus_device_get_n_links(list[0]), 2);
	l = vbus_device_get_link(list[0], 1);
	assert_string_equal(vbus_link_get_bus(l), "vm2");
	assert_int_equal(vbus_link_get_id(l), 3);
	assert_null(vbus_link_get_device(l));
	assert_int_equal(vbus_device_get_n_attrs(list[0]), 1);
	assert_string_equal(vbus_device_get_attr_name(list[0], 0), "mtu");
	assert_string_equal(vbus_device_get_attr_value(list[0], 0), "9000");
	vbus_device_list_free(list);
}

static void test_empty_dump(void **state)
{
	struct vbus_class **list = NULL;

	assert_int_equal(vbus_class_dump(*state, &list), 0);
	assert_non_null(list);
	assert_null(list[0]);
	vbus_class_list_free(list);
}

/* A connection's counters on vm1, each 100 + its attribute, up to attribute @last. */
static void canned_stats(uint32_t member, uint32_t pid, int last)
{
	struct nlmsghdr *nlh = reply(VBUS_CMD_STATS_GET);

	mnl_attr_put_strz(nlh, VBUS_A_STATS_BUS, "vm1");
	mnl_attr_put_u32(nlh, VBUS_A_STATS_MEMBER, member);
	mnl_attr_put_u32(nlh, VBUS_A_STATS_PID, pid);
	for (int i = VBUS_A_STATS_EVENTS; i <= last; i++)
		mnl_attr_put_u64(nlh, i, 100 + i);
	done(nlh);
}

static void test_stats_dump(void **state)
{
	struct vbus_stats **list = NULL;

	canned_stats(7, 4242, VBUS_A_STATS_BUSCALLS);
	canned_stats(8, 1307, VBUS_A_STATS_RESETS);		/* a guest connection's */
	assert_int_equal(vbus_stats_dump(*state, "vm1", &list), 2);
	assert_string_equal(request_str(VBUS_A_STATS_BUS), "vm1");
	assert_string_equal(vbus_stats_get_bus(list[0]), "vm1");
	assert_int_equal(vbus_stats_get_member(list[0]), 7);
	assert_int_equal(vbus_stats_get_pid(list[0]), 4242);
	assert_int_equal(vbus_stats_get(list[0], VBUS_COUNTER_EVENTS), 100 + VBUS_A_STATS_EVENTS);
	assert_int_equal(vbus_stats_get(list[0], VBUS_COUNTER_BUSCALLS),
			 100 + VBUS_A_STATS_BUSCALLS);
	assert_false(vbus_stats_is_guest(list[0]));
	assert_int_equal(vbus_stats_get_guest(list[0], VBUS_GUEST_COUNTER_RESETS), 0);
	assert_true(vbus_stats_is_guest(list[1]));
	assert_int_equal(vbus_stats_get_pid(list[1]), 1307);
	assert_int_equal(vbus_stats_get(list[1], VBUS_COUNTER_BUSCALLS),
			 100 + VBUS_A_STATS_BUSCALLS);
	assert_int_equal(vbus_stats_get_guest(list[1], VBUS_GUEST_COUNTER_BAD_REQUEST),
			 100 + VBUS_A_STATS_BAD_REQUEST);
	assert_int_equal(vbus_stats_get_guest(list[1], VBUS_GUEST_COUNTER_BAD_KICK),
			 100 + VBUS_A_STATS_BAD_KICK);
	assert_int_equal(vbus_stats_get_guest(list[1], VBUS_GUEST_COUNTER_QUEUE_OVERFLOW),
			 100 + VBUS_A_STATS_QUEUE_OVERFLOW);
	assert_int_equal(vbus_stats_get_guest(list[1], VBUS_GUEST_COUNTER_RESETS),
			 100 + VBUS_A_STATS_RESETS);
	assert_int_equal(vbus_stats_get_guest(list[1], _VBUS_GUEST_COUNTER_MAX), 0);
	assert_string_equal(vbus_guest_counter_name(VBUS_GUEST_COUNTER_QUEUE_OVERFLOW),
			    "queue_overflow");
	assert_null(vbus_guest_counter_name(_VBUS_GUEST_COUNTER_MAX));
	assert_null(list[2]);
	vbus_stats_list_free(list);
}

/* A string without its NUL, a u32 of two bytes: the whole dump is refused. */
static void test_malformed(void **state)
{
	struct vbus_bus **buses = (void *)0x1;
	struct nlmsghdr *nlh;
	uint16_t two = 2;

	canned_bus("vm1", 0, 1);
	nlh = reply(VBUS_CMD_BUS_GET);
	mnl_attr_put(nlh, VBUS_A_BUS_NAME, 3, "vm2");
	done(nlh);
	assert_int_equal(vbus_bus_dump(*state, NULL, NULL, &buses), -EBADMSG);
	assert_ptr_equal(buses, (void *)0x1);

	fake.len = 0;
	nlh = reply(VBUS_CMD_BUS_GET);
	mnl_attr_put_strz(nlh, VBUS_A_BUS_NAME, "vm1");
	mnl_attr_put(nlh, VBUS_A_BUS_OWNER, sizeof(two), &two);
	done(nlh);
	assert_int_equal(vbus_bus_dump(*state, NULL, NULL, &buses), -EBADMSG);
}

static void test_bad_filters(void **state)
{
	struct vbus_device **list = NULL;

	assert_int_equal(vbus_device_dump(*state, "..", NULL, NULL, &list), -EINVAL);
	assert_int_equal(vbus_device_dump(*state, NULL, "a/b", NULL, &list), -EINVAL);
	assert_int_equal(vbus_device_dump(*state, NULL, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fake.req[0], 0);	/* nothing was asked */
}

/* Reads built on dumps: permissions, a bus's devices, a device's buses. */
static void test_reads_on_dumps(void **state)
{
	char **v = NULL;
	uid_t owner;
	gid_t group;
	mode_t mode;

	canned_bus("vm1", 1000, 2);
	assert_int_equal(vbus_bus_get_perm(*state, "vm1", &owner, &group, &mode), 0);
	assert_string_equal(request_str(VBUS_A_BUS_NAME), "vm1");
	assert_int_equal(owner, 1000);
	assert_int_equal(group, 1002);
	assert_int_equal(mode, 0660);
	assert_int_equal(vbus_bus_devices(*state, "vm1", &v), 2);
	assert_string_equal(v[0], "net0");
	assert_string_equal(v[1], "net1");
	assert_null(v[2]);
	vbus_strv_free(v);

	fake.len = 0;
	assert_int_equal(vbus_bus_get_perm(*state, "vm1", &owner, &group, &mode), -ENOENT);
	assert_int_equal(vbus_bus_devices(*state, "vm1", &v), -ENOENT);

	canned_device(VBUS_CMD_DEVICE_GET);
	assert_int_equal(vbus_device_buses(*state, "net0", &v), 2);
	assert_string_equal(request_str(VBUS_A_DEVICE_NAME), "net0");
	assert_string_equal(v[0], "vm1");
	assert_string_equal(v[1], "vm2");
	vbus_strv_free(v);
}

static void test_monitor(void **state)
{
	struct vbus_monitor *m = NULL;
	struct vbus_change *c = NULL;
	const struct vbus_link *l;
	struct nlmsghdr *nlh;

	assert_int_equal(vbus_monitor_new(*state, &m), 0);
	nlh = reply(VBUS_CMD_LINK_ADD_NTF);
	mnl_attr_put_strz(nlh, VBUS_A_LINK_BUS, "vm1");
	mnl_attr_put_u32(nlh, VBUS_A_LINK_ID, 2);
	mnl_attr_put_strz(nlh, VBUS_A_LINK_DEVICE, "net0");
	done(nlh);
	done(reply(VBUS_CMD_MAX + 1));	/* newer than this library: skipped */
	canned_device(VBUS_CMD_DEVICE_ATTR_NTF);

	assert_int_equal(vbus_monitor_next(m, &c), 1);
	assert_int_equal(vbus_change_get_object(c), VBUS_OBJECT_LINK);
	assert_int_equal(vbus_change_get_action(c), VBUS_CHANGE_ADD);
	l = vbus_change_get_link(c);
	assert_string_equal(vbus_link_get_bus(l), "vm1");
	assert_int_equal(vbus_link_get_id(l), 2);
	assert_null(vbus_change_get_bus(c));
	vbus_change_free(c);
	assert_int_equal(vbus_monitor_next(m, &c), 1);
	assert_int_equal(vbus_change_get_object(c), VBUS_OBJECT_DEVICE);
	assert_int_equal(vbus_change_get_action(c), VBUS_CHANGE_ATTR);
	assert_string_equal(vbus_device_get_attr_name(vbus_change_get_device(c), 0), "mtu");
	vbus_change_free(c);
	assert_int_equal(vbus_monitor_next(m, &c), 0);
	vbus_monitor_free(m);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bus_dump),
		T(test_device_dump),
		T(test_empty_dump),
		T(test_stats_dump),
		T(test_malformed),
		T(test_bad_filters),
		T(test_reads_on_dumps),
		T(test_monitor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
