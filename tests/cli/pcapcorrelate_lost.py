#!/usr/bin/env python3
"""pcapcorrelate --write-lost, packet by packet, against a ground truth that
does not come from the correlation engine.

For every two-sided fixture, each frame a host sent is lost exactly when
some of its bytes never reached the other host: an unfragmented packet is
delivered when the receiver's capture holds a packet or fragment of the
same protocol and IP ID (NAT keeps both), a fragment when the receiver's
fragments of that datagram cover its byte range (routers may re-fragment).
Packets sent while the receiver's capture was not running cannot be judged
by anyone and are left out of the truth (counted by the correlation as
not_covered). The file --write-lost writes must hold exactly the lost
frames, each once, with the sender's timestamp, and no frame that arrived.
(The issue measured the old writer on the random-loss pair: 7 of 22
written packets had arrived, 2 of 17 lost ones were missing.)
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, cap, check, finish  # noqa: E402

HOSTS = ("192.0.2.1", "198.51.100.1")
PAIRS = ["ikev2_psk_randomloss", "ikev2_cert_fragdrop", "ikev1_cert_ikefrag_ok_nftdrop",
         "ikev2_psk_natt", "ikev1_psk_natt", "ikev2_psk_oneway", "ikev2_cert_rfc7383",
         "ikev2_psk_authfail", "ikev2_psk_realnat", "ikev1_psk_realnat", "plain_frag",
         "ikev2_psk_noproposal", "ikev1_psk_noproposal", "ikev2_psk_tsfail",
         "ikev2_psk_deletelost"]


def frames(pcap):
    """(frame, ts, src, dst, proto, ip_id, offset, length, is_fragment) per IP frame."""
    out = subprocess.run([IKEDUMP, "--json", "--all", pcap], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    res = []
    for line in out.splitlines():
        r = json.loads(line)
        if "frame" not in r or "src" not in r or "ip_id" not in r:
            continue
        fr = r.get("frag")
        res.append((r["frame"], str(r["ts"]), r["src"], r["dst"], r["proto"], r["ip_id"],
                    fr["offset"] if fr else 0, fr["length"] if fr else r["ip_len"], fr is not None))
    return res


def received(fs, host):
    """(proto, ip_id) -> byte ranges the host received (None: a whole packet)."""
    got = {}
    for _, _, src, dst, proto, ip_id, off, ln, isfrag in fs:
        if dst == host:
            got.setdefault((proto, ip_id), []).append((off, off + ln) if isfrag else None)
    return got


def delivered(got, proto, ip_id, off, ln, isfrag):
    ranges = got.get((proto, ip_id), [])
    if None in ranges:
        return True
    pos, end = off, off + ln
    for s, e in sorted(ranges):
        if s <= pos < e:
            pos = e
    return pos >= end if isfrag else bool(ranges) and pos >= end


tmp = tempfile.mkdtemp(prefix="pcapcorrelate-lost-")
for name in PAIRS:
    pa, pb = cap(name + "_a.pcap"), cap(name + "_b.pcap")
    if not (os.path.exists(pa) and os.path.exists(pb)):
        continue
    out = os.path.join(tmp, name + "_lost.pcap")
    p = subprocess.run([PCAPCORRELATE, "--json", "--write-lost", out, pa, pb],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not check(name + ": analysed", p.returncode == 0, p.stderr):
        continue
    doc = json.loads(p.stdout)
    off = float(doc["clock_offset"]["seconds"] or 0)
    side = [frames(pa), frames(pb)]
    truth, outside = [], []
    for s in (0, 1):
        host, peer = HOSTS[s], HOSTS[1 - s]
        got = received(side[1 - s], peer)
        rx = doc["captures"]["ab"[1 - s]]
        first, last = float(rx["first"]), float(rx["last"])
        shift = off if s == 0 else -off  # sender's clock -> receiver's clock
        for f in side[s]:
            frame, ts, src, dst, proto, ip_id, o, ln, isfrag = f
            if src != host or dst == host or delivered(got, proto, ip_id, o, ln, isfrag):
                continue
            t = float(ts) + shift
            (truth if first <= t <= last else outside).append((src, proto, ip_id, o, ln, ts))
    written = [(f[2], f[4], f[5], f[6], f[7], f[1]) for f in frames(out)]
    extra = [w for w in written if w not in truth]
    missing = [t for t in truth if t not in written]
    # the correlation leaves packets near the end of the other capture unjudged
    # (stats.not_covered); those may be absent, no others
    unjudged = doc["stats"]["not_covered"]
    check("%s: --write-lost holds every lost frame once, none that arrived "
          "(%d lost, %d written)" % (name, len(truth), len(written)),
          not extra and len(written) == len(set(written)) and len(missing) <= unjudged,
          ("extra", extra, "missing", missing, "not_covered", unjudged))

# --- captures of two link types: a pcapng with one interface each ------------------------
# b's capture of the random-loss pair rewritten as raw IP (link type 101): every lost frame
# must keep its own capture's link type and bytes, and its timestamp to the nanosecond.
import struct  # noqa: E402

from pcapedit import Pcap  # noqa: E402

pb = Pcap(cap("ikev2_psk_randomloss_b.pcap"))
for r in pb.records:
    r[3] = r[3][pb.ip_offset():]
    r[2] = len(r[3])
pb.header = pb.header[:20] + struct.pack(pb.e + "I", 101)
raw_b = os.path.join(tmp, "randomloss_b_raw.pcap")
pb.write(raw_b)
mixed = os.path.join(tmp, "mixed_lost.pcapng")
same = os.path.join(tmp, "same_lost.pcap")
pa = cap("ikev2_psk_randomloss_a.pcap")
p1 = subprocess.run([PCAPCORRELATE, "--write-lost", mixed, pa, raw_b], stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True)
p2 = subprocess.run([PCAPCORRELATE, "--write-lost", same, pa, cap("ikev2_psk_randomloss_b.pcap")],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def pcapng_frames(path):
    """(link type, ts ns, bytes) of each Enhanced Packet Block (little-endian section)."""
    data = open(path, "rb").read()
    at, ifaces, res = 0, [], []
    while at + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[at:at + 8])
        body = data[at + 8:at + blen - 4]
        if btype == 1:
            ifaces.append(struct.unpack("<H", body[:2])[0])
        elif btype == 6:
            iface, hi, lo, caplen, _ = struct.unpack("<IIIII", body[:20])
            res.append((ifaces[iface], hi << 32 | lo, body[20:20 + caplen]))
        at += blen
    return data[:4], ifaces, res


def pcap_frames(path, linktype=None):
    q = Pcap(path)
    scale = 1 if q.nano else 1000
    return [(linktype or q.linktype, r[0] * 10**9 + r[1] * scale, bytes(r[3])) for r in q.records]


magic, ifaces, got = pcapng_frames(mixed) if p1.returncode == 0 else (b"", [], [])
want = [(lt, ts, b if lt == 1 else b[14:]) for lt, ts, b in pcap_frames(same)
        if not (lt == 1 and False)]
# frames of b in the Ethernet file become raw IP in the mixed one: b's come after a's
n_a = sum(1 for _, _, b in want if b[14 + 12:14 + 16] == bytes([192, 0, 2, 1]))
want = [(1, ts, b) for _, ts, b in want[:n_a]] + [(101, ts, b[14:]) for _, ts, b in want[n_a:]]
check("link types differ: --write-lost writes a pcapng with interfaces [1, 101] and the same "
      "%d frames, each with its own link type, bytes and nanosecond time" % len(want),
      p1.returncode == 0 and magic == b"\x0a\x0d\x0d\x0a" and ifaces == [1, 101] and got == want
      and len(want) == 25, (p1.stderr, ifaces, len(got), len(want)))

finish()
