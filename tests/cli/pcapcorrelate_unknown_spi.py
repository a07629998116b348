#!/usr/bin/env python3
"""One capture (issue 20): ESP the peer sends on an SPI that no negotiation
in the capture produced. Constructions from b's capture of the NAT-T
scenario, read with its keys (so b's own offers are known):
  - the peer's ESP from its 4th packet on rewritten to SPI 0xdeadbeef:
    stale-sa "likely", the count = the packets rewritten, and nothing when
    nothing is rewritten;
  - the same plus a clear IKEv2 INFORMATIONAL from b with Notify INVALID_SPI
    (type 11) naming it: "certain", and the answer's frame;
  - both halves of the pair rewritten (0xdeadbeef in, 0xfeedface out): an
    SA pair older than the capture, which both hosts use: nothing;
  - without keys (b's offers unread): nothing.
"""
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import capmangle  # noqa: E402
from iks_testlib import PCAPCORRELATE, cap, check, finish, run  # noqa: E402

S = "ikev2_psk_natt"
B = cap(S + "_b.pcap")
KEYS = ["-k", cap(S + "_esp_sa"), "-k", cap(S + "_ikev2_decryption_table")]
HOST, PEER = "198.51.100.1", "192.0.2.1"


def esp_spi_at(hdr, data):
    """(IP facts, offset of the ESP SPI) of an unfragmented ESP-in-UDP frame, else (d, None)."""
    d = capmangle.ipv4(hdr, data)
    if not d or d["proto"] != 17 or d["off"] or d["mf"] or d["dport"] != 4500:
        return d, None
    o = d["at"] + (data[d["at"]] & 15) * 4 + 8
    if len(data) < o + 8 or data[o:o + 4] == b"\0\0\0\0":
        return d, None  # too short, or IKE (the non-ESP marker)
    return d, o


def rewrite(hdr, recs, spi_in, spi_out=None, skip=3):
    """The peer's ESP from its (skip+1)th packet on gets spi_in; b's own ESP
    from its (skip+1)th gets spi_out when given. Returns (records, count
    rewritten in, first rewritten index)."""
    out, n_in, seen = [], 0, {"in": 0, "out": 0}
    first = None
    for i, (ts, orig, data) in enumerate(recs):
        d, o = esp_spi_at(hdr, data)
        if o is not None:
            way = "in" if d["src"] == PEER else "out"
            seen[way] += 1
            new = spi_in if way == "in" else spi_out
            if new is not None and seen[way] > skip:
                b = bytearray(data)
                b[o:o + 4] = struct.pack(">I", new)
                data = bytes(b)
                if way == "in":
                    n_in += 1
                    if first is None:
                        first = i
        out.append((ts, orig, data))
    return out, n_in, first


def ip_checksum(h):
    s = sum(struct.unpack(">%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def invalid_spi_frame(hdr, recs, spi):
    """A clear IKEv2 INFORMATIONAL from b on 4500 (RFC 7296 section 3.10:
    Notify, protocol ESP, SPI size 4, type 11 INVALID_SPI) built on b's own
    IKE_AUTH response frame (its IKE SPIs, addresses and ports)."""
    for ts, orig, data in recs:
        d = capmangle.ipv4(hdr, data)
        if not d or d["src"] != HOST or d["proto"] != 17 or d["sport"] != 4500:
            continue
        o = d["at"]
        ihl = (data[o] & 15) * 4
        u = o + ihl
        ike = data[u + 8 + 4:]  # after the non-ESP marker
        if len(ike) < 28 or ike[18] != 35:  # IKE_AUTH
            continue
        notify = struct.pack(">BBHBBH", 0, 0, 12, 3, 4, 11) + struct.pack(">I", spi)
        msg = bytearray(ike[:16] + struct.pack(">BBBBII", 41, 0x20, 37, 0x20, 9, 28 + len(notify)))
        msg += notify
        udp_payload = b"\0\0\0\0" + bytes(msg)
        udp = struct.pack(">HHHH", 4500, d["dport"], 8 + len(udp_payload), 0) + udp_payload
        ip = bytearray(data[o:o + ihl])
        ip[2:4] = struct.pack(">H", ihl + len(udp))
        ip[10:12] = b"\0\0"
        ip[10:12] = struct.pack(">H", ip_checksum(bytes(ip)))
        frame = data[:o] + bytes(ip) + udp
        return frame
    raise RuntimeError("no IKE_AUTH response from b on 4500 in " + B)


def correlate(path, *keys):
    rc, out, err = run(PCAPCORRELATE, "--json", *keys, path)
    if rc != 0:
        raise RuntimeError("pcapcorrelate %s: exit %d: %s" % (path, rc, err))
    return json.loads(out)


def unknown(doc):
    return [f for f in doc.get("findings", [])
            if f.get("kind") == "bad-spi" and not f.get("delete_frame")]


def stale(doc):
    return [v for v in doc.get("verdicts", []) if v.get("cause") == "stale-sa"]


tmp = tempfile.mkdtemp(prefix="unknown_spi.")
hdr, recs = capmangle.read(B)

doc = correlate(B, *KEYS)
check("the capture as it is: no SPI unknown", not unknown(doc), unknown(doc))
check("the capture as it is: no stale-sa verdict", not stale(doc), stale(doc))

recs1, n1, first = rewrite(hdr, recs, 0xDEADBEEF)
p1 = os.path.join(tmp, "likely.pcap")
capmangle.write(p1, hdr, recs1)
doc = correlate(p1, *KEYS)
u = unknown(doc)
check("rewritten: one unknown-SPI finding", len(u) == 1, u)
if u:
    check("its SPI is the rewritten one", u[0].get("spi") == "deadbeef", u[0])
    check("its count = the packets rewritten (%d)" % n1, u[0].get("count") == n1, u[0])
    check("its first frame = the first rewritten (%d)" % (first + 1),
          u[0].get("frame_a") == first + 1, u[0])
    check("no INVALID_SPI answer", u[0].get("invalid_spi_answered") is False, u[0])
v = stale(doc)
check("rewritten: a stale-sa verdict, likely", len(v) == 1 and v[0].get("confidence") == "likely", v)

# INVALID_SPI from b, right after the first rewritten packet
ans = invalid_spi_frame(hdr, recs, 0xDEADBEEF)
ts0 = recs1[first][0]
recs2 = recs1[:first + 1] + [(ts0 + 1000, len(ans), ans)] + recs1[first + 1:]
p2 = os.path.join(tmp, "certain.pcap")
capmangle.write(p2, hdr, recs2)
doc = correlate(p2, *KEYS)
u = unknown(doc)
check("with INVALID_SPI: one unknown-SPI finding, answered",
      len(u) == 1 and u[0].get("invalid_spi_answered") is True, u)
if u:
    check("its count = the packets rewritten (%d)" % n1, u[0].get("count") == n1, u[0])
v = stale(doc)
check("with INVALID_SPI: stale-sa certain", len(v) == 1 and v[0].get("confidence") == "certain", v)

recs3, n3, _ = rewrite(hdr, recs, 0xDEADBEEF, 0xFEEDFACE)
p3 = os.path.join(tmp, "older_pair.pcap")
capmangle.write(p3, hdr, recs3)
doc = correlate(p3, *KEYS)
check("both halves rewritten (an older pair in use both ways): nothing",
      n3 == n1 and not unknown(doc) and not stale(doc), unknown(doc))

doc = correlate(p1)
check("without keys (b's offers unread): nothing", not unknown(doc) and not stale(doc),
      unknown(doc))

for p in (p1, p2, p3):
    os.unlink(p)
os.rmdir(tmp)
finish()
