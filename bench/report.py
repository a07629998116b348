#!/usr/bin/env python3
"""Turn bench/run's raw measurements into bench/RESULTS.md (to stdout)."""
import datetime
import os
import platform
import statistics
import struct
import subprocess
import sys

raw, cg, small = sys.argv[1:4]
runs = {}
for line in open(raw):
    label, size, secs, rss = line.rstrip("\n").split("\t")
    runs.setdefault(int(size), {}).setdefault(label, []).append((float(secs), int(rss)))


def med(size, label):
    v = runs[size].get(label)
    return statistics.median(s for s, _ in v) if v else None


def rss(size, label):
    v = runs[size].get(label)
    return max(r for _, r in v) if v else None


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
COUNTB = "ikedump --count side b"

out = []
p = out.append
p("# Benchmark results")
p("")
p("Made by `bench/run` on %s UTC: %s, %d cores, %s. Medians of the runs listed; "
  "seconds are wall-clock on a machine shared with other work, so the ratios "
  "(same file, same run) matter more than the absolute times; callgrind "
  "instruction counts are repeatable." % (
      datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), cpu(), os.cpu_count(),
      platform.platform()))
p("")
p("Captures: `bench/make_pair.py N` replicates the IKEv2 NAT-T, raw ESP (with fragments), "
  "AH and UDP-4500 templates of `captures/` with unique cookies, sequence numbers and IP IDs, "
  "and derives side b with a 2.5 s clock offset, 300 us one-way delay, NAT of a's address "
  "and ports, and about 0.1 % datagram loss each way.")
p("")
p("| packets | tool | median s | runs | peak RSS MB | x read floor | tshark / this | tcpdump -v / this |")
p("|---|---|---|---|---|---|---|---|")
for size in sorted(runs):
    floor, tsh, tcpv = med(size, FLOOR), med(size, TSHARK), med(size, TCPV)
    for label in (FLOOR, COUNT, JSON, TCPV, TSHARK, COUNTB, CORR):
        m = med(size, label)
        if m is None:
            continue
        p("| %d | %s | %.2f | %d | %.0f | %s | %s | %s |" % (
            size, label, m, len(runs[size][label]), rss(size, label) / 1024,
            "%.2f" % (floor / m) if floor and m else "-",
            "%.1f" % (tsh / m) if tsh and label in (COUNT, JSON) else "-",
            "%.1f" % (tcpv / m) if tcpv and label in (COUNT, JSON) else "-"))
p("")
p("`x read floor` is the read floor's time over the tool's (1.0 = as fast as reading the file).")
p("")
p("## Targets")
p("")
big = max(s for s in runs if TSHARK in runs[s]) if any(TSHARK in runs[s] for s in runs) else None
rows = []
if big:
    floor, cnt, js = med(big, FLOOR), med(big, COUNT), med(big, JSON)
    tsh, tcpv = med(big, TSHARK), med(big, TCPV)
    corr, cb = med(big, CORR), med(big, COUNTB)
    rows.append(("decode-only throughput >= 0.5x the read floor", "%.2fx" % (floor / cnt),
                 floor / cnt >= 0.5))
    rows.append(("ikedump --json >= 10x tshark -T fields", "%.1fx" % (tsh / js), tsh / js >= 10))
    rows.append(("ikedump --json >= 2x tcpdump -nr -v", "%.1fx" % (tcpv / js), tcpv / js >= 2))
    rows.append(("pcapcorrelate within 3x decoding both sides", "%.2fx" % (corr / (cnt + cb)),
                 corr / (cnt + cb) <= 3))
    r = rss(big, CORR) / 1024
    rows.append(("pcapcorrelate peak RSS < 256 MB on two %d-packet captures" % big, "%.0f MB" % r,
                 r < 256))
p("| target (%s packets) | measured | met |" % big)
p("|---|---|---|")
for t, m, ok in rows:
    p("| %s | %s | %s |" % (t, m, "yes" if ok else "**no**"))
p("")
p("## Scaling")
p("")
p("| packets | ikedump --count s/Mpkt | ikedump --json s/Mpkt | pcapcorrelate s/Mpkt | pcapcorrelate MB/Mpkt |")
p("|---|---|---|---|---|")
for size in sorted(runs):
    per = size / 1e6
    c, j, k = med(size, COUNT), med(size, JSON), med(size, CORR)
    p("| %d | %.2f | %.2f | %.2f | %.0f |" % (size, c / per, j / per, k / per,
                                               rss(size, CORR) / 1024 / per))
sizes = sorted(runs)
if len(sizes) >= 2:
    lo, hi = sizes[0], sizes[-1]
    verdicts = []
    for label, name in ((COUNT, "ikedump --count"), (JSON, "ikedump --json"), (CORR, "pcapcorrelate")):
        a, b = med(lo, label) / (lo / 1e6), med(hi, label) / (hi / 1e6)
        verdicts.append("%s %.2f -> %.2f s/Mpkt (%s)" % (name, a, b, "linear or better" if b <= 1.5 * a
                                                          else "WORSE than linear"))
    ra, rb = rss(lo, CORR) / 1024 / (lo / 1e6), rss(hi, CORR) / 1024 / (hi / 1e6)
    verdicts.append("pcapcorrelate memory %.0f -> %.0f MB/Mpkt (%s)" % (
        ra, rb, "linear or better" if rb <= 1.5 * ra else "WORSE than linear"))
    p("")
    p("From %d to %d packets: %s." % (lo, hi, "; ".join(verdicts)))
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
    p("pcapcorrelate executes %.2fx the instructions of decoding both captures (target: within 3x; "
      "instruction counts do not depend on what else the machine is doing)." % ratio)
print("\n".join(out))
