#!/usr/bin/env python3
"""Capture gaps past the spans a not-covered finding lists, on a
construction whose answer is known.

Two hosts exchange raw ESP for 80 s, 10 packets a second each way, 5 ms
one way (a->b: TTL 64 at a, 63 at b). b's capture stops for 3 s twelve
times (from 5 s on, every 6 s): it holds nothing, either way, in those
windows, while a's capture holds everything. The a->b packets due at b in
the windows (30 per window, 360 in all) cannot be judged, and the
not-covered finding on b lists its spans. It lists 8; the old code listed
the first 8 and dropped the other 4 without a word. Now spans_more says 4
and the text report says "and 4 more gaps". Nothing else may change: the
count of packets not judged is 360 whatever is listed, and no a->b packet
is called lost.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pktbuild  # noqa: E402
from iks_testlib import PCAPCORRELATE, check, correlate_json, finish  # noqa: E402

A, B = "192.0.2.1", "198.51.100.2"
T0 = 1700000000.0
WINDOWS = [(5.0 + 6 * k, 8.0 + 6 * k) for k in range(12)]
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-gaps-")


def esp(spi, seq):
    return spi.to_bytes(4, "big") + seq.to_bytes(4, "big") + bytes((seq * 5 + k) & 0xFF
                                                                   for k in range(64))


def in_window(t):
    return any(lo <= t - T0 < hi for lo, hi in WINDOWS)


recs_a, recs_b, due_in_gaps = [], [], 0
for i in range(800):
    t = T0 + i * 0.1 + 0.003
    ab = pktbuild.ipv4(A, B, 50, esp(0x1000, i + 1), i + 1, 64)
    recs_a.append((t, ab))
    if in_window(t + 0.005):
        due_in_gaps += 1
    else:
        recs_b.append((t + 0.005, pktbuild.ipv4(A, B, 50, esp(0x1000, i + 1), i + 1, 63)))
    tb = t + 0.05
    if not in_window(tb):
        recs_b.append((tb, pktbuild.ipv4(B, A, 50, esp(0x2000, i + 1), 9000 + i, 64)))
    recs_a.append((tb + 0.005, pktbuild.ipv4(B, A, 50, esp(0x2000, i + 1), 9000 + i, 63)))
check("construction: 360 a->b packets due while b's capture was stopped", due_in_gaps == 360,
      due_in_gaps)
pa, pb = os.path.join(TMP, "a.pcap"), os.path.join(TMP, "b.pcap")
pktbuild.write_pcap(pa, recs_a)
pktbuild.write_pcap(pb, recs_b)

rep = correlate_json(pa, pb)
nc = [f for f in rep["findings"] if f["kind"] == "capture-check" and f.get("check") == "not-covered"
      and f.get("direction") == "a->b"]
check("one not-covered finding a->b", len(nc) == 1, nc)
if nc:
    f = nc[0]
    check("360 packets not judged", f["not_judged"] == 360, f)
    check("8 spans listed, each one of the windows", len(f["spans"]) == 8 and all(
        any(lo - 0.2 <= s["from"] - T0 and s["to"] - T0 <= hi + 0.2 for lo, hi in WINDOWS)
        for s in f["spans"]), f["spans"])
    check("spans_more: the other 4 gaps", f["spans_more"] == 4, f)
check("no a->b packet called lost", rep["stats"].get("lost_ab") == 0, rep["stats"])
q = subprocess.run([PCAPCORRELATE, pa, pb], capture_output=True, text=True)
check("text report: and 4 more gaps", "and 4 more gaps" in q.stdout, q.stdout[:3000])
finish()
