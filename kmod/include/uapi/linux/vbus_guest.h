/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The guest connector: a bus reached by a VM guest through one
 * ivshmem-doorbell PCI device. This header is the layout of the shared
 * region (the device's BAR2) that the host kernel, the guest's
 * vbus-pcibridge and the test peers agree on, and the ioctl that creates a
 * guest connection. doc/abi/guest.md describes the protocol.
 *
 * Host and guest run on the same machine: fields are in its native byte
 * order. Every field the guest may write is marked "guest"; the host reads
 * each of them once and bounds it.
 */
#ifndef _UAPI_LINUX_VBUS_GUEST_H
#define _UAPI_LINUX_VBUS_GUEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VBUS_GUEST_MAGIC	0x3174736773756276ULL	/* "vbusgst1" in memory */
#define VBUS_GUEST_VERSION	1

/* ivshmem peer ids: the host kernel is peer 0, the guest peer 1. */
#define VBUS_GUEST_HOST_PEER	0
#define VBUS_GUEST_PEER		1

/* Region size: a power of two within these bounds. */
#define VBUS_GUEST_SIZE_MIN	(64U << 10)
#define VBUS_GUEST_SIZE_MAX	(256U << 20)
#define VBUS_GUEST_SIZE_DEFAULT	(4U << 20)

/*
 * MSI-X vectors (and doorbells): 2..VBUS_GUEST_VECTORS_MAX. Vector and
 * doorbell 0 belong to the control channel; a device's handle is its
 * doorbell, so at most vectors - 1 devices are open at once.
 */
#define VBUS_GUEST_VECTORS_MIN	2
#define VBUS_GUEST_VECTORS_MAX	64
/* What vbusd asks for when a guest bus's topology names no number. */
#define VBUS_GUEST_VECTORS_DEFAULT	16

/* Size of one control buffer slot: a request header and its data. */
#define VBUS_GUEST_CTL_BUF	4096

/*
 * The header page at offset 0, written by the host at every reset except
 * for kick[]. Offsets are in bytes from the start of the region; the guest
 * reads them once after a reset and checks them against BAR2's size.
 */
struct vbus_guest_hdr {
	__u64 magic;
	__u32 version;
	__u32 size;		/* the region's size */
	__u32 vectors;
	__u32 generation;	/* incremented on every reset */
	__u32 ctl_count;	/* descriptors per control ring, request slots */
	__u32 req_ring;		/* control requests (IOQ ring, the guest produces) */
	__u32 evt_ring;		/* control events (IOQ ring, the host produces) */
	__u32 ring_size;	/* bytes of each control ring */
	__u32 req_buf;		/* request slots: ctl_count * VBUS_GUEST_CTL_BUF */
	__u32 evt_buf;		/* event records: ctl_count * struct vbus_guest_event */
	__u32 sigq;		/* signal queues: vectors of them */
	__u32 sigq_size;	/* bytes of each signal queue */
	__u32 dev_area;		/* device areas, allocated by VBUS_GUEST_OP_SHM */
	__u32 dev_size;
	char bus[80];		/* the bus's name, NUL-terminated */
	/*
	 * guest: nonzero asks for a reset (as VBUS_GUEST_OP_RESET, without
	 * the rings): set it, ring doorbell 0, wait for generation to move.
	 */
	__u32 reset;
	__u32 reserved[27];
	/*
	 * guest: per handle, the queues it kicks (bit q for queue q), set with
	 * an atomic or before ringing doorbell h; the host exchanges it with 0.
	 */
	__u64 kick[VBUS_GUEST_VECTORS_MAX];
};

/* Control requests, in a request slot (guest), answered by the host. */
enum vbus_guest_op {
	VBUS_GUEST_OP_RESET	= 1,	/* close everything, re-format, generation++ */
	VBUS_GUEST_OP_LIST	= 2,	/* data out: struct vbus_dev_info[] */
	VBUS_GUEST_OP_OPEN	= 3,	/* arg: device id; result: handle */
	VBUS_GUEST_OP_SHM	= 4,	/* handle, arg: size; result: area offset */
	VBUS_GUEST_OP_CALL	= 5,	/* handle, func, data in/out; result: out length */
	VBUS_GUEST_OP_CLOSE	= 6,	/* handle */
};

/*
 * A request slot's header. The guest fills op..size and data[0..len); the
 * host writes status and result, any output into data[], and completes the
 * descriptor. status is 0 or a negative errno (doc/abi/guest.md lists them).
 */
struct vbus_guest_req {
	__u32 op;		/* guest: enum vbus_guest_op */
	__u32 handle;		/* guest */
	__u32 func;		/* guest: CALL's function */
	__u32 len;		/* guest: input bytes in data[] */
	__u64 arg;		/* guest: OPEN's id, SHM's size */
	__u32 size;		/* guest: room for output in data[] */
	__s32 status;		/* host */
	__u64 result;		/* host */
	__u8 data[];
};

#define VBUS_GUEST_DATA_MAX	(VBUS_GUEST_CTL_BUF - sizeof(struct vbus_guest_req))

/* Control events, host to guest. */
enum vbus_guest_event_type {
	VBUS_GUEST_EVT_ADD	= 1,	/* id, type: a device was linked */
	VBUS_GUEST_EVT_DEL	= 2,	/* id: a device was unlinked */
	VBUS_GUEST_EVT_DEAD	= 3,	/* handle: its connection was killed */
	VBUS_GUEST_EVT_OVERFLOW	= 4,	/* events were lost: LIST again */
};

struct vbus_guest_event {
	__u32 event;
	__u32 id;		/* device id (ADD, DEL) */
	__u32 handle;		/* DEAD */
	__u32 reserved;
	char type[32];		/* VBUS_TYPE_LEN, NUL-terminated (ADD) */
};

/*
 * A signal queue, one per vector: the host appends entries
 * (handle << 16 | queue) at prod and raises the vector unless the guest
 * cleared want_irq; the guest consumes up to prod and stores cons. When
 * the queue is full the host instead increments overflow: the guest then
 * signals every open device of that vector.
 */
struct vbus_guest_sigq {
	__u32 prod;		/* host: entries appended (free-running) */
	__u32 overflow;		/* host: times an entry was dropped */
	__u32 count;		/* host: entries, a power of two */
	__u32 reserved0[13];
	__u32 cons;		/* guest: entries consumed (free-running) */
	__u32 want_irq;		/* guest: 1 to be interrupted for new entries */
	__u32 reserved1[14];
	__u32 entry[];
};

#define VBUS_GUEST_SIG_ENTRY(handle, queue)	((__u32)(handle) << 16 | (queue))

/*
 * VBUS_IOC_GUEST, on a bus fd: makes the caller's guest connection to the
 * bus. doorbells and irqs point at vectors eventfds each: the host polls
 * doorbells[h] (the guest's writes to BAR0's doorbell register for peer
 * VBUS_GUEST_HOST_PEER, vector h) and writes irqs[v] to interrupt the
 * guest's MSI-X vector v. Returns the guest fd (O_CLOEXEC), which holds the
 * connection; region_fd receives the region's fd (O_CLOEXEC, a memfd-like
 * shmem file of size bytes) to hand to QEMU. pid names the guest's process
 * (QEMU, from SO_PEERCRED) in the caller's pid namespace: the member's pid;
 * 0 for the caller.
 */
struct vbus_guest {
	__u64	size;			/* region bytes, 0 for the default */
	__u32	vectors;
	__u32	flags;			/* must be 0 */
	__u64	doorbells;		/* __s32[vectors] */
	__u64	irqs;			/* __s32[vectors] */
	__s32	region_fd;		/* out */
	__s32	pid;			/* the guest's process; 0: the caller */
};

#define VBUS_IOC_GUEST		_IOWR(0xBE, 0x02, struct vbus_guest)

#endif /* _UAPI_LINUX_VBUS_GUEST_H */
