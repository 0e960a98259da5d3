# A hostile bus member (doc/security.md), issue 13: shared memory is
# charged to the caller.
# An oops panics the guest (panic_on_oops), which ends the run and fails it.
source ./lib.bash

C=/sys/kernel/config/vbus
sysctl -qw kernel.panic_on_oops=1 || fail "panic_on_oops"
one_device_bus vbus-test test hshm
dev=0

# Shared memory is charged: RLIMIT_MEMLOCK (without CAP_IPC_LOCK), memcg.
cat > shm.py <<'PY'
import errno, fcntl, os, resource, struct, sys
sys.path.insert(0, ".")
from vbus import *
SHM = 0x40000000 | (16 << 16) | (0xBE << 8) | 0x20
bus, dev, case = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b = bus_open(bus)
def shm(size):
    d = dev_open(b, dev)
    fcntl.ioctl(d, SHM, struct.pack("QQ", size, 0))
    return d
if case == "rlimit":
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (1 << 20, 1 << 20))
    expect_oserror(errno.ENOMEM, shm, 2 << 20)
    a = shm(768 << 10)
    expect_oserror(errno.ENOMEM, shm, 768 << 10)
    os.close(a)	# returns its pages
    for i in range(200):	# and no page leaks, whatever the order
        os.close(shm(1 << 20))
    a = shm(768 << 10)
elif case == "root":
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (1 << 20, 1 << 20))
    shm(4 << 20)
elif case == "memcg":
    cg = sys.argv[4]
    with open(cg + "/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
    before = int(open(cg + "/memory.current").read())
    d = shm(64 << 20)
    grew = int(open(cg + "/memory.current").read()) - before
    # The memcg's per-CPU charge stock lets memory.current lag by a few
    # pages; uncharged, it would not grow at all.
    check(grew >= 60 << 20, "memory.current grew by %d, not by about 64 MiB" % grew)
PY
echo 0666 > $C/instances/hshm/mode
expect "RLIMIT_MEMLOCK bounds a member's shared memory (ENOMEM)" as_vbususer python3 shm.py hshm $dev rlimit
expect "CAP_IPC_LOCK is not bound by RLIMIT_MEMLOCK" python3 shm.py hshm $dev root
cg=/sys/fs/cgroup/vbus-hostile
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir $cg || fail "mkdir $cg"
expect "shared memory is charged to the caller's memory cgroup" python3 shm.py hshm $dev memcg $cg
rmdir $cg
echo 0600 > $C/instances/hshm/mode

one_device_bus_del vbus-test hshm
