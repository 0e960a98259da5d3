# Runs in the test VM (tests/packages.test): install the binary packages the
# way an administrator does, with the modules from the host's DKMS build,
# check what their maintainer scripts did, run the main job's demo from the
# installed files, then purge and check that only the administrator's
# topology files are left. The working directory holds the .debs, lib.bash
# and demo.sh; the image has no network, so apt must find every dependency
# installed already.
source ./lib.bash
export DEBIAN_FRONTEND=noninteractive
kver=$(uname -r)

# Everything named like vbus before the install (the harness's own units).
leftovers() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
		-iname '*vbus*' -print | grep -v '^/etc/vbus\(/topology\.d\(/.*\)\?\)\?$' | sort
}
before=$(leftovers)

# The image keeps dpkg from installing /usr/share/doc (tests/vm/mkimage);
# an administrator's system has it, and the examples the demo applies are there.
sed -i '\|^path-exclude=/usr/share/doc/|d' /etc/dpkg/dpkg.cfg.d/*

debs=(./*.deb)
echo "installing: ${debs[*]##*/}"
apt-get install -y -q ./*.deb || fail "apt-get install ./*.deb (status $?)"
for p in libvbus0 libvbus-dev vbus-tools vbusd "vbus-modules-$kver"; do
	expect_eq "$p installed" "install ok installed" "$(dpkg-query -W -f '${Status}' "$p")"
done

echo "-- what the maintainer scripts did"
expect_eq "vbusd.service enabled" enabled "$(systemctl is-enabled vbusd)"
# Type=notify: the postinst's systemctl start returned once vbusd was ready.
if [ "$(systemctl is-active vbusd)" != active ]; then
	systemctl --no-pager status vbusd
	journalctl --no-pager -b -u vbusd -u modprobe@vbus -u libvirtd
	fail "vbusd.service started by the postinst: $(systemctl is-active vbusd)"
fi
pass "vbusd.service started by the postinst"
expect "the unit loaded vbus (modprobe@vbus)" grep -q '^vbus ' /proc/modules
expect_eq "vbus.ko from the DKMS build" "/lib/modules/$kver/updates/dkms/vbus.ko" \
	"$(modinfo -F filename vbus)"
expect_eq "vbusd is the packaged one" /usr/sbin/vbusd \
	"$(readlink "/proc/$(systemctl show -P MainPID vbusd)/exe")"
expect "the libvirt hook is executable" test -x /etc/libvirt/hooks/qemu.d/vbus
expect_eq "the hook points into /usr/libexec" /usr/libexec/vbus/vbus-libvirt-hook \
	"$(readlink /etc/libvirt/hooks/qemu.d/vbus)"
expect "man vbusctl" man -w vbusctl
expect "man vbus-topology" man -w 5 vbus-topology
expect "bash completion" test -f /usr/share/bash-completion/completions/vbusctl
expect "libvbus.pc" test -f /usr/lib/x86_64-linux-gnu/pkgconfig/libvbus.pc

echo "-- the main job's demo, from the installed packages"
VBUS_EXAMPLES=/usr/share/doc/vbusd/examples bash ./demo.sh || fail "the demo failed (status $?)"
pass "the demo"
mapfile -t admin < <(ls /etc/vbus/topology.d/)
[ ${#admin[@]} -gt 0 ] || fail "the demo applied no topology into /etc/vbus/topology.d"

echo "-- purge"
apt-get purge -y -q libvbus0 libvbus-dev vbus-tools vbusd "vbus-modules-$kver" ||
	fail "apt-get purge (status $?)"
expect_eq "vbusd stopped" inactive "$(systemctl is-active vbusd)"
expect_eq "no package left" "" "$(dpkg-query -W -f '${Package} ${db:Status-Status}\n' \
	'*vbus*' 2>/dev/null | grep -v ' not-installed$' || true)"
expect "/var/lib/vbus removed" test ! -e /var/lib/vbus
expect "/run/vbusd removed" test ! -e /run/vbusd
expect_eq "the topology files stay" "${admin[*]}" "$(ls /etc/vbus/topology.d/ | xargs)"
expect_eq "nothing else named vbus is left" "$before" "$(leftovers)"
