#!/usr/bin/env python3
"""Two captures where the second is not at an end: an ICMP error made past it.

r's capture on its interface ra (ikev2_psk_randomloss_noise_r-ra.pcap) holds
r's own ICMP fragmentation-needed (from 192.0.2.254, r's address on ra)
leaving towards a; a's capture holds the same error arriving. Run as the
plain two-file `a r-ra`:

1. The error reached a: one icmp-frag-needed a->b (reached the sender, from
   a's capture), none "did not reach the sender", no pmtu-blackhole verdict
   (nothing a sent was lost between a and r-ra: lab truth, r drops in its
   forward hook, after ra's capture).
2. Known answer by construction: a's capture less that one ICMP frame. Now
   the error left r-ra towards a while a captured and never arrived: one
   icmp-frag-needed a->b that did not reach the sender (r-ra's frame, r's
   address, MTU 1300, the quoted IP ID) and a pmtu-blackhole verdict a->b.
3. An ICMP error to a third address (the same frame readdressed to a host
   that is neither end) says nothing of the two hosts: no finding from it.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import PCAPCORRELATE, cap, check, finish  # noqa: E402
import pcapedit  # noqa: E402

NAME = "ikev2_psk_randomloss_noise"
R = "192.0.2.254"
tmp = tempfile.mkdtemp(prefix="pcapcorrelate-icmp-hop-")


def run(a, b):
    p = subprocess.run([PCAPCORRELATE, "--json", a, b], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


def icmp_frames(pc):
    """Record indexes (0-based) of ICMP frag-needed frames from r to a, with the quoted IP ID."""
    out = []
    for k, rec in enumerate(pc.records):
        ip = pcapedit.ipv4(rec[3], pc.ip_offset())
        if ip.ok and ip.proto == 1 and ip.src == R and ip.dst == "192.0.2.1":
            icmp = rec[3][ip.payload_at:]
            if len(icmp) >= 8 + 20 and icmp[0] == 3 and icmp[1] == 4:
                inner = pcapedit.ipv4(bytes(icmp[8:]), 0)
                out.append((k, int.from_bytes(icmp[6:8], "big"), inner.id))
    return out


def icmps(d):
    return [f for f in d["findings"] if f["kind"] == "icmp-frag-needed"]


a, ra = cap(NAME + "_a.pcap"), cap(NAME + "_r-ra.pcap")
pa, pra = pcapedit.Pcap(a), pcapedit.Pcap(ra)
ia, ira = icmp_frames(pa), icmp_frames(pra)
check("r's frag-needed towards a is in both captures (a %s, r-ra %s)" % (ia, ira),
      len(ia) == 1 and len(ira) == 1 and ia[0][1:] == ira[0][1:], (ia, ira))
mtu, qid = ira[0][1], ira[0][2]

# 1. the error reached a
rc, d, err = run(a, ra)
check("a r-ra: analysed", rc == 0, err)
if rc == 0:
    f = icmps(d)
    check("a r-ra: one icmp-frag-needed, a->b, reached the sender, from r, mtu %d, ip id 0x%04x"
          % (mtu, qid),
          len(f) == 1 and f[0]["direction"] == "a->b" and f[0]["reached_sender"]
          and f[0]["from"] == R and f[0]["mtu"] == mtu and f[0]["ip_id"] == qid
          and f[0]["frame_a"] == ia[0][0] + 1, f)
    check("a r-ra: no pmtu-blackhole verdict, nothing lost",
          all(v["cause"] != "pmtu-blackhole" for v in d["verdicts"])
          and d["stats"]["lost_ab"] == 0 and d["stats"]["lost_ba"] == 0,
          (d["verdicts"], d["stats"]))

# 2. a without that frame: the error never reached a
cut = pcapedit.Pcap(a)
del cut.records[ia[0][0]]
a_cut = os.path.join(tmp, "a_without_icmp.pcap")
cut.write(a_cut)
rc, d, err = run(a_cut, ra)
check("a (less the ICMP) r-ra: analysed", rc == 0, err)
if rc == 0:
    f = icmps(d)
    check("a (less the ICMP) r-ra: one icmp-frag-needed a->b that did not reach the sender, "
          "r-ra's frame %d" % (ira[0][0] + 1),
          len(f) == 1 and f[0]["direction"] == "a->b" and not f[0]["reached_sender"]
          and f[0]["from"] == R and f[0]["mtu"] == mtu and f[0]["ip_id"] == qid
          and f[0]["frame_b"] == ira[0][0] + 1 and f[0].get("spi"), f)
    v = [v for v in d["verdicts"] if v["cause"] == "pmtu-blackhole"]
    check("a (less the ICMP) r-ra: a pmtu-blackhole verdict a->b, the ICMP never reached a",
          len(v) == 1 and v[0]["direction"] == "a->b" and not v[0]["icmp_reached_sender"],
          d["verdicts"])

# 3. the same error to a third address: no finding
third = pcapedit.Pcap(ra)
frame = third.records[ira[0][0]][3]
at = third.ip_offset()
frame[at + 16:at + 20] = bytes([192, 0, 2, 77])
frame[at + 10:at + 12] = b"\0\0"
s = sum(int.from_bytes(frame[at + k:at + k + 2], "big") for k in range(0, 20, 2))
while s >> 16:
    s = (s & 0xFFFF) + (s >> 16)
frame[at + 10:at + 12] = (~s & 0xFFFF).to_bytes(2, "big")
ra_third = os.path.join(tmp, "r-ra_icmp_elsewhere.pcap")
third.write(ra_third)
rc, d, err = run(a_cut, ra_third)
check("a (less the ICMP) r-ra (the ICMP to 192.0.2.77): analysed", rc == 0, err)
if rc == 0:
    check("an ICMP error to a third address: no icmp-frag-needed, no pmtu-blackhole",
          not icmps(d) and all(v["cause"] != "pmtu-blackhole" for v in d["verdicts"]),
          (icmps(d), d["verdicts"]))
finish()
