# A VM guest on a vbus bus, end to end (issue 16): vbusd serves the bus's
# ivshmem socket, a nested QEMU (TCG, no display) boots this VM's own kernel
# with a busybox initramfs holding the guest's modules (its /init below),
# vbus-pcibridge finds the bus, vbus-enet binds its venet device unchanged,
# and the guest pings venet-tap's host netdev; a second device hot-plugged
# into the running guest (vbusd applies a new topology: a netdev appears
# there and pings) and out again (it disappears); the guest reboots itself
# (the bridge resets the connection) and pings again; then QEMU SIGKILL
# (the guest connection torn down, vbusd still up). Slow: the nested guest
# boots in about 80 s on an idle host, twice.
# vm-run: kernel
source ./lib.bash
# The nested guest boots the kernel this VM runs: the debug kernel would run
# under two levels of TCG with KASAN. On the debug kernel the host side is
# checked by 58 (a real QEMU, no nested guest).
debug_kernel && skip "the nested guest would boot the debug kernel"

TD=/etc/vbus/topology.d
NG=/tmp/59-nested
mkdir -p $TD
rm -rf $NG
mkdir -p $NG/ird/bin $NG/ird/lib/vbus $NG/ird/proc $NG/ird/sys $NG/ird/dev
rm -f $TD/*.json /var/lib/vbus/state.json

cp /bin/busybox $NG/ird/bin/busybox || fail "busybox-static is not in the image"
for m in vbus-ioq vbus-proxy vbus-pcibridge vbus-enet; do
	cp "$(modinfo -n $m)" $NG/ird/lib/vbus/ || fail "no module $m"
done
cat > $NG/ird/init <<'INIT'
#!/bin/busybox sh
# /init of the nested guest of tests/vm/59-guest-nested.sh: a busybox
# initramfs with the guest's vbus modules. It reports on the console, one
# "NESTED ..." line per step, which the test waits for: "ready" once the
# bridge found the bus and vbus-enet's netdev pings the host; "plugged" when
# a hot-plugged device's netdev vng2 came and pinged, "unplugged" when it
# went; then it reboots, and on the next boot waits in vain for vng2.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
say() { echo "NESTED $*" > /dev/ttyS0; }
# wait_for SECONDS COMMAND...
wait_for() {
	local t=$(( $1 * 10 )); shift
	while ! "$@" 2>/dev/null; do
		t=$((t - 1)); [ $t -gt 0 ] || return 1; sleep 0.1
	done
}
netdev() { [ -e /sys/class/net/${1:-vng}/address ]; }
gone() { ! netdev "$1"; }
load() { for m in vbus-ioq vbus-proxy vbus-pcibridge vbus-enet; do insmod /lib/vbus/$m.ko || say "FAIL insmod $m"; done; }
up() {
	wait_for 60 netdev || { say "FAIL no netdev vng: $(ls /sys/bus/vbus/devices)"; return 1; }
	ip addr add 198.18.7.2/24 dev vng && ip link set vng up
	wait_for 30 ping -c 1 -W 1 198.18.7.1 || { say "FAIL ping"; return 1; }
	ping -c 10 -q 198.18.7.1 | sed -n 's/.*, \([0-9]*\) packets received.*/NESTED received \1 of 10/p' > /dev/ttyS0
}

load
up && say "ready $(cat /sys/bus/vbus/devices/*/type | tr '\n' ' ')"
wait_for 900 netdev vng2 || exec sleep 100000
ip addr add 198.18.8.2/24 dev vng2 && ip link set vng2 up
wait_for 30 ping -c 1 -W 1 198.18.8.1 || say "FAIL ping over vng2"
say "plugged $(ping -c 10 -q 198.18.8.1 | sed -n 's/.*, \([0-9]*\) packets received.*/received \1 of 10/p')"
wait_for 300 gone vng2 && say "unplugged $(ls /sys/bus/vbus/devices | wc -l) device"
reboot -f
INIT
chmod 0755 $NG/ird/init
(cd $NG/ird && find . | cpio -o -H newc --quiet | gzip -1) > $NG/initrd.gz

# topology [DEVICE...]: bus ng with ng-net and the DEVICEs (venet-tap too,
# host netdev vt-DEVICE, client netdev vng2).
# 64M: two vbus-enet's rings and buffers (receive offloads on) take about 40 MiB.
topology() {
	local names='"ng-net"' devs='{ "name": "ng-net", "class": "venet-tap",
		"attributes": { "ifname": "vt-ng", "client_ifname": "vng" } }' d
	for d; do
		names+=", \"$d\""
		devs+=", { \"name\": \"$d\", \"class\": \"venet-tap\",
		\"attributes\": { \"ifname\": \"vt-$d\", \"client_ifname\": \"vng2\" } }"
	done
	echo "{ \"buses\": [ { \"name\": \"ng\", \"guest\": { \"size\": \"64M\", \"vectors\": 4 },
	    \"devices\": [$names] } ], \"devices\": [ $devs ] }" > $TD/59-nested.json
}
topology
expect "systemctl restart vbusd" systemctl restart vbusd
expect_soon "vbusd serves ng" test -S /run/vbusd/ivshmem/ng.sock
ip addr add 198.18.7.1/24 dev vt-ng
ip link set vt-ng up

members() { vbusctl -j bus show ng | python3 -c 'import json, sys; print(len(json.load(sys.stdin)[0]["members"]))'; }
# resets: the guest connection's resets counter (vbusctl -j -s bus show).
resets() {
	vbusctl -j -s bus show ng | python3 -c 'import json, sys
print(*[m["guest_stats"]["resets"] for m in json.load(sys.stdin)[0]["members"] if m["guest"]])'
}
members_are() { [ "$(members)" = "$1" ]; }
before=$(members)
qemu-system-x86_64 -accel tcg -machine pc -m 256 -smp 1 -nodefaults -vga none -display none \
	-kernel ./vmlinuz -initrd $NG/initrd.gz \
	-append "console=ttyS0 quiet panic=-1" -serial file:$NG/console \
	-chardev socket,path=/run/vbusd/ivshmem/ng.sock,id=ivs \
	-device ivshmem-doorbell,chardev=ivs,vectors=4 > $NG/qemu.out 2>&1 &
qpid=$!

# seen N TEXT: the console has N lines with TEXT; await SECONDS N TEXT waits for it.
seen() { local n; n=$(grep -c "^NESTED $2" $NG/console 2>/dev/null); [ "${n:-0}" -ge "$1" ]; }
await() {
	local t=$(( $1 * 2 ))
	while ! seen "$2" "$3"; do
		kill -0 $qpid 2>/dev/null || { cat $NG/qemu.out; fail "QEMU exited waiting for \"$3\""; }
		grep -q "^NESTED FAIL" $NG/console 2>/dev/null && break
		t=$((t - 1)); [ $t -gt 0 ] || break; sleep 0.5
	done
	if seen "$2" "$3"; then
		pass "guest: $3 ($2)"
	else
		tail -30 $NG/console; fail "guest: no \"$3\" ($2)"
	fi
}

await 900 1 ready
expect_eq "the guest saw the venet device" "NESTED ready virtual-ethernet " \
	"$(grep -m1 '^NESTED ready' $NG/console | tr -d '\r')"
expect_eq "10 of 10 pings answered" 1 "$(grep -c '^NESTED received 10 of 10' $NG/console)"
expect_eq "the guest connection is a member of ng" $((before + 1)) "$(members)"
expect "the host netdev saw the guest's frames" test "$(cat /sys/class/net/vt-ng/statistics/rx_packets)" -ge 10

r1=$(resets)
topology ng-hp
expect "hot-plug: vbusd links ng-hp onto ng (systemctl reload vbusd)" systemctl reload vbusd
expect_soon "ng-hp's host netdev vt-ng-hp exists" test -e /sys/class/net/vt-ng-hp
ip addr add 198.18.8.1/24 dev vt-ng-hp
ip link set vt-ng-hp up
await 600 1 plugged
expect_eq "the hot-plugged device's netdev in the guest answered 10 of 10 pings" \
	"NESTED plugged received 10 of 10" "$(grep -m1 '^NESTED plugged' $NG/console | tr -d '\r')"
topology
expect "hot-unplug: vbusd unlinks and removes ng-hp (systemctl reload vbusd)" systemctl reload vbusd
await 300 1 unplugged
expect_eq "the guest's vbus bus is back to one device" "NESTED unplugged 1 device" \
	"$(grep -m1 '^NESTED unplugged' $NG/console | tr -d '\r')"
expect_eq "the guest connection outlived the hot-plug" $((before + 1)) "$(members)"

# The guest reboots by itself (reboot -f) after the unplug: the same
# connection, reset by the new boot's bridge.
await 900 2 ready
expect_eq "after its reboot the guest pinged again: 10 of 10" 2 "$(grep -c '^NESTED received 10 of 10' $NG/console)"
expect_eq "still one guest connection after the reboot" $((before + 1)) "$(members)"
expect "the new boot's bridge reset the connection (resets $r1 -> $(resets))" test "$(resets)" -gt "$r1"

kill -9 $qpid; wait $qpid 2>/dev/null
expect_soon "QEMU killed: the guest connection is gone" members_are "$before"
expect_eq "vbusd is still active" active "$(systemctl is-active vbusd)"

rm -f $TD/59-nested.json
expect "systemctl reload vbusd" systemctl reload vbusd
expect "systemctl stop vbusd" systemctl stop vbusd
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
rm -rf $NG
