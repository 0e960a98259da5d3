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

# Count kernel changes during the no-change reloads from the events group.
vbusctl monitor bus device link > /tmp/events &
mon=$!
sleep 1
t2=$(now)
for i in 1 2 3; do systemctl reload vbusd; done	# returns when each reload is done
t3=$(now)
sleep 1
kill $mon
events=$(wc -l < /tmp/events)
status2=$(systemctl show -P StatusText vbusd)

python3 - "$t0" "$t1" "$t2" "$t3" "$rss" "$events" "$status" "$status2" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
rss, events, status, status2 = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8]
apply, reload = t1 - t0, (t3 - t2) / 3
print(f"initial apply:     {apply:8.2f} s   ({status})")
print(f"peak RSS of vbusd: {rss / 1024:8.1f} MiB")
print(f"no-change reload:  {reload:8.3f} s   ({status2}), {events} kernel events")
print(f"reload / apply:    {100 * reload / apply:8.2f} %  (limit 5 %)")
ok = events == 0 and reload <= 0.05 * apply and "(0 changes)" in status2
print("bench/vbusd:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY

rm -f $TD/50-bench.json
systemctl reload vbusd
systemctl stop vbusd
