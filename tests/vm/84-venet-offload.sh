# venet-tap's transmit offloads (VENET_CAP_TXOFF): a UDP checksum the host
# completes, a 4,000-byte datagram segmented (gso UDP) past a 1,500-byte
# MTU, and headers the host must refuse, each dropped and counted in
# tx_bad with nothing delivered. The kernel log is checked by the harness.
source ./lib.bash

CFG=/sys/kernel/config/vbus
D=/sys/vbus/devices/vo0
IF=vo-h0
HOST=198.18.6.1
PEER=198.18.6.2
PORT=7001

modprobe venet-tap || fail "loading venet-tap"
mkdir $CFG/instances/vo $CFG/devices/vo0 || fail "mkdir"
echo venet-tap > $CFG/devices/vo0/type || fail "typing the device"
echo $IF > $D/ifname
ln -s $CFG/devices/vo0 $CFG/instances/vo/vo0 || fail "linking"
ip addr add $HOST/24 dev $IF && ip link set $IF up || fail "addressing $IF"
HMAC=$(cat $D/host_mac)

# What the host's UDP socket receives: one line per datagram, its length and
# its first 24 bytes.
python3 -u -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$HOST', $PORT))
while True:
    d = s.recv(65536)
    print(len(d), d[:24].decode())
" > got.txt & srv=$!

wait_for() {	# wait_for SECONDS COMMAND...
	local t=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1)); [ $t -gt 0 ] || return 1; sleep 0.1
	done
}
# Bound before the first frame: on a loaded host python takes seconds to
# start, and a datagram that comes first is dropped (UdpNoPorts).
wait_for 20 grep -q ":$(printf %04X $PORT) " /proc/net/udp || fail "the UDP server did not bind"
csum_errors() {	# Udp InCsumErrors, found by its name in the header line
	awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") c = i; h = 1 }
		       else print $c }' /proc/net/snmp
}
bad() { cat $D/tx_bad; }
send() {	# send CASE: the frame goes out; the client stays until killed
	./venet-offload vo 0 "$HMAC" $PEER $HOST $PORT "$1" > sent.txt & cl=$!
	wait_for 20 grep -q sent sent.txt || fail "venet-offload $1 did not send"
}
done_with() { kill $cl; wait $cl 2>/dev/null; }
lines() { wc -l < got.txt; }

send csum
expect "a checksum completed by the host: delivered" wait_for 20 grep -q '^40 venet-offload csum' got.txt
done_with

e0=$(csum_errors)
send plain
expect "the same wrong checksum without the offload: a UDP checksum error" \
	wait_for 20 test "$(csum_errors)" -gt "$e0"
done_with
expect_eq "and nothing delivered" 1 "$(lines)"

send ufo
expect "4,000 bytes with gso UDP past the MTU: one datagram delivered" \
	wait_for 20 grep -q '^4000 venet-offload ufo' got.txt
done_with

for case in big bad-start bad-gso zero-gso; do
	b0=$(bad)
	send $case
	expect "$case: refused and counted in tx_bad" wait_for 20 test "$(bad)" -gt "$b0"
	done_with
done
expect_eq "refused frames delivered nothing" 2 "$(lines)"
expect_eq "no ring error" 0 "$(cat $D/ring_errors)"

kill $srv; wait $srv 2>/dev/null
rm -f got.txt sent.txt
rm $CFG/instances/vo/vo0 && rmdir $CFG/devices/vo0 $CFG/instances/vo
expect "rmmod venet-tap vbus" rmmod venet-tap vbus
