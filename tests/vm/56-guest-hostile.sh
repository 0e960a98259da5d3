# A guest that lies (doc/abi/guest.md, "Hostile guests"), played by
# tests/helpers/guest-peer: requests with lying lengths, offsets and
# handles, a signal queue never drained, random bytes anywhere in the region
# under traffic, doorbell storms from three threads on every vector with
# every kick bit set, the peer SIGKILLed in the middle of all that, and
# guests coming and going by the thousand with devices open. The host
# kernel stays clean (vm-run checks its log; an oops panics the guest),
# another bus's traffic goes on meanwhile, the guest fd's counters say what
# happened, a reset through the header brings the region back, and no
# memory stays behind.
source ./lib.bash

P=./guest-peer
CFG=/sys/kernel/config/vbus
SECONDS_HOSTILE=${GUEST_HOSTILE_SECONDS:-10}
CHURN=${GUEST_CHURN:-1000}

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
other() { cat /sys/class/net/go-tap/statistics/rx_packets; }
# other_past N: the other bus's netdev received more than N frames.
other_past() { [ "$(other)" -gt "$1" ]; }
mem() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
no_member() {
	[ "$(vbusctl -j bus show gh | python3 -c '
import json, sys; print(len(json.load(sys.stdin)[0]["members"]))')" = 0 ]
}
slab0=$(mem Slab); unevict0=$(mem Unevictable)

# The other bus: a libvbus client sending all along.
rx0=$(other)
./venet-count go 0 tx 2000000000 > /tmp/other.out 2>&1 & sender=$!
expect_soon "the other bus's traffic flows" other_past $(( rx0 + 100 ))

$P gh hostile "$id" "$SECONDS_HOSTILE" > /tmp/hostile.out 2>&1 & peer=$!
for i in $(seq 1200); do grep -q '^chaos' /tmp/hostile.out && break; sleep 0.1; done
grep -q '^chaos' /tmp/hostile.out || fail "guest-peer hostile: $(cat /tmp/hostile.out)"
r1=$(other)
wait $peer || fail "guest-peer hostile: $(cat /tmp/hostile.out)"
r2=$(other)
out=$(cat /tmp/hostile.out)
echo "  peer: $(tr '\n' '|' <<<"$out")"
val() { awk -v k="$1" '$1 == "fdinfo" && $2 == k { v = $3 } END { print v + 0 }' <<<"$out"; }
first() { awk -v k="$1" '$1 == "fdinfo" && $2 == k { print $3; exit }' <<<"$out"; }

expect "the other bus's traffic went on through the chaos ($(( r2 - r1 )) frames)" test "$r2" -gt "$r1"
expect_eq "2000 lying requests, each answered" "lies 2000 answered 2000" "$(grep '^lies' <<<"$out")"
expect "the misaligned ones were refused unread and counted ($(first bad-request))" \
	test "$(first bad-request)" -ge 666
expect "a never-drained signal queue overflowed and was counted ($(first queue-overflow))" \
	test "$(first queue-overflow)" -gt 0
doorbells=$(awk '$1 == "doorbells" { print $2 }' <<<"$out")
expect "a doorbell storm ($doorbells writes on 16 vectors from 3 threads)" test "${doorbells:-0}" -ge 1000
expect "kick words with every bit set were counted ($(val bad-kick))" test "$(val bad-kick)" -gt 0
expect "the reset through the header brought the region back" \
	grep -qx "device $id virtual-ethernet" <<<"$out"
expect "the scribbled control rings were refused and counted, or reset ($(val bad-request) bad, $(val resets) resets)" \
	test "$(val bad-request)" -gt "$(first bad-request)" -o "$(val resets)" -gt 3
expect "no member left on gh" no_member

# SIGKILL in the middle of the chaos.
$P gh hostile "$id" 600 > /tmp/hostile.out 2>&1 & peer=$!
for i in $(seq 1200); do grep -q '^chaos' /tmp/hostile.out && break; sleep 0.1; done
grep -q '^chaos' /tmp/hostile.out || fail "guest-peer hostile: $(cat /tmp/hostile.out)"
r1=$(other)
expect_soon "the other bus's traffic goes on under a second hostile guest" other_past "$r1"
kill -KILL $peer; wait $peer 2>/dev/null
expect_soon "SIGKILL in the chaos: the guest left the bus" no_member

# Guests by the thousand, each leaving with its device open and kicked.
out=$($P gh churn "$id" $CHURN 2>&1) || fail "guest-peer churn: $out"
expect_eq "$CHURN guests came and went" "churn $CHURN" "$out"
expect "no member left on gh" no_member
r1=$(other)
expect_soon "the other bus's traffic goes on after them" other_past "$r1"
kill -TERM $sender; wait $sender 2>/dev/null

echo 3 > /proc/sys/vm/drop_caches
expect "the regions' pinned pages are back (Unevictable $unevict0 -> $(mem Unevictable) kB)" \
	test "$(mem Unevictable)" -le $(( unevict0 + 1024 ))
expect "no slab growth to speak of (Slab $slab0 -> $(mem Slab) kB)" \
	test "$(mem Slab)" -le $(( slab0 + 8192 ))
expect_eq "no vbus guest fd left open" "" "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep 'vbus-guest' || true)"

for b in gh go; do
	rm $CFG/instances/$b/$b-d && rmdir $CFG/instances/$b $CFG/devices/$b-d || fail "removing $b"
done
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
