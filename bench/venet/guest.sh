# bench/venet, in the VM: venet (libvbus client through venet-tap) against
# tap (read/write on /dev/net/tun), same host stack, same frames, same run.
# Client to host: the client sends N broadcast frames, rate measured by the
# client. Host to client: pktgen sends N frames into the netdev, the client
# counts what it receives per second. Round trip: pkt-rtt through the
# netdev to an echo client (the median).
set -e
N=${VENET_BENCH_COUNT:-1000000}
RTT_N=${VENET_BENCH_RTT:-3000}
CFG=/sys/kernel/config/vbus
modprobe venet-tap
modprobe pktgen
mkdir $CFG/instances/vb $CFG/devices/vb0
echo venet-tap > $CFG/devices/vb0/type
echo vb0 > /sys/vbus/devices/vb0/ifname
ln -s $CFG/devices/vb0 $CFG/instances/vb/vb0
ip link set vb0 up
ip tuntap add dev tb0 mode tap
ip link set tb0 up

field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
carrier() { for i in $(seq 100); do [ "$(cat /sys/class/net/$1/carrier)" = 1 ] && return; sleep 0.05; done; }
# System calls of the venet client per frame: a kick is one ioctl()
# (VBUS_IOC_KICK), a delivered call one epoll_wait() (venet-count prints
# both counters of its connection, from genl); everything else is shared
# memory.
sys_per_pkt() {	# FILE FRAMES
	awk -v n="$2" '/^kicks/ { printf "%.4f", ($2 + $4) / (n ? n : 1) }' "$1"
}

pktgen() {	# IFNAME COUNT SIZE
	local PG=/proc/net/pktgen cmd
	echo rem_device_all > $PG/kpktgend_0
	echo "add_device $1" > $PG/kpktgend_0
	for cmd in "count $2" "pkt_size $3" "dst_mac ff:ff:ff:ff:ff:ff" "dst 198.18.3.2"; do
		echo "$cmd" > $PG/$1
	done
	# batches (xmit_more) where the driver allows them; tun does not
	echo "burst 32" 2>/dev/null > $PG/$1 || echo "  ($1: pktgen burst 1)"
	echo start > $PG/pgctrl
	echo rem_device_all > $PG/kpktgend_0
}

declare -A R
for size in 64 1500; do
	fsize=$(( size - 4 ))	# without FCS
	# client to host
	./venet-count vb 0 tx $N $fsize > /tmp/v.out; echo "venet tx $size: $(cat /tmp/v.out)"
	R[venet_tx_$size]=$(field pps < /tmp/v.out)
	R[sys_tx_$size]=$(sys_per_pkt /tmp/v.out $N)
	out=$(./tap-count tb0 tx $N $fsize); echo "tap   tx $size: $out"
	R[tap_tx_$size]=$(echo "$out" | field pps)

	# host to client
	./venet-count vb 0 rx $N 2000 > /tmp/v.out & c=$!; carrier vb0
	pktgen vb0 $N $fsize; wait $c
	echo "venet rx $size: $(cat /tmp/v.out), overruns $(cat /sys/vbus/devices/vb0/rx_overruns)"
	R[venet_rx_$size]=$(field pps < /tmp/v.out)
	R[sys_rx_$size]=$(sys_per_pkt /tmp/v.out "$(field frames < /tmp/v.out)")
	./tap-count tb0 rx $N 2000 > /tmp/t.out & c=$!; sleep 0.5
	pktgen tb0 $N $fsize; wait $c
	echo "tap   rx $size: $(cat /tmp/t.out)"
	R[tap_rx_$size]=$(field pps < /tmp/t.out)
done

# round trip at low load: three rounds, alternating, both echo clients up;
# the median of the three medians
./venet-count vb 0 echo 120 > /tmp/ve.out & cv=$!; carrier vb0
./tap-count tb0 echo 120 > /tmp/te.out & ct=$!; sleep 0.5
rv=() rt=()
for round in 1 2 3; do
	out=$(./pkt-rtt vb0 $(( RTT_N / 3 ))); echo "rtt venet (us): $out"; rv+=($(field median <<< "$out"))
	out=$(./pkt-rtt tb0 $(( RTT_N / 3 ))); echo "rtt tap   (us): $out"; rt+=($(field median <<< "$out"))
done
kill $cv $ct 2>/dev/null; wait $cv $ct || true
mid() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
rtt_v=$(mid "${rv[@]}") rtt_t=$(mid "${rt[@]}")
echo "rtt median of medians (us): venet $rtt_v tap $rtt_t"

ratio() { python3 -c "print('%.2f' % ($1 / $2 if $2 else 0))"; }
for k in tx_64 rx_64 tx_1500 rx_1500; do
	echo "pps $k: venet ${R[venet_$k]} tap ${R[tap_$k]} ratio $(ratio ${R[venet_$k]:-0} ${R[tap_$k]:-0})" \
		"venet syscalls/frame ${R[sys_$k]}"
done
worst=$(printf '%s\n' "${R[sys_tx_64]}" "${R[sys_rx_64]}" | sort -g | tail -1)
echo "SUMMARY pps64_tx_vs_tap=$(ratio ${R[venet_tx_64]:-0} ${R[tap_tx_64]:-0})" \
	"pps64_rx_vs_tap=$(ratio ${R[venet_rx_64]:-0} ${R[tap_rx_64]:-0})" \
	"syscalls_per_pkt=$worst rtt_vs_tap=$(ratio ${rtt_v:-0} ${rtt_t:-0})"
