# The driver model (vbus-proxy) and the local connector, with the test class
# and its driver (vbus-test-driver): the devices of a connected bus on
# /sys/bus/vbus, modalias, probe and calls, hot-plug, statistics, errors,
# and teardown by local off, unlink, bus removal and rmmod, also racing.
source ./lib.bash

C=/sys/kernel/config/vbus
P=/sys/bus/vbus/devices
TD=/etc/vbus/topology.d

# Whatever a failed check leaves (buses, devices, vbusd, the modules) goes,
# so that the next file starts clean.
cleanup() {
	kill $echoer
	systemctl stop vbusd
	rm -f $TD/45-local.json /var/lib/vbus/state.json /tmp/45-bad.json local-race.py
	for b in $C/instances/{l1,l2,l3,lv,r[0-9]*}; do
		echo 0 > $b/local
		rm -f $b/*
		rmdir $b
	done
	rmdir $C/devices/t1 $C/devices/t2 $C/devices/v1 $C/devices/lt
	udevadm settle
	rmmod vbus-test-driver vbus-test venet-tap vbus vbus-proxy
} 2>/dev/null
echoer=
trap cleanup EXIT

expect "modprobe vbus-test" modprobe vbus-test
mkdir $C/instances/l1 $C/devices/t1 $C/devices/t2
echo test > $C/devices/t1/type
echo test > $C/devices/t2/type
ln -s $C/devices/t1 $C/instances/l1/
expect_eq "local is 0 by default" 0 "$(cat $C/instances/l1/local)"
expect_errno "Invalid argument" "local 2" bash -c "echo 2 > $C/instances/l1/local"
expect_errno "Invalid argument" "local on (0 or 1 only)" bash -c "echo on > $C/instances/l1/local"
expect_errno "Invalid argument" "local -1" bash -c "echo -1 > $C/instances/l1/local"
expect "no device on the driver model yet" test -z "$(ls $P 2>/dev/null)"

echo 1 > $C/instances/l1/local || fail "local 1"
expect_eq "local reads 1" 1 "$(cat $C/instances/l1/local)"
expect "local 1 again is a no-op" bash -c "echo 1 > $C/instances/l1/local"
expect_eq "the device is on the bus type at once" "l1:0" "$(ls $P)"
expect_eq "its type" test-echo "$(cat $P/l1:0/type)"
expect_eq "its bus" l1 "$(cat $P/l1:0/bus)"
expect_eq "its id" 0 "$(cat $P/l1:0/id)"
expect_eq "its modalias" vbus:test-echo "$(cat $P/l1:0/modalias)"
expect "the modalias names the driver's module" \
	bash -c "modprobe -R \$(cat $P/l1:0/modalias) | grep -qx vbus_test_driver"
modprobe "$(cat $P/l1:0/modalias)" || fail "modprobe by modalias"
expect_soon "bound to vbus-test" \
	bash -c "test \"\$(basename \"\$(readlink $P/l1:0/driver)\")\" = vbus-test"
expect_eq "probe called the device" hello "$(cat $P/l1:0/greeting)"
echo "ping" > $P/l1:0/echo || fail "echo"
expect_eq "a call through the driver" ping "$(cat $P/l1:0/echo)"
expect_eq "the class counted both calls" 2 "$(cat /sys/vbus/devices/t1/calls)"
vbusctl -j stats bus l1 > /tmp/local-stats.json || fail "vbusctl stats bus l1"
expect "the kernel is l1's member (pid 0), its open and calls counted" python3 -c '
import json
s = json.load(open("/tmp/local-stats.json"))
assert len(s) == 1 and s[0]["pid"] == 0 and s[0]["stats"]["buscalls"] == 2 and s[0]["stats"]["bridgecalls"] == 1, s'

# Hot-plug
ln -s $C/devices/t2 $C/instances/l1/
expect_soon "a device linked later appears, bound" test -e $P/l1:1/greeting
rm $C/instances/l1/t2
expect_soon "an unlinked device disappears" test ! -e $P/l1:1
echo "abc" > $P/l1:0/echo
expect_eq "the other device works on" abc "$(cat $P/l1:0/echo)"

# The driver goes and comes
expect "rmmod vbus-test-driver while bound" rmmod vbus-test-driver
expect "the device stays, unbound" test -e $P/l1:0 -a ! -e $P/l1:0/driver
modprobe vbus-test-driver
expect_soon "bound again on modprobe" test -e $P/l1:0/greeting

# vbusctl
expect_eq "vbusctl bus show: local on" "bus l1 owner root group root mode 0600 local on" \
	"$(vbusctl bus show l1 | head -1)"
expect_eq "vbusctl -j bus show: local true" True \
	"$(vbusctl -j bus show l1 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["local"])')"
out=$(vbusctl bus set l1 local maybe 2>&1); rc=$?
expect_eq "vbusctl bus set local maybe: usage error" \
	"1 Error: argument \"maybe\" is wrong: local must be on or off" "$rc $out"
expect "vbusctl bus set l1 local off" vbusctl bus set l1 local off
expect_eq "local reads 0 after vbusctl" 0 "$(cat $C/instances/l1/local)"
expect_eq "vbusctl bus show: nothing said when off" "bus l1 owner root group root mode 0600" \
	"$(vbusctl bus show l1 | head -1)"
expect_eq "vbusctl -j bus show: local false" False \
	"$(vbusctl -j bus show l1 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["local"])')"
expect "vbusctl bus set l1 local on" vbusctl bus set l1 local on
expect_soon "bound again after vbusctl" test -e $P/l1:0/greeting

# local off and on
echo 0 > $C/instances/l1/local || fail "local 0"
expect "local 0 removes the devices at once" test -z "$(ls $P)"
expect_eq "local reads 0" 0 "$(cat $C/instances/l1/local)"
expect "local 0 again is a no-op" bash -c "echo 0 > $C/instances/l1/local"
echo 1 > $C/instances/l1/local
expect "local 1 again: bound again" test -e $P/l1:0/greeting

# A device with a userspace client cannot be driven too.
one_device_bus_busy() {
	mkdir $C/instances/l2 $C/devices/v1
	echo venet-tap > $C/devices/v1/type
	ln -s $C/devices/v1 $C/instances/l2/
}
expect "modprobe venet-tap" modprobe venet-tap
one_device_bus_busy
# A userspace client: a process holding a device fd of v1.
python3 -c 'import time, vbus; vbus.dev_open(vbus.bus_open("l2"), 0); time.sleep(600)' &
echoer=$!
expect_soon "a process opened v1" bash -c "test \$(cat /sys/vbus/devices/v1/connected) = 1"
expect_errno "Device or resource busy" "local 1 on a bus whose device has a userspace client" \
	bash -c "echo 1 > $C/instances/l2/local"
expect_eq "local stays 0" 0 "$(cat $C/instances/l2/local)"
out=$(vbusctl bus set l2 local on 2>&1); rc=$?
expect_eq "vbusctl says why" "2 Error: cannot set bus \"l2\": Device or resource busy." "$rc $out"
kill $echoer; wait $echoer 2>/dev/null; echoer=
rm $C/instances/l2/v1; rmdir $C/instances/l2 $C/devices/v1

# Bus removal with the connector on: unlink, then rmdir.
rm $C/instances/l1/t1
expect_soon "unlinked: the device is gone" bash -c "test -z \"\$(ls $P)\""
expect "rmdir a bus whose local is 1" rmdir $C/instances/l1
expect "nothing left on the driver model" test -z "$(ls $P)"

# Races: hot-plug, local on/off, binds and unbinds, calls through the
# driver and driver loads at once, threads of one process (no fork per
# round), then teardown. The counts are rounds of each thread. A driver
# registered while a device is half added (udev loads it by the modalias
# of the device's uevent) once leaked the driver core's "Device not ready
# to probe" string: the debug kernel's kmemleak scan is that check.
mkdir $C/instances/l3
ln -s $C/devices/t1 $C/instances/l3/
echo 1 > $C/instances/l3/local
cat > local-race.py <<'PY'
import os, subprocess, sys, threading, time
C, P = "/sys/kernel/config/vbus", "/sys/bus/vbus/devices"
DRV = "/sys/bus/vbus/drivers/vbus-test"
LINKS, SWITCHES, BINDS, LOADS = (int(a) for a in sys.argv[1:5])
stop = threading.Event()
done = {}

def attempt(f, *args):
    try:
        return f(*args)
    except OSError:
        return None	# ENOENT, EBUSY, ENODEV ...: lost races are fine

def write(path, value):
    with open(path, "w") as f:
        f.write(value)

def read(path):
    with open(path) as f:
        return f.read()

def linker():
    for i in range(LINKS):
        attempt(os.symlink, C + "/devices/t2", C + "/instances/l3/t2")
        attempt(os.unlink, C + "/instances/l3/t2")
    done["links"] = LINKS

def switcher():
    for i in range(SWITCHES):
        write(C + "/instances/l3/local", "0")
        write(C + "/instances/l3/local", "1")
    done["switches"] = SWITCHES

def binder():
    for i in range(BINDS):
        for d in ("l3:0", "l3:1"):
            attempt(write, DRV + "/unbind", d)
            attempt(write, DRV + "/bind", d)
    done["binds"] = BINDS

def loader():
    for i in range(LOADS):
        subprocess.call(["rmmod", "vbus-test-driver"], stderr=subprocess.DEVNULL)
        subprocess.call(["modprobe", "vbus-test-driver"])
    done["loads"] = LOADS

def caller():
    n = 0
    while not stop.is_set():
        for d in ("l3:0", "l3:1"):
            attempt(read, "%s/%s/greeting" % (P, d))
            attempt(write, "%s/%s/echo" % (P, d), "x%d" % n)
            attempt(read, "%s/%s/echo" % (P, d))
        n += 1
    done["calls"] = n

workers = [threading.Thread(target=f) for f in (linker, switcher, binder, loader)]
calls = threading.Thread(target=caller)
t0 = time.monotonic()
for t in workers + [calls]:
    t.start()
for t in workers:
    t.join()
stop.set()
calls.join()
print("(rounds: %s; %.0f s)" % (", ".join("%d %s" % (v, k) for k, v in done.items()),
                                time.monotonic() - t0))
PY
out=$(python3 local-race.py ${LOCAL_RACE:-2000 200 500 100}) || fail "the race threads: $out"
pass "hot-plug, local on/off, bind/unbind, calls and driver loads racing $out"
modprobe vbus-test-driver
# (the binder may have left l3:0 unbound: a bind lost to a driver reload)
echo 0 > $C/instances/l3/local
echo 1 > $C/instances/l3/local
expect_soon "after the races: one device, bound" \
	bash -c "test \"\$(ls $P)\" = l3:0 -a -e $P/l3:0/greeting"
expect_eq "its calls work" hello "$(cat $P/l3:0/greeting)"

# rmdir racing with hot-plug work: rounds of link, local 1, unlink, rmdir.
ROUNDS=${LOCAL_RMDIR:-60}
start=$(date +%s)
for i in $(seq $ROUNDS); do
	mkdir $C/instances/r$i
	ln -s $C/devices/t2 $C/instances/r$i/
	echo 1 > $C/instances/r$i/local &
	rm $C/instances/r$i/t2
	wait
	rmdir $C/instances/r$i || fail "rmdir r$i"
done
expect_soon "$ROUNDS buses made and removed: nothing of them left" \
	bash -c "test \"\$(ls $P)\" = l3:0"
pass "rmdir racing with local 1 ($ROUNDS rounds, $(( $(date +%s) - start )) s)"

rm $C/instances/l3/t1
rmdir $C/instances/l3 $C/devices/t1 $C/devices/t2

# vbusd converges "local" (vbus-topology(5)).
mkdir -p $TD
rm -f $TD/*.json /var/lib/vbus/state.json
cat > $TD/45-local.json <<'JSON'
{ "buses": [ { "name": "lv", "local": true, "devices": ["lt"] } ],
  "devices": [ { "name": "lt", "class": "test", "attributes": { "greeting": "from vbusd" } } ] }
JSON
expect "systemctl start vbusd" systemctl start vbusd
expect_eq "vbusd turned local on" 1 "$(cat $C/instances/lv/local)"
expect_soon "the device is bound" test -e $P/lv:0/greeting
expect_eq "after its attribute was set" "from vbusd" "$(cat $P/lv:0/greeting)"
echo 0 > $C/instances/lv/local
expect "drift: local turned off behind vbusd's back, reload" systemctl reload vbusd
expect_eq "vbusd turned it on again" 1 "$(cat $C/instances/lv/local)"
sed -i 's/"local": true, //' $TD/45-local.json
expect "reload without local" systemctl reload vbusd
expect_eq "vbusd turned local off" 0 "$(cat $C/instances/lv/local)"
expect "no device on the driver model" test -z "$(ls $P)"
echo '{ "buses": [ { "name": "lv", "local": "yes" } ] }' > /tmp/45-bad.json
out=$(vbusctl topology check /tmp/45-bad.json 2>&1); rc=$?
case "$rc $out" in
*'$.buses[0].local: "local" must be true or false, not a string'*) pass "local not a boolean refused" ;;
*) fail "local not a boolean: $rc $out" ;;
esac
rm -f $TD/45-local.json
expect "reload without the file" systemctl reload vbusd
expect "the bus is gone" test ! -e $C/instances/lv
expect "systemctl stop vbusd" systemctl stop vbusd
rm -f /var/lib/vbus/state.json local-race.py
# udev loads vbus-test-driver for each device that appeared (modalias): let it finish.
udevadm settle
expect "rmmod vbus-test-driver vbus-test vbus vbus-proxy" \
	rmmod vbus-test-driver vbus-test venet-tap vbus vbus-proxy
