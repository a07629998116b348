#!/usr/bin/env python3
"""Turn bench/run's raw measurements into bench/RESULTS.md (to stdout)."""
import datetime
import math
import os
import platform
import statistics
import struct
import subprocess
import sys

raw, cg, small = sys.argv[1:4]
runs = {}
loads = []
for line in open(raw):
    label, size, secs, rss, user, sys_s, load = line.rstrip("\n").split("\t")
    runs.setdefault(int(size), {}).setdefault(label, []).append(
        (float(secs), int(rss), float(user) + float(sys_s)))
    loads.append(float(load))


def med(size, label):
    v = runs.get(size, {}).get(label)
    return statistics.median(s for s, _, _ in v) if v else None


def cpu_s(size, label):
    v = runs.get(size, {}).get(label)
    return statistics.median(c for _, _, c in v) if v else None


def rss(size, label):
    v = runs.get(size, {}).get(label)
    return max(r for _, r, _ in v) if v else None


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def packets(path):
    with open(path, "rb") as f:
        f.read(24)
        n = 0
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            f.seek(struct.unpack("<IIII", h)[2], 1)
            n += 1


FLOOR = "read floor: tcpdump -r -w /dev/null"
COUNT = "ikedump --count (decode only)"
JSON = "ikedump --json"
TSHARK = "tshark -T fields (15 fields)"
TCPV = "tcpdump -nr -v"
CORR = "pcapcorrelate --json (a and b)"
HTML = "pcapcorrelate --html (a and b)"
COUNTB = "ikedump --count side b"

out = []
p = out.append
p("# Benchmark results")
p("")
p("Made by `bench/run` on %s UTC: %s, %d cores, %s. Medians of the runs listed. The machine "
  "is shared with other engineers: the 1-minute load average when each run started was %.1f "
  "to %.1f (median %.1f) on %d cores, so wall-clock seconds are inflated and noisy; CPU "
  "seconds (user + system) and callgrind instruction counts depend much less on the load. "
  "Ratios are taken within this one run." % (
      datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), cpu(), os.cpu_count(),
      platform.platform(), min(loads), max(loads), statistics.median(loads), os.cpu_count()))
p("")
p("Captures: `bench/make_pair.py N` (streaming: a few MB of memory at any N) replicates the "
  "IKEv2 NAT-T, raw ESP (with fragments), AH and UDP-4500 templates of `captures/` with unique "
  "cookies, sequence numbers and IP IDs, and derives side b with a 2.5 s clock offset, 300 us "
  "one-way delay, NAT of a's address and ports, and about 0.1 % datagram loss each way.")
p("")
p("| packets | tool | median wall s | runs | CPU s | CPU/wall | peak RSS MB | / read floor (wall) "
  "| / read floor (CPU) | tshark / this | tcpdump -v / this |")
p("|---|---|---|---|---|---|---|---|---|---|---|")
for size in sorted(runs):
    floor, tsh, tcpv = med(size, FLOOR), med(size, TSHARK), med(size, TCPV)
    floor_cpu = cpu_s(size, FLOOR)
    for label in (FLOOR, COUNT, JSON, TCPV, TSHARK, COUNTB, CORR, HTML):
        m = med(size, label)
        if m is None:
            continue
        c = cpu_s(size, label)
        p("| %d | %s | %.2f | %d | %.2f | %.2f | %.0f | %s | %s | %s | %s |" % (
            size, label, m, len(runs[size][label]), c, c / m if m else 0,
            rss(size, label) / 1024,
            "%.2f" % (m / floor) if floor and m else "-",
            "%.2f" % (c / floor_cpu) if floor_cpu and c else "-",
            "%.1f" % (tsh / m) if tsh and label in (COUNT, JSON) else "-",
            "%.1f" % (tcpv / m) if tcpv and label in (COUNT, JSON) else "-"))
p("")
p("`/ read floor` is the tool's time over the read floor's (`tcpdump -r F -w /dev/null`, "
  "1.0 = as fast as reading the file); `tshark / this` is how many times faster than tshark.")
p("")
p("## Targets (issue 19)")
p("")
sizes = sorted(runs)
rows = []


def row(what, size, measured, ok):
    if measured is not None:
        rows.append((what, size, measured, ok))


def near(target):
    """The measured size (packets in side a) within 25 % of target, or None:
    the generator writes a little under N packets."""
    s = min(sizes, key=lambda s: abs(s - target))
    return s if abs(s - target) <= target / 4 else None


m1 = min(sizes, key=lambda s: abs(s - 1000000))
corr1, cnt1, cb1 = med(m1, CORR), med(m1, COUNT), med(m1, COUNTB)
if corr1 and cnt1 and cb1:
    r = corr1 / (cnt1 + cb1)
    row("pcapcorrelate --json <= 1.5x ikedump --count a then b (wall)", m1, "%.2fx" % r, r <= 1.5)
m4 = min(sizes, key=lambda s: abs(s - 4000000))
if med(m4, CORR):
    r = cpu_s(m4, CORR) / med(m4, CORR)
    row("pcapcorrelate CPU/wall >= 1.6", m4, "%.2f" % r, r >= 1.6)
m4h = near(4000000)
if m4h and med(m4h, HTML) and med(m4h, CORR):
    r, rc = med(m4h, HTML) / med(m4h, CORR), cpu_s(m4h, HTML) / cpu_s(m4h, CORR)
    row("pcapcorrelate --html <= 1.3x the time of --json (wall)", m4h,
        "%.2fx (CPU %.2fx)" % (r, rc), r <= 1.3)
m05, m2 = near(500000), near(2000000)
if m05 and m2 and rss(m05, CORR) and rss(m2, CORR):
    r = rss(m2, CORR) / rss(m05, CORR)
    row("pcapcorrelate --json peak RSS <= 1.5x that at %d (bounded, not linear)" % m05, m2,
        "%.2fx (%.0f vs %.0f MB)" % (r, rss(m2, CORR) / 1024, rss(m05, CORR) / 1024), r <= 1.5)
big = sizes[-1]
r = rss(big, CORR) / 1024
row("pcapcorrelate peak RSS <= 300 MB", big, "%.0f MB" % r, r <= 300)
if big != m1:
    a, b = med(m1, CORR) / (m1 / 1e6), med(big, CORR) / (big / 1e6)
    row("pcapcorrelate time per packet within 10%% of that at %d" % m1, big,
        "%.2f vs %.2f s/Mpkt (%+.0f%%)" % (b, a, 100 * (b / a - 1)), b <= 1.1 * a)
for size in sorted({m1, big}):
    floor = med(size, FLOOR)
    for label, lim in ((COUNT, 1.3), (JSON, 3.0)):
        t = med(size, label)
        if floor and t:
            row("%s <= %.1fx the read floor (wall)" % (label, lim), size, "%.2fx" % (t / floor),
                t / floor <= lim)
p("| target | packets | measured | met |")
p("|---|---|---|---|")
for t, size, m, ok in rows:
    p("| %s | %d | %s | %s |" % (t, size, m, "yes" if ok else "**no**"))
p("")
p("## Scaling")
p("")
p("| packets | ikedump --count s/Mpkt | ikedump --json s/Mpkt | pcapcorrelate s/Mpkt | "
  "pcapcorrelate CPU s/Mpkt | pcapcorrelate MB/Mpkt | pcapcorrelate --html s/Mpkt | "
  "--html / --json (wall) | --html / --json (CPU) |")
p("|---|---|---|---|---|---|---|---|---|")
for size in sizes:
    per = size / 1e6
    c, j, k, kc = med(size, COUNT), med(size, JSON), med(size, CORR), cpu_s(size, CORR)
    h, hc = med(size, HTML), cpu_s(size, HTML)
    p("| %d | %.2f | %.2f | %.2f | %.2f | %.0f | %s | %s | %s |" % (
        size, c / per, j / per, k / per, kc / per, rss(size, CORR) / 1024 / per,
        "%.2f" % (h / per) if h else "-", "%.2f" % (h / k) if h and k else "-",
        "%.2f" % (hc / kc) if hc and kc else "-"))


def exponent(lo, hi, vlo, vhi):
    """b in v ~ n^b between two sizes."""
    return math.log(vhi / vlo) / math.log(hi / lo)


if len(sizes) >= 2:
    lo, hi = sizes[0], sizes[-1]
    p("")
    p("Growth exponents from %d to %d packets (v ~ n^b; 1.00 is linear, above 1.05 worse than "
      "linear, 0.90 to 1.05 linear):" % (lo, hi))
    p("")
    p("| quantity | at %d | at %d | exponent b | verdict |" % (lo, hi))
    p("|---|---|---|---|---|")
    series = [("ikedump --count wall s", lambda s: med(s, COUNT)),
              ("ikedump --json wall s", lambda s: med(s, JSON)),
              ("pcapcorrelate wall s", lambda s: med(s, CORR)),
              ("pcapcorrelate CPU s", lambda s: cpu_s(s, CORR)),
              ("pcapcorrelate --html wall s", lambda s: med(s, HTML)),
              ("pcapcorrelate peak RSS MB", lambda s: rss(s, CORR) / 1024),
              ("ikedump --json peak RSS MB", lambda s: rss(s, JSON) / 1024)]
    for name, f in series:
        if not f(lo) or not f(hi):
            continue  # not measured at both ends (a raw file from an older bench/run)
        b = exponent(lo, hi, f(lo), f(hi))
        # below 0.9 only: fixed start-up costs weigh on the smallest size
        verdict = ("worse than linear" if b > 1.05 else "linear" if b >= 0.9 else
                   "better than linear" if b > 0.1 else "bounded")
        p("| %s | %.2f | %.2f | %.2f | %s |" % (name, f(lo), f(hi), b, verdict))
    # the same from 1M up: the small sizes carry start-up costs
    if m1 != lo and m1 != hi:
        p("")
        p("From %d to %d: pcapcorrelate wall b = %.2f, CPU b = %.2f, peak RSS b = %.2f." % (
            m1, hi, exponent(m1, hi, med(m1, CORR), med(hi, CORR)),
            exponent(m1, hi, cpu_s(m1, CORR), cpu_s(hi, CORR)),
            exponent(m1, hi, rss(m1, CORR), rss(hi, CORR))))
p("")
p("## Instructions per packet (callgrind, %d packets)" % packets(small))
p("")
p("| command | instructions | per packet |")
p("|---|---|---|")
n = packets(small)
irs = {}
for line in open(cg):
    label, ir = line.rstrip("\n").split("\t")
    irs[label] = int(ir)
    p("| %s | %s | %.0f |" % (label, ir, int(ir) / n))
if {"ikedump --count", "ikedump --count side b", "pcapcorrelate --json (a and b)"} <= set(irs):
    ratio = irs["pcapcorrelate --json (a and b)"] / (irs["ikedump --count"] + irs["ikedump --count side b"])
    p("")
    p("pcapcorrelate executes %.2fx the instructions of decoding both captures (instruction "
      "counts do not depend on what else the machine is doing)." % ratio)
print("\n".join(out))
