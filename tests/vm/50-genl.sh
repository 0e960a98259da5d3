# The "vbus" generic netlink family: dumps with filters, doit, strict
# policies, statistics, the events group, permissions.
source ./lib.bash

C=/sys/kernel/config/vbus
V="python3 ./vbus.py"
expect "modprobe vbus-test" modprobe vbus-test
mkdir $C/instances/g1 $C/instances/g2 $C/devices/gd1 $C/devices/gd2 $C/devices/gd3
echo test > $C/devices/gd1/type; echo test > $C/devices/gd2/type
ln -s $C/devices/gd1 $C/instances/g1/
ln -s $C/devices/gd2 $C/instances/g1/
ln -s $C/devices/gd2 $C/instances/g2/

expect "dumps, filters, doit, strict policies" $V genl
expect "statistics and their reset (root)" $V genl-stats yes

id vbususer >/dev/null 2>&1 || useradd -M -U vbususer
uid=$(id -u vbususer); gid=$(id -g vbususer)
echo $uid > $C/instances/g1/owner; echo $uid > $C/instances/g2/owner
expect "unprivileged: dumps allowed" setpriv --reuid=$uid --regid=$gid --clear-groups $V genl $uid
expect "unprivileged: statistics readable, reset refused (EPERM)" \
	setpriv --reuid=$uid --regid=$gid --clear-groups $V genl-stats no
expect "events group: the sequence of a bus's life" $V genl-events
expect "dumps in parts resume by key while buses and devices come and go" $V genl-resume 300 20
expect "unprivileged: may listen to events" \
	setpriv --reuid=$uid --regid=$gid --clear-groups python3 -c \
	'import vbus; g = vbus.Genl(); g.subscribe(); print("subscribed")'

rm $C/instances/g1/gd1 $C/instances/g1/gd2 $C/instances/g2/gd2
rmdir $C/instances/g1 $C/instances/g2 $C/devices/gd1 $C/devices/gd2 $C/devices/gd3
expect "rmmod vbus-test" rmmod vbus-test
expect "rmmod vbus" rmmod vbus
