# vbus-enet over the local connector: a venet-tap device's client netdev in
# the host kernel, moved into a network namespace, paired with the host
# netdev: ping, jumbo frames, the carrier following the host netdev's
# up/down state, frame counts both ways, unlink and relink under a flood,
# and teardown by local off, unlink + rmdir and rmmod under traffic.
# Every frame size byte for byte: 47-enet-bytes.sh.
source ./lib.bash

C=/sys/kernel/config/vbus
HOST=vt0 CLIENT=ve0 NS=c1
IN="ip netns exec $NS"
PG=/proc/net/pktgen

# Whatever a failed check leaves (pktgen running, the bus, the namespace,
# the modules) goes, so that the next file starts clean.
cleanup() {
	echo stop > $PG/pgctrl
	echo rem_device_all > $PG/kpktgend_0
	ip netns del $NS
	rm -f $C/instances/e1/v1
	rmdir $C/instances/e1 $C/devices/v1
	udevadm settle
	rmmod pktgen vbus-enet venet-tap vbus vbus-proxy
} 2>/dev/null
trap cleanup EXIT

# The bus e1 with device v1 (host netdev vt0, client netdev ve0), connected.
setup() {
	mkdir $C/instances/e1 $C/devices/v1
	echo venet-tap > $C/devices/v1/type
	echo $HOST > /sys/vbus/devices/v1/ifname
	echo $CLIENT > /sys/vbus/devices/v1/client_ifname
	echo 02:00:00:00:05:02 > /sys/vbus/devices/v1/client_mac
	ln -s $C/devices/v1 $C/instances/e1/
	echo 1 > $C/instances/e1/local
}

teardown() {
	rm -f $C/instances/e1/v1
	rmdir $C/instances/e1 $C/devices/v1
}

client_up() {	# ve0 into the namespace, addressed and up
	ip link set $CLIENT netns $NS || return 1
	$IN ip addr add 198.18.5.2/24 dev $CLIENT
	$IN ip link set $CLIENT up
}

expect "modprobe venet-tap" modprobe venet-tap
expect "modprobe vbus-enet" modprobe vbus-enet
ip netns add $NS
$IN ip link set lo up
setup
expect "the client netdev is there once local is 1" test -d /sys/class/net/$CLIENT
expect_eq "bound by vbus-enet" vbus-enet "$(basename "$(readlink /sys/class/net/$CLIENT/device/driver)")"
# ethtool -i, without ethtool: ETHTOOL_GDRVINFO through SIOCETHTOOL
expect_eq "ethtool -i: driver vbus-enet" vbus-enet "$(python3 - $CLIENT <<'PY'
import ctypes, fcntl, socket, struct, sys
info = ctypes.create_string_buffer(struct.pack("I", 3) + bytes(192))  # struct ethtool_drvinfo
ifr = struct.pack("16sQ16x", sys.argv[1].encode(), ctypes.addressof(info))
fcntl.ioctl(socket.socket(), 0x8946, ifr)
print(info.raw[4:36].rstrip(b"\0").decode())
PY
)"
expect_eq "its MAC is client_mac" 02:00:00:00:05:02 "$(cat /sys/class/net/$CLIENT/address)"
expect_eq "the device knows it is connected" 1 "$(cat /sys/vbus/devices/v1/connected)"
expect_errno "Device or resource busy" "client_ifname while connected" \
	bash -c "echo other > /sys/vbus/devices/v1/client_ifname"
expect_errno "Invalid argument" "client_ifname with a slash" \
	bash -c "echo 'a/b' > /sys/vbus/devices/v1/client_ifname"

expect "ve0 moves into a network namespace" client_up
ip addr add 198.18.5.1/24 dev $HOST
ip link set $HOST up
expect_soon "carrier on both ends" bash -c \
	"test \$(cat /sys/class/net/$HOST/carrier) = 1 && test \$($IN cat /sys/class/net/$CLIENT/carrier) = 1"
expect "ping host -> namespace" ping -c 3 -W 5 198.18.5.2
expect "ping namespace -> host" $IN ping -c 3 -W 5 198.18.5.1

ip link set $HOST mtu 9000
$IN ip link set $CLIENT mtu 9000
expect "8972-byte ping both ways at MTU 9000, not fragmented" \
	bash -c "ping -c 2 -W 5 -M do -s 8972 198.18.5.2 && $IN ping -c 2 -W 5 -M do -s 8972 198.18.5.1"
for size in 60 1000 1514 4000 9014; do
	ip link set $HOST mtu 9000
	expect "ping of a $size-byte frame" ping -c 1 -W 5 -M do -s $((size - 42)) 198.18.5.2
done

# The carrier follows the host netdev (VENET_CAP_LINKEV), as a veth peer's does.
carrier() { test "$($IN cat /sys/class/net/$CLIENT/carrier)" = "$1"; }	# expect_soon re-reads it
for i in 1 2 3; do
	ip link set $HOST down
	expect_soon "host netdev down ($i): the client's carrier is 0" carrier 0
	ip link set $HOST up
	expect_soon "host netdev up ($i): the client's carrier is 1" carrier 1
done
expect "ping after the host went down and up" ping -c 2 -W 5 198.18.5.2
# Quick flips: the carrier ends where the host netdev does.
for i in $(seq 20); do ip link set $HOST down; ip link set $HOST up; done
ip link set $HOST down
expect_soon "20 quick flips, left down: carrier 0" carrier 0
ip link set $HOST up
expect_soon "and up: carrier 1" carrier 1

# Frame counts both ways with pktgen (RXWAIT: the host waits for buffers).
# Only the test's frames are counted: pktgen tags them with VLAN 5, and a
# VLAN netdev on the receiving end counts them (rx_packets); the stack's own
# frames (ARP, neighbour discovery) are untagged.
pktgen() {	# NETNS-PREFIX DEV COUNT SIZE DST DSTMAC
	local pre=$1 dev=$2
	$pre bash -c "echo rem_device_all > $PG/kpktgend_0; echo 'add_device $dev' > $PG/kpktgend_0
		for c in 'count $3' 'pkt_size $4' 'burst 16' 'dst $5' 'dst_mac $6' 'vlan_id 5'; do
			echo \"\$c\" > $PG/$dev || exit 1
		done
		echo start > $PG/pgctrl"
}
# count_frames WHAT SENDER-NETNS-PREFIX PKTGEN-DEV RECEIVER-NETNS-PREFIX VLAN-DEV
# START: what pktgen sent (COUNT, or up to a burst more when the queue
# stopped mid-burst) arrived, each frame once.
count_frames() {
	local what=$1 pre=$4 dev=$5 start=$6 sent got i
	sent=$($2 cat $PG/$3 | sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p')
	[ "${sent:-0}" -ge $COUNT ] || fail "pktgen $what sent ${sent:-nothing}, not $COUNT"
	for i in $(seq 300); do
		got=$($pre cat /sys/class/net/$dev/statistics/rx_packets)
		[ "$got" -ge "$sent" ] && break
		sleep 0.1
	done
	sleep 0.5	# a frame too many would be there by now
	got=$($pre cat /sys/class/net/$dev/statistics/rx_packets)
	expect_eq "$COUNT frames $what (pktgen sent $sent), each one once" \
		"$sent" "$got"
	echo "  ($what: $sent frames in $(( $(date +%s) - start )) s)"
}
modprobe pktgen || fail "modprobe pktgen"
modprobe 8021q || fail "modprobe 8021q"
# A million frames each way; 50,000 on the debug kernel, whose KASAN and
# lockdep make every frame many times slower (still 200 rings' worth).
COUNT=${ENET_COUNT:-$(debug_kernel && echo 50000 || echo 1000000)}
# (IPv6 off on the VLAN netdevs: no neighbour discovery of theirs, tagged, to count)
$IN ip link add link $CLIENT name $CLIENT.5 type vlan id 5 || fail "VLAN netdev on the client"
$IN sh -c "echo 1 > /proc/sys/net/ipv6/conf/$CLIENT.5/disable_ipv6"
$IN ip link set $CLIENT.5 up
start=$(date +%s)
pktgen "" $HOST $COUNT 60 198.18.5.2 02:00:00:00:05:02 || fail "pktgen host -> client"
count_frames "host -> client" "" $HOST "$IN" $CLIENT.5 $start
$IN ip link del $CLIENT.5
hmac=$(cat /sys/class/net/$HOST/address)
ip link add link $HOST name $HOST.5 type vlan id 5 || fail "VLAN netdev on the host"
echo 1 > /proc/sys/net/ipv6/conf/$HOST.5/disable_ipv6
ip link set $HOST.5 up
start=$(date +%s)
pktgen "$IN" $CLIENT $COUNT 60 198.18.5.1 $hmac || fail "pktgen client -> host"
count_frames "client -> host" "$IN" $CLIENT "" $HOST.5 $start
ip link del $HOST.5
expect_eq "no client frame refused by the host" 0 "$(cat /sys/vbus/devices/v1/tx_bad)"
expect_eq "no ring error" 0 "$(cat /sys/vbus/devices/v1/ring_errors)"

# A background flood host -> client, for what follows.
flood_start() {
	echo rem_device_all > $PG/kpktgend_0
	echo "add_device $HOST" > $PG/kpktgend_0
	for c in "count 0" "pkt_size 60" "delay 20000" "dst 198.18.5.2" "dst_mac 02:00:00:00:05:02" \
		"vlan_id 5"; do
		echo "$c" > $PG/$HOST
	done
	(echo start > $PG/pgctrl) & flood=$!
}
flood_stop() {
	echo stop > $PG/pgctrl
	wait $flood 2>/dev/null
	echo rem_device_all > $PG/kpktgend_0
}

# Unlink and relink under a flood: ve0 disappears and reappears.
flood_start
for i in $(seq 5); do
	rm $C/instances/e1/v1
	expect_soon "unlinked under a flood ($i): ve0 is gone" \
		bash -c "! $IN test -d /sys/class/net/$CLIENT && ! test -d /sys/class/net/$CLIENT"
	ln -s $C/devices/v1 $C/instances/e1/
	expect_soon "relinked ($i): ve0 is back (in the initial namespace)" test -d /sys/class/net/$CLIENT
done
flood_stop
expect "back in the namespace" client_up
expect "ping after relinking" ping -c 2 -W 5 198.18.5.2

# Teardown under traffic, each order: local off, unlink + rmdir, rmmod vbus-enet.
for order in local-off unlink-rmdir rmmod; do
	flood_start
	case $order in
	local-off) echo 0 > $C/instances/e1/local ;;
	unlink-rmdir) rm $C/instances/e1/v1; rmdir $C/instances/e1 ;;
	rmmod) rmmod vbus-enet ;;
	esac
	flood_stop
	expect "$order under traffic: the client netdev is gone" \
		bash -c "! $IN test -d /sys/class/net/$CLIENT && ! test -d /sys/class/net/$CLIENT"
	expect_eq "$order: no client connected" 0 "$(cat /sys/vbus/devices/v1/connected)"
	case $order in
	local-off) echo 1 > $C/instances/e1/local ;;
	unlink-rmdir) mkdir $C/instances/e1; ln -s $C/devices/v1 $C/instances/e1/
		echo 1 > $C/instances/e1/local ;;
	rmmod) modprobe vbus-enet ;;
	esac
	expect_soon "$order undone: ve0 is back" test -d /sys/class/net/$CLIENT
	client_up || fail "ve0 into the namespace again"
	expect_soon "$order undone: ping" ping -c 1 -W 2 198.18.5.2
done

# Races: local on/off, unlink/relink and host up/down against each other,
# with traffic (pktgen stops at the first carrier loss; the local
# connector's own races are 45-local's). (Rounds are modest: each one registers and unregisters a
# netdev, whose RCU grace periods TCG runs slowly.)
RACE=${ENET_RACE:-20}
flood_start
start=$(date +%s)
(for i in $(seq $RACE); do echo 0 > $C/instances/e1/local; echo 1 > $C/instances/e1/local; done) & a=$!
(for i in $(seq $RACE); do rm -f $C/instances/e1/v1; ln -s $C/devices/v1 $C/instances/e1/ 2>/dev/null
done) & b=$!
(for i in $(seq $((RACE * 4))); do ip link set $HOST down; ip link set $HOST up; done) & c=$!
wait $a $b $c
flood_stop
echo "  ($RACE rounds each in $(( $(date +%s) - start )) s)"
ln -s $C/devices/v1 $C/instances/e1/ 2>/dev/null
echo 1 > $C/instances/e1/local
expect_soon "after the races: ve0 is there" test -d /sys/class/net/$CLIENT
ip link set $CLIENT up
expect_soon "after the races: its carrier is 1 (the host netdev is up)" \
	bash -c "test \$(cat /sys/class/net/$CLIENT/carrier) = 1"
pass "local on/off racing with unlink/relink and host up/down under traffic"

teardown
ip netns del $NS
# udev loads vbus-enet for each device that appeared (modalias): let it finish.
udevadm settle
expect "rmmod vbus-enet venet-tap vbus vbus-proxy" rmmod pktgen vbus-enet venet-tap vbus vbus-proxy
