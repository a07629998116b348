#!/usr/bin/env python3
"""Fragmented packets modified in transit, compared only in part, on a
construction whose answer is known. Nothing left out of a comparison may be
silent.

Two hosts exchange raw ESP (40 packets each way, SPI 0x1000 a->b and 0x2000
b->a, 100 ms apart); b's capture sees every packet 5 ms later (a->b: TTL 64
at a, 63 at b). Among them, a sends three modified datagrams a->b:

1. seq 100, 1,200 bytes of ESP sent in 2 fragments (cut at 600) and
   received re-cut in 3 (at 400 and 800), byte 1,000 changed. No fragment has
   a partner of the same offset and length, so nothing can be compared: the
   finding says 5 fragments not compared, changed_bytes 0, and the packet is
   counted in stats.modified_not_compared (the old code counted nothing and
   said nothing).
2. seq 101, 560 bytes in 70 fragments of 8 at both ends, byte 20 (fragment
   3) and byte 546 (fragment 69) changed. The comparison keeps 64 fragments of
   each copy: byte 20 is found, byte 546 is not, and the finding must say 12
   fragments not compared (6 of each copy) so that its 1 changed byte reads
   as a lower bound; stats.modified_compared_partly 1 (the old code said 1
   byte changed, and nothing else).
3. seq 102, 1,200 bytes in 2 fragments cut alike at both ends, byte 1,000
   changed: compared whole, exactly 1 changed byte, 0 not compared.

A verdict lists the first 32 findings it rests on. A second pair changes
one byte of each of 40 unfragmented ESP packets a->b: one
modified-in-transit verdict, count 40, 32 findings listed, and it must say
that there are more (evidence_truncated; "and more" in the text; the old
code listed 32 and said nothing of the other 8).
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
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-modfrags-")


def esp(spi, seq, n):
    body = bytes((seq * 7 + k * 13 + spi) & 0xFF for k in range(n - 8))
    return spi.to_bytes(4, "big") + seq.to_bytes(4, "big") + body


recs_a, recs_b = [], []
ip_id = 0
for i in range(40):
    t = T0 + i * 0.1
    ip_id += 1
    recs_a.append((t, pktbuild.ipv4(A, B, 50, esp(0x1000, i + 1, 72), ip_id, 64)))
    recs_b.append((t + 0.005, pktbuild.ipv4(A, B, 50, esp(0x1000, i + 1, 72), ip_id, 63)))
    recs_b.append((t + 0.05, pktbuild.ipv4(B, A, 50, esp(0x2000, i + 1, 72), 5000 + i, 64)))
    recs_a.append((t + 0.055, pktbuild.ipv4(B, A, 50, esp(0x2000, i + 1, 72), 5000 + i, 63)))


def modified(t, seq, size, cuts_a, cuts_b, changed):
    """One datagram a->b: as sent in a, changed and cut as received in b."""
    global ip_id
    ip_id += 1
    sent = esp(0x1000, seq, size)
    got = bytearray(sent)
    for k in changed:
        got[k] ^= 0x5A
    for k, fr in enumerate(pktbuild.ipv4_frags(A, B, 50, sent, cuts_a, ip_id, 64)):
        recs_a.append((t + k * 1e-5, fr))
    for k, fr in enumerate(pktbuild.ipv4_frags(A, B, 50, bytes(got), cuts_b, ip_id, 63)):
        recs_b.append((t + 0.005 + k * 1e-5, fr))


modified(T0 + 1.02, 100, 1200, [600], [400, 800], [1000])
modified(T0 + 2.02, 101, 560, list(range(8, 560, 8)), list(range(8, 560, 8)), [20, 546])
modified(T0 + 3.02, 102, 1200, [600], [600], [1000])
pa, pb = os.path.join(TMP, "a.pcap"), os.path.join(TMP, "b.pcap")
pktbuild.write_pcap(pa, recs_a)
pktbuild.write_pcap(pb, recs_b)

rep = correlate_json(pa, pb)
mods = {f.get("seq"): f for f in rep["findings"] if f["kind"] == "modified-in-transit"}
check("three modified-in-transit findings, seq 100-102", sorted(mods) == [100, 101, 102],
      sorted(mods))
if sorted(mods) == [100, 101, 102]:
    f = mods[100]
    check("re-cut datagram: 5 fragments not compared, no byte compared",
          (f["fragments_not_compared"], f["changed_bytes"], f["changes"]) == (5, 0, []), f)
    f = mods[101]
    check("70 fragments: 12 not compared (6 past the 64 of each copy)",
          f["fragments_not_compared"] == 12, f["fragments_not_compared"])
    check("70 fragments: only the change inside the first 64 is listed",
          f["changed_bytes"] == 1 and len(f["changes"]) == 1
          and f["changes"][0]["payload_offset"] == 20, f["changes"])
    f = mods[102]
    check("cut alike: compared whole, exactly byte 1000",
          f["fragments_not_compared"] == 0 and f["changed_bytes"] == 1
          and f["changes"][0]["payload_offset"] == 1000, f)
st = rep["stats"]
check("stats: 1 compared only in part, 1 not compared",
      (st.get("modified_compared_partly"), st.get("modified_not_compared")) == (1, 1), st)

q = subprocess.run([PCAPCORRELATE, pa, pb], capture_output=True, text=True)
check("text report says 12 fragments not compared", "12 fragments not compared" in q.stdout,
      q.stdout[-2000:])
check("text report counts the packet compared only in part",
      "1 packets compared only in part" in q.stdout, q.stdout[-2000:])

# The verdict past its 32 listed findings: a second pair, b's copies of 40
# a->b packets changed (byte 20 of the ESP), nothing else.
recs_b2 = []
for ts, fr in recs_b:
    fr = bytearray(fr)
    if len(fr) == 14 + 20 + 72 and fr[26:30] == pktbuild.addr(A) and fr[14 + 9] == 50:
        fr[14 + 20 + 20] ^= 0x5A
    recs_b2.append((ts, bytes(fr)))
pb2 = os.path.join(TMP, "b40.pcap")
pktbuild.write_pcap(pb2, recs_b2)
rep = correlate_json(pa, pb2)
nmod = sum(f["kind"] == "modified-in-transit" for f in rep["findings"])
check("40 modified: 43 modified-in-transit findings (40 + the 3 above)", nmod == 43, nmod)
vs = [v for v in rep["verdicts"] if v["cause"] == "modified-in-transit"]
check("40 modified: one verdict, count 43, 32 findings listed, truncated",
      len(vs) == 1 and vs[0].get("count") == 43 and len(vs[0]["evidence"]) == 32
      and vs[0]["evidence_truncated"] is True, vs)
other = [v for v in rep["verdicts"] if v["cause"] != "modified-in-transit"]
check("other verdicts are not truncated", all(v["evidence_truncated"] is False for v in other),
      other)
q = subprocess.run([PCAPCORRELATE, pa, pb2], capture_output=True, text=True)
check("text: the evidence line says there are more",
      "and more (the first 32 cited are listed)" in q.stdout, q.stdout[:3000])
finish()
