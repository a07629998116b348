"""Packets built by hand for constructions whose answer is known: Ethernet
II + IPv4 frames (RFC 791 header with its checksum) carrying UDP (RFC 768,
checksum 0) or any protocol's bytes, and classic pcap files (microsecond
timestamps, Ethernet link type)."""
import struct

ETH = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"


def addr(a):
    """Dotted IPv4 text (or 4 bytes) as 4 bytes."""
    return a if isinstance(a, bytes) else bytes(map(int, a.split(".")))


def csum(b):
    """The Internet checksum (RFC 1071)."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ip_id=1, ttl=64, df=False):
    """An Ethernet frame holding one IPv4 datagram."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ip_id & 0xFFFF,
                     0x4000 if df else 0, ttl, proto, 0, addr(src), addr(dst))
    return ETH + ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + payload


def udp(src, sport, dst, dport, payload, ip_id=1, ttl=64, df=False):
    """An Ethernet frame holding one UDP datagram."""
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload,
                ip_id, ttl, df)


def write_pcap(path, recs):
    """recs: (epoch seconds as a float, frame bytes), written in time order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, data in sorted(recs, key=lambda r: r[0]):
            us = int(round(ts * 1e6))
            f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(data), len(data)) + data)


def ipv4_frags(src, dst, proto, payload, cuts, ip_id=1, ttl=64):
    """Ethernet frames holding one IPv4 datagram cut into fragments (RFC 791
    section 3.2): cuts are the payload offsets where a new fragment starts,
    each a multiple of 8."""
    frames, starts = [], [0] + list(cuts)
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(payload)
        piece = payload[start:end]
        flags = (0x2000 if k + 1 < len(starts) else 0) | start // 8
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(piece), ip_id & 0xFFFF, flags,
                         ttl, proto, 0, addr(src), addr(dst))
        frames.append(ETH + ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + piece)
    return frames
