# bench/local, in the VM: the vbus pair against a veth pair, same boot,
# same host stack. vbus: venet-tap's host netdev vt0 (198.18.6.1) and
# vbus-enet's client netdev ve0 (198.18.6.2) in namespace nv, through the
# local connector. veth: vh0 (198.18.7.1) and va0 (198.18.7.2) in
# namespace nh. Measured on each pair, alternating:
#  - TCP stream, one connection, MTU 1500, TIME seconds each way (a Python
#    sender writing 64 KiB at a time, a receiver counting from its first
#    byte to EOF): bits per second at the receiver;
#  - 64-byte frames each way: pktgen sends N frames into one end (one at
#    a time: veth takes no bursts), the other end's rx_packets counts what
#    arrived, over pktgen's own time;
#  - round trip at low load: ping (ICMP echo, answered by the other end's
#    kernel), COUNT pings 10 ms apart, the median.
# Then the vbus path's counters per frame (where its time goes).
# Final line: SUMMARY tcp_vs_veth=<r> pps64_vs_veth=<r> rtt_vs_veth=<r>,
# each the vbus figure over veth's, for TCP and pps the worse direction.
set -e
N=${LOCAL_BENCH_COUNT:-500000}
TIME=${LOCAL_BENCH_TIME:-10}
PINGS=${LOCAL_BENCH_PINGS:-300}
ROUNDS=${LOCAL_BENCH_ROUNDS:-3}
C=/sys/kernel/config/vbus
PG=/proc/net/pktgen
modprobe -a venet-tap vbus-enet pktgen

# The vbus pair
mkdir $C/instances/bl $C/devices/bl0
echo venet-tap > $C/devices/bl0/type
echo vt0 > /sys/vbus/devices/bl0/ifname
echo ve0 > /sys/vbus/devices/bl0/client_ifname
ln -s $C/devices/bl0 $C/instances/bl/
echo 1 > $C/instances/bl/local
ip netns add nv
ip link set ve0 netns nv
# The veth pair
ip netns add nh
ip link add vh0 type veth peer name va0
ip link set va0 netns nh
for pair in "vt0 ve0 nv 6" "vh0 va0 nh 7"; do
	set -- $pair
	ip addr add 198.18.$4.1/24 dev $1
	ip link set $1 up
	ip netns exec $3 ip addr add 198.18.$4.2/24 dev $2
	ip netns exec $3 ip link set $2 up
	ip netns exec $3 ip link set lo up
done
for i in $(seq 100); do
	[ "$(ip netns exec nv cat /sys/class/net/ve0/carrier)" = 1 ] &&
		[ "$(ip netns exec nh cat /sys/class/net/va0/carrier)" = 1 ] && break
	sleep 0.1
done
ping -c 1 -W 5 198.18.6.2 > /dev/null && ping -c 1 -W 5 198.18.7.2 > /dev/null

cat > /tmp/tcp.py <<'PY'
import socket, sys, time
mode, addr = sys.argv[1], sys.argv[2]
if mode == "recv":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 5201))
    s.listen(1)
    print("listening", flush=True)
    c, _ = s.accept()
    buf = bytearray(1 << 16)
    n = c.recv_into(buf)
    t0 = time.monotonic()
    total = 0
    while n:
        total += n
        n = c.recv_into(buf)
    print("bps %.0f" % (total * 8 / (time.monotonic() - t0)))
else:
    s = socket.create_connection((addr, 5201))
    buf = bytes(1 << 16)
    end = time.monotonic() + float(sys.argv[3])
    while time.monotonic() < end:
        s.sendall(buf)
    s.close()
PY

# tcp FROM-NS TO-NS TO-ADDR: bits per second, one stream of TIME s
tcp() {
	local from=${1:+ip netns exec $1} to=${2:+ip netns exec $2} out r
	$to python3 /tmp/tcp.py recv $3 > /tmp/tcp.out & r=$!
	for i in $(seq 100); do grep -q listening /tmp/tcp.out && break; sleep 0.05; done
	$from python3 /tmp/tcp.py send $3 $TIME
	wait $r
	awk '/^bps/ { print $2 }' /tmp/tcp.out
}

# pps FROM-NS DEV TO-NS TO-DEV DST-IP: 64-byte frames per second delivered
pps() {
	local from=${1:+ip netns exec $1} to=${3:+ip netns exec $3} dmac rx0 rx1 us
	dmac=$($to cat /sys/class/net/$4/address)
	rx0=$($to cat /sys/class/net/$4/statistics/rx_packets)
	$from bash -c "echo rem_device_all > $PG/kpktgend_0; echo 'add_device $2' > $PG/kpktgend_0
		for c in 'count $N' 'pkt_size 60' 'dst $5' 'dst_mac $dmac'; do
			echo \"\$c\" > $PG/$2
		done
		echo start > $PG/pgctrl"
	us=$($from cat $PG/$2 | sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p')
	$from bash -c "echo rem_device_all > $PG/kpktgend_0"
	sleep 0.5
	rx1=$($to cat /sys/class/net/$4/statistics/rx_packets)
	python3 -c "print('%.0f' % (($rx1 - $rx0) / ($us / 1e6)))"
}

# rtt FROM-NS DST-IP: the median round trip of ping, in microseconds
rtt() {
	${1:+ip netns exec $1} ping -c $PINGS -i 0.01 -W 2 $2 |
		sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.0f\n", v[int((NR + 1) / 2)] * 1000 }'
}

mid() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { python3 -c "print('%.2f' % ($1 / $2 if $2 else 0))"; }

# Counters of the vbus path over the runs (signals, kicks, polls per frame):
# the device's (host end) and vbus-enet's ethtool -S (client end; no
# ethtool in the image: tests/vm/vbus.py reads them by ioctl).
dev=/sys/vbus/devices/bl0
snap() {
	echo $(cat $dev/rxq_produced $dev/rxq_signals $dev/txq_consumed $dev/txq_signals \
		$dev/tx_by_kick) \
		$(ip netns exec nv python3 ./vbus.py ethtool-stats ve0 rx_polls txq_signals rxq_signals)
}

declare -A R
for round in $(seq $ROUNDS); do
	for p in vbus veth; do
		case $p in
		vbus) h=vt0 c=ve0 ns=nv n=6 ;;
		veth) h=vh0 c=va0 ns=nh n=7 ;;
		esac
		R[$p,tcp_out,$round]=$(tcp "" $ns 198.18.$n.2)
		R[$p,tcp_in,$round]=$(tcp $ns "" 198.18.$n.1)
		[ $p = vbus ] && c0=$(snap)
		R[$p,pps_out,$round]=$(pps "" $h $ns $c 198.18.$n.2)
		[ $p = vbus ] && c1=$(snap)
		R[$p,pps_in,$round]=$(pps $ns $c "" $h 198.18.$n.1)
		[ $p = vbus ] && c2=$(snap)
		R[$p,rtt,$round]=$(rtt "" 198.18.$n.2)
		echo "round $round $p: tcp host->ns ${R[$p,tcp_out,$round]} b/s," \
			"ns->host ${R[$p,tcp_in,$round]} b/s; pps64 host->ns ${R[$p,pps_out,$round]}," \
			"ns->host ${R[$p,pps_in,$round]}; rtt ${R[$p,rtt,$round]} us"
	done
	# the vbus path, per 64-byte frame: host->ns (rx ring) calls to the
	# client, the client's NAPI polls and its kicks for rx buffers (RXWAIT);
	# ns->host (tx ring) the client's kicks, calls to the client, the
	# client's NAPI polls (tx completions) and frames the kick path took
	python3 - "$c0" "$c1" "$c2" <<'PY'
import sys
a, b, c = ([int(x) for x in s.split()] for s in sys.argv[1:4])
rx = b[0] - a[0]
tx = c[2] - b[2]
def per(x, y, n):
    return (y - x) / max(n, 1)
print("  vbus counters: host->ns %d frames, per frame %.4f signals, %.4f client polls,"
      " %.4f rx kicks;" % (rx, per(a[1], b[1], rx), per(a[5], b[5], rx), per(a[7], b[7], rx)),
      "ns->host %d frames, per frame %.4f kicks, %.4f completion signals, %.4f client polls,"
      " %.4f taken by kick" % (tx, per(b[6], c[6], tx), per(b[3], c[3], tx), per(b[5], c[5], tx),
                               per(b[4], c[4], tx)))
PY
done

declare -A M
for p in vbus veth; do
	for k in tcp_out tcp_in pps_out pps_in rtt; do
		M[$p,$k]=$(mid $(for r in $(seq $ROUNDS); do echo ${R[$p,$k,$r]}; done))
	done
	echo "median of $ROUNDS: $p tcp host->ns ${M[$p,tcp_out]} ns->host ${M[$p,tcp_in]} b/s," \
		"pps64 host->ns ${M[$p,pps_out]} ns->host ${M[$p,pps_in]}, rtt ${M[$p,rtt]} us"
done
lower() { printf '%s\n' "$@" | sort -g | head -1; }
tcp_r=$(lower $(ratio ${M[vbus,tcp_out]} ${M[veth,tcp_out]}) $(ratio ${M[vbus,tcp_in]} ${M[veth,tcp_in]}))
pps_r=$(lower $(ratio ${M[vbus,pps_out]} ${M[veth,pps_out]}) $(ratio ${M[vbus,pps_in]} ${M[veth,pps_in]}))
echo "ratios: tcp host->ns $(ratio ${M[vbus,tcp_out]} ${M[veth,tcp_out]})" \
	"ns->host $(ratio ${M[vbus,tcp_in]} ${M[veth,tcp_in]});" \
	"pps64 host->ns $(ratio ${M[vbus,pps_out]} ${M[veth,pps_out]})" \
	"ns->host $(ratio ${M[vbus,pps_in]} ${M[veth,pps_in]})"

ip netns del nv
ip netns del nh
rm $C/instances/bl/bl0
rmdir $C/instances/bl $C/devices/bl0
udevadm settle
rmmod vbus-enet venet-tap vbus vbus-proxy pktgen
echo "SUMMARY tcp_vs_veth=$tcp_r pps64_vs_veth=$pps_r rtt_vs_veth=$(ratio ${M[vbus,rtt]} ${M[veth,rtt]})"
