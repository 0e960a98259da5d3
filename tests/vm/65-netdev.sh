# libvbus host netdev operations (up/down, bridge master, network namespace)
# on real netdevs, through tests/helpers/netdev-op.
source ./lib.bash

op=./netdev-op
ip link add vbt0 type dummy && ip link add vbbr0 type bridge || fail "setting up"
ip netns add vbns

expect "up" $op vbt0 up
expect "the link is up" bash -c 'ip -o link show vbt0 | grep -q "<.*UP.*>"'
expect "down" $op vbt0 down
expect "the link is down" bash -c '! ip -o link show vbt0 | grep -q "<.*,UP.*>"'
expect "master bridge" $op vbt0 master vbbr0
expect "the bridge is its master" bash -c 'ip -o link show vbt0 | grep -q "master vbbr0"'
expect "nomaster" $op vbt0 nomaster
expect "no master any more" bash -c '! ip -o link show vbt0 | grep -q master'
expect_eq "no such netdev" "errno 19: No such device" "$($op nosuch0 up)"
expect_eq "no such master" "errno 19: No such device" "$($op vbt0 master nosuchbr)"
expect_eq "a name too long" "errno 22: Invalid argument" "$($op 0123456789abcdefXYZ up)"
expect_eq "no such netns" "errno 2: No such file or directory" "$($op vbt0 netns nosuchns)"
expect_eq "a netns name with a slash" "errno 22: Invalid argument" "$($op vbt0 netns a/b)"
expect_eq "unprivileged" "errno 1: Operation not permitted" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups $op vbt0 up)"
expect "netns by name" $op vbt0 netns vbns
expect "the link moved" ip netns exec vbns ip link show vbt0
expect "it is gone from here" bash -c '! ip link show vbt0 2>/dev/null'
expect "netns by path" ip netns exec vbns ./netdev-op vbt0 netns /proc/1/ns/net
expect "it is back" ip link show vbt0

ip link del vbt0; ip link del vbbr0; ip netns del vbns
true
