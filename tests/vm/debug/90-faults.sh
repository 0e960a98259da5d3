# Fault injection (debug kernel only): each admin and client operation runs
# with its Nth allocation failed (/proc/thread-self/fail-nth, which failslab
# and fail_page_alloc honour), for N = 1, 2, 3, ... at increasing intervals,
# until the operation no longer reaches an Nth allocation. Every failure must
# be a clean errno (ENOMEM, or ENOBUFS from netlink), leave no half-made
# object behind (the operation then succeeds without faults), and crash
# nothing; leaks are the harness's kmemleak scan's. An operation that
# succeeds though a fault was injected must not have swallowed it: the local
# connector's devices are on the driver model, a genl listener heard of the
# new device or got ENOBUFS. Then the whole sequence succeeds once more and
# every module unloads.
source ./lib.bash

DBG=/sys/kernel/debug
[ -e $DBG/failslab ] || mount -t debugfs none $DBG
[ -e /proc/thread-self/fail-nth ] || fail "no fault injection in this kernel (use vm-run --kernel debug)"
for cap in failslab fail_page_alloc; do
	# Quiet (a forced failure would print a stack trace, which the harness
	# takes for a report), and fail sleeping allocations too.
	echo 0 > $DBG/$cap/verbose
	echo N > $DBG/$cap/ignore-gfp-wait
done
# Order-0 pages too; user pages (highmem) of the test itself stay exempt.
echo 0 > $DBG/fail_page_alloc/min-order
expect "modprobe vbus-test" modprobe vbus-test
expect "modprobe venet-tap" modprobe venet-tap
expect "modprobe vbus-test-driver" modprobe vbus-test-driver

# From here an allocation-failure warning in the kernel log is expected
# (tests/vm/klog-check lets it pass; any other report still fails).
echo "vbus-vm: fault injection on" > /dev/kmsg
expect "every operation fails cleanly at each allocation and then succeeds" python3 - <<'PY'
import errno, fcntl, glob, mmap, os, socket, struct, sys
sys.path.insert(0, ".")
import vbus
sys.stdout = sys.stderr  # expect discards stdout: show the steps

C = vbus.CONFIGFS
CLEAN = (errno.ENOMEM, errno.ENOBUFS)
SHM = vbus._ioc(1, 0x20, 16)
SIGNAL = vbus._ioc(1, 0x21, 16)
NEGCAP, QREG, LINKUP, LINKDOWN = 0, 1, 2, 3
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 1

nth = os.open("/proc/thread-self/fail-nth", os.O_RDWR)


# fail-nth has no llseek (ESPIPE): pread and pwrite at offset 0.
def arm(n):
    os.pwrite(nth, b"%d" % n, 0)


def disarm():
    """Disarm; True when the armed fault was injected."""
    left = int(os.pread(nth, 32, 0))
    os.pwrite(nth, b"0", 0)
    return left == 0


def exists(path):
    return os.path.lexists(path)


def wr(path, text):
    with open(path, "w") as f:
        f.write(text)


def mkdev(name, cls):
    os.mkdir("%s/devices/%s" % (C, name))
    wr("%s/devices/%s/type" % (C, name), cls)


def rm(*paths):
    for p in paths:
        if os.path.islink(p):
            os.unlink(p)
        elif exists(p):
            os.rmdir(p)


def venet_connect(ctx):
    d = vbus.dev_open(ctx[0], 0)
    ctx.append(d)
    vbus.dev_call(d, struct.pack("II", 1, 0), func=NEGCAP, size=8)
    fcntl.ioctl(d, SHM, struct.pack("QQ", 1 << 20, 0))


def venet_up(d):
    for q, ring in ((0, 0), (1, 8192)):
        vbus.dev_call(d, struct.pack("IIQQQ", q, 256, ring, 65536, 1 << 19), func=QREG, size=32)
    vbus.dev_call(d, b"", func=LINKUP, size=0)


def ifflags(s, name, up):
    """Up or down on socket s (made unarmed: its own allocations are not the op's)."""
    req = struct.pack("16sH22x", name.encode(), 0)
    flags = struct.unpack_from("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
    flags = flags | IFF_UP if up else flags & ~IFF_UP
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", name.encode(), flags))


class Op:
    """setup() -> ctx (no faults); op(ctx) runs armed; gone(ctx): what a failed
    op must not leave behind (paths); check(ctx), unarmed: what an op that
    succeeded must have done, though a fault was injected (no failure
    swallowed); undo(ctx) restores the start. After a failure the op runs
    again without faults on the same ctx, or, for an op of several steps
    (fresh), on a new one. none_ok: it may reach no allocation at all.
    errnos: what the kernel outside vbus returns besides ENOMEM, and why."""

    def __init__(self, name, op, setup=lambda: None, undo=lambda ctx: None, gone=lambda ctx: (),
                 check=lambda ctx: None, fresh=False, none_ok=False, errnos=()):
        self.name, self.setup, self.op, self.undo, self.gone = name, setup, op, undo, gone
        self.check, self.fresh, self.none_ok, self.errnos = check, fresh, none_ok, errnos


B, D, L = C + "/instances/fb", C + "/devices/fd", C + "/instances/fb/fd"
V, VL = C + "/devices/fv", C + "/instances/fb/fv"


def linked(cls="test"):
    os.mkdir(B)
    mkdev("fd" if cls == "test" else "fv", cls)
    os.symlink(D if cls == "test" else V, L if cls == "test" else VL)


def unlinked(_=None):
    rm(L, VL, D, V, B)


def bus_fd():
    return vbus.bus_open("fb")


def close_all(ctx):
    for fd in reversed(ctx):
        os.close(fd)


def with_fds(make):
    def setup():
        linked()
        return make()
    return setup


def fds_undo(ctx):
    close_all(ctx)
    unlinked()


def venet_setup():
    linked("venet-tap")
    ctx = [bus_fd()]
    venet_connect(ctx)
    return ctx


def genl_setup():
    linked()
    return vbus.Genl()


def genl_undo(g):
    g.sock.close()
    unlinked()


def signal(ctx):
    e1, e2 = os.eventfd(0, os.EFD_NONBLOCK), os.eventfd(0, os.EFD_NONBLOCK)
    ctx += [e1, e2]
    fcntl.ioctl(ctx[1], SIGNAL, struct.pack("IiiI", 0, e1, e2, 0))


def dev_fd_ctx():
    b = bus_fd()
    return [b, vbus.dev_open(b, 0)]


def shm_ctx():
    ctx = dev_fd_ctx()
    fcntl.ioctl(ctx[1], SHM, struct.pack("QQ", 1 << 20, 0))
    return ctx


def mapped(ctx):
    m = mmap.mmap(ctx[1], 1 << 20)
    m[0:4] = b"ring"
    m.close()


def venet_frames_setup():
    """Connected, link up, four frames posted on the tx ring, not kicked."""
    ctx = venet_setup()
    venet_up(ctx[1])
    m = mmap.mmap(ctx[1], 1 << 20)
    for i in range(4):
        m[65536 + 2048 * i:65536 + 2048 * i + 60] = b"\xff" * 6 + b"\x02" + bytes(5) + b"\x88\xb5" + bytes(46)
        struct.pack_into("QIHH", m, 8192 + 384 + 16 * i, 2048 * i, 60, 0, 0x80)
    m.close()
    return ctx


def venet_ifname():
    return open("/sys/vbus/devices/fv/ifname").read().strip()


def ifup_setup():
    linked("venet-tap")
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM), venet_ifname()


def ifup_undo(ctx):
    ifflags(*ctx, up=False)
    ctx[0].close()
    unlinked()


PROXY = "/sys/bus/vbus/devices/fb:*"


def local_setup():
    linked()
    return os.open(B + "/local", os.O_WRONLY)


def local_on_done(_):
    # The device is on the driver model (its driver's probe may still have
    # failed: the driver core's business, logged).
    if not glob.glob(PROXY):
        sys.exit("local on: succeeded, but the bus's device is not on the driver model")


def local_gone(_):
    on = open(B + "/local").read().strip() != "0"
    return glob.glob(PROXY) + ([B + "/local = 1"] if on else [])


def local_undo(fd):
    os.close(fd)
    wr(B + "/local", "0")
    unlinked()


def listener():
    g = vbus.Genl()
    g.subscribe()
    return g


def heard(g):
    """A listener hears of the device, or learns that it lost a notification."""
    try:
        names = [name for name, _ in g.events(timeout=0.5)]
    except OSError as e:
        if e.errno == errno.ENOBUFS:
            return
        raise
    if "DEVICE_ADD_NTF" not in names:
        sys.exit("mkdir device: succeeded; a listener neither heard it nor got ENOBUFS: %r" % names)


def listener_undo(g):
    g.sock.close()
    unlinked()


ops = [
    Op("mkdir bus", lambda _: os.mkdir(B), undo=unlinked, gone=lambda _: (B, "/dev/vbus/fb", "/sys/vbus/instances/fb")),
    Op("mkdir device", lambda _: os.mkdir(D), undo=unlinked, gone=lambda _: (D, "/sys/vbus/devices/fd")),
    Op("type test", lambda fd: os.write(fd, b"test"),
       setup=lambda: (os.mkdir(D), os.open(D + "/type", os.O_WRONLY))[1],
       undo=lambda fd: (os.close(fd), unlinked())),
    # register_netdev() fails with EINVAL when the name of the netdev's
    # struct device cannot be allocated: net/core/net-sysfs.c ignores
    # dev_set_name()'s error and device_add() refuses a nameless device.
    Op("type venet-tap", lambda fd: os.write(fd, b"venet-tap"),
       setup=lambda: (os.mkdir(V), os.open(V + "/type", os.O_WRONLY))[1],
       undo=lambda fd: (os.close(fd), unlinked()), errnos=(errno.EINVAL,)),
    Op("link", lambda _: os.symlink(D, L),
       setup=lambda: (os.mkdir(B), mkdev("fd", "test")), undo=unlinked, gone=lambda _: (L,)),
    Op("unlink", lambda _: os.unlink(L), setup=linked, undo=unlinked),
    Op("rmdir device", lambda _: os.rmdir(D), setup=lambda: mkdev("fd", "test"), undo=unlinked),
    Op("rmdir venet-tap device", lambda _: os.rmdir(V), setup=lambda: mkdev("fv", "venet-tap"), undo=unlinked),
    Op("rmdir bus with a live member", lambda _: os.rmdir(B),
       setup=lambda: (os.mkdir(B), [bus_fd()])[1], undo=lambda ctx: (close_all(ctx), unlinked())),
    Op("genl class dump", vbus.dump_classes, setup=genl_setup, undo=genl_undo),
    Op("genl bus dump", vbus.dump_buses, setup=genl_setup, undo=genl_undo),
    Op("genl device dump", vbus.dump_devices, setup=genl_setup, undo=genl_undo),
    Op("genl stats dump", vbus.dump_stats, setup=genl_setup, undo=genl_undo),
    Op("genl class get", lambda g: g.request(vbus.CMD["CLASS_GET"], [vbus.nla(1, "test")]),
       setup=genl_setup, undo=genl_undo),
    Op("open bus", lambda ctx: ctx.append(bus_fd()), setup=with_fds(list), undo=fds_undo),
    Op("open device", lambda ctx: ctx.append(vbus.dev_open(ctx[0], 0)),
       setup=with_fds(lambda: [bus_fd()]), undo=fds_undo),
    Op("call", lambda ctx: vbus.dev_call(ctx[1], "x" * 300), setup=with_fds(dev_fd_ctx), undo=fds_undo),
    Op("shm", lambda ctx: fcntl.ioctl(ctx[1], SHM, struct.pack("QQ", 1 << 20, 0)),
       setup=with_fds(dev_fd_ctx), undo=fds_undo),
    Op("mmap", mapped, setup=with_fds(shm_ctx), undo=fds_undo),
    Op("signal", signal, setup=with_fds(shm_ctx), undo=fds_undo),
    # Cannot fail, and may allocate nothing.
    Op("close device fd", lambda ctx: os.close(ctx.pop()), setup=with_fds(shm_ctx), undo=fds_undo,
       none_ok=True),
    Op("venet connect", venet_connect, setup=lambda: (linked("venet-tap"), [bus_fd()])[1],
       undo=fds_undo, fresh=True),
    Op("venet rings and link up", lambda ctx: venet_up(ctx[1]), setup=venet_setup, undo=fds_undo,
       fresh=True),
    # Its skbs come from the page pool and NAPI's per-CPU skb cache, which
    # may hold enough for four frames: it may reach no allocation at all.
    Op("venet kick (frames to the host)", lambda ctx: fcntl.ioctl(ctx[1], vbus.VBUS_IOC_KICK, 1),
       setup=venet_frames_setup, undo=fds_undo, none_ok=True),
    Op("venet host netdev up", lambda ctx: ifflags(*ctx, up=True), setup=ifup_setup, undo=ifup_undo),
    Op("mkdir device, a listener", lambda _: os.mkdir(D), setup=listener, undo=listener_undo,
       gone=lambda _: (D, "/sys/vbus/devices/fd"), check=heard),
    Op("local on (test driver probes)", lambda fd: os.write(fd, b"1"), setup=local_setup,
       undo=local_undo, gone=local_gone, check=local_on_done),
]

MAX_N = 3000


def faults(op, state):
    """Op at each allocation in turn; SystemExit at the first problem."""
    n, injected, errs = 1, 0, {}
    while n <= MAX_N:
        ctx = state["ctx"] = op.setup()
        arm(n)
        err = None
        try:
            op.op(ctx)
        except OSError as e:
            err = e.errno
        except MemoryError:
            err = errno.ENOMEM  # the interpreter's own allocation (mmap) failed
        hit = disarm()
        if err is not None:
            if not hit:
                sys.exit("%s failed with %s and no fault injected" % (op.name, errno.errorcode.get(err, err)))
            if err not in CLEAN + op.errnos:
                sys.exit("%s: fault at allocation %d: errno %s, expected ENOMEM" %
                         (op.name, n, errno.errorcode.get(err, err)))
            errs[errno.errorcode[err]] = errs.get(errno.errorcode[err], 0) + 1
            left = [p for p in op.gone(ctx) if exists(p)]
            if left:
                sys.exit("%s: fault at allocation %d left %s behind" % (op.name, n, left))
            if op.fresh:
                op.undo(ctx)
                ctx = state["ctx"] = op.setup()
            try:
                op.op(ctx)
            except OSError as e:
                sys.exit("%s: after a fault at allocation %d, fails without one: %s" % (op.name, n, e))
        op.check(ctx)
        injected += hit
        state["ctx"] = None
        op.undo(ctx)
        if not hit:
            break
        # Every one of the first 64 allocations, then about every tenth.
        n += 1 if n < 64 else max(1, n // 10)
    if injected == 0 and not op.none_ok:
        sys.exit("%s: no fault was injected (does it allocate at all?)" % op.name)
    if n > MAX_N:
        sys.exit("%s: still allocating at %d" % (op.name, MAX_N))
    print("  %-30s %3d allocations reached, %3d faults, failures: %s" %
          (op.name, n - 1, injected, errs or "none"))
    bus_opens(op)
    return injected


def bus_opens(op):
    """What the op's faults left behind does not break a new bus: it opens."""
    os.mkdir(B)
    try:
        os.close(bus_fd())
    except OSError as e:
        node = os.stat("/dev/vbus/fb").st_rdev
        sysdev = [open(p).read().strip() for p in glob.glob("/sys/class/*/fb/dev")]
        sys.exit("after %s, a new bus does not open: %s (/dev/vbus/fb is %d:%d, sysfs says %s)" %
                 (op.name, e, os.major(node), os.minor(node), sysdev))
    finally:
        os.rmdir(B)


# Every operation runs, whatever an earlier one found (one boot of the debug
# kernel is long); after a problem, what its undo can clean up is cleaned up.
total, problems = 0, []
for op in ops:
    state = {"ctx": None}
    try:
        total += faults(op, state)
    except (SystemExit, Exception) as e:
        what = e.code if isinstance(e, SystemExit) else "%s: %r" % (op.name, e)
        print("  %-30s PROBLEM: %s" % (op.name, what))
        problems.append(str(what))
        os.pwrite(nth, b"0", 0)
        for clean in (lambda: state["ctx"] is not None and op.undo(state["ctx"]),
                      lambda: exists(B) and wr(B + "/local", "0"),
                      unlinked):
            try:
                clean()
            except Exception as e2:
                print("  (cleaning up: %r)" % e2)

# The sequence once more, without faults: everything works and unwinds.
for op in ops:
    ctx = op.setup()
    op.op(ctx)
    op.check(ctx)
    op.undo(ctx)
left = os.listdir(C + "/instances") + os.listdir(C + "/devices")
if left:
    problems.append("configfs not empty at the end: %r" % left)
print("  %d faults injected in %d operations" % (total, len(ops)))
if problems:
    sys.exit("%d problems:\n  %s" % (len(problems), "\n  ".join(problems)))
PY
echo "vbus-vm: fault injection off" > /dev/kmsg
expect "rmmod venet-tap" rmmod venet-tap
expect "rmmod vbus-test-driver" rmmod vbus-test-driver
expect "rmmod vbus-test" rmmod vbus-test
expect "rmmod vbus" rmmod vbus
expect "rmmod vbus-proxy" rmmod vbus-proxy
for cap in failslab fail_page_alloc; do
	echo Y > $DBG/$cap/ignore-gfp-wait
done
echo 1 > $DBG/fail_page_alloc/min-order
