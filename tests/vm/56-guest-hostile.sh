# A guest that lies (doc/abi/guest.md, "Hostile guests"), played by
# tests/helpers/guest-peer: requests with lying lengths and handles, a
# signal queue never drained, random bytes anywhere in the region under
# traffic, doorbell storms on every vector with every kick bit set. The
# host kernel stays clean (vm-run checks its log; an oops panics the
# guest), another bus's traffic goes on meanwhile, the guest fd's counters
# say what happened, and a reset through the header brings the region back.
source ./lib.bash

P=./guest-peer
CFG=/sys/kernel/config/vbus
SECONDS_HOSTILE=${GUEST_HOSTILE_SECONDS:-10}

sysctl -qw kernel.panic_on_oops=1 || fail "panic_on_oops"
modprobe venet-tap || fail "loading venet-tap"
for b in gh go; do
	mkdir $CFG/instances/$b $CFG/devices/$b-d || fail "mkdir $b"
	echo venet-tap > $CFG/devices/$b-d/type && echo $b-tap > /sys/vbus/devices/$b-d/ifname ||
		fail "typing $b-d"
	ln -s $CFG/devices/$b-d $CFG/instances/$b/$b-d || fail "linking $b-d"
	sysctl -qw net.ipv6.conf.$b-tap.disable_ipv6=1
	ip link set $b-tap up || fail "up"
done
id=$(ls /sys/vbus/instances/gh/devices)

# The other bus: a libvbus client sending all along.
rx0=$(cat /sys/class/net/go-tap/statistics/rx_packets)
./venet-count go 0 tx 2000000000 > /tmp/other.out 2>&1 & other=$!

out=$($P gh hostile "$id" "$SECONDS_HOSTILE" 2>&1) || fail "guest-peer hostile: $out"
echo "  peer: $(tr '\n' '|' <<<"$out")"
val() { awk -v k="$1" '$1 == "fdinfo" && $2 == k { v = $3 } END { print v + 0 }' <<<"$out"; }
first() { awk -v k="$1" '$1 == "fdinfo" && $2 == k { print $3; exit }' <<<"$out"; }

expect_eq "200 lying requests, each answered" "lies 200" "$(grep '^lies' <<<"$out")"
expect "a never-drained signal queue overflowed and was counted ($(first queue-overflow))" \
	test "$(first queue-overflow)" -gt 0
doorbells=$(awk '$1 == "doorbells" { print $2 }' <<<"$out")
expect "a doorbell storm ($doorbells writes on 16 vectors)" test "${doorbells:-0}" -ge 1000
expect "kick words with every bit set were counted ($(val bad-kick))" test "$(val bad-kick)" -gt 0
expect "the reset through the header brought the region back" \
	grep -qx "device $id virtual-ethernet" <<<"$out"
expect "the scribbled control rings were refused and counted, or reset ($(val bad-request) bad, $(val resets) resets)" \
	test "$(val bad-request)" -gt 0 -o "$(val resets)" -gt 3

# The other bus went on all along.
r1=$(cat /sys/class/net/go-tap/statistics/rx_packets)
sleep 1
expect "the other bus's traffic goes on ($(( r1 - rx0 )) frames so far)" \
	test "$(cat /sys/class/net/go-tap/statistics/rx_packets)" -gt "$r1"
kill -TERM $other; wait $other 2>/dev/null
expect_eq "no guest left on bus gh" 0 "$(vbusctl -j bus show gh | python3 -c '
import json, sys; print(len(json.load(sys.stdin)[0]["members"]))')"

for b in gh go; do
	rm $CFG/instances/$b/$b-d && rmdir $CFG/instances/$b $CFG/devices/$b-d || fail "removing $b"
done
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
