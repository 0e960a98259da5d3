# VENET_CAP_LINKEV from a userspace client (doc/abi/venet.md, "Link
# state"): with the capability and its link up, the client is signalled on
# queue 2 (VENET_QUEUE_LINK; here without a call eventfd, so the device fd
# turns readable with bit 2 in its mask) each time the host netdev goes
# down or up, and CONFIG's link field reads the state; without the
# capability, or before LINKUP, nothing is signalled on queue 2.
# vbus-enet's carrier following the host netdev: 46-enet.sh.
source ./lib.bash

C=/sys/kernel/config/vbus

cleanup() {
	rm -f $C/instances/lk/lk0 linkev.py
	rmdir $C/instances/lk $C/devices/lk0
	rmmod venet-tap vbus vbus-proxy
} 2>/dev/null
trap cleanup EXIT

modprobe venet-tap || fail "modprobe venet-tap"
mkdir $C/instances/lk $C/devices/lk0 || fail "mkdir"
echo venet-tap > $C/devices/lk0/type
echo vlk0 > /sys/vbus/devices/lk0/ifname
ln -s $C/devices/lk0 $C/instances/lk/ || fail "link"
sysctl -qw net.ipv6.conf.vlk0.disable_ipv6=1

cat > linkev.py <<'PY'
import fcntl, os, select, struct, subprocess, sys, time
from vbus import *

F, Q, CAP = VENET_FUNC, VENET_QUEUE, VENET_CAP
LINK_BIT = 1 << Q["LINK"]

def host(state):
    subprocess.run(["ip", "link", "set", "vlk0", state], check=True)

def config(d):
    mac, link, mtu, caps, frame_max = struct.unpack(
        FMT["venet_config"], dev_call(d, b"", F["CONFIG"], struct.calcsize(FMT["venet_config"])))
    return link

def link_signals(d, wait):
    """The queues signalled within wait seconds (bits of the fd's mask)."""
    mask, end = 0, time.monotonic() + wait
    while time.monotonic() < end:
        if select.select([d], [], [], end - time.monotonic())[0]:
            try:
                mask |= struct.unpack("Q", os.read(d, 8))[0]
            except BlockingIOError:
                pass
            if mask & LINK_BIT:
                break
    return mask & LINK_BIT

def connect(caps):
    b = bus_open("lk")
    d = dev_open(b, 0)
    os.set_blocking(d, False)
    neg = struct.unpack(FMT["venet_negcap"], dev_call(d, struct.pack(FMT["venet_negcap"], caps, 0),
                                                      F["NEGCAP"], 8))[0]
    check(neg == caps, "NEGCAP granted %#x of %#x" % (neg, caps))
    fcntl.ioctl(d, VBUS_IOC_SHM, struct.pack(FMT["vbus_shm"], 1 << 20, 0))
    for q, ring, area in ((Q["RX"], 0, 0x20000), (Q["TX"], 0x10000, 0x60000)):
        dev_call(d, struct.pack(FMT["venet_qreg"], q, 64, ring, area, 0x40000), F["QREG"])
    return b, d

host("up")
b, d = connect(CAP["LINKEV"])
check(config(d) == 1, "CONFIG: link 1 while the host netdev is up")
host("down")
check(not link_signals(d, 1), "a signal on queue 2 before LINKUP")
check(config(d) == 0, "CONFIG: link 0 while the host netdev is down")
dev_call(d, b"", F["LINKUP"], 0)
for i in range(20):
    host("up")
    check(link_signals(d, 10), "no signal on queue 2 for host up (%d)" % i)
    check(config(d) == 1, "CONFIG: link 1 after host up (%d)" % i)
    host("down")
    check(link_signals(d, 10), "no signal on queue 2 for host down (%d)" % i)
    check(config(d) == 0, "CONFIG: link 0 after host down (%d)" % i)
print("  ok: with VENET_CAP_LINKEV: 20 times down and up, a signal on queue 2 each, "
      "CONFIG's link as the host netdev is")
dev_call(d, b"", F["LINKDOWN"], 0)
host("up")
check(not link_signals(d, 1), "a signal on queue 2 after LINKDOWN")
os.close(d)
os.close(b)

b, d = connect(0)
dev_call(d, b"", F["LINKUP"], 0)
host("down")
host("up")
check(not link_signals(d, 1), "a signal on queue 2 without VENET_CAP_LINKEV")
check(config(d) == 1, "CONFIG: link 1 without the capability too")
print("  ok: without VENET_CAP_LINKEV: no signal on queue 2, CONFIG's link still reads the state")
PY
python3 linkev.py || fail "VENET_CAP_LINKEV"

rm -f linkev.py
rm $C/instances/lk/lk0
rmdir $C/instances/lk $C/devices/lk0
expect "rmmod venet-tap vbus vbus-proxy" rmmod venet-tap vbus vbus-proxy
