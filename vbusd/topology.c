// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: topology files, parsed with jansson and checked (topology.h). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <linux/vbus_guest.h>
#include <vbus/vbus.h>

#include "jsonpos.h"
#include "topology.h"

/* Past this many problems in one file the rest are not reported. */
#define MAX_ERRORS_PER_FILE 50

struct parse {
	struct topology *t;
	const char *file;
	const char *text;
	size_t len;
	struct jpos pos;
	bool full;	/* pos has every value and key */
	size_t n_errors;
	int err;	/* -ENOMEM */
};

int topology_new(topo_class_known_fn class_known, void *userdata, struct topology **ret)
{
	struct topology *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->n_ref = 1;
	t->class_known = class_known;
	t->userdata = userdata;
	*ret = t;
	return 0;
}

static void device_free(struct topo_device *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_attrs; i++) {
		free(d->attrs[i].name);
		free(d->attrs[i].value);
	}
	free(d->attrs);
	free(d->name);
	free(d->class);
	free(d);
}

static void bus_free(struct topo_bus *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_devices; i++) {
		free(b->devices[i].name);
		free(b->devices[i].path);
	}
	free(b->devices);
	free(b->name);
	free(b);
}

struct topology *topology_ref(struct topology *t)
{
	t->n_ref++;
	return t;
}

void topology_unref(struct topology *t)
{
	if (!t || --t->n_ref > 0)
		return;
	for (size_t i = 0; i < t->n_buses; i++)
		bus_free(t->buses[i]);
	for (size_t i = 0; i < t->n_devices; i++)
		device_free(t->devices[i]);
	for (size_t i = 0; i < t->n_files; i++)
		free(t->files[i]);
	for (size_t i = 0; i < t->n_errors; i++)
		free(t->errors[i]);
	free(t->buses);
	free(t->devices);
	free(t->files);
	free(t->errors);
	namemap_clear(&t->bus_by_name);
	namemap_clear(&t->device_by_name);
	free(t);
}

static int push(void *arrayp, size_t *n, void *item)
{
	void ***array = arrayp;
	void **v = realloc(*array, (*n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[(*n)++] = item;
	*array = v;
	return 0;
}

static void add_error(struct topology *t, char *msg, int *err)
{
	if (!msg || push(&t->errors, &t->n_errors, msg) < 0) {
		free(msg);
		*err = -ENOMEM;
	}
}

/* Report a problem with the value at @path (or with its key, when @key). */
static void __attribute__((format(printf, 4, 5)))
perror_at(struct parse *p, const char *path, bool key, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	unsigned line = 1, col = 1;
	va_list ap;

	if (++p->n_errors > MAX_ERRORS_PER_FILE)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		p->err = -ENOMEM;
		return;
	}
	if (!jpos_find(&p->pos, path, key, &line, &col) && !p->full) {
		/* The first problem with a scalar or a key: now find them all. */
		jpos_free(&p->pos);
		p->full = true;
		if (jpos_scan(&p->pos, p->text, p->len, true) < 0)
			p->err = -ENOMEM;
		jpos_find(&p->pos, path, key, &line, &col);
	}
	add_error(p->t, strdupf("%s:%u:%u: %s: %s", p->file, line, col, path, msg), &p->err);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Report members of @obj not in the NULL-terminated @known. */
static void check_keys(struct parse *p, const char *path, json_t *obj, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (!known[i]) {
			_cleanup_free_ char *sub = jpath_member(path, key);

			perror_at(p, sub ? sub : path, true, "unknown key \"%s\"", key);
		}
	}
}

/* The member @key of @obj if it has type @type; reports it otherwise. */
static json_t *member(struct parse *p, const char *path, json_t *obj, const char *key,
		      json_type type, const char *what, bool required)
{
	_cleanup_free_ char *sub = jpath_member(path, key);
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			perror_at(p, path, false, "missing \"%s\"", key);
		return NULL;
	}
	if (json_typeof(v) != type &&
	    !(type == JSON_TRUE && json_is_boolean(v))) {
		perror_at(p, sub ? sub : path, false, "\"%s\" must be %s, not %s", key, what,
			  type_name(v));
		return NULL;
	}
	return v;
}

static char *name_member(struct parse *p, const char *path, json_t *obj, const char *what)
{
	_cleanup_free_ char *sub = jpath_member(path, "name");
	json_t *v = member(p, path, obj, "name", JSON_STRING, "a string", true);
	char *name;

	if (!v)
		return NULL;
	if (!vbus_name_valid(json_string_value(v))) {
		perror_at(p, sub, false, "invalid %s name \"%s\": %s", what, json_string_value(v),
			  vbus_rule_text(VBUS_RULE_NAME));
		return NULL;
	}
	name = strdup(json_string_value(v));
	if (!name)
		p->err = -ENOMEM;
	return name;
}

/* A user or group: a name, or a number. */
static bool parse_id(struct parse *p, const char *path, json_t *obj, const char *key,
		     bool group, unsigned *ret)
{
	_cleanup_free_ char *sub = jpath_member(path, key);
	json_t *v = json_object_get(obj, key);
	const char *name;

	if (!v)
		return true;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) >= 0xffffffffLL) {
			perror_at(p, sub, false, "invalid %s id %" JSON_INTEGER_FORMAT,
				  key, json_integer_value(v));
			return false;
		}
		*ret = (unsigned)json_integer_value(v);
		return true;
	}
	if (!json_is_string(v)) {
		perror_at(p, sub, false, "\"%s\" must be a name or a number, not %s", key,
			  type_name(v));
		return false;
	}
	name = json_string_value(v);
	if ((group ? vbus_group_parse(name, ret) : vbus_user_parse(name, ret)) < 0) {
		perror_at(p, sub, false, "invalid %s \"%s\": %s", key, name,
			  vbus_rule_text(group ? VBUS_RULE_GROUP : VBUS_RULE_USER));
		return false;
	}
	return true;
}

static void parse_mode(struct parse *p, const char *path, json_t *obj, mode_t *ret)
{
	_cleanup_free_ char *sub = jpath_member(path, "mode");
	json_t *v = member(p, path, obj, "mode", JSON_STRING, "a string of octal digits", false);
	const char *s;

	if (!v)
		return;
	s = json_string_value(v);
	if (vbus_mode_parse(s, ret) < 0)
		perror_at(p, sub, false, "invalid mode \"%s\": %s", s, vbus_rule_text(VBUS_RULE_MODE));
}

static void parse_bus_devices(struct parse *p, const char *path, json_t *obj, struct topo_bus *b)
{
	_cleanup_free_ char *sub = jpath_member(path, "devices");
	json_t *arr = member(p, path, obj, "devices", JSON_ARRAY, "an array", false);
	size_t i;
	json_t *v;

	if (!arr)
		return;
	b->devices = calloc(json_array_size(arr) + 1, sizeof(*b->devices));
	if (!b->devices) {
		p->err = -ENOMEM;
		return;
	}
	json_array_foreach(arr, i, v) {
		_cleanup_free_ char *elt = jpath_index(sub, i);
		struct topo_ref *ref = &b->devices[b->n_devices];

		if (!json_is_string(v) || !vbus_name_valid(json_string_value(v))) {
			perror_at(p, elt, false, "must be a device name");
			continue;
		}
		if (topo_bus_has_device(b, json_string_value(v))) {
			perror_at(p, elt, false, "device \"%s\" is listed twice",
				  json_string_value(v));
			continue;
		}
		jpos_find(&p->pos, elt, false, &ref->line, &ref->col);
		ref->name = strdup(json_string_value(v));
		ref->path = elt;
		elt = NULL;
		if (!ref->name) {
			free(ref->path);
			p->err = -ENOMEM;
			return;
		}
		b->n_devices++;
	}
}

/* "4M", "64K", "1G" or a number of bytes; 0 when it is none of these. */
static uint64_t parse_size(json_t *v)
{
	const char *s;
	uint64_t n = 0;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	if (!json_is_string(v))
		return 0;
	s = json_string_value(v);
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (uint64_t)(*s - '0');
		if (n > VBUS_GUEST_SIZE_MAX)
			return 0;
	}
	switch (*s) {
	case 'K': n <<= 10; s++; break;
	case 'M': n <<= 20; s++; break;
	case 'G': n <<= 30; s++; break;
	}
	return *s ? 0 : n;
}

/* "guest": true, or an object with the region's "size" and "vectors". */
static void parse_guest(struct parse *p, const char *path, json_t *obj, struct topo_bus *b)
{
	static const char *const keys[] = { "size", "vectors", NULL };
	_cleanup_free_ char *sub = jpath_member(path, "guest");
	json_t *v = json_object_get(obj, "guest"), *size, *vectors;

	b->guest_size = VBUS_GUEST_SIZE_DEFAULT;
	b->guest_vectors = VBUS_GUEST_VECTORS_DEFAULT;
	if (!v || json_is_false(v))
		return;
	b->guest = true;
	if (json_is_true(v))
		return;
	if (!json_is_object(v)) {
		perror_at(p, sub ?: path, false, "\"guest\" must be true, false or an object, not %s",
			  type_name(v));
		return;
	}
	check_keys(p, sub, v, keys);
	size = json_object_get(v, "size");
	if (size) {
		_cleanup_free_ char *at = jpath_member(sub, "size");

		b->guest_size = parse_size(size);
		if (!b->guest_size || (b->guest_size & (b->guest_size - 1)) ||
		    b->guest_size < VBUS_GUEST_SIZE_MIN || b->guest_size > VBUS_GUEST_SIZE_MAX)
			perror_at(p, at ?: sub, false,
				  "a guest region's size is a power of two from 64K to 256M");
	}
	vectors = json_object_get(v, "vectors");
	if (vectors) {
		_cleanup_free_ char *at = jpath_member(sub, "vectors");

		if (!json_is_integer(vectors) ||
		    json_integer_value(vectors) < VBUS_GUEST_VECTORS_MIN ||
		    json_integer_value(vectors) > VBUS_GUEST_VECTORS_MAX)
			perror_at(p, at ?: sub, false, "\"vectors\" must be an integer from %d to %d",
				  VBUS_GUEST_VECTORS_MIN, VBUS_GUEST_VECTORS_MAX);
		else
			b->guest_vectors = (unsigned)json_integer_value(vectors);
	}
}

static void parse_bus(struct parse *p, const char *path, json_t *obj)
{
	static const char *const keys[] = { "name", "owner", "group", "mode", "local", "guest",
					    "devices", NULL };
	json_t *local;
	struct topo_bus *b, *prev;

	if (!json_is_object(obj)) {
		perror_at(p, path, false, "a bus must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(p, path, obj, keys);
	b = calloc(1, sizeof(*b));
	if (!b) {
		p->err = -ENOMEM;
		return;
	}
	b->mode = 0600;
	b->owner = p->t->default_owner;
	b->file = p->file;
	jpos_find(&p->pos, path, false, &b->line, &b->col);
	b->name = name_member(p, path, obj, "bus");
	parse_id(p, path, obj, "owner", false, &b->owner);
	parse_id(p, path, obj, "group", true, &b->group);
	parse_mode(p, path, obj, &b->mode);
	local = member(p, path, obj, "local", JSON_TRUE, "true or false", false);
	b->local = local && json_is_true(local);
	parse_guest(p, path, obj, b);
	parse_bus_devices(p, path, obj, b);
	if (!b->name) {
		bus_free(b);
		return;
	}
	prev = topology_get_bus(p->t, b->name);
	if (prev) {
		perror_at(p, path, false, "bus \"%s\" is already defined at %s:%u:%u", b->name,
			  prev->file, prev->line, prev->col);
		bus_free(b);
		return;
	}
	if (push(&p->t->buses, &p->t->n_buses, b) < 0 ||
	    namemap_add(&p->t->bus_by_name, b->name, b) < 0) {
		p->err = -ENOMEM;
		bus_free(b);
	}
}

/* An attribute value as the kernel is given it: strings, integers, booleans as 1/0. */
static char *attr_value(struct parse *p, const char *path, json_t *v)
{
	if (json_is_string(v)) {
		if (strchr(json_string_value(v), '\n') || json_string_length(v) > 4000) {
			perror_at(p, path, false, "an attribute value is one line of text");
			return NULL;
		}
		return strdup(json_string_value(v));
	}
	if (json_is_integer(v))
		return strdupf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "1" : "0");
	perror_at(p, path, false, "an attribute must be a string, an integer or a boolean, not %s",
		  type_name(v));
	return NULL;
}

static void parse_attrs(struct parse *p, const char *path, json_t *obj, struct topo_device *d)
{
	_cleanup_free_ char *sub = jpath_member(path, "attributes");
	json_t *attrs = member(p, path, obj, "attributes", JSON_OBJECT, "an object", false);
	const char *key;
	json_t *v;

	if (!attrs)
		return;
	d->attrs = calloc(json_object_size(attrs) + 1, sizeof(*d->attrs));
	if (!d->attrs) {
		p->err = -ENOMEM;
		return;
	}
	json_object_foreach(attrs, key, v) {
		_cleanup_free_ char *apath = jpath_member(sub, key);
		struct topo_attr *a = &d->attrs[d->n_attrs];

		if (!vbus_attr_name_valid(key)) {
			perror_at(p, apath, true, "invalid attribute name \"%s\": %s", key,
				  vbus_rule_text(VBUS_RULE_ATTR));
			continue;
		}
		a->value = attr_value(p, apath, v);
		if (!a->value)
			continue;
		a->name = strdup(key);
		if (!a->name) {
			p->err = -ENOMEM;
			return;
		}
		d->n_attrs++;
	}
}

/* "priority": an integer from 0 to VBUS_PRIORITY_MAX. */
static void parse_priority(struct parse *p, const char *path, json_t *obj, unsigned *ret)
{
	_cleanup_free_ char *sub = jpath_member(path, "priority");
	json_t *v = member(p, path, obj, "priority", JSON_INTEGER, "an integer", false);

	if (!v)
		return;
	if (json_integer_value(v) < 0 || json_integer_value(v) > VBUS_PRIORITY_MAX) {
		perror_at(p, sub, false, "invalid priority %" JSON_INTEGER_FORMAT ": %s",
			  json_integer_value(v), vbus_rule_text(VBUS_RULE_PRIORITY));
		return;
	}
	*ret = (unsigned)json_integer_value(v);
}

static void parse_device(struct parse *p, const char *path, json_t *obj)
{
	static const char *const keys[] = { "name", "class", "priority", "attributes", NULL };
	_cleanup_free_ char *cpath = jpath_member(path, "class");
	struct topo_device *d, *prev;
	json_t *class;

	if (!json_is_object(obj)) {
		perror_at(p, path, false, "a device must be an object, not %s", type_name(obj));
		return;
	}
	check_keys(p, path, obj, keys);
	d = calloc(1, sizeof(*d));
	if (!d) {
		p->err = -ENOMEM;
		return;
	}
	d->file = p->file;
	d->priority = VBUS_PRIORITY_DEFAULT;
	jpos_find(&p->pos, path, false, &d->line, &d->col);
	d->name = name_member(p, path, obj, "device");
	class = member(p, path, obj, "class", JSON_STRING, "a string", true);
	if (class) {
		const char *c = json_string_value(class);

		if (!vbus_class_name_valid(c))
			perror_at(p, cpath, false, "invalid class name \"%s\": %s", c,
				  vbus_rule_text(VBUS_RULE_CLASS));
		else if (p->t->class_known && !p->t->class_known(c, p->t->userdata))
			perror_at(p, cpath, false, "unknown device class \"%s\"", c);
		else if (!(d->class = strdup(c)))
			p->err = -ENOMEM;
	}
	parse_priority(p, path, obj, &d->priority);
	parse_attrs(p, path, obj, d);
	if (!d->name || !d->class) {
		device_free(d);
		return;
	}
	prev = topology_get_device(p->t, d->name);
	if (prev) {
		perror_at(p, path, false, "device \"%s\" is already defined at %s:%u:%u", d->name,
			  prev->file, prev->line, prev->col);
		device_free(d);
		return;
	}
	if (push(&p->t->devices, &p->t->n_devices, d) < 0 ||
	    namemap_add(&p->t->device_by_name, d->name, d) < 0) {
		p->err = -ENOMEM;
		device_free(d);
	}
}

static void parse_list(struct parse *p, json_t *root, const char *key,
		       void (*parse_one)(struct parse *, const char *, json_t *))
{
	_cleanup_free_ char *path = jpath_member("$", key);
	json_t *arr = member(p, "$", root, key, JSON_ARRAY, "an array", false);
	size_t i;
	json_t *v;

	if (!arr)
		return;
	json_array_foreach(arr, i, v) {
		_cleanup_free_ char *elt = jpath_index(path, i);

		if (!elt) {
			p->err = -ENOMEM;
			return;
		}
		parse_one(p, elt, v);
		if (p->err)
			return;
	}
}

static void syntax_error(struct parse *p, const char *text, size_t len, const json_error_t *e)
{
	_cleanup_free_ char *path = jpos_path_at(text, len, (size_t)e->position);

	add_error(p->t, strdupf("%s:%d:%d: %s: %s", p->file, e->line < 1 ? 1 : e->line,
				e->column < 1 ? 1 : e->column, path ? path : "$", e->text),
		  &p->err);
}

int topology_add_text(struct topology *t, const char *file, const char *text, size_t len)
{
	static const char *const keys[] = { "buses", "devices", NULL };
	struct parse p = { .t = t };
	json_auto_t *root = NULL;
	json_error_t e;
	char *name;
	int r;

	name = strdup(file);
	if (!name || push(&t->files, &t->n_files, name) < 0) {
		free(name);
		return -ENOMEM;
	}
	p.file = name;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		syntax_error(&p, text, len, &e);
		return p.err;
	}
	p.text = text;
	p.len = len;
	r = jpos_scan(&p.pos, text, len, false);
	if (r < 0) {
		jpos_free(&p.pos);
		return r;
	}
	if (!json_is_object(root)) {
		perror_at(&p, "$", false, "a topology must be an object, not %s", type_name(root));
	} else {
		check_keys(&p, "$", root, keys);
		parse_list(&p, root, "devices", parse_device);
		if (!p.err)
			parse_list(&p, root, "buses", parse_bus);
	}
	if (p.n_errors > MAX_ERRORS_PER_FILE)
		add_error(t, strdupf("%s: %zu more problems not shown", file,
				     p.n_errors - MAX_ERRORS_PER_FILE), &p.err);
	jpos_free(&p.pos);
	return p.err;
}

void topo_sources_clear(struct topo_sources *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].text);
	}
	free(s->v);
	*s = (struct topo_sources){ 0 };
}

static int read_source(struct topo_source *src)
{
	_cleanup_(fclosep) FILE *f = fopen(src->path, "re");

	if (!f)
		return -errno;
	return read_stream(f, &src->text, &src->len);
}

static int json_name_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".json") == 0;
}

int topo_sources_read_dir(struct topo_sources *s, const char *dir, const char *skip)
{
	struct dirent **list = NULL;
	int n, r = 0;

	n = scandir(dir, &list, json_name_filter, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		if (r >= 0 && !(skip && strcmp(skip, list[i]->d_name) == 0)) {
			struct topo_source *v = realloc(s->v, (s->n + 1) * sizeof(*v));

			if (v) {
				s->v = v;
				v[s->n] = (struct topo_source){ .path = strdupf("%s/%s", dir,
									    list[i]->d_name) };
			}
			if (!v || !v[s->n].path) {
				r = -ENOMEM;
			} else {
				v[s->n].err = read_source(&v[s->n]);
				r = v[s->n++].err == -ENOMEM ? -ENOMEM : 0;
			}
		}
		free(list[i]);
	}
	free(list);
	return r;
}

bool topo_sources_equal(const struct topo_sources *a, const struct topo_sources *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct topo_source *x = &a->v[i], *y = &b->v[i];

		if (strcmp(x->path, y->path) != 0 || x->err != y->err || x->len != y->len ||
		    (x->len && memcmp(x->text, y->text, x->len) != 0))
			return false;
	}
	return true;
}

int topology_add_sources(struct topology *t, const struct topo_sources *s)
{
	int r = 0;

	for (size_t i = 0; i < s->n && r >= 0; i++) {
		const struct topo_source *src = &s->v[i];

		if (src->err < 0)
			add_error(t, strdupf("%s: cannot read: %s", src->path,
					     strerror(-src->err)), &r);
		else
			r = topology_add_text(t, src->path, src->text, src->len);
	}
	return r;
}

int topology_finish(struct topology *t)
{
	int err = 0;

	for (size_t i = 0; i < t->n_buses; i++) {
		struct topo_bus *b = t->buses[i];

		for (size_t j = 0; j < b->n_devices; j++) {
			struct topo_ref *ref = &b->devices[j];

			if (topology_get_device(t, ref->name))
				continue;
			add_error(t, strdupf("%s:%u:%u: %s: device \"%s\" is not defined in "
					     "any topology file", b->file, ref->line, ref->col,
					     ref->path, ref->name), &err);
		}
	}
	return err;
}

struct topo_bus *topology_get_bus(struct topology *t, const char *name)
{
	return namemap_get(&t->bus_by_name, name);
}

struct topo_device *topology_get_device(struct topology *t, const char *name)
{
	return namemap_get(&t->device_by_name, name);
}

bool topo_bus_has_device(const struct topo_bus *b, const char *dev)
{
	for (size_t i = 0; i < b->n_devices; i++)
		if (strcmp(b->devices[i].name, dev) == 0)
			return true;
	return false;
}
