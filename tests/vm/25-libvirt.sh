# The libvirt hook with libvirtd and a real QEMU domain (TCG) in the guest:
# a domain's buses appear at start, owned by the user QEMU runs as, and go at
# stop; a domain with an invalid topology is refused with vbusd's message;
# vbusd catches up with a domain that stopped while it was down, and starts
# without starting libvirtd when only its socket listens.
source ./lib.bash

CFS=/sys/kernel/config/vbus
HOOK=/etc/libvirt/hooks/qemu.d/vbus
DOMS=/run/vbusd/domains

domain() {	# domain NAME TOPOLOGY-JSON
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <metadata>
    <vbus:topology xmlns:vbus="https://vbus.invalid/xmlns/libvirt/1">
      $2
    </vbus:topology>
  </metadata>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
XML
}
wait_for() {
	local t=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1)); [ $t -gt 0 ] || return 1; sleep 0.1
	done
}

expect "the hook is installed" test -x $HOOK
expect "systemctl start vbusd" systemctl start vbusd
# libvirtd finds hooks when it starts.
expect "systemctl restart libvirtd" systemctl restart libvirtd

domain vbus-vm1 '{ "buses": [ { "name": "vm1-bus", "mode": "0600", "devices": ["vm1-dev"] } ],
        "devices": [ { "name": "vm1-dev", "class": "test" } ] }' > vm1.xml
expect "virsh define" virsh define vm1.xml
expect "virsh start (TCG domain)" virsh start vbus-vm1
expect "the domain's bus exists" test -d $CFS/instances/vm1-bus
expect_eq "owned by the user QEMU runs as" "$(id -u libvirt-qemu)" "$(cat $CFS/instances/vm1-bus/owner)"
expect "its device is linked" test -n "$(ls /sys/vbus/instances/vm1-bus/devices)"
expect "vbusctl topology status shows it" sh -c "vbusctl topology status | grep -q 'bus vm1-bus ok'"
expect "virsh destroy" virsh destroy vbus-vm1
expect "the bus is gone with the domain" wait_for 10 test ! -e $CFS/instances/vm1-bus
expect "and its device" test ! -e $CFS/devices/vm1-dev

domain vbus-bad '{ "buses": [ { "name": "bad-bus", "mode": "999" } ] }' > bad.xml
expect "virsh define (invalid topology)" virsh define bad.xml
out=$(virsh start vbus-bad 2>&1); rc=$?
[ $rc != 0 ] || fail "libvirt started a domain with an invalid topology"
case $out in
*'domain vbus-bad:'*'$.buses[0].mode: invalid mode "999"'*) pass "libvirt refused it with vbusd's message" ;;
*) fail "unexpected message: $out" ;;
esac
expect_eq "the domain is not running" "shut off" "$(virsh domstate vbus-bad)"
expect "no bus made" test ! -e $CFS/instances/bad-bus

xml=$(domain x '{}')
expect_eq "migrate passes the XML through" "$xml" "$(echo "$xml" | $HOOK x migrate begin -)"
expect_eq "restore passes the XML through" "$xml" "$(echo "$xml" | $HOOK x restore begin -)"

# A domain that stops while vbusd is down: vbusd catches up at start.
expect "virsh start again" virsh start vbus-vm1
expect "bus back" test -d $CFS/instances/vm1-bus
expect "systemctl stop vbusd" systemctl stop vbusd
virsh destroy vbus-vm1 >/dev/null 2>&1
expect "the bus outlived the domain (vbusd was down)" test -d $CFS/instances/vm1-bus
expect "systemctl start vbusd" systemctl start vbusd
expect "vbusd removed the stopped domain's bus" test ! -e $CFS/instances/vm1-bus
expect "and its topology file" test ! -e $DOMS/vbus-vm1.json

virsh undefine vbus-vm1 >/dev/null
virsh undefine vbus-bad >/dev/null

# libvirtd gone (its --timeout), its socket listening: vbusd starts without
# connecting, which would start libvirtd, ordered after vbusd (a deadlock
# until the watchdog kills vbusd).
expect "systemctl stop libvirtd" systemctl stop libvirtd
expect_eq "its socket listens" active "$(systemctl is-active libvirtd.socket)"
expect "systemctl restart vbusd" systemctl restart vbusd
expect_eq "vbusd did not start libvirtd" inactive "$(systemctl is-active libvirtd)"
systemctl stop libvirtd libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket 2>/dev/null
expect "systemctl stop vbusd" systemctl stop vbusd
rm -rf /var/lib/vbus/state.json $DOMS
rmmod vbus-test
expect "rmmod vbus" rmmod vbus
