// SPDX-License-Identifier: GPL-2.0
/*
 * vbus-test-venet.ko: the device class `venet-raw` (interface type
 * `virtual-ethernet`), a hostile venet host for the test suite: it speaks
 * enough of the venet protocol (doc/abi/venet.md) for a client such as
 * vbus-enet to bind it, and writes into the client's rx buffers whatever a
 * test writes to its `inject` attribute, header and all, so that a client's
 * checks of what the host writes can be tested
 * (tests/vm/47-enet-offload.sh). Not a network device: no netdev; frames
 * the client transmits are taken and dropped.
 *
 * Attributes (/sys/vbus/devices/<name>/): `inject` (write-only): "LEN
 * HEX": one rx buffer completed with LEN bytes, the first of them HEX (an
 * even number of hex digits), the rest zero; ENOLINK without a link up,
 * ENOBUFS without a posted buffer, EMSGSIZE when LEN exceeds it.
 * `injected` (ro): the buffers so completed. Functions: NEGCAP (grants
 * VENET_CAP_SG, _RXWAIT, _RXOFF), CONFIG, IFNAME (the device's name),
 * QREG, LINKUP, LINKDOWN; anything else EINVAL.
 *
 * Locking: lock (a mutex) serialises calls, injections and disconnect;
 * txlock guards the tx ring against kicks, which come from the client's
 * transmit path, from a kick eventfd's wake-up with interrupts off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <uapi/linux/vbus_venet.h>

#include "ioq/ioq.h"
#include "vbus_class.h"
#include "venet_host.h"

#define TV_CAPS		(VENET_CAP_SG | VENET_CAP_RXWAIT | VENET_CAP_RXOFF)
#define TV_INJECT_MAX	(VENET_RXOFF_BUF_MIN + 1024)

struct tv_dev {
	struct vbus_device *vdev;
	struct mutex lock;
	spinlock_t txlock;
	struct vbus_conn *conn;		/* the one client, under lock */
	struct ioq rxq, txq;
	bool rxq_reg, txq_reg;
	bool up;			/* under lock and txlock */
	u32 caps;
	atomic64_t injected;
};

static struct tv_dev *to_tv_dev(struct kobject *kobj)
{
	return vbus_device_priv(vbus_device_from_kobj(kobj));
}

/* One rx buffer with len bytes, the first n of them data. Caller holds t->lock. */
static int tv_inject_locked(struct tv_dev *t, const u8 *data, u32 n, u32 len)
{
	struct ioq_elem e;
	u32 pos = 0, i;
	bool call;
	int ret;

	if (!t->up)
		return -ENOLINK;
	ret = ioq_consume(&t->rxq, &e);
	if (ret <= 0)
		return ret ?: -ENOBUFS;
	if (len > e.wlen) {
		ioq_complete(&t->rxq, e.id, e.ndesc, 0);
		ret = -EMSGSIZE;
		goto out_call;
	}
	for (i = 0; i < e.ndesc && pos < len; i++) {
		u32 k = min_t(u32, e.sg[i].len, len - pos);

		if (!(e.sg[i].flags & IOQ_DESC_F_WRITE))
			continue;
		memset(e.sg[i].addr, 0, k);
		if (pos < n)
			memcpy(e.sg[i].addr, data + pos, min(k, n - pos));
		pos += k;
	}
	ret = ioq_complete(&t->rxq, e.id, e.ndesc, pos);
	atomic64_inc(&t->injected);
out_call:
	call = ioq_notify(&t->rxq);
	/* A kernel client's signal schedules its NAPI: run it when BHs come back. */
	local_bh_disable();
	vbus_conn_signal(t->conn, VENET_QUEUE_RX, call);
	local_bh_enable();
	return ret;
}

static ssize_t inject_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	struct tv_dev *t = to_tv_dev(kobj);
	const char *hex = strchr(buf, ' ');
	char num[12];
	u8 *data;
	u32 len, n;
	int ret;

	if (!hex || hex - buf >= sizeof(num))
		return -EINVAL;
	memcpy(num, buf, hex - buf);
	num[hex - buf] = '\0';
	if (kstrtou32(num, 10, &len) || len > TV_INJECT_MAX)
		return -EINVAL;
	hex++;
	n = strcspn(hex, "\n");
	if (n % 2 || n / 2 > len)
		return -EINVAL;
	n /= 2;
	data = kmalloc(n ?: 1, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	ret = hex2bin(data, hex, n);
	if (!ret) {
		mutex_lock(&t->lock);
		ret = tv_inject_locked(t, data, n, len);
		mutex_unlock(&t->lock);
	}
	kfree(data);
	return ret ?: count;
}

static ssize_t injected_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&to_tv_dev(kobj)->injected));
}

static struct vbus_attribute tv_attr_inject = {
	.kattr = __ATTR_WO(inject), .kind = VBUS_ATTR_KIND_SETTING, .type = VBUS_ATTR_TYPE_STRING,
};
static struct vbus_attribute tv_attr_injected = __VBUS_ATTR_COUNTER(injected, COUNTER, OTHER);

static struct attribute *tv_attrs[] = {
	&tv_attr_inject.kattr.attr,
	&tv_attr_injected.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(tv);

static void tv_set_up_locked(struct tv_dev *t, bool up)
{
	unsigned long flags;

	spin_lock_irqsave(&t->txlock, flags);
	t->up = up;
	spin_unlock_irqrestore(&t->txlock, flags);
}

static long tv_call(struct vbus_device *vdev, struct vbus_conn *conn, u32 func,
		    void *buf, size_t len, size_t size)
{
	struct tv_dev *t = vbus_device_priv(vdev);
	struct venet_negcap *neg = buf;
	struct venet_config *cfg = buf;
	long ret;

	mutex_lock(&t->lock);
	switch (func) {
	case VENET_FUNC_NEGCAP:
		ret = -EINVAL;
		if (len != sizeof(*neg) || neg->reserved)
			break;
		t->caps = neg->caps & TV_CAPS;
		neg->caps = t->caps;
		ret = sizeof(*neg);
		break;
	case VENET_FUNC_QREG:
		ret = -EINVAL;
		if (len != sizeof(struct venet_qreg))
			break;
		if (((struct venet_qreg *)buf)->queue == VENET_QUEUE_RX)
			ret = venet_host_qreg(t->conn, &t->rxq, &t->rxq_reg, t->up, buf);
		else
			ret = venet_host_qreg(t->conn, &t->txq, &t->txq_reg, t->up, buf);
		break;
	case VENET_FUNC_LINKUP:
		ret = -EINVAL;
		if (!t->rxq_reg || !t->txq_reg)
			break;
		ioq_disarm(&t->rxq);
		ioq_arm(&t->txq);
		tv_set_up_locked(t, true);
		ret = 0;
		break;
	case VENET_FUNC_LINKDOWN:
		tv_set_up_locked(t, false);
		ret = 0;
		break;
	case VENET_FUNC_IFNAME:
		ret = size < IFNAMSIZ ? -EINVAL : strscpy(buf, vbus_device_name(vdev), IFNAMSIZ) + 1;
		break;
	case VENET_FUNC_CONFIG:
		ret = -EINVAL;
		if (size < sizeof(*cfg))
			break;
		memset(cfg, 0, sizeof(*cfg));
		memcpy(cfg->mac, "\x02\x00\x00\x00\x0a\x02", ETH_ALEN);
		cfg->mtu = ETH_DATA_LEN;
		cfg->caps = t->caps;
		cfg->frame_max = VENET_FRAME_MAX;
		ret = sizeof(*cfg);
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&t->lock);
	return ret;
}

/* The client's frames: taken and dropped. */
static void tv_kick(struct vbus_device *vdev, struct vbus_conn *conn, u32 queue)
{
	struct tv_dev *t = vbus_device_priv(vdev);
	struct ioq_elem e;
	unsigned long flags;
	unsigned int n = 0;
	bool call = false;

	if (queue != VENET_QUEUE_TX)
		return;
	spin_lock_irqsave(&t->txlock, flags);
	if (t->up) {
		while (n++ < t->txq.count && ioq_consume(&t->txq, &e) > 0)
			ioq_complete(&t->txq, e.id, e.ndesc, 0);
		call = ioq_notify(&t->txq);
		ioq_arm(&t->txq);
	}
	spin_unlock_irqrestore(&t->txlock, flags);
	if (call)
		vbus_conn_signal(conn, VENET_QUEUE_TX, true);
}

static int tv_connect(struct vbus_device *vdev, struct vbus_conn *conn)
{
	struct tv_dev *t = vbus_device_priv(vdev);
	int ret = 0;

	mutex_lock(&t->lock);
	if (t->conn)
		ret = -EBUSY;
	else
		t->conn = conn;
	mutex_unlock(&t->lock);
	return ret;
}

static void tv_disconnect(struct vbus_device *vdev, struct vbus_conn *conn)
{
	struct tv_dev *t = vbus_device_priv(vdev);

	mutex_lock(&t->lock);
	tv_set_up_locked(t, false);
	if (t->rxq_reg)
		ioq_cleanup(&t->rxq);
	if (t->txq_reg)
		ioq_cleanup(&t->txq);
	t->rxq_reg = t->txq_reg = false;
	t->caps = 0;
	t->conn = NULL;
	mutex_unlock(&t->lock);
}

static int tv_create(struct vbus_device *vdev)
{
	struct tv_dev *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->vdev = vdev;
	mutex_init(&t->lock);
	spin_lock_init(&t->txlock);
	vbus_device_set_priv(vdev, t);
	return 0;
}

static void tv_release(struct vbus_device *vdev)
{
	kfree(vbus_device_priv(vdev));
}

static struct vbus_class tv_class = {
	.name		= "venet-raw",
	.type		= VENET_TYPE,
	.owner		= THIS_MODULE,
	.attr_groups	= tv_groups,
	.create		= tv_create,
	.release	= tv_release,
	.connect	= tv_connect,
	.disconnect	= tv_disconnect,
	.call		= tv_call,
	.kick		= tv_kick,
};

static int __init tv_init(void)
{
	return vbus_class_register(&tv_class);
}

static void __exit tv_exit(void)
{
	vbus_class_unregister(&tv_class);
}

module_init(tv_init);
module_exit(tv_exit);

MODULE_DESCRIPTION("Virtual-bus test venet host that writes what it is told (venet-raw)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_VBUS_CLASS("venet-raw");
