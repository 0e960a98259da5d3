// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: the manager (manager.h). */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <vbus/vbus.h>

#include "apply.h"
#include "manager.h"
#include "plan.h"

static int live_get(struct manager *m, struct live **ret);
static int follow_module(struct manager *m);

/* Drift repair runs at most once per this interval (microseconds). */
#define DRIFT_INTERVAL_USEC (1000 * 1000ULL)
#define DRIFT_DELAY_USEC (100 * 1000ULL)

/* Classes asked about during one load: a big topology names few classes many times. */
struct class_cache {
	struct vbus_ctx *vbus;
	struct strset known, unknown;
};

static bool class_known(const char *class, void *userdata)
{
	struct class_cache *c = userdata;
	bool known;

	if (strset_has(&c->known, class))
		return true;
	if (strset_has(&c->unknown, class))
		return false;
	known = vbus_class_load(c->vbus, class) >= 0;
	strset_add(known ? &c->known : &c->unknown, class);
	return known;
}

int manager_new(struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->topology_dir = getenv("VBUSD_TOPOLOGY_DIR") ?: VBUS_TOPOLOGY_DIR;
	m->state_path = getenv("VBUSD_STATE_FILE") ?: VBUS_STATE_DIR "/state.json";
	m->socket_path = getenv("VBUSD_SOCKET") ?: VBUSD_SOCKET;
	m->domain_dir = getenv("VBUSD_DOMAIN_DIR") ?: "/run/vbusd/domains";
	m->qemu_user = strdup("libvirt-qemu");
	m->ivshmem.dir = getenv("VBUSD_IVSHMEM_DIR") ?: "/run/vbusd/ivshmem";
	r = vbus_ctx_new(&m->vbus);
	if (r < 0)
		goto out_free;
	r = sd_event_default(&m->event);
	if (r < 0)
		goto out_free;
	m->ivshmem.event = m->event;
	*ret = m;
	return 0;

out_free:
	manager_free(m);
	return r;
}

static void cache_clear(struct topo_cache *c)
{
	topology_unref(c->t);
	topo_sources_clear(&c->topo);
	topo_sources_clear(&c->domains);
	*c = (struct topo_cache){ 0 };
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	sd_event_source_unref(m->ipc_source);
	sd_event_source_unref(m->drift_timer);
	sd_event_source_unref(m->monitor_source);
	vbus_monitor_free(m->monitor);
	ivshmem_clear(&m->ivshmem);
	sd_event_unref(m->event);
	vbus_ctx_free(m->vbus);
	cache_clear(&m->cache);
	live_free(m->live);
	free(m->status);
	free(m->qemu_user);
	free(m);
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void set_status(struct manager *m, char *status)
{
	if (!status)
		return;
	free(m->status);
	m->status = status;
	sd_notifyf(false, "STATUS=%s", status);
}

/* Domains' buses are the QEMU user's unless they say otherwise. */
static uid_t domain_owner(const struct manager *m)
{
	struct passwd *pw = m->qemu_user ? getpwnam(m->qemu_user) : NULL;

	return pw ? pw->pw_uid : 0;
}

/*
 * Parsing and checking thousands of objects is most of a reload's work, so
 * the topology of the directories alone is kept for as long as their files
 * read the same, byte for byte. What else it depends on is checked again:
 * the QEMU user, and every class it names (a class module may be gone).
 */
static bool cache_hit(struct manager *m, const struct topo_sources *topo,
		      const struct topo_sources *domains, uid_t owner, struct class_cache *classes)
{
	const struct topology *t = m->cache.t;

	if (!t || owner != m->cache.domain_owner || !topo_sources_equal(topo, &m->cache.topo) ||
	    !topo_sources_equal(domains, &m->cache.domains))
		return false;
	for (size_t i = 0; i < t->n_devices; i++)
		if (!class_known(t->devices[i]->class, classes))
			return false;
	return true;
}

static void cache_store(struct manager *m, struct topology *t, struct topo_sources *topo,
			struct topo_sources *domains, uid_t owner)
{
	cache_clear(&m->cache);
	m->cache.t = topology_ref(t);
	m->cache.topo = *topo;
	m->cache.domains = *domains;
	m->cache.domain_owner = owner;
	*topo = *domains = (struct topo_sources){ 0 };
}

/* The topology files of @dir, less @skip: *@error says which step failed. */
static int read_sources(struct topo_sources *src, const char *dir, const char *skip,
			char **error)
{
	int r = topo_sources_read_dir(src, dir, skip);

	if (r < 0)
		*error = strdupf("Failed to read %s: %s", dir, strerror(-r));
	return r;
}

/* topology.d, the domains' topologies and the request's text, parsed together. */
static int parse_topology(struct manager *m, const struct converge_req *req,
			  struct topo_sources *topo, struct topo_sources *domains,
			  struct class_cache *classes, struct topology **ret)
{
	_cleanup_(topology_unrefp) struct topology *t = NULL;
	int r;

	r = topology_new(class_known, classes, &t);
	if (r < 0)
		return r;
	r = topology_add_sources(t, topo);
	if (r < 0)
		return r;
	t->default_owner = domain_owner(m);
	r = topology_add_sources(t, domains);
	if (r < 0)
		return r;
	if (req->name) {
		if (!req->install_dir)
			t->default_owner = 0;
		r = topology_add_text(t, req->label ?: req->name, req->text, req->len);
		if (r < 0)
			return r;
	}
	r = topology_finish(t);
	if (r < 0)
		return r;
	t->class_known = NULL;	/* the class cache goes now */
	*ret = topology_ref(t);
	return 0;
}

static int load_topology(struct manager *m, const struct converge_req *req,
			 struct topology **ret, char **error)
{
	struct class_cache classes = { .vbus = m->vbus };
	struct topo_sources topo = { 0 }, domains = { 0 };
	uid_t owner = domain_owner(m);
	struct topology *t = NULL;
	int r;

	r = read_sources(&topo, m->topology_dir, req->install_dir ? NULL : req->name, error);
	if (r < 0)
		goto out;
	r = read_sources(&domains, m->domain_dir, req->install_dir ? req->name : NULL, error);
	if (r < 0)
		goto out;
	if (!req->name && cache_hit(m, &topo, &domains, owner, &classes)) {
		*ret = topology_ref(m->cache.t);
		goto out;
	}
	r = parse_topology(m, req, &topo, &domains, &classes, &t);
	if (r < 0) {
		*error = strdupf("Failed to parse the topology: %s", strerror(-r));
		goto out;
	}
	if (!req->name && topology_valid(t))
		cache_store(m, t, &topo, &domains, owner);
	*ret = t;
out:
	topo_sources_clear(&topo);
	topo_sources_clear(&domains);
	strset_clear(&classes.known);
	strset_clear(&classes.unknown);
	return r;
}

/* Ownership while an apply runs: what was owned plus all it may create. */
static int state_union(const struct state *a, const struct state *b, struct state *ret)
{
	int r = 0;

	*ret = (struct state){ 0 };
	for (size_t i = 0; i < a->buses.n && r >= 0; i++)
		r = strset_add(&ret->buses, a->buses.v[i]);
	for (size_t i = 0; i < b->buses.n && r >= 0; i++)
		r = strset_add(&ret->buses, b->buses.v[i]);
	for (size_t i = 0; i < a->devices.n && r >= 0; i++)
		r = strset_add(&ret->devices, a->devices.v[i]);
	for (size_t i = 0; i < b->devices.n && r >= 0; i++)
		r = strset_add(&ret->devices, b->devices.v[i]);
	return r;
}

/* Our own changes come back as kernel events: they are not drift. */
static void drain_monitor(struct manager *m)
{
	struct vbus_change *c;
	int r;

	/* A big apply overflows the socket: -ENOBUFS is about our own changes too. */
	while (m->monitor && (r = vbus_monitor_next(m->monitor, &c)) != 0) {
		if (r > 0)
			vbus_change_free(c);
		else if (r != -ENOBUFS)
			break;
	}
}

/*
 * An apply of thousands of steps keeps the event loop, and with it sd-event's
 * watchdog pings, from running; on a busy host it outlasts WatchdogSec. Ping
 * from inside the apply, at most once a second.
 */
static void apply_keepalive(void)
{
	static struct timespec last;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec == last.tv_sec)
		return;
	last = now;
	sd_notify(false, "WATCHDOG=1");
}

/* Apply @p, recording first that vbusd owns everything it may create. */
static int apply(struct manager *m, const struct plan *p, const struct state *owned,
		 char **ret_error)
{
	struct kops ops = kops_libvbus;
	struct state intent;
	int r;

	if (p->n == 0)
		return state_equal(owned, &p->owned) ? 0 : state_save(m->state_path, &p->owned);
	r = state_union(owned, &p->owned, &intent);
	if (r >= 0)
		r = state_save(m->state_path, &intent);
	state_clear(&intent);
	if (r < 0) {
		*ret_error = strdupf("Failed to save the state file %s: %s", m->state_path,
				     strerror(-r));
		return r;
	}
	ops.progress = apply_keepalive;
	r = plan_apply(p, &ops, m->vbus, ret_error);
	m->kernel_writes += p->n;
	m->live_stale = true;
	drain_monitor(m);
	if (state_save(m->state_path, r < 0 ? owned : &p->owned) < 0)
		log_error("Failed to save the state file %s: %m", m->state_path);
	return r;
}

static int install(struct manager *m, const struct converge_req *req, char **ret_error)
{
	const char *dir = req->install_dir ?: m->topology_dir;
	_cleanup_free_ char *path = strdupf("%s/%s", dir, req->name);
	int r;

	if (!path)
		return -ENOMEM;
	mkdir(dir, 0755);
	r = write_file_atomic(path, req->text, req->len);
	if (r < 0)
		*ret_error = strdupf("Failed to install %s: %s", path, strerror(-r));
	return r;
}

static char *summary(const struct topology *t, const struct plan *p, enum converge_mode mode)
{
	if (mode == CONVERGE_CHECK)
		return strdupf("valid: %zu buses, %zu devices", t->n_buses, t->n_devices);
	if (mode == CONVERGE_PLAN)
		return strdupf("%zu changes planned for %zu buses, %zu devices", p->n,
			       t->n_buses, t->n_devices);
	return strdupf("%zu buses, %zu devices converged (%zu changes)", t->n_buses,
		       t->n_devices, p->n);
}

/* What vbusd owns, and the plan from the kernel's state to @t. */
static int plan_topology(struct manager *m, struct topology *t, struct state *owned,
			 struct converge_result *res)
{
	struct live *live = NULL;
	int r;

	r = state_load(m->state_path, owned);
	if (r == -EBADMSG)
		log_warning("State file %s is damaged; vbusd owns nothing", m->state_path);
	r = live_get(m, &live);
	if (r < 0) {
		res->error = strdupf("Failed to read the kernel state: %s", strerror(-r));
		return r;
	}
	r = plan_compute(t, live, owned, &res->plan);
	if (r < 0) {
		res->error = strdupf("Failed to plan the changes: %s", strerror(-r));
		return r;
	}
	if (res->plan->n_errors) {
		res->error = strdup("objects vbusd does not own are in the way; nothing was "
				    "changed");
		return -EEXIST;
	}
	return 0;
}

static int converge(struct manager *m, const struct converge_req *req,
		    struct converge_result *res)
{
	struct state owned = { 0 };
	struct topology *t = NULL;
	int r;

	r = vbus_load(m->vbus);
	if (r < 0) {
		res->error = strdupf("Failed to load the vbus module: %s", strerror(-r));
		return r;
	}
	r = follow_module(m);
	if (r < 0) {
		res->error = strdupf("Failed to follow the vbus module: %s", strerror(-r));
		return r;
	}
	r = load_topology(m, req, &t, &res->error);
	if (r < 0)
		return r;
	res->topology = t;
	if (!topology_valid(t)) {
		res->error = strdupf("the topology has %zu problem(s); nothing was changed",
				     t->n_errors);
		return -EINVAL;
	}
	if (req->mode != CONVERGE_CHECK) {
		r = plan_topology(m, t, &owned, res);
		if (r < 0)
			goto out;
	}
	if (req->mode == CONVERGE_APPLY) {
		r = apply(m, res->plan, &owned, &res->error);
		if (r < 0)
			goto out;
		if (req->name) {
			r = install(m, req, &res->error);
			if (r < 0)
				goto out;
		}
		ivshmem_sync(&m->ivshmem, t);
	}
	res->summary = summary(t, res->plan, req->mode);
out:
	state_clear(&owned);
	return r;
}

void converge_result_clear(struct converge_result *res)
{
	free(res->error);
	topology_unref(res->topology);
	plan_free(res->plan);
	free(res->summary);
	*res = (struct converge_result){ 0 };
}

static void log_result(struct manager *m, const struct converge_req *req,
		       const struct converge_result *res, uint64_t start)
{
	const struct topology *t = res->topology;
	const struct plan *p = res->plan;

	if (!res->error) {
		log_info("Converged (%s) in %.3f s: %s", req->why, (now_usec() - start) / 1e6,
			 res->summary ?: "");
		set_status(m, strdup(res->summary ?: ""));
		return;
	}
	log_error("Failed to converge (%s): %s", req->why, res->error);
	for (size_t i = 0; t && !topology_valid(t) && i < t->n_errors; i++)
		log_error("%s", t->errors[i]);
	for (size_t i = 0; p && i < p->n_errors; i++)
		log_error("%s", p->errors[i]);
	set_status(m, strdupf("%s failed: %s", req->why, res->error));
}

int manager_converge(struct manager *m, const struct converge_req *req,
		     struct converge_result *ret)
{
	uint64_t start = now_usec();
	int r;

	*ret = (struct converge_result){ 0 };
	r = converge(m, req, ret);
	if (r >= 0 && !ret->summary)
		r = -ENOMEM;
	if (r < 0 && !ret->error)
		ret->error = strdup(strerror(-r));
	if (req->mode == CONVERGE_APPLY)
		log_result(m, req, ret, start);
	return r;
}

int manager_reload(struct manager *m, struct converge_result *ret)
{
	struct converge_req req = { .mode = CONVERGE_APPLY, .why = "reload" };
	int r;

	sd_notify(false, "RELOADING=1");
	r = manager_converge(m, &req, ret);
	sd_notify(false, "READY=1");
	return r;
}

static int on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *ud)
{
	struct converge_result res;

	manager_reload(ud, &res);
	converge_result_clear(&res);
	return 0;
}

static int on_drift_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	struct converge_req req = { .mode = CONVERGE_APPLY, .why = "drift" };
	struct manager *m = ud;
	struct converge_result res;

	m->last_drift_usec = usec;
	manager_converge(m, &req, &res);
	converge_result_clear(&res);
	return 0;
}

/* Something changed behind vbusd's back: converge soon, at most once per interval. */
static void schedule_drift(struct manager *m)
{
	uint64_t now, when;
	int enabled = SD_EVENT_OFF;

	if (m->drift_timer && sd_event_source_get_enabled(m->drift_timer, &enabled) >= 0 &&
	    enabled != SD_EVENT_OFF)
		return;
	sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	when = now + DRIFT_DELAY_USEC;
	if (m->last_drift_usec && when < m->last_drift_usec + DRIFT_INTERVAL_USEC)
		when = m->last_drift_usec + DRIFT_INTERVAL_USEC;
	if (!m->drift_timer) {
		if (sd_event_add_time(m->event, &m->drift_timer, CLOCK_MONOTONIC, when, 0,
				      on_drift_timer, m) < 0)
			log_error("Failed to add the drift timer: %m");
		return;
	}
	sd_event_source_set_time(m->drift_timer, when);
	sd_event_source_set_enabled(m->drift_timer, SD_EVENT_ONESHOT);
}

/*
 * Pending kernel events: a bus, device, link or attribute changed behind
 * vbusd's back (its own changes were drained as it made them), so the kept
 * live state is stale and a convergence is due.
 */
static void read_kernel_events(struct manager *m)
{
	struct vbus_change *c;
	bool drift = false;
	int r;

	while ((r = vbus_monitor_next(m->monitor, &c)) != 0) {
		if (r < 0) {
			drift = r == -ENOBUFS;	/* events lost: look again */
			break;
		}
		if (vbus_change_get_object(c) == VBUS_OBJECT_BUS ||
		    vbus_change_get_object(c) == VBUS_OBJECT_DEVICE ||
		    vbus_change_get_object(c) == VBUS_OBJECT_LINK)
			drift = true;
		vbus_change_free(c);
	}
	if (drift || r < 0)
		m->live_stale = true;	/* changed, lost, or unreadable: dump again */
	if (drift)
		schedule_drift(m);
}

static int on_kernel_event(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	read_kernel_events(ud);
	return 0;
}

/*
 * The live kernel state, kept between convergences: every change of a bus,
 * device, link or class attribute is announced on the events group, so the
 * last dump is still true while no event came (the core announces attribute
 * writes and classes announce their other attribute changes). Our own
 * changes make it stale too. Devices' priorities are neither dumped nor
 * announced: they are read again each time. The manager owns the result.
 */
static int live_get(struct manager *m, struct live **ret)
{
	struct live *live;
	int r;

	if (m->monitor)
		read_kernel_events(m);
	if (!m->monitor || m->live_stale || !m->live) {
		r = live_read(m->vbus, &live);
		if (r < 0)
			return r;
		live_free(m->live);
		m->live = live;
		m->live_stale = false;
	} else {
		r = live_read_priorities(m->vbus, m->live);
		if (r < 0)
			return r;
	}
	*ret = m->live;
	return 0;
}

/* The vbus module's instance: /sys/module/vbus is made anew at each load. */
static ino_t module_instance(void)
{
	struct stat st;

	return stat("/sys/module/vbus", &st) == 0 ? st.st_ino : 0;
}

static int watch_kernel(struct manager *m)
{
	int r;

	r = vbus_load(m->vbus);
	if (r < 0) {
		log_error("Failed to load the vbus module: %s", strerror(-r));
		return r;
	}
	r = vbus_monitor_new(m->vbus, &m->monitor);
	if (r < 0) {
		log_error("Failed to watch vbus kernel events: %s", strerror(-r));
		return r;
	}
	m->module_ino = module_instance();
	return sd_event_add_io(m->event, &m->monitor_source, vbus_monitor_get_fd(m->monitor),
			       EPOLLIN, on_kernel_event, m);
}

/*
 * The vbus module was unloaded and loaded again since vbusd last looked
 * (possible while no object exists): its genl family and events group are
 * new, so libvbus's context and the subscription are made anew, and the
 * kept live state is dropped.
 */
static int follow_module(struct manager *m)
{
	struct vbus_ctx *ctx;
	int r;

	if (module_instance() == m->module_ino)
		return 0;
	log_info("The vbus module was loaded again; following it");
	r = vbus_ctx_new(&ctx);
	if (r < 0)
		return r;
	m->monitor_source = sd_event_source_disable_unref(m->monitor_source);
	vbus_monitor_free(m->monitor);
	m->monitor = NULL;
	vbus_ctx_free(m->vbus);
	m->vbus = ctx;
	m->live_stale = true;
	return watch_kernel(m);
}

/* Block the signals sd-event takes as events; SIGHUP reloads. */
static int watch_signals(struct manager *m)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
	if (r < 0)
		return r;
	r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	if (r < 0)
		return r;
	return sd_event_add_signal(m->event, NULL, SIGHUP, on_reload_signal, m);
}

int manager_start(struct manager *m)
{
	struct converge_req req = { .mode = CONVERGE_APPLY, .why = "start" };
	struct converge_result res;
	int r;

	r = watch_signals(m);
	if (r < 0) {
		log_error("Failed to handle signals: %s", strerror(-r));
		return r;
	}
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0) {
		log_error("Failed to set up the watchdog: %s", strerror(-r));
		return r;
	}
	r = watch_kernel(m);
	if (r < 0)
		return r;
	r = ipc_listen(m);
	if (r < 0)
		return r;
	ivshmem_restore(&m->ivshmem);
	libvirt_catch_up(m);
	/* A topology that cannot be applied is reported; vbusd stays up for a fixed one. */
	manager_converge(m, &req, &res);
	converge_result_clear(&res);
	return 0;
}

static const char *object_state(struct namemap *changed, struct live *live,
				const struct state *owned, bool bus, const char *name)
{
	const char *c = namemap_get(changed, name);
	bool exists = bus ? live_get_bus(live, name) != NULL : live_get_device(live, name) != NULL;
	bool mine = strset_has(bus ? &owned->buses : &owned->devices, name);

	if (exists && !mine)
		return "foreign";
	if (c)
		return c;
	return "ok";
}

static int status_add(struct status_result *res, const char *kind, const char *name,
		      const char *file, const char *state)
{
	struct status_object *v = realloc(res->objects, (res->n_objects + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	res->objects = v;
	v[res->n_objects++] = (struct status_object){ kind, name, file, state };
	return 0;
}

/* Each object's state, from what the plan would do to it. */
static int status_objects(struct topology *t, struct live *live, const struct state *owned,
			  struct plan *p, struct status_result *res)
{
	struct namemap buses = { 0 }, devices = { 0 };
	int r = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		const char *s = a->kind == ACT_BUS_ADD || a->kind == ACT_DEV_ADD ? "missing" :
				a->kind == ACT_BUS_DEL || a->kind == ACT_DEV_DEL ? "stale" :
				"differs";

		if (a->kind == ACT_LINK || a->kind == ACT_UNLINK)
			namemap_add(&buses, a->bus, (void *)"differs");
		else if (a->dev)
			namemap_add(&devices, a->dev, (void *)s);
		else
			namemap_add(&buses, a->bus, (void *)s);
	}
	for (size_t i = 0; i < t->n_buses && r >= 0; i++)
		r = status_add(res, "bus", t->buses[i]->name, t->buses[i]->file,
			       object_state(&buses, live, owned, true, t->buses[i]->name));
	for (size_t i = 0; i < t->n_devices && r >= 0; i++)
		r = status_add(res, "device", t->devices[i]->name, t->devices[i]->file,
			       object_state(&devices, live, owned, false, t->devices[i]->name));
	for (size_t i = 0; i < p->n && r >= 0; i++)
		if (p->v[i].kind == ACT_BUS_DEL || p->v[i].kind == ACT_DEV_DEL)
			r = status_add(res, p->v[i].bus ? "bus" : "device",
				       p->v[i].bus ?: p->v[i].dev, NULL, "stale");
	namemap_clear(&buses);
	namemap_clear(&devices);
	return r;
}

void status_result_clear(struct status_result *res)
{
	free(res->error);
	topology_unref(res->topology);
	plan_free(res->plan);
	free(res->objects);
	*res = (struct status_result){ 0 };
}

static int status(struct manager *m, struct status_result *res)
{
	struct converge_req req = { .mode = CONVERGE_PLAN };
	struct state owned = { 0 };
	struct live *live = NULL;
	int r;

	r = follow_module(m);
	if (r < 0) {
		res->error = strdupf("Failed to follow the vbus module: %s", strerror(-r));
		return r;
	}
	r = load_topology(m, &req, &res->topology, &res->error);
	if (r < 0 || !topology_valid(res->topology))
		return r;
	if (state_load(m->state_path, &owned) == -EBADMSG)
		log_warning("State file %s is damaged", m->state_path);
	r = live_get(m, &live);
	if (r < 0) {
		res->error = strdupf("Failed to read the kernel state: %s", strerror(-r));
		goto out;
	}
	r = plan_compute(res->topology, live, &owned, &res->plan);
	if (r < 0) {
		res->error = strdupf("Failed to plan the changes: %s", strerror(-r));
		goto out;
	}
	r = status_objects(res->topology, live, &owned, res->plan, res);
out:
	state_clear(&owned);
	return r;
}

int manager_status(struct manager *m, struct status_result *ret)
{
	int r;

	*ret = (struct status_result){ .status = m->status };
	r = status(m, ret);
	if (r < 0 && !ret->error)
		ret->error = strdup(strerror(-r));
	return r;
}
