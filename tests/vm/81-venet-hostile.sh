# venet-tap against a hostile client: bad ring registrations, a huge length,
# a bad offset, an endless chain, then random ring and buffer contents and
# random kicks (eventfd, and VBUS_IOC_KICK, whose NAPI poll runs in the
# test's own thread) under traffic; a client without VENET_CAP_RXWAIT that posts
# too few rx buffers (overruns, counted) and one with it that never posts
# or kicks (the queue waits, nothing is lost to overruns, disconnecting
# frees it). The host must refuse or stop the ring, count it, keep running
# and unload; the harness fails on any WARN/BUG.
source ./lib.bash

CFG=/sys/kernel/config/vbus
D=/sys/vbus/devices/vh0

modprobe venet-tap || fail "loading venet-tap"
mkdir $CFG/instances/vh $CFG/devices/vh0 || fail "mkdir"
echo venet-tap > $CFG/devices/vh0/type || fail "typing"
ln -s $CFG/devices/vh0 $CFG/instances/vh/vh0 || fail "linking"
echo vhost-h0 > $D/ifname || fail "ifname"
sysctl -qw net.ipv6.conf.vhost-h0.disable_ipv6=1	# no stray frames in the counts
ip addr add 198.18.1.1/24 dev vhost-h0 && ip link set vhost-h0 up || fail "configuring"

expect "the host survives a hostile client" python3 - <<'PY'
import errno, fcntl, mmap, os, random, socket, struct, sys, time
sys.path.insert(0, ".")
import vbus
sys.stdout = sys.stderr  # expect discards stdout: show the steps

SHM = vbus.VBUS_IOC_SHM
SIGNAL = vbus.VBUS_IOC_SIGNAL
KICK = vbus.VBUS_IOC_KICK
NEGCAP, QREG, LINKUP = (vbus.VENET_FUNC[f] for f in ("NEGCAP", "QREG", "LINKUP"))
FMT = vbus.FMT
D = "/sys/vbus/devices/vh0/"
SIZE = 1 << 20
COUNT = 256
RX, TX = 0, 8192                 # ring offsets
AREA, AREA_LEN = 65536, 1 << 19

def attr(name):
    return int(open(D + name).read())

def carrier():
    return open("/sys/class/net/vhost-h0/carrier").read().strip()

def qreg(d, q, count, ring, area, area_len):
    vbus.dev_call(d, struct.pack(FMT["venet_qreg"], q, count, ring, area, area_len), func=QREG,
                  size=struct.calcsize(FMT["venet_qreg"]))

CAP_SG, CAP_RXWAIT = 1, 2

def connect(bad_regs=False, caps=CAP_SG):
    b = vbus.bus_open("vh")
    d = vbus.dev_open(b, 0)
    granted = vbus.dev_call(d, struct.pack(FMT["venet_negcap"], caps, 0), func=NEGCAP,
                            size=struct.calcsize(FMT["venet_negcap"]))
    assert struct.unpack(FMT["venet_negcap"], granted)[0] == caps, granted
    if bad_regs:
        try:
            qreg(d, 0, COUNT, RX, AREA, AREA_LEN)
            sys.exit("QREG before shared memory succeeded")
        except OSError as e:
            assert e.errno == errno.ENOENT, e
    fcntl.ioctl(d, SHM, struct.pack(FMT["vbus_shm"], SIZE, 0))
    m = mmap.mmap(d, SIZE)
    kick, call = os.eventfd(0, os.EFD_NONBLOCK), os.eventfd(0, os.EFD_NONBLOCK)
    rx_kick = os.eventfd(0, os.EFD_NONBLOCK) if caps & CAP_RXWAIT else -1
    fcntl.ioctl(d, SIGNAL, struct.pack(FMT["vbus_signal"], 0, rx_kick, call, 0))
    fcntl.ioctl(d, SIGNAL, struct.pack(FMT["vbus_signal"], 1, kick, call, 0))
    if bad_regs:
        for args in [(0, 3, RX), (0, 1 << 16, RX), (2, COUNT, RX), (0, COUNT, 8),
                     (0, COUNT, SIZE), (0, COUNT, SIZE - 64), (0, COUNT, 2**64 - 64)]:
            try:
                qreg(d, *args, AREA, AREA_LEN)
                sys.exit("bad ring %r accepted" % (args,))
            except OSError as e:
                assert e.errno == errno.EINVAL, (args, e)
        for area, alen in [(SIZE, 1), (AREA, SIZE), (2**64 - 4096, 8192), (AREA, 0)]:
            try:
                qreg(d, 0, COUNT, RX, area, alen)
                sys.exit("bad area %r accepted" % ((area, alen),))
            except OSError as e:
                assert e.errno == errno.EINVAL, (area, alen, e)
        try:
            vbus.dev_call(d, b"", func=LINKUP, size=0)
            sys.exit("link up without rings")
        except OSError as e:
            assert e.errno == errno.EINVAL, e
    qreg(d, 0, COUNT, RX, AREA, AREA_LEN)
    qreg(d, 1, COUNT, TX, AREA, AREA_LEN)
    vbus.dev_call(d, b"", func=LINKUP, size=0)
    assert carrier() == "1", "no carrier"
    return (b, d, m, kick, call) + ((rx_kick,) if rx_kick >= 0 else ())

def close(conn):
    m = conn[2]
    m.close()
    for fd in conn[:2] + conn[3:]:
        os.close(fd)
    for _ in range(50):
        if attr("connected") == 0:
            return
        time.sleep(0.1)
    sys.exit("still connected after close")

def desc(m, ring, i, offset, length, flags, ident=0):
    struct.pack_into(FMT["ioq_desc"], m, ring + struct.calcsize(FMT["ioq_ring"]) +
                     struct.calcsize(FMT["ioq_desc"]) * i, offset, length, ident, flags)

def wait_errors(n):
    for _ in range(50):
        if attr("ring_errors") >= n and carrier() == "0":
            return
        time.sleep(0.1)
    sys.exit("ring_errors %d, carrier %s: expected %d and 0" % (attr("ring_errors"), carrier(), n))

pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
pkt.bind(("vhost-h0", 0))
def host_send(n):
    for _ in range(n):
        try:
            pkt.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01\x88\xb5" + bytes(50))
        except OSError:
            pass

AVAIL, NEXT, WRITE = 0x80, 0x1, 0x2

# A huge length on the tx ring.
c = connect(bad_regs=True)
desc(c[2], TX, 0, 0, 0xffffffff, AVAIL)
os.eventfd_write(c[3], 1)
wait_errors(1)
print("  ok: huge tx length: ring stopped, counted")
close(c)

# A bad offset on the rx ring.
c = connect()
desc(c[2], RX, 0, 1 << 40, 2048, AVAIL | WRITE)
host_send(1)
wait_errors(2)
print("  ok: rx buffer outside the area: ring stopped, counted")
close(c)

# An endless chain, and reserved flag bits.
c = connect()
for i in range(20):
    desc(c[2], TX, i, 0, 64, AVAIL | NEXT)
os.eventfd_write(c[3], 1)
wait_errors(3)
print("  ok: chain longer than 16: ring stopped, counted")
close(c)
c = connect()
desc(c[2], RX, 0, 0, 2048, AVAIL | WRITE | 0x400)
host_send(1)
wait_errors(4)
print("  ok: reserved flag bits: ring stopped, counted")
close(c)

def netstat(name):
    return int(open("/sys/class/net/vhost-h0/statistics/" + name).read())

# Wait for rx descriptors first..first+n-1 to come back (first lap) with len bytes.
def wait_rx_done(m, first, n, length):
    for _ in range(50):
        done = [struct.unpack_from("QIHH", m, RX + 384 + 16 * i) for i in range(first, first + n)]
        if all(dd[3] == 0x8080 for dd in done):
            assert all(dd[1] == length for dd in done), done
            return
        time.sleep(0.1)
    sys.exit("rx buffers %d..%d not completed: %r" % (first, first + n - 1, done))

# Without RXWAIT: 4 buffers, 10 frames: 4 delivered, 6 counted overruns.
c = connect()
for i in range(4):
    desc(c[2], RX, i, 2048 * i, 2048, AVAIL | WRITE, i)
over0, drop0 = attr("rx_overruns"), netstat("tx_dropped")
host_send(10)
wait_rx_done(c[2], 0, 4, 64)
for _ in range(50):
    if attr("rx_overruns") - over0 >= 6:
        break
    time.sleep(0.1)
assert attr("rx_overruns") - over0 == 6, (attr("rx_overruns"), over0)
assert netstat("tx_dropped") - drop0 == 6, (netstat("tx_dropped"), drop0)
print("  ok: without RXWAIT, frames beyond the posted buffers are counted overruns")
close(c)

# With RXWAIT, a client that posts nothing and never kicks: the queue
# stops, frames wait in the qdisc (full: dropped there), no overrun; a kick
# without buffers changes nothing; buffers and a kick deliver; closing
# wakes the queue, and the next client gets frames.
c = connect(caps=CAP_SG | CAP_RXWAIT)
over0 = attr("rx_overruns")
nb = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
nb.bind(("vhost-h0", 0))
nb.setblocking(False)
for _ in range(3000):
    try:
        nb.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01\x88\xb5" + bytes(50))
    except OSError:
        pass
os.eventfd_write(c[5], 1)
time.sleep(0.2)
assert carrier() == "1", "carrier lost"
assert attr("rx_overruns") == over0, "overruns with RXWAIT"
for i in range(2):
    desc(c[2], RX, i, 2048 * i, 2048, AVAIL | WRITE, i)
os.eventfd_write(c[5], 1)
wait_rx_done(c[2], 0, 2, 64)
assert attr("rx_overruns") == over0, "overruns with RXWAIT"
print("  ok: RXWAIT: the queue waits for buffers and a kick, nothing overrun")
close(c)
nb.close()
c = connect()
desc(c[2], RX, 0, 0, 2048, AVAIL | WRITE, 0)
host_send(1)
wait_rx_done(c[2], 0, 1, 64)
print("  ok: after a client that never kicked, the next one receives")
close(c)

# Random rings, areas and kicks under traffic, reconnecting now and then.
rnd = random.Random(42)
end = time.time() + 4
rounds = 0
while time.time() < end:
    c = connect()
    for _ in range(20):
        for ring in (RX, TX):
            off = ring + rnd.randrange(0, 384 + 16 * COUNT, 8)
            c[2][off:off + 64] = rnd.randbytes(64)
        # plausible descriptors with random lap bits, lengths and offsets: index jumps
        for _ in range(8):
            desc(c[2], rnd.choice((RX, TX)), rnd.randrange(COUNT),
                 rnd.choice((0, AREA_LEN - 64, rnd.getrandbits(64))),
                 rnd.choice((64, 9018, rnd.getrandbits(32))),
                 rnd.choice((0x80, 0x8000, 0x8080, 0x82, 0x81)) | rnd.getrandbits(1),
                 rnd.getrandbits(16))
        # the tx kick through its eventfd, or in this thread (the NAPI poll runs
        # here), or another queue's
        k = rnd.randrange(4)
        if k == 0:
            os.eventfd_write(c[3], 1)
        else:
            fcntl.ioctl(c[1], KICK, (1, 1, 0)[k - 1])
        host_send(4)
    close(c)
    rounds += 1
print("  ok: %d rounds of random contents; ring_errors %d" % (rounds, attr("ring_errors")))
PY
expect_eq "nobody connected at the end" 0 "$(cat $D/connected)"
expect "the netdev is still fine" ip link show vhost-h0
rm $CFG/instances/vh/vh0 && rmdir $CFG/instances/vh $CFG/devices/vh0 || fail "teardown"
expect "venet-tap unloads" rmmod venet-tap
rmmod vbus || fail "unloading vbus"
true
