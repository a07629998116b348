#!/usr/bin/env python3
"""Build a large two-sided capture pair for the benchmark.

usage: make_pair.py N OUT_A.pcap OUT_B.pcap [TEMPLATE.pcap ...]

Replicates the a-side templates (default: the IKEv2 NAT-T scenario, raw ESP
with fragments, AH, and UDP-4500 marker/keepalive/ESP from captures/) until
side a holds about N packets, and derives side b as the far end would have
captured the same traffic:

- every copy gets its own IKE cookies, ESP/AH sequence numbers (per SPI, so
  (SPI, sequence) stays unique) and IP IDs (a running counter per direction,
  all fragments of one datagram sharing theirs);
- packets are 10 us apart on a's clock; b's clock is 2.5 s ahead and the
  path adds 300 us each way;
- a's address appears NATed at b (198.51.100.254, IKE/NAT-T source ports
  40000 + copy number % 20000); TTL is 64 where sent, 63 where received;
- a little loss: every 997th datagram a sends and every 991st datagram b
  sends is missing at the other end, all its fragments with it (a datagram
  missing only some fragments would wait out the 30 s reassembly timeout,
  and at 100k packets/s the sender reuses its IP ID long before that);
- packets that only one end sees (router ICMP errors, IPv6 link-local noise,
  ARP) stay on a's side only.

Checksums are not recomputed (nothing here verifies them). Classic pcap,
microsecond timestamps, Ethernet.
"""
import struct
import sys

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
DEFAULT = ["ikev2_psk_natt_a.pcap", "scapy_esp_transport.pcap", "scapy_ah.pcap", "scapy_natt.pcap"]
A_ADDR = bytes([192, 0, 2, 1])
B_ADDR = bytes([198, 51, 100, 1])
NAT_ADDR = bytes([198, 51, 100, 254])
OFFSET_US = 2_500_000
DELAY_US = 300
SPACING_US = 10


def read_pcap(path):
    data = open(path, "rb").read()
    assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4, path + ": need a little-endian usec pcap"
    assert struct.unpack("<I", data[20:24])[0] == 1, path + ": need Ethernet"
    out, off = [], 24
    while off < len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        out.append((bytes(data[off + 16:off + 16 + incl]), orig))
        off += 16 + incl
    return out


def direction(pkt):
    """'ab', 'ba' or None for a packet of the host pair (IPv4 over Ethernet)."""
    if len(pkt) < 34 or pkt[12:14] != b"\x08\x00":
        return None
    src, dst = pkt[26:30], pkt[30:34]
    if src == A_ADDR and dst == B_ADDR:
        return "ab"
    if src == B_ADDR and dst == A_ADDR:
        return "ba"
    return None


def main():
    n = int(sys.argv[1])
    out_a, out_b = sys.argv[2], sys.argv[3]
    names = sys.argv[4:] or [HERE + "/../captures/" + t for t in DEFAULT]
    templates = [p for name in names for p in read_pcap(name)]
    L = len(templates)
    copies = max(1, n // L)
    ip_id = {"ab": 0, "ba": 0}
    seqs = {}
    a_recs, b_recs = [], []
    t = 0
    for k in range(copies):
        idmap = {}  # (direction, template IP ID) -> new ID, so fragments stay together
        for pkt, orig in templates:
            t += SPACING_US
            pkt = bytearray(pkt)
            d = direction(pkt)
            if d is None:
                a_recs.append((t, bytes(pkt), orig))
                continue
            ihl = (pkt[14] & 15) * 4
            proto = pkt[23]
            key = (d, bytes(pkt[18:20]))
            if key not in idmap:
                idmap[key] = ip_id[d]
                ip_id[d] += 1
            dgram = idmap[key]
            lost = dgram % (997 if d == "ab" else 991) == 0
            struct.pack_into("!H", pkt, 18, dgram & 0xffff)
            frag_off = struct.unpack("!H", pkt[20:22])[0] & 0x1fff
            l4 = 14 + ihl
            if frag_off == 0:
                if proto == 17 and len(pkt) >= l4 + 8:
                    sport, dport = struct.unpack("!HH", pkt[l4:l4 + 4])
                    body = l4 + 8
                    ike = None
                    if 500 in (sport, dport):
                        ike = body
                    elif 4500 in (sport, dport) and len(pkt) >= body + 8:
                        if pkt[body:body + 4] == b"\0\0\0\0":
                            ike = body + 4          # non-ESP marker
                        else:
                            bump_esp(pkt, body, seqs)  # ESP in UDP
                    if ike is not None and len(pkt) >= ike + 28:
                        for o in (ike, ike + 8):   # cookies / SPIs unique per copy
                            c = struct.unpack("!Q", pkt[o:o + 8])[0]
                            if c:
                                struct.pack_into("!Q", pkt, o, c ^ ((k + 1) << 16))
                elif proto == 50 and len(pkt) >= l4 + 8:
                    bump_esp(pkt, l4, seqs)
                elif proto == 51 and len(pkt) >= l4 + 12:
                    bump_esp(pkt, l4 + 4, seqs)
            sent = bytearray(pkt)
            sent[22] = 64
            recv = bytearray(pkt)
            recv[22] = 63
            if d == "ab":
                a_recs.append((t, bytes(sent), orig))
                if not lost:
                    nat(recv, l4, frag_off == 0 and proto == 17, k)
                    b_recs.append((t + DELAY_US + OFFSET_US, bytes(recv), orig))
            else:
                nat(sent, l4, frag_off == 0 and proto == 17, k, to_a=True)
                b_recs.append((t + OFFSET_US, bytes(sent), orig))
                if not lost:
                    a_recs.append((t + DELAY_US, bytes(recv), orig))
    for path, recs in ((out_a, a_recs), (out_b, b_recs)):
        recs.sort(key=lambda r: r[0])
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            base = 1_800_000_000 * 1_000_000
            for ts, pkt, orig in recs:
                us = base + ts
                f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(pkt), orig))
                f.write(pkt)
    print("%s: %d packets, %s: %d packets (%d copies of %d)" % (out_a, len(a_recs), out_b,
                                                               len(b_recs), copies, L))


def bump_esp(pkt, at, seqs):
    """Give (SPI, sequence) at `at` the next sequence number of that SPI."""
    spi = bytes(pkt[at:at + 4])
    seqs[spi] = seqs.get(spi, 0) + 1
    struct.pack_into("!I", pkt, at + 4, seqs[spi])


def nat(pkt, l4, has_ports, k, to_a=False):
    """a's address (and IKE/NAT-T source port) as b sees them."""
    if to_a:
        pkt[30:34] = NAT_ADDR
        if has_ports:
            struct.pack_into("!H", pkt, l4 + 2, 40000 + k % 20000)
    else:
        pkt[26:30] = NAT_ADDR
        if has_ports:
            struct.pack_into("!H", pkt, l4, 40000 + k % 20000)


if __name__ == "__main__":
    main()
