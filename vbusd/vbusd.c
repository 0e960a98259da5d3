// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusd: the vbus topology daemon.
 *
 * This first version checks that the kernel side is present, reports it to
 * systemd (Type=notify, watchdog, reload) and waits for signals. Applying
 * declarative topologies (doc/vbusd.md) is built on this loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include <vbus/vbus.h>

struct manager {
	struct vbus_ctx *vbus;
	sd_event *event;
};

static void manager_free(struct manager *m)
{
	if (!m)
		return;
	sd_event_unref(m->event);
	vbus_ctx_free(m->vbus);
	free(m);
}

static inline void manager_freep(struct manager **m)
{
	manager_free(*m);
}

/* Check the kernel side and tell systemd what we see. */
static int manager_refresh(struct manager *m)
{
	char *kver = NULL;
	int r;

	r = vbus_kernel_version(m->vbus, &kver);
	if (r < 0) {
		fprintf(stderr, "Failed to read the vbus kernel module version: %s\n",
			vbus_strerror(r));
		return r;
	}
	sd_notifyf(false, "STATUS=vbus kernel module %s; no topology applied", kver);
	fprintf(stderr, "vbus kernel module %s present\n", kver);
	free(kver);
	return 0;
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;
	int r;

	sd_notify(false, "RELOADING=1");
	r = manager_refresh(m);
	sd_notify(false, "READY=1");
	/* A failed refresh is reported in STATUS; the daemon keeps running. */
	(void)r;
	return 0;
}

static int manager_new(struct manager **ret)
{
	struct manager *m;
	sigset_t mask;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	r = vbus_ctx_new(&m->vbus);
	if (r < 0)
		goto fail;
	r = sd_event_default(&m->event);
	if (r < 0)
		goto fail;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_reload, m);
	if (r >= 0)
		r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

int main(int argc, char **argv)
{
	__attribute__((cleanup(manager_freep))) struct manager *m = NULL;
	int r;

	if (argc > 1) {
		fprintf(stderr, "Usage: vbusd\n");
		return EXIT_FAILURE;
	}

	r = manager_new(&m);
	if (r < 0) {
		fprintf(stderr, "Failed to set up the event loop: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	r = manager_refresh(m);
	if (r < 0) {
		sd_notifyf(false, "STATUS=vbus kernel module missing: %s", vbus_strerror(r));
		return EXIT_FAILURE;
	}
	sd_notify(false, "READY=1");

	r = sd_event_loop(m->event);
	if (r < 0) {
		fprintf(stderr, "Failed to run the event loop: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	sd_notify(false, "STOPPING=1");
	return EXIT_SUCCESS;
}
