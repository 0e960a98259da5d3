#!/bin/bash
# vm-run: ivshmem-host
# The guest bridge, vbus-pcibridge.ko, without nesting: this VM's own QEMU
# has an ivshmem-doorbell device whose server is tests/vm/ivshmem-host, a
# stand-in for the vbus host side, run by vm-run on the build machine; the
# scenario port (/dev/virtio-ports/vbus-ivshmem-host) tells it what to do.
# Its devices are test-echo ones, bound by vbus-test-driver: the greeting
# and echo calls cross the control channel. Then hot-plug, the host's
# errnos, a host that lies (bad magic, header, results, handles), that
# never answers, that storms interrupts and writes random bytes into the
# signal queues; removal in every order with open devices and traffic.
source ./lib.bash
# On a failure, what the guest kernel said last.
trap '[ $? = 0 ] || dmesg | tail -n 25' EXIT

drv=/sys/bus/pci/drivers/vbus-pcibridge
devs=/sys/bus/vbus/devices
tdrv=/sys/bus/vbus/drivers/vbus-test
port=/dev/virtio-ports/vbus-ivshmem-host

expect_soon "the scenario port is there" test -c "$port"
exec 3<>"$port"

# host LINE: a request to the stand-in; prints what follows its "ok".
host() {
	local r
	echo "$*" >&3
	read -r -t 30 r <&3 || fail "ivshmem-host did not answer \"$*\""
	case $r in
	ok*) echo "${r#ok }" ;;
	*) fail "ivshmem-host: \"$*\": $r" ;;
	esac
}
open_ids() { host stats | sed -n 's/.* open=\([^ ]*\).*/\1/p'; }
# sigq V: the stand-in's signal queue V as PROD:CONS (CONS is what the guest drained).
sigq() { host stats | sed -n 's/.* sigq=\([^ ]*\).*/\1/p' | cut -d, -f$(($1 + 1)); }
irqs() { # the interrupts of vector $1 so far, all CPUs
	awk -v n="vbus-ivsh-$1" 'NR == 1 { cpus = NF }
		$NF == n { s = 0; for (i = 2; i <= cpus + 1; i++) s += $i; print s }' /proc/interrupts
}

bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1af4:0x1110 ] && bdf=${d##*/}
done
[ -n "$bdf" ] || fail "no ivshmem device (1af4:1110) in this VM"
pass "ivshmem-doorbell at $bdf"

bind() { echo "$bdf" > "$drv/bind"; }
unbind() { [ ! -e "$drv/$bdf" ] || echo "$bdf" > "$drv/unbind"; }
echo_to() { echo "$2" > "$devs/ivsh:$1/echo"; }
# (bash's echo: dash's says "I/O error" whatever the errno)
test_bind() { echo "ivsh:$1" > "$tdrv/bind"; }
test_unbind() { echo "ivsh:$1" > "$tdrv/unbind"; }
# echo_fails ID ERRNO_TEXT: an echo call on ivsh:ID fails with that errno.
echo_fails() { local e; ! e=$(echo_to "$1" x 2>&1) && [[ $e == *"$2"* ]]; }

expect_eq "the bridge is not loaded at boot (modprobe.blacklist)" "" \
	"$(grep -w vbus_pcibridge /proc/modules)"
expect "modprobe vbus-test-driver" modprobe vbus-test-driver

# A device that is not ours: the driver declines, one line in the log.
host magic bad >/dev/null
echo "57-pcibridge: bad magic" > /dev/kmsg
# A generous timeout (this machine may be loaded), short only to test it.
expect "modprobe vbus-pcibridge" modprobe vbus-pcibridge timeout_ms=30000
expect "bad magic: not bound" test ! -e "$drv/$bdf"
expect_eq "bad magic: logged once" 1 \
	"$(dmesg | sed -n '/57-pcibridge: bad magic/,$p' | grep -c 'not a vbus bridge')"
expect_errno "No such device" "binding a device without the magic" bind

# The bus and its devices.
host magic good >/dev/null
host add 0 >/dev/null
host add 5 >/dev/null
expect "bind" bind
expect "ivsh:0 on the driver model" test -d "$devs/ivsh:0"
expect "ivsh:5 on the driver model" test -d "$devs/ivsh:5"
expect_eq "its type" test-echo "$(cat "$devs/ivsh:0/type")"
expect_eq "its bus" ivsh "$(cat "$devs/ivsh:0/bus")"
expect_eq "its id" 5 "$(cat "$devs/ivsh:5/id")"
expect_eq "bound by vbus-test" vbus-test "$(basename "$(readlink "$devs/ivsh:0/driver")")"
expect_eq "the greeting crossed the bridge" "hello from ivsh" "$(cat "$devs/ivsh:0/greeting")"
expect "an echo call" echo_to 0 ping-0
expect_eq "the echo came back" ping-0 "$(cat "$devs/ivsh:0/echo")"
expect_eq "both devices are open on the host" 0,5 "$(open_ids)"

# Hot-plug, both ways; a type without a driver is on the bus all the same.
host add 7 >/dev/null
expect_soon "hot-plugged ivsh:7 appears" test -e "$devs/ivsh:7/greeting"
expect_eq "and greets" "hello from ivsh" "$(cat "$devs/ivsh:7/greeting")"
host del 5 >/dev/null
expect_soon "unplugged ivsh:5 leaves" test ! -e "$devs/ivsh:5"
host add 9 other-type >/dev/null
expect_soon "ivsh:9 of another type appears" test -e "$devs/ivsh:9"
expect "with no driver" test ! -e "$devs/ivsh:9/driver"
host overflow 11 >/dev/null
expect_soon "ivsh:11, whose ADD was lost (OVERFLOW), appears" test -e "$devs/ivsh:11/greeting"
host del 11 >/dev/null
expect_soon "and leaves" test ! -e "$devs/ivsh:11"
expect_eq "open on the host: ivsh:0 and ivsh:7" 0,7 "$(open_ids)"

# The host's errnos come through as they are; lies are EPROTO.
host fail 7 28 >/dev/null
expect_errno "No space left on device" "a call the host fails with ENOSPC" echo_to 7 x
host fail 7 600 >/dev/null
expect_errno "Protocol error" "a call the host fails with no errno" echo_to 7 x
host fail 7 0 >/dev/null
host result 7 4000 >/dev/null
expect_errno "Protocol error" "a call whose output is longer than asked" echo_to 7 x
host result 7 0 >/dev/null
expect "an honest call again" echo_to 7 again
expect_eq "echo" again "$(cat "$devs/ivsh:7/echo")"
host handle 77 >/dev/null
expect "unbinding ivsh:0's driver closes it" test_unbind 0
expect_eq "closed on the host" 7 "$(open_ids)"
expect_errno "Protocol error" "an OPEN answered with an impossible handle" test_bind 0
host handle 0 >/dev/null
expect "an honest OPEN again" test_bind 0
host dead 7 >/dev/null
expect_soon "a connection the host killed: ENODEV" echo_fails 7 "No such device"
expect_errno "No such device" "calls on the dead connection" echo_to 7 x
expect "ivsh:0 still answers" echo_to 0 alive
# The host keeps a killed connection's handle until the guest's CLOSE.
expect_eq "the host holds the dead handle" 0,7 "$(open_ids)"
expect "unbinding ivsh:7's driver closes it" test_unbind 7
expect_eq "its CLOSE gave the dead handle back to the host" 0 "$(open_ids)"
expect "ivsh:7 binds again" test_bind 7
expect "and answers" echo_to 7 alive

# Signals: the host appends to a device's queue (priority 1: vector 1) and
# raises the vector; the guest drains the queue.
before=$(irqs 1)
for q in 0 1 2; do host signal 0 $q >/dev/null; done
expect_soon "the guest drained three signals" test "$(sigq 1)" = 3:3
expect "vector 1 interrupted" test "$(irqs 1)" -gt "$before"

# Interrupt storms and random bytes in the signal queues, with calls going.
host storm 4 >/dev/null
host garbage 4 >/dev/null
n=0
end=$((SECONDS + 4))
while [ $SECONDS -lt $end ]; do
	echo_to 0 "s$n" || fail "a call during the storm"
	n=$((n + 1))
done
expect_eq "calls through a storm ($n)" "s$((n - 1))" "$(cat "$devs/ivsh:0/echo")"
expect "interrupts on every vector" grep -q 'vbus-ivsh-3' /proc/interrupts

# A request never answered: ETIMEDOUT, then the channel is broken (EIO);
# the driver's removal still finishes, and a new bind resets.
timeout=/sys/module/vbus_pcibridge/parameters/timeout_ms
echo 2000 > $timeout
host mute 1 >/dev/null
expect_errno "Connection timed out" "a call the host never answers" echo_to 0 x
expect_errno "Input/output error" "the next one: the channel is broken" echo_to 0 x
expect "unbind with open devices and a dead channel" unbind
expect "its devices are gone" test ! -e "$devs/ivsh:0"
expect_errno "Connection timed out" "bind when the host does not reset" bind
host mute 0 >/dev/null
echo 30000 > $timeout
expect "bind again" bind
expect "ivsh:0 is back" echo_to 0 back
expect_eq "the reset closed what the broken channel left open" 0,7 "$(open_ids)"

# A header that lies: every offset and size is checked against BAR2.
for lie in "size 65536" "vectors 65" "vectors 8" "ctl_count 3" "ring_size 16" \
	   "req_ring 1048320" "evt_ring 8" "req_buf 1040384" "evt_buf 4294967295" \
	   "sigq_size 60" "sigq 1044480" "dev_area 1048576" "dev_size 4294963200"; do
	expect "unbind" unbind
	host lie $lie >/dev/null
	expect_errno "Invalid argument" "a header with $lie" bind
	host lie none >/dev/null
done
expect "an honest header binds" bind
expect "and works" echo_to 0 honest

# Churn: hot-plug, rebinds and calls at once.
( while :; do echo x > "$devs/ivsh:0/echo"; done ) 2>/dev/null &
loop=$!
for i in $(seq 40); do
	host add 20 >/dev/null
	[ $((i % 3)) != 0 ] || host del 20 >/dev/null
	if [ $((i % 8)) = 0 ]; then
		unbind || fail "unbind in round $i"
		bind || fail "bind in round $i"
	fi
done
host del 20 >/dev/null
kill $loop; wait $loop 2>/dev/null
pass "40 rounds of hot-plug and 5 rebinds with calls going"
expect_soon "ivsh:20 went with its last DEL" test ! -e "$devs/ivsh:20"
expect "calls after the churn" echo_to 0 calm
expect_eq "open on the host: ivsh:0 and ivsh:7" 0,7 "$(open_ids)"

# Removal in every order, with open devices and calls going.
( while :; do echo x > "$devs/ivsh:0/echo"; done ) 2>/dev/null &
loop=$!
sleep 1
expect "rmmod vbus-pcibridge with calls going" rmmod vbus-pcibridge
kill $loop; wait $loop 2>/dev/null
expect "its devices left" test ! -e "$devs/ivsh:0"
expect_eq "closed on the host" - "$(open_ids)"
expect "modprobe vbus-pcibridge binds" modprobe vbus-pcibridge timeout_ms=30000
expect_soon "ivsh:0 is back" test -e "$devs/ivsh:0/greeting"
( while :; do echo x > "$devs/ivsh:7/echo"; done ) 2>/dev/null &
loop=$!
sleep 1
expect "rmmod vbus-test-driver first" rmmod vbus-test-driver
kill $loop; wait $loop 2>/dev/null
expect_eq "every connection closed" - "$(open_ids)"
expect "the devices stay" test -e "$devs/ivsh:0"
expect "rmmod vbus-pcibridge vbus-proxy vbus-ioq" rmmod vbus-pcibridge vbus-proxy vbus-ioq
host del 0 >/dev/null
host del 7 >/dev/null
host del 9 >/dev/null
echo "$(host stats)"
