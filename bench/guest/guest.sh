# bench/guest, in the VM: a nested QEMU (TCG, -vga none) boots this VM's
# own kernel with a busybox initramfs (its /init below) and two NICs in the
# same boot: vbus-enet over vbus-pcibridge (bus bg, served by vbusd's
# ivshmem server; host netdev vt-bg 198.18.8.1, guest vbg 198.18.8.2) and
# virtio-net on a tap (-netdev tap,vhost=on: QEMU under TCG may fall back
# to its own virtio-net backend, reported below; host tap-vn 198.18.9.1,
# guest eth0 198.18.9.2). The guest drives the run and says on its console
# what it does ("NESTED ..." lines); this script answers the lines that
# need the host. Per NIC:
#  - round trip at low load: the guest pings the host, PINGS pings 0.2 s
#    apart, the median;
#  - 64-byte frames guest->host: pktgen in the guest sends N frames, the
#    host netdev's rx_packets counts what arrived, over pktgen's time;
#  - 64-byte frames host->guest: pktgen on the host sends N frames, the
#    guest's rx_packets counts what arrived (until it stands still for
#    3 s), over pktgen's time;
#  - notifications per frame during both: doorbells (vbus: the guest
#    member's notify, from vbusctl -s; virtio: the guest driver's queue
#    kicks, ethtool statistics read by ./ethstats) plus interrupts (the
#    NIC's lines of /proc/interrupts in the guest), over the frames that
#    arrived in both directions.
# Final line: SUMMARY pps64_vs_virtio=<r> rtt_vs_virtio=<r>
# notify_per_pkt_vs_virtio=<r>, each vbus's figure over virtio's, pps for
# the worse direction. One run: nested TCG inflates everything.
# vm-run: kernel
set -e
N=${GUEST_BENCH_COUNT:-20000}
PINGS=${GUEST_BENCH_PINGS:-50}
TD=/etc/vbus/topology.d
NG=/tmp/bench-guest
PG=/proc/net/pktgen
modprobe -a venet-tap pktgen tun
modprobe vhost_net || echo "bench/guest: no vhost_net module"

rm -rf $NG
mkdir -p $NG/ird/bin $NG/ird/lib/vbus $NG/ird/lib/mods $NG/ird/proc $NG/ird/sys $NG/ird/dev
cp /bin/busybox ./ethstats $NG/ird/bin/
for m in vbus-ioq vbus-proxy vbus-pcibridge vbus-enet; do
	cp "$(modinfo -n $m)" $NG/ird/lib/vbus/
done
# Debian's modules the nested guest needs, in load order.
for m in virtio_pci virtio_net pktgen; do modprobe --show-depends $m; done |
	awk '$1 == "insmod" && !s[$2]++ { print $2 }' |
	while read -r ko; do
		case $ko in
		*.xz) xz -dc "$ko" > $NG/ird/lib/mods/"$(basename "$ko" .xz)" ;;
		*) cp "$ko" $NG/ird/lib/mods/ ;;
		esac
		basename "$ko" .xz >> $NG/ird/lib/mods/order
	done
cat > $NG/ird/init <<INIT
#!/bin/busybox sh
# /init of bench/guest's nested guest: see bench/guest/guest.sh.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
N=$N PINGS=$PINGS PG=$PG
INIT
cat >> $NG/ird/init <<'INIT'
say() { echo "NESTED $*" > /dev/ttyS0; }
wait_for() {	# wait_for SECONDS COMMAND...
	local t=$(( $1 * 10 )); shift
	while ! "$@" 2>/dev/null; do
		t=$((t - 1)); [ $t -gt 0 ] || return 1; sleep 0.1
	done
}
rx() { cat /sys/class/net/$1/statistics/rx_packets; }
irqs() {	# irqs PATTERN: interrupts of the lines whose name matches
	awk -v p="$1" '$NF ~ p { s += $2 } END { print s + 0 }' /proc/interrupts
}
kicks() { [ $1 = eth0 ] && ethstats eth0 | awk '/_kicks / { s += $2 } END { print s + 0 }' || echo 0; }
settle() {	# settle DEV FROM: rx_packets once it moved from FROM and stood still 3 s
	local t=6000 now last
	while [ "$(rx $1)" = "$2" ] && [ $t -gt 0 ]; do t=$((t - 1)); sleep 0.1; done
	last=-1 now=$(rx $1)
	while [ "$now" != "$last" ]; do last=$now; sleep 3; now=$(rx $1); done
	echo $now
}
for ko in $(cat /lib/mods/order); do insmod /lib/mods/$ko || say "FAIL insmod $ko"; done
for m in vbus-ioq vbus-proxy vbus-pcibridge vbus-enet; do insmod /lib/vbus/$m.ko || say "FAIL insmod $m"; done
wait_for 120 test -e /sys/class/net/vbg || say "FAIL no vbg: $(ls /sys/class/net)"
wait_for 60 test -e /sys/class/net/eth0 || say "FAIL no eth0: $(ls /sys/class/net)"
ip addr add 198.18.8.2/24 dev vbg && ip link set vbg up
ip addr add 198.18.9.2/24 dev eth0 && ip link set eth0 up
wait_for 60 ping -c 1 -W 1 198.18.8.1 || say "FAIL ping over vbg"
wait_for 60 ping -c 1 -W 1 198.18.9.1 || say "FAIL ping over eth0"
say "ready"
for nic in "vbus vbg 8 vbus-bg-" "virtio eth0 9 virtio0-"; do
	set -- $nic
	us=$(ping -c $PINGS -i 0.2 198.18.$3.1 | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.0f\n", v[int((NR + 1) / 2)] * 1000 }')
	say "rtt $1 $us"
	# guest->host
	hmac=$(awk -v ip=198.18.$3.1 '$1 == ip { print $4 }' /proc/net/arp)
	i0=$(irqs $4) k0=$(kicks $2)
	say "txbegin $1"
	sleep 3
	echo "rem_device_all" > $PG/kpktgend_0
	echo "add_device $2" > $PG/kpktgend_0
	for c in "count $N" "pkt_size 60" "dst 198.18.$3.1" "dst_mac $hmac"; do echo "$c" > $PG/$2; done
	echo start > $PG/pgctrl
	us=$(sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' $PG/$2)
	echo "rem_device_all" > $PG/kpktgend_0
	sleep 3
	say "txdone $1 $us $(( $(irqs $4) - i0 )) $(( $(kicks $2) - k0 ))"
	# host->guest
	r0=$(rx $2) i0=$(irqs $4) k0=$(kicks $2)
	say "rxbegin $1 $(cat /sys/class/net/$2/address)"
	r1=$(settle $2 $r0)
	say "rxdone $1 $((r1 - r0)) $(( $(irqs $4) - i0 )) $(( $(kicks $2) - k0 ))"
done
say "done"
exec sleep 100000
INIT
chmod 0755 $NG/ird/init
(cd $NG/ird && find . | cpio -o -H newc --quiet | gzip -1) > $NG/initrd.gz

mkdir -p $TD
rm -f $TD/*.json /var/lib/vbus/state.json
# 64M: vbus-enet's rings and buffers (receive offloads on) take about 20 MiB.
cat > $TD/bench-guest.json <<'JSON'
{ "buses": [ { "name": "bg", "guest": { "size": "64M", "vectors": 4 }, "devices": ["bg-net"] } ],
  "devices": [ { "name": "bg-net", "class": "venet-tap",
                 "attributes": { "ifname": "vt-bg", "client_ifname": "vbg" } } ] }
JSON
systemctl restart vbusd
for i in $(seq 100); do [ -S /run/vbusd/ivshmem/bg.sock ] && break; sleep 0.1; done
ip addr add 198.18.8.1/24 dev vt-bg
ip link set vt-bg up
ip tuntap add dev tap-vn mode tap
ip addr add 198.18.9.1/24 dev tap-vn
ip link set tap-vn up

echo "bench/guest: load average $(cut -d' ' -f1-3 /proc/loadavg); N=$N frames, $PINGS pings"
t0=$(date +%s)
# A panic ends QEMU (-no-reboot) rather than booting again until the
# timeout; no_timer_check: a loaded host can fail the IO-APIC timer check.
qemu-system-x86_64 -accel tcg -machine pc -m 384 -smp 1 -nodefaults -vga none -display none \
	-no-reboot -kernel ./vmlinuz -initrd $NG/initrd.gz \
	-append "console=ttyS0 quiet panic=-1 no_timer_check" -serial file:$NG/console \
	-chardev socket,path=/run/vbusd/ivshmem/bg.sock,id=ivs \
	-device ivshmem-doorbell,chardev=ivs,vectors=4 \
	-netdev tap,id=vn,ifname=tap-vn,script=no,downscript=no,vhost=on \
	-device virtio-net-pci,netdev=vn,mac=52:54:00:12:34:56 > $NG/qemu.out 2>&1 &
qpid=$!

host_dev() { [ $1 = vbus ] && echo vt-bg || echo tap-vn; }
host_rx() { cat /sys/class/net/$(host_dev $1)/statistics/rx_packets; }
member() {	# the guest member's notify and qinject
	vbusctl -j -s bus show bg | python3 -c '
import json, sys
m = [m for m in json.load(sys.stdin)[0]["members"] if m["guest"]][0]
print(m["stats"]["notify"], m["stats"]["qinject"])'
}
pktgen_host() {	# pktgen_host DEV DST-IP DST-MAC: microseconds for N frames
	echo "rem_device_all" > $PG/kpktgend_0
	echo "add_device $1" > $PG/kpktgend_0
	for c in "count $N" "pkt_size 60" "dst $2" "dst_mac $3"; do echo "$c" > $PG/$1; done
	echo start > $PG/pgctrl
	sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' $PG/$1
	echo "rem_device_all" > $PG/kpktgend_0
}
member_delta() {	# member_delta tx|rx: vbus's doorbells and qinject since $m0
	set -- $1 $m0 $(member)
	R[vbus,$1_bell]=$(( $4 - $2 )) R[vbus,$1_qinject]=$(( $5 - $3 ))
}
pps() { python3 -c "print('%.0f' % ($1 / ($2 / 1e6)) if $2 else 0)"; }
ratio() { python3 -c "print('%.2f' % ($1 / $2 if $2 else 0))"; }

declare -A R
vhost=
while :; do
	if ! kill -0 $qpid 2>/dev/null; then
		echo "bench/guest: QEMU exited"; cat $NG/qemu.out; tail -30 $NG/console; exit 1
	fi
	if [ $(( $(date +%s) - t0 )) -gt "${GUEST_BENCH_TIMEOUT:-3000}" ]; then
		echo "bench/guest: timed out"; tail -30 $NG/console; kill -9 $qpid; exit 1
	fi
	line=$(grep -a '^NESTED ' $NG/console 2>/dev/null | sed -n "$(( ${seen:-0} + 1 ))p" | tr -d '\r')
	if [ -z "$line" ]; then sleep 0.2; continue; fi
	seen=$(( ${seen:-0} + 1 ))
	echo "bench/guest: $(( $(date +%s) - t0 )) s: $line"
	set -- ${line#NESTED }
	case $1 in
	FAIL) tail -30 $NG/console; kill -9 $qpid; exit 1 ;;
	ready)
		if grep -q vhost $NG/qemu.out; then
			vhost="no? QEMU said: $(grep -m1 vhost $NG/qemu.out | tr -d '\r')"
		else
			vhost="on (QEMU said nothing against vhost=on)"
		fi
		echo "bench/guest: vhost-net: $vhost" ;;
	rtt) R[$2,rtt]=$3 ;;
	txbegin) rx0=$(host_rx $2); [ $2 = vbus ] && m0=$(member) ;;
	txdone)
		sleep 1
		R[$2,tx_frames]=$(( $(host_rx $2) - rx0 ))
		R[$2,tx_pps]=$(pps ${R[$2,tx_frames]} $3)
		R[$2,tx_irq]=$4 R[$2,tx_bell]=$5
		[ $2 = vbus ] && member_delta tx ;;
	rxbegin)
		p=$2
		[ $p = vbus ] && m0=$(member)
		[ $p = vbus ] && n=8 || n=9
		R[$p,rx_us]=$(pktgen_host $(host_dev $p) 198.18.$n.2 $3) ;;
	rxdone)
		R[$2,rx_frames]=$3
		R[$2,rx_pps]=$(pps $3 ${R[$2,rx_us]})
		R[$2,rx_irq]=$4 R[$2,rx_bell]=$5
		[ $2 = vbus ] && member_delta rx ;;
	done) break ;;
	esac
done

for p in vbus virtio; do
	frames=$(( ${R[$p,tx_frames]} + ${R[$p,rx_frames]} ))
	notes=$(( ${R[$p,tx_bell]} + ${R[$p,tx_irq]} + ${R[$p,rx_bell]} + ${R[$p,rx_irq]} ))
	R[$p,npp]=$(python3 -c "print('%.4f' % ($notes / $frames if $frames else 0))")
	echo "$p: rtt ${R[$p,rtt]} us;" \
		"guest->host ${R[$p,tx_frames]} of $N frames, ${R[$p,tx_pps]} pps," \
		"${R[$p,tx_bell]} doorbells, ${R[$p,tx_irq]} interrupts;" \
		"host->guest ${R[$p,rx_frames]} of $N frames, ${R[$p,rx_pps]} pps," \
		"${R[$p,rx_bell]} doorbells, ${R[$p,rx_irq]} interrupts;" \
		"${R[$p,npp]} notifications per frame"
done
echo "vbus: the guest member's qinject (interrupts raised by the host): guest->host" \
	"${R[vbus,tx_qinject]}, host->guest ${R[vbus,rx_qinject]}"
# The vhost worker (a kernel thread vhost-QEMUPID) did the virtio path's work if it ran.
vtid=$(grep -lx "vhost-$qpid" /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3)
vticks=$([ -n "$vtid" ] && awk '{ print $14 + $15 }' /proc/$vtid/stat || echo none)
echo "virtio-net backend: vhost-net $vhost; worker vhost-$qpid: ${vtid:-none}, CPU ticks $vticks"
lower() { printf '%s\n' "$@" | sort -g | head -1; }
pps_r=$(lower $(ratio ${R[vbus,tx_pps]} ${R[virtio,tx_pps]}) $(ratio ${R[vbus,rx_pps]} ${R[virtio,rx_pps]}))
echo "ratios: pps64 guest->host $(ratio ${R[vbus,tx_pps]} ${R[virtio,tx_pps]})" \
	"host->guest $(ratio ${R[vbus,rx_pps]} ${R[virtio,rx_pps]})"

kill -9 $qpid; wait $qpid 2>/dev/null || true
rm -f $TD/bench-guest.json
systemctl reload vbusd
systemctl stop vbusd
ip link del tap-vn
rmmod venet-tap vbus pktgen
echo "bench/guest: load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "SUMMARY pps64_vs_virtio=$pps_r rtt_vs_virtio=$(ratio ${R[vbus,rtt]} ${R[virtio,rtt]})" \
	"notify_per_pkt_vs_virtio=$(ratio ${R[vbus,npp]} ${R[virtio,npp]})"
