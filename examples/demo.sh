# The README's main job, run in the VM by tools/main-job: load vbus and show
# its administrative interfaces. Read it as a walkthrough.
set -e
echo "== kernel $(uname -r), vbus module from the build"
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
echo "== vbusd applies examples/topologies (vbus-topology(5))"
for f in /usr/share/doc/vbus/examples/topologies/*.json; do
	echo "-- $f"
	if ! vbusctl topology check "$f"; then
		# venet-tap comes with its own module; without it the file is refused whole.
		echo "   (not applied: vbusd refused it, as shown)"
		continue
	fi
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
