# The guest connector's host side (doc/abi/guest.md), without nesting:
# tests/helpers/guest-peer plays vbusd, QEMU and the guest. VBUS_IOC_GUEST
# and every control op with their errnos, frames from the peer to
# venet-tap's netdev through the region (IOQ, kick words and doorbells,
# signal queues and interrupt eventfds), hot-plug events, the
# statistics, and teardown in every order with nothing left behind.
source ./lib.bash

P=./guest-peer
CFG=/sys/kernel/config/vbus
COUNT=${GUEST_COUNT:-3000}
IF=gtap0

modprobe venet-tap || fail "loading venet-tap"
mkdir $CFG/instances/gb || fail "mkdir gb"
for n in 0 1; do
	mkdir $CFG/devices/gb$n || fail "mkdir gb$n"
	echo venet-tap > $CFG/devices/gb$n/type && echo gtap$n > /sys/vbus/devices/gb$n/ifname ||
		fail "typing gb$n"
	ln -s $CFG/devices/gb$n $CFG/instances/gb/gb$n || fail "linking gb$n"
	sysctl -qw net.ipv6.conf.gtap$n.disable_ipv6=1
	ip link set gtap$n up || fail "up"
done
# id_of DEVICE: its id on bus gb (sysfs instances/gb/devices/<id>/device).
id_of() {
	local d
	for d in /sys/vbus/instances/gb/devices/*; do
		[ "$(basename "$(readlink -f "$d/device")")" = "$1" ] && basename "$d"
	done
}
ID0=$(id_of gb0); ID1=$(id_of gb1)
[ -n "$ID0" ] && [ -n "$ID1" ] || { ls -l /sys/vbus/instances/gb/devices/*; fail "device ids"; }

mem_locked() { awk '/^Unevictable:/ { print $2 }' /proc/meminfo; }
unevict0=$(mem_locked)

# has OUT LINE...: OUT holds each LINE as a whole line.
has() {
	local out=$1 l; shift
	for l in "$@"; do
		grep -qxF -- "$l" <<<"$out" || fail "expected \"$l\" in: $(tr '\n' '|' <<<"$out")"
	done
}

# Frames guest to host: COUNT to the host netdev, in order. (Host to guest
# is not asserted yet: see doc/abi/guest.md's status.)
stat() { cat /sys/class/net/$IF/statistics/$1; }
./pkt-seq $IF 3000 > /tmp/pkt-seq.out & reader=$!
bound() {
	awk -v i="$(cat /sys/class/net/$IF/ifindex)" '$4 == "88b5" && $5 == i && $6 == 1 { f = 1 }
		END { exit !f }' /proc/net/packet
}
for i in $(seq 50); do bound && break; sleep 0.1; done
bound || fail "pkt-seq's packet socket is not bound to $IF"
rx0=$(stat rx_packets)
$P gb run "$ID0" $COUNT 0 100 > /tmp/run.out 2>&1 & peer=$!
for i in $(seq 600); do grep -q '^rx ready' /tmp/run.out && break; sleep 0.1; done
grep -q '^rx ready' /tmp/run.out || fail "run: $(cat /tmp/run.out)"
# The guest member's counters while it is there.
stats=$(vbusctl -j -s bus show gb | python3 -c '
import json, sys
ms = json.load(sys.stdin)[0]["members"]
m = max(ms, key=lambda m: m["stats"]["qnotify"])["stats"]
print(m["qnotify"], m["qinject"], m["bridgecalls"], m["buscalls"], m["events"])')
read -r qnotify qinject bridgecalls buscalls events <<<"$stats"
wait $peer || fail "guest-peer run: $(cat /tmp/run.out)"
wait $reader || fail "pkt-seq failed"
out=$(cat /tmp/run.out)
echo "  peer: $(tr '\n' '|' <<<"$out")"
echo "  host: $(cat /tmp/pkt-seq.out); netdev rx $(( $(stat rx_packets) - rx0 ))"
has "$out" "tx $COUNT" "device $ID0 virtual-ethernet" "device $ID1 virtual-ethernet"
expect_eq "guest to host: the netdev received every frame" $COUNT $(( $(stat rx_packets) - rx0 ))
read -r _ frames _ reordered _ dropped < /tmp/pkt-seq.out
expect_eq "guest to host: a packet socket saw them all, none out of order" \
	"$COUNT 0" "$(( frames + dropped )) $reordered"
sig=$(awk '$1 == "signals" { print $2, $4 }' <<<"$out")
expect "signal queue entries and interrupts came ($sig)" test "${sig% *}" -gt 0 -a "${sig#* }" -gt 0
expect "the guest member's counters moved (qnotify $qnotify qinject $qinject bridgecalls $bridgecalls buscalls $buscalls)" \
	test "$qnotify" -gt 0 -a "$qinject" -gt 0 -a "$bridgecalls" -ge 8 -a "$buscalls" -ge 5

# VBUS_IOC_GUEST's errors
out=$($P gb errors) || fail "guest-peer errors: $out"
has "$out" "size-not-pow2 EINVAL" "size-small EINVAL" "size-big EINVAL" "vectors-1 EINVAL" \
	"vectors-65 EINVAL" "flags EINVAL" "reserved EINVAL" "no-room EINVAL" \
	"doorbell-minus1 EBADF" "doorbell-closed EBADF" "doorbell-pipe EINVAL" "irq-pipe EINVAL" \
	"doorbells-fault EFAULT" "read-only EBADF" "smallest 0" "region-size 65536" \
	"truncate EPERM" "second EBUSY" "after-close 0"
pass "VBUS_IOC_GUEST: every error path with its errno; region sealed; one guest per bus"

# The control ops' errors, DEL and DEAD on unlink, RESET by the ring and by the header.
$P gb ctl "$ID0" "$ID1" > /tmp/ctl.out 2>&1 & peer=$!
for i in $(seq 200); do grep -q '^unlink' /tmp/ctl.out && break; sleep 0.1; done
grep -q '^unlink' /tmp/ctl.out || fail "ctl: $(cat /tmp/ctl.out)"
rm $CFG/instances/gb/gb0 || fail "unlinking gb0"
wait $peer || fail "guest-peer ctl: $(cat /tmp/ctl.out)"
out=$(cat /tmp/ctl.out)
has "$out" "list-small EMSGSIZE" "list-total 2" "list-too-big EINVAL" "open-none ENOENT" \
	"open 0" "handle 1" "open-busy EBUSY" "open2 0" "open-nospc ENOSPC" "shm-badf EBADF" \
	"shm-zero EINVAL" "shm-huge EINVAL" "shm 0" "shm-in-area 1" "shm-busy EBUSY" \
	"shm-nomem ENOMEM" "call-badf EBADF" "call-len EINVAL" "call-size EINVAL" "call 0 8" \
	"op-unknown EOPNOTSUPP" "close-badf EBADF" "close2 0" "close2-again EBADF" \
	"event del $ID0" "event dead 1" "dead-handle 1" "call-dead ENODEV" "close-dead 0" \
	"unwritable-len 0" "reset-generation 1" "open-after-reset 0" "handle-after-reset 1"
pass "control ops: every errno; DEL and DEAD after an unlink; RESET by the ring"
ln -s $CFG/devices/gb0 $CFG/instances/gb/gb0 || fail "relinking gb0"
ip link set $IF up || fail "up again"
ID0=$(id_of gb0)

# Hot-plug: ADD and DEL as the peer watches.
$P gb events 60 > /tmp/ev.out 2>&1 & peer=$!
for i in $(seq 200); do grep -q '^listening' /tmp/ev.out && break; sleep 0.1; done
mkdir $CFG/devices/gb2 && echo venet-tap > $CFG/devices/gb2/type || fail "mkdir gb2"
ln -s $CFG/devices/gb2 $CFG/instances/gb/gb2 || fail "linking gb2"
ID2=$(id_of gb2)
rm $CFG/instances/gb/gb2 || fail "unlinking gb2"
wait $peer || fail "guest-peer events: $(cat /tmp/ev.out)"
out=$(cat /tmp/ev.out)
has "$out" "device $ID0 virtual-ethernet" "device $ID1 virtual-ethernet" \
	"event add $ID2 virtual-ethernet" "event del $ID2"
pass "hot-plug: ADD and DEL reach the guest"
rmdir $CFG/devices/gb2

# Teardown in every order: nothing left (fds, pinned pages; vbus unloads at the end).
expect_eq "peer exit: no guest left on the bus" 0 "$(vbusctl -j bus show gb | python3 -c '
import json, sys; print(len(json.load(sys.stdin)[0]["members"]))')"

# SIGKILL mid-transfer.
$P gb run "$ID0" 100000000 0 100 > /tmp/run.out 2>&1 & peer=$!
sleep 3
kill -KILL $peer; wait $peer 2>/dev/null
expect_soon "SIGKILL mid-transfer: the guest left the bus" \
	bash -c "vbusctl -j bus show gb | python3 -c 'import json, sys; sys.exit(len(json.load(sys.stdin)[0][\"members\"]))'"

# rmmod of the class under a running guest: its device dies, the guest stays sound.
$P gb run "$ID0" 100000000 0 100 > /tmp/run.out 2>&1 & peer=$!
sleep 3
for n in 0 1; do rm $CFG/instances/gb/gb$n; rmdir $CFG/devices/gb$n; done
expect "rmmod venet-tap under a guest" rmmod venet-tap
kill -TERM $peer; wait $peer 2>/dev/null

# Bus rmdir under a guest, then the guest's exit.
modprobe venet-tap || fail "reloading venet-tap"
mkdir $CFG/devices/gb0 && echo venet-tap > $CFG/devices/gb0/type &&
	ln -s $CFG/devices/gb0 $CFG/instances/gb/gb0 || fail "gb0 again"
ID0=$(id_of gb0)
$P gb run "$ID0" 100000000 0 100 > /tmp/run.out 2>&1 & peer=$!
sleep 3
rm $CFG/instances/gb/gb0 && rmdir $CFG/instances/gb || fail "rmdir gb under a guest"
kill -TERM $peer; wait $peer 2>/dev/null
rmdir $CFG/devices/gb0

expect_eq "no vbus file left open" "" "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep 'vbus-guest' || true)"
expect "the regions' pinned pages are back (Unevictable $unevict0 -> $(mem_locked) kB)" \
	test "$(mem_locked)" -le $(( unevict0 + 1024 ))
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
