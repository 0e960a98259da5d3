# bench/vbusd, in the guest: see README.md.
set -eu
TD=/etc/vbus/topology.d
buses=${VBUS_BENCH_BUSES:-1000}
per_bus=${VBUS_BENCH_DEVICES_PER_BUS:-4}
now() { date +%s.%N; }

mkdir -p $TD
rm -f $TD/*.json /var/lib/vbus/state.json
python3 - "$buses" "$per_bus" > $TD/50-bench.json <<'PY'
import json, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
print(json.dumps({
  "buses": [{"name": f"b{i}", "mode": "0660", "devices": [f"b{i}-d{j}" for j in range(k)]}
            for i in range(n)],
  "devices": [{"name": f"b{i}-d{j}", "class": "test", "attributes": {"greeting": f"g{i}"}}
              for i in range(n) for j in range(k)]}))
PY
modprobe vbus
modprobe vbus-test

t0=$(now)
systemctl start vbusd		# returns at READY=1, after the first convergence
t1=$(now)
pid=$(systemctl show -P MainPID vbusd)
status=$(systemctl show -P StatusText vbusd)
rss=$(awk '/VmHWM/ { print $2 }' /proc/$pid/status)

# systemd's own cost of a reload, for comparison: a unit whose reload is /bin/true.
cat > /run/systemd/system/bench-noop.service <<'UNIT'
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecReload=/bin/true
UNIT
systemctl daemon-reload
systemctl start bench-noop

# Each timed three times; count kernel changes meanwhile from the events group.
vbusctl monitor bus device link > /tmp/events &
mon=$!
sleep 1
t2=$(now)
for i in 1 2 3; do vbusctl topology reload > /dev/null; done	# the reload request itself
t3=$(now)
for i in 1 2 3; do systemctl reload vbusd; done	# ExecReload runs the same, via systemd
t4=$(now)
for i in 1 2 3; do systemctl reload bench-noop; done
t5=$(now)
sleep 1
kill $mon
events=$(wc -l < /tmp/events)
status2=$(systemctl show -P StatusText vbusd)
systemctl stop bench-noop
rm /run/systemd/system/bench-noop.service
# vbusd's own time for each convergence, from its log.
own=$(journalctl -u vbusd -o cat | sed -n 's/^Converged (\(start\|reload\)) in \([0-9.]*\) s: .*/\1 \2/p')

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$rss" "$events" "$status" "$status2" "$own" <<'PY'
import sys
t = list(map(float, sys.argv[1:7]))
rss, events, status, status2, own = int(sys.argv[7]), int(sys.argv[8]), *sys.argv[9:12]
apply = t[1] - t[0]
reload, sd_reload, noop = [(t[i + 1] - t[i]) / 3 for i in (2, 3, 4)]
own = [l.split() for l in own.splitlines()]
own_start = [float(s) for w, s in own if w == "start"][-1]
own_reload = [float(s) for w, s in own if w == "reload"]
own_reload = sum(own_reload) / len(own_reload)
pct = lambda x: f"{100 * x / apply:6.2f} %"
print(f"initial apply:            {apply:7.3f} s  (systemctl start; vbusd's own {own_start:.3f} s; {status})")
print(f"peak RSS of vbusd:        {rss / 1024:7.1f} MiB")
print(f"no-change reload:         {reload:7.3f} s  {pct(reload)}  (vbusctl topology reload)")
print(f"  vbusd's own work:       {own_reload:7.3f} s  {pct(own_reload)}")
print(f"  via systemctl reload:   {sd_reload:7.3f} s  {pct(sd_reload)}")
print(f"  systemd's floor:        {noop:7.3f} s  {pct(noop)}  (systemctl reload of a /bin/true unit)")
print(f"kernel events during the reloads: {events}; STATUS after: {status2}")
ok = events == 0 and reload <= 0.05 * apply and "(0 changes)" in status2
print(f"SUMMARY reload_vs_apply={reload / apply:.4f} kernel_events={events}")
print("bench/vbusd:", "PASS" if ok else "FAIL", "(target: no kernel event, reload <= 5 % of the apply)")
sys.exit(0 if ok else 1)
PY

rm -f $TD/50-bench.json
systemctl reload vbusd
systemctl stop vbusd
