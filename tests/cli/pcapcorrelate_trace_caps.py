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
import pktbuild  # noqa: E402
from iks_testlib import PCAPCORRELATE, check, finish, run  # noqa: E402

KEPT = 65535
T0 = 1700000000.0
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-tracecaps-")


def esp_pairs(pa, pb, flows):
    """Two ESP packets per address pair, in both captures (b's 5 ms later)."""
    recs_a, recs_b, k = [], [], 0
    for i in range(flows):
        src, dst = bytes([10, 1, i >> 8, i & 0xFF]), bytes([10, 2, i >> 8, i & 0xFF])
        for j in range(2):
            k += 1
            esp = struct.pack("!II", 0x1000 + i, j + 1) + struct.pack("!I", k) * 8
            t = T0 + k * 1e-4
            recs_a.append((t, pktbuild.ipv4(src, dst, 50, esp, k, 64)))
            recs_b.append((t + 0.005, pktbuild.ipv4(src, dst, 50, esp, k, 63)))
    pktbuild.write_pcap(pa, recs_a)
    pktbuild.write_pcap(pb, recs_b)


def write(path, n):
    """n UDP packets, each from its own source to 192.0.2.1."""
    pktbuild.write_pcap(path, [(T0 + i * 1e-3, pktbuild.udp(struct.pack("!I", 0x0A000000 + i), 40000,
                                                            "192.0.2.1", 53, b"test", i))
                               for i in range(n)])


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
    """ESP both ways between 192.0.2.1 and 198.51.100.1, 10 a second each
    way, 5 ms each way; b's clock 2.5 s ahead, +0.3 s at each 12 s of the
    first nsteps; and `others` UDP packets of flows of their own."""
    recs_a, recs_b = [], []
    for i in range(others):
        t = T0 + 1 + i * (seconds - 2) / others
        src, dst = bytes([10, 3, i >> 8, i & 0xFF]), bytes([10, 4, i >> 8, i & 0xFF])
        data = struct.pack("!I", i)
        recs_a.append((t, pktbuild.udp(src, 5000, dst, 53, data, i, 64)))
        recs_b.append((t + 2.505, pktbuild.udp(src, 5000, dst, 53, data, i, 63)))
    k = 0
    for i in range(seconds * 10):
        for fwd in (True, False):
            k += 1
            src, dst = ("192.0.2.1", "198.51.100.1") if fwd else ("198.51.100.1", "192.0.2.1")
            esp = struct.pack("!II", 0xA1 if fwd else 0xB2, k) + struct.pack("!I", k * 7) * 8
            sent = T0 + i * 0.1 + (0 if fwd else 0.05)
            at_a, at_b = (sent, sent + 0.005) if fwd else (sent + 0.005, sent)  # b: its own time
            off = 2.5 + 0.3 * sum(1 for j in range(1, nsteps + 1) if at_b - T0 >= 12 * j)
            recs_a.append((at_a, pktbuild.ipv4(src, dst, 50, esp, k, 64 if fwd else 63)))
            recs_b.append((at_b + off, pktbuild.ipv4(src, dst, 50, esp, k, 63 if fwd else 64)))
    pktbuild.write_pcap(pa, recs_a)
    pktbuild.write_pcap(pb, recs_b)


for nsteps in (4, 6):
    pa, pb = (os.path.join(TMP, "steps%d_%s.pcap" % (nsteps, x)) for x in "ab")
    stepped_pair(pa, pb, nsteps)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    steps = doc.get("clock_offset", {}).get("steps", [])
    print("# %d steps made: found %s" % (nsteps, [(round(x["at"] - T0, 2), round(x["seconds"], 3))
                                                for x in steps]))
    check("%d clock steps made: the first 4 listed, 0.3 s each, where they were made" % nsteps,
          rc == 0 and len(steps) == 4 and
          all(abs(x["seconds"] - 0.3) < 0.005 and abs(x["at"] - T0 - 12 * (j + 1)) < 1.1
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
