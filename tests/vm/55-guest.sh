# The guest connector's host side (doc/abi/guest.md), without nesting:
# tests/helpers/guest-peer plays vbusd, QEMU and the guest. VBUS_IOC_GUEST
# and every control op with their errnos, frames both ways between the peer
# and venet-tap's netdev through the region (IOQ, kick words and doorbells,
# signal queues and interrupt eventfds), the device's priority (the vector
# its signals take), hot-plug events, dead handles (a DEAD the guest has
# not read keeps its handle from OPEN), the member and its counters
# (vbusctl, sysfs, fdinfo), and teardown in every order with nothing left
# behind.
source ./lib.bash

P=./guest-peer
CFG=/sys/kernel/config/vbus
COUNT=${GUEST_COUNT:-3000}
RXCOUNT=${GUEST_RXCOUNT:-2000}
IF=gtap0
PG=/proc/net/pktgen

modprobe venet-tap || fail "loading venet-tap"
modprobe pktgen || fail "loading pktgen"
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
# wait_line FILE PATTERN: FILE gets a line matching PATTERN (60 s at most).
wait_line() {
	local i
	for i in $(seq 600); do grep -q "$2" "$1" && return; sleep 0.1; done
	fail "no \"$2\" in: $(tr '\n' '|' < "$1")"
}
stat() { cat /sys/class/net/$IF/statistics/$1; }
carrier() { [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = 1 ]; }
# pg_send N: pktgen sends about N broadcast frames out of $IF; prints how many.
pg_send() {
	local c
	echo "rem_device_all" > $PG/kpktgend_0
	echo "add_device $IF" > $PG/kpktgend_0
	for c in "count $1" "pkt_size 60" "burst 32" "dst_mac ff:ff:ff:ff:ff:ff" "dst 198.18.2.2"; do
		echo "$c" > $PG/$IF || fail "pktgen: $c"
	done
	echo start > $PG/pgctrl
	sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' $PG/$IF
	echo "rem_device_all" > $PG/kpktgend_0
}
# members BUS: "PID QNOTIFY QINJECT BRIDGECALLS BUSCALLS EVENTS" per member, from vbusctl -j -s.
members() {
	local j
	j=$(vbusctl -j -s bus show "$1") || { echo "vbusctl failed"; return 1; }
	python3 -c '
import json, sys
for m in json.load(sys.stdin)[0]["members"]:
    s = m.get("stats", {})
    print(m["pid"], *(s.get(k, "-") for k in ("qnotify", "qinject", "bridgecalls", "buscalls", "events")))' <<<"$j" ||
		echo "unparsed: $j"
}

# Frames guest to host: COUNT to the host netdev, in order; then host to
# guest: pktgen's frames, every one, with the queue waiting for the guest's
# buffers (RXWAIT) rather than dropping.
./pkt-seq $IF 3000 > /tmp/pkt-seq.out & reader=$!
bound() {
	awk -v i="$(cat /sys/class/net/$IF/ifindex)" '$4 == "88b5" && $5 == i && $6 == 1 { f = 1 }
		END { exit !f }' /proc/net/packet
}
for i in $(seq 50); do bound && break; sleep 0.1; done
bound || fail "pkt-seq's packet socket is not bound to $IF"
rx0=$(stat rx_packets); tx0=$(stat tx_packets); drop0=$(stat tx_dropped)
$P gb run "$ID0" $COUNT $(( 2 * RXCOUNT )) 3000 > /tmp/run.out 2>&1 & peer=$!
wait_line /tmp/run.out '^rx ready'
wait $reader || fail "pkt-seq failed"

# The guest member while it is there: vbusctl, sysfs, the guest fd's fdinfo.
out=$(members gb)
echo "  members (pid qnotify qinject bridgecalls buscalls events): $(tr '\n' '|' <<<"$out")"
read -r mpid qnotify qinject bridgecalls buscalls events <<<"$out"
expect_eq "vbusctl -s bus show: the guest is gb's one member (the peer closed its bus fd, as vbusd does)" \
	"$peer 1" "${mpid:-} $(wc -l <<<"$out")"
expect "the guest member's counters moved (qnotify $qnotify qinject $qinject bridgecalls $bridgecalls buscalls $buscalls)" \
	test "$qnotify" -gt 0 -a "$qinject" -gt 0 -a "$bridgecalls" -ge 8 -a "$buscalls" -ge 5
expect "sysfs: the member's pid under instances/gb/members" test -e /sys/vbus/instances/gb/members/$peer
gfd=$(grep -l '^vbus-guest-size:' /proc/$peer/fdinfo/* 2>/dev/null | head -n 1)
[ -n "$gfd" ] || fail "no guest fd in /proc/$peer/fd: $(ls -l /proc/$peer/fd/ 2>&1 | tr '\n' '|')"
expect "fdinfo: the guest fd names its bus" grep -qx "vbus-bus:.gb" "$gfd"
expect "fdinfo: one device open, on vector 1 (the default priority)" \
	grep -qx "vbus-guest-handle-1-vector:.1" "$gfd"

for i in $(seq 100); do carrier && break; sleep 0.1; done
carrier || fail "no carrier: the peer's LINKUP did not reach $IF"
pg_sent=$(pg_send $RXCOUNT)
wait $peer || fail "guest-peer run: $(cat /tmp/run.out)"
out=$(cat /tmp/run.out)
echo "  peer: $(tr '\n' '|' <<<"$out")"
echo "  host: $(cat /tmp/pkt-seq.out); netdev rx $(( $(stat rx_packets) - rx0 )) tx $(( $(stat tx_packets) - tx0 ))"
has "$out" "tx $COUNT" "device $ID0 virtual-ethernet" "device $ID1 virtual-ethernet"
expect_eq "guest to host: the netdev received every frame" $COUNT $(( $(stat rx_packets) - rx0 ))
read -r _ frames _ reordered _ dropped < /tmp/pkt-seq.out
expect_eq "guest to host: a packet socket saw them all, none out of order" \
	"$COUNT 0" "$(( frames + dropped )) $reordered"
expect "pktgen sent $RXCOUNT ($pg_sent)" test "$pg_sent" -ge $RXCOUNT -a "$pg_sent" -lt $(( RXCOUNT + 32 ))
expect_eq "host to guest: the netdev sent every frame, none dropped" "$pg_sent 0" \
	"$(( $(stat tx_packets) - tx0 )) $(( $(stat tx_dropped) - drop0 ))"
has "$out" "rx $pg_sent"
sig=$(awk '$1 == "signals" { print $2, $4 }' <<<"$out")
expect "signal queue entries and interrupts came ($sig)" test "${sig% *}" -gt 0 -a "${sig#* }" -gt 0
has "$out" "sigq 0 0" "fdinfo bad-request 0" "fdinfo bad-kick 0" "fdinfo queue-overflow 0" \
	"fdinfo handle-1-vector 1"
expect "the signals came on vector 1 (the default priority)" grep -qx "sigq 1 [1-9][0-9]*" <<<"$out"
expect "fdinfo counts the resets (guest-peer's and the creation's)" grep -qx "fdinfo resets [2-9]" <<<"$out"
expect_eq "the peer's exit: no member left on gb" "" "$(members gb)"

# Priority: the configfs attribute, and the vector the signals take.
expect_eq "priority: 1 by default" 1 "$(cat $CFG/devices/gb0/priority)"
expect_errno "Invalid argument" "priority 64 refused" bash -c "echo 64 > $CFG/devices/gb0/priority"
expect_errno "Invalid argument" "priority x refused" bash -c "echo x > $CFG/devices/gb0/priority"
expect_errno "Invalid argument" "priority -1 refused" bash -c "echo -1 > $CFG/devices/gb0/priority"
mkdir $CFG/devices/gbu || fail "mkdir gbu"
expect "an untyped device takes a priority" sh -c "echo 63 > $CFG/devices/gbu/priority"
expect_eq "and keeps it" 63 "$(cat $CFG/devices/gbu/priority)"
rmdir $CFG/devices/gbu
# prio_run PRIORITY VECTORS: the peer (VECTORS) receives frames from gb0 set to PRIORITY.
prio_run() {
	echo "$1" > $CFG/devices/gb0/priority || fail "priority $1"
	$P gb run "$ID0" 0 1000 1500 "$2" > /tmp/prio.out 2>&1 & peer=$!
	wait_line /tmp/prio.out '^rx ready'
	for i in $(seq 100); do carrier && break; sleep 0.1; done
	pg_send 64 >/dev/null
	wait $peer || fail "guest-peer run: $(cat /tmp/prio.out)"
	out=$(cat /tmp/prio.out)
	echo "  priority $1, $2 vectors: $(grep -E '^(sigq|rx |fdinfo handle)' <<<"$out" | tr '\n' '|')"
}
# only_on OUT V N: every signal of OUT's run came on vector V of N.
only_on() {
	local v
	for v in $(seq 0 $(( $3 - 1 ))); do
		if [ "$v" = "$2" ]; then
			grep -qx "sigq $v [1-9][0-9]*" <<<"$1" || fail "no signal on vector $v: $(tr '\n' '|' <<<"$1")"
		else
			has "$1" "sigq $v 0"
		fi
	done
}
prio_run 2 4
has "$out" "fdinfo handle-1-vector 2"
only_on "$out" 2 4
pass "priority 2: the device's signals on vector 2's queue only"
prio_run 9 4
has "$out" "fdinfo handle-1-vector 3"
only_on "$out" 3 4
pass "priority 9 in a guest of 4 vectors: its last vector, 3"
prio_run 0 3
has "$out" "fdinfo handle-1-vector 0"
only_on "$out" 0 3
pass "priority 0: vector 0, shared with the control channel"
echo 1 > $CFG/devices/gb0/priority

# VBUS_IOC_GUEST's errors
out=$($P gb errors) || fail "guest-peer errors: $out"
has "$out" "size-not-pow2 EINVAL" "size-small EINVAL" "size-big EINVAL" "vectors-1 EINVAL" \
	"vectors-65 EINVAL" "flags EINVAL" "pid-negative EINVAL" "no-room EINVAL" \
	"doorbell-minus1 EBADF" "doorbell-closed EBADF" "doorbell-pipe EINVAL" "irq-pipe EINVAL" \
	"doorbells-fault EFAULT" "read-only EBADF" "smallest 0" "region-size 65536" \
	"truncate EPERM" "second EBUSY" "after-close 0"
pass "VBUS_IOC_GUEST: every error path with its errno; region sealed; one guest per bus"

# The control ops' errors, DEL and DEAD on unlink, RESET by the ring and by the header.
$P gb ctl "$ID0" "$ID1" > /tmp/ctl.out 2>&1 & peer=$!
wait_line /tmp/ctl.out '^unlink'
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

# A DEAD the guest has not read yet: the handle it names is not reused
# until the guest completed it, even when the guest closed the handle
# meanwhile (the stale DEAD would name the next device opened there);
# a DEAD is not lost to a full event queue, and one the guest closed
# before it was posted is not sent at all.
mkdir $CFG/devices/gb3 && echo venet-tap > $CFG/devices/gb3/type &&
	echo gtap3 > /sys/vbus/devices/gb3/ifname &&
	ln -s $CFG/devices/gb3 $CFG/instances/gb/gb3 || fail "gb3"
ID3=$(id_of gb3)
$P gb stale "$ID0" "$ID1" "$ID3" > /tmp/stale.out 2>&1 & peer=$!
wait_line /tmp/stale.out '^unlink'
rm $CFG/instances/gb/gb0 || fail "unlinking gb0"
wait_line /tmp/stale.out '^flood'
# 101 events while the peer reads none: 8 fill its event ring, the rest the
# member's queue of 64, which ends in OVERFLOW.
for i in $(seq 50); do
	ln -s $CFG/devices/gb0 $CFG/instances/gb/gb0 && rm $CFG/instances/gb/gb0 ||
		fail "flood round $i"
done
ln -s $CFG/devices/gb0 $CFG/instances/gb/gb0 || fail "relinking gb0"
wait_line /tmp/stale.out '^ring-full'
rm $CFG/instances/gb/gb1 $CFG/instances/gb/gb3 || fail "unlinking gb1 and gb3"
wait $peer || fail "guest-peer stale: $(cat /tmp/stale.out)"
out=$(cat /tmp/stale.out)
echo "  peer: $(tr '\n' '|' <<<"$out")"
has "$out" "stale-open 0" "stale-open-handle 1" "stale-call ENODEV" "stale-unread 1" \
	"stale-close 0" "other-open 0" "other-open-handle 2" "event dead 1" "event del $ID0" \
	"other-call 0" "other-close 0" "reopen 0" "reopen-handle 1"
pass "a handle closed while its DEAD is unread: not reused until the DEAD is completed"
has "$out" "third-open 0" "third-open-handle 2" "ring-full 1" "flood-call ENODEV" \
	"flood-call3 ENODEV" "pending-close 0" "pending-list 0 1" "pending-reopen 0" \
	"pending-reopen-handle 2" "flood-dead-handles 1" "flood-overflow 1" "pending-call 0"
pass "a DEAD survives a full event queue; one closed before it was posted is dropped"
ln -s $CFG/devices/gb1 $CFG/instances/gb/gb1 && rmdir $CFG/devices/gb3 || fail "gb1 back, gb3 gone"
ip link set gtap0 up && ip link set gtap1 up || fail "up after the flood"
ID0=$(id_of gb0); ID1=$(id_of gb1)

# Hot-plug: ADD and DEL as the peer watches.
$P gb events 60 > /tmp/ev.out 2>&1 & peer=$!
wait_line /tmp/ev.out '^listening'
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
# start_flow: a peer sending frames without end, once they reach the netdev.
rx_past() { [ "$(stat rx_packets)" -gt "$1" ]; }
start_flow() {
	$P gb run "$ID0" 100000000 0 100 > /tmp/run.out 2>&1 & peer=$!
	expect_soon "frames flow from a new peer" rx_past $(( $(stat rx_packets) + 100 ))
}
no_member() { [ -z "$(members gb)" ]; }
# SIGKILL mid-transfer.
start_flow
kill -KILL $peer; wait $peer 2>/dev/null
expect_soon "SIGKILL mid-transfer: the guest left the bus" no_member
expect "the device is free for the next client" test "$(cat /sys/vbus/devices/gb0/connected)" = 0

# The class's devices removed under a running guest: the guest's killed
# connection still holds its device (as a device fd would), so venet-tap
# stays in use until the guest goes; then it unloads.
start_flow
for n in 0 1; do rm $CFG/instances/gb/gb$n; rmdir $CFG/devices/gb$n; done
expect_errno "in use" "rmmod venet-tap while the guest holds its dead device" rmmod venet-tap
expect "the guest is still a member" test -n "$(members gb)"
kill -TERM $peer; wait $peer 2>/dev/null
expect_soon "its exit: no member left" no_member
expect "rmmod venet-tap once the guest is gone" rmmod venet-tap

# Bus rmdir under a guest, then the guest's exit.
modprobe venet-tap || fail "reloading venet-tap"
mkdir $CFG/devices/gb0 && echo venet-tap > $CFG/devices/gb0/type &&
	echo gtap0 > /sys/vbus/devices/gb0/ifname &&
	ln -s $CFG/devices/gb0 $CFG/instances/gb/gb0 || fail "gb0 again"
sysctl -qw net.ipv6.conf.gtap0.disable_ipv6=1
ip link set gtap0 up || fail "up"
ID0=$(id_of gb0)
start_flow
rm $CFG/instances/gb/gb0 && rmdir $CFG/instances/gb || fail "rmdir gb under a guest"
kill -TERM $peer; wait $peer 2>/dev/null
rmdir $CFG/devices/gb0

# A class that signals from its kick: venet-raw completes a frame and
# signals inside the doorbell's eventfd wake-up, where eventfd_signal()
# refuses (with a warning) and the interrupt was lost; it must come each time.
modprobe vbus-test-venet || fail "loading vbus-test-venet"
mkdir $CFG/instances/gk $CFG/devices/gk0 && echo venet-raw > $CFG/devices/gk0/type &&
	ln -s $CFG/devices/gk0 $CFG/instances/gk/gk0 || fail "the venet-raw bus gk"
idk=$(basename /sys/vbus/instances/gk/devices/*)
out=$($P gk kickcall "$idk" 2000 2>&1)
expect_eq "2000 doorbells, each answered from the wake-up: 2000 interrupts" \
	"kickcall 2000" "$(tail -n 1 <<<"$out")"
rm $CFG/instances/gk/gk0 && rmdir $CFG/instances/gk $CFG/devices/gk0 || fail "removing gk"
expect "rmmod vbus-test-venet" rmmod vbus-test-venet

expect_eq "no vbus guest fd left open" "" "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep 'vbus-guest' || true)"
expect "the regions' pinned pages are back (Unevictable $unevict0 -> $(mem_locked) kB)" \
	test "$(mem_locked)" -le $(( unevict0 + 1024 ))
rmmod pktgen
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
