// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusd: the ivshmem servers (ivshmem.h). The protocol QEMU speaks is its
 * docs/specs/ivshmem-spec.txt: on connect the server sends, as 8-byte
 * little-endian numbers, the version (0), the client's id, -1 with the
 * shared memory fd, then for every other peer its id once per vector with
 * the eventfd that interrupts it, then the client's own id once per vector
 * with the eventfds its interrupts arrive on. The only other peer here is
 * the host kernel (VBUS_GUEST_HOST_PEER): its eventfds are the guest's
 * doorbells, polled by the kernel; the guest's are written by the kernel.
 * The connection carries nothing more; its end is QEMU's end.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vbus.h>
#include <linux/vbus_guest.h>
#include <systemd/sd-daemon.h>

#include "ivshmem.h"
#include "manager.h"

/* Names in the fd store: a prefix, then the bus's name. */
#define FD_LISTEN "ivshmem-listen."
#define FD_CONN "ivshmem-conn."
#define FD_GUEST "ivshmem-guest."

struct ivshmem_server {
	struct ivshmem *iv;
	char *bus;
	char *path;
	uid_t owner;
	uint64_t size;
	unsigned vectors;
	int listen_fd;
	sd_event_source *listen_src;
	int conn_fd;			/* QEMU's connection, or -1 */
	sd_event_source *conn_src;
	int guest_fd;			/* the kernel's guest connection, or -1 */
	pid_t pid;			/* QEMU's, from SO_PEERCRED */
	bool seen;			/* by the running sync */
};

/*
 * An fd's name in the store: the prefix and the bus's name, whose ':' (which
 * names may hold, and LISTEN_FDNAMES separates with) becomes '/' (which they
 * never hold).
 */
static char *fd_name(const char *prefix, const char *bus)
{
	char *name = strdupf("%s%s", prefix, bus);

	for (char *c = name ? name + strlen(prefix) : NULL; c && *c; c++)
		if (*c == ':')
			*c = '/';
	return name;
}

static void fd_store(const char *prefix, const char *bus, int fd)
{
	_cleanup_free_ char *name = fd_name(prefix, bus);
	_cleanup_free_ char *msg = name ? strdupf("FDSTORE=1\nFDNAME=%s", name) : NULL;

	if (!msg || sd_pid_notify_with_fds(0, false, msg, &fd, 1) < 0)
		log_warning("ivshmem %s: the fd store did not take %s%s: the connection will not "
			    "survive a restart of vbusd", bus, prefix, bus);
}

static void fd_unstore(const char *prefix, const char *bus)
{
	_cleanup_free_ char *name = fd_name(prefix, bus);
	_cleanup_free_ char *msg = name ? strdupf("FDSTOREREMOVE=1\nFDNAME=%s", name) : NULL;

	if (msg)
		sd_notify(false, msg);
}

static pid_t peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	return cred.pid;
}

/* QEMU went away, or the bus stopped being a guest bus: the kernel tears the guest down. */
static void guest_disconnect(struct ivshmem_server *s, const char *why)
{
	if (s->conn_fd < 0 && s->guest_fd < 0)
		return;
	log_info("ivshmem %s: guest (pid %d) disconnected: %s", s->bus, (int)s->pid, why);
	s->conn_src = sd_event_source_disable_unref(s->conn_src);
	fd_unstore(FD_CONN, s->bus);
	fd_unstore(FD_GUEST, s->bus);
	if (s->conn_fd >= 0)
		close(s->conn_fd);
	if (s->guest_fd >= 0)
		close(s->guest_fd);
	s->conn_fd = s->guest_fd = -1;
	s->pid = 0;
}

static int on_conn(sd_event_source *src, int fd, uint32_t revents, void *ud)
{
	struct ivshmem_server *s = ud;
	char buf[64];
	ssize_t n;

	/* QEMU sends nothing; whatever it does send is dropped. */
	do
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n > 0);
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		guest_disconnect(s, n == 0 ? "QEMU closed the connection" : strerror(errno));
	return 0;
}

/* One message of the protocol: @value, and @fd when it is not -1. */
static int send_msg(int sock, int64_t value, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = { 0 };
	uint64_t le = htole64((uint64_t)value);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(le))
		return errno ? -errno : -EIO;
	return 0;
}

static int watch_conn(struct ivshmem_server *s)
{
	int r = sd_event_add_io(s->iv->event, &s->conn_src, s->conn_fd, EPOLLIN | EPOLLRDHUP,
				on_conn, s);

	if (r < 0)
		log_error("ivshmem %s: cannot watch the guest's connection: %s", s->bus,
			  strerror(-r));
	return r;
}

/*
 * Make the bus's guest connection, the member of QEMU's @pid, and greet
 * QEMU on @sock. The eventfds and the region go to QEMU and the kernel;
 * vbusd keeps only @sock and the guest fd.
 */
static int guest_connect(struct ivshmem_server *s, int sock, pid_t pid)
{
	_cleanup_free_ char *dev = strdupf(VBUS_DEV_DIR "/%s", s->bus);
	int efd[2 * VBUS_GUEST_VECTORS_MAX], n = 0, bus_fd, gfd = -1, r;
	struct vbus_guest g = {
		.size = s->size,
		.vectors = s->vectors,
		.doorbells = (uintptr_t)efd,
		.irqs = (uintptr_t)(efd + s->vectors),
		.region_fd = -1,
		.pid = pid,
	};

	if (!dev)
		return -ENOMEM;
	bus_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (bus_fd < 0)
		return -errno;
	for (; n < 2 * (int)s->vectors; n++) {
		efd[n] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd[n] < 0) {
			r = -errno;
			goto out;
		}
	}
	gfd = ioctl(bus_fd, VBUS_IOC_GUEST, &g);
	if (gfd < 0) {
		r = -errno;
		goto out;
	}
	r = send_msg(sock, 0, -1);				/* the protocol's version */
	if (!r)
		r = send_msg(sock, VBUS_GUEST_PEER, -1);	/* its id */
	if (!r)
		r = send_msg(sock, -1, g.region_fd);
	for (unsigned i = 0; !r && i < s->vectors; i++)		/* the doorbells */
		r = send_msg(sock, VBUS_GUEST_HOST_PEER, efd[i]);
	for (unsigned i = 0; !r && i < s->vectors; i++)		/* its interrupts */
		r = send_msg(sock, VBUS_GUEST_PEER, efd[s->vectors + i]);
out:
	if (g.region_fd >= 0)
		close(g.region_fd);
	while (n-- > 0)
		close(efd[n]);
	close(bus_fd);
	if (r < 0) {
		if (gfd >= 0)
			close(gfd);
		return r;
	}
	s->conn_fd = sock;
	s->guest_fd = gfd;
	return 0;
}

/*
 * Turn QEMU away: a version it does not speak, which fails its device's
 * creation. Closing alone would not: QEMU 7.2 reads the greeting in a loop
 * that takes end-of-file for "no data yet" and spins.
 */
static void refuse(int sock)
{
	send_msg(sock, -1, -1);
	close(sock);
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *ud)
{
	struct ivshmem_server *s = ud;
	int sock = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;
	int r;

	if (sock < 0)
		return 0;
	pid = peer_pid(sock);
	if (s->conn_fd >= 0) {
		log_warning("ivshmem %s: refused a connection from pid %d: pid %d is the bus's "
			    "guest", s->bus, (int)pid, (int)s->pid);
		refuse(sock);
		return 0;
	}
	r = guest_connect(s, sock, pid);
	if (r < 0) {
		log_error("ivshmem %s: cannot serve the guest of pid %d: %s", s->bus, (int)pid,
			  strerror(-r));
		refuse(sock);
		return 0;
	}
	s->pid = pid;
	log_info("ivshmem %s: guest connected (pid %d, %u vectors, %" PRIu64 " bytes)", s->bus,
		 (int)pid, s->vectors, s->size);
	fd_store(FD_CONN, s->bus, s->conn_fd);
	fd_store(FD_GUEST, s->bus, s->guest_fd);
	if (watch_conn(s) < 0)
		guest_disconnect(s, "vbusd cannot watch it");
	return 0;
}

static struct ivshmem_server *server_get(struct ivshmem *iv, const char *bus)
{
	for (size_t i = 0; i < iv->n_servers; i++)
		if (!strcmp(iv->servers[i]->bus, bus))
			return iv->servers[i];
	return NULL;
}

static struct ivshmem_server *server_new(struct ivshmem *iv, const char *bus)
{
	struct ivshmem_server **v, *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->iv = iv;
	s->listen_fd = s->conn_fd = s->guest_fd = -1;
	s->bus = strdup(bus);
	s->path = strdupf("%s/%s.sock", iv->dir, bus);
	v = realloc(iv->servers, (iv->n_servers + 1) * sizeof(*v));
	if (!s->bus || !s->path || !v) {
		free(s->bus);
		free(s->path);
		free(s);
		if (v)
			iv->servers = v;
		return NULL;
	}
	v[iv->n_servers++] = s;
	iv->servers = v;
	return s;
}

/* Stop serving: the guest goes, the socket goes. */
static void server_free(struct ivshmem_server *s, bool unstore)
{
	if (unstore) {
		guest_disconnect(s, "the bus is no longer served to a guest");
		fd_unstore(FD_LISTEN, s->bus);
		if (s->listen_fd >= 0)
			unlink(s->path);
	} else {
		s->conn_src = sd_event_source_disable_unref(s->conn_src);
		if (s->conn_fd >= 0)
			close(s->conn_fd);
		if (s->guest_fd >= 0)
			close(s->guest_fd);
	}
	sd_event_source_disable_unref(s->listen_src);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	free(s->bus);
	free(s->path);
	free(s);
}

static int watch_listen(struct ivshmem_server *s)
{
	return sd_event_add_io(s->iv->event, &s->listen_src, s->listen_fd, EPOLLIN, on_accept, s);
}

/* The socket QEMU connects to: mode 0600, the bus owner's (the QEMU user's for a domain). */
static int server_listen(struct ivshmem_server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(s->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, s->path);
	if (mkdir(s->iv->dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(s->path);
	/* Until chmod, the umask's bits leave others without write, so without connect. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(s->path, 0600) < 0 ||
	    chown(s->path, s->owner, (gid_t)-1) < 0 || listen(fd, 4) < 0) {
		r = -errno;
		close(fd);
		unlink(s->path);
		return r;
	}
	s->listen_fd = fd;
	r = watch_listen(s);
	if (r < 0)
		return r;
	fd_store(FD_LISTEN, s->bus, fd);
	return 0;
}

void ivshmem_sync(struct ivshmem *iv, const struct topology *t)
{
	size_t i, kept;

	for (i = 0; i < iv->n_servers; i++)
		iv->servers[i]->seen = false;
	for (i = 0; i < t->n_buses; i++) {
		const struct topo_bus *b = t->buses[i];
		struct ivshmem_server *s;
		int r;

		if (!b->guest)
			continue;
		s = server_get(iv, b->name);
		if (!s) {
			s = server_new(iv, b->name);
			if (!s) {
				log_error("ivshmem %s: out of memory", b->name);
				continue;
			}
		}
		s->seen = true;
		/* A change of size or vectors applies to the next connection. */
		s->size = b->guest_size;
		s->vectors = b->guest_vectors;
		if (s->listen_fd >= 0 && s->owner != b->owner &&
		    chown(s->path, b->owner, (gid_t)-1) < 0)
			log_error("ivshmem %s: cannot give %s to uid %u: %m", b->name, s->path,
				  (unsigned)b->owner);
		s->owner = b->owner;
		if (s->listen_fd >= 0)
			continue;
		r = server_listen(s);
		if (r < 0)
			log_error("ivshmem %s: cannot listen on %s: %s", b->name, s->path,
				  strerror(-r));
		else
			log_info("ivshmem %s: serving %s", b->name, s->path);
	}
	for (i = kept = 0; i < iv->n_servers; i++) {
		if (iv->servers[i]->seen)
			iv->servers[kept++] = iv->servers[i];
		else
			server_free(iv->servers[i], true);
	}
	iv->n_servers = kept;
}

void ivshmem_restore(struct ivshmem *iv)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(true, &names);

	for (int i = 0; i < n; i++) {
		static const char *const prefix[] = { FD_LISTEN, FD_CONN, FD_GUEST };
		int fd = SD_LISTEN_FDS_START + i;
		struct ivshmem_server *s = NULL;
		const char *bus = NULL;
		size_t k;

		for (k = 0; k < 3 && names && names[i]; k++) {
			if (!strncmp(names[i], prefix[k], strlen(prefix[k]))) {
				bus = names[i] + strlen(prefix[k]);
				break;
			}
		}
		for (char *c = (char *)bus; c && *c; c++)
			if (*c == '/')
				*c = ':';
		if (bus)
			s = server_get(iv, bus) ?: server_new(iv, bus);
		if (!s) {
			log_warning("Closing fd %d from the fd store (%s)", fd,
				    names && names[i] ? names[i] : "unnamed");
			close(fd);
			continue;
		}
		if (k == 0)
			s->listen_fd = fd;
		else if (k == 1)
			s->conn_fd = fd;
		else
			s->guest_fd = fd;
	}
	for (size_t i = 0; i < iv->n_servers; i++) {
		struct ivshmem_server *s = iv->servers[i];

		if (s->listen_fd >= 0 && watch_listen(s) < 0)
			log_error("ivshmem %s: cannot watch %s", s->bus, s->path);
		if (s->conn_fd >= 0 && s->guest_fd >= 0) {
			s->pid = peer_pid(s->conn_fd);
			log_info("ivshmem %s: guest (pid %d) kept across the restart", s->bus,
				 (int)s->pid);
			if (watch_conn(s) < 0)
				guest_disconnect(s, "vbusd cannot watch it");
		} else {
			/* Half a connection is none: let the kernel tear it down. */
			guest_disconnect(s, "its fds were not all kept");
		}
	}
	if (names) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
}

void ivshmem_clear(struct ivshmem *iv)
{
	for (size_t i = 0; i < iv->n_servers; i++)
		server_free(iv->servers[i], false);
	free(iv->servers);
	iv->servers = NULL;
	iv->n_servers = 0;
}
