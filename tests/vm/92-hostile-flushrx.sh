# A hostile bus member (doc/security.md), issue 13: a loop the client
# feeds is bounded.
# An oops panics the guest (panic_on_oops), which ends the run and fails it.
source ./lib.bash

H=./vbus-hostile
sysctl -qw kernel.panic_on_oops=1 || fail "panic_on_oops"
one_device_bus venet-tap venet-tap hflushrx
dev=0

# A client-controlled loop is bounded by the ring: one FLUSHRX hands back
# at most one ring's worth however fast the client posts again.
out=$($H hflushrx $dev flushrx 2000) || fail "flushrx: $out"
set -- $out
[ "$4" -le "$2" ] && pass "one FLUSHRX hands back at most a ring ($out)" ||
	fail "one FLUSHRX handed back more than a ring: $out"

one_device_bus_del venet-tap hflushrx
