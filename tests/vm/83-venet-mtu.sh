# venet-tap's mtu attribute: the netdev's MTU, writable like ip link set mtu
# (vbus topologies set it), with the netdev's own range.
source ./lib.bash

vbusctl device add vm0 type venet-tap ifname vmtu0 || fail "device add"
A=/sys/vbus/devices/vm0/mtu
expect_eq "mtu reads the netdev's" "$(cat /sys/class/net/vmtu0/mtu)" "$(cat $A)"
expect "write 9000" bash -c "echo 9000 > $A"
expect_eq "the netdev has it" 9000 "$(cat /sys/class/net/vmtu0/mtu)"
ip link set vmtu0 mtu 1400
expect_eq "ip link set mtu shows in the attribute" 1400 "$(cat $A)"
expect_errno "Invalid argument" "9001 is above the range" bash -c "echo 9001 > $A"
expect_errno "Invalid argument" "67 is below the range" bash -c "echo 67 > $A"
expect_errno "Invalid argument" "not a number" bash -c "echo big > $A"
expect_eq "failed writes changed nothing" 1400 "$(cat $A)"
expect "vbusctl device set mtu" vbusctl device set vm0 mtu 1500
expect_eq "through vbusctl" 1500 "$(cat /sys/class/net/vmtu0/mtu)"

# What ip(8) changes behind the attributes is announced like a write.
vbusctl monitor device > mon.txt & mp=$!
sleep 1
ip link set vmtu0 mtu 1400
ip link set vmtu0 name vmtu1
ip link set vmtu1 address 02:00:00:00:00:01
ip link set vmtu1 mtu 1400		# unchanged: no event
sleep 1
kill $mp; wait $mp
expect_eq "attribute events for mtu, ifname and host_mac" "mtu ifname host_mac" \
	"$(sed -n 's/^\[device\] attr .* attribute //p' mon.txt | tr '\n' ' ' | sed 's/ $//')"
rm -f mon.txt
vbusctl device del vm0
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
