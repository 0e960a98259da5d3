# venet-tap under load: COUNT frames each way between the host stack and a
# libvbus client (tests/helpers/venet-count), every frame accounted for:
# client to host none lost; host to client (pktgen, as fast as it goes) none
# lost either: libvbus negotiates VENET_CAP_RXWAIT, so the netdev's queue
# waits for the client's buffers instead of dropping (no overrun, no drop).
# Client to host, the frames also arrive in order. Last, the echo client's
# busy-poll saves the host's calls.
# The overrun path of a client without RXWAIT: 81-venet-hostile.sh.
source ./lib.bash

# A million frames each way; 100,000 on the debug kernel (KASAN and lockdep
# make every frame many times slower there).
COUNT=${VENET_COUNT:-$(debug_kernel && echo 100000 || echo 1000000)}
CFG=/sys/kernel/config/vbus
D=/sys/vbus/devices/vc0
IF=vcnt0

modprobe venet-tap || fail "loading venet-tap"
modprobe pktgen || fail "loading pktgen"
mkdir $CFG/instances/vc $CFG/devices/vc0 || fail "mkdir"
echo venet-tap > $CFG/devices/vc0/type && echo $IF > $D/ifname || fail "typing"
ln -s $CFG/devices/vc0 $CFG/instances/vc/vc0 || fail "linking"
sysctl -qw net.ipv6.conf.$IF.disable_ipv6=1	# no stray router solicitations in the counts
ip link set $IF up || fail "up"

stat() { cat /sys/class/net/$IF/statistics/$1; }

# client to host
rx0=$(stat rx_packets)
out=$(./venet-count vc 0 tx $COUNT) || fail "venet-count tx: $out"
for i in $(seq 50); do [ $(( $(stat rx_packets) - rx0 )) -ge $COUNT ] && break; sleep 0.1; done
echo "  client to host: $out"
expect_eq "client to host: $COUNT frames received by the host netdev" $COUNT $(( $(stat rx_packets) - rx0 ))
expect_eq "no frame refused" 0 "$(cat $D/tx_bad)"
# (the stack then drops them, counted in rx_dropped: nobody handles EtherType 0x88b5)

# Client to host, in order: the NAPI thread and the client's own kicks
# (once the ring is full) take batches off the ring side by side; the
# stack must still get the frames in the order the client numbered them.
# (it stops at COUNT frames; 10 s without one ends it early: frames the
# socket dropped never come)
./pkt-seq $IF 10000 $COUNT > /tmp/pkt-seq.out & reader=$!
bound() {	# pkt-seq's socket: protocol 88b5, bound to $IF, running
	awk -v i="$(cat /sys/class/net/$IF/ifindex)" '$4 == "88b5" && $5 == i && $6 == 1 { f = 1 }
		END { exit !f }' /proc/net/packet
}
for i in $(seq 50); do bound && break; sleep 0.1; done
bound || fail "pkt-seq's packet socket is not bound to $IF"
kick0=$(cat $D/tx_by_kick)
out=$(./venet-count vc 0 tx $COUNT) || fail "venet-count tx: $out"
wait $reader || fail "pkt-seq failed"
kicked=$(( $(cat $D/tx_by_kick) - kick0 ))
read -r _ frames _ reordered _ dropped < /tmp/pkt-seq.out
echo "  in order: $(cat /tmp/pkt-seq.out); taken by the client's kicks: $kicked"
expect "the client's kicks took frames off the ring ($kicked)" test $kicked -gt 0
expect "so did the NAPI thread" test $kicked -lt $COUNT
expect "a packet socket saw them ($frames of $COUNT, $dropped dropped)" \
	test $(( frames + dropped )) -eq $COUNT
expect_eq "none out of order" 0 $reordered

# host to client
# pktgen may overshoot COUNT by less than a burst when the queue stops
# mid-burst: the client takes what comes until 3 s without a frame.
./venet-count vc 0 rx $(( 2 * COUNT )) 3000 > /tmp/venet-rx.out &
client=$!
for i in $(seq 50); do [ "$(cat /sys/class/net/$IF/carrier)" = 1 ] && break; sleep 0.1; done
[ "$(cat /sys/class/net/$IF/carrier)" = 1 ] || fail "no carrier for the rx client"
tx0=$(stat tx_packets); drop0=$(stat tx_dropped); over0=$(cat $D/rx_overruns)
PG=/proc/net/pktgen
echo "rem_device_all" > $PG/kpktgend_0
echo "add_device $IF" > $PG/kpktgend_0
for c in "count $COUNT" "pkt_size 60" "burst 32" "dst_mac ff:ff:ff:ff:ff:ff" "dst 198.18.2.2"; do
	echo "$c" > $PG/$IF || fail "pktgen: $c"
done
echo start > $PG/pgctrl
pg_sent=$(sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' $PG/$IF)
wait $client || fail "venet-count rx failed"
got=$(awk 'NR == 1 { print $2 }' /tmp/venet-rx.out)
sent=$(( $(stat tx_packets) - tx0 )); dropped=$(( $(stat tx_dropped) - drop0 ))
over=$(( $(cat $D/rx_overruns) - over0 ))
echo "  host to client: $(cat /tmp/venet-rx.out); netdev sent $sent, dropped $dropped (overruns $over)"
expect "pktgen sent $COUNT ($pg_sent)" test "$pg_sent" -ge $COUNT -a "$pg_sent" -lt $(( COUNT + 32 ))
expect_eq "the netdev sent every frame" "$pg_sent" $sent
expect_eq "no frame dropped" 0 $dropped
expect_eq "no overrun: the queue waited for the client" 0 $over
expect_eq "the client received every frame" "$pg_sent" "$got"
echo "rem_device_all" > $PG/kpktgend_0

# Busy-poll (vbus_venet_set_busy_poll): pkt-rtt pings the echo client once
# a millisecond. Sleeping between pings, the client needs a call (one
# eventfd write, one wake-up) for each; polling its rings for 100 ms
# before it sleeps, it sees every ping coming, without a call.
expect_errno "Invalid argument" "busy-poll above 1 s refused" ./venet-count -b 1000001 vc 0 echo 1
for bp in 0 100000; do
	./venet-count -b $bp vc 0 echo 60 > /tmp/echo.out & client=$!
	for i in $(seq 50); do [ "$(cat /sys/class/net/$IF/carrier)" = 1 ] && break; sleep 0.1; done
	rtt=$(./pkt-rtt $IF 200) || fail "pkt-rtt: $rtt"
	kill -TERM $client
	wait $client || fail "venet-count echo -b $bp failed"
	read -r _ echoed < /tmp/echo.out
	calls=$(awk '/^kicks/ { print $4 }' /tmp/echo.out)
	echo "  busy-poll $bp us: echoed $echoed, calls $calls; round trip $rtt"
	expect "busy-poll $bp: every ping came back" test "$(echo "$rtt" | awk '{ print $6 }')" = 0
	if [ $bp = 0 ]; then
		expect "sleeping: a call per ping or so ($calls for $echoed)" \
			test $(( 2 * calls )) -gt "$echoed"
	else
		expect "busy-polling: next to no calls ($calls for $echoed)" \
			test $(( 20 * calls )) -lt "$echoed"
	fi
done

rm $CFG/instances/vc/vc0 && rmdir $CFG/instances/vc $CFG/devices/vc0 || fail "teardown"
rmmod pktgen venet-tap vbus || fail "unloading"
true
