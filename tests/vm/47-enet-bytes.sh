# vbus-enet: every frame size up to MTU 9000, byte for byte, both ways
# between the host netdev (venet-tap) and the client netdev (vbus-enet) in
# a network namespace: numbered, patterned frames of each size from 14
# (a bare Ethernet header) to 9014 (MTU 9000), and 9018 with a VLAN tag,
# sent through an AF_PACKET socket on one end and compared with what an
# AF_PACKET socket on the other end receives: every byte, every frame
# once, in order.
source ./lib.bash

C=/sys/kernel/config/vbus
HOST=vt0 CLIENT=ve0 NS=c1
IN="ip netns exec $NS"

cleanup() {
	ip netns del $NS
	rm -f $C/instances/e1/v1
	rmdir $C/instances/e1 $C/devices/v1
	udevadm settle
	rmmod vbus-enet venet-tap vbus vbus-proxy
} 2>/dev/null
trap cleanup EXIT

expect "modprobe venet-tap vbus-enet" modprobe -a venet-tap vbus-enet
ip netns add $NS
mkdir $C/instances/e1 $C/devices/v1 || fail "mkdir"
echo venet-tap > $C/devices/v1/type
echo $HOST > /sys/vbus/devices/v1/ifname
echo $CLIENT > /sys/vbus/devices/v1/client_ifname
echo 02:00:00:00:05:02 > /sys/vbus/devices/v1/client_mac
ln -s $C/devices/v1 $C/instances/e1/
echo 1 > $C/instances/e1/local || fail "local 1"
expect "the client netdev is there" test -d /sys/class/net/$CLIENT
ip link set $CLIENT netns $NS || fail "ve0 into $NS"
for pre in "" "$IN"; do
	dev=$([ -n "$pre" ] && echo $CLIENT || echo $HOST)
	$pre sysctl -qw net.ipv6.conf.$dev.disable_ipv6=1
	$pre ip link set $dev mtu 9000 || fail "mtu 9000 on $dev"
	$pre ip link set $dev up
done
expect_soon "carrier on both ends" bash -c \
	"test \$(cat /sys/class/net/$HOST/carrier) = 1 && test \$($IN cat /sys/class/net/$CLIENT/carrier) = 1"

cat > bytes.py <<'PY'
# bytes.py HOST CLIENT NETNS CLIENT-MAC: every size both ways, byte for byte.
import ctypes, os, select, socket, struct, sys, time

host, client, netns = sys.argv[1:4]
cmac = bytes.fromhex(sys.argv[4].replace(":", ""))
ETH_P_ALL, ETH_P_TEST, ETH_P_8021Q = 0x0003, 0x88b5, 0x8100
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
PACKET_OUTGOING, SO_RCVBUFFORCE = 4, 33
VID = 5

def sock(dev):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((dev, ETH_P_ALL))
    return s

hsock = sock(host)
hmac = bytes.fromhex(open("/sys/class/net/%s/address" % host).read().strip().replace(":", ""))
# The client's end: a socket opened in its namespace stays there.
libc = ctypes.CDLL(None, use_errno=True)
own = os.open("/proc/self/ns/net", os.O_RDONLY)
other = os.open("/var/run/netns/" + netns, os.O_RDONLY)
if libc.setns(other, 0x40000000):
    sys.exit("setns: %s" % os.strerror(ctypes.get_errno()))
csock = sock(client)
libc.setns(own, 0x40000000)

PATTERN = bytes(range(256)) * 40

def frame(dst, seq, size, vlan):
    """size bytes: dst, a source MAC that holds the number, a type, a pattern."""
    hdr = dst + struct.pack(">BIB", 2, seq, 1)
    if vlan:
        hdr += struct.pack(">HH", ETH_P_8021Q, VID)
    hdr += struct.pack(">H", ETH_P_TEST)
    start = (seq * 7) % 256
    return (hdr + PATTERN[start:start + size])[:size]

def receive(s, deadline):
    """The next test frame s receives, with its VLAN tag put back, or None."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return None
        data, anc, _, addr = s.recvmsg(16384, socket.CMSG_SPACE(20))
        if addr[2] == PACKET_OUTGOING or len(data) < 12 or data[6] != 2 or data[11] != 1:
            continue
        for level, kind, val in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", val[:20])
                if status & TP_STATUS_VLAN_VALID:
                    data = data[:12] + struct.pack(">HH", tpid or ETH_P_8021Q, tci) + data[12:]
        return data

# Every size from a bare header to MTU 9000's frame in batches of 64, then
# a tagged 9018 alone: the stack's list receive (netif_receive_skb_list)
# hands a VLAN frame to the packet socket at once and the untagged ones of
# the same poll after it, so the order holds only among frames of one kind.
untagged = [(n, False) for n in range(14, 9015)]
batches = [untagged[i:i + 64] for i in range(0, len(untagged), 64)] + [[(9018, True)]]
cases = untagged + [(9018, True)]
seq = 0
for name, tx, rx, dst in (("host -> client", hsock, csock, cmac),
                          ("client -> host", csock, hsock, hmac)):
    t0 = time.monotonic()
    bytes_ok = 0
    for sizes in batches:	# a batch, then its frames back
        batch = []
        for size, vlan in sizes:
            f = frame(dst, seq, size, vlan)
            assert len(f) == size
            tx.send(f)
            batch.append(f)
            seq += 1
        for f in batch:
            got = receive(rx, time.monotonic() + 10)
            if got is None:
                sys.exit("%s: the %d-byte frame did not arrive" % (name, len(f)))
            if got != f:
                # What follows, for the report: lost, or only late?
                later, end = [], time.monotonic() + 3
                while (g := receive(rx, end)) is not None:
                    later.append(struct.unpack(">I", g[7:11])[0])
                print("%s: then arrived frames %s" % (name, later))
                at = next((j for j in range(min(len(got), len(f))) if got[j] != f[j]),
                          min(len(got), len(f)))
                sys.exit("%s: a %d-byte frame arrived as %d bytes, first difference at "
                         "byte %d (frame %d, got frame %d)" % (
                             name, len(f), len(got), at, struct.unpack(">I", f[7:11])[0],
                             struct.unpack(">I", got[7:11])[0]))
            bytes_ok += len(f)
    print("  ok: %s: %d frames of 14..9014 bytes and a tagged 9018, %d bytes, each "
          "byte as sent, in order (%.1f s)" % (name, len(cases), bytes_ok,
                                              time.monotonic() - t0))
PY
counters() {
	echo "host rx_dropped $(cat /sys/class/net/$HOST/statistics/rx_dropped)" \
		"tx_dropped $(cat /sys/class/net/$HOST/statistics/tx_dropped)," \
		"client rx_dropped $($IN cat /sys/class/net/$CLIENT/statistics/rx_dropped)" \
		"tx_dropped $($IN cat /sys/class/net/$CLIENT/statistics/tx_dropped)," \
		"device tx_bad $(cat /sys/vbus/devices/v1/tx_bad)" \
		"rx_truncated $(cat /sys/vbus/devices/v1/rx_truncated)" \
		"ring_errors $(cat /sys/vbus/devices/v1/ring_errors)"
}
python3 bytes.py $HOST $CLIENT $NS "$($IN cat /sys/class/net/$CLIENT/address)" ||
	fail "frames byte for byte ($(counters))"
expect_eq "no client frame refused by the host" 0 "$(cat /sys/vbus/devices/v1/tx_bad)"
expect_eq "no frame truncated" 0 "$(cat /sys/vbus/devices/v1/rx_truncated)"
expect_eq "no ring error" 0 "$(cat /sys/vbus/devices/v1/ring_errors)"

rm -f bytes.py
ip netns del $NS
rm $C/instances/e1/v1
rmdir $C/instances/e1 $C/devices/v1
udevadm settle
expect "rmmod vbus-enet venet-tap vbus vbus-proxy" rmmod vbus-enet venet-tap vbus vbus-proxy
