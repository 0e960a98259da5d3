# vbus-ioq-selftest.ko: the portable IOQ ring built for the kernel passes its
# self-test and a two-thread run with a checksum at load time, then unloads.
source ./lib.bash

# A marker, not a line count: the ring buffer may be full and turning over.
mark="vbus-test: 30-ioq mark $$ $RANDOM"
echo "$mark" > /dev/kmsg
ioq_loaded=$(grep -c '^vbus_ioq ' /proc/modules)
expect "modprobe vbus-ioq-selftest (load runs the self-test)" modprobe vbus-ioq-selftest
# One ring for everyone: vbus-ioq.ko carries and exports it, its users link
# it, and a driver needs no vbus.ko for it (a guest has none).
expect "vbus-ioq.ko exports ioq_post" grep -Eq ' ioq_post[[:space:]]+\[vbus_ioq\]$' /proc/kallsyms
expect "the self-test module uses vbus-ioq.ko's ring" test -e /sys/module/vbus_ioq/holders/vbus_ioq_selftest
expect "no other module carries a copy of the ring" \
	bash -c '! grep -E " ioq_(post|consume)[[:space:]]+\[" /proc/kallsyms | grep -v "\[vbus_ioq\]$"'
deps() { modinfo -F depends "$1" | tr , '\n'; }
expect "venet-tap links vbus-ioq.ko's ring" bash -c "$(declare -f deps); deps venet-tap | grep -qx vbus-ioq"
expect "vbus-enet links it and needs no vbus.ko" \
	bash -c "$(declare -f deps); deps vbus-enet | grep -qx vbus-ioq && ! deps vbus-enet | grep -qx vbus"
expect "vbus_ioq_selftest is listed in /proc/modules" grep -q '^vbus_ioq_selftest ' /proc/modules
log=$(dmesg | sed -n "\|$mark|,\$p" | grep 'vbus_ioq_selftest:')
echo "$log" | sed 's/^/  | /'
expect "the kernel log reports the self-test passed" grep -q 'self-test passed' <<<"$log"
expect "the two-thread run's checksum matched" grep -q 'checksum ok, errors 0/0' <<<"$log"
expect "rmmod vbus-ioq-selftest" rmmod vbus-ioq-selftest
expect "the module is gone after rmmod" bash -c '! grep -q "^vbus_ioq_selftest " /proc/modules'
[ "$ioq_loaded" = 1 ] || rmmod vbus-ioq
