// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusd: the local IPC socket for vbusctl (doc/vbusd.md, "IPC"). A stream
 * unix socket; a client writes one JSON request and shuts down its sending
 * side, vbusd answers with one JSON object and closes. Anyone may ask for
 * "status"; everything else needs uid 0 (SO_PEERCRED).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "manager.h"
#include "plan.h"
#include "util.h"

/* A request is a topology file at most this big, plus a little. */
#define REQUEST_MAX (64u << 20)

struct conn {
	struct manager *m;
	int fd;
	uid_t uid;
	char *buf;
	size_t len, cap;
	sd_event_source *source;
};

static void conn_free(struct conn *c)
{
	sd_event_source_unref(c->source);
	close(c->fd);
	free(c->buf);
	free(c);
}

static json_t *__attribute__((format(printf, 1, 2))) error_reply(const char *fmt, ...)
{
	va_list ap;
	json_t *msg;

	va_start(ap, fmt);
	msg = json_vsprintf(fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:o}", "ok", false, "error", msg);
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

/* The problems that made a result fail: the topology's, else the plan's. */
static json_t *errors_json(const struct topology *t, const struct plan *p)
{
	if (t && !topology_valid(t))
		return strings_json(t->errors, t->n_errors);
	if (p && p->n_errors)
		return strings_json(p->errors, p->n_errors);
	return NULL;
}

json_t *converge_result_json(const struct converge_result *res)
{
	json_t *o = json_object(), *errors = errors_json(res->topology, res->plan);

	if (!o)
		return NULL;
	if (res->plan)
		json_object_set_new(o, "actions", actions_json(res->plan));
	if (errors)
		json_object_set_new(o, "errors", errors);
	if (res->error)
		json_object_set_new(o, "error", json_string(res->error));
	if (res->summary)
		json_object_set_new(o, "summary", json_string(res->summary));
	json_object_set_new(o, "ok", json_boolean(!res->error));
	return o;
}

json_t *status_result_json(const struct status_result *res)
{
	json_t *o = json_pack("{s:s?, s:b}", "status", res->status, "ok", !res->error);
	json_t *errors = errors_json(res->topology, NULL), *arr;

	if (!o)
		return NULL;
	if (errors)
		json_object_set_new(o, "errors", errors);
	if (res->error) {
		json_object_set_new(o, "error", json_string(res->error));
		return o;
	}
	arr = json_array();
	for (size_t i = 0; arr && i < res->n_objects; i++) {
		const struct status_object *ob = &res->objects[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:s}", "object", ob->kind,
						     "name", ob->name, "file", ob->file, "state",
						     ob->state));
	}
	json_object_set_new(o, "objects", arr);
	return o;
}

/* A file name for topology.d: NAME.json of the characters names may have. */
static bool file_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && n <= 128 && name[0] != '.' && strcmp(name + n - 5, ".json") == 0 &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-@") ==
		       n;
}

static json_t *handle_topology(struct manager *m, const char *method, json_t *req)
{
	struct converge_req cr = { .why = "vbusctl topology apply" };
	json_t *text = json_object_get(req, "text");
	_cleanup_(converge_result_clear) struct converge_result res = { 0 };

	cr.name = json_string_value(json_object_get(req, "name"));
	cr.label = json_string_value(json_object_get(req, "label"));
	if (strcmp(method, "check") == 0)
		cr.mode = CONVERGE_CHECK;
	else if (strcmp(method, "plan") == 0)
		cr.mode = CONVERGE_PLAN;
	else
		cr.mode = CONVERGE_APPLY;
	if (cr.name) {
		if (!file_name_valid(cr.name))
			return error_reply("invalid topology file name \"%s\": NAME.json", cr.name);
		if (!json_is_string(text))
			return error_reply("%s: a request with a name needs its text", method);
		cr.text = json_string_value(text);
		cr.len = json_string_length(text);
	} else if (cr.mode != CONVERGE_PLAN) {
		return error_reply("%s: which file?", method);
	}
	manager_converge(m, &cr, &res);
	return converge_result_json(&res);
}

static json_t *handle_domain(struct manager *m, const char *method, json_t *req)
{
	const char *domain = json_string_value(json_object_get(req, "domain"));
	const char *text = json_string_value(json_object_get(req, "text"));
	_cleanup_free_ char *file = domain ? strdupf("%s.json", domain) : NULL;
	_cleanup_(converge_result_clear) struct converge_result res = { 0 };
	int r;

	if (!file || !file_name_valid(file))
		return error_reply("%s: a domain name of [A-Za-z0-9._@-] is needed", method);
	if (strcmp(method, "domain-stop") == 0)
		r = libvirt_domain_stop(m, domain, &res);
	else if (!text)
		return error_reply("%s: no topology", method);
	else
		r = libvirt_domain_start(m, domain, json_string_value(json_object_get(req, "user")),
					 text, &res);
	if (r == -ENOMEM && !res.error)
		return error_reply("%s", "out of memory");
	return converge_result_json(&res);
}

static json_t *handle(struct manager *m, uid_t uid, const char *buf, size_t len)
{
	_cleanup_(converge_result_clear) struct converge_result res = { 0 };
	json_auto_t *req = NULL;
	json_error_t e;
	const char *method;

	req = json_loadb(buf, len, 0, &e);
	method = json_string_value(json_object_get(req, "method"));
	if (!method)
		return error_reply("%s", "malformed request");
	if (strcmp(method, "status") == 0) {
		_cleanup_(status_result_clear) struct status_result st = { 0 };

		manager_status(m, &st);
		return status_result_json(&st);
	}
	if (uid != 0)
		return error_reply("%s: permission denied (only root may change or check "
				   "topologies)", method);
	if (strcmp(method, "domain-start") == 0 || strcmp(method, "domain-stop") == 0)
		return handle_domain(m, method, req);
	if (strcmp(method, "reload") == 0) {
		manager_reload(m, &res);
		return converge_result_json(&res);
	}
	if (strcmp(method, "check") == 0 || strcmp(method, "plan") == 0 ||
	    strcmp(method, "apply") == 0)
		return handle_topology(m, method, req);
	return error_reply("unknown method \"%s\"", method);
}

static void reply(struct conn *c)
{
	json_auto_t *res = handle(c->m, c->uid, c->buf, c->len);
	_cleanup_free_ char *text = res ? json_dumps(res, JSON_COMPACT) : NULL;
	size_t len, off = 0;

	if (!text)
		return;
	len = strlen(text);
	text[len++] = '\n';	/* replaces the NUL: text is written by length */
	/* The client waits for the answer; a full socket buffer is retried. */
	while (off < len) {
		ssize_t n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
}

static int on_conn(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct conn *c = ud;
	ssize_t n;

	for (;;) {
		if (c->len == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			char *buf = cap <= REQUEST_MAX ? realloc(c->buf, cap) : NULL;

			if (!buf) {
				conn_free(c);
				return 0;
			}
			c->buf = buf;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			break;
		c->len += (size_t)n;
	}
	if (n == 0)
		reply(c);
	conn_free(c);
	return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct manager *m = ud;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c || getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		free(c);
		close(cfd);
		return 0;
	}
	*c = (struct conn){ .m = m, .fd = cfd, .uid = cred.uid };
	r = sd_event_add_io(m->event, &c->source, cfd, EPOLLIN, on_conn, c);
	if (r < 0)
		conn_free(c);
	return 0;
}

int ipc_listen(struct manager *m)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(m->socket_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, m->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	/* Everyone may connect; what they may ask is checked per request. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0666) < 0 ||
	    listen(fd, 16) < 0) {
		r = -errno;
		log_error("Failed to listen on %s: %s", m->socket_path, strerror(-r));
		close(fd);
		return r;
	}
	r = sd_event_add_io(m->event, &m->ipc_source, fd, EPOLLIN, on_accept, m);
	if (r < 0) {
		close(fd);
		return r;
	}
	sd_event_source_set_io_fd_own(m->ipc_source, true);
	return 0;
}
