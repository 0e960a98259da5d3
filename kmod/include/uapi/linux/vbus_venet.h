/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * venet: the virtual-ethernet device of vbus (class venet-tap), as its
 * client sees it: the functions of VBUS_IOC_CALL on a venet device fd and
 * their structures. doc/abi/venet.md describes the protocol.
 */
#ifndef _UAPI_LINUX_VBUS_VENET_H
#define _UAPI_LINUX_VBUS_VENET_H

#include <linux/types.h>

#define VENET_TYPE		"virtual-ethernet"

/* Queue numbers (VBUS_IOC_SIGNAL, VENET_FUNC_QREG). */
#define VENET_QUEUE_RX		0	/* host to client: the client posts empty buffers */
#define VENET_QUEUE_TX		1	/* client to host: the client posts frames */
#define VENET_QUEUE_LINK	2	/* a signal only (VENET_CAP_LINKEV): the host's link changed */

/* Capabilities (VENET_FUNC_NEGCAP). */
#define VENET_CAP_SG		0x00000001	/* buffers may be descriptor chains */
#define VENET_CAP_RXWAIT	0x00000002	/* the host waits for rx buffers: kick queue 0 */
#define VENET_CAP_TXOFF		0x00000004	/* tx frames start with struct venet_txhdr */
#define VENET_CAP_LINKEV	0x00000008	/* the host signals VENET_QUEUE_LINK: read CONFIG */
#define VENET_CAP_RXOFF		0x00000010	/* rx frames start with struct venet_txhdr too */
#define VENET_CAPS		(VENET_CAP_SG | VENET_CAP_RXWAIT | VENET_CAP_TXOFF | \
				 VENET_CAP_LINKEV | VENET_CAP_RXOFF)

/* Largest frame: 9000 bytes of MTU, an Ethernet header and a VLAN tag. */
#define VENET_MTU_MAX		9000
#define VENET_FRAME_MAX		(VENET_MTU_MAX + 14 + 4)

/*
 * With VENET_CAP_TXOFF every frame the client posts on the tx ring starts
 * with this header: a checksum for the host to complete and segmentation
 * for the host to do, with the layout, values and rules of struct
 * virtio_net_hdr (little-endian). The frame after it may then be up to
 * VENET_TXOFF_FRAME_MAX bytes when segmented (gso_type not NONE), the MTU's
 * frame otherwise. The host refuses (drops and counts in tx_bad) a header
 * that does not fit its frame.
 *
 * With VENET_CAP_RXOFF every frame the host completes on the rx ring starts
 * with the same header, the other way: a checksum left partial
 * (VENET_TXHDR_F_CSUM), a checksum the host verified
 * (VENET_TXHDR_F_DATA_VALID), a TCP frame of up to VENET_RXOFF_FRAME_MAX
 * bytes after the header for the client to take as one (gso_type
 * VENET_GSO_TCPV4 or _TCPV6, with or without VENET_GSO_ECN; never UDP).
 * The client's rx buffers must then hold VENET_RXOFF_BUF_MIN bytes.
 */
struct venet_txhdr {
	__u8	flags;			/* VENET_TXHDR_F_CSUM */
	__u8	gso_type;		/* VENET_GSO_* */
	__le16	hdr_len;		/* length of the headers (a hint) */
	__le16	gso_size;		/* payload bytes per segment */
	__le16	csum_start;		/* checksummed from here (from the frame's start) */
	__le16	csum_offset;		/* to the end; the sum goes csum_offset past csum_start */
};

#define VENET_TXHDR_F_CSUM	1	/* complete the checksum (partial: pseudo-header) */
#define VENET_TXHDR_F_DATA_VALID 2	/* rx only: the host verified the checksums */
#define VENET_GSO_NONE		0
#define VENET_GSO_TCPV4		1
#define VENET_GSO_UDP		3	/* IP fragmentation of one UDP datagram */
#define VENET_GSO_TCPV6		4
#define VENET_GSO_ECN		0x80	/* with a TCP type: the segments carry ECN */
#define VENET_TXOFF_FRAME_MAX	65535
#define VENET_RXOFF_FRAME_MAX	65535
#define VENET_RXOFF_BUF_MIN	(10 + VENET_RXOFF_FRAME_MAX)	/* header and frame */

enum venet_func {
	VENET_FUNC_NEGCAP	= 0,	/* in/out: struct venet_negcap */
	VENET_FUNC_QREG		= 1,	/* in: struct venet_qreg */
	VENET_FUNC_LINKUP	= 2,	/* no data */
	VENET_FUNC_LINKDOWN	= 3,	/* no data */
	VENET_FUNC_MACQUERY	= 4,	/* out: 6 bytes, the client's MAC address */
	VENET_FUNC_FLUSHRX	= 5,	/* link down: return every posted rx buffer empty */
	VENET_FUNC_CONFIG	= 6,	/* out: struct venet_config */
	VENET_FUNC_IFNAME	= 7,	/* out: the client netdev's name, NUL-terminated (IFNAMSIZ) */
};

struct venet_negcap {
	__u32	caps;			/* in: wanted; out: granted */
	__u32	reserved;		/* must be 0 */
};

/*
 * A ring of count descriptors at ring in the connection's shared memory,
 * formatted by the host, and the buffer area its descriptors address
 * (offsets relative to area).
 */
struct venet_qreg {
	__u32	queue;			/* VENET_QUEUE_RX or VENET_QUEUE_TX */
	__u32	count;			/* a power of two, 2..32768 */
	__u64	ring;			/* offset of the ring, 64-byte aligned */
	__u64	area;			/* offset of the buffer area */
	__u64	area_len;
};

struct venet_config {
	__u8	mac[6];			/* the client's MAC address */
	__u16	link;			/* 1: the host netdev is up, 0: down */
	__u32	mtu;			/* the host netdev's MTU now */
	__u32	caps;			/* granted capabilities */
	__u32	frame_max;		/* VENET_FRAME_MAX */
};

#endif /* _UAPI_LINUX_VBUS_VENET_H */
