/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vbus user ABI. The administrative model (configfs, sysfs) is described in
 * doc/abi/; this header carries the constants userspace compiles against.
 */
#ifndef _UAPI_LINUX_VBUS_H
#define _UAPI_LINUX_VBUS_H

/* Mount points and roots of the administrative model. */
#define VBUS_CONFIGFS_ROOT	"/sys/kernel/config/vbus"
#define VBUS_SYSFS_ROOT		"/sys/vbus"

/* Longest bus or device name, not counting the terminating NUL. */
#define VBUS_NAME_MAX		64
/* Longest class name or interface type, with the terminating NUL. */
#define VBUS_TYPE_LEN		32

#endif /* _UAPI_LINUX_VBUS_H */
