// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The libvirt QEMU hook, installed as /etc/libvirt/hooks/qemu.d/vbus
 * (doc/vbusd.md, "libvirt"). libvirt runs it as
 *
 *   vbus DOMAIN OPERATION SUB-OPERATION EXTRA   (domain XML on stdin)
 *
 * prepare: the topology in the domain's <metadata> goes to vbusd, which
 *          makes its buses, owned by the user QEMU runs as; a failure exits
 *          non-zero with vbusd's message, so libvirt does not start the domain.
 * release: vbusd removes them.
 * migrate, restore: the XML goes back out unchanged.
 * It never calls libvirt (libvirt waits for the hook: that would deadlock).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "ipc-client.h"
#include "util.h"

#define QEMU_CONF "/etc/libvirt/qemu.conf"
#define QEMU_USER_DEFAULT "libvirt-qemu"	/* Debian's build default */

/* The user QEMU runs as: qemu.conf's user = "NAME", else libvirt's default. */
static char *qemu_user(void)
{
	FILE *f = fopen(QEMU_CONF, "re");
	char line[512], user[256] = QEMU_USER_DEFAULT;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " user = \"%255[^\"]\"", user) == 1)
			continue;
	if (f)
		fclose(f);
	return strdup(user);
}

static int fail(const char *domain, const char *msg, json_t *res)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(res, "errors"), i, e)
		fprintf(stderr, "vbus: %s\n", json_string_value(e));
	fprintf(stderr, "vbus: domain %s: %s\n", domain, msg);
	return EXIT_FAILURE;
}

static int request(const char *domain, json_t *req)
{
	json_t *res = NULL;
	int r, ret = EXIT_SUCCESS;

	if (!req)
		return fail(domain, "out of memory", NULL);
	r = ipc_call(req, &res);
	json_decref(req);
	if (r < 0)
		return fail(domain, r == -ENOENT || r == -ECONNREFUSED ?
			    "vbusd is not running" : strerror(-r), NULL);
	if (!json_is_true(json_object_get(res, "ok")))
		ret = fail(domain, json_string_value(json_object_get(res, "error")) ?:
			   "vbusd failed", res);
	json_decref(res);
	return ret;
}

static int prepare(const char *domain, const char *xml)
{
	char *name = NULL, *topo = NULL, *user;
	int r;

	r = domxml_parse(xml, &name, &topo);
	if (r < 0)
		return fail(domain, "cannot read the domain XML or its vbus metadata", NULL);
	free(name);
	if (!topo)
		return EXIT_SUCCESS;	/* no vbus topology: nothing to do */
	user = qemu_user();
	r = request(domain, json_pack("{s:s, s:s, s:s?, s:s}", "method", "domain-start", "domain",
				      domain, "user", user, "text", topo));
	free(user);
	free(topo);
	return r;
}

int main(int argc, char **argv)
{
	char *xml;
	size_t len;
	int r;

	if (argc < 3) {
		fprintf(stderr, "Usage: %s DOMAIN OPERATION [SUB-OPERATION EXTRA] < XML\n",
			argv[0]);
		return EXIT_FAILURE;
	}
	if (read_stream(stdin, &xml, &len) < 0)
		return fail(argv[1], "cannot read the domain XML from standard input", NULL);
	if (strcmp(argv[2], "prepare") == 0)
		r = prepare(argv[1], xml);
	else if (strcmp(argv[2], "release") == 0)
		r = request(argv[1], json_pack("{s:s, s:s}", "method", "domain-stop", "domain",
					       argv[1]));
	else if (strcmp(argv[2], "migrate") == 0 || strcmp(argv[2], "restore") == 0)
		r = fwrite(xml, 1, len, stdout) == len ? EXIT_SUCCESS : EXIT_FAILURE;
	else
		r = EXIT_SUCCESS;
	free(xml);
	return r;
}
