# vbusd under systemd: converges topology.d at start, reload and restart,
# repairs drift, rejects broken and conflicting files with their position
# and nothing applied, leaves what it does not own alone, survives kill -9
# in the middle of a large apply; vbusctl topology through its socket.
source ./lib.bash

TD=/etc/vbus/topology.d
STATE=/var/lib/vbus/state.json
CFS=/sys/kernel/config/vbus

buses() { ls $CFS/instances | sort | tr '\n' ' '; }
links() { ls /sys/vbus/instances/$1/devices 2>/dev/null | while read -r id; do
	basename "$(readlink /sys/vbus/instances/$1/devices/$id/device)"; done | sort | tr '\n' ' '; }
links_are() { [ "$(links "$1")" = "$2" ]; }
status() { systemctl show -P StatusText vbusd; }
wait_for() {	# wait_for SECONDS COMMAND...
	local t=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1)); [ $t -gt 0 ] || return 1; sleep 0.1
	done
}

mkdir -p $TD
rm -f $TD/*.json $STATE
cat > $TD/10-a.json <<'JSON'
{ "buses": [ { "name": "a1", "group": "kvm", "mode": "0660", "devices": ["t1", "t2"] },
             { "name": "a2", "devices": ["t2"] } ],
  "devices": [ { "name": "t1", "class": "test", "attributes": { "greeting": "hello" } },
               { "name": "t2", "class": "test" } ] }
JSON
getent group kvm >/dev/null || groupadd -r kvm

expect "systemctl start vbusd" systemctl start vbusd
expect_eq "vbusd is active" active "$(systemctl is-active vbusd)"
expect_eq "buses created at start" "a1 a2 " "$(buses)"
expect_eq "links of a1" "t1 t2 " "$(links a1)"
expect_eq "links of a2" "t2 " "$(links a2)"
expect_eq "attribute set" hello "$(cat /sys/vbus/devices/t1/greeting)"
expect_eq "bus mode" 0660 "$(cat $CFS/instances/a1/mode)"
expect_eq "bus group" "$(getent group kvm | cut -d: -f3)" "$(cat $CFS/instances/a1/group)"
expect_eq "STATUS summary" "2 buses, 2 devices converged (8 changes)" "$(status)"
expect "the state file lists what vbusd made" grep -q '"a1"' $STATE

vbusctl bus add foreign
vbusctl device add foreign-dev type test
vbusctl device attach foreign-dev bus foreign
expect "systemctl reload vbusd (nothing to do)" systemctl reload vbusd
expect_eq "a no-change reload changes nothing" "2 buses, 2 devices converged (0 changes)" "$(status)"

# vbusd keeps the parsed topology while the files read the same: a change of
# one byte in place, same size and same timestamps, is still seen.
cp -p $TD/10-a.json /tmp/10-a.json
sed -i 's/"hello"/"hallo"/' $TD/10-a.json
touch -r /tmp/10-a.json $TD/10-a.json
expect "reload after an edit in place" systemctl reload vbusd
expect_eq "the edit applied" hallo "$(cat /sys/vbus/devices/t1/greeting)"
cp -p /tmp/10-a.json $TD/10-a.json
expect "reload after restoring the file" systemctl reload vbusd
expect_eq "the attribute back" hello "$(cat /sys/vbus/devices/t1/greeting)"

# Drift: a managed bus and a link removed behind vbusd's back come back.
vbusctl bus del a2
vbusctl device detach t1 bus a1
expect "drift repaired: bus a2 back" wait_for 10 test -d $CFS/instances/a2
expect "drift repaired: t1 on a1 again" wait_for 10 links_are a1 "t1 t2 "
expect_eq "drift repaired: t2 on a2" "t2 " "$(links a2)"
# An attribute and a bus's mode changed behind its back come back too (the
# kernel announces those changes), and a reload after them sees the repair.
attr_is() { [ "$(cat /sys/vbus/devices/t1/greeting)" = "$1" ]; }
mode_is() { [ "$(cat $CFS/instances/a1/mode)" = "$1" ]; }
echo changed > /sys/vbus/devices/t1/greeting
expect "drift repaired: the attribute back" wait_for 10 attr_is hello
vbusctl bus set a1 mode 0600
expect "drift repaired: the bus mode back" wait_for 10 mode_is 0660
echo again > /sys/vbus/devices/t1/greeting
vbusctl topology reload > /dev/null
expect_eq "a reload right after the change repairs it" hello "$(cat /sys/vbus/devices/t1/greeting)"

# A broken file: position and path reported, nothing applied, reload fails.
printf '{ "buses": [ { "name": "b1" }\n  { "name": "b2" } ] }\n' > $TD/20-broken.json
expect_errno "20-broken.json:2:3: \$.buses" "reload with a syntax error fails" \
	vbusctl topology reload
if systemctl reload vbusd 2>/dev/null; then fail "systemctl reload succeeded on a broken file"; fi
pass "systemctl reload fails on a broken file"
expect "broken file reported in the journal" wait_for 5 sh -c \
	"journalctl -u vbusd -o cat | grep -q '20-broken.json:2:3: \\\$.buses'"
expect "vbusd still active" systemctl is-active vbusd
rm $TD/20-broken.json

# Unknown keys and classes, conflicting definitions: nothing applied.
cat > /tmp/30-conflict.json <<'JSON'
{ "buses": [ { "name": "c1" },
             { "name": "a1" } ],
  "devices": [ { "name": "c2", "class": "no-such-class", "colour": "red" } ] }
JSON
out=$(vbusctl topology check /tmp/30-conflict.json 2>&1); rc=$?
expect_eq "check of a bad file exits 1" 1 "$rc"
case $out in *"/tmp/30-conflict.json:2:14: \$.buses[1]: bus \"a1\" is already defined at $TD/10-a.json:1:14"*) pass "conflict reported with both positions" ;;
	*) fail "conflict not reported: $out" ;; esac
case $out in *"/tmp/30-conflict.json:3:58: \$.devices[0].colour: unknown key"*) pass "unknown key reported" ;;
	*) fail "unknown key not reported: $out" ;; esac
case $out in *"\$.devices[0].class: unknown device class \"no-such-class\""*) pass "unknown class reported" ;;
	*) fail "unknown class not reported: $out" ;; esac
expect_errno "already defined" "apply of a conflicting file fails" \
	vbusctl topology apply /tmp/30-conflict.json
expect "nothing applied: no bus c1" test ! -e $CFS/instances/c1
expect "nothing installed" test ! -e $TD/30-conflict.json

# plan changes nothing; apply installs and converges; removing the file
# removes exactly what it declared.
cat > /tmp/40-d.json <<'JSON'
{ "buses": [ { "name": "d1", "devices": ["d-dev"] } ],
  "devices": [ { "name": "d-dev", "class": "test" } ] }
JSON
expect_eq "plan" "create device d-dev class test
create bus d1 owner 0 group 0 mode 0600
link device d-dev to bus d1
3 changes planned for 3 buses, 3 devices" "$(vbusctl topology plan /tmp/40-d.json)"
expect "plan changed nothing" test ! -e $CFS/instances/d1
expect "vbusctl topology apply" vbusctl topology apply /tmp/40-d.json
expect "apply installed the file" cmp /tmp/40-d.json $TD/40-d.json
expect_eq "apply made the bus" "d-dev " "$(links d1)"
json=$(vbusctl -j topology status)
expect "status -j lists d1 as ok" python3 -c "
import json, sys
s = json.loads(sys.argv[1])
assert {'object': 'bus', 'name': 'd1', 'state': 'ok', 'file': '$TD/40-d.json'} in s['objects'], s" "$json"
expect "unprivileged status" runuser -u nobody -- vbusctl topology status
expect_errno "permission denied" "unprivileged plan refused" \
	runuser -u nobody -- vbusctl topology plan
rm $TD/40-d.json
expect "reload after removing a file" systemctl reload vbusd
expect "its bus is gone" test ! -e $CFS/instances/d1
expect "its device is gone" test ! -e $CFS/devices/d-dev
expect_eq "the rest stays" "a1 a2 foreign " "$(buses)"

# A device's priority (configfs): planned, applied, kept by a no-change
# reload, changed with the file, put back by a reload after a change behind
# vbusd's back (the kernel announces none); out of range, refused with its
# position and nothing applied.
prio() { cat $CFS/devices/$1/priority; }
cat > /tmp/45-p.json <<'JSON'
{ "devices": [ { "name": "p-dev", "class": "test", "priority": 7 },
               { "name": "p-one", "class": "test" } ] }
JSON
expect_eq "plan with a priority" "create device p-dev class test
create device p-one class test
set device p-dev priority 7
3 changes planned for 2 buses, 4 devices" "$(vbusctl topology plan /tmp/45-p.json)"
expect "plan made no device" test ! -e $CFS/devices/p-dev
expect "apply with a priority" vbusctl topology apply /tmp/45-p.json
expect_eq "the priorities in configfs" "7 1" "$(prio p-dev) $(prio p-one)"
expect "reload after it" systemctl reload vbusd
expect_eq "a no-change reload changes nothing" "2 buses, 4 devices converged (0 changes)" \
	"$(status)"
expect_eq "the priority kept" 7 "$(prio p-dev)"
mkdir -p /tmp/p3
sed 's/"priority": 7/"priority": 3/' /tmp/45-p.json > /tmp/p3/45-p.json
expect_eq "plan of a changed priority" "set device p-dev priority 3 (was 7)
1 changes planned for 2 buses, 4 devices" "$(vbusctl topology plan /tmp/p3/45-p.json)"
expect_eq "plan changed nothing" 7 "$(prio p-dev)"
vbusctl device set p-dev priority 9
vbusctl device set p-one priority 0
expect_eq "reload after a change behind vbusd's back" "set device p-dev priority 7 (was 9)
set device p-one priority 1 (was 0)
2 buses, 4 devices converged (2 changes)" "$(vbusctl topology reload)"
expect_eq "the priorities put back" "7 1" "$(prio p-dev) $(prio p-one)"
cat > /tmp/46-bad.json <<'JSON'
{ "devices": [ { "name": "p-bad", "class": "test", "priority": 64 } ] }
JSON
out=$(vbusctl topology check /tmp/46-bad.json 2>&1); rc=$?
expect_eq "check of an out-of-range priority" "1
/tmp/46-bad.json:1:64: \$.devices[0].priority: invalid priority 64: a number from 0 to 63
Error: the topology has 1 problem(s); nothing was changed." "$rc
$out"
sed -i 's/64/-1/' /tmp/46-bad.json
expect_errno "invalid priority -1: a number from 0 to 63" "apply of a negative priority fails" \
	vbusctl topology apply /tmp/46-bad.json
expect "nothing applied: no device p-bad" test ! -e $CFS/devices/p-bad
expect "nothing installed" test ! -e $TD/46-bad.json
rm $TD/45-p.json
expect "reload without the priorities" systemctl reload vbusd
expect "their devices gone" test ! -e $CFS/devices/p-dev -a ! -e $CFS/devices/p-one
rm -rf /tmp/p3 /tmp/45-p.json /tmp/46-bad.json

# Restart and stop leave the topology in place and touch nothing.
expect "systemctl restart vbusd" systemctl restart vbusd
expect_eq "restart converges with no change" "2 buses, 2 devices converged (0 changes)" "$(status)"
expect "systemctl stop vbusd" systemctl stop vbusd
expect_eq "stopping leaves the topology" "a1 a2 foreign " "$(buses)"

# kill -9 in the middle of a large apply, then the restart systemd makes.
# 1000 buses of two devices; 100 on the debug kernel, where every configfs
# operation and uevent is many times slower (the file had run 30 minutes
# when it reached this apply).
BIG=$(debug_kernel && echo 100 || echo 1000)
python3 - $BIG > $TD/50-big.json <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({
  "buses": [{"name": f"k{i}", "devices": [f"k{i}-0", f"k{i}-1"]} for i in range(n)],
  "devices": [{"name": f"k{i}-{j}", "class": "test"} for i in range(n) for j in range(2)]}))
PY
expect "start vbusd (no wait)" systemctl start --no-block vbusd
# Busy-wait for the first device so the kill lands early in the apply.
SECONDS=0
until [ -e $CFS/devices/k0-0 ] || [ $SECONDS -gt 120 ]; do :; done
pid=$(systemctl show -P MainPID vbusd)
kill -9 "$pid"
pass "killed vbusd (pid $pid) with $(ls $CFS/devices | grep -c '^k') of $((2 * BIG)) devices made"
expect "systemd restarted vbusd" wait_for 60 sh -c \
	"[ \$(systemctl show -P MainPID vbusd) != $pid ] && systemctl is-active vbusd"
expect_eq "converged after the crash" "$((BIG + 2)) buses, $((2 * BIG + 2)) devices converged" \
	"$(status | sed 's/ (.*//')"
newpid=$(systemctl show -P MainPID vbusd)
changes=$(journalctl _PID=$newpid -o cat | sed -n 's/^Converged (start) in [0-9.]* s: .*(\([0-9]*\) changes)$/\1/p')
expect "the restart finished the interrupted apply ($changes changes)" test "${changes:-0}" -gt 0
expect_eq "$BIG big buses, none duplicated" $BIG "$(ls $CFS/instances | grep -c '^k')"
expect_eq "$((2 * BIG)) big devices, none orphaned" $((2 * BIG)) "$(ls $CFS/devices | grep -c '^k')"
expect_eq "every big bus has its two devices" "k7-0 k7-1 " "$(links k7)"
expect_eq "all big buses linked right" $BIG "$(python3 -c '
import os
d = "/sys/vbus/instances"
print(sum(sorted(os.path.basename(os.readlink(f"{d}/{b}/devices/{i}/device"))
                 for i in os.listdir(f"{d}/{b}/devices")) == [f"{b}-0", f"{b}-1"]
          for b in os.listdir(d) if b.startswith("k")))')"
expect_eq "the state file owns exactly what is declared" $((3 * BIG + 4)) \
	"$(python3 -c "import json; s = json.load(open('$STATE')); print(len(s['buses']) + len(s['devices']))")"

# Clean up: vbusd removes what it made, the foreign objects are removed by hand.
rm -f $TD/*.json
expect "reload with no files" systemctl reload vbusd
expect_eq "vbusd removed all it made" "foreign " "$(buses)"
expect_eq "foreign device untouched" "foreign-dev " "$(links foreign)"
vbusctl device del foreign-dev
vbusctl bus del foreign

# The vbus module unloaded and loaded again under a running vbusd (nothing
# exists, so it can go): vbusd follows the new genl family and its events.
rmmod vbus-test
expect "rmmod vbus under vbusd" rmmod vbus
modprobe vbus
echo '{ "buses": [ { "name": "r1" } ] }' > $TD/30-r.json
expect "reload after the module came back" systemctl reload vbusd
expect "bus r1 made" test -d $CFS/instances/r1
vbusctl bus del r1
expect "drift seen through the new subscription" wait_for 10 test -d $CFS/instances/r1
rm -f $TD/30-r.json
expect "reload without r1" systemctl reload vbusd
expect_eq "r1 gone" "" "$(buses)"
expect "systemctl stop vbusd" systemctl stop vbusd
rm -f $STATE
rmmod vbus-test 2>/dev/null
expect "rmmod vbus" rmmod vbus
