// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prints the uapi's numbers and struct layouts as the compiler sees them in
 * the headers, for tests/uapi.test to hold tests/vm/vbus.py to:
 *   const NAME VALUE
 *   struct NAME SIZE OFFSET...   (the offsets of the fields vbus.py names)
 */
#include <stddef.h>
#include <stdio.h>

#include <linux/vbus.h>
#include <linux/vbus_ioq.h>
#include <linux/vbus_netlink.h>
#include <linux/vbus_venet.h>

#define N(...) (sizeof((size_t[]){ __VA_ARGS__ }) / sizeof(size_t))
#define LAYOUT(t, ...) { #t, sizeof(struct t), { __VA_ARGS__ }, N(__VA_ARGS__) }
#define F(t, f) offsetof(struct t, f)
#define C(x) { #x, (x) }

static const struct {
	const char *name;
	size_t size;
	size_t off[8];
	size_t n;
} layouts[] = {
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

static const struct {
	const char *name;
	unsigned long long value;
} consts[] = {
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

int main(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		printf("struct %s %zu", layouts[i].name, layouts[i].size);
		for (j = 0; j < layouts[i].n; j++)
			printf(" %zu", layouts[i].off[j]);
		putchar('\n');
	}
	for (i = 0; i < sizeof(consts) / sizeof(consts[0]); i++)
		printf("const %s %llu\n", consts[i].name, consts[i].value);
	return 0;
}
