# Guest side of bench/ctl/run. Each figure is the median of REPS runs; every
# run starts from nothing and is cleaned up after.
set -u
REPS=${REPS:-3}
CLASS=test	# venet-tap is the issue's class: not measured yet (README.md)

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# vbus_batch N: N devices on N/4 buses, each device attached to bus i % (N/4).
vbus_batch() {
	local n=$1 b=$(($1 / 4)) i
	for ((i = 0; i < b; i++)); do echo "bus add b$i"; done
	for ((i = 0; i < n; i++)); do
		echo "device add d$i type $CLASS"
		echo "device attach d$i bus b$((i % b))"
	done
}
vbus_clean() {
	local n=$1 b=$(($1 / 4)) i
	{ for ((i = 0; i < b; i++)); do echo "bus del b$i"; done
	  for ((i = 0; i < n; i++)); do echo "device del d$i"; done; } | vbusctl -b - || exit 1
}
ip_batch() { local i; for ((i = 0; i < $1; i++)); do echo "link add bd$i type dummy"; done; }
ip_clean() {
	local i
	for ((i = 0; i < $1; i++)); do echo "link del bd$i"; done | ip -b - || exit 1
	udevadm settle
}

# timed COMMAND...: seconds the command took (it must succeed).
timed() {
	local t0 t1
	t0=$(now)
	"$@" > /dev/null || { echo "bench: $* failed" >&2; exit 1; }
	t1=$(now)
	calc "$t1 - $t0"
}

modprobe vbus-test && modprobe dummy || exit 1
vbus_batch 1000 > vbus1k.batch
vbus_batch 4000 > vbus4k.batch
ip_batch 1000 > ip1k.batch

declare -A t
for ((r = 0; r < REPS; r++)); do
	udevadm settle
	echo "$(timed vbusctl -batch vbus1k.batch)" >> vbus_create
	echo "$(timed vbusctl -j device show)" >> vbus_show
	vbus_clean 1000
	udevadm settle
	echo "$(timed ip -batch ip1k.batch)" >> ip_create
	echo "$(timed ip -j link show)" >> ip_show
	ip_clean 1000
	echo "$(timed vbusctl -batch vbus4k.batch)" >> vbus_create4k
	vbus_clean 4000
done
for k in vbus_create vbus_show ip_create ip_show vbus_create4k; do
	t[$k]=$(median < $k)
done

printf '%-40s %10s\n' "work (median of $REPS, seconds)" time
printf '%-40s %10.3f\n' "vbusctl -batch: 250 buses, 1000 devices" "${t[vbus_create]}"
printf '%-40s %10.3f\n' "ip -batch: 1000 dummy links" "${t[ip_create]}"
printf '%-40s %10.3f\n' "vbusctl -j device show (1000)" "${t[vbus_show]}"
printf '%-40s %10.3f\n' "ip -j link show (1000 + lo)" "${t[ip_show]}"
printf '%-40s %10.3f\n' "vbusctl -batch: 1000 buses, 4000 devices" "${t[vbus_create4k]}"
printf 'SUMMARY create_vs_ip=%.2f show_vs_ip=%.2f scale_4k_vs_1k=%.2f\n' \
	"$(calc "${t[vbus_create]} / ${t[ip_create]}")" \
	"$(calc "${t[vbus_show]} / ${t[ip_show]}")" \
	"$(calc "(${t[vbus_create4k]} / 4000) / (${t[vbus_create]} / 1000)")"
rmmod vbus-test vbus
