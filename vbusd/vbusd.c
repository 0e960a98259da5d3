// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusd: the vbus topology daemon (vbusd(8), vbus-topology(5)). It keeps the
 * kernel's buses and devices converged to /etc/vbus/topology.d.
 */
#include <stdlib.h>
#include <string.h>

#include "manager.h"
#include "util.h"

int main(int argc, char **argv)
{
	_cleanup_(manager_freep) struct manager *m = NULL;
	int r;

	if (argc > 1) {
		fprintf(stderr, "Usage: vbusd\n");
		return EXIT_FAILURE;
	}
	r = manager_new(&m);
	if (r < 0) {
		log_error("Failed to create the manager: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	r = manager_start(m);
	if (r < 0) {
		sd_notifyf(false, "STATUS=Failed to start: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	sd_notify(false, "READY=1");
	r = sd_event_loop(m->event);
	if (r < 0) {
		log_error("Failed to run the event loop: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	/* The topology stays in place: stopping vbusd changes nothing in the kernel. */
	sd_notify(false, "STOPPING=1");
	return EXIT_SUCCESS;
}
