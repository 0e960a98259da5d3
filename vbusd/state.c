// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: what it owns, stored atomically (state.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

#define STATE_VERSION 1

int strset_add(struct strset *s, const char *name)
{
	char **v, *copy;

	if (strset_has(s, name))
		return 0;
	copy = strdup(name);
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!copy || !v) {
		free(copy);
		if (v)
			s->v = v;
		return -ENOMEM;
	}
	s->v = v;
	s->v[s->n++] = copy;
	return namemap_add(&s->map, copy, NULL);
}

bool strset_has(const struct strset *s, const char *name)
{
	return namemap_has((struct namemap *)&s->map, name);
}

void strset_clear(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	namemap_clear(&s->map);
	*s = (struct strset){ 0 };
}

void state_clear(struct state *s)
{
	strset_clear(&s->buses);
	strset_clear(&s->devices);
}

static bool strset_equal(const struct strset *a, const struct strset *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!strset_has(b, a->v[i]))
			return false;
	return true;
}

bool state_equal(const struct state *a, const struct state *b)
{
	return strset_equal(&a->buses, &b->buses) && strset_equal(&a->devices, &b->devices);
}

static int load_names(json_t *root, const char *key, struct strset *set)
{
	json_t *arr = json_object_get(root, key), *v;
	size_t i;
	int r;

	if (!json_is_array(arr))
		return -EBADMSG;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return -EBADMSG;
		r = strset_add(set, json_string_value(v));
		if (r < 0)
			return r;
	}
	return 0;
}

int state_load(const char *path, struct state *ret)
{
	json_auto_t *root = NULL;
	json_error_t e;
	int r;

	*ret = (struct state){ 0 };
	root = json_load_file(path, 0, &e);
	if (!root)
		return access(path, F_OK) < 0 && errno == ENOENT ? 0 : -EBADMSG;
	if (json_integer_value(json_object_get(root, "version")) != STATE_VERSION)
		return -EBADMSG;
	r = load_names(root, "buses", &ret->buses);
	if (r >= 0)
		r = load_names(root, "devices", &ret->devices);
	if (r < 0)
		state_clear(ret);
	return r;
}

static json_t *names_json(const struct strset *set)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < set->n; i++)
		if (json_array_append_new(arr, json_string(set->v[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static int fsync_dir_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	int fd, r;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

/* Write @text to @path atomically: temporary file, fsync, rename, fsync of the directory. */
int write_file_atomic(const char *path, const char *text, size_t len)
{
	_cleanup_free_ char *tmp = strdupf("%s.XXXXXX", path);
	ssize_t n;
	int fd, r = 0;

	if (!tmp)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && r == 0; off += (size_t)n) {
		n = write(fd, text + off, len - off);
		if (n < 0)
			r = -errno;
	}
	if (r == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_dir_of(path);
}

int state_save(const char *path, const struct state *s)
{
	json_auto_t *root = NULL;
	_cleanup_free_ char *text = NULL;

	root = json_pack("{s:i, s:o?, s:o?}", "version", STATE_VERSION,
			 "buses", names_json(&s->buses), "devices", names_json(&s->devices));
	if (!root)
		return -ENOMEM;
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text)
		return -ENOMEM;
	return write_file_atomic(path, text, strlen(text));
}
