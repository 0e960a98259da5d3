# vbus.ko: loads with modprobe, shows its configfs and sysfs roots, unloads.
source ./lib.bash

expect "modprobe vbus" modprobe vbus
expect "vbus is listed in /proc/modules" grep -q '^vbus ' /proc/modules
expect "configfs is mounted" mountpoint -q /sys/kernel/config
expect "/sys/kernel/config/vbus/instances exists" test -d /sys/kernel/config/vbus/instances
expect "/sys/kernel/config/vbus/devices exists" test -d /sys/kernel/config/vbus/devices
version=$(modinfo -F version vbus)
expect_eq "/sys/vbus/version is the module version" "$version" "$(cat /sys/vbus/version)"
expect "the module comes from the build (updates/vbus)" \
	bash -c 'modinfo -F filename vbus | grep -q "/updates/vbus/vbus.ko$"'
expect_errno "Permission denied" "/sys/vbus/version is read-only" \
	bash -c 'echo 1 > /sys/vbus/version'
expect_errno "Operation not permitted" "mkdir in the configfs root is refused" \
	mkdir /sys/kernel/config/vbus/other
expect "rmmod vbus" rmmod vbus
expect "/sys/kernel/config/vbus is gone after rmmod" test ! -e /sys/kernel/config/vbus
expect "/sys/vbus is gone after rmmod" test ! -e /sys/vbus
