#!/usr/bin/python3
"""Benchmark of the administrative model, run inside the VM (bench/core-admin).

1. Creation cost per device: create, type and link N devices onto N/4 buses
   through configfs, for N = 1000 and N = 4000 (target: per-device cost of
   the 4000 run within 4.5x of the 1000 run, i.e. flat).
2. Reading the topology of the 1000-device run: one genl dump of devices and
   buses against a walk of the same information in /sys/vbus (target: the
   dump at least 10x faster).
Prints one "name value" line per figure and ratio.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vbus  # noqa: E402  (tests/vm/vbus.py, added beside this script)

C = vbus.CONFIGFS
S = "/sys/vbus"


def create(n):
    """Returns the total time and the time of each phase."""
    t = [time.perf_counter()]
    for b in range(n // 4):
        os.mkdir("%s/instances/bb%d" % (C, b))
    t.append(time.perf_counter())
    for d in range(n):
        os.mkdir("%s/devices/bd%d" % (C, d))
    t.append(time.perf_counter())
    for d in range(n):
        with open("%s/devices/bd%d/type" % (C, d), "w") as f:
            f.write("test")
    t.append(time.perf_counter())
    for d in range(n):
        vbus.link("bd%d" % d, "bb%d" % (d % (n // 4)))
    t.append(time.perf_counter())
    phases = dict(zip(("buses", "devices", "types", "links"), (b - a for a, b in zip(t, t[1:]))))
    return t[-1] - t[0], phases


def destroy(n):
    for d in range(n):
        vbus.unlink("bd%d" % d, "bb%d" % (d % (n // 4)))
        os.rmdir("%s/devices/bd%d" % (C, d))
    for b in range(n // 4):
        os.rmdir("%s/instances/bb%d" % (C, b))


def read_genl():
    """Dump devices and buses; split each message into its attributes."""
    g = vbus.Genl()
    n = 0
    for cmd, link_attr in ((vbus.CMD["DEVICE_GET"], vbus.A_DEVICE["link"]),
                           (vbus.CMD["BUS_GET"], vbus.A_BUS["link"])):
        for _, raw in g.request(cmd, dump=True):
            n += len(vbus.nla_parse(raw).get(link_attr, ()))
    return n


def read(path):
    with open(path) as f:
        return f.read()


def read_sysfs():
    """The same facts: each device's class, type, attributes and links; each bus's devices, members."""
    n = 0
    for d in os.listdir(S + "/devices"):
        dd = "%s/devices/%s" % (S, d)
        os.readlink(dd + "/class")
        for a in ("greeting", "calls"):
            read("%s/%s" % (dd, a))
        n += len(os.listdir(dd + "/interfaces"))
    for b in os.listdir(S + "/instances"):
        bd = "%s/instances/%s" % (S, b)
        for i in os.listdir(bd + "/devices"):
            os.readlink("%s/devices/%s/device" % (bd, i))
            read("%s/devices/%s/type" % (bd, i))
            n += 1
        os.listdir(bd + "/members")
    return n


def best(fn, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
    return min(times), res


def main():
    t1k, p1k = create(1000)
    g, ng = best(read_genl)
    s, ns = best(read_sysfs)
    assert ng == ns == 2000, (ng, ns)
    destroy(1000)
    t4k, p4k = create(4000)
    destroy(4000)
    per1k, per4k = t1k / 1000, t4k / 4000
    print("create_1000_devices_s %.3f" % t1k)
    print("create_4000_devices_s %.3f" % t4k)
    print("per_device_us_1000 %.1f" % (per1k * 1e6))
    print("per_device_us_4000 %.1f" % (per4k * 1e6))
    for k in p1k:
        print("phase_%s_4000_vs_1000 %.2f" % (k, p4k[k] / p1k[k]))
    print("creation_4000_vs_1000_total %.2f (target <= 4.5)" % (t4k / t1k))
    print("genl_dump_ms %.2f" % (g * 1e3))
    print("sysfs_walk_ms %.2f" % (s * 1e3))
    print("sysfs_walk_vs_genl_dump %.1f (target >= 10)" % (s / g))
    ok = t4k / t1k <= 4.5 and s / g >= 10
    print("targets %s" % ("met" if ok else "MISSED"))


if __name__ == "__main__":
    main()
