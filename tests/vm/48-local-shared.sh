# One venet-tap device linked onto two buses, the host kernel connected to
# both (doc/abi/local.md): venet-tap takes one client, so vbus-enet drives
# the device through one bus only; on the other its probe fails with EBUSY
# and the device stays on the bus type unbound (a bind says EBUSY) until
# the first client goes. A userspace client of the device, through either
# bus, meets EBUSY too, and the kernel meets it. Then both buses' local
# switched on and off racing with binds: never two clients.
source ./lib.bash

C=/sys/kernel/config/vbus
P=/sys/bus/vbus/devices
DRV=/sys/bus/vbus/drivers/vbus-enet
D=/sys/vbus/devices/sv

cleanup() {
	kill $holder
	rm -f $C/instances/s1/sv $C/instances/s2/sv
	rmdir $C/instances/s1 $C/instances/s2 $C/devices/sv
	udevadm settle
	rmmod vbus-enet venet-tap vbus vbus-proxy
} 2>/dev/null
holder=
trap cleanup EXIT

expect "modprobe venet-tap vbus-enet" modprobe -a venet-tap vbus-enet
mkdir $C/instances/s1 $C/instances/s2 $C/devices/sv || fail "mkdir"
echo venet-tap > $C/devices/sv/type
echo svh > $D/ifname
echo svc > $D/client_ifname
ln -s $C/devices/sv $C/instances/s1/ && ln -s $C/devices/sv $C/instances/s2/ || fail "linking"

bound() { [ -e $P/$1/driver ]; }
bind_errno() {	# DEVICE: bind it to vbus-enet by hand
	bash -c "echo $1 > $DRV/bind"
}
clients() {	# the client netdevs vbus-enet registered
	ls -d $P/*/net/* 2>/dev/null | wc -l
}

echo 1 > $C/instances/s1/local || fail "local 1 on s1"
expect "through s1: bound" bound s1:0
expect "its client netdev is there" test -d $P/s1:0/net/svc
expect "local 1 on s2 too (the kernel is s2's member)" bash -c "echo 1 > $C/instances/s2/local"
expect "s2:0 is on the bus type" test -d $P/s2:0
expect "s2:0 is not bound: its probe met EBUSY" bash -c "! test -e $P/s2:0/driver"
expect_eq "one client netdev" 1 "$(clients)"
expect_errno "Device or resource busy" "binding s2:0 by hand" bind_errno s2:0
expect_eq "still one client netdev" 1 "$(clients)"
for b in s1 s2; do
	expect_errno "Device or resource busy" "a userspace open through $b" \
		python3 -c "import vbus; vbus.dev_open(vbus.bus_open('$b'), 0)"
done

echo 0 > $C/instances/s1/local || fail "local 0 on s1"
expect "local 0 on s1: its client netdev is gone" test ! -e /sys/class/net/svc
expect_eq "no client connected" 0 "$(cat $D/connected)"
expect "s2:0 stays unbound (nothing probes it again by itself)" bash -c "! test -e $P/s2:0/driver"
expect "binding s2:0 now works" bind_errno s2:0
expect "through s2: the client netdev is back" test -d $P/s2:0/net/svc
expect_eq "connected again" 1 "$(cat $D/connected)"
expect "local 1 on s1 again" bash -c "echo 1 > $C/instances/s1/local"
expect "s1:0 unbound this time (EBUSY)" bash -c "test -d $P/s1:0 && ! test -e $P/s1:0/driver"
expect_eq "one client netdev" 1 "$(clients)"

# Unlinking the device from the bus that drives it frees it for the other.
rm $C/instances/s2/sv
expect_soon "unlinked from s2: s2:0 is gone" test ! -e $P/s2:0
expect_eq "no client netdev" 0 "$(clients)"
expect "binding s1:0 now works" bind_errno s1:0
expect_eq "one client netdev, through s1" 1 "$(ls -d $P/s1:0/net/* | wc -l)"
ln -s $C/devices/sv $C/instances/s2/
expect_soon "relinked onto s2: s2:0 is back, unbound" \
	bash -c "test -d $P/s2:0 && ! test -e $P/s2:0/driver"

# A userspace client through s1: local 1 on s1 is EBUSY (45-local); on s2
# it is allowed and the probe meets EBUSY.
for b in s1 s2; do echo 0 > $C/instances/$b/local; done
python3 -c 'import time, vbus; vbus.dev_open(vbus.bus_open("s1"), 0); time.sleep(600)' &
holder=$!
expect_soon "a process opened sv through s1" grep -qx 1 $D/connected
expect_errno "Device or resource busy" "local 1 on s1, whose device has a userspace client" \
	bash -c "echo 1 > $C/instances/s1/local"
expect "local 1 on s2 is allowed" bash -c "echo 1 > $C/instances/s2/local"
expect "but s2:0 is unbound (EBUSY)" bash -c "test -d $P/s2:0 && ! test -e $P/s2:0/driver"
expect_eq "no client netdev" 0 "$(clients)"
kill $holder; wait $holder 2>/dev/null; holder=
expect_soon "the process is gone" grep -qx 0 $D/connected
expect "binding s2:0 now works" bind_errno s2:0
expect_eq "one client netdev" 1 "$(clients)"

# Races: local on/off on both buses and binds of both devices at once,
# while a sampler counts the client netdevs: never more than one.
cat > shared-race.py <<'PY'
import os, sys, threading, time
C, P = "/sys/kernel/config/vbus/instances", "/sys/bus/vbus/devices"
ROUNDS = int(sys.argv[1])
stop = threading.Event()
seen = []

def write(path, value):
    try:
        with open(path, "w") as f:
            f.write(value)
    except OSError:
        pass	# EBUSY, ENODEV: a lost race is fine, two clients are not

def switch(bus):
    for i in range(ROUNDS):
        write("%s/%s/local" % (C, bus), "0")
        write("%s/%s/local" % (C, bus), "1")

def binder():
    while not stop.is_set():
        for d in ("s1:0", "s2:0"):
            write("/sys/bus/vbus/drivers/vbus-enet/bind", d)

def sampler():
    while not stop.is_set():
        n = 0
        for d in os.listdir(P):
            try:
                n += len(os.listdir("%s/%s/net" % (P, d)))
            except OSError:
                pass
        seen.append(n)

helpers = [threading.Thread(target=f) for f in (binder, sampler)]
switchers = [threading.Thread(target=switch, args=(b,)) for b in ("s1", "s2")]
t0 = time.monotonic()
for t in helpers + switchers:
    t.start()
for t in switchers:
    t.join()
stop.set()
for t in helpers:
    t.join()
print("(%d rounds on each bus in %.1f s, %d samples, at most %d client netdev)" %
      (ROUNDS, time.monotonic() - t0, len(seen), max(seen)))
sys.exit(max(seen) > 1)
PY
out=$(python3 shared-race.py ${SHARED_RACE:-50}) ||
	fail "local on/off on both buses racing with binds: two client netdevs at once $out"
pass "local on/off on both buses racing with binds: never two client netdevs $out"
for b in s1 s2; do echo 1 > $C/instances/$b/local; done
for d in s1:0 s2:0; do bash -c "echo $d > $DRV/bind" 2>/dev/null; done
expect_eq "after the races: one client netdev" 1 "$(clients)"
expect_eq "and the device has one client" 1 "$(cat $D/connected)"
rm -f shared-race.py

for b in s1 s2; do rm $C/instances/$b/sv; done
rmdir $C/instances/s1 $C/instances/s2 $C/devices/sv
udevadm settle
expect "rmmod vbus-enet venet-tap vbus vbus-proxy" rmmod vbus-enet venet-tap vbus vbus-proxy
