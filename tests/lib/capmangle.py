"""Constructions whose answer is known, made from a bundled capture: classic
pcap read and written record by record (Ethernet, Linux cooked or raw IP
link types), with helpers to rewrite timestamps, keep or drop packets by a
predicate on the IPv4 header, and rewrite IPv4 addresses. Only the test
suite uses it (issue 15)."""
import struct

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D


def read(path):
    """(header dict, [(ts_ns, orig_len, data)])"""
    with open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack("<I", raw[:4])[0]
    endian = "<"
    if magic not in (MAGIC_US, MAGIC_NS):
        endian = ">"
        magic = struct.unpack(">I", raw[:4])[0]
    ns = magic == MAGIC_NS
    _, vmaj, vmin, _, _, snap, link = struct.unpack(endian + "IHHiIII", raw[:24])
    recs = []
    at = 24
    while at + 16 <= len(raw):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", raw[at:at + 16])
        data = raw[at + 16:at + 16 + incl]
        at += 16 + incl
        recs.append((sec * 10**9 + (frac if ns else frac * 1000), orig, data))
    return {"link": link, "snap": snap}, recs


def write(path, hdr, recs):
    """Write nanosecond pcap."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", MAGIC_NS, 2, 4, 0, 0, hdr["snap"], hdr["link"]))
        for ts, orig, data in recs:
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(data), orig))
            f.write(data)


def ip_offset(link, data):
    """Offset of the IP header in a frame, or None."""
    if link == 1:
        off, et = 14, struct.unpack(">H", data[12:14])[0]
        while et in (0x8100, 0x88A8) and len(data) >= off + 4:
            et = struct.unpack(">H", data[off + 2:off + 4])[0]
            off += 4
        return off if et in (0x0800, 0x86DD) else None
    if link == 113:
        return 16
    if link == 276:
        return 20
    if link in (101, 12, 228):
        return 0
    return None


def ipv4(hdr, data):
    """Facts of an IPv4 frame: dict(src, dst, proto, id, off, mf, sport, dport) or None."""
    o = ip_offset(hdr["link"], data)
    if o is None or len(data) < o + 20 or data[o] >> 4 != 4:
        return None
    ihl = (data[o] & 15) * 4
    fo = struct.unpack(">H", data[o + 6:o + 8])[0]
    d = {"src": ".".join(map(str, data[o + 12:o + 16])),
         "dst": ".".join(map(str, data[o + 16:o + 20])),
         "proto": data[o + 9], "id": struct.unpack(">H", data[o + 4:o + 6])[0],
         "off": (fo & 0x1FFF) * 8, "mf": bool(fo & 0x2000), "sport": None, "dport": None,
         "at": o}
    if d["off"] == 0 and d["proto"] in (6, 17) and len(data) >= o + ihl + 4:
        d["sport"], d["dport"] = struct.unpack(">HH", data[o + ihl:o + ihl + 4])
    return d


def drift(recs, ppm, step_s, t0=None):
    """t' = t0 + (t - t0)(1 + ppm 1e-6) + step (t0: the first record)."""
    t0 = recs[0][0] if t0 is None else t0
    return [(t0 + round((ts - t0) * (1 + ppm * 1e-6)) + round(step_s * 1e9), o, d)
            for ts, o, d in recs]


def keep(hdr, recs, pred):
    """Records whose IPv4 facts satisfy pred (frames that are not IPv4 pass as None)."""
    return [r for r in recs if pred(ipv4(hdr, r[2]))]


def rewrite_addr(hdr, recs, old, new):
    """Replace IPv4 address old by new (in headers only; checksums are not fixed)."""
    ob = bytes(map(int, old.split("."))); nb = bytes(map(int, new.split(".")))
    out = []
    for ts, orig, data in recs:
        d = ipv4(hdr, data)
        if d:
            o = d["at"]
            b = bytearray(data)
            for at in (o + 12, o + 16):
                if b[at:at + 4] == ob:
                    b[at:at + 4] = nb
            data = bytes(b)
        out.append((ts, orig, data))
    return out
