"""Small pcap editing for tests that build a capture pair whose answer is
known: read a classic pcap's records, look at each frame's IPv4 header,
drop or change frames, write the result. Plain Python, no dependencies."""
import struct

IP_AT = {1: 14, 113: 16, 276: 20, 101: 0, 228: 0}


class Pcap:
    def __init__(self, path):
        data = open(path, "rb").read()
        magic = struct.unpack("<I", data[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            self.e = "<"
        else:
            self.e = ">"
        self.header = data[:24]
        self.linktype = struct.unpack(self.e + "I", data[20:24])[0]
        self.nano = struct.unpack(self.e + "I", data[:4])[0] == 0xA1B23C4D
        self.records = []  # [sec, frac, orig_len, bytearray]
        at = 24
        while at + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(self.e + "IIII", data[at:at + 16])
            self.records.append([sec, frac, orig, bytearray(data[at + 16:at + 16 + incl])])
            at += 16 + incl

    def ip_offset(self):
        return IP_AT[self.linktype]

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.header)
            for sec, frac, orig, b in self.records:
                f.write(struct.pack(self.e + "IIII", sec, frac, len(b), max(orig, len(b))))
                f.write(bytes(b))


class IPv4:
    """A view of the IPv4 header of one frame (None fields when not IPv4)."""

    def __init__(self, frame, at):
        self.ok = len(frame) >= at + 20 and frame[at] >> 4 == 4
        if not self.ok:
            return
        self.at = at
        self.ihl = (frame[at] & 15) * 4
        self.total = struct.unpack(">H", frame[at + 2:at + 4])[0]
        self.id = struct.unpack(">H", frame[at + 4:at + 6])[0]
        fo = struct.unpack(">H", frame[at + 6:at + 8])[0]
        self.df = bool(fo & 0x4000)
        self.mf = bool(fo & 0x2000)
        self.offset = (fo & 0x1FFF) * 8
        self.proto = frame[at + 9]
        self.src = ".".join(str(x) for x in frame[at + 12:at + 16])
        self.dst = ".".join(str(x) for x in frame[at + 16:at + 20])
        self.payload_at = at + self.ihl

    @property
    def fragment(self):
        return self.mf or self.offset > 0


def ipv4(frame, at):
    return IPv4(frame, at)


def ipsec_whole(pc, frame):
    """(src, dst) of an unfragmented IKE (UDP 500/4500) or ESP packet, else None."""
    ip = ipv4(frame, pc.ip_offset())
    if not ip.ok or ip.fragment:
        return None
    if ip.proto == 17 and len(frame) >= ip.payload_at + 4:
        sp, dp = struct.unpack(">HH", frame[ip.payload_at:ip.payload_at + 4])
        if {sp, dp} & {500, 4500}:
            return ip.src, ip.dst
    return (ip.src, ip.dst) if ip.proto == 50 else None


def thin_middle(src, dst, skip, a, b):
    """A middle capture that missed packets, as a filter or a busy host would:
    from src, every 4th whole IPsec packet between a and b (counting from the
    2nd; frames in `skip`, 1-based, are neither counted nor removed) is left
    out, the rest written to dst. Returns ({"a": removed that a sent, "b": ...},
    {old frame number: new frame number})."""
    pc = Pcap(src)
    kept, removed, seen, renum = [], {"a": 0, "b": 0}, 0, {}
    for num, rec in enumerate(pc.records, 1):
        sd = ipsec_whole(pc, rec[3])
        if sd and num not in skip and {sd[0], sd[1]} == {a, b}:
            seen += 1
            if seen % 4 == 2:
                removed["a" if sd[0] == a else "b"] += 1
                continue
        kept.append(rec)
        renum[num] = len(kept)
    pc.records = kept
    pc.write(dst)
    return removed, renum
