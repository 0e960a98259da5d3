# vbusctl bus and device commands against the real module: every command,
# its effect in configfs/sysfs, and bad input of every kind (clear message,
# exit status, nothing changed).
source ./lib.bash

C=/sys/kernel/config/vbus
S=/sys/vbus
rmmod vbus-test vbus 2>/dev/null

# run EXPECTED_STATUS EXPECTED_STDERR vbusctl ARGS...: status and message.
run() {
	local st=$1 msg=$2 err rc; shift 2
	err=$("$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" = "$st" ] && [ "$err" = "$msg" ]; then
		pass "$* -> $rc${msg:+: $msg}"
	else
		fail "$*: expected $st \"$msg\", got $rc \"$err\""
	fi
}

# Buses. vbusctl loads the module itself.
run 0 "" vbusctl bus add vm1
expect "bus add loaded vbus.ko" grep -q '^vbus ' /proc/modules
expect "bus add made the configfs directory" test -d $C/instances/vm1
useradd -M -u 4242 vbtester 2>/dev/null
groupadd -g 4343 vbgroup 2>/dev/null
run 0 "" vbusctl bus add vm2 owner vbtester group vbgroup mode 0660
expect_eq "owner by name" 4242 "$(cat $C/instances/vm2/owner)"
expect_eq "group by name" 4343 "$(cat $C/instances/vm2/group)"
expect_eq "mode" 0660 "$(cat $C/instances/vm2/mode)"
run 0 "" vbusctl b a vm3 o 1001 g 1002 m 640
expect_eq "abbreviated keywords, numeric ids" "1001 1002 0640" \
	"$(cat $C/instances/vm3/owner $C/instances/vm3/group $C/instances/vm3/mode | paste -sd' ')"
run 0 "" vbusctl bus set vm3 mode 600 owner 0
expect_eq "bus set" "0 1002 0600" \
	"$(cat $C/instances/vm3/owner $C/instances/vm3/group $C/instances/vm3/mode | paste -sd' ')"

run 2 'Error: bus "vm1" exists.' vbusctl bus add vm1
run 1 'Error: argument "a b" is wrong: not a bus name (1-64 characters of [A-Za-z0-9._:-], not "." or "..")' \
	vbusctl bus add "a b"
run 1 'Error: argument "0999" is wrong: not a mode (octal, at most 0777)' \
	vbusctl bus add vm9 mode 0999
run 1 'Error: argument "1777" is wrong: not a mode (octal, at most 0777)' \
	vbusctl bus set vm1 mode 1777
run 1 'Error: argument "nobody-here" is wrong: no such user' vbusctl bus add vm9 owner nobody-here
run 1 'Error: argument "nogroup-here" is wrong: no such group' vbusctl bus add vm9 group nogroup-here
run 1 'Error: argument ".." is wrong: not a bus name (1-64 characters of [A-Za-z0-9._:-], not "." or "..")' \
	vbusctl bus add ..
run 1 'Error: argument "a/b" is wrong: not a class name (1-31 characters of [A-Za-z0-9._:-], not "." or "..")' \
	vbusctl device add d9 type a/b
run 1 'Error: argument "if name" is wrong: not an attribute name (1-64 characters of [A-Za-z0-9_-])' \
	vbusctl device set d9 "if name" x
run 1 'Error: duplicate "mode": "0600" is the second value.' vbusctl bus add vm9 mode 0660 mode 0600
run 1 'Error: argument for "owner" is missing.' vbusctl bus add vm9 owner
run 1 'Error: argument "colour" is wrong: expected one of owner, group, mode, local.' \
	vbusctl bus add vm9 colour red
run 1 'Error: argument for "add" is missing.' vbusctl bus add
run 1 'Error: "bus set vm1" needs owner, group, mode or local.' vbusctl bus set vm1
run 2 'Error: bus "nosuch" does not exist.' vbusctl bus set nosuch mode 0600
run 2 'Error: bus "nosuch" does not exist.' vbusctl bus del nosuch
run 1 'Error: command "frob" is unknown, try "vbusctl help".' vbusctl bus frob
run 1 'Error: object "zz" is unknown, try "vbusctl help".' vbusctl zz
expect "no bus vm9 came of the failures" test ! -e $C/instances/vm9
run 2 'Error: cannot add bus "vm9": Permission denied.' \
	setpriv --reuid=4242 --regid=4343 --clear-groups vbusctl bus add vm9

# Devices. The class module is loaded on demand (alias vbus-class-test).
expect "vbus-test is not loaded yet" bash -c '! grep -q "^vbus_test " /proc/modules'
run 0 "" vbusctl device add d1 type test greeting hi
expect "device add loaded vbus-test through its alias" grep -q '^vbus_test ' /proc/modules
expect_eq "type" test "$(cat $C/devices/d1/type)"
expect_eq "attribute given at add" hi "$(cat $S/devices/d1/greeting)"
run 0 "" vbusctl dev add d2 type test
run 0 "" vbusctl device set d2 greeting howdy
expect_eq "device set" howdy "$(cat $S/devices/d2/greeting)"
run 2 'Error: device "d1" exists.' vbusctl device add d1 type test
run 2 'Error: device class "nosuchclass" is unknown.' vbusctl device add d9 type nosuchclass
expect "no device d9 came of the unknown class" test ! -e $C/devices/d9
run 2 'Error: device "d9" has no attribute "colour".' vbusctl device add d9 type test colour red
expect "no device d9 came of the bad attribute" test ! -e $C/devices/d9
long=$(printf 'x%.0s' {1..40})
run 2 "Error: cannot set greeting of device \"d9\" to \"$long\": Invalid argument." \
	vbusctl device add d9 type test greeting "$long"
expect "no device d9 came of the bad value" test ! -e $C/devices/d9
run 2 "Error: cannot set greeting of device \"d2\" to \"$long\": Invalid argument." \
	vbusctl device set d2 greeting "$long"
run 2 'Error: device "d2" has no attribute "colour".' vbusctl device set d2 greeting ok colour red
run 2 'Error: cannot set calls of device "d2" to "5": Permission denied.' \
	vbusctl device set d2 greeting changed calls 5
run 1 'Error: duplicate "greeting": "b" is the second value.' \
	vbusctl device set d2 greeting a greeting b
run 1 'Error: argument for "greeting" is missing.' vbusctl device set d2 greeting
run 1 'Error: "device add d9" needs "type CLASS".' vbusctl device add d9
run 1 'Error: command "a" is ambiguous: it could be add, attach.' vbusctl device a d9
run 2 'Error: device "nosuch" does not exist.' vbusctl device set nosuch greeting x
expect_eq "failed sets left (or put back) the old value" howdy "$(cat $S/devices/d2/greeting)"

# A device's priority is its own (configfs), not its class's: set, added,
# shown; a bad one is refused before anything is written, and a later
# failing write puts it back.
prio() { cat $C/devices/$1/priority; }
expect_eq "a new device has priority 1" 1 "$(prio d1)"
run 0 "" vbusctl device set d2 priority 5
expect_eq "device set priority" 5 "$(prio d2)"
run 0 "" vbusctl device set d2 greeting hey priority 0
expect_eq "priority with a class attribute" "0 hey" "$(prio d2) $(cat $S/devices/d2/greeting)"
for bad in 64 -1 x 1.5 ""; do
	run 1 "Error: argument \"$bad\" is wrong: not a priority (a number from 0 to 63)" \
		vbusctl device set d2 greeting no priority "$bad"
done
run 1 'Error: argument for "priority" is missing.' vbusctl device set d2 priority
run 1 'Error: duplicate "priority": "3" is the second value.' \
	vbusctl device set d2 priority 2 priority 3
run 2 'Error: device "d2" has no attribute "colour".' vbusctl device set d2 priority 9 colour red
run 2 'Error: cannot set calls of device "d2" to "5": Permission denied.' \
	vbusctl device set d2 priority 9 calls 5
expect_eq "failed sets left (or put back) the priority and greeting" "0 hey" \
	"$(prio d2) $(cat $S/devices/d2/greeting)"
run 0 "" vbusctl device add d3 type test priority 63 greeting hi
expect_eq "device add with a priority" "63 hi" "$(prio d3) $(cat $S/devices/d3/greeting)"
run 1 'Error: argument "64" is wrong: not a priority (a number from 0 to 63)' \
	vbusctl device add d9 type test priority 64
expect "no device d9 came of the bad priority" test ! -e $C/devices/d9
expect_eq "device show: the priority after the type" "device d3 class test type test-echo priority 63" \
	"$(vbusctl device show d3 | head -n1)"
expect_eq "device show -j: the priority a number" "63 0 1" "$(vbusctl -j device show |
	python3 -c 'import json, sys; d = {x["name"]: x["priority"] for x in json.load(sys.stdin)}
print(d["d3"], d["d2"], d["d1"])')"
mkdir $C/devices/raw
run 0 "" vbusctl device set raw priority 7
expect_eq "an untyped device takes and shows a priority" "7/device raw untyped priority 7" \
	"$(prio raw)/$(vbusctl device show raw)"
rmdir $C/devices/raw
run 0 "" vbusctl device del d3

# Links.
run 0 "" vbusctl device attach d1 bus vm1
run 0 "" vbusctl device attach d1 bus vm2
run 0 "" vbusctl device attach d2 bus vm1
expect_eq "ids from 0 on vm1" "d1 d2" \
	"$(basename "$(readlink $S/instances/vm1/devices/0/device)") $(basename "$(readlink $S/instances/vm1/devices/1/device)")"
run 2 'Error: device "d1" is already on bus "vm1".' vbusctl device attach d1 bus vm1
run 2 'Error: bus "nosuch" does not exist.' vbusctl device attach d1 bus nosuch
run 2 'Error: device "nosuch" does not exist.' vbusctl device attach nosuch bus vm1
run 1 'Error: "device attach d1" needs "bus BUS".' vbusctl device attach d1 vm1
run 0 "" vbusctl device detach d1 bus vm2
expect "detach removed the link" test ! -e $C/instances/vm2/d1
run 2 'Error: device "d1" is not on bus "vm2".' vbusctl device detach d1 bus vm2
mkdir $C/devices/untyped
run 2 'Error: device "untyped" cannot be attached: it has no type.' \
	vbusctl device attach untyped bus vm1
rmdir $C/devices/untyped

# Completion from the running system, as bash does it.
complete_words() {
	bash -c 'source /usr/share/bash-completion/bash_completion
		_completion_loader vbusctl
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_vbusctl; echo "${COMPREPLY[*]}"' _ "$@"
}
expect_eq "complete bus commands" "add del set show xml help" "$(complete_words vbusctl bus "")"
expect_eq "complete device show filters" "d1 d2 bus type" "$(complete_words vbusctl device show "")"
expect_eq "complete stats" "watch -w -o output bus device help" "$(complete_words vbusctl stats "")"
expect_eq "complete stats -o" "text json prometheus" "$(complete_words vbusctl stats -o "")"
expect_eq "complete stats watch: an interval" "" "$(complete_words vbusctl stats watch "")"
expect_eq "complete monitor" "all class bus device link member help" \
	"$(complete_words vbusctl monitor "")"
expect_eq "complete bus names" "vm1 vm2 vm3" "$(complete_words vbusctl bus del "")"
expect_eq "complete bus keywords" "owner group mode local" "$(complete_words vbusctl bus set vm1 "")"
expect_eq "complete classes" "test" "$(complete_words vbusctl device add dx type "")"
expect_eq "complete device names" "d1 d2" "$(complete_words vbusctl -j device set "")"
expect_eq "complete the priority and writable class attributes" "priority greeting" \
	"$(complete_words vbusctl device set d1 "")"
expect_eq "complete the attribute after a pair" "priority greeting" \
	"$(complete_words vbusctl device set d1 greeting x "")"
expect_eq "complete no value of priority" "" "$(complete_words vbusctl device set d1 priority "")"
expect_eq "complete the priority at add" "priority" \
	"$(complete_words vbusctl device add dx type test "")"
expect_eq "complete the bus of attach" "vm1 vm2 vm3" \
	"$(complete_words vbusctl device attach d1 bus "")"

# Deleting what is linked: the links go with it, nothing else.
run 0 "" vbusctl device del d2
expect "device del removed the device" test ! -e $C/devices/d2
expect "and its link" test ! -e $C/instances/vm1/d2
run 0 "" vbusctl bus del vm1
expect "bus del removed the bus" test ! -e $C/instances/vm1
expect "but not the device" test -d $C/devices/d1
run 0 "" vbusctl device del d1
run 0 "" vbusctl bus del vm2
run 0 "" vbusctl bus del vm3

# Batch: the same commands, stopping at the failing line.
cat > batch <<'B'
bus add vmb mode 0660
device add db type test
device attach db bus vmb
device attach db bus nosuch   # fails
bus del vmb
B
out=$(vbusctl -batch batch 2>&1); rc=$?
expect_eq "batch failing at line 4" \
	"$(printf 'Error: bus "nosuch" does not exist.\nCommand failed batch:4')/2" "$out/$rc"
expect "the lines before it took effect" test -L $C/instances/vmb/db
out=$(printf 'device del db\nbus del vmb\n' | vbusctl -b - 2>&1); rc=$?
expect_eq "batch from stdin" "/0" "$out/$rc"
rm -f batch

expect "rmmod vbus-test vbus" rmmod vbus-test vbus
userdel vbtester 2>/dev/null; groupdel vbgroup 2>/dev/null
true
