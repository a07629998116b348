#!/usr/bin/env python3
"""Write the hand-built malformed IKE fixtures of captures/regress/.

Each fixture is a classic pcap (microsecond, LINKTYPE_IPV4 = 228) of raw
IPv4/UDP frames from 192.0.2.1 to 198.51.100.1 (RFC 5737) carrying an
ISAKMP/IKE message built byte by byte below. Run from the top of the tree:
    python3 tests/fuzz/make_regress.py
The output is deterministic; the committed files are what this writes.
Offsets in the comments are from the start of the ISAKMP header (add 28
for the frame offset: 20 bytes of IPv4 header and 8 of UDP; 32 after a
NAT-T non-ESP marker).
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "captures", "regress")
SRC = bytes([192, 0, 2, 1])
DST = bytes([198, 51, 100, 1])


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_udp(payload, sport=500, dport=500, ip_id=1):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ip_id, 0, 64, 17, 0, SRC, DST)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


def isakmp(ispi, np, ver, exch, flags, body, msgid=0, length=None):
    """RFC 2408 section 3.1 / RFC 7296 section 3.1 header + body."""
    if length is None:
        length = 28 + len(body)
    return struct.pack("!QQBBBBII", ispi, 0, np, ver, exch, flags, msgid, length) + body


def gen(nxt, body, length=None, flags=0):
    """Generic payload header (RFC 7296 section 3.2)."""
    if length is None:
        length = 4 + len(body)
    return struct.pack("!BBH", nxt, flags, length) + body


def v2_init(ispi, np, body):
    return isakmp(ispi, np, 0x20, 34, 0x08, body)  # IKE_SA_INIT, initiator


def v1(ispi, np, exch, body):
    return isakmp(ispi, np, 0x10, exch, 0x00, body)


def write(name, msgs):
    """msgs: list of UDP payloads (or (payload, sport, dport))."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 228)
    for i, m in enumerate(msgs):
        if isinstance(m, tuple):
            frame = ipv4_udp(m[0], m[1], m[2], ip_id=i + 1)
        else:
            frame = ipv4_udp(m, ip_id=i + 1)
        out += struct.pack("<IIII", 1795000000 + i, 0, len(frame), len(frame)) + frame
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    # SA payload whose length (200) runs past the 44-byte message: at 28.
    write("ike_payload_overrun.pcap",
          [v2_init(0x5245475245530001, 33, gen(0, bytes(12), length=200))])
    # SA (8 bytes, at 28) then a Nonce with payload length 0: at 36.
    write("ike_payload_zero_len.pcap",
          [v2_init(0x5245475245530002, 33, gen(40, bytes(4)) + gen(0, bytes(4), length=0))])
    # Frame 1: 40 empty Notify payloads chained to each other, the last
    # ending the chain: walked (the walk consumes >= 4 bytes per payload).
    # Frame 2: three Notify payloads that never end the chain (next payload
    # always 41): the fourth header would start at 52, the message end.
    chain = b"".join(gen(41 if i < 39 else 0, b"") for i in range(40))
    never = b"".join(gen(41, bytes(4)) for _ in range(3))
    write("ike_payload_chain_loop.pcap",
          [v2_init(0x5245475245530003, 41, chain), v2_init(0x5245475245530004, 41, never)])
    # IKEv1 main mode: SA payload (DOI 1, situation 1) ends the chain at 40
    # but the length field says 48: 8 bytes left over at 40.
    write("ike_leftover_bytes.pcap",
          [v1(0x5245475245530005, 1, 2, gen(0, struct.pack("!II", 1, 1)) + bytes(8))])
    # UDP 4500: non-ESP marker then 8 bytes of a header (IKE at frame 32);
    # the marker alone; three zero bytes (frame offset 28).
    hdr8 = struct.pack("!Q", 0x5245475245530006)
    write("natt_marker_short.pcap",
          [(bytes(4) + hdr8, 4500, 4500), (bytes(4), 4500, 4500), (bytes(3), 4500, 4500)])
    # --- lies inside payload bodies (the chain itself is consistent) ---
    # IKEv2 SA: proposal (at 32) with 1 transform ENCR AES-CBC (at 40) whose
    # TLV attribute (AF=0, type 14, at 48) says 1024 value bytes; none follow.
    transform = struct.pack("!BBHBBH", 0, 0, 12, 1, 0, 12) + struct.pack("!HH", 0x000E, 1024)
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    write("ike_attr_overrun.pcap", [v2_init(0x5245475245530007, 33, gen(0, proposal))])
    # Frame 1: IKEv2 SA proposal (at 32, length 8) claiming a 200-byte SPI
    # (it would start at 40). Frame 2: Notify (at 28, length 12) protocol
    # ESP, SPI size 16, type 16388, with 4 SPI bytes (SPI at 36).
    prop = struct.pack("!BBHBBBB", 0, 0, 8, 1, 1, 200, 0)
    notify = struct.pack("!BBH", 3, 16, 16388) + bytes(4)
    write("ike_spi_size_lie.pcap",
          [v2_init(0x5245475245530008, 33, gen(0, prop)),
           v2_init(0x5245475245530009, 41, gen(0, notify))])
    # IKEv1 main mode, not encrypted: ID payload (at 28, length 8), type
    # IPV4_ADDR, UDP/500, with no address (it would be at 36). Frame 2: type
    # IPV6_ADDR (length 12) with 4 of its 16 address bytes (at 36).
    write("ike_id_lie.pcap",
          [v1(0x524547524553000A, 5, 2, gen(0, struct.pack("!BBH", 1, 17, 500))),
           v1(0x524547524553000B, 5, 2, gen(0, struct.pack("!BBH", 5, 17, 500) + bytes(4)))])
    # IKEv1 informational: Delete (at 28) DOI 1, ESP, SPI size 4, 10 SPIs
    # but one present (SPIs at 40, the second would be at 44). Frame 2:
    # ESP with SPI size 0 and 2 SPIs (ESP SPIs are 4 bytes).
    d1 = gen(0, struct.pack("!IBBH", 1, 3, 4, 10) + struct.pack("!I", 0xC0FFEE01))
    d2 = gen(0, struct.pack("!IBBH", 1, 3, 0, 2))
    write("ike_delete_lie.pcap",
          [v1(0x524547524553000C, 12, 5, d1), v1(0x524547524553000D, 12, 5, d2)])
    # IKEv2 IKE_AUTH request (message ID 1) sent as SKF fragments 299 and
    # 300 of 300, then 1 of 300: numbers above the 255 the decoder tracks.
    # Never completes; the incomplete-message event at the end must count
    # 3 fragments received over frames 1..3 (it said 0: found by fuzz_stateful).
    def skf(num, total, np):
        return isakmp(0x524547524553000E, 53, 0x20, 35, 0x08,
                      gen(np, struct.pack("!HH", num, total) + bytes(16)), msgid=1)
    write("ike_frag_untracked.pcap", [skf(299, 300, 0), skf(300, 300, 0), skf(1, 300, 35)])


if __name__ == "__main__":
    main()
