# The README's main job, run in the VM by tools/main-job: load vbus and show
# its administrative interfaces, then a venet device with a userspace client
# answering ping through vbus. Read it as a walkthrough. VBUS_EXAMPLES: where
# the examples are installed (make install: /usr/share/doc/vbus/examples; the
# vbusd package: /usr/share/doc/vbusd/examples).
set -e
examples=${VBUS_EXAMPLES:-/usr/share/doc/vbus/examples}
echo "== kernel $(uname -r), the vbus module"
modprobe vbus
modinfo -F filename vbus
lsmod | grep '^vbus '
echo "== configfs: /sys/kernel/config/vbus"
ls -l /sys/kernel/config/vbus
echo "== sysfs: /sys/vbus/version = $(cat /sys/vbus/version)"
echo "== vbusd under systemd"
systemctl start vbusd
systemctl --no-pager status vbusd | sed -n '1,4p'
echo "== vbusctl -V"
vbusctl -V
echo "== a bus with a venet-tap device; its host netdev is demo0"
vbusctl bus add demo
vbusctl device add vn0 type venet-tap ifname demo0 client_mac 02:00:5e:00:00:02
vbusctl device attach vn0 bus demo
ip addr add 198.18.0.1/24 dev demo0
ip link set demo0 up
vbusctl device show vn0
echo "== venet-echo attached to bus demo, device 0, answering for 198.18.0.2"
venet-echo --bus demo --device 0 --address 198.18.0.2 &
echo_pid=$!
for i in $(seq 50); do
	[ "$(cat /sys/class/net/demo0/carrier)" = 1 ] && break
	sleep 0.1
done
ip -br link show demo0
echo "== ping from the host stack, through vbus, to a userspace process"
ping -c 5 -i 0.2 198.18.0.2
echo "== the bus's signal statistics: kicks (qnotify) and calls (qinject)"
vbusctl -s bus show demo
vbusctl stats
ip -s link show demo0
kill $echo_pid
wait $echo_pid
vbusctl device detach vn0 bus demo
vbusctl bus del demo
vbusctl device del vn0
echo "== vbusd applies examples/topologies (vbus-topology(5))"
for f in "$examples"/topologies/*.json; do
	echo "-- $f"
	vbusctl topology check "$f"
	vbusctl topology plan "$f"
	vbusctl topology apply "$f"
done
echo "== vbusctl topology status (desired against live)"
vbusctl topology status
echo "== the buses and devices vbusd made"
vbusctl bus show
vbusctl device show
echo "== a no-change reload touches nothing"
systemctl reload vbusd
systemctl show -P StatusText vbusd
