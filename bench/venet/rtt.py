# Round trip at low load through IFNAME to an echo client that sends back
# every EtherType 0x88b5 frame with the addresses swapped: one frame in
# flight, N times; prints the mean in microseconds.
import socket, sys, time

ifname, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((ifname, 0x88b5))
s.settimeout(2)
mac = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
frame = b"\xff" * 6 + mac + b"\x88\xb5" + bytes(50)
total, lost = 0.0, 0
for i in range(n + 10):
    t0 = time.perf_counter()
    s.send(frame)
    try:
        while True:
            data, addr = s.recvfrom(2048)
            if addr[2] != socket.PACKET_OUTGOING:
                break
    except socket.timeout:
        lost += 1
        continue
    if i >= 10:
        total += time.perf_counter() - t0
    time.sleep(0.001)
print("%.1f" % (total / max(n - lost, 1) * 1e6), lost)
