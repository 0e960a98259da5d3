// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl monitor: one line per change of classes, buses, devices, links
 * and members, from the "events" netlink group, until interrupted.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"
#include "show.h"

static const char *const object_names[] = {
	[VBUS_OBJECT_CLASS] = "class",
	[VBUS_OBJECT_BUS] = "bus",
	[VBUS_OBJECT_DEVICE] = "device",
	[VBUS_OBJECT_LINK] = "link",
	[VBUS_OBJECT_MEMBER] = "member",
};

static const char *const action_names[] = {
	[VBUS_CHANGE_ADD] = "add",
	[VBUS_CHANGE_DEL] = "del",
	[VBUS_CHANGE_CHANGE] = "change",
	[VBUS_CHANGE_ATTR] = "attr",
};

static int monitor_usage(void)
{
	printf("Usage: vbusctl [ -t ] [ -j ] monitor [ all | class | bus | device | link | member ]...\n"
	       "       vbusctl monitor help\n");
	return EXIT_OK;
}

static void print_timestamp(struct printer *p)
{
	struct timespec ts;
	char buf[64];
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06ld", ts.tv_nsec / 1000);
	print_string(p, PRINT_ANY, "timestamp", "[%s] ", buf);
}

/* One line: the device and the attribute whose value changed (not sent). */
static void print_attr_change(struct printer *p, const struct vbus_device *d)
{
	print_open_object(p, "device");
	print_string(p, PRINT_ANY, "name", "device %s", vbus_device_get_name(d));
	print_string(p, PRINT_ANY, "class", " class %s", vbus_device_get_class(d));
	print_string(p, PRINT_ANY, "type", " type %s", vbus_device_get_type(d));
	print_open_object(p, "attributes");
	for (unsigned int i = 0; i < vbus_device_get_n_attrs(d); i++) {
		print_string(p, PRINT_TEXT, NULL, " attribute %s", vbus_device_get_attr_name(d, i));
		print_null(p, PRINT_JSON, vbus_device_get_attr_name(d, i), NULL);
	}
	print_close_object(p);
	print_close_object(p);
	print_nl(p);
}

static void print_change(struct ctl *ctl, const struct vbus_change *c)
{
	enum vbus_change_object obj = vbus_change_get_object(c);
	struct printer *p = ctl->out;

	print_open_object(p, NULL);
	if (ctl->timestamp)
		print_timestamp(p);
	print_string(p, PRINT_ANY, "object", "[%s]", object_names[obj]);
	print_string(p, PRINT_ANY, "action", " %s ", action_names[vbus_change_get_action(c)]);
	switch (obj) {
	case VBUS_OBJECT_CLASS:
		print_class(ctl, "class", vbus_change_get_class(c));
		break;
	case VBUS_OBJECT_BUS:
		print_bus(ctl, "bus", vbus_change_get_bus(c), NULL, NULL);
		break;
	case VBUS_OBJECT_DEVICE:
		if (vbus_change_get_action(c) == VBUS_CHANGE_ATTR)
			print_attr_change(p, vbus_change_get_device(c));
		else
			print_device(ctl, "device", vbus_change_get_device(c), -1);
		break;
	case VBUS_OBJECT_LINK:
		print_link(ctl, "link", vbus_change_get_link(c));
		print_nl(p);
		break;
	case VBUS_OBJECT_MEMBER:
		print_member(ctl, "member", vbus_change_get_member(c));
		print_nl(p);
		break;
	}
	print_close_object(p);
	print_end(p);
	fflush(stdout);
}

int do_monitor(struct ctl *ctl, int argc, char **argv)
{
	static const struct cmd words[] = {
		{ .name = "all" }, { .name = "class" }, { .name = "bus" }, { .name = "device" },
		{ .name = "link" }, { .name = "member" }, { .name = "help" }, { NULL },
	};
	bool want[VBUS_OBJECT_MEMBER + 1] = { 0 }, any = false;
	struct vbus_monitor *m = NULL;
	struct pollfd pfd[2];
	sigset_t mask;
	int r, ret = EXIT_OK;

	for (; argc > 0; argc--, argv++) {
		const struct cmd *w = keyword(words, argv[0]);

		if (!w)
			return EXIT_USAGE;
		if (strcmp(w->name, "help") == 0)
			return monitor_usage();
		for (int o = 0; o <= VBUS_OBJECT_MEMBER; o++)
			if (strcmp(w->name, "all") == 0 || strcmp(w->name, object_names[o]) == 0)
				want[o] = any = true;
	}
	if (!any)
		memset(want, true, sizeof(want));

	r = vbus_monitor_new(ctl->vbus, &m);
	if (r < 0)
		return show_error("changes", r);

	/* SIGINT and SIGTERM end the monitor cleanly. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	pfd[0] = (struct pollfd){ .fd = vbus_monitor_get_fd(m), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = signalfd(-1, &mask, SFD_CLOEXEC), .events = POLLIN };
	while (pfd[1].fd >= 0) {
		struct vbus_change *c;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!pfd[0].revents)
			continue;
		while ((r = vbus_monitor_next(m, &c)) > 0) {
			if (want[vbus_change_get_object(c)])
				print_change(ctl, c);
			vbus_change_free(c);
		}
		if (r == -ENOBUFS) {
			fprintf(stderr, "Warning: changes were lost (the receive buffer overflowed).\n");
		} else if (r < 0) {
			ret = show_error("changes", r);
			break;
		}
	}
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	vbus_monitor_free(m);
	return ret;
}
