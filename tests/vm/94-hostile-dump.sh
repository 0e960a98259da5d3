# A hostile bus member (doc/security.md), issue 13: one large bus never
# breaks a dump. A nobody opens 300 memberships of a bus; every reader
# (vbusctl through libvbus, the genl dump of all buses) still sees every
# bus and every member: the kernel continues a bus too large for one message
# in the next ones and libvbus merges them.
source ./lib.bash

sysctl -qw kernel.panic_on_oops=1 || fail "panic_on_oops"
modprobe vbus-test || fail "loading vbus-test"
vbusctl bus add big mode 0666 && vbusctl bus add small &&
vbusctl device add dd type test && vbusctl device attach dd bus big &&
vbusctl device attach dd bus small || fail "setting up"

id vbususer >/dev/null 2>&1 || useradd -M -U vbususer
setpriv --reuid="$(id -u vbususer)" --regid="$(id -g vbususer)" --clear-groups \
	python3 -c 'import os, time
fds = [os.open("/dev/vbus/big", os.O_RDONLY) for i in range(300)]
open("/tmp/held", "w").close()
time.sleep(600)' &
holder=$!
for i in $(seq 100); do [ -e /tmp/held ] && break; sleep 0.2; done
[ -e /tmp/held ] || fail "the member did not open its 300 memberships"

j=$(vbusctl -j bus show) || fail "vbusctl bus show failed"
expect "every bus, every member, the devices once" python3 -c '
import json, sys
j = {b["name"]: b for b in json.loads(sys.argv[1])}
big = j["big"]
sys.exit(0 if sorted(j) == ["big", "small"] and len(big["members"]) == 300 and
	 len({m["id"] for m in big["members"]}) == 300 and len(big["devices"]) == 1 and
	 len(j["small"]["devices"]) == 1 else 1)' "$j"
expect_eq "bus show big -j: the one bus, complete" 300 \
	"$(vbusctl -j bus show big | python3 -c 'import json, sys; print(len(json.load(sys.stdin)[0]["members"]))')"
expect "a get of that bus: EMSGSIZE, it does not fit one message" python3 -c '
import errno, vbus
try:
	vbus.Genl().request(vbus.CMD["BUS_GET"], [vbus.nla(vbus.A_BUS["name"], "big")])
except OSError as e:
	raise SystemExit(e.errno != errno.EMSGSIZE)
raise SystemExit(1)'

kill $holder; wait $holder 2>/dev/null; rm -f /tmp/held
vbusctl device detach dd bus big && vbusctl device detach dd bus small
vbusctl bus del big && vbusctl bus del small && vbusctl device del dd
expect "rmmod vbus-test vbus" rmmod vbus-test vbus
