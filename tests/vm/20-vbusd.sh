# vbusd under systemd: starts (Type=notify) once the module is there, reports
# status, reloads, stops.
source ./lib.bash

expect "vbusd.service is installed" systemctl cat vbusd.service
expect "systemctl start vbusd" systemctl start vbusd
expect_eq "vbusd is active" active "$(systemctl is-active vbusd)"
expect "modprobe@vbus loaded the module" test -d /sys/kernel/config/vbus
status=$(systemctl show -P StatusText vbusd)
expect_eq "vbusd reports the module in STATUS" "vbus kernel module $(cat /sys/vbus/version); no topology applied" "$status"
expect "systemctl reload vbusd" systemctl reload vbusd
expect_eq "vbusd is active after reload" active "$(systemctl is-active vbusd)"
expect "systemctl stop vbusd" systemctl stop vbusd
expect_eq "vbusd stopped cleanly" inactive "$(systemctl is-active vbusd)"
expect "rmmod vbus" rmmod vbus
