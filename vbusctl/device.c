// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl device: add, del, set, attach and detach devices. Of the ATTRs,
 * "priority" is the device's own (configfs), every other its class's (sysfs).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"
#include "show.h"

static int device_usage(struct ctl *ctl, int argc, char **argv)
{
	printf("Usage: vbusctl device add NAME type CLASS [ priority N ] [ ATTR VALUE ]...\n"
	       "       vbusctl device del NAME\n"
	       "       vbusctl device set NAME { priority N | ATTR VALUE }...\n"
	       "       vbusctl device attach NAME bus BUS\n"
	       "       vbusctl device detach NAME bus BUS\n"
	       "       vbusctl device show [ NAME ] [ bus BUS ] [ type CLASS ]\n"
	       "       vbusctl device help\n"
	       "N := the device's priority in a VM guest, from 0 to %d (default %d)\n"
	       "ATTR := an attribute of the device's class (vbusctl class show)\n",
	       VBUS_PRIORITY_MAX, VBUS_PRIORITY_DEFAULT);
	return EXIT_OK;
}

/* The device @name must exist; prints the error otherwise. */
static int device_must_exist(struct ctl *ctl, const char *name)
{
	int r;

	if (!vbus_name_valid(name))
		return invname("device", name);
	r = vbus_device_exists(ctl->vbus, name);
	if (r < 0)
		return syserr("device", name, r);
	if (r == 0) {
		fprintf(stderr, "Error: device \"%s\" does not exist.\n", name);
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static bool is_priority(const char *attr)
{
	return strcmp(attr, "priority") == 0;
}

/* ATTR VALUE pairs must be complete, no ATTR given twice, a priority in range. */
static int check_attr_pairs(int argc, char **argv)
{
	unsigned int prio;

	for (int i = 0; i < argc; i += 2) {
		if (!vbus_attr_name_valid(argv[i]))
			return invrule("an attribute name", VBUS_RULE_ATTR, argv[i]);
		if (i + 1 == argc)
			return missarg(argv[i]);
		for (int j = 0; j < i; j += 2)
			if (strcmp(argv[i], argv[j]) == 0)
				return duparg(argv[i], argv[i + 1]);
		if (is_priority(argv[i]) && vbus_priority_parse(argv[i + 1], &prio) < 0)
			return invrule("a priority", VBUS_RULE_PRIORITY, argv[i + 1]);
	}
	return EXIT_OK;
}

/* ATTR's value as text into *@ret_value (free() it). */
static int attr_get(struct ctl *ctl, const char *dev, const char *attr, char **ret_value)
{
	unsigned int prio;
	char buf[16];
	int r;

	if (!is_priority(attr))
		return vbus_device_get_attr(ctl->vbus, dev, attr, ret_value);
	r = vbus_device_get_priority(ctl->vbus, dev, &prio);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%u", prio);
	*ret_value = strdup(buf);
	return *ret_value ? 0 : -ENOMEM;
}

static int attr_set(struct ctl *ctl, const char *dev, const char *attr, const char *value)
{
	unsigned int prio;
	int r;

	if (!is_priority(attr))
		return vbus_device_set_attr(ctl->vbus, dev, attr, value);
	r = vbus_priority_parse(value, &prio);
	return r < 0 ? r : vbus_device_set_priority(ctl->vbus, dev, prio);
}

static int attr_error(const char *dev, const char *attr, const char *value, int r)
{
	if (r == -ENOENT)
		fprintf(stderr, "Error: device \"%s\" has no attribute \"%s\".\n", dev, attr);
	else
		fprintf(stderr, "Error: cannot set %s of device \"%s\" to \"%s\": %s.\n", attr, dev,
			value, vbus_strerror(r));
	return EXIT_SYSTEM;
}

static int device_add(struct ctl *ctl, int argc, char **argv)
{
	const char *name, *class;
	int ret, r;

	if (argc < 1)
		return missarg("add");
	name = argv[0];
	if (!vbus_name_valid(name))
		return invname("device", name);
	if (argc < 2 || !keyword_is(argv[1], "type")) {
		fprintf(stderr, "Error: \"device add %s\" needs \"type CLASS\".\n", name);
		return EXIT_USAGE;
	}
	if (argc < 3)
		return missarg("type");
	class = argv[2];
	if (!vbus_class_name_valid(class))
		return invname("class", class);
	ret = check_attr_pairs(argc - 3, argv + 3);
	if (ret != EXIT_OK)
		return ret;

	r = vbus_device_add(ctl->vbus, name, class);
	if (r == -EEXIST) {
		fprintf(stderr, "Error: device \"%s\" exists.\n", name);
		return EXIT_SYSTEM;
	}
	if (r == -ENOENT) {
		fprintf(stderr, "Error: device class \"%s\" is unknown.\n", class);
		return EXIT_SYSTEM;
	}
	if (r < 0)
		return syserr("cannot add device", name, r);
	for (int i = 3; i < argc; i += 2) {
		r = attr_set(ctl, name, argv[i], argv[i + 1]);
		if (r < 0) {
			vbus_device_del(ctl->vbus, name);
			return attr_error(name, argv[i], argv[i + 1], r);
		}
	}
	return EXIT_OK;
}

static int device_del(struct ctl *ctl, int argc, char **argv)
{
	int ret, r;

	if (argc < 1)
		return missarg("del");
	if (argc > 1)
		return invarg("unexpected argument after the device name", argv[1]);
	ret = device_must_exist(ctl, argv[0]);
	if (ret != EXIT_OK)
		return ret;
	r = vbus_device_del(ctl->vbus, argv[0]);
	if (r < 0)
		return syserr("cannot delete device", argv[0], r);
	return EXIT_OK;
}

static int device_set(struct ctl *ctl, int argc, char **argv)
{
	bool changing = false;
	int ret, r = 0, i, failed = 0;
	char **old;

	if (argc < 1)
		return missarg("set");
	if (argc < 2) {
		fprintf(stderr, "Error: \"device set %s\" needs ATTR VALUE.\n", argv[0]);
		return EXIT_USAGE;
	}
	ret = check_attr_pairs(argc - 1, argv + 1);
	if (ret == EXIT_OK)
		ret = device_must_exist(ctl, argv[0]);
	if (ret != EXIT_OK)
		return ret;

	/* Read every old value first, to put them back if a write fails. */
	old = calloc(argc, sizeof(*old));
	if (!old)
		return syserr("cannot set device", argv[0], -ENOMEM);
	for (i = 1; i < argc && !failed; i += 2) {
		r = attr_get(ctl, argv[0], argv[i], &old[i]);
		if (r < 0)
			failed = i;
	}
	for (i = 1; i < argc && !failed; i += 2) {
		changing = true;
		r = attr_set(ctl, argv[0], argv[i], argv[i + 1]);
		if (r < 0)
			failed = i;
	}
	if (failed) {
		ret = attr_error(argv[0], argv[failed], argv[failed + 1], r);
		for (i = 1; changing && i < failed; i += 2)
			attr_set(ctl, argv[0], argv[i], old[i]);
	}
	for (i = 0; i < argc; i++)
		free(old[i]);
	free(old);
	return ret;
}

/* NAME bus BUS, both existing. */
static int parse_link(struct ctl *ctl, const char *cmd, int argc, char **argv)
{
	int ret;

	if (argc < 1)
		return missarg(cmd);
	if (argc < 2 || !keyword_is(argv[1], "bus")) {
		fprintf(stderr, "Error: \"device %s %s\" needs \"bus BUS\".\n", cmd, argv[0]);
		return EXIT_USAGE;
	}
	if (argc < 3)
		return missarg("bus");
	if (argc > 3)
		return invarg("unexpected argument after the bus name", argv[3]);
	ret = device_must_exist(ctl, argv[0]);
	if (ret != EXIT_OK)
		return ret;
	if (!vbus_name_valid(argv[2]))
		return invname("bus", argv[2]);
	ret = vbus_bus_exists(ctl->vbus, argv[2]);
	if (ret == 0) {
		fprintf(stderr, "Error: bus \"%s\" does not exist.\n", argv[2]);
		return EXIT_SYSTEM;
	}
	return ret < 0 ? syserr("bus", argv[2], ret) : EXIT_OK;
}

static int device_attach(struct ctl *ctl, int argc, char **argv)
{
	int ret, r;

	ret = parse_link(ctl, "attach", argc, argv);
	if (ret != EXIT_OK)
		return ret;
	r = vbus_device_attach(ctl->vbus, argv[0], argv[2]);
	if (r == -EEXIST) {
		fprintf(stderr, "Error: device \"%s\" is already on bus \"%s\".\n", argv[0],
			argv[2]);
		return EXIT_SYSTEM;
	}
	if (r == -EINVAL) {
		fprintf(stderr, "Error: device \"%s\" cannot be attached: it has no type.\n",
			argv[0]);
		return EXIT_SYSTEM;
	}
	return r < 0 ? syserr("cannot attach device", argv[0], r) : EXIT_OK;
}

static int device_detach(struct ctl *ctl, int argc, char **argv)
{
	int ret, r;

	ret = parse_link(ctl, "detach", argc, argv);
	if (ret != EXIT_OK)
		return ret;
	r = vbus_device_detach(ctl->vbus, argv[0], argv[2]);
	if (r == -ENOENT) {
		fprintf(stderr, "Error: device \"%s\" is not on bus \"%s\".\n", argv[0], argv[2]);
		return EXIT_SYSTEM;
	}
	return r < 0 ? syserr("cannot detach device", argv[0], r) : EXIT_OK;
}

enum { KW_BUS, KW_TYPE };
static const struct cmd show_keywords[] = {
	[KW_BUS] = { "bus" },
	[KW_TYPE] = { "type" },
	{ NULL },
};

/*
 * The priority of each of @devs, which the dump does not carry: configfs
 * has it. -1 for a device removed since the dump.
 */
static int device_priorities(struct ctl *ctl, struct vbus_device **devs, int **ret_prios)
{
	size_t n = 0;
	int *v;

	while (devs[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned int prio;
		int r = vbus_device_get_priority(ctl->vbus, vbus_device_get_name(devs[i]), &prio);

		if (r < 0 && r != -ENOENT) {
			free(v);
			return r;
		}
		v[i] = r < 0 ? -1 : (int)prio;
	}
	*ret_prios = v;
	return 0;
}

static int device_show(struct ctl *ctl, int argc, char **argv)
{
	const char *name = NULL, *bus = NULL, *class = NULL;
	struct vbus_device **devs = NULL;
	const struct cmd *kw;
	int *prios, r;

	/* A first word that is not spelled out as a keyword is the NAME. */
	if (argc > 0 && strcmp(argv[0], "bus") != 0 && strcmp(argv[0], "type") != 0) {
		name = argv[0];
		if (!vbus_name_valid(name))
			return invname("device", name);
		argc--, argv++;
	}
	for (; argc > 0; argc -= 2, argv += 2) {
		kw = keyword(show_keywords, argv[0]);
		if (!kw)
			return EXIT_USAGE;
		if (argc < 2)
			return missarg(kw->name);
		if (kw - show_keywords == KW_BUS) {
			if (bus)
				return duparg(kw->name, argv[1]);
			if (!vbus_name_valid(argv[1]))
				return invname("bus", argv[1]);
			bus = argv[1];
		} else {
			if (class)
				return duparg(kw->name, argv[1]);
			class = argv[1];
		}
	}

	r = vbus_device_dump(ctl->vbus, name, class, bus, &devs);
	if (r == -EINVAL && class)
		return invarg("not a class name", class);
	if (r < 0)
		return show_error("devices", r);
	if (name && !devs[0] && !bus && !class) {
		vbus_device_list_free(devs);
		fprintf(stderr, "Error: device \"%s\" does not exist.\n", name);
		return EXIT_SYSTEM;
	}
	r = device_priorities(ctl, devs, &prios);
	if (r < 0) {
		vbus_device_list_free(devs);
		return show_error("devices", r);
	}
	print_open_array(ctl->out, NULL);
	for (size_t i = 0; devs[i]; i++)
		print_device(ctl, NULL, devs[i], prios[i]);
	print_close_array(ctl->out);
	free(prios);
	vbus_device_list_free(devs);
	return EXIT_OK;
}

static const struct cmd device_cmds[] = {
	{ "add", device_add },
	{ "del", device_del },
	{ "set", device_set },
	{ "attach", device_attach },
	{ "detach", device_detach },
	{ "show", device_show },
	{ "list", device_show },
	{ "help", device_usage },
	{ NULL },
};

int do_device(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 0)
		return device_show(ctl, argc, argv);
	return cmd_dispatch(ctl, device_cmds, "command", argc, argv);
}
