// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl bus: add, del, set and show buses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vbus_guest.h>
#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"
#include "show.h"

/* What bus add and bus set change: the permissions and the local connector. */
struct perm {
	bool has_owner, has_group, has_mode, has_local;
	uid_t owner;
	gid_t group;
	mode_t mode;
	bool local;
};

static int bus_usage(struct ctl *ctl, int argc, char **argv)
{
	printf("Usage: vbusctl bus add NAME [ owner USER ] [ group GROUP ] [ mode MODE ]\n"
	       "                          [ local { on | off } ]\n"
	       "       vbusctl bus del NAME\n"
	       "       vbusctl bus set NAME { owner USER | group GROUP | mode MODE |\n"
	       "                              local { on | off } }...\n"
	       "       vbusctl [ -s ] bus show [ NAME ]\n"
	       "       vbusctl bus xml NAME [ vectors N ]\n"
	       "       vbusctl bus help\n"
	       "MODE := octal permission bits for attaching, at most 0777 (default 0600)\n"
	       "N := the guest bus's MSI-X vectors, as its topology says (default %d)\n",
	       VBUS_GUEST_VECTORS_DEFAULT);
	return EXIT_OK;
}

static int parse_onoff(const char *name, const char *arg, bool *ret)
{
	if (strcmp(arg, "on") && strcmp(arg, "off")) {
		char why[64];

		snprintf(why, sizeof(why), "%s must be on or off", name);
		return invarg(why, arg);
	}
	*ret = !strcmp(arg, "on");
	return EXIT_OK;
}

enum { KW_OWNER, KW_GROUP, KW_MODE, KW_LOCAL };
static const struct cmd perm_keywords[] = {
	[KW_OWNER] = { "owner" },
	[KW_GROUP] = { "group" },
	[KW_MODE] = { "mode" },
	[KW_LOCAL] = { "local" },
	{ NULL },
};

/* { owner USER | group GROUP | mode MODE }... into @p; usage errors printed. */
static int parse_perm(int argc, char **argv, struct perm *p)
{
	for (; argc > 0; argc -= 2, argv += 2) {
		const struct cmd *kw = keyword(perm_keywords, argv[0]);
		int ret = EXIT_OK;

		if (!kw)
			return EXIT_USAGE;
		if (argc < 2)
			return missarg(kw->name);
		switch (kw - perm_keywords) {
		case KW_OWNER:
			if (p->has_owner)
				return duparg(kw->name, argv[1]);
			p->has_owner = true;
			if (vbus_user_parse(argv[1], &p->owner) < 0)
				ret = invarg(vbus_rule_text(VBUS_RULE_USER), argv[1]);
			break;
		case KW_GROUP:
			if (p->has_group)
				return duparg(kw->name, argv[1]);
			p->has_group = true;
			if (vbus_group_parse(argv[1], &p->group) < 0)
				ret = invarg(vbus_rule_text(VBUS_RULE_GROUP), argv[1]);
			break;
		case KW_MODE:
			if (p->has_mode)
				return duparg(kw->name, argv[1]);
			p->has_mode = true;
			if (vbus_mode_parse(argv[1], &p->mode) < 0)
				ret = invrule("a mode", VBUS_RULE_MODE, argv[1]);
			break;
		case KW_LOCAL:
			if (p->has_local)
				return duparg(kw->name, argv[1]);
			p->has_local = true;
			ret = parse_onoff(kw->name, argv[1], &p->local);
			break;
		}
		if (ret != EXIT_OK)
			return ret;
	}
	return EXIT_OK;
}

static int apply_perm(struct ctl *ctl, const char *bus, const struct perm *p)
{
	int r = 0;

	if (p->has_owner)
		r = vbus_bus_set_owner(ctl->vbus, bus, p->owner);
	if (r == 0 && p->has_group)
		r = vbus_bus_set_group(ctl->vbus, bus, p->group);
	if (r == 0 && p->has_mode)
		r = vbus_bus_set_mode(ctl->vbus, bus, p->mode);
	/* Last: nothing to undo when it fails (EBUSY: a device has a client). */
	if (r == 0 && p->has_local)
		r = vbus_bus_set_local(ctl->vbus, bus, p->local);
	return r;
}

/* The bus named by @name must exist; prints the error otherwise. */
static int bus_must_exist(struct ctl *ctl, const char *name)
{
	int r;

	if (!vbus_name_valid(name))
		return invname("bus", name);
	r = vbus_bus_exists(ctl->vbus, name);
	if (r < 0)
		return syserr("bus", name, r);
	if (r == 0) {
		fprintf(stderr, "Error: bus \"%s\" does not exist.\n", name);
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static int bus_add(struct ctl *ctl, int argc, char **argv)
{
	struct perm p = { 0 };
	int ret, r;

	if (argc < 1)
		return missarg("add");
	if (!vbus_name_valid(argv[0]))
		return invname("bus", argv[0]);
	ret = parse_perm(argc - 1, argv + 1, &p);
	if (ret != EXIT_OK)
		return ret;

	r = vbus_bus_add(ctl->vbus, argv[0]);
	if (r == -EEXIST) {
		fprintf(stderr, "Error: bus \"%s\" exists.\n", argv[0]);
		return EXIT_SYSTEM;
	}
	if (r < 0)
		return syserr("cannot add bus", argv[0], r);
	r = apply_perm(ctl, argv[0], &p);
	if (r < 0) {
		vbus_bus_del(ctl->vbus, argv[0]);
		return syserr("cannot set up bus", argv[0], r);
	}
	return EXIT_OK;
}

static int bus_del(struct ctl *ctl, int argc, char **argv)
{
	int ret, r;

	if (argc < 1)
		return missarg("del");
	if (argc > 1)
		return invarg("unexpected argument after the bus name", argv[1]);
	ret = bus_must_exist(ctl, argv[0]);
	if (ret != EXIT_OK)
		return ret;
	r = vbus_bus_del(ctl->vbus, argv[0]);
	if (r < 0)
		return syserr("cannot delete bus", argv[0], r);
	return EXIT_OK;
}

static int bus_set(struct ctl *ctl, int argc, char **argv)
{
	struct perm p = { 0 }, old = { .has_owner = true, .has_group = true, .has_mode = true };
	int ret, r;

	if (argc < 1)
		return missarg("set");
	if (argc < 2) {
		fprintf(stderr, "Error: \"bus set %s\" needs owner, group, mode or local.\n",
			argv[0]);
		return EXIT_USAGE;
	}
	ret = parse_perm(argc - 1, argv + 1, &p);
	if (ret == EXIT_OK)
		ret = bus_must_exist(ctl, argv[0]);
	if (ret != EXIT_OK)
		return ret;

	r = vbus_bus_get_perm(ctl->vbus, argv[0], &old.owner, &old.group, &old.mode);
	if (r == 0)
		r = apply_perm(ctl, argv[0], &p);
	if (r < 0) {
		apply_perm(ctl, argv[0], &old);
		return syserr("cannot set bus", argv[0], r);
	}
	return EXIT_OK;
}

static int bus_show(struct ctl *ctl, int argc, char **argv)
{
	struct vbus_device **devs = NULL;
	struct vbus_stats **stats = NULL;
	struct vbus_bus **buses = NULL;
	const char *name = NULL;
	int r;

	if (argc > 0) {
		name = argv[0];
		if (!vbus_name_valid(name))
			return invname("bus", name);
	}
	if (argc > 1)
		return invarg("unexpected argument after the bus name", argv[1]);

	r = vbus_bus_dump(ctl->vbus, name, NULL, &buses);
	if (r >= 0 && ctl->stats)
		r = vbus_stats_dump(ctl->vbus, NULL, &stats);
	if (r >= 0 && ctl->stats > 1)
		r = vbus_device_dump(ctl->vbus, NULL, NULL, NULL, &devs);
	if (r < 0) {
		vbus_stats_list_free(stats);
		vbus_bus_list_free(buses);
		return show_error("buses", r);
	}
	if (name && !buses[0]) {
		vbus_bus_list_free(buses);
		fprintf(stderr, "Error: bus \"%s\" does not exist.\n", name);
		return EXIT_SYSTEM;
	}
	print_open_array(ctl->out, NULL);
	for (struct vbus_bus **b = buses; *b; b++)
		print_bus(ctl, NULL, *b, stats, devs);
	print_close_array(ctl->out);
	vbus_device_list_free(devs);
	vbus_stats_list_free(stats);
	vbus_bus_list_free(buses);
	return EXIT_OK;
}

/*
 * The libvirt domain XML element that gives a guest the bus through vbusd's
 * ivshmem server (doc/abi/guest.md).
 */
static int bus_xml(struct ctl *ctl, int argc, char **argv)
{
	const char *dir = getenv("VBUSD_IVSHMEM_DIR") ?: "/run/vbusd/ivshmem";
	unsigned long vectors = VBUS_GUEST_VECTORS_DEFAULT;
	char *end;

	if (argc < 1)
		return missarg("xml");
	if (!vbus_name_valid(argv[0]))
		return invname("bus", argv[0]);
	if (argc > 1 && strcmp(argv[1], "vectors"))
		return invarg("unexpected argument after the bus name", argv[1]);
	if (argc == 2)
		return missarg("vectors");
	if (argc > 2) {
		errno = 0;
		vectors = strtoul(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || vectors < VBUS_GUEST_VECTORS_MIN ||
		    vectors > VBUS_GUEST_VECTORS_MAX)
			return invarg("vectors must be an integer from 2 to 64", argv[2]);
	}
	if (argc > 3)
		return invarg("unexpected argument", argv[3]);
	printf("<shmem name='vbus-%s'>\n"
	       "  <model type='ivshmem-doorbell'/>\n"
	       "  <server path='%s/%s.sock'/>\n"
	       "  <msi vectors='%lu' ioeventfd='on'/>\n"
	       "</shmem>\n", argv[0], dir, argv[0], vectors);
	return EXIT_OK;
}

static const struct cmd bus_cmds[] = {
	{ "add", bus_add },
	{ "del", bus_del },
	{ "set", bus_set },
	{ "show", bus_show },
	{ "list", bus_show },
	{ "xml", bus_xml },
	{ "help", bus_usage },
	{ NULL },
};

int do_bus(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 0)
		return bus_show(ctl, argc, argv);
	return cmd_dispatch(ctl, bus_cmds, "command", argc, argv);
}
