/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * IOQ: the shared-memory descriptor ring of vbus, and shm-signal, the
 * wake-up suppression that travels with it. This header is the memory
 * layout both sides agree on; doc/abi/ioq.md describes the protocol.
 *
 * Both sides run on the same machine: fields are in its native byte order.
 */
#ifndef _UAPI_LINUX_VBUS_IOQ_H
#define _UAPI_LINUX_VBUS_IOQ_H

#include <linux/types.h>

#define IOQ_MAGIC		0x51514f49	/* "IOQQ" in little-endian memory */
#define IOQ_VERSION		1

/* Ring sizes: a power of two between these bounds. */
#define IOQ_COUNT_MIN		2
#define IOQ_COUNT_MAX		32768

/*
 * Descriptor flags. AVAIL and USED carry ownership, packed-ring style: with
 * the producer's wrap counter W (1 on the first lap), a descriptor is
 * available to the consumer when AVAIL == W and USED != W, and returned to
 * the producer when AVAIL == USED == W.
 */
#define IOQ_DESC_F_NEXT		0x0001	/* the chain continues in the next slot */
#define IOQ_DESC_F_WRITE	0x0002	/* the consumer writes into this buffer */
#define IOQ_DESC_F_AVAIL	0x0080
#define IOQ_DESC_F_USED		0x8000
#define IOQ_DESC_F_KNOWN	(IOQ_DESC_F_NEXT | IOQ_DESC_F_WRITE | \
				 IOQ_DESC_F_AVAIL | IOQ_DESC_F_USED)

/*
 * One slot. Posted by the producer: a buffer of len bytes at offset in the
 * registered area, the buffer id, flags. Written back by the consumer: the
 * id of a completed buffer and the number of bytes it wrote into it.
 */
struct ioq_desc {
	__u64 offset;
	__u32 len;
	__u16 id;
	__u16 flags;
};

/* shm-signal flags. */
#define IOQ_SIG_NEED_WAKEUP	0x0001	/* the writer of this block may sleep */

/*
 * A shm-signal block, written only by the side that wants to be woken and
 * read by its peer: "signal me once your sequence number passes event_idx",
 * honoured only while NEED_WAKEUP is set. Alone on its cache lines.
 */
struct ioq_signal {
	__u16 event_idx;
	__u16 flags;
	__u32 reserved[31];
};

/*
 * The ring: header, two signal blocks, then count descriptors. Offsets are
 * fixed so the layout can be checked by inspection.
 */
struct ioq_ring {
	__u32 magic;
	__u16 version;
	__u16 reserved0;
	__u32 count;
	__u32 reserved1[29];
	struct ioq_signal cons_sig;	/* by the consumer: wake me for new buffers */
	struct ioq_signal prod_sig;	/* by the producer: wake me for completions */
	struct ioq_desc desc[];
};

#define IOQ_RING_SIZE(count)	(sizeof(struct ioq_ring) + (count) * sizeof(struct ioq_desc))

#endif /* _UAPI_LINUX_VBUS_IOQ_H */
