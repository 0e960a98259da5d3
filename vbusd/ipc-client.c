// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: the client side of its socket (ipc-client.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc-client.h"

const char *ipc_socket_path(void)
{
	return getenv("VBUSD_SOCKET") ?: VBUSD_SOCKET;
}

static int connect_vbusd(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = ipc_socket_path();
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int ipc_call(json_t *req, json_t **ret)
{
	char *text = json_dumps(req, JSON_COMPACT);
	json_error_t e;
	size_t len, off = 0;
	int fd, r = 0;

	if (!text)
		return -ENOMEM;
	fd = connect_vbusd();
	if (fd < 0) {
		free(text);
		return fd;
	}
	len = strlen(text);
	while (off < len && r == 0) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0)
			r = -errno;
		else
			off += (size_t)n;
	}
	free(text);
	if (r == 0) {
		shutdown(fd, SHUT_WR);
		*ret = json_loadfd(fd, JSON_DISABLE_EOF_CHECK, &e);
		r = *ret ? 0 : -EPROTO;
	}
	close(fd);
	return r;
}
