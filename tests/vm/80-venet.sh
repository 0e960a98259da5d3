# venet-tap: the host netdev and its attributes, venet-echo as a userspace
# client, ping (flood, 8000 bytes at MTU 9000), every frame size from 60 to
# 9018 round-tripping intact, and teardown under a live client: SIGKILL,
# unlink, bus removal. The kernel log is checked by the harness.
source ./lib.bash

CFG=/sys/kernel/config/vbus
D=/sys/vbus/devices/vn0
IF=vnet-h0
ADDR=198.18.0.2

modprobe venet-tap || fail "loading venet-tap"
mkdir $CFG/instances/vn $CFG/devices/vn0 || fail "mkdir"
echo venet-tap > $CFG/devices/vn0/type || fail "typing the device"
ln -s $CFG/devices/vn0 $CFG/instances/vn/vn0 || fail "linking"

# Attributes and the host netdev
def=$(cat $D/ifname)
expect "a default name venetN: $def" bash -c "[[ $def == venet[0-9]* ]] && ip link show $def"
expect "ifname renames (a new netdev)" bash -c "echo $IF > $D/ifname"
expect "the new netdev exists" ip link show $IF
expect "the old one is gone" bash -c "! ip link show $def 2>/dev/null"
expect_eq "ifname reads back" "$IF" "$(cat $D/ifname)"
expect_errno "Invalid argument" "a bad ifname" bash -c "echo 'a b' > $D/ifname"
mac=$(cat $D/client_mac)
expect "client_mac is random and locally administered: $mac" \
	bash -c "[[ $mac =~ ^.[26ae]:..:..:..:..:..$ ]]"
expect "host_mac is the netdev's" bash -c \
	"[ \"\$(cat $D/host_mac)\" = \"\$(cat /sys/class/net/$IF/address)\" ]"
expect "client_mac settable" bash -c "echo 02:00:5e:00:00:02 > $D/client_mac"
expect_eq "client_mac reads back" "02:00:5e:00:00:02" "$(cat $D/client_mac)"
expect "host_mac settable" bash -c "echo 02:00:5e:00:00:01 > $D/host_mac"
expect_eq "the netdev took it" "02:00:5e:00:00:01" "$(cat /sys/class/net/$IF/address)"
expect_errno "Invalid argument" "a multicast MAC is refused" \
	bash -c "echo 01:00:5e:00:00:01 > $D/client_mac"
expect_errno "greater than device maximum" "MTU above 9000 is refused" ip link set $IF mtu 9001
expect "MTU 9000" ip link set $IF mtu 9000
expect_eq "the mtu attribute follows" 9000 "$(cat $D/mtu)"
ip link add vnbr0 type bridge || fail "adding a bridge"
expect "bridgeable" ip link set $IF master vnbr0
expect "leaves the bridge" ip link set $IF nomaster
ip link del vnbr0
ip netns add vnns || fail "adding a netns"
expect "movable to another netns" ip link set $IF netns vnns
expect "it is there" ip netns exec vnns ip link show $IF
expect "and gone from here" bash -c "! ip link show $IF 2>/dev/null"
ip netns del vnns
for i in $(seq 50); do ip link show $IF >/dev/null 2>&1 && break; sleep 0.1; done
expect "back in the initial netns when that one goes away" ip link show $IF
ip link set $IF mtu 9000
ip addr add 198.18.0.1/24 dev $IF && ip link set $IF up || fail "configuring $IF"
expect_eq "no carrier without a client" 0 "$(cat /sys/class/net/$IF/carrier)"
expect_eq "not connected" 0 "$(cat $D/connected)"

wait_carrier() {
	local i
	for i in $(seq 100); do
		[ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

start_echo() {
	venet-echo --bus vn --device 0 --address $ADDR --mirror 2>>/tmp/venet-echo.log &
	echo=$!
	wait_carrier 1 || fail "no carrier after venet-echo started"
}

start_echo
pass "carrier on once venet-echo connected"
expect_eq "connected" 1 "$(cat $D/connected)"
expect_errno "Device or resource busy" "client_mac fixed while connected" \
	bash -c "echo 02:00:5e:00:00:09 > $D/client_mac"
expect_errno "Device or resource busy" "a second client is refused" \
	venet-echo --bus vn --device 0 --address 198.18.0.3
expect "ping" ping -c 3 -i 0.2 -W 2 $ADDR
expect "the client's MAC in the neighbour table" bash -c \
	"ip neigh show $ADDR dev $IF | grep -q 02:00:5e:00:00:02"
expect "8000-byte ping at MTU 9000, no fragmentation" ping -c 3 -i 0.2 -s 8000 -M do -W 2 $ADDR
expect "flood ping, 2000 packets, no loss" bash -c \
	"ping -f -c 2000 -W 2 $ADDR | grep -q ' 0% packet loss'"

# Per-queue counters (class attributes, so in genl's device dump) and the
# connection's signal counters.
expect "per-queue counters move: rx completions, tx consumed" bash -c \
	"[ \$(cat $D/rxq_produced) -gt 2000 ] && [ \$(cat $D/txq_consumed) -gt 2000 ]"
expect "per-queue counters through genl (vbusctl -s -s device show), not without -s" bash -c \
	"vbusctl -s -s device show vn0 | grep -q '^    queue txq: .* consumed [1-9]' &&
	 ! vbusctl -s device show vn0 | grep -q queue"
expect "connection counters through genl: calls (qinject) and signal decisions (inject)" \
	bash -c "vbusctl -j stats | python3 -c 'import json,sys
s = json.load(sys.stdin)
m = [x[\"stats\"] for x in s if x[\"bus\"] == \"vn\"][0]
sys.exit(not (m[\"qinject\"] > 0 and m[\"inject\"] >= m[\"qinject\"]))'"

# Every frame size from 60 to 9018 (the largest with a VLAN tag), both ways.
expect "frames of 60..9018 bytes round-trip intact" python3 - $IF <<'PY'
import socket, sys
ifname = sys.argv[1]
host = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
client = bytes.fromhex("02005e000002")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((ifname, 0x88b5))
s.settimeout(2)
pattern = bytes(range(256)) * 40
for size in range(60, 9019):
    tag = b"\x81\x00\x00\x00" if size > 9014 else b""
    body = pattern[size % 256:size % 256 + size - 14 - len(tag)]
    s.send(client + host + tag + b"\x88\xb5" + body)
    want = host + client + b"\x88\xb5" + body   # the stack strips the tag
    while True:
        data, addr = s.recvfrom(10000)
        if addr[2] != socket.PACKET_OUTGOING:
            break
    if data != want:
        sys.exit(f"size {size}: got {len(data)} bytes, differing")
PY
rx_ok=$(ip -s -j link show $IF | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
expect "standard netdev statistics count ($rx_ok received)" test "$rx_ok" -gt 10000

# SIGKILL mid-traffic: carrier drops, the membership ends, nothing leaks.
ping -f -c 100000 -W 1 $ADDR >/dev/null 2>&1 &
flood=$!
sleep 1
kill -KILL $echo; wait $echo 2>/dev/null
expect "carrier off after SIGKILL" wait_carrier 0
expect_eq "not connected after SIGKILL" 0 "$(cat $D/connected)"
expect "no member left" bash -c "[ -z \"\$(ls /sys/vbus/instances/vn/members)\" ]"
kill $flood 2>/dev/null; wait $flood 2>/dev/null

# Unlink under a live client: the client learns ENODEV and exits.
start_echo
rm $CFG/instances/vn/vn0 || fail "unlinking"
expect "carrier off after unlink" wait_carrier 0
expect "the client exited" timeout 5 tail --pid=$echo -f /dev/null
wait $echo 2>/dev/null

# Bus removal under a live client.
ln -s $CFG/devices/vn0 $CFG/instances/vn/vn0 || fail "relinking"
start_echo
expect "ping again" ping -c 1 -W 2 $ADDR
rm $CFG/instances/vn/vn0 && rmdir $CFG/instances/vn || fail "removing the bus"
expect "carrier off after bus removal" wait_carrier 0
expect "the client exited" timeout 5 tail --pid=$echo -f /dev/null
wait $echo 2>/dev/null

rmdir $CFG/devices/vn0 || fail "removing the device"
expect "the netdev went with the device" bash -c "! ip link show $IF 2>/dev/null"
expect "venet-tap unloads" rmmod venet-tap
modprobe -r vbus-test 2>/dev/null; rmmod vbus || fail "unloading vbus"
true
