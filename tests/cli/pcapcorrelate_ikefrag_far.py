#!/usr/bin/env python3
"""IKE fragments of a message read with keys are marked read however far
back they are (issue 19: TRACE_FRAG_LOOKBACK was a silent cap).

Construction: ikev2_cert_rfc7383 (real strongSwan: IKE_AUTH both ways in 2
SKF fragments, a's frames 7-8 and 9-10) with F hand-built IKE_SA_INIT
requests between other hosts (10.9.0.1 -> 10.8.0.1, each its own SPI)
inserted in a between the two fragments of each message. A trace looked
256 IKE messages back for the earlier fragments of a message it read: with
F = 300 the first fragment of each was left "encrypted, not read" without
a word. Now each message's fragments are chained: with -k all 4 fragments
are read for F = 0, 300 and 2,000, and no limit finding is made.

The chains' table (TRACE_FRAG_HEADS, 4,096 slots by a hash of the
message's identity) has a cap: a fragment of another message whose
identity falls in the same slot breaks the request's chain. Then the
trace looks 256 IKE messages back, as before, and counts what it cannot
reach: one such fragment (SPIs searched here for the same slot, with the
trace's hash) right after a's frame 7, then F plain messages: F = 10, all
still read, nothing said; F = 300, the first request fragment is not
read, and one `limit` finding on capture a and a stderr note count it.
"""
import json
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import pcapnglib  # noqa: E402
import pktbuild  # noqa: E402
from iks_testlib import PCAPCORRELATE, cap, check, finish, run  # noqa: E402

NAME = "ikev2_cert_rfc7383"
KEYS = cap("ikev2_cert_rfc7383_ikev2_decryption_table")
TMP = tempfile.mkdtemp(prefix="ikefrag-far-")
AFTER = (7, 9)  # a's first SKF fragment of the IKE_AUTH request and response


def filler(i):
    """An IKEv2 IKE_SA_INIT request header alone (RFC 7296 section 3.1), SPI i + 1."""
    ike = struct.pack("!QQBBBBII", 0x5EED000000000000 + i + 1, 0, 0, 0x20, 34, 0x08, 0, 28)
    return pktbuild.udp("10.9.0.1", 500, "10.8.0.1", 500, ike, i & 0xFFFF)


def write(path, frames):
    """A nanosecond pcap (Ethernet)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for ts, wl, data in frames:
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(data), wl) + data)


M = (1 << 64) - 1


def h_bytes(h, b):
    for c in b:
        h = ((h ^ c) * 0x100000001B3) & M
    return h


def h_u64(h, v):
    h = ((h ^ v) * 0x9E3779B97F4A7C15) & M
    h ^= h >> 32
    return h ^ h >> 17


def h_final(h):
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & M
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & M
    h ^= h >> 31
    return h or 1


def slot(ispi, rspi, exchange, flags, msgid, version=2):
    """lib/trace/trace.c frag_head(): the message's slot of TRACE_FRAG_HEADS (4,096)."""
    h = h_bytes(h_bytes(0xCBF29CE484222325, ispi), rspi)
    return h_final(h_u64(h, version << 48 | exchange << 40 | flags << 32 | msgid)) % 4096


RSPI_F = bytes.fromhex("00000000c0111de0")


def collider():
    """An SKF fragment (RFC 7383 section 2.5: 1 of 2) of another IKE_AUTH request (between
    other hosts) whose identity takes the slot of a's IKE_AUTH request."""
    want = slot(bytes.fromhex("e93fc7bc77340f26"), bytes.fromhex("894063a5a711cf6f"), 35, 8, 1)
    i = 0
    while slot(struct.pack("!Q", 0xC0111DE000000000 + i), RSPI_F, 35, 8, 1) != want:
        i += 1
    body = bytes(48)  # IV, encrypted data and ICV, unread without keys
    skf = struct.pack("!BBHHH", 0, 0, 8 + len(body), 1, 2) + body
    ike = struct.pack("!Q8sBBBBII", 0xC0111DE000000000 + i, RSPI_F, 53, 0x20, 35, 0x08, 1,
                      28 + len(skf)) + skf
    return pktbuild.udp("10.9.0.2", 500, "10.8.0.2", 500, ike, 7)


def build(path, n, collide=False):
    """a with n fillers after frames 7 and 9 (after 7, the colliding fragment first)."""
    out, k = [], 0
    for i, (ts, wl, data) in enumerate(frames, 1):
        out.append((ts, wl, data))
        if i == 7 and collide:
            b = collider()
            out.append((ts + 1, len(b), b))
        if i in AFTER:
            for _ in range(n):
                b = filler(k)
                k += 1
                out.append((ts + 1, len(b), b))
    write(path, out)


def correlate(path):
    rc, res, err = run(PCAPCORRELATE, "--json", "-k", KEYS, path, cap(NAME + "_b.pcap"))
    doc = json.loads(res) if rc == 0 else {}
    frags = [m for ng in doc.get("negotiations", []) for e in ng["exchanges"] if e["type"] == 35
             and e["messages"] and e["messages"][0].get("frame_sent") in (7, 8)
             for m in e["messages"] if m["ike_fragment"]] if rc == 0 else []
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    return rc, frags, lim, err


linktype, frames = pcapnglib.read_pcap(cap(NAME + "_a.pcap"))
assert linktype == 1, linktype
for n in (0, 300, 2000):
    path = os.path.join(TMP, "a%d.pcap" % n)
    build(path, n)
    rc, frags, lim, err = correlate(path)
    check("%d IKE messages between the fragments: all 4 IKE_AUTH fragments read" % n,
          rc == 0 and len(frags) == 4 and all(m["encrypted"] and m["decrypted"] for m in frags),
          (rc, frags, err[-300:]))
    check("%d IKE messages between the fragments: no limit finding, nothing on stderr" % n,
          rc == 0 and not lim and "IKE fragments" not in err, (lim, err[-300:]))

for n, unread in ((10, 0), (300, 1)):
    path = os.path.join(TMP, "collide%d.pcap" % n)
    build(path, n, collide=True)
    rc, frags, lim, err = correlate(path)
    read = [m for m in frags if m["encrypted"] and m["decrypted"]]
    check("chain broken, %d messages between: %d of 4 IKE_AUTH fragments read" % (n, 4 - unread),
          rc == 0 and len(frags) == 4 and len(read) == 4 - unread, (rc, frags, err[-300:]))
    if not unread:
        check("chain broken, %d messages between: no limit finding, nothing on stderr" % n,
              rc == 0 and not lim and "IKE fragments" not in err, (lim, err[-300:]))
    else:
        check("chain broken, %d messages between: one limit finding on a counting the fragment "
              "not read, and a stderr note" % n,
              len(lim) == 1 and lim[0].get("capture") == "a" and lim[0]["count"] == unread and
              "%d IKE fragments" % unread in err, (lim, err[-300:]))

finish()
