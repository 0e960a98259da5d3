#!/usr/bin/python3
"""Test client of the vbus userspace connector (/dev/vbus/<bus>).

Speaks the ioctls of <linux/vbus.h> with ctypes; each subcommand is one
scenario of the VM tests. Errors print strerror() on stderr and exit 1, so
lib.bash's expect_errno can match them.
"""
import ctypes
import errno
import fcntl
import os
import select
import socket
import struct
import sys
import threading

CONFIGFS = "/sys/kernel/config/vbus"
TYPE_LEN = 32

EVENT_DEVICE_ADD, EVENT_DEVICE_DEL, EVENT_BUS_GONE, EVENT_OVERFLOW = 1, 2, 3, 4
EVENT_FMT = "II%ds" % TYPE_LEN
EVENT_SIZE = struct.calcsize(EVENT_FMT)


def _ioc(d, nr, size):
    return (d << 30) | (size << 16) | (0xBE << 8) | nr


VBUS_IOC_LIST = _ioc(3, 0x00, 16)
VBUS_IOC_OPEN = _ioc(1, 0x01, 8)
VBUS_IOC_CALL = _ioc(3, 0x10, 24)


class DevInfo(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
                ("type", ctypes.c_char * TYPE_LEN)]


def bus_open(bus, flags=os.O_RDWR):
    return os.open("/dev/vbus/" + bus, flags)


def bus_list(fd, capacity=64):
    arr = (DevInfo * max(capacity, 1))()
    req = bytearray(struct.pack("IIQ", capacity, 0, ctypes.addressof(arr)))
    fcntl.ioctl(fd, VBUS_IOC_LIST, req, True)
    total = struct.unpack("IIQ", req)[0]
    return total, [(arr[i].id, arr[i].type.decode()) for i in range(min(total, capacity))]


def dev_open(fd, dev_id, flags=0):
    return fcntl.ioctl(fd, VBUS_IOC_OPEN, bytearray(struct.pack("II", dev_id, flags)), True)


def dev_call(fd, data, func=0, size=None, flags=0):
    data = data.encode() if isinstance(data, str) else data
    size = max(len(data), 64) if size is None else size
    buf = ctypes.create_string_buffer(data, max(size, len(data), 1))
    req = bytearray(struct.pack("IIQII", func, flags, ctypes.addressof(buf), len(data), size))
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
    expect_oserror(errno.EINVAL, fcntl.ioctl, fd, VBUS_IOC_LIST, struct.pack("IIQ", 0, 1, 0))
    expect_oserror(errno.EFAULT, fcntl.ioctl, fd, VBUS_IOC_LIST, struct.pack("IIQ", 4, 0, 8))
    expect_oserror(errno.EINVAL, dev_open, fd, 0, 1)
    expect_oserror(errno.ENOENT, dev_open, fd, 12345)
    expect_oserror(errno.ENOTTY, fcntl.ioctl, fd, _ioc(0, 0x7f, 0), 0)
    expect_oserror(errno.ENOTTY, fcntl.ioctl, fd, VBUS_IOC_CALL, bytes(24))
    dfd = dev_open(fd, 0)
    expect_oserror(errno.EINVAL, dev_call, dfd, "x", 0, 64, 1)
    expect_oserror(errno.EINVAL, dev_call, dfd, "toolong", 0, 2)
    expect_oserror(errno.EINVAL, dev_call, dfd, "x", 0, 65537)
    expect_oserror(errno.EINVAL, dev_call, dfd, "x", 99)
    expect_oserror(errno.EFAULT, fcntl.ioctl, dfd, VBUS_IOC_CALL, struct.pack("IIQII", 0, 0, 8, 4, 4))
    expect_oserror(errno.ENOTTY, fcntl.ioctl, dfd, VBUS_IOC_LIST, bytes(16))
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


def walk_sysfs(stop):
    while not stop.is_set():
        for root, dirs, files in os.walk("/sys/vbus"):
            for f in files:
                try:
                    with open(os.path.join(root, f)) as fh:
                        fh.read()
                except OSError:
                    pass


def cmd_loop(n, dumper=None):
    """create/type/link/open/call/unlink/destroy n times beside a concurrent reader."""
    stop = threading.Event()
    readers = [threading.Thread(target=walk_sysfs, args=(stop,))]
    if dumper:
        readers.append(threading.Thread(target=lambda: [os.system(dumper) for _ in iter(stop.is_set, True)]))
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
    for b in range(3):
        os.rmdir("%s/instances/loopbus%d" % (CONFIGFS, b))
    print("loop ok")


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
