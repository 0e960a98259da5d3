/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vbus user ABI. The administrative model (configfs, sysfs) is described in
 * doc/abi/; this header carries the constants and structures userspace
 * compiles against: the roots of the model and the client connector
 * (/dev/vbus/<bus> and the device fds it hands out).
 */
#ifndef _UAPI_LINUX_VBUS_H
#define _UAPI_LINUX_VBUS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Mount points and roots of the administrative model. */
#define VBUS_CONFIGFS_ROOT	"/sys/kernel/config/vbus"
#define VBUS_SYSFS_ROOT		"/sys/vbus"
#define VBUS_DEV_DIR		"/dev/vbus"

/* Longest bus or device name, not counting the terminating NUL. */
#define VBUS_NAME_MAX		64
/* Longest class name or interface type, with the terminating NUL. */
#define VBUS_TYPE_LEN		32
/* Largest buffer of one synchronous device call. */
#define VBUS_CALL_MAX		65536

/*
 * The bus fd: open("/dev/vbus/<bus>", O_RDWR) makes the caller a member of
 * the bus. read() returns whole struct vbus_event records; poll() reports
 * EPOLLIN while events are queued and EPOLLHUP once the bus is gone.
 */
enum vbus_event_type {
	VBUS_EVENT_DEVICE_ADD	= 1,	/* a device was linked: id, type */
	VBUS_EVENT_DEVICE_DEL	= 2,	/* a device was unlinked: id, type */
	VBUS_EVENT_BUS_GONE	= 3,	/* the bus was removed: the fd is dead */
	VBUS_EVENT_OVERFLOW	= 4,	/* events were lost: list again */
};

struct vbus_event {
	__u32	event;			/* enum vbus_event_type */
	__u32	id;			/* device id on this bus */
	char	type[VBUS_TYPE_LEN];	/* interface type, NUL-terminated */
};

/* One device as a member sees it. */
struct vbus_dev_info {
	__u32	id;
	__u32	reserved;
	char	type[VBUS_TYPE_LEN];	/* interface type, e.g. "virtual-ethernet" */
};

/*
 * VBUS_IOC_LIST: in: count = entries that fit at devs; out: count = the
 * number of devices on the bus (entries beyond the capacity are not
 * written: call again with a larger array).
 */
struct vbus_list {
	__u32	count;
	__u32	flags;			/* must be 0 */
	__u64	devs;			/* struct vbus_dev_info array */
};

/* VBUS_IOC_OPEN: returns a new device fd (O_CLOEXEC). */
struct vbus_open {
	__u32	id;
	__u32	flags;			/* must be 0 */
};

/*
 * VBUS_IOC_CALL, on a device fd: a synchronous call of function func. The
 * len bytes at data are the input; the buffer has room for size bytes of
 * output (len <= size <= VBUS_CALL_MAX). Returns the output length.
 */
struct vbus_call {
	__u32	func;
	__u32	flags;			/* must be 0 */
	__u64	data;
	__u32	len;
	__u32	size;
};

#define VBUS_IOC_MAGIC		0xBE

/* On the bus fd. */
#define VBUS_IOC_LIST		_IOWR(VBUS_IOC_MAGIC, 0x00, struct vbus_list)
#define VBUS_IOC_OPEN		_IOW(VBUS_IOC_MAGIC, 0x01, struct vbus_open)
/* On a device fd. */
#define VBUS_IOC_CALL		_IOWR(VBUS_IOC_MAGIC, 0x10, struct vbus_call)

/*
 * Shared memory and signals of a device fd (doc/abi/chardev.md). Numbers
 * 0x22-0x3f remain reserved for them.
 *
 * VBUS_IOC_SHM: the kernel allocates size bytes (rounded up to a page, at
 * most VBUS_SHM_MAX) of zeroed memory for this connection, once; the client
 * maps them with mmap(fd, offset 0). Rings and buffers the device class
 * uses live there and are named by offsets into it.
 */
#define VBUS_SHM_MAX		(256U << 20)

struct vbus_shm {
	__u64	size;
	__u64	reserved;		/* must be 0 */
};

/*
 * VBUS_IOC_SIGNAL: the eventfds of queue number queue (below
 * VBUS_QUEUES_MAX; what a number means is the class's): writing to kick
 * wakes the device, the device writes to call to wake the client. Either may
 * be -1 (none: a call without an eventfd makes the device fd readable).
 * Once per queue.
 */
#define VBUS_QUEUES_MAX		8

struct vbus_signal {
	__u32	queue;
	__s32	kick;
	__s32	call;
	__u32	flags;			/* must be 0 */
};

/*
 * VBUS_IOC_KICK, with the queue number as its argument: kicks that queue as
 * a write to its kick eventfd would, from the caller's own context, where
 * the device class may do the queue's work before the call returns
 * (venet-tap hands the client's frames to the host stack, as a write to a
 * tap device does) instead of waking a thread of its own. Counted as a kick;
 * needs no kick eventfd.
 */
#define VBUS_IOC_SHM		_IOW(VBUS_IOC_MAGIC, 0x20, struct vbus_shm)
#define VBUS_IOC_SIGNAL		_IOW(VBUS_IOC_MAGIC, 0x21, struct vbus_signal)
#define VBUS_IOC_KICK		_IO(VBUS_IOC_MAGIC, 0x22)

#endif /* _UAPI_LINUX_VBUS_H */
