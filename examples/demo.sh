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
