// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl topology: ask vbusd (its IPC socket, doc/vbusd.md) about the
 * declared topology: status, check, plan, apply, reload.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "ipc-client.h"
#include "objects.h"
#include "print.h"

static int topology_usage(struct ctl *ctl, int argc, char **argv)
{
	printf("Usage: vbusctl topology status\n"
	       "       vbusctl topology check FILE\n"
	       "       vbusctl topology plan [ FILE ]\n"
	       "       vbusctl topology apply FILE\n"
	       "       vbusctl topology reload\n"
	       "       vbusctl topology help\n");
	return EXIT_OK;
}

static int call_error(int r)
{
	if (r == -ENOENT || r == -ECONNREFUSED) {
		fprintf(stderr, "Error: vbusd is not running (%s).\n", ipc_socket_path());
		return EXIT_SYSTEM;
	}
	return syserr("cannot talk to vbusd", ipc_socket_path(), r);
}

/* The answer's problems on stderr; 1 for a topology at fault, 2 otherwise. */
static int reply_error(json_t *res)
{
	json_t *errs = json_object_get(res, "errors"), *e;
	size_t i;

	json_array_foreach(errs, i, e)
		fprintf(stderr, "%s\n", json_string_value(e));
	fprintf(stderr, "Error: %s.\n", json_string_value(json_object_get(res, "error")) ?:
		"vbusd failed");
	return json_array_size(errs) ? EXIT_USAGE : EXIT_SYSTEM;
}

static void print_actions(struct ctl *ctl, json_t *res)
{
	json_t *a;
	size_t i;

	print_open_array(ctl->out, "actions");
	json_array_foreach(json_object_get(res, "actions"), i, a) {
		print_open_object(ctl->out, NULL);
		print_string(ctl->out, PRINT_JSON, "verb", NULL,
			     json_string_value(json_object_get(a, "verb")));
		print_string(ctl->out, PRINT_JSON, "object", NULL,
			     json_string_value(json_object_get(a, "object")));
		print_string(ctl->out, PRINT_JSON, "name", NULL,
			     json_string_value(json_object_get(a, "name")));
		print_string(ctl->out, PRINT_ANY, "action", "%s\n",
			     json_string_value(json_object_get(a, "action")));
		print_close_object(ctl->out);
	}
	print_close_array(ctl->out);
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	size_t len = 0, cap = 65536, n;
	char *buf = NULL, *nb;

	if (!f)
		return -errno;
	do {
		nb = realloc(buf, cap *= 2);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (f != stdin)
		fclose(f);
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* check, plan and apply: FILE goes with the request under its base name. */
static int topology_request(struct ctl *ctl, const char *method, int argc, char **argv,
			    bool file_required)
{
	json_t *req, *res = NULL;
	char *text = NULL, *copy;
	size_t len = 0;
	int r, ret;

	if (argc == 0 && file_required)
		return missarg("FILE");
	if (argc > 1)
		return invarg("too many arguments", argv[1]);
	req = json_pack("{s:s}", "method", method);
	if (argc == 1) {
		r = read_file(argv[0], &text, &len);
		if (r < 0) {
			json_decref(req);
			return syserr("cannot read", argv[0], r);
		}
		copy = strdup(argv[0]);
		json_object_set_new(req, "name", json_string(copy ? basename(copy) : ""));
		json_object_set_new(req, "label", json_string(argv[0]));
		json_object_set_new(req, "text", json_stringn(text, len));
		free(copy);
		free(text);
	}
	r = ipc_call(req, &res);
	json_decref(req);
	if (r < 0)
		return call_error(r);
	if (!json_is_true(json_object_get(res, "ok"))) {
		ret = reply_error(res);
		json_decref(res);
		return ret;
	}
	print_open_object(ctl->out, NULL);
	if (strcmp(method, "check") != 0)
		print_actions(ctl, res);
	print_string(ctl->out, PRINT_ANY, "summary", "%s\n",
		     json_string_value(json_object_get(res, "summary")));
	print_close_object(ctl->out);
	json_decref(res);
	return EXIT_OK;
}

static int topology_check(struct ctl *ctl, int argc, char **argv)
{
	return topology_request(ctl, "check", argc, argv, true);
}

static int topology_plan(struct ctl *ctl, int argc, char **argv)
{
	return topology_request(ctl, "plan", argc, argv, false);
}

static int topology_apply(struct ctl *ctl, int argc, char **argv)
{
	return topology_request(ctl, "apply", argc, argv, true);
}

static int topology_reload(struct ctl *ctl, int argc, char **argv)
{
	return topology_request(ctl, "reload", argc, argv, false);
}

static int topology_status(struct ctl *ctl, int argc, char **argv)
{
	json_t *req = json_pack("{s:s}", "method", "status"), *res = NULL, *o;
	size_t i;
	int r;

	if (argc > 0) {
		json_decref(req);
		return invarg("\"topology status\" takes no argument", argv[0]);
	}
	r = ipc_call(req, &res);
	json_decref(req);
	if (r < 0)
		return call_error(r);
	print_open_object(ctl->out, NULL);
	print_string(ctl->out, PRINT_ANY, "status", "vbusd: %s\n",
		     json_string_value(json_object_get(res, "status")) ?: "starting");
	print_open_array(ctl->out, "objects");
	json_array_foreach(json_object_get(res, "objects"), i, o) {
		print_open_object(ctl->out, NULL);
		print_string(ctl->out, PRINT_ANY, "object", "%s",
			     json_string_value(json_object_get(o, "object")));
		print_string(ctl->out, PRINT_ANY, "name", " %s",
			     json_string_value(json_object_get(o, "name")));
		print_string(ctl->out, PRINT_ANY, "state", " %s",
			     json_string_value(json_object_get(o, "state")));
		if (json_string_value(json_object_get(o, "file")))
			print_string(ctl->out, PRINT_ANY, "file", " file %s",
				     json_string_value(json_object_get(o, "file")));
		else
			print_null(ctl->out, PRINT_JSON, "file", NULL);
		print_nl(ctl->out);
		print_close_object(ctl->out);
	}
	print_close_array(ctl->out);
	print_open_array(ctl->out, "errors");
	json_array_foreach(json_object_get(res, "errors"), i, o)
		print_string(ctl->out, PRINT_ANY, NULL, "%s\n", json_string_value(o));
	print_close_array(ctl->out);
	print_close_object(ctl->out);
	r = json_is_true(json_object_get(res, "ok")) ? EXIT_OK : reply_error(res);
	json_decref(res);
	return r;
}

static const struct cmd topology_cmds[] = {
	{ "status", topology_status },
	{ "show", topology_status },
	{ "check", topology_check },
	{ "plan", topology_plan },
	{ "apply", topology_apply },
	{ "reload", topology_reload },
	{ "help", topology_usage },
	{ NULL },
};

int do_topology(struct ctl *ctl, int argc, char **argv)
{
	if (argc == 0)
		return topology_status(ctl, argc, argv);
	return cmd_dispatch(ctl, topology_cmds, "command", argc, argv);
}
