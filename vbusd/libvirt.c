// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusd: libvirt domains (doc/vbusd.md, "libvirt"). The hook hands vbusd a
 * domain's topology at prepare and takes it back at release; each running
 * domain's topology is a file of the domains directory, merged with
 * topology.d, its buses owned by the user QEMU runs as unless it says
 * otherwise. At start vbusd asks a running libvirt daemon (read-only) which
 * domains run, to catch up with starts and stops it missed while it was down.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "domxml.h"
#include "manager.h"
#include "state.h"
#include "util.h"

static char *domain_file(struct manager *m, const char *domain)
{
	return strdupf("%s/%s.json", m->domain_dir, domain);
}

int libvirt_domain_start(struct manager *m, const char *domain, const char *user,
			 const char *text, struct converge_result *ret)
{
	_cleanup_free_ char *name = strdupf("%s.json", domain);
	_cleanup_free_ char *label = strdupf("domain %s", domain);
	struct converge_req req = {
		.mode = CONVERGE_APPLY, .name = name, .label = label, .install_dir = m->domain_dir,
		.why = "libvirt domain start",
	};

	*ret = (struct converge_result){ 0 };
	if (!name || !label)
		return -ENOMEM;
	if (user && getpwnam(user)) {
		free(m->qemu_user);
		m->qemu_user = strdup(user);
	}
	req.text = text;
	req.len = strlen(text);
	mkdir(m->domain_dir, 0700);
	return manager_converge(m, &req, ret);
}

int libvirt_domain_stop(struct manager *m, const char *domain, struct converge_result *ret)
{
	_cleanup_free_ char *path = domain_file(m, domain);

	*ret = (struct converge_result){ 0 };
	if (!path)
		return -ENOMEM;
	if (unlink(path) < 0) {
		ret->summary = strdup("the domain has no vbus topology");
		return ret->summary ? 0 : -ENOMEM;
	}
	return manager_reload(m, ret);
}

static void ignore_error(void *ud, virErrorPtr e)
{
}

/* A running domain's topology file, from its live XML. */
static void catch_up_started(struct manager *m, virDomainPtr dom)
{
	const char *domain = virDomainGetName(dom);
	_cleanup_free_ char *path = domain_file(m, domain);
	char *xml, *name = NULL, *topo = NULL;
	struct stat st;

	if (!path || stat(path, &st) == 0)
		return;
	xml = virDomainGetXMLDesc(dom, 0);
	if (xml && domxml_parse(xml, &name, &topo) >= 0 && topo) {
		if (write_file_atomic(path, topo, strlen(topo)) >= 0)
			log_info("Domain %s started while vbusd was down: its topology is back",
				 domain);
	}
	free(xml);
	free(name);
	free(topo);
}

/* Files of domains that stopped while vbusd was down. */
static void catch_up_stopped(struct manager *m, virConnectPtr conn)
{
	DIR *d = opendir(m->domain_dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char domain[256];
		virDomainPtr dom;
		int active = 0;

		if (n <= 5 || n - 5 >= sizeof(domain) || strcmp(de->d_name + n - 5, ".json"))
			continue;
		memcpy(domain, de->d_name, n - 5);
		domain[n - 5] = '\0';
		dom = virDomainLookupByName(conn, domain);
		if (dom) {
			active = virDomainIsActive(dom);
			virDomainFree(dom);
		}
		if (active == 1)
			continue;
		log_info("Domain %s stopped while vbusd was down: removing its topology", domain);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
}

/*
 * Whether the daemon of qemu:///system runs, from the pid file it holds while
 * it runs (libvirtd(8), virtqemud(8)). Connecting to find out would start it
 * through its socket unit, and vbusd.service is ordered before it: the
 * daemon's start would wait for vbusd's, and vbusd for the daemon.
 */
static bool libvirt_running(void)
{
	static const char *const pidfiles[] = { "/run/libvirtd.pid", "/run/virtqemud.pid" };

	for (size_t i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++) {
		FILE *f = fopen(pidfiles[i], "re");
		int pid = 0;
		bool alive;

		if (!f)
			continue;
		alive = fscanf(f, "%d", &pid) == 1 && pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
		fclose(f);
		if (alive)
			return true;
	}
	return false;
}

void libvirt_catch_up(struct manager *m)
{
	virConnectPtr conn;
	virDomainPtr *doms = NULL;
	int n;

	virSetErrorFunc(NULL, ignore_error);
	conn = libvirt_running() ? virConnectOpenReadOnly("qemu:///system") : NULL;
	if (!conn) {
		/* No libvirtd: domains' topologies stay as they were. */
		log_info("libvirt is not running; domain topologies kept as they are");
		return;
	}
	mkdir(m->domain_dir, 0700);
	n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	for (int i = 0; i < n; i++) {
		catch_up_started(m, doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	if (n >= 0)
		catch_up_stopped(m, conn);
	virConnectClose(conn);
}
