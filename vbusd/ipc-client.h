/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of vbusd's socket (doc/vbusd.md, "IPC"), for vbusctl and the libvirt hook. */
#ifndef VBUSD_IPC_CLIENT_H
#define VBUSD_IPC_CLIENT_H

#include <jansson.h>

/* The socket: $VBUSD_SOCKET, else VBUSD_SOCKET. */
const char *ipc_socket_path(void);

/*
 * Send @req to vbusd and wait for its one answer (*ret, json_decref() it).
 * -ENOENT or -ECONNREFUSED: vbusd is not running.
 */
int ipc_call(json_t *req, json_t **ret);

#endif
