# vbusd's ivshmem server (doc/abi/guest.md, "Userspace") with a real QEMU as
# its client: QEMU's ivshmem-doorbell device connects at device creation,
# takes the greeting, the region and the eventfds, and maps the region; the
# machine stays paused (-S), so no guest boots. Checked: the socket's owner
# and mode, the guest connection as a bus member (QEMU's pid, marked guest,
# its own counters in vbusctl -s bus show), a second QEMU refused, the
# connection kept across a restart of vbusd (systemd's fd store), QEMU
# SIGKILL, a non-owner refused, the socket gone with the topology's "guest".
source ./lib.bash

TD=/etc/vbus/topology.d
IVS=/run/vbusd/ivshmem
MON=/tmp/58-mon
mkdir -p $TD $MON
chmod 1777 $MON	# QEMU run as other users makes its monitor socket there
rm -f $TD/*.json /var/lib/vbus/state.json

members() {	# members BUS: how many members the kernel lists
	vbusctl -j bus show "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)[0]["members"]))'
}
members_are() { [ "$(members "$1")" = "$2" ]; }	# members_are BUS N
# guest_member BUS [-s]: the guest members of BUS as "pid guest" and, with
# -s, each guest counter as "name value" (sorted), from vbusctl -j.
guest_member() {
	vbusctl -j ${2:-} bus show "$1" | python3 -c '
import json, sys
for m in json.load(sys.stdin)[0]["members"]:
    if m["guest"]:
        print(m["pid"], m["guest"])
        for k, v in sorted(m.get("guest_stats", {}).items()):
            print(k, v)'
}
cursor() { journalctl -q -u vbusd -n 0 --show-cursor | sed -n 's/^-- cursor: //p'; }
# qemu NAME BUS VECTORS [USER]: a paused QEMU with the bus's ivshmem-doorbell;
# its pid in $qpid, its HMP monitor on $MON/NAME.
qemu() {
	local run=()
	[ $# -ge 4 ] && run=(setpriv --reuid="$(id -u "$4")" --regid="$(id -g "$4")" --clear-groups)
	rm -f "$MON/$1"
	"${run[@]}" qemu-system-x86_64 -machine q35,accel=tcg -nodefaults -display none -S \
		-chardev socket,path="$IVS/$2.sock",id=ivs \
		-device ivshmem-doorbell,chardev=ivs,vectors="$3" \
		-monitor unix:"$MON/$1",server=on,wait=off > "$MON/$1.out" 2>&1 &
	qpid=$!
}
hmp() {	# hmp NAME COMMAND: a monitor command's output
	python3 - "$MON/$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)
def until_prompt():
    out = b""
    while not out.endswith(b"(qemu) "):
        out += s.recv(65536)
    return out
until_prompt()
s.sendall(sys.argv[2].encode() + b"\n")
print(until_prompt().decode(errors="replace"))
PY
}

cat > $TD/50-guest.json <<'JSON'
{ "buses": [ { "name": "g1", "guest": { "size": "1M", "vectors": 4 }, "devices": ["gnet"] },
             { "name": "g2", "owner": "nobody", "guest": true } ],
  "devices": [ { "name": "gnet", "class": "venet-tap" } ] }
JSON
expect "systemctl restart vbusd" systemctl restart vbusd
expect_soon "the socket of g1" test -S $IVS/g1.sock
expect_eq "g1's socket: root's, 0600" "root 600" "$(stat -c '%U %a' $IVS/g1.sock)"
expect_eq "g2's socket: the bus owner's, 0600" "nobody 600" "$(stat -c '%U %a' $IVS/g2.sock)"
expect "vbusctl bus xml names the socket and the vectors" bash -c \
	"vbusctl bus xml g1 vectors 4 | grep -q \"<server path='$IVS/g1.sock'/>\" &&
	 vbusctl bus xml g1 vectors 4 | grep -q \"<msi vectors='4' ioeventfd='on'/>\""

before=$(members g1)
c=$(cursor)
qemu q1 g1 4
expect_soon "QEMU's monitor is up" test -S $MON/q1
pci=$(hmp q1 "info pci")
expect "QEMU has the ivshmem device (1af4:1110)" grep -q "1af4:1110" <<<"$pci"
expect_soon "vbusd logged the guest with QEMU's pid" bash -c \
	"journalctl -q -u vbusd --after-cursor='$c' -o cat | grep -q 'ivshmem g1: guest connected (pid $qpid, 4 vectors, 1048576 bytes)'"
expect_eq "the guest connection is a member of g1" $((before + 1)) "$(members g1)"
expect_eq "the guest member is QEMU's pid, marked guest (vbusctl -j bus show)" \
	"$qpid True" "$(guest_member g1)"
expect "the text marks it too: member pid $qpid id N guest" bash -c \
	"vbusctl bus show g1 | grep -Eq '^    member pid $qpid id [0-9]+ guest\$'"
expect "sysfs names QEMU's pid" test -e /sys/vbus/instances/g1/members/$qpid
expect_eq "no other member is marked guest" 1 \
	"$(vbusctl -j bus show g1 | python3 -c 'import json, sys; print(sum(m["guest"] for m in json.load(sys.stdin)[0]["members"]))')"
# A paused QEMU: nothing refused; resets counts the format at creation.
expect_eq "vbusctl -j -s bus show: the guest's own counters" \
	"$(printf '%s\n' "$qpid True" "bad_kick 0" "bad_request 0" "queue_overflow 0" "resets 1")" \
	"$(guest_member g1 -s)"
expect "the text has the guest line after the member counters" bash -c \
	"vbusctl -s bus show g1 | grep -A2 'member pid $qpid ' | tail -1 |
	 grep -Eq '^        guest bad_request 0 bad_kick 0 queue_overflow 0 resets 1\$'"
expect "vbusctl -j stats bus g1 has guest_stats for QEMU's member only" bash -c \
	"vbusctl -j stats bus g1 | python3 -c 'import json, sys
s = json.load(sys.stdin)
assert [c[\"pid\"] for c in s if \"guest_stats\" in c] == [$qpid], s
assert {c[\"pid\"]: c for c in s}[$qpid][\"guest_stats\"][\"resets\"] == 1'"
gm=$(vbusctl -j stats bus g1 | python3 -c "import json, sys
print(*[c['member'] for c in json.load(sys.stdin) if c['pid'] == $qpid])")
expect_eq "vbusctl stats -o prometheus bus g1: the guest counters, QEMU's member only" \
	"$(printf 'vbus_guest_%s_total{bus="g1",member="%s"} %s\n' bad_request "$gm" 0 \
		bad_kick "$gm" 0 queue_overflow "$gm" 0 resets "$gm" 1)" \
	"$(vbusctl stats -o prometheus bus g1 | grep '^vbus_guest_')"
expect "QEMU mapped the region shared, 1 MiB" python3 - $qpid <<'PY'
import sys
for line in open(f"/proc/{sys.argv[1]}/maps"):
    span, perms = line.split()[:2]
    start, end = (int(x, 16) for x in span.split("-"))
    if perms == "rw-s" and end - start == 1 << 20:
        sys.exit(0)
sys.exit(1)
PY

# One guest at a time: a second QEMU's device is refused.
c=$(cursor)
q1=$qpid
qemu q2 g1 4
q2=$qpid qpid=$q1
for i in $(seq 100); do kill -0 $q2 2>/dev/null || break; sleep 0.1; done
expect "the second QEMU gave up" bash -c "! kill -0 $q2 2>/dev/null"
expect "it said why (vbusd answers a protocol version it does not speak)" \
	grep -q "server sent version -1, expecting 0" $MON/q2.out
expect_soon "vbusd logged the refusal" bash -c \
	"journalctl -q -u vbusd --after-cursor='$c' -o cat | grep -q 'ivshmem g1: refused a connection from pid $q2: pid $qpid is the bus.s guest'"
expect_eq "still one guest member" $((before + 1)) "$(members g1)"

# A restart of vbusd keeps the connection (the fd store).
c=$(cursor)
expect "systemctl restart vbusd, QEMU running" systemctl restart vbusd
expect_soon "vbusd took the guest back" bash -c \
	"journalctl -q -u vbusd --after-cursor='$c' -o cat | grep -q 'ivshmem g1: guest (pid $qpid) kept across the restart'"
expect_eq "the guest is still a member" $((before + 1)) "$(members g1)"
expect "QEMU still runs" kill -0 $qpid
expect_eq "the fd store holds g1's three fds and g2's socket" 4 \
	"$(systemctl show -P NFileDescriptorStore vbusd)"

# QEMU killed: vbusd closes the guest connection, the kernel tears it down.
c=$(cursor)
kill -9 $qpid; wait $qpid 2>/dev/null
expect_soon "vbusd saw QEMU go" bash -c \
	"journalctl -q -u vbusd --after-cursor='$c' -o cat | grep -q 'ivshmem g1: guest (pid $qpid) disconnected'"
expect_soon "the guest member is gone" members_are g1 "$before"
expect_eq "the fd store keeps only the sockets" 2 "$(systemctl show -P NFileDescriptorStore vbusd)"

# The next QEMU is served.
qemu q3 g1 4
expect_soon "a new QEMU connects" members_are g1 $((before + 1))
kill -9 $qpid; wait $qpid 2>/dev/null
expect_soon "and goes" members_are g1 "$before"

# VBUS_IOC_GUEST's pid, called directly (g1 has no guest now): the member
# is that process's; 0 is the caller's; -1 EINVAL; no such process ESRCH.
# ioc_guest PID: the errno's name, or "member PID guest [caller]" while the fd is open.
ioc_guest() {
	python3 - "$1" <<'PY'
import ctypes, errno, fcntl, json, os, struct, subprocess, sys
FMT = "QIIQQii"		# struct vbus_guest
IOC = (3 << 30) | (struct.calcsize(FMT) << 16) | (0xBE << 8) | 0x02
bus = os.open("/dev/vbus/g1", os.O_RDWR)
efd = (ctypes.c_int * 4)(*[os.eventfd(0) for _ in range(4)])
req = bytearray(struct.pack(FMT, 1 << 20, 2, 0, ctypes.addressof(efd),
                            ctypes.addressof(efd) + 8, -1, int(sys.argv[1])))
try:
    fd = fcntl.ioctl(bus, IOC, req)
except OSError as e:
    sys.exit(print(errno.errorcode[e.errno]))
out = subprocess.run(["vbusctl", "-j", "bus", "show", "g1"], capture_output=True, text=True).stdout
for m in json.loads(out)[0]["members"]:
    if m["guest"]:
        print("member", m["pid"], "guest" + (" caller" if m["pid"] == os.getpid() else ""))
os.close(fd)
PY
}
sleep 1000 & other=$!
nopid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
expect "pid $nopid does not exist" test ! -e /proc/$nopid
expect_eq "VBUS_IOC_GUEST pid -1: EINVAL" EINVAL "$(ioc_guest -1)"
expect_eq "VBUS_IOC_GUEST pid $nopid (none): ESRCH" ESRCH "$(ioc_guest $nopid)"
expect_eq "VBUS_IOC_GUEST pid of another process: the member is its" \
	"member $other guest" "$(ioc_guest $other)"
guest_is_caller() { ioc_guest 0 | grep -qx 'member [0-9]* guest caller'; }
expect "VBUS_IOC_GUEST pid 0: the caller's" guest_is_caller
kill $other; wait $other 2>/dev/null
expect_soon "and the guest fd's close ends each" members_are g1 "$before"

# g2 belongs to nobody: QEMU as nobody is served, as another user refused by the socket's mode.
id vbususer >/dev/null 2>&1 || useradd -M -U vbususer
before2=$(members g2)
qemu q4 g2 16 nobody
expect_soon "QEMU as the bus owner is served" members_are g2 $((before2 + 1))
kill -9 $qpid; wait $qpid 2>/dev/null
qemu q5 g2 16 vbususer
wait $qpid; rc=$?
expect "QEMU as another user fails" test $rc -ne 0
expect "QEMU said why" grep -q "Permission denied" $MON/q5.out
expect_eq "no guest member on g2" "$before2" "$(members g2)"

# A topology without "guest" removes the socket.
cat > $TD/50-guest.json <<'JSON'
{ "buses": [ { "name": "g1", "devices": ["gnet"] } ],
  "devices": [ { "name": "gnet", "class": "venet-tap" } ] }
JSON
expect "systemctl reload vbusd" systemctl reload vbusd
expect "g1's socket is gone" test ! -e $IVS/g1.sock
expect "g2's socket is gone with its bus" test ! -e $IVS/g2.sock
expect_eq "the fd store is empty" 0 "$(systemctl show -P NFileDescriptorStore vbusd)"

rm -f $TD/50-guest.json
expect "systemctl reload vbusd (empty topology)" systemctl reload vbusd

# A libvirt domain: its topology (the hook) makes the bus and the socket,
# the QEMU user's, before QEMU starts; the <shmem> element vbusctl prints
# connects QEMU. libvirtd finds the hook when it starts.
expect "systemctl restart libvirtd" systemctl restart libvirtd
{
	cat <<'XML'
<domain type='qemu'>
  <name>vbus-g3</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <metadata>
    <vbus:topology xmlns:vbus="https://vbus.invalid/xmlns/libvirt/1">
      { "buses": [ { "name": "g3", "guest": { "vectors": 4 } } ] }
    </vbus:topology>
  </metadata>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
XML
	vbusctl bus xml g3 vectors 4
	printf '  </devices>\n</domain>\n'
} > $MON/g3.xml
c=$(cursor)
expect "virsh define (a domain with a guest bus)" virsh define $MON/g3.xml
expect "virsh start" virsh start vbus-g3
expect_eq "the socket is the QEMU user's" "libvirt-qemu 600" "$(stat -c '%U %a' $IVS/g3.sock)"
qpid=$(cat /run/libvirt/qemu/vbus-g3.pid)
expect_soon "QEMU (pid $qpid) is the guest of g3" bash -c \
	"journalctl -q -u vbusd --after-cursor='$c' -o cat | grep -q 'ivshmem g3: guest connected (pid $qpid, 4 vectors'"
expect "virsh destroy" virsh destroy vbus-g3
expect_soon "the bus and its socket are gone with the domain" test ! -e $IVS/g3.sock
virsh undefine vbus-g3 >/dev/null
systemctl stop libvirtd libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket 2>/dev/null
expect "systemctl stop vbusd" systemctl stop vbusd
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
rm -rf $MON
