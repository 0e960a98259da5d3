# A hostile bus member (doc/security.md), issue 13: an fd is resolved once
# (VBUS_IOC_SIGNAL against dup2()), driven by the C helper vbus-hostile.
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
