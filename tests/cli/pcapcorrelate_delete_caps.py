#!/usr/bin/env python3
"""SPIs named in Delete payloads past the 100,000 a trace follows, on a
construction whose answer is known.

Two hosts exchange raw ESP for 4 s (10 packets a second each way, 5 ms one
way, b's capture 5 ms later). Host a also sends 8 IKEv1 Informational
messages in clear (RFC 2408 section 4.8), each with one Delete payload
(section 3.15: DOI 1, protocol ESP, 4-byte SPIs) naming 15,000 SPIs that no
packet uses: 120,000 in all. A trace follows 100,000; the other 20,000
must be counted in one `limit` finding on capture a, with two captures and
with capture a alone, and never on b.
"""
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pktbuild  # noqa: E402
from iks_testlib import check, correlate_json, finish  # noqa: E402

A, B = "192.0.2.1", "198.51.100.2"
T0 = 1700000000.0
PER_MESSAGE, MESSAGES, KEPT = 15000, 8, 100000
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-deletecaps-")


def esp(spi, seq):
    return struct.pack("!II", spi, seq) + bytes((seq + k) & 0xFF for k in range(64))


def informational_delete(k):
    """ISAKMP header (RFC 2408 section 3.1) + one Delete payload (3.15)."""
    spis = b"".join(struct.pack("!I", 0x40000000 + k * PER_MESSAGE + i) for i in range(PER_MESSAGE))
    delete = struct.pack("!BBHIBBH", 0, 0, 12 + len(spis), 1, 3, 4, PER_MESSAGE) + spis
    cookie_i = struct.pack("!Q", 0x1122334455667788)
    cookie_r = struct.pack("!Q", 0x99AABBCCDDEEFF00)
    header = cookie_i + cookie_r + struct.pack("!BBBBII", 12, 0x10, 5, 0, 0x1000 + k,
                                               28 + len(delete))
    return header + delete


recs_a, recs_b = [], []
for i in range(40):
    t = T0 + i * 0.1
    recs_a.append((t, pktbuild.ipv4(A, B, 50, esp(0x1000, i + 1), i + 1, 64)))
    recs_b.append((t + 0.005, pktbuild.ipv4(A, B, 50, esp(0x1000, i + 1), i + 1, 63)))
    recs_b.append((t + 0.05, pktbuild.ipv4(B, A, 50, esp(0x2000, i + 1), 900 + i, 64)))
    recs_a.append((t + 0.055, pktbuild.ipv4(B, A, 50, esp(0x2000, i + 1), 900 + i, 63)))
for k in range(MESSAGES):
    recs_a.append((T0 + 1.02 + k * 0.2,
                   pktbuild.udp(A, 500, B, 500, informational_delete(k), 5000 + k, 64)))
pa, pb = os.path.join(TMP, "a.pcap"), os.path.join(TMP, "b.pcap")
pktbuild.write_pcap(pa, recs_a)
pktbuild.write_pcap(pb, recs_b)


def delete_limits(rep):
    return [f for f in rep["findings"] if f["kind"] == "limit" and "Delete" in f["explain"]]


lim = delete_limits(correlate_json(pa, pb))
check("two captures: one Delete limit finding, on capture a",
      len(lim) == 1 and lim[0].get("capture") == "a", lim)
check("two captures: it counts the 20,000 SPIs past the 100,000 followed",
      bool(lim) and lim[0].get("count") == PER_MESSAGE * MESSAGES - KEPT, lim)
lim = delete_limits(correlate_json(pa))
check("capture a alone: one Delete limit finding counting 20,000",
      len(lim) == 1 and lim[0].get("count") == PER_MESSAGE * MESSAGES - KEPT, lim)
finish()
