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

#include "ivshmem.h"
#include "topology.h"

/* Logging to stderr, which journald reads with the sd-daemon(3) level prefixes. */
#define log_error(fmt, ...) fprintf(stderr, SD_ERR fmt "\n", ##__VA_ARGS__)
#define log_warning(fmt, ...) fprintf(stderr, SD_WARNING fmt "\n", ##__VA_ARGS__)
#define log_info(fmt, ...) fprintf(stderr, SD_INFO fmt "\n", ##__VA_ARGS__)

struct vbus_ctx;
struct vbus_monitor;

struct live;
struct plan;

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
	struct ivshmem ivshmem;		/* the guest buses' servers */
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
 * What a convergence did: the core returns it, ipc.c alone renders it (as
 * vbusctl shows it: {"ok", "error", "errors", "actions", "summary"}).
 */
struct converge_result {
	char *error;			/* what failed, one line; NULL: it worked */
	struct topology *topology;	/* held: its errors when it was not valid */
	struct plan *plan;		/* the actions (NULL: not planned); its errors when */
					/* objects vbusd does not own were in the way */
	char *summary;			/* what was done, when it worked */
};

void converge_result_clear(struct converge_result *res);

/* Converge (or check, or plan). Returns 0 or a negative errno; *ret is filled either way. */
int manager_converge(struct manager *m, const struct converge_req *req,
		     struct converge_result *ret);
/* A reload: RELOADING=1, converge topology.d, READY=1. */
int manager_reload(struct manager *m, struct converge_result *ret);

/* One object of the topology against the kernel. */
struct status_object {
	const char *kind;	/* "bus", "device" */
	const char *name;
	const char *file;	/* the topology file; NULL for a stale one */
	const char *state;	/* "ok", "missing", "differs", "stale", "foreign" */
};

/* Desired against live, per object (the names point into @topology and @plan). */
struct status_result {
	const char *status;		/* the manager's STATUS= line, or NULL */
	char *error;			/* NULL: the comparison was made */
	struct topology *topology;	/* held: its errors when it was not valid */
	struct plan *plan;
	struct status_object *objects;
	size_t n_objects;
};

void status_result_clear(struct status_result *res);
int manager_status(struct manager *m, struct status_result *ret);

/* ipc.c: the socket, and the one place results become JSON. */
int ipc_listen(struct manager *m);
json_t *converge_result_json(const struct converge_result *res);
json_t *status_result_json(const struct status_result *res);

/* libvirt.c: the hook's requests; the answers as manager_converge() gives them. */
int libvirt_domain_start(struct manager *m, const char *domain, const char *user,
			 const char *text, struct converge_result *ret);
int libvirt_domain_stop(struct manager *m, const char *domain, struct converge_result *ret);
/* Catch up with domains that started or stopped while vbusd was down. */
void libvirt_catch_up(struct manager *m);

#endif
