# vbusctl show, class, stats and monitor against the real module: text and
# JSON from the same code path, JSON valid and of the documented shape
# (doc/vbusctl-json.md), filters, errors, and monitor seeing another
# process's changes.
source ./lib.bash

rmmod vbus-test vbus 2>/dev/null
run() { # run EXPECTED_STATUS EXPECTED_STDERR COMMAND...
	local st=$1 msg=$2 err rc; shift 2
	err=$("$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" = "$st" ] && [ "$err" = "$msg" ]; then pass "$* -> $rc"
	else fail "$*: expected $st \"$msg\", got $rc \"$err\""; fi
}
# json_check PYTHON_EXPR JSON: the expression over the parsed value "j" holds.
json_check() {
	python3 -c 'import json, sys; j = json.loads(sys.argv[2]); sys.exit(0 if eval("(" + sys.argv[1] + ")") else 1)' \
		"$1" "$2"
}

run 2 'Error: cannot show buses: the vbus kernel module is not loaded.' vbusctl bus show
run 2 'Error: cannot show classes: the vbus kernel module is not loaded.' vbusctl class show

vbusctl bus add vm1 mode 0660 && vbusctl bus add vm2 &&
vbusctl device add d1 type test greeting hi && vbusctl device add d2 type test &&
vbusctl device attach d1 bus vm1 && vbusctl device attach d2 bus vm1 &&
vbusctl device attach d1 bus vm2 || fail "setting up"
exec 3<>/dev/vbus/vm1
me=$$

expect_eq "bus show (text)" "$(printf '%s\n' \
	'bus vm1 owner root group root mode 0660' \
	'    id 0 device d1 type test-echo' \
	'    id 1 device d2 type test-echo' \
	"    member pid $me id 1" \
	'bus vm2 owner root group root mode 0600' \
	'    id 0 device d1 type test-echo')" "$(vbusctl bus show)"
expect_eq "'vbusctl bus' is bus show" "$(vbusctl bus show)" "$(vbusctl bus)"
j=$(vbusctl -j bus show)
expect "bus show -j: the documented shape" json_check "
	[b['name'] for b in j] == ['vm1', 'vm2'] and
	j[0] == {'name': 'vm1', 'owner': 0, 'group': 0, 'mode': '0660', 'local': False,
		 'devices': [{'id': 0, 'device': 'd1', 'type': 'test-echo'},
			     {'id': 1, 'device': 'd2', 'type': 'test-echo'}],
		 'members': [{'pid': $me, 'id': 1, 'guest': False}]}" "$j"
expect "bus show -j -p is the same value" json_check "j == json.loads('''$j''')" \
	"$(vbusctl -j -p bus show)"
j=$(vbusctl -j -s bus show vm1)
expect "-s bus show: counters under the member" json_check "
	len(j) == 1 and set(j[0]['members'][0]['stats']) ==
	{'events', 'qnotify', 'qinject', 'notify', 'inject', 'bridgecalls', 'buscalls'} and
	'guest_stats' not in j[0]['members'][0]" "$j"
expect "-s bus show (text): the counter line" \
	bash -c "vbusctl -s bus show vm1 | grep -q '^        events 0 qnotify 0 qinject 0 notify 0 inject 0 bridgecalls 0 buscalls 0$'"
j=$(vbusctl -j -s -s bus show vm1)
expect "-s -s bus show: the class's counters under each device, as numbers" json_check "
	j[0]['devices'][0]['stats'] == {'calls': 0} and j[0]['devices'][0]['queues'] == {} and
	'attributes' not in j[0]['devices'][0] and 'stats' in j[0]['members'][0]" "$j"
expect "-s -s bus show (text): the counter line" \
	bash -c "vbusctl -s -s bus show vm1 | grep -qx '        stats: calls 0'"
expect "-s bus show has no device counters" json_check "'stats' not in j[0]['devices'][0]" \
	"$(vbusctl -j -s bus show vm1)"
run 2 'Error: bus "nosuch" does not exist.' vbusctl bus show nosuch
run 1 'Error: argument "x" is wrong: unexpected argument after the bus name' vbusctl bus show vm1 x

expect_eq "device show NAME (text): the settings, no counter" "$(printf '%s\n' \
	'device d1 class test type test-echo priority 1' '    bus vm1 id 0' '    bus vm2 id 0' \
	'    greeting hi')" "$(vbusctl device show d1)"
expect_eq "-s device show NAME (text): the counters after the settings" "$(printf '%s\n' \
	'device d1 class test type test-echo priority 1' '    bus vm1 id 0' '    bus vm2 id 0' \
	'    greeting hi' '    stats: calls 0')" "$(vbusctl -s device show d1)"
j=$(vbusctl -j device show)
expect "device show -j: the documented shape" json_check "
	j[0] == {'name': 'd1', 'class': 'test', 'type': 'test-echo', 'priority': 1,
		 'buses': [{'bus': 'vm1', 'id': 0}, {'bus': 'vm2', 'id': 0}],
		 'attributes': {'greeting': 'hi'}} and j[1]['name'] == 'd2'" "$j"
expect "-s device show -j: counters as numbers under stats" json_check "
	j[0]['attributes'] == {'greeting': 'hi'} and j[0]['stats'] == {'calls': 0} and
	'queues' not in j[0]" "$(vbusctl -j -s device show d1)"
expect "-s -s device show -j: and the queues" json_check "
	j[0]['stats'] == {'calls': 0} and j[0]['queues'] == {}" "$(vbusctl -j -s -s device show d1)"
expect_eq "device show bus vm2" d1 "$(vbusctl -j device show bus vm2 | python3 -c 'import json,sys; print(" ".join(d["name"] for d in json.load(sys.stdin)))')"
expect_eq "device show type test bus vm1" "d1 d2" "$(vbusctl -j device show type test bus vm1 | python3 -c 'import json,sys; print(" ".join(d["name"] for d in json.load(sys.stdin)))')"
expect_eq "device show type nosuch: empty" "[]" "$(vbusctl -j device show type nosuch)"
mkdir /sys/kernel/config/vbus/devices/raw
expect "an untyped device: class and type null" json_check \
	"j == [{'name': 'raw', 'class': None, 'type': None, 'priority': 1, 'buses': [],
	        'attributes': {}}]" \
	"$(vbusctl -j device show raw)"
expect_eq "an untyped device (text)" "device raw untyped priority 1" "$(vbusctl device show raw)"
rmdir /sys/kernel/config/vbus/devices/raw
run 2 'Error: device "nosuch" does not exist.' vbusctl device show nosuch
run 1 'Error: duplicate "bus": "vm2" is the second value.' vbusctl device show bus vm1 bus vm2
run 1 'Error: argument for "type" is missing.' vbusctl device show d1 type
run 1 'Error: argument "colour" is wrong: expected one of bus, type.' vbusctl device show d1 colour red

expect_eq "class show (text)" "class test type test-echo devices 2" "$(vbusctl class show)"
expect "class show -j" json_check "j == [{'name': 'test', 'type': 'test-echo', 'devices': 2}]" \
	"$(vbusctl -j class)"

expect_eq "stats (text)" "$(printf '%s\n' "bus vm1 member 1 pid $me" \
	'    events 0 qnotify 0 qinject 0 notify 0 inject 0 bridgecalls 0 buscalls 0')" \
	"$(vbusctl stats)"
expect "stats -j" json_check "
	j == [{'bus': 'vm1', 'member': 1, 'pid': $me, 'stats': {'events': 0, 'qnotify': 0,
	       'qinject': 0, 'notify': 0, 'inject': 0, 'bridgecalls': 0, 'buscalls': 0}}]" \
	"$(vbusctl -j stats)"
expect_eq "stats bus vm2: no connection" "[]" "$(vbusctl -j stats bus vm2)"
expect_eq "stats device d2: the connections of its buses" 1 \
	"$(vbusctl -j stats device d2 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
run 2 'Error: bus "nosuch" does not exist.' vbusctl stats bus nosuch
run 2 'Error: device "nosuch" does not exist.' vbusctl stats device nosuch
run 1 'Error: argument "device" is wrong: only one of bus NAME or device NAME' \
	vbusctl stats bus vm1 device d1
exec 3>&-

# monitor: another process's changes, text with timestamps and JSON lines.
vbusctl -t monitor > mon.txt 2>&1 & mp=$!
vbusctl -j monitor link bus > mon.json 2>&1 & jp=$!
sleep 1
( vbusctl bus add vm3 && vbusctl device attach d2 bus vm3 && exec 4<>/dev/vbus/vm3 ) &&
	vbusctl bus set vm3 mode 0600 &&		# the same mode: no event
	vbusctl bus set vm3 mode 0660 && vbusctl bus set vm3 group 5 &&
	vbusctl device set d2 greeting hey &&
	! echo x > /sys/vbus/devices/d2/calls 2>/dev/null &&	# refused: no event
	vbusctl bus del vm3
sleep 1
kill $mp $jp; wait $mp; mrc=$?; wait $jp
expect_eq "monitor exits 0 on SIGTERM" 0 "$mrc"
expect_eq "monitor (text)" "$(printf '%s\n' \
	'[bus] add bus vm3 owner root group root mode 0600' \
	'[link] add bus vm3 id 0 device d2 type test-echo' \
	'[member] add bus vm3 pid PID id 2' '[member] del bus vm3 pid PID id 2' \
	'[bus] change bus vm3 owner root group root mode 0660' \
	'[bus] change bus vm3 owner root group tty mode 0660' \
	'[device] attr device d2 class test type test-echo attribute greeting' \
	'[link] del bus vm3 id 0 device d2 type test-echo' \
	'[bus] del bus vm3 owner root group tty mode 0660')" \
	"$(sed -E 's/^\[[0-9T:.-]+\] //; s/pid [0-9]+/pid PID/' mon.txt)"
expect "monitor -t: every line has a timestamp" \
	bash -c "! grep -vqE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}\] ' mon.txt"
expect_eq "monitor -j link bus: one JSON object per line, only those objects" \
	"bus add,link add,bus change,bus change,link del,bus del" \
	"$(python3 -c 'import json,sys; print(",".join(o["object"] + " " + o["action"] for o in map(json.loads, open("mon.json"))))')"
expect "monitor -j: the link object" json_check \
	"j == {'object': 'link', 'action': 'add', 'link': {'bus': 'vm3', 'id': 0, 'device': 'd2', 'type': 'test-echo'}}" \
	"$(sed -n 2p mon.json)"
run 1 'Error: argument "frob" is wrong: expected one of all, class, bus, device, link, member, help.' \
	vbusctl monitor frob
vbusctl -j monitor device > mon.json 2>&1 & jp=$!
sleep 1
vbusctl device set d2 greeting again
sleep 1
kill $jp; wait $jp
expect "monitor -j: an attribute change, without its value" json_check \
	"j == {'object': 'device', 'action': 'attr', 'device': {'name': 'd2', 'class': 'test', 'type': 'test-echo', 'attributes': {'greeting': None}}}" \
	"$(cat mon.json)"
rm -f mon.txt mon.json

vbusctl bus del vm1 && vbusctl bus del vm2 && vbusctl device del d1 && vbusctl device del d2
expect "rmmod vbus-test vbus" rmmod vbus-test vbus
