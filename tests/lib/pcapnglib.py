"""Small pcap reader and pcapng writer for the tests (draft-ietf-opsawg-pcapng).

read_pcap(path) -> (linktype, [(ts_ns, wirelen, data)]) for classic pcap
(microsecond or nanosecond magic, either byte order).

PcapngWriter builds a file block by block: section headers in either byte
order, interface description blocks with if_name / if_description /
if_tsresol / if_tsoffset, enhanced packet blocks with epb_flags,
epb_packetid, epb_verdict, epb_dropcount and comments, simple packet blocks
and arbitrary (unknown) blocks. Lengths can be made to lie for the regress
fixtures through the raw_* helpers.
"""
import struct

SHB, IDB, SPB, EPB = 0x0A0D0D0A, 1, 3, 6
OPT_COMMENT, EPB_FLAGS, EPB_DROPCOUNT, EPB_PACKETID, EPB_VERDICT = 1, 2, 4, 5, 7
IF_NAME, IF_DESCRIPTION, IF_TSRESOL, IF_TSOFFSET = 2, 3, 9, 14
DIR_IN, DIR_OUT = 1, 2


def read_pcap(path):
    with open(path, "rb") as f:
        b = f.read()
    magic_le = struct.unpack("<I", b[:4])[0]
    for order in "<>":
        m = struct.unpack(order + "I", b[:4])[0]
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError("%s: not a classic pcap (magic %08x)" % (path, magic_le))
    nano = m == 0xA1B23C4D
    linktype = struct.unpack(order + "I", b[20:24])[0] & 0x0FFFFFFF
    pos, out = 24, []
    while pos + 16 <= len(b):
        sec, frac, caplen, wirelen = struct.unpack(order + "IIII", b[pos:pos + 16])
        data = b[pos + 16:pos + 16 + caplen]
        ts = sec * 10**9 + (frac if nano else frac * 1000)
        out.append((ts, wirelen, data))
        pos += 16 + caplen
    return linktype, out


def pad4(b):
    return b + b"\0" * ((4 - len(b) % 4) % 4)


class PcapngWriter:
    def __init__(self, big=False):
        self.o = ">" if big else "<"
        self.parts = []

    # -- raw pieces
    def option(self, code, value):
        return struct.pack(self.o + "HH", code, len(value)) + pad4(value)

    def options(self, opts):
        if not opts:
            return b""
        return b"".join(self.option(c, v) for c, v in opts) + struct.pack(self.o + "HH", 0, 0)

    def block(self, btype, body, length=None, trailer=None):
        """A block; `length` / `trailer` override the true total length."""
        body = pad4(body)
        n = len(body) + 12
        blk = struct.pack(self.o + "II", btype, n if length is None else length) + body + \
            struct.pack(self.o + "I", n if trailer is None else trailer)
        self.parts.append(blk)
        return blk

    # -- blocks
    def section(self, comment=None):
        body = struct.pack(self.o + "IHHq", 0x1A2B3C4D, 1, 0, -1)
        opts = [(OPT_COMMENT, comment.encode())] if comment else []
        return self.block(SHB, body + self.options(opts))

    def interface(self, linktype, snaplen=0, name=None, description=None, tsresol=None,
                  tsoffset=None):
        opts = []
        if name is not None:
            opts.append((IF_NAME, name.encode()))
        if description is not None:
            opts.append((IF_DESCRIPTION, description.encode()))
        if tsresol is not None:
            opts.append((IF_TSRESOL, bytes([tsresol])))
        if tsoffset is not None:
            opts.append((IF_TSOFFSET, struct.pack(self.o + "q", tsoffset)))
        body = struct.pack(self.o + "HHI", linktype, 0, snaplen)
        return self.block(IDB, body + self.options(opts))

    @staticmethod
    def ticks(ts_ns, tsresol):
        """Timestamp in nanoseconds to units of if_tsresol."""
        n = tsresol & 0x7F
        if tsresol & 0x80:
            return (ts_ns << n) // 10**9
        return ts_ns * 10**n // 10**9

    def epb(self, iface, ts_ns, data, wirelen=None, tsresol=6, flags=None, packet_id=None,
            verdict=None, dropcount=None, comments=(), extra_opts=(), caplen=None):
        t = self.ticks(ts_ns, tsresol)
        wl = len(data) if wirelen is None else wirelen
        cl = len(data) if caplen is None else caplen
        body = struct.pack(self.o + "IIIII", iface, t >> 32, t & 0xFFFFFFFF, cl, wl) + pad4(data)
        opts = []
        for c in comments:
            opts.append((OPT_COMMENT, c.encode()))
        if flags is not None:
            opts.append((EPB_FLAGS, struct.pack(self.o + "I", flags)))
        if dropcount is not None:
            opts.append((EPB_DROPCOUNT, struct.pack(self.o + "Q", dropcount)))
        if packet_id is not None:
            opts.append((EPB_PACKETID, struct.pack(self.o + "Q", packet_id)))
        if verdict is not None:
            vtype, value = verdict
            opts.append((EPB_VERDICT, bytes([vtype]) + struct.pack(self.o + "Q", value)))
        opts.extend(extra_opts)
        return self.block(EPB, body + self.options(opts))

    def spb(self, data, wirelen=None):
        wl = len(data) if wirelen is None else wirelen
        return self.block(SPB, struct.pack(self.o + "I", wl) + pad4(data))

    def raw(self, b):
        self.parts.append(b)

    def bytes(self):
        return b"".join(self.parts)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.bytes())
