#!/usr/bin/env python3
"""Caps of what a correlation weighs, on constructions whose answer is known.

1. A trace's address table past its cap: N UDP packets, each from its own source (10.0.0.0 + i) to
192.0.2.1. Addresses are numbered as they first appear: source 0, then
192.0.2.1, then source i as the (i+1)-th. A trace keeps 65,535; every
later address was silently taken as the 65,535th, so what those packets
did was told of one host. Now each such lookup is counted: the source of
every packet from i = 65,534 on, N - 65,534 in all, in a `limit` finding
on that capture and on stderr.

2. The choice of the two hosts past its cap: F address pairs (10.1.x.y ->
10.2.x.y), each with two ESP packets seen in both captures (b 5 ms later,
one router between: TTL 64 then 63). The vote weighs 4,096 pairs (it
weighed 64, silently); the packets of the others, 2 x (F - 4,096), must be
counted in one `limit` finding.

3. Clock steps past the 4 the model takes out: 80 s of ESP both ways (10
packets a second each way, 5 ms each way), b's clock 2.5 s ahead and
stepping +0.3 s at 12, 24, ... s after the start. Steps 5 and on were not
looked for; now they are counted in a `limit` finding (the first 4 are
listed and taken out, as before).

4. Other traffic past the flows it judges: 20 s of the ESP of part 3 (no
step), and F UDP flows between other addresses (10.3.x.y -> 10.4.x.y),
one packet each, seen at both ends. 4,096 flows are judged; each packet
of a later flow, F - 4,096 in all, must be counted in a `limit` finding.
"""
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import PCAPCORRELATE, check, finish, run  # noqa: E402

KEPT = 65535
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-tracecaps-")


def esp_pairs(pa, pb, flows):
    """Two ESP packets per address pair, in both captures."""
    with open(pa, "wb") as fa, open(pb, "wb") as fb:
        for f in (fa, fb):
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        k = 0
        for i in range(flows):
            src = bytes([10, 1, i >> 8, i & 0xFF])
            dst = bytes([10, 2, i >> 8, i & 0xFF])
            for j in range(2):
                k += 1
                esp = struct.pack("!II", 0x1000 + i, j + 1) + struct.pack("!I", k) * 8
                for f, ttl, dt in ((fa, 64, 0), (fb, 63, 5000)):
                    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(esp), k & 0xFFFF, 0, ttl,
                                     50, 0, src, dst)
                    data = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + esp
                    us = k * 100 + dt
                    f.write(struct.pack("<IIII", 1700000000 + us // 1000000, us % 1000000,
                                        len(data), len(data)) + data)


def write(path, n):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            src = struct.pack("!I", 0x0A000000 + i)
            udp = struct.pack("!HHHH", 40000, 53, 12, 0) + b"test"
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0,
                             src, bytes([192, 0, 2, 1]))
            data = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(data),
                                len(data)) + data)


for n in (KEPT - 1, KEPT + 4465 + 1):
    path = os.path.join(TMP, "addr%d.pcap" % n)
    write(path, n)
    want = max(0, n - (KEPT - 1))
    rc, out, err = run(PCAPCORRELATE, "--json", path)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    check("%d sources: exit 0" % n, rc == 0, err[-300:])
    if not want:
        check("%d sources (%d addresses): no limit finding, nothing on stderr" % (n, n + 1),
              not lim and "addresses" not in err, (lim, err))
    else:
        check("%d sources: one limit finding on capture a counting the %d sources past the cap" %
              (n, want), len(lim) == 1 and lim[0].get("capture") == "a" and lim[0]["count"] == want,
              lim)
        check("%d sources: stderr says so, with the count" % n,
              "%d addresses of later packets" % want in err, err[-300:])

def stepped_pair(pa, pb, nsteps, seconds=80, others=0):
    with open(pa, "wb") as fa, open(pb, "wb") as fb:
        recs_a, recs_b = [], []
        k = 0
        for i in range(others):
            t = 1700000000.0 + 1 + i * (seconds - 2) / others
            src, dst = bytes([10, 3, i >> 8, i & 0xFF]), bytes([10, 4, i >> 8, i & 0xFF])
            udp = struct.pack("!HHHH", 5000, 53, 12, 0) + struct.pack("!I", i)
            for recs, when, ttl in ((recs_a, t, 64), (recs_b, t + 2.505, 63)):
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, ttl, 17, 0,
                                 src, dst)
                recs.append((when, b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp))
        for i in range(seconds * 10):
            t = 1700000000.0 + i * 0.1
            for fwd in (True, False):
                k += 1
                src, dst = ((bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1])) if fwd else
                            (bytes([198, 51, 100, 1]), bytes([192, 0, 2, 1])))
                spi = 0xA1 if fwd else 0xB2
                esp = struct.pack("!II", spi, k) + struct.pack("!I", k * 7) * 8
                ts = t + (0 if fwd else 0.05)
                arr = ts + 0.005
                sent_a, at_b = (ts, arr) if fwd else (arr, ts)  # a's clock / b's own
                off = 2.5 + 0.3 * sum(1 for j in range(1, nsteps + 1) if at_b - 1700000000.0 >= 12 * j)
                for recs, when, ttl in ((recs_a, sent_a, 64 if fwd else 63),
                                        (recs_b, at_b + off, 63 if fwd else 64)):
                    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(esp), k & 0xFFFF, 0, ttl,
                                     50, 0, src, dst)
                    recs.append((when, b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + esp))
        for f, recs in ((fa, recs_a), (fb, recs_b)):
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for when, data in sorted(recs, key=lambda r: r[0]):
                us = int(round(when * 1e6))
                f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(data), len(data)) + data)


for nsteps in (4, 6):
    pa, pb = (os.path.join(TMP, "steps%d_%s.pcap" % (nsteps, x)) for x in "ab")
    stepped_pair(pa, pb, nsteps)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    steps = doc.get("clock_offset", {}).get("steps", [])
    print("# %d steps made: found %s" % (nsteps, [(round(x["at"] - 1700000000, 2), round(x["seconds"], 3))
                                                for x in steps]))
    check("%d clock steps made: the first 4 listed, 0.3 s each, where they were made" % nsteps,
          rc == 0 and len(steps) == 4 and
          all(abs(x["seconds"] - 0.3) < 0.005 and abs(x["at"] - 1700000000 - 12 * (j + 1)) < 1.1
              for j, x in enumerate(steps)), (rc, steps, err[-300:]))
    if nsteps <= 4:
        check("%d clock steps: no limit finding" % nsteps, not lim, lim)
    else:
        check("%d clock steps: one limit finding counting the %d not taken out" % (nsteps, nsteps - 4),
              len(lim) == 1 and lim[0]["count"] == nsteps - 4, lim)

JUDGED = 4096
for others in (100, JUDGED + 904):
    pa, pb = (os.path.join(TMP, "others%d_%s.pcap" % (others, x)) for x in "ab")
    stepped_pair(pa, pb, 0, seconds=20, others=others)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    want = max(0, others - JUDGED)
    if not want:
        check("%d other flows: no limit finding, nothing of them lost" % others,
              rc == 0 and not lim and doc["stats"]["other_lost_ab"] == 0, (rc, lim, err[-300:]))
    else:
        check("%d other flows: one limit finding counting the %d packets of the flows past the "
              "cap" % (others, want), rc == 0 and len(lim) == 1 and lim[0]["count"] == want,
              (rc, lim, err[-300:]))

VOTE = 4096
for flows in (100, VOTE + 904):
    pa, pb = (os.path.join(TMP, "flows%d_%s.pcap" % (flows, x)) for x in "ab")
    esp_pairs(pa, pb, flows)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    want = 2 * max(0, flows - VOTE)
    if not want:
        check("%d address pairs: no limit finding" % flows, rc == 0 and not lim, (rc, lim, err[-300:]))
    else:
        check("%d address pairs: one limit finding counting the %d packets of the %d pairs past "
              "the vote's cap" % (flows, want, flows - VOTE),
              rc == 0 and len(lim) == 1 and lim[0]["count"] == want, (rc, lim, err[-300:]))

finish()
