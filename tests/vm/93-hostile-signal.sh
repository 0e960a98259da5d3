# A hostile bus member (doc/security.md), issue 13: an fd is resolved once
# (VBUS_IOC_SIGNAL against dup2()) and a call signal raised inside a kick
# is delivered, driven by the C helper vbus-hostile.
# An oops panics the guest (panic_on_oops), which ends the run and fails it.
source ./lib.bash

H=./vbus-hostile
sysctl -qw kernel.panic_on_oops=1 || fail "panic_on_oops"
one_device_bus vbus-test test hsignal
dev=0

# The kick fd is resolved once: a dup2() racing VBUS_IOC_SIGNAL must not
# leave the wait entry on a file the connection holds no reference to.
expect "signal registration against a dup2() racer (4000 connections)" $H hsignal $dev signal-race 4000

one_device_bus_del vbus-test hsignal

# A class that signals from its kick (venet-raw completes the frame at
# once): the call signal is raised inside the kick eventfd's wake-up, where
# eventfd_signal() refuses with a warning and the signal was lost. It must
# come every time, and a client killed with signals deferred goes cleanly.
one_device_bus vbus-test-venet venet-raw hkick
out=$($H hkick 0 kickcall 2000 2>&1)
expect_eq "2000 kicks answered from the wake-up, 50 kicking clients killed" \
	"kickcall 2000 killed 50" "$out"
one_device_bus_del vbus-test-venet hkick
