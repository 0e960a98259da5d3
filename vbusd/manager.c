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
	r = vbus_ctx_new(&m->vbus);
	if (r >= 0)
		r = sd_event_default(&m->event);
	if (r < 0) {
		manager_free(m);
		return r;
	}
	*ret = m;
	return 0;
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

static int load_topology(struct manager *m, const struct converge_req *req,
			 struct topology **ret)
{
	struct class_cache classes = { .vbus = m->vbus };
	struct topo_sources topo = { 0 }, domains = { 0 };
	uid_t owner = domain_owner(m);
	struct topology *t = NULL;
	int r;

	r = topo_sources_read_dir(&topo, m->topology_dir, req->install_dir ? NULL : req->name);
	if (r >= 0)
		r = topo_sources_read_dir(&domains, m->domain_dir,
					  req->install_dir ? req->name : NULL);
	if (r >= 0 && !req->name && cache_hit(m, &topo, &domains, owner, &classes)) {
		*ret = topology_ref(m->cache.t);
		goto out;
	}
	if (r >= 0)
		r = topology_new(class_known, &classes, &t);
	if (r >= 0)
		r = topology_add_sources(t, &topo);
	if (r >= 0) {
		t->default_owner = owner;
		r = topology_add_sources(t, &domains);
	}
	if (r >= 0 && req->name) {
		if (!req->install_dir)
			t->default_owner = 0;
		r = topology_add_text(t, req->label ?: req->name, req->text, req->len);
	}
	if (r >= 0)
		r = topology_finish(t);
	if (r < 0) {
		topology_unref(t);
		goto out;
	}
	t->class_known = NULL;	/* the class cache goes now */
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

static json_t *strings_json(char **v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

static json_t *actions_json(const struct plan *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < p->n; i++) {
		const struct action *a = &p->v[i];
		_cleanup_free_ char *text = action_describe(a);
		bool bus = a->kind == ACT_BUS_ADD || a->kind == ACT_BUS_DEL ||
			   a->kind == ACT_BUS_PERM;

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?}", "verb",
						     action_verb(a), "object", bus ? "bus" : "device",
						     "name", bus ? a->bus : a->dev, "action", text));
	}
	return arr;
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

static int converge(struct manager *m, const struct converge_req *req, json_t *res)
{
	_cleanup_(topology_unrefp) struct topology *t = NULL;
	struct live *live = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	_cleanup_free_ char *error = NULL;
	struct state owned = { 0 };
	int r;

	r = vbus_load(m->vbus);
	if (r >= 0)
		r = follow_module(m);
	if (r < 0) {
		json_object_set_new(res, "error", json_sprintf("Failed to load the vbus module: %s",
							       strerror(-r)));
		return r;
	}
	r = load_topology(m, req, &t);
	if (r < 0)
		return r;
	if (!topology_valid(t)) {
		json_object_set_new(res, "errors", strings_json(t->errors, t->n_errors));
		json_object_set_new(res, "error", json_sprintf("the topology has %zu problem(s); "
							       "nothing was changed", t->n_errors));
		return -EINVAL;
	}
	if (req->mode != CONVERGE_CHECK) {
		r = state_load(m->state_path, &owned);
		if (r == -EBADMSG)
			log_warning("State file %s is damaged; vbusd owns nothing", m->state_path);
		r = live_get(m, &live);
		if (r >= 0)
			r = plan_compute(t, live, &owned, &p);
		if (r < 0) {
			json_object_set_new(res, "error", json_sprintf("Failed to read the kernel "
								       "state: %s", strerror(-r)));
			goto out;
		}
		json_object_set_new(res, "actions", actions_json(p));
		if (p->n_errors) {
			json_object_set_new(res, "errors", strings_json(p->errors, p->n_errors));
			json_object_set_new(res, "error", json_string("objects vbusd does not own "
								       "are in the way; nothing was "
								       "changed"));
			r = -EEXIST;
			goto out;
		}
	}
	if (req->mode == CONVERGE_APPLY) {
		r = apply(m, p, &owned, &error);
		if (r >= 0 && req->name)
			r = install(m, req, &error);
		if (r < 0) {
			json_object_set_new(res, "error", json_string(error ?: strerror(-r)));
			goto out;
		}
	}
	json_object_set_new(res, "summary", json_string_nocheck(summary(t, p, req->mode) ?: ""));
out:
	state_clear(&owned);
	return r;
}

int manager_converge(struct manager *m, const struct converge_req *req, json_t **ret)
{
	json_t *res = json_object();
	uint64_t start = now_usec();
	const char *error;
	int r;

	if (!res)
		return -ENOMEM;
	r = converge(m, req, res);
	json_object_set_new(res, "ok", json_boolean(r >= 0));
	error = json_string_value(json_object_get(res, "error"));
	if (r < 0 && !error)
		json_object_set_new(res, "error", json_string(strerror(-r)));
	if (req->mode == CONVERGE_APPLY) {
		json_t *errs = json_object_get(res, "errors");
		size_t i;
		json_t *e;

		if (r < 0) {
			log_error("Failed to converge (%s): %s", req->why,
				  json_string_value(json_object_get(res, "error")));
			json_array_foreach(errs, i, e)
				log_error("%s", json_string_value(e));
			set_status(m, strdupf("%s failed: %s", req->why,
					      json_string_value(json_object_get(res, "error"))));
		} else {
			const char *s = json_string_value(json_object_get(res, "summary"));

			log_info("Converged (%s) in %.3f s: %s", req->why,
				 (now_usec() - start) / 1e6, s);
			set_status(m, strdup(s));
		}
	}
	*ret = res;
	return r;
}

int manager_reload(struct manager *m, json_t **ret)
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
	json_auto_t *res = NULL;

	manager_reload(ud, &res);
	return 0;
}

static int on_drift_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	struct converge_req req = { .mode = CONVERGE_APPLY, .why = "drift" };
	struct manager *m = ud;
	json_auto_t *res = NULL;

	m->last_drift_usec = usec;
	manager_converge(m, &req, &res);
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
 * changes make it stale too. The manager owns the result.
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
	if (r >= 0)
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

int manager_start(struct manager *m)
{
	struct converge_req req = { .mode = CONVERGE_APPLY, .why = "start" };
	json_auto_t *res = NULL;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_reload_signal, m);
	if (r >= 0)
		r = sd_event_set_watchdog(m->event, true);
	if (r < 0) {
		log_error("Failed to set up the event loop: %s", strerror(-r));
		return r;
	}
	r = watch_kernel(m);
	if (r < 0)
		return r;
	r = ipc_listen(m);
	if (r < 0)
		return r;
	libvirt_catch_up(m);
	/* A topology that cannot be applied is reported; vbusd stays up for a fixed one. */
	manager_converge(m, &req, &res);
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

static json_t *status_objects(struct topology *t, struct live *live, const struct state *owned,
			      struct plan *p)
{
	struct namemap buses = { 0 }, devices = { 0 };
	json_t *arr = json_array();

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
	for (size_t i = 0; i < t->n_buses; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "object", "bus",
						     "name", t->buses[i]->name, "file",
						     t->buses[i]->file, "state",
						     object_state(&buses, live, owned, true,
								  t->buses[i]->name)));
	for (size_t i = 0; i < t->n_devices; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "object", "device",
						     "name", t->devices[i]->name, "file",
						     t->devices[i]->file, "state",
						     object_state(&devices, live, owned, false,
								  t->devices[i]->name)));
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == ACT_BUS_DEL || p->v[i].kind == ACT_DEV_DEL)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:n, s:s}", "object",
							     p->v[i].bus ? "bus" : "device", "name",
							     p->v[i].bus ?: p->v[i].dev, "file",
							     "state", "stale"));
	namemap_clear(&buses);
	namemap_clear(&devices);
	return arr;
}

int manager_status(struct manager *m, json_t **ret)
{
	_cleanup_(topology_unrefp) struct topology *t = NULL;
	struct live *live = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct converge_req req = { .mode = CONVERGE_PLAN };
	struct state owned = { 0 };
	json_t *res;
	int r;

	res = json_pack("{s:s?, s:b}", "status", m->status, "ok", true);
	if (!res)
		return -ENOMEM;
	*ret = res;
	r = follow_module(m);
	if (r >= 0)
		r = load_topology(m, &req, &t);
	if (r >= 0 && !topology_valid(t)) {
		json_object_set_new(res, "errors", strings_json(t->errors, t->n_errors));
		json_object_set_new(res, "objects", json_array());
		return 0;
	}
	if (r >= 0 && state_load(m->state_path, &owned) == -EBADMSG)
		log_warning("State file %s is damaged", m->state_path);
	if (r >= 0)
		r = live_get(m, &live);
	if (r >= 0)
		r = plan_compute(t, live, &owned, &p);
	if (r >= 0)
		json_object_set_new(res, "objects", status_objects(t, live, &owned, p));
	state_clear(&owned);
	if (r < 0) {
		json_object_set_new(res, "ok", json_false());
		json_object_set_new(res, "error", json_string(strerror(-r)));
	}
	return r;
}
