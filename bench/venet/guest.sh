# bench/venet, in the VM: venet (libvbus client through venet-tap) against
# tap (read/write on /dev/net/tun) and an AF_PACKET socket with mmap rings
# on a veth pair (va, whose peer vh plays the host netdev), same host stack,
# same frames, same run. Client to host: the client sends N broadcast
# frames, rate measured by the client. Host to client: pktgen sends N
# frames into the netdev, the client counts what it receives per second.
# Round trip: pkt-rtt through the netdev to an echo client (the median),
# with and without busy-poll. Then 64-byte venet and tap again with a CPU
# hog per host core (bench/venet/run starts them when it reads "BENCH
# host-hogs on") and with a CPU hog per vCPU in the guest.
set -e
N=${VENET_BENCH_COUNT:-1000000}
RTT_N=${VENET_BENCH_RTT:-3000}
HOG_N=${VENET_BENCH_HOG_COUNT:-250000}
BUSY_POLL=${VENET_BENCH_BUSY_POLL:-2000}	# us: longer than pkt-rtt's 1 ms pause
CFG=/sys/kernel/config/vbus
modprobe venet-tap
modprobe pktgen
mkdir $CFG/instances/vb $CFG/devices/vb0
echo venet-tap > $CFG/devices/vb0/type
echo vb0 > /sys/vbus/devices/vb0/ifname
ln -s $CFG/devices/vb0 $CFG/instances/vb/vb0
# device 1: the busy-polling echo client's
mkdir $CFG/devices/vb1
echo venet-tap > $CFG/devices/vb1/type
echo vb1 > /sys/vbus/devices/vb1/ifname
ln -s $CFG/devices/vb1 $CFG/instances/vb/vb1
ip link set vb0 up
ip link set vb1 up
ip tuntap add dev tb0 mode tap
ip link set tb0 up
ip link add va type veth peer name vh
ip link set va up
ip link set vh up

field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
carrier() { for i in $(seq 100); do [ "$(cat /sys/class/net/$1/carrier)" = 1 ] && return; sleep 0.05; done; }
# System calls of the venet client per frame: a kick is one ioctl()
# (VBUS_IOC_KICK), a delivered call one epoll_wait() (venet-count prints
# both counters of its connection, from genl); everything else is shared
# memory.
sys_per_pkt() {	# OUTPUT
	awk '/^frames/ { n = $2 } /^kicks/ { printf "%.4f", ($2 + $4) / (n ? n : 1) }' <<< "$1"
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


# One run of a peer (venet, tap or mmap) in one direction; prints its output.
tx_run() {	# PEER FRAME_BYTES COUNT
	case $1 in
	venet) ./venet-count vb 0 tx $3 $2 ;;
	tap) ./tap-count tb0 tx $3 $2 ;;
	mmap) ./pkt-mmap-count va tx $3 $2 ;;
	esac
}
rx_run() {	# PEER FRAME_BYTES COUNT
	local c dev
	case $1 in
	venet) ./venet-count vb 0 rx $3 2000 > /tmp/c.out & c=$! dev=vb0; carrier vb0 ;;
	tap) ./tap-count tb0 rx $3 2000 > /tmp/c.out & c=$! dev=tb0; sleep 0.5 ;;
	mmap) ./pkt-mmap-count va rx $3 2000 > /tmp/c.out & c=$! dev=vh; sleep 0.5 ;;
	esac
	pktgen $dev $3 $2; wait $c
	cat /tmp/c.out
	[ $1 != venet ] || echo "overruns $(cat /sys/vbus/devices/vb0/rx_overruns)"
}

declare -A R
# A receiver stops after 2 s without a frame: on a loaded host pktgen can
# start later than that, and the count ends at the few frames of the stack's
# own. Such a run is measured again once, and left out (n/a) if short again.
measure() {	# TAG PEER DIR SIZE COUNT: R[TAGPEER_DIR_SIZE], frames/s
	local out n try
	for try in 1 2; do
		out=$($3_run $2 $(( $4 - 4 )) $5)	# the frame without FCS
		n=$(field frames <<< "$out")
		[ "${n:-0}" -lt $(( $5 * 99 / 100 )) ] || break
		echo "$1$2 $3 $4: only ${n:-0} of $5 frames counted (run $try of 2): $(echo $out)"
		out=
	done
	[ -n "$out" ] || return 0
	echo "$1$2 $3 $4: $(echo $out)"
	R[$1$2_$3_$4]=$(field pps <<< "$out")
	[ $2 != venet ] || R[$1sys_$3_$4]=$(sys_per_pkt "$out")
}

for size in 64 1500; do
	for dir in tx rx; do
		for peer in venet tap mmap; do
			measure "" $peer $dir $size $N
		done
	done
done

# round trip at low load: three rounds, alternating, the echo clients up
# throughout; the median of the three medians
./venet-count vb 0 echo 150 > /tmp/ve.out & cv=$!; carrier vb0
./venet-count -b $BUSY_POLL vb 1 echo 150 > /tmp/vb.out & cb=$!; carrier vb1
./tap-count tb0 echo 150 > /tmp/te.out & ct=$!; sleep 0.5
rv=() rb=() rt=()
for round in 1 2 3; do
	out=$(./pkt-rtt vb0 $(( RTT_N / 3 ))); echo "rtt venet (us): $out"; rv+=($(field median <<< "$out"))
	out=$(./pkt-rtt vb1 $(( RTT_N / 3 ))); echo "rtt venet busy-poll $BUSY_POLL us (us): $out"
	rb+=($(field median <<< "$out"))
	out=$(./pkt-rtt tb0 $(( RTT_N / 3 ))); echo "rtt tap   (us): $out"; rt+=($(field median <<< "$out"))
done
kill $cv $cb $ct 2>/dev/null; wait $cv $cb $ct || true
mid() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
rtt_v=$(mid "${rv[@]}") rtt_b=$(mid "${rb[@]}") rtt_t=$(mid "${rt[@]}")
echo "rtt median of medians (us): venet $rtt_v venet-busy-poll $rtt_b tap $rtt_t"

# contended: 64-byte frames with a CPU hog per host core, then per vCPU
contended() {	# TAG
	local dir peer
	for dir in tx rx; do
		for peer in venet tap; do
			measure $1 $peer $dir 64 $HOG_N
		done
	done
}
# bench/venet/run reads this line from the console stream and starts (or
# stops) the host's hogs; the pause covers the stream's delay
echo "BENCH host-hogs on"; sleep 3
contended hog_
echo "BENCH host-hogs off"; sleep 1
hogs=()
for i in $(seq $(nproc)); do yes > /dev/null & hogs+=($!); done
contended ghog_
kill ${hogs[@]}; wait ${hogs[@]} 2>/dev/null || true

# n/a when either side has no figure (a run left out above)
ratio() { python3 -c "print('%.2f' % ($1 / $2) if $1 and $2 else 'n/a')"; }
for k in tx_64 rx_64 tx_1500 rx_1500; do
	echo "pps $k: venet ${R[venet_$k]} tap ${R[tap_$k]} mmap ${R[mmap_$k]}" \
		"venet/tap $(ratio ${R[venet_$k]:-0} ${R[tap_$k]:-0})" \
		"venet/mmap $(ratio ${R[venet_$k]:-0} ${R[mmap_$k]:-0})" \
		"venet syscalls/frame ${R[sys_$k]}"
done
for t in hog_ ghog_; do
	for k in tx_64 rx_64; do
		echo "pps $t$k: venet ${R[${t}venet_$k]} tap ${R[${t}tap_$k]}" \
			"venet/tap $(ratio ${R[${t}venet_$k]:-0} ${R[${t}tap_$k]:-0})" \
			"venet syscalls/frame ${R[${t}sys_$k]}"
	done
done
worst=$(printf '%s\n' "${R[sys_tx_64]}" "${R[sys_rx_64]}" | sort -g | tail -1)
echo "SUMMARY pps64_tx_vs_tap=$(ratio ${R[venet_tx_64]:-0} ${R[tap_tx_64]:-0})" \
	"pps64_rx_vs_tap=$(ratio ${R[venet_rx_64]:-0} ${R[tap_rx_64]:-0})" \
	"syscalls_per_pkt=$worst rtt_vs_tap=$(ratio ${rtt_v:-0} ${rtt_t:-0})" \
	"hog_pps64_tx_vs_tap=$(ratio ${R[hog_venet_tx_64]:-0} ${R[hog_tap_tx_64]:-0})" \
	"hog_pps64_rx_vs_tap=$(ratio ${R[hog_venet_rx_64]:-0} ${R[hog_tap_rx_64]:-0})" \
	"pps64_tx_vs_mmap=$(ratio ${R[venet_tx_64]:-0} ${R[mmap_tx_64]:-0})" \
	"pps64_rx_vs_mmap=$(ratio ${R[venet_rx_64]:-0} ${R[mmap_rx_64]:-0})" \
	"busypoll_rtt_vs_tap=$(ratio ${rtt_b:-0} ${rtt_t:-0})"
