# vbusctl's statistics under venet traffic: device show keeps counters behind
# -s, the watch view's rates add up to the frames and signals actually moved
# (rate x interval summed over the intervals, against pktgen's frames and the
# connection's counters: no timing assumption), its ratios are the rates'
# quotients, the busiest connection comes first; the Prometheus export parses
# with python3-prometheus-client's parser and says what vbusctl -j says.
source ./lib.bash

COUNT=${VENET_STATS_COUNT:-20000}
CFG=/sys/kernel/config/vbus
IF=vst0

modprobe venet-tap || fail "loading venet-tap"
modprobe pktgen || fail "loading pktgen"
for n in 0 1; do
	mkdir $CFG/instances/vs$n $CFG/devices/vsd$n || fail "mkdir"
	echo venet-tap > $CFG/devices/vsd$n/type && echo vst$n > /sys/vbus/devices/vsd$n/ifname ||
		fail "typing"
	ln -s $CFG/devices/vsd$n $CFG/instances/vs$n/vsd$n || fail "linking"
	sysctl -qw net.ipv6.conf.vst$n.disable_ipv6=1
	ip link set vst$n up || fail "up"
done

# device show: settings only; -s the counters; -s -s the queues
expect_eq "device show: the settings" "ifname vst0 mtu 1500 coalesce 32 connected 0" \
	"$(vbusctl device show vsd0 | awk '$1 ~ /^(ifname|mtu|coalesce|connected)$/ { printf "%s%s %s", s, $1, $2; s = " " }')"
expect "device show: no counter" bash -c "! vbusctl device show vsd0 | grep -q 'overruns\|rxq\|stats'"
expect "-s device show: the device's counters on one line, no queue" \
	bash -c "vbusctl -s device show vsd0 | grep -qx '    stats: rx_overruns 0 rx_truncated 0 tx_bad 0 tx_by_kick 0 ring_errors 0' &&
		! vbusctl -s device show vsd0 | grep -q queue"
expect "-s -s device show: one line per queue" \
	bash -c "vbusctl -s -s device show vsd0 | grep -qx '    queue rxq: produced 0 consumed 0 signals 0 suppressed 0 errors 0' &&
		vbusctl -s -s device show vsd0 | grep -qx '    queue txq: produced 0 consumed 0 signals 0 suppressed 0 errors 0'"
expect "-j -s -s device show: typed values" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output(["vbusctl", "-j", "-s", "-s", "device", "show", "vsd0"]))[0]
a = d["attributes"]
sys.exit(not (a["ifname"] == "vst0" and a["mtu"] == 1500 and a["coalesce"] == 32 and
	      a["connected"] is False and len(a["host_mac"]) == 17 and
	      d["stats"] == {"rx_overruns": 0, "rx_truncated": 0, "tx_bad": 0, "tx_by_kick": 0,
			     "ring_errors": 0} and
	      d["queues"]["rxq"] == {"produced": 0, "consumed": 0, "signals": 0,
				     "suppressed": 0, "errors": 0} and set(d["queues"]) == {"rxq", "txq"}))'

# Two clients, each echoing what it receives; only vs0 gets traffic.
./venet-count vs0 0 echo 40 > /tmp/echo0.out & echo0=$!
./venet-count vs1 0 echo 40 > /tmp/echo1.out & echo1=$!
for i in $(seq 100); do
	[ "$(cat /sys/class/net/vst0/carrier)$(cat /sys/class/net/vst1/carrier)" = 11 ] && break
	sleep 0.1
done
[ "$(cat /sys/class/net/vst0/carrier)$(cat /sys/class/net/vst1/carrier)" = 11 ] ||
	fail "no carrier for the echo clients"
expect_eq "-j device show: connected is a boolean" True \
	"$(vbusctl -j device show vsd0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["attributes"]["connected"])')"

vbusctl -j stats bus vs0 > /tmp/stats-before.json || fail "stats before"
vbusctl -j stats watch 1 > /tmp/watch.json & watch=$!
vbusctl stats -w 1 > /tmp/watch.txt & watchtxt=$!
# and one on a terminal (a pty of script(1)), 12 rows high
script -qfec "stty rows 12 cols 150; vbusctl stats -w 1 count 6" /dev/null > /tmp/watch.tty &
watchtty=$!
sleep 1.5	# the watchers took their first reading

rx0=$(cat /sys/class/net/vst0/statistics/rx_packets)
PG=/proc/net/pktgen
echo "rem_device_all" > $PG/kpktgend_0
echo "add_device vst0" > $PG/kpktgend_0
# paced (5000 frames a second at most), for a few readings with traffic
for c in "count $COUNT" "pkt_size 60" "burst 32" "delay 200000" "dst_mac ff:ff:ff:ff:ff:ff" \
	"dst 198.18.2.2"; do
	echo "$c" > $PG/vst0 || fail "pktgen: $c"
done
echo start > $PG/pgctrl
sent=$(sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' $PG/vst0)
echo "rem_device_all" > $PG/kpktgend_0
# every frame echoed back: the host netdev received them all
for i in $(seq 300); do
	[ $(( $(cat /sys/class/net/vst0/statistics/rx_packets) - rx0 )) -ge $sent ] && break
	sleep 0.1
done
expect_eq "the client echoed all $sent frames" $sent \
	$(( $(cat /sys/class/net/vst0/statistics/rx_packets) - rx0 ))
sleep 2.5	# a whole interval after the traffic
vbusctl -j stats bus vs0 > /tmp/stats-after.json || fail "stats after"
kill $watch $watchtxt
wait $watch || fail "vbusctl stats watch -j did not end cleanly on SIGTERM"
wait $watchtxt || fail "vbusctl stats -w did not end cleanly on SIGTERM"
wait $watchtty || fail "vbusctl stats -w count 6 on a terminal failed"
vbusctl stats -o prometheus > /tmp/prom.txt || fail "stats -o prometheus"
vbusctl -j -s -s device show > /tmp/devices.json || fail "device show"
echo "  vbusctl -s device show vsd0:"; vbusctl -s device show vsd0 | sed 's/^/    /'
echo "  vbusctl -s -s device show vsd0 (queues):"
vbusctl -s -s device show vsd0 | grep queue | sed 's/^/    /'
echo "  vbusctl stats -w 1, not a terminal, the last reading:"
tail -n 4 /tmp/watch.txt | sed 's/^/    /'
echo "  vbusctl stats -o prometheus:"; sed 's/^/    /' /tmp/prom.txt

expect "watch on a terminal: the screen redrawn, cut to its height" python3 - <<'PY'
screens = open("/tmp/watch.tty", encoding="utf-8").read().split("\033[H\033[2J")[1:]
assert len(screens) == 6, screens
for sc in screens:
    lines = sc.replace("\r", "").rstrip("\n").split("\n")
    assert lines[0].startswith("vbus connections, per second over ") and \
        lines[0].endswith("(Ctrl-C quits)"), lines
    assert len(lines) <= 12 - 2, lines
# the busiest screen, as an operator saw it
def frames_in(sc):
    v = sc.split("\n")[2].split()[9]
    return 0 if v == "-" else float(v.rstrip("kMG")) * {"k": 1e3, "M": 1e6, "G": 1e9}.get(v[-1], 1)
busiest = max(screens, key=frames_in)
assert frames_in(busiest) > 0, screens
open("/tmp/watch.busiest", "w").write(busiest.replace("\r", ""))
PY
echo "  vbusctl stats -w 1 on a terminal (150x12), the busiest screen:"
sed 's/^/    /' /tmp/watch.busiest
script -qfec "stty rows 5 cols 150; vbusctl stats -w 0.2 count 1" /dev/null > /tmp/watch.tty5 ||
	fail "watch on a 5-row terminal"
expect_eq "watch on a 5-row terminal: one connection and how many more" \
	"$(printf '%s\n' BUS vs0 '...')" \
	"$(sed 's/\r$//; s/^.*\x1b\[2J//' /tmp/watch.tty5 | awk 'NR > 1 { print $1 }')"

expect "watch -j: the rates add up to the frames and signals moved" python3 - $sent <<'PY'
import json, math, sys

sent = int(sys.argv[1])
lines = [json.loads(l) for l in open("/tmp/watch.json")]
before = json.load(open("/tmp/stats-before.json"))[0]
after = json.load(open("/tmp/stats-after.json"))[0]
assert len(lines) >= 3, lines
total = {}
for l in lines:
    conns = l["connections"]
    assert [c["bus"] for c in conns if c["bus"] in ("vs0", "vs1")] != [], l
    # sorted by the busiest: kicks + signals
    busy = [c["rates"]["qnotify"] + c["rates"]["inject"] for c in conns]
    assert busy == sorted(busy, reverse=True), l
    for c in conns:
        if c["bus"] != "vs0":
            continue
        r, q = c["rates"], c["ratios"]
        for k in ("qnotify", "qinject", "inject", "suppressed", "frames_in", "frames_out"):
            total[k] = total.get(k, 0) + r[k] * l["interval"]
        # the ratios are the rates' quotients
        def same(ratio, num, den):
            return ratio is None if den == 0 else math.isclose(ratio, num / den, rel_tol=1e-6)
        assert same(q["suppressed_per_interrupt"], r["suppressed"], r["qinject"]), c
        assert same(q["frames_per_kick"], r["frames_out"], r["qnotify"]), c
        assert same(q["frames_per_interrupt"], r["frames_in"], r["qinject"]), c
        assert math.isclose(r["suppressed"], r["inject"] - r["qinject"], abs_tol=1e-6), c

def near(what, got, want):
    if abs(got - want) > max(2, want * 0.01):
        sys.exit("%s: the rates add up to %.1f, want %d" % (what, got, want))
    print("  %s: %.1f, want %d" % (what, got, want))

near("frames to the client", total["frames_in"], sent)
near("frames from the client", total["frames_out"], sent)
for k in ("qnotify", "qinject", "inject"):
    near(k, total[k], after["stats"][k] - before["stats"][k])
# the busy interval: vs0 first, with signals saved
busiest = max(lines, key=lambda l: l["connections"][0]["rates"]["frames_in"] or 0)
assert busiest["connections"][0]["bus"] == "vs0", busiest
assert total["qinject"] < sent, "an interrupt per frame: nothing coalesced"
PY

expect "watch (text): a header and one line per connection, the busy one first" python3 - <<'PY'
import sys
blocks = open("/tmp/watch.txt").read().strip().split("\n\n")
assert len(blocks) >= 3 and "\033" not in "".join(blocks), blocks
for b in blocks:
    lines = b.split("\n")
    assert lines[0].startswith("vbus connections, per second over "), lines
    assert lines[1].split()[:4] == ["BUS", "MEMBER", "PID", "KICKS"], lines
    assert sorted(l.split()[0] for l in lines[2:]) == ["vs0", "vs1"], lines
busy = [b for b in blocks if b.split("\n")[2].split()[0] == "vs0" and
        b.split("\n")[2].split()[9] not in ("0", "-")]
assert busy, blocks
PY

expect "the Prometheus export parses and says what vbusctl -j says" python3 - $sent <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families

sent = int(sys.argv[1])
text = open("/tmp/prom.txt").read()
fam = {f.name: f for f in text_string_to_metric_families(text)}
stats = json.loads(open("/tmp/stats-after.json").read())[0]
assert fam["vbus_connection_qnotify"].type == "counter"
assert fam["vbus_connection_info"].type == "gauge"
for k in ("events", "qnotify", "qinject", "notify", "inject", "bridgecalls", "buscalls"):
    assert "# TYPE vbus_connection_%s_total counter" % k in text or \
        "# TYPE vbus_connection_%s counter" % k in text, k
    s = [s for s in fam["vbus_connection_" + k].samples
         if s.labels["bus"] == "vs0" and s.name.endswith("_total")]
    assert len(s) == 1 and s[0].labels["member"] == str(stats["member"]), s
    assert s[0].value >= stats["stats"][k], (k, s, stats)
info = [s for s in fam["vbus_connection_info"].samples if s.labels["bus"] == "vs0"]
assert info[0].labels["pid"] == str(stats["pid"]) and info[0].value == 1, info
devs = {d["name"]: d for d in json.load(open("/tmp/devices.json"))}
q = {(s.labels["device"], s.labels["queue"]): s.value
     for s in fam["vbus_device_queue_produced"].samples}
assert q[("vsd0", "rxq")] == devs["vsd0"]["queues"]["rxq"]["produced"] >= sent, q
assert q[("vsd1", "rxq")] == devs["vsd1"]["queues"]["rxq"]["produced"], q
o = {s.labels["device"]: s for s in fam["vbus_device_rx_overruns"].samples}
assert o["vsd0"].value == 0 and o["vsd0"].labels["class"] == "venet-tap", o
for f in fam.values():
    assert f.documentation, f.name
PY
expect_eq "stats -o prometheus bus vs1: only its connection" 'vs1' \
	"$(vbusctl stats -o prometheus bus vs1 | sed -n 's/^vbus_connection_info{bus="\([^"]*\)".*/\1/p' | sort -u)"
expect "stats -o prometheus device vsd1: only its devices" \
	bash -c "vbusctl stats -o prometheus device vsd1 | grep -q 'device=\"vsd1\"' &&
		! vbusctl stats -o prometheus device vsd1 | grep -q 'vsd0\|bus=\"vs0\"'"

# errors
run() {	# run STATUS STDERR COMMAND...
	local status=$1 msg=$2 err; shift 2
	err=$("$@" 2>&1 >/dev/null); local got=$?
	[ $got = "$status" ] && [ "$err" = "$msg" ] ||
		fail "$*: exit $got \"$err\", expected $status \"$msg\""
	pass "$* ($status)"
}
run 1 'Error: argument "0" is wrong: interval must be 0.1 to 3600 seconds' vbusctl stats -w 0
run 1 'Error: argument "xml" is wrong: expected one of text, json, prometheus.' \
	vbusctl stats -o xml
run 1 'Error: argument "prometheus" is wrong: watch prints text or json' \
	vbusctl stats watch -o prometheus
run 1 'Error: argument "count" is wrong: count is for watch' vbusctl stats count 2
run 2 'Error: bus "nosuch" does not exist.' vbusctl stats -w 1 bus nosuch
run 2 'Error: device "nosuch" does not exist.' vbusctl stats -o prometheus device nosuch
expect_eq "watch count 2: two readings" 2 "$(vbusctl -j stats watch 0.2 count 2 | wc -l)"

kill $echo0 $echo1 2>/dev/null; wait $echo0 $echo1
for n in 0 1; do
	rm $CFG/instances/vs$n/vsd$n && rmdir $CFG/instances/vs$n $CFG/devices/vsd$n ||
		fail "teardown"
done
rmmod pktgen venet-tap vbus || fail "unloading"
true
