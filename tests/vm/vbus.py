#!/usr/bin/python3
"""Test client of the vbus userspace connector (/dev/vbus/<bus>).

Speaks the ioctls of <linux/vbus.h> with ctypes; each subcommand is one
scenario of the VM tests. Errors print strerror() on stderr and exit 1, so
lib.bash's expect_errno can match them.
"""
import ctypes
import errno
import fcntl
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

CONFIGFS = "/sys/kernel/config/vbus"

# The uapi (<linux/vbus.h>, <linux/vbus_venet.h>): tests/uapi.test holds every
# number and layout below to the headers, field by field.
TYPE_LEN = 32

EVENT_DEVICE_ADD, EVENT_DEVICE_DEL, EVENT_BUS_GONE, EVENT_OVERFLOW = 1, 2, 3, 4

# struct layouts as struct-module formats, one letter per field in order.
FMT = dict(
    vbus_event="II%ds" % TYPE_LEN,
    vbus_dev_info="II%ds" % TYPE_LEN,
    vbus_list="IIQ",
    vbus_open="II",
    vbus_call="IIQII",
    vbus_shm="QQ",
    vbus_signal="IiiI",
    venet_negcap="II",
    venet_qreg="IIQQQ",
    venet_config="6sHIII",
    ioq_desc="QIHH",
    ioq_signal="HH124x",
    ioq_ring="IHHI116x128x128x",
)
EVENT_FMT = FMT["vbus_event"]
EVENT_SIZE = struct.calcsize(EVENT_FMT)

IOC_NONE, IOC_WRITE, IOC_READ = 0, 1, 2


def _ioc(d, nr, size):
    return (d << 30) | (size << 16) | (0xBE << 8) | nr


def _iocs(d, nr, fmt):
    return _ioc(d, nr, struct.calcsize(FMT[fmt]))


VBUS_IOC_LIST = _iocs(IOC_READ | IOC_WRITE, 0x00, "vbus_list")
VBUS_IOC_OPEN = _iocs(IOC_WRITE, 0x01, "vbus_open")
VBUS_IOC_CALL = _iocs(IOC_READ | IOC_WRITE, 0x10, "vbus_call")
VBUS_IOC_SHM = _iocs(IOC_WRITE, 0x20, "vbus_shm")
VBUS_IOC_SIGNAL = _iocs(IOC_WRITE, 0x21, "vbus_signal")
VBUS_IOC_KICK = _ioc(IOC_NONE, 0x22, 0)

VENET_FUNC = dict(NEGCAP=0, QREG=1, LINKUP=2, LINKDOWN=3, MACQUERY=4, FLUSHRX=5, CONFIG=6)
VENET_QUEUE = dict(RX=0, TX=1, LINK=2)
VENET_CAP = dict(SG=1, RXWAIT=2, TXOFF=4, LINKEV=8, RXOFF=16)


class DevInfo(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
                ("type", ctypes.c_char * TYPE_LEN)]


def bus_open(bus, flags=os.O_RDWR):
    return os.open("/dev/vbus/" + bus, flags)


def bus_list(fd, capacity=64):
    arr = (DevInfo * max(capacity, 1))()
    req = bytearray(struct.pack(FMT["vbus_list"], capacity, 0, ctypes.addressof(arr)))
    fcntl.ioctl(fd, VBUS_IOC_LIST, req, True)
    total = struct.unpack(FMT["vbus_list"], req)[0]
    return total, [(arr[i].id, arr[i].type.decode()) for i in range(min(total, capacity))]


def dev_open(fd, dev_id, flags=0):
    return fcntl.ioctl(fd, VBUS_IOC_OPEN, bytearray(struct.pack(FMT["vbus_open"], dev_id, flags)),
                       True)


def dev_call(fd, data, func=0, size=None, flags=0):
    data = data.encode() if isinstance(data, str) else data
    size = max(len(data), 64) if size is None else size
    buf = ctypes.create_string_buffer(data, max(size, len(data), 1))
    req = bytearray(struct.pack(FMT["vbus_call"], func, flags, ctypes.addressof(buf), len(data),
                                size))
    n = fcntl.ioctl(fd, VBUS_IOC_CALL, req, True)
    return buf.raw[:n]


def read_events(fd):
    out = []
    data = os.read(fd, EVENT_SIZE * 16)
    for off in range(0, len(data), EVENT_SIZE):
        ev, dev_id, typ = struct.unpack_from(EVENT_FMT, data, off)
        out.append((ev, dev_id, typ.rstrip(b"\0").decode()))
    return out


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_oserror(err, fn, *args):
    try:
        fn(*args)
    except OSError as e:
        check(e.errno == err, "%s: errno %s, expected %s" % (fn.__name__, errno.errorcode.get(e.errno), errno.errorcode[err]))
        return
    raise AssertionError("%s succeeded, expected %s" % (fn.__name__, errno.errorcode[err]))


def cmd_list(bus):
    fd = bus_open(bus)
    for dev_id, typ in bus_list(fd)[1]:
        print(dev_id, typ)


def cmd_open(bus, dev_id):
    fd = bus_open(bus)
    os.close(dev_open(fd, int(dev_id)))


def cmd_call(bus, dev_id, data, func="0"):
    fd = bus_open(bus)
    dfd = dev_open(fd, int(dev_id))
    sys.stdout.write(dev_call(dfd, data, int(func)).decode() + "\n")


def cmd_ioctl_errors(bus):
    """Bad arguments to each ioctl, with their errno."""
    fd = bus_open(bus)
    expect_oserror(errno.EINVAL, fcntl.ioctl, fd, VBUS_IOC_LIST,
                   struct.pack(FMT["vbus_list"], 0, 1, 0))
    expect_oserror(errno.EFAULT, fcntl.ioctl, fd, VBUS_IOC_LIST,
                   struct.pack(FMT["vbus_list"], 4, 0, 8))
    expect_oserror(errno.EINVAL, dev_open, fd, 0, 1)
    expect_oserror(errno.ENOENT, dev_open, fd, 12345)
    expect_oserror(errno.ENOTTY, fcntl.ioctl, fd, _ioc(0, 0x7f, 0), 0)
    expect_oserror(errno.ENOTTY, fcntl.ioctl, fd, VBUS_IOC_CALL, bytes(24))
    dfd = dev_open(fd, 0)
    expect_oserror(errno.EINVAL, dev_call, dfd, "x", 0, 64, 1)
    expect_oserror(errno.EINVAL, dev_call, dfd, "toolong", 0, 2)
    expect_oserror(errno.EINVAL, dev_call, dfd, "x", 0, 65537)
    expect_oserror(errno.EINVAL, dev_call, dfd, "x", 99)
    expect_oserror(errno.EFAULT, fcntl.ioctl, dfd, VBUS_IOC_CALL,
                   struct.pack(FMT["vbus_call"], 0, 0, 8, 4, 4))
    expect_oserror(errno.ENOTTY, fcntl.ioctl, dfd, VBUS_IOC_LIST, bytes(16))
    expect_oserror(errno.ENOTTY, fcntl.ioctl, fd, VBUS_IOC_KICK, 0)
    expect_oserror(errno.EINVAL, fcntl.ioctl, dfd, VBUS_IOC_KICK, 8)
    expect_oserror(errno.EINVAL, fcntl.ioctl, dfd, VBUS_IOC_KICK, -1)
    # A class without kick callbacks (test-echo): counted, nothing else.
    fcntl.ioctl(dfd, VBUS_IOC_KICK, 7)
    fcntl.ioctl(dfd, VBUS_IOC_KICK, 0)
    out = subprocess.run(["vbusctl", "-j", "stats", "bus", bus], capture_output=True, text=True,
                         check=True).stdout
    qnotify = [m["stats"]["qnotify"] for m in json.loads(out) if m["pid"] == os.getpid()]
    check(qnotify == [2], "VBUS_IOC_KICK counted in qnotify: %r" % qnotify)
    expect_oserror(errno.EINVAL, os.read, fd, 8)
    expect_oserror(errno.EAGAIN, os.read, os.open("/dev/vbus/" + bus, os.O_RDWR | os.O_NONBLOCK), EVENT_SIZE)
    total, devs = bus_list(fd, 0)
    check(devs == [] and total >= 1, "list with no room reports the total")
    print("ioctl errors ok")


def link(dev, bus):
    os.symlink("%s/devices/%s" % (CONFIGFS, dev), "%s/instances/%s/%s" % (CONFIGFS, bus, dev))


def unlink(dev, bus):
    os.unlink("%s/instances/%s/%s" % (CONFIGFS, bus, dev))


def cmd_events(bus, dev):
    """Hot-plug events on the bus fd, then dead fds when the device leaves and the bus goes."""
    fd = bus_open(bus, os.O_RDWR | os.O_NONBLOCK)
    p = select.poll()
    p.register(fd, select.POLLIN)
    check(p.poll(0) == [], "no event before linking")
    link(dev, bus)
    check(p.poll(1000) == [(fd, select.POLLIN)], "poll: EPOLLIN after linking")
    evs = read_events(fd)
    check(len(evs) == 1 and evs[0][0] == EVENT_DEVICE_ADD and evs[0][2] == "test-echo", "add event: %r" % evs)
    dev_id = evs[0][1]
    dfd = dev_open(fd, dev_id)
    check(dev_call(dfd, "ping") == b"ping", "echo call")
    dp = select.poll()
    dp.register(dfd, select.POLLIN)
    check(dp.poll(0) == [], "live device fd does not poll")
    unlink(dev, bus)
    evs = read_events(fd)
    check(evs == [(EVENT_DEVICE_DEL, dev_id, "test-echo")], "del event: %r" % evs)
    expect_oserror(errno.ENODEV, dev_call, dfd, "ping")
    expect_oserror(errno.ENODEV, fcntl.ioctl, dfd, VBUS_IOC_KICK, 0)
    check(dp.poll(0) == [(dfd, select.POLLHUP)], "dead device fd polls EPOLLHUP")
    expect_oserror(errno.ENOENT, dev_open, fd, dev_id)
    os.rmdir("%s/instances/%s" % (CONFIGFS, bus))
    check(not os.path.exists("/dev/vbus/" + bus), "/dev/vbus/<bus> gone with the bus")
    check(p.poll(0) == [(fd, select.POLLIN | select.POLLHUP)], "bus fd: EPOLLIN|EPOLLHUP")
    evs = read_events(fd)
    check(evs == [(EVENT_BUS_GONE, 0, "")], "bus gone event: %r" % evs)
    expect_oserror(errno.ENODEV, os.read, fd, EVENT_SIZE)
    expect_oserror(errno.ENODEV, bus_list, fd)
    expect_oserror(errno.ENODEV, dev_open, fd, 0)
    os.close(dfd)
    os.close(fd)
    print("events ok")


def cmd_overflow(bus, dev):
    fd = bus_open(bus, os.O_RDWR | os.O_NONBLOCK)
    for _ in range(40):
        link(dev, bus)
        unlink(dev, bus)
    evs = read_events(fd) + read_events(fd) + read_events(fd) + read_events(fd)
    check(len(evs) == 64 and evs[-1][0] == EVENT_OVERFLOW, "64 events, the last OVERFLOW: %d" % len(evs))
    expect_oserror(errno.EAGAIN, os.read, fd, EVENT_SIZE)
    print("overflow ok")


def cmd_pin(bus, dev):
    """A dead device fd keeps the class module loaded until it is closed."""
    import subprocess
    fd = bus_open(bus)
    iface = os.listdir("/sys/vbus/devices/%s/interfaces" % dev)[0]
    dfd = dev_open(fd, int(iface.rsplit(":", 1)[1]))
    unlink(dev, bus)
    os.rmdir("%s/devices/%s" % (CONFIGFS, dev))
    check(not os.path.exists("/sys/vbus/devices/" + dev), "the device is gone from sysfs")
    expect_oserror(errno.ENODEV, dev_call, dfd, "x")
    rc = subprocess.run(["rmmod", "vbus-test"], capture_output=True).returncode
    check(rc != 0, "rmmod vbus-test refused while a dead device fd is open")
    os.close(dfd)
    os.close(fd)
    print("pin ok")


def members(bus):
    return sorted(os.listdir("/sys/vbus/instances/%s/members" % bus))


def cmd_fork(bus):
    """Membership is the open file: inherited across fork, ends with the last copy."""
    fd = bus_open(bus)
    me = str(os.getpid())
    check(members(bus) == [me], "members/ lists the opener: %r" % members(bus))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.read(r, 1)  # parent closed its copy
        try:
            check(members(bus) == [me], "still a member after the parent closed")
            check(bus_list(fd)[0] >= 1, "the child lists devices")
            os._exit(0)
        except Exception as e:
            print("child:", e, file=sys.stderr)
            os._exit(1)
    os.close(fd)
    os.write(w, b"x")
    _, st = os.waitpid(pid, 0)
    check(st == 0, "child checks")
    check(members(bus) == [], "no member after the last copy closed")
    print("fork ok")


def cmd_scm(bus):
    """A bus fd passed over a unix socket (SCM_RIGHTS) works in the receiver."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        a.close()
        try:
            _, fds, _, _ = socket.recv_fds(b, 1, 1)
            total, devs = bus_list(fds[0])
            check(total >= 1, "the receiver lists devices")
            dfd = dev_open(fds[0], devs[0][0])
            check(dev_call(dfd, "scm") == b"scm", "the receiver calls")
            os._exit(0)
        except Exception as e:
            print("receiver:", e, file=sys.stderr)
            os._exit(1)
    b.close()
    fd = bus_open(bus)
    socket.send_fds(a, [b"x"], [fd])
    os.close(fd)
    _, st = os.waitpid(pid, 0)
    check(st == 0, "receiver checks")
    check(members(bus) == [], "no member once the receiver exited")
    print("scm ok")


def walk_sysfs(stop, errors):
    while not stop.is_set():
        for root, dirs, files in os.walk("/sys/vbus"):
            for f in files:
                try:
                    with open(os.path.join(root, f)) as fh:
                        fh.read()
                except OSError:
                    pass


def cmd_loop(n):
    """create/type/link/open/call/unlink/destroy n times beside a sysfs walker and a genl dumper."""
    stop = threading.Event()
    errors = []
    readers = [threading.Thread(target=walk_sysfs, args=(stop, errors)),
               threading.Thread(target=genl_dumper, args=(stop, errors))]
    for t in readers:
        t.start()
    try:
        for i in range(int(n)):
            bus, dev = "loopbus%d" % (i % 3), "loopdev%d" % i
            if not os.path.exists("%s/instances/%s" % (CONFIGFS, bus)):
                os.mkdir("%s/instances/%s" % (CONFIGFS, bus))
            os.mkdir("%s/devices/%s" % (CONFIGFS, dev))
            with open("%s/devices/%s/type" % (CONFIGFS, dev), "w") as f:
                f.write("test")
            link(dev, bus)
            fd = bus_open(bus)
            _, devs = bus_list(fd)
            dfd = dev_open(fd, devs[-1][0])
            check(dev_call(dfd, dev) == dev.encode(), "echo")
            if i % 2:
                os.close(dfd)
                os.close(fd)
            unlink(dev, bus)
            os.rmdir("%s/devices/%s" % (CONFIGFS, dev))
            if not i % 2:
                expect_oserror(errno.ENODEV, dev_call, dfd, "x")
                os.close(dfd)
                os.close(fd)
    finally:
        stop.set()
        for t in readers:
            t.join()
    check(not errors, "concurrent readers: %r" % errors)
    for b in range(3):
        os.rmdir("%s/instances/loopbus%d" % (CONFIGFS, b))
    print("loop ok")


def cmd_link_race(n):
    """symlink() racing rmdir of its target, a device and a bus, n rounds each.

    configfs_rmdir() drops the item's last reference before the dentry is
    unhashed: without vbus unhashing it first, a symlink resolving the target
    in that window took a reference on freed memory (refcount "addition on
    0", then an underflow in the link's release, found by tests/fuzz)."""
    bus, dev, bus2 = "lrbus", "lrdev", "lrbus2"
    os.mkdir("%s/instances/%s" % (CONFIGFS, bus))
    stop = threading.Event()
    errors = []

    def linker(target, name):
        while not stop.is_set():
            try:
                os.symlink(target, "%s/instances/%s/%s" % (CONFIGFS, bus, name))
            except OSError as e:
                if e.errno not in (errno.ENOENT, errno.EINVAL, errno.EEXIST):
                    errors.append(e)
                continue
            try:
                os.unlink("%s/instances/%s/%s" % (CONFIGFS, bus, name))
            except OSError as e:
                errors.append(("unlink", e))

    linkers = [threading.Thread(target=linker, args=("%s/devices/%s" % (CONFIGFS, dev), "d")),
               threading.Thread(target=linker, args=("%s/instances/%s" % (CONFIGFS, bus2), "b"))]
    for t in linkers:
        t.start()
    try:
        for _ in range(int(n)):
            os.mkdir("%s/devices/%s" % (CONFIGFS, dev))
            with open("%s/devices/%s/type" % (CONFIGFS, dev), "w") as f:
                f.write("test")
            os.mkdir("%s/instances/%s" % (CONFIGFS, bus2))
            try:
                os.rmdir("%s/devices/%s" % (CONFIGFS, dev))
            except OSError as e:  # linked right now: unlink, then again
                check(e.errno == errno.EBUSY, "rmdir: %s" % e)
                while os.path.exists("%s/devices/%s" % (CONFIGFS, dev)):
                    try:
                        os.rmdir("%s/devices/%s" % (CONFIGFS, dev))
                    except OSError:
                        time.sleep(0.001)
            os.rmdir("%s/instances/%s" % (CONFIGFS, bus2))
    finally:
        stop.set()
        for t in linkers:
            t.join()
    check(not errors, "symlink errors: %r" % errors)
    left = [e for e in os.listdir("%s/instances/%s" % (CONFIGFS, bus))
            if os.path.islink("%s/instances/%s/%s" % (CONFIGFS, bus, e))]
    check(left == [], "links left: %r" % left)
    os.rmdir("%s/instances/%s" % (CONFIGFS, bus))
    print("link race ok")


# Generic netlink (the "vbus" family, <linux/vbus_netlink.h>)

NETLINK_GENERIC, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 16, 270, 1
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
CMD = dict(CLASS_GET=1, BUS_GET=2, DEVICE_GET=3, STATS_GET=4, STATS_RESET=5,
           CLASS_ADD_NTF=6, CLASS_DEL_NTF=7, BUS_ADD_NTF=8, BUS_DEL_NTF=9,
           DEVICE_ADD_NTF=10, DEVICE_DEL_NTF=11, DEVICE_CHANGE_NTF=12,
           LINK_ADD_NTF=13, LINK_DEL_NTF=14, MEMBER_ADD_NTF=15, MEMBER_DEL_NTF=16,
           BUS_CHANGE_NTF=17, DEVICE_ATTR_NTF=18)
CMD_NAME = {v: k for k, v in CMD.items()}
A_CLASS = dict(name=1, type=2, devices=3)
A_LINK = dict(bus=1, id=2, device=3, type=4)
A_MEMBER = dict(id=1, pid=2, bus=3)
A_BUS = dict(name=1, owner=2, group=3, mode=4, link=5, member=6, device=7)
A_ATTR = dict(name=1, value=2, kind=3, type=4, counts=5)
A_DEVICE = dict(name=1, **{"class": 2}, type=3, link=4, attr=5, bus=6)
A_STATS = dict(bus=1, member=2, pid=3, events=5, qnotify=6, qinject=7, notify=8,
               inject=9, bridgecalls=10, buscalls=11)
STATS = ["events", "qnotify", "qinject", "notify", "inject", "bridgecalls", "buscalls"]


def nla(atype, data):
    if isinstance(data, str):
        data = data.encode() + b"\0"
    elif isinstance(data, int):
        data = struct.pack("=I", data)
    hdr = struct.pack("=HH", 4 + len(data), atype)
    return hdr + data + b"\0" * (-len(data) % 4)


def nla_parse(data):
    out = {}
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        out.setdefault(atype & 0x3fff, []).append(data[off + 4:off + alen])
        off += (alen + 3) & ~3
    return out


def decode(raw, schema, nested=None):
    """Attributes to a dict by name: strings, u8 (an attr's kind, type, counts), u32/u64 by
    length, nests by schema."""
    nested = nested or {}
    names = {v: k for k, v in schema.items()}
    out = {}
    for atype, vals in nla_parse(raw).items():
        name = names.get(atype, atype)
        dec = []
        for v in vals:
            if name in nested:
                dec.append(decode(v, nested[name]))
            elif len(v) == 4 and name not in ("name", "type", "bus", "device", "class", "value"):
                dec.append(struct.unpack("=I", v)[0])
            elif len(v) == 8 and name in STATS:
                dec.append(struct.unpack("=Q", v)[0])
            elif schema is A_ATTR and name in ("kind", "type", "counts"):
                dec.append(v[0])
            else:
                dec.append(v.rstrip(b"\0").decode())
        out[name] = dec if name in nested else dec[0]
    return out


class Genl:
    def __init__(self, bufsize=1 << 20):
        """@bufsize: what each recv() takes; the kernel sizes dump parts by it (to 32 KiB)."""
        self.bufsize = bufsize
        self.parts = 0  # datagrams of the last reply
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.bind((0, 0))
        self.seq = 0
        fam = self.request(3, [nla(2, "vbus")], family=0x10)[0]  # CTRL_CMD_GETFAMILY
        attrs = nla_parse(fam[1])
        self.family = struct.unpack("=H", attrs[1][0])[0]
        self.groups = {}
        for grp in nla_parse(attrs[7][0]).values():
            g = nla_parse(grp[0])
            self.groups[g[1][0].rstrip(b"\0").decode()] = struct.unpack("=I", g[2][0])[0]

    def send(self, cmd, attrs, flags, family=None):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs)
        hdr = struct.pack("=LHHLL", 16 + len(body), family or self.family,
                          NLM_F_REQUEST | flags, self.seq, 0)
        self.sock.send(hdr + body)

    def recv(self):
        """(cmd, attributes) of each message of one reply; OSError on an error."""
        msgs = []
        self.parts = 0
        while True:
            data = self.sock.recv(self.bufsize)
            self.parts += 1
            off = 0
            while off < len(data):
                mlen, mtype, mflags, seq, pid = struct.unpack_from("=LHHLL", data, off)
                if seq != self.seq:
                    off += (mlen + 3) & ~3
                    continue
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("=i", data, off + 16)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return msgs
                if mtype == NLMSG_DONE:
                    return msgs
                msgs.append((data[off + 16], data[off + 20:off + mlen]))
                off += (mlen + 3) & ~3

    def request(self, cmd, attrs=(), dump=False, family=None):
        self.send(cmd, list(attrs), NLM_F_DUMP if dump else NLM_F_ACK, family)
        return self.recv()

    def subscribe(self, group="events"):
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.groups[group])

    def events(self, timeout=1.0):
        out = []
        while select.select([self.sock], [], [], timeout)[0]:
            data = self.sock.recv(1 << 16)
            off = 0
            while off < len(data):
                mlen = struct.unpack_from("=L", data, off)[0]
                out.append((CMD_NAME[data[off + 16]], data[off + 20:off + mlen]))
                off += (mlen + 3) & ~3
            timeout = 0.2
        return out


def dump_classes(g, *attrs):
    return [decode(a, A_CLASS) for _, a in g.request(CMD["CLASS_GET"], attrs, dump=True)]


def dump_buses(g, *attrs):
    return [decode(a, A_BUS, {"link": A_LINK, "member": A_MEMBER})
            for _, a in g.request(CMD["BUS_GET"], attrs, dump=True)]


def dump_devices(g, *attrs):
    return [decode(a, A_DEVICE, {"link": A_LINK, "attr": A_ATTR})
            for _, a in g.request(CMD["DEVICE_GET"], attrs, dump=True)]


def dump_stats(g, *attrs):
    return [decode(a, A_STATS) for _, a in g.request(CMD["STATS_GET"], attrs, dump=True)]


def cmd_genl(owner="0"):
    """Dumps, filters, doit, strict policies. Expects buses g1 (gd1, gd2) and g2 (gd2), gd3 untyped."""
    g = Genl()
    classes = dump_classes(g)
    check({"name": "test", "type": "test-echo", "devices": 2} in classes, "class dump: %r" % classes)
    one = [decode(a, A_CLASS) for _, a in g.request(CMD["CLASS_GET"], [nla(A_CLASS["name"], "test")])]
    check(one == [{"name": "test", "type": "test-echo", "devices": 2}], "class doit: %r" % one)
    expect_oserror(errno.ENOENT, g.request, CMD["CLASS_GET"], [nla(A_CLASS["name"], "nosuch")])
    expect_oserror(errno.EINVAL, g.request, CMD["CLASS_GET"], [])

    buses = {b["name"]: b for b in dump_buses(g)}
    check(sorted(buses) == ["g1", "g2"], "bus dump names: %r" % sorted(buses))
    b1 = buses["g1"]
    check((b1["owner"], b1["group"], b1["mode"]) == (int(owner), 0, 0o600), "bus attributes: %r" % b1)
    check([(l["id"], l["device"], l["type"]) for l in b1["link"]] ==
          [(0, "gd1", "test-echo"), (1, "gd2", "test-echo")], "bus links: %r" % b1["link"])
    check("member" not in b1, "no members yet")
    only = dump_buses(g, nla(A_BUS["device"], "gd1"))
    check([b["name"] for b in only] == ["g1"], "bus filter by device: %r" % only)
    check(dump_buses(g, nla(A_BUS["device"], "nosuch")) == [], "bus filter by unknown device")
    check([b["name"] for b in dump_buses(g, nla(A_BUS["name"], "g2"))] == ["g2"], "bus filter by name")
    one = [decode(a, A_BUS, {"link": A_LINK}) for _, a in g.request(CMD["BUS_GET"], [nla(A_BUS["name"], "g2")])]
    check(one[0]["link"][0]["device"] == "gd2", "bus doit: %r" % one)
    expect_oserror(errno.ENOENT, g.request, CMD["BUS_GET"], [nla(A_BUS["name"], "nosuch")])

    devs = {d["name"]: d for d in dump_devices(g)}
    check(sorted(devs) == ["gd1", "gd2", "gd3"], "device dump: %r" % sorted(devs))
    d2 = devs["gd2"]
    check((d2["class"], d2["type"]) == ("test", "test-echo"), "device class and type")
    check(sorted((l["bus"], l["id"]) for l in d2["link"]) == [("g1", 1), ("g2", 0)], "device links: %r" % d2)
    # with what the class declares: greeting a string setting (0, 0), calls
    # a numeric counter (1, 1) of nothing frames (no counts)
    check({"name": "greeting", "value": "hello", "kind": 0, "type": 0} in d2["attr"] and
          {"name": "calls", "value": "0", "kind": 1, "type": 1} in d2["attr"],
          "class attributes: %r" % d2["attr"])
    check("class" not in devs["gd3"] and "link" not in devs["gd3"], "untyped device: %r" % devs["gd3"])
    check([d["name"] for d in dump_devices(g, nla(A_DEVICE["bus"], "g2"))] == ["gd2"], "device filter by bus")
    check(sorted(d["name"] for d in dump_devices(g, nla(A_DEVICE["class"], "test"))) == ["gd1", "gd2"],
          "device filter by class")
    check(dump_devices(g, nla(A_DEVICE["class"], "test"), nla(A_DEVICE["bus"], "nosuch")) == [], "filters combine")
    one = [decode(a, A_DEVICE) for _, a in g.request(CMD["DEVICE_GET"], [nla(A_DEVICE["name"], "gd1")])]
    check(one[0]["name"] == "gd1", "device doit")
    expect_oserror(errno.ENOENT, g.request, CMD["DEVICE_GET"], [nla(A_DEVICE["name"], "nosuch")])

    # Strict policies
    expect_oserror(errno.EINVAL, g.request, CMD["DEVICE_GET"], [nla(9, "x")], True)
    expect_oserror(errno.EINVAL, g.request, CMD["DEVICE_GET"], [nla(A_DEVICE["type"], "x")], True)
    expect_oserror(errno.EINVAL, g.request, CMD["DEVICE_GET"], [nla(A_DEVICE["name"], "d" * 65)], True)
    expect_oserror(errno.EINVAL, g.request, CMD["BUS_GET"], [nla(A_BUS["name"], b"no-nul")], True)
    expect_oserror(errno.EINVAL, g.request, CMD["STATS_GET"], [nla(A_STATS["member"], "x")], True)
    expect_oserror(errno.EOPNOTSUPP, g.request, 99, [])
    if os.geteuid() == 0:  # the permission check comes first
        expect_oserror(errno.EOPNOTSUPP, g.request, CMD["STATS_RESET"], [], True)
    print("genl ok")


def cmd_genl_stats(reset_allowed):
    """Per-connection counters through genl; reset needs CAP_NET_ADMIN."""
    g = Genl()
    fd = bus_open("g1")
    fd2 = bus_open("g2")
    bus_list(fd)
    dfd = dev_open(fd, 0)
    for i in range(3):
        dev_call(dfd, "x")
    stats = dump_stats(g, nla(A_STATS["bus"], "g1"))
    check(len(stats) == 1 and stats[0]["pid"] == os.getpid(), "one connection on g1: %r" % stats)
    st = stats[0]
    check((st["bridgecalls"], st["buscalls"], st["events"], st["notify"]) == (2, 3, 0, 0), "counters: %r" % st)
    check(len(dump_stats(g)) == 2, "both connections in an unfiltered dump")
    check(dump_stats(g, nla(A_STATS["member"], st["member"])) == [st], "filter by member id")
    buses = {b["name"]: b for b in dump_buses(g)}
    check([m["pid"] for m in buses["g1"]["member"]] == [os.getpid()], "bus members: %r" % buses["g1"])
    if reset_allowed == "yes":
        g.request(CMD["STATS_RESET"], [nla(A_STATS["bus"], "g1")])
        st = dump_stats(g, nla(A_STATS["bus"], "g1"))[0]
        check(st["bridgecalls"] == 0 and st["buscalls"] == 0, "reset: %r" % st)
    else:
        expect_oserror(errno.EPERM, g.request, CMD["STATS_RESET"], [])
    print("genl stats ok")


def cmd_genl_events():
    """The events group announces classes, buses, devices, links and members."""
    g = Genl()
    g.subscribe()
    os.mkdir(CONFIGFS + "/instances/ev1")
    os.mkdir(CONFIGFS + "/devices/evd")
    with open(CONFIGFS + "/devices/evd/type", "w") as f:
        f.write("test")
    link("evd", "ev1")
    fd = bus_open("ev1")
    os.close(fd)
    unlink("evd", "ev1")
    os.rmdir(CONFIGFS + "/devices/evd")
    os.rmdir(CONFIGFS + "/instances/ev1")
    evs = g.events()
    names = [e[0] for e in evs]
    want = ["BUS_ADD_NTF", "DEVICE_ADD_NTF", "DEVICE_CHANGE_NTF", "LINK_ADD_NTF", "MEMBER_ADD_NTF",
            "MEMBER_DEL_NTF", "LINK_DEL_NTF", "DEVICE_DEL_NTF", "BUS_DEL_NTF"]
    check(names == want, "event sequence: %r" % names)
    lnk = decode(evs[3][1], A_LINK)
    check(lnk == {"bus": "ev1", "id": 0, "device": "evd", "type": "test-echo"}, "link event: %r" % lnk)
    mem = decode(evs[4][1], A_MEMBER)
    check(mem["pid"] == os.getpid() and mem["bus"] == "ev1", "member event: %r" % mem)
    print("genl events ok")


def churn(stop, names, errors):
    """Remove and make again, in turn, each of @names (a bus and an untyped device each)."""
    try:
        while not stop.is_set():
            for name in names:
                for d in ("devices", "instances"):
                    os.rmdir("%s/%s/%s" % (CONFIGFS, d, name))
                    os.mkdir("%s/%s/%s" % (CONFIGFS, d, name))
    except OSError as e:
        errors.append(e)


def cmd_genl_resume(n="300", rounds="20"):
    """Dumps in many parts resume by key: buses and devices removed and made
    again meanwhile never make a dump repeat or miss one that exists throughout.

    @n steady and @n moving buses and untyped devices, interleaved so that
    movers come before every steady one; one thread removes and remakes the
    movers while dumps read with a small buffer (so in parts of about 4 KiB).
    By position, a mover removed before the place a part ended moves every
    later object one place back and the next part skips one."""
    n, rounds = int(n), int(rounds)
    steady = ["rs%04d" % i for i in range(n)]
    moving = ["rm%04d" % i for i in range(n)]
    for a, b in zip(moving, steady):
        for d in ("devices", "instances"):
            os.mkdir("%s/%s/%s" % (CONFIGFS, d, a))
            os.mkdir("%s/%s/%s" % (CONFIGFS, d, b))
    g = Genl(bufsize=4096)
    parts = {"device": [], "bus": []}
    stop, errors = threading.Event(), []
    t = threading.Thread(target=churn, args=(stop, moving, errors))
    t.start()
    try:
        for _ in range(rounds):
            for dump, kind in ((dump_devices, "device"), (dump_buses, "bus")):
                # A mover may show twice: removed and made again, it is a new object.
                names = [o["name"] for o in dump(g)]
                seen = sorted(x for x in names if x.startswith("rs"))
                check(len(seen) == len(set(seen)), "a %s dump repeated a steady one: %r"
                      % (kind, sorted(x for x in set(seen) if seen.count(x) > 1)))
                check(seen == steady, "a %s dump missed steady ones: %r"
                      % (kind, sorted(set(steady) - set(seen))))
                parts[kind].append(g.parts)
    finally:
        stop.set()
        t.join()
        for x in moving + steady:
            for d in ("devices", "instances"):
                if os.path.isdir("%s/%s/%s" % (CONFIGFS, d, x)):
                    os.rmdir("%s/%s/%s" % (CONFIGFS, d, x))
    check(not errors, "churn: %r" % errors)
    check(min(parts["device"] + parts["bus"]) >= 4, "dumps in too few parts: %r" % parts)
    print("resume ok: %d rounds; device dumps in %d-%d parts, bus dumps in %d-%d"
          % (rounds, min(parts["device"]), max(parts["device"]), min(parts["bus"]),
             max(parts["bus"])))


def genl_dumper(stop, errors):
    try:
        g = Genl()
        while not stop.is_set():
            dump_devices(g)
            dump_buses(g)
            dump_stats(g)
    except Exception as e:
        errors.append(e)


def racer(bus, stop, errors):
    ok = (errno.ENOENT, errno.ENODEV, errno.ENXIO)
    while not stop.is_set():
        fd = dfd = None
        try:
            fd = bus_open(bus)
            for dev_id, _ in bus_list(fd)[1]:
                dfd = dev_open(fd, dev_id)
                dev_call(dfd, "race")
                os.close(dfd)
                dfd = None
        except OSError as e:
            if e.errno not in ok:
                errors.append(e)
                return
        finally:
            for f in (dfd, fd):
                if f is not None:
                    os.close(f)


def cmd_race(n):
    """Clients opening, listing and calling while the bus and device go away under them."""
    errors = []
    for i in range(int(n)):
        bus, dev = "racebus", "racedev%d" % i
        os.mkdir("%s/instances/%s" % (CONFIGFS, bus))
        os.mkdir("%s/devices/%s" % (CONFIGFS, dev))
        with open("%s/devices/%s/type" % (CONFIGFS, dev), "w") as f:
            f.write("test")
        link(dev, bus)
        stop = threading.Event()
        threads = [threading.Thread(target=racer, args=(bus, stop, errors)) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.01 * (i % 5))
        unlink(dev, bus)
        os.rmdir("%s/devices/%s" % (CONFIGFS, dev))
        os.rmdir("%s/instances/%s" % (CONFIGFS, bus))
        stop.set()
        for t in threads:
            t.join()
        check(not errors, "unexpected errors: %r" % errors)
    print("race ok")


def siocethtool(dev, buf):
    """SIOCETHTOOL on dev with buf (a ctypes buffer); no ethtool in the image."""
    ifr = struct.pack("16sQ16x", dev.encode(), ctypes.addressof(buf))
    fcntl.ioctl(socket.socket(), 0x8946, ifr)


def ethtool_stats(dev):
    """ethtool -S dev: a dict of every statistic."""
    info = ctypes.create_string_buffer(struct.pack("I", 3) + bytes(192))   # GDRVINFO
    siocethtool(dev, info)
    n = struct.unpack_from("I", info.raw, 180)[0]
    names = ctypes.create_string_buffer(struct.pack("III", 0x1b, 1, n) + bytes(32 * n))
    siocethtool(dev, names)
    stats = ctypes.create_string_buffer(struct.pack("II", 0x1d, n) + bytes(8 * n))
    siocethtool(dev, stats)
    vals = struct.unpack_from("%dQ" % n, stats.raw, 8)
    return {names.raw[12 + 32 * i:44 + 32 * i].rstrip(b"\0").decode(): vals[i] for i in range(n)}


def cmd_ethtool_stats(dev, *keys):
    """The values of ethtool -S dev's statistics keys, on one line."""
    stats = ethtool_stats(dev)
    print(" ".join(str(stats[k]) for k in keys))


def main():
    cmds = {k[4:].replace("_", "-"): v for k, v in globals().items() if k.startswith("cmd_")}
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except OSError as e:
        print(os.strerror(e.errno), file=sys.stderr)
        sys.exit(1)
    except AssertionError as e:
        print("assertion failed:", e, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
