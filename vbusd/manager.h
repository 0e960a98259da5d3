/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manager: the event loop's state and convergence, the one operation
 * behind start, reload, drift repair and the IPC requests.
 */
#ifndef VBUSD_MANAGER_H
#define VBUSD_MANAGER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "topology.h"

/* Logging to stderr, which journald reads with the sd-daemon(3) level prefixes. */
#define log_error(fmt, ...) fprintf(stderr, SD_ERR fmt "\n", ##__VA_ARGS__)
#define log_warning(fmt, ...) fprintf(stderr, SD_WARNING fmt "\n", ##__VA_ARGS__)
#define log_info(fmt, ...) fprintf(stderr, SD_INFO fmt "\n", ##__VA_ARGS__)

struct vbus_ctx;
struct vbus_monitor;

struct live;

/* The topology of the directories alone, as last parsed: reused while they read the same. */
struct topo_cache {
	struct topology *t;
	struct topo_sources topo, domains;
	uid_t domain_owner;
};

struct manager {
	struct vbus_ctx *vbus;
	sd_event *event;
	struct vbus_monitor *monitor;
	sd_event_source *monitor_source;
	sd_event_source *drift_timer;
	sd_event_source *ipc_source;
	const char *topology_dir;
	const char *state_path;
	const char *socket_path;
	const char *domain_dir;		/* topologies of running libvirt domains */
	char *qemu_user;		/* owns their buses (the hook says who) */
	uint64_t last_drift_usec;
	unsigned long kernel_writes;	/* steps applied since start */
	char *status;			/* one line, as STATUS= says it */
	struct topo_cache cache;
	struct live *live;		/* the last dump of the kernel's state */
	bool live_stale;		/* events (or our own changes) since */
	ino_t module_ino;		/* /sys/module/vbus when subscribed */
};

enum converge_mode {
	CONVERGE_CHECK,		/* validate only */
	CONVERGE_PLAN,		/* validate and plan, change nothing */
	CONVERGE_APPLY,
};

/* A topology to consider beside topology.d: installed as @name on success. */
struct converge_req {
	enum converge_mode mode;
	const char *name;	/* NULL: topology.d alone */
	const char *install_dir;	/* NULL: topology.d */
	const char *label;	/* the file's name in messages */
	const char *text;
	size_t len;
	const char *why;	/* for the log: "start", "reload", "drift", ... */
};

int manager_new(struct manager **ret);
void manager_free(struct manager *m);
static inline void manager_freep(struct manager **m)
{
	manager_free(*m);
}

/* Signals, watchdog, kernel events, the IPC socket, then the first convergence. */
int manager_start(struct manager *m);

/*
 * Converge (or check, or plan). Returns 0 or a negative errno; *ret (always
 * set unless out of memory) is the result as vbusctl shows it: {"ok",
 * "error", "errors", "actions", "summary"}.
 */
int manager_converge(struct manager *m, const struct converge_req *req, json_t **ret);
/* A reload: RELOADING=1, converge topology.d, READY=1. */
int manager_reload(struct manager *m, json_t **ret);
/* Desired against live, per object. */
int manager_status(struct manager *m, json_t **ret);

/* ipc.c */
int ipc_listen(struct manager *m);

/* libvirt.c: the hook's requests; the answers as manager_converge() gives them. */
json_t *libvirt_domain_start(struct manager *m, const char *domain, const char *user,
			     const char *text);
json_t *libvirt_domain_stop(struct manager *m, const char *domain);
/* Catch up with domains that started or stopped while vbusd was down. */
void libvirt_catch_up(struct manager *m);

#endif
