# A hostile bus member (doc/security.md), issue 13: what r and w on a bus allow.
# An oops panics the guest (panic_on_oops), which ends the run and fails it.
source ./lib.bash

C=/sys/kernel/config/vbus
sysctl -qw kernel.panic_on_oops=1 || fail "panic_on_oops"
one_device_bus vbus-test test hrw
dev=0

# r lists and observes, w drives. vbususer is "other" to the bus.
cat > rw.py <<'PY'
import errno, os, sys
sys.path.insert(0, ".")
from vbus import *
bus, dev, case = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if case == "r":		# mode 0644: read-only opens only
    expect_oserror(errno.EACCES, bus_open, bus, os.O_RDWR)
    fd = bus_open(bus, os.O_RDONLY)
    check(bus_list(fd)[0] == 1, "a reader lists the devices")
    expect_oserror(errno.EBADF, dev_open, fd, dev)
elif case == "w":	# mode 0622: write-only opens only
    expect_oserror(errno.EACCES, bus_open, bus, os.O_RDONLY)
    fd = bus_open(bus, os.O_WRONLY)
    expect_oserror(errno.EBADF, bus_list, fd)
    d = dev_open(fd, dev)
    check(dev_call(d, "hi") == b"hi", "a writer drives the device")
PY
echo 0644 > $C/instances/hrw/mode
expect "mode 0644: others list, and cannot open a device (EBADF)" as_vbususer python3 rw.py hrw $dev r
echo 0622 > $C/instances/hrw/mode
expect "mode 0622: others open and call a device, and cannot list (EBADF)" as_vbususer python3 rw.py hrw $dev w

one_device_bus_del vbus-test hrw
