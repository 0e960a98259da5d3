// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prints the uapi's numbers and struct layouts as the compiler sees them in
 * the headers, for tests/uapi.test to hold the Python speakers of the ABI to:
 *   const NAME VALUE
 *   struct NAME SIZE FIELD=OFFSET...   (the fields the speaker names)
 * With no argument, what tests/vm/vbus.py speaks: the client ABI, venet,
 * genl. With "guest", all of <linux/vbus_guest.h>, and what
 * tests/vm/ivshmem-host takes from the other headers besides.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/vbus.h>
#include <linux/vbus_guest.h>
#include <linux/vbus_ioq.h>
#include <linux/vbus_netlink.h>
#include <linux/vbus_venet.h>

#define LAYOUT(t, ...) { #t, sizeof(struct t), { __VA_ARGS__ } }
#define F(t, f) { #f, offsetof(struct t, f) }
#define C(x) { #x, (x) }

struct layout {
	const char *name;
	size_t size;
	struct {
		const char *name;	/* NULL after the last */
		size_t off;
	} field[20];
};

struct constant {
	const char *name;
	unsigned long long value;
};

static const struct layout vbus_py_layouts[] = {
	LAYOUT(vbus_event, F(vbus_event, event), F(vbus_event, id), F(vbus_event, type)),
	LAYOUT(vbus_dev_info, F(vbus_dev_info, id), F(vbus_dev_info, reserved),
	       F(vbus_dev_info, type)),
	LAYOUT(vbus_list, F(vbus_list, count), F(vbus_list, flags), F(vbus_list, devs)),
	LAYOUT(vbus_open, F(vbus_open, id), F(vbus_open, flags)),
	LAYOUT(vbus_call, F(vbus_call, func), F(vbus_call, flags), F(vbus_call, data),
	       F(vbus_call, len), F(vbus_call, size)),
	LAYOUT(vbus_shm, F(vbus_shm, size), F(vbus_shm, reserved)),
	LAYOUT(vbus_signal, F(vbus_signal, queue), F(vbus_signal, kick), F(vbus_signal, call),
	       F(vbus_signal, flags)),
	LAYOUT(venet_negcap, F(venet_negcap, caps), F(venet_negcap, reserved)),
	LAYOUT(venet_qreg, F(venet_qreg, queue), F(venet_qreg, count), F(venet_qreg, ring),
	       F(venet_qreg, area), F(venet_qreg, area_len)),
	LAYOUT(venet_config, F(venet_config, mac), F(venet_config, link), F(venet_config, mtu),
	       F(venet_config, caps), F(venet_config, frame_max)),
	LAYOUT(ioq_desc, F(ioq_desc, offset), F(ioq_desc, len), F(ioq_desc, id),
	       F(ioq_desc, flags)),
	LAYOUT(ioq_signal, F(ioq_signal, event_idx), F(ioq_signal, flags)),
	LAYOUT(ioq_ring, F(ioq_ring, magic), F(ioq_ring, version), F(ioq_ring, reserved0),
	       F(ioq_ring, count)),
};

static const struct constant vbus_py_consts[] = {
	C(VBUS_TYPE_LEN),
	C(VBUS_IOC_LIST), C(VBUS_IOC_OPEN), C(VBUS_IOC_CALL),
	C(VBUS_IOC_SHM), C(VBUS_IOC_SIGNAL), C(VBUS_IOC_KICK),
	C(VBUS_EVENT_DEVICE_ADD), C(VBUS_EVENT_DEVICE_DEL),
	C(VBUS_EVENT_BUS_GONE), C(VBUS_EVENT_OVERFLOW),
	C(VENET_FUNC_NEGCAP), C(VENET_FUNC_QREG), C(VENET_FUNC_LINKUP), C(VENET_FUNC_LINKDOWN),
	C(VENET_FUNC_MACQUERY), C(VENET_FUNC_FLUSHRX), C(VENET_FUNC_CONFIG),
	C(VENET_QUEUE_RX), C(VENET_QUEUE_TX), C(VENET_QUEUE_LINK),
	C(VENET_CAP_SG), C(VENET_CAP_RXWAIT), C(VENET_CAP_TXOFF), C(VENET_CAP_LINKEV),
	C(VENET_CAP_RXOFF),
	C(VBUS_CMD_CLASS_GET), C(VBUS_CMD_BUS_GET), C(VBUS_CMD_DEVICE_GET),
	C(VBUS_CMD_STATS_GET), C(VBUS_CMD_STATS_RESET),
	C(VBUS_CMD_CLASS_ADD_NTF), C(VBUS_CMD_CLASS_DEL_NTF),
	C(VBUS_CMD_BUS_ADD_NTF), C(VBUS_CMD_BUS_DEL_NTF),
	C(VBUS_CMD_DEVICE_ADD_NTF), C(VBUS_CMD_DEVICE_DEL_NTF), C(VBUS_CMD_DEVICE_CHANGE_NTF),
	C(VBUS_CMD_LINK_ADD_NTF), C(VBUS_CMD_LINK_DEL_NTF),
	C(VBUS_CMD_MEMBER_ADD_NTF), C(VBUS_CMD_MEMBER_DEL_NTF),
	C(VBUS_CMD_BUS_CHANGE_NTF), C(VBUS_CMD_DEVICE_ATTR_NTF),
	C(VBUS_A_CLASS_NAME), C(VBUS_A_CLASS_TYPE), C(VBUS_A_CLASS_DEVICES),
	C(VBUS_A_LINK_BUS), C(VBUS_A_LINK_ID), C(VBUS_A_LINK_DEVICE), C(VBUS_A_LINK_TYPE),
	C(VBUS_A_MEMBER_ID), C(VBUS_A_MEMBER_PID), C(VBUS_A_MEMBER_BUS),
	C(VBUS_A_BUS_NAME), C(VBUS_A_BUS_OWNER), C(VBUS_A_BUS_GROUP), C(VBUS_A_BUS_MODE),
	C(VBUS_A_BUS_LINK), C(VBUS_A_BUS_MEMBER), C(VBUS_A_BUS_DEVICE),
	C(VBUS_A_ATTR_NAME), C(VBUS_A_ATTR_VALUE), C(VBUS_A_ATTR_KIND), C(VBUS_A_ATTR_TYPE),
	C(VBUS_A_ATTR_COUNTS),
	C(VBUS_A_DEVICE_NAME), C(VBUS_A_DEVICE_CLASS), C(VBUS_A_DEVICE_TYPE),
	C(VBUS_A_DEVICE_LINK), C(VBUS_A_DEVICE_ATTR), C(VBUS_A_DEVICE_BUS),
	C(VBUS_A_STATS_BUS), C(VBUS_A_STATS_MEMBER), C(VBUS_A_STATS_PID),
	C(VBUS_A_STATS_EVENTS), C(VBUS_A_STATS_QNOTIFY), C(VBUS_A_STATS_QINJECT),
	C(VBUS_A_STATS_NOTIFY), C(VBUS_A_STATS_INJECT), C(VBUS_A_STATS_BRIDGECALLS),
	C(VBUS_A_STATS_BUSCALLS),
};

/* Every struct of <linux/vbus_guest.h>, and the others ivshmem-host lays out. */
static const struct layout guest_layouts[] = {
	LAYOUT(vbus_guest_hdr, F(vbus_guest_hdr, magic), F(vbus_guest_hdr, version),
	       F(vbus_guest_hdr, size), F(vbus_guest_hdr, vectors), F(vbus_guest_hdr, generation),
	       F(vbus_guest_hdr, ctl_count), F(vbus_guest_hdr, req_ring),
	       F(vbus_guest_hdr, evt_ring), F(vbus_guest_hdr, ring_size),
	       F(vbus_guest_hdr, req_buf), F(vbus_guest_hdr, evt_buf), F(vbus_guest_hdr, sigq),
	       F(vbus_guest_hdr, sigq_size), F(vbus_guest_hdr, dev_area),
	       F(vbus_guest_hdr, dev_size), F(vbus_guest_hdr, bus), F(vbus_guest_hdr, reset),
	       F(vbus_guest_hdr, kick)),
	LAYOUT(vbus_guest_req, F(vbus_guest_req, op), F(vbus_guest_req, handle),
	       F(vbus_guest_req, func), F(vbus_guest_req, len), F(vbus_guest_req, arg),
	       F(vbus_guest_req, size), F(vbus_guest_req, status), F(vbus_guest_req, result),
	       F(vbus_guest_req, data)),
	LAYOUT(vbus_guest_event, F(vbus_guest_event, event), F(vbus_guest_event, id),
	       F(vbus_guest_event, handle), F(vbus_guest_event, reserved),
	       F(vbus_guest_event, type)),
	LAYOUT(vbus_guest_sigq, F(vbus_guest_sigq, prod), F(vbus_guest_sigq, overflow),
	       F(vbus_guest_sigq, count), F(vbus_guest_sigq, cons), F(vbus_guest_sigq, want_irq),
	       F(vbus_guest_sigq, entry)),
	LAYOUT(vbus_guest, F(vbus_guest, size), F(vbus_guest, vectors), F(vbus_guest, flags),
	       F(vbus_guest, doorbells), F(vbus_guest, irqs), F(vbus_guest, region_fd),
	       F(vbus_guest, pid)),
	LAYOUT(vbus_dev_info, F(vbus_dev_info, id), F(vbus_dev_info, reserved),
	       F(vbus_dev_info, type)),
	LAYOUT(ioq_desc, F(ioq_desc, offset), F(ioq_desc, len), F(ioq_desc, id),
	       F(ioq_desc, flags)),
	LAYOUT(ioq_ring, F(ioq_ring, magic), F(ioq_ring, version), F(ioq_ring, reserved0),
	       F(ioq_ring, count), F(ioq_ring, desc)),
};

/* A function-like macro is printed for one set of arguments, named with them. */
static const struct constant guest_consts[] = {
	C(VBUS_GUEST_MAGIC), C(VBUS_GUEST_VERSION),
	C(VBUS_GUEST_HOST_PEER), C(VBUS_GUEST_PEER),
	C(VBUS_GUEST_SIZE_MIN), C(VBUS_GUEST_SIZE_MAX), C(VBUS_GUEST_SIZE_DEFAULT),
	C(VBUS_GUEST_VECTORS_MIN), C(VBUS_GUEST_VECTORS_MAX), C(VBUS_GUEST_VECTORS_DEFAULT),
	C(VBUS_GUEST_CTL_BUF), C(VBUS_GUEST_DATA_MAX),
	C(VBUS_GUEST_OP_RESET), C(VBUS_GUEST_OP_LIST), C(VBUS_GUEST_OP_OPEN),
	C(VBUS_GUEST_OP_SHM), C(VBUS_GUEST_OP_CALL), C(VBUS_GUEST_OP_CLOSE),
	C(VBUS_GUEST_EVT_ADD), C(VBUS_GUEST_EVT_DEL), C(VBUS_GUEST_EVT_DEAD),
	C(VBUS_GUEST_EVT_OVERFLOW),
	{ "VBUS_GUEST_SIG_ENTRY(3,5)", VBUS_GUEST_SIG_ENTRY(3, 5) },
	C(VBUS_IOC_GUEST),
	C(IOQ_MAGIC), C(IOQ_VERSION), C(IOQ_DESC_F_AVAIL), C(IOQ_DESC_F_USED),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void print(const struct layout *l, size_t nl, const struct constant *c, size_t nc)
{
	size_t i, j;

	for (i = 0; i < nl; i++) {
		printf("struct %s %zu", l[i].name, l[i].size);
		for (j = 0; j < ARRAY_SIZE(l[i].field) && l[i].field[j].name; j++)
			printf(" %s=%zu", l[i].field[j].name, l[i].field[j].off);
		putchar('\n');
	}
	for (i = 0; i < nc; i++)
		printf("const %s %llu\n", c[i].name, c[i].value);
}

int main(int argc, char **argv)
{
	if (argc == 1) {
		print(vbus_py_layouts, ARRAY_SIZE(vbus_py_layouts),
		      vbus_py_consts, ARRAY_SIZE(vbus_py_consts));
	} else if (argc == 2 && !strcmp(argv[1], "guest")) {
		print(guest_layouts, ARRAY_SIZE(guest_layouts),
		      guest_consts, ARRAY_SIZE(guest_consts));
	} else {
		fprintf(stderr, "Usage: uapi-layout [guest]\n");
		return 2;
	}
	return 0;
}
