/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a venet host (a device class of interface type virtual-ethernet:
 * venet-tap, and the test suite's venet-raw) does the same way: register a
 * client's ring (VENET_FUNC_QREG, doc/abi/venet.md).
 */
#ifndef _VENET_HOST_H
#define _VENET_HOST_H

#include <uapi/linux/vbus_venet.h>

#include "ioq/ioq.h"
#include "vbus_class.h"

/*
 * Check @r against the connection's shared memory, then (unless @up: EBUSY)
 * format the ring there and attach @q as its consumer, replacing the ring
 * it had; *@reg says whether @q is attached.
 */
static inline int venet_host_qreg(struct vbus_conn *conn, struct ioq *q, bool *reg, bool up,
				  const struct venet_qreg *r)
{
	size_t shm_len, ring_len;
	void *shm;
	int ret;

	if (r->queue > VENET_QUEUE_TX || r->count < IOQ_COUNT_MIN ||
	    r->count > IOQ_COUNT_MAX || (r->count & (r->count - 1)) || r->ring % 64)
		return -EINVAL;
	ret = vbus_conn_shm(conn, &shm, &shm_len);
	if (ret)
		return ret;
	ring_len = IOQ_RING_SIZE(r->count);
	if (r->ring > shm_len || ring_len > shm_len - r->ring ||
	    r->area > shm_len || r->area_len > shm_len - r->area || !r->area_len)
		return -EINVAL;
	if (up)
		return -EBUSY;
	if (*reg) {
		ioq_cleanup(q);
		*reg = false;
	}
	ret = ioq_ring_format(shm + r->ring, ring_len, r->count);
	if (!ret)
		ret = ioq_init(q, IOQ_CONSUMER, shm + r->ring, ring_len, shm + r->area,
			       r->area_len);
	*reg = !ret;
	return ret;
}

#endif /* _VENET_HOST_H */
