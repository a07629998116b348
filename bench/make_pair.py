#!/usr/bin/env python3
"""Build a large two-sided capture pair for the benchmark.

usage: make_pair.py [--spacing-us US] [--loss AB,BA] [--truth FILE]
                    N OUT_A.pcap OUT_B.pcap [TEMPLATE.pcap ...]

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
  ARP) stay on a's side only;
- an IKE exchange the templates hold in one direction only (scapy_natt.pcap's
  lone Main Mode request) goes into the last copy only: copied everywhere it
  made one request per copy that was never answered, which the correlation
  rightly reports once the capture runs 30 s past it (issue 19: 4,175
  ike-unanswered at 4M, 28,788 at 10M, against 23 at 1M).

Options: --spacing-us (default 10) spreads the packets; --loss AB,BA drops
every AB-th datagram a sends and every BA-th b sends (default 997,991);
--truth FILE writes one JSON line per IKE datagram dropped: its side and
frame at the sender, cookie, exchange, message ID, and whether it was the
last message of its exchange in the templates (tests/cli/pcapcorrelate_scale_ike.py).

Streaming: each side is written from a small reorder heap (packets are at
most DELAY_US out of order), so memory does not grow with N.

Checksums are not recomputed (nothing here verifies them). Classic pcap,
microsecond timestamps, Ethernet.
"""
import heapq
import json
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


def ike_offset(pkt):
    """Offset of the IKE header in a packet of the host pair, or None."""
    if direction(pkt) is None:
        return None
    ihl = (pkt[14] & 15) * 4
    l4 = 14 + ihl
    if pkt[23] != 17 or struct.unpack("!H", pkt[20:22])[0] & 0x1fff or len(pkt) < l4 + 8:
        return None
    sport, dport = struct.unpack("!HH", pkt[l4:l4 + 4])
    body = l4 + 8
    if 500 in (sport, dport):
        ike = body
    elif 4500 in (sport, dport) and len(pkt) >= body + 8 and pkt[body:body + 4] == b"\0\0\0\0":
        ike = body + 4
    else:
        return None
    return ike if len(pkt) >= ike + 28 else None


def exchange_of(pkt, ike):
    """(initiator cookie/SPI, exchange type, message ID) of an IKE message."""
    return (bytes(pkt[ike:ike + 8]), pkt[ike + 18], bytes(pkt[ike + 20:ike + 24]))


def ike_facts(templates):
    """Per template packet: (one_way, last) for IKE messages, None otherwise.

    one_way: its exchange (cookie, type, message ID) holds messages of one
    direction only in the templates: a request the template's capture ended
    without an answer to (IKEv1 Informational, 5, is one-way by design and
    stays). Copied into every copy it would be a request left unanswered for
    the whole capture, a failure the correlation rightly reports once the
    capture runs on 30 s past it; it goes into the last copy only, where it
    is under way at the capture's end as in its template.
    last: no later template packet belongs to its exchange."""
    dirs, last_at, keys = {}, {}, []
    for i, (pkt, _) in enumerate(templates):
        ike = ike_offset(pkt)
        if ike is None:
            keys.append(None)
            continue
        key = exchange_of(pkt, ike)
        keys.append(key)
        dirs.setdefault(key, set()).add(direction(pkt))
        last_at[key] = i
    out = []
    for i, key in enumerate(keys):
        if key is None:
            out.append(None)
        else:
            out.append((len(dirs[key]) == 1 and key[1] != 5, last_at[key] == i))
    return out


class Writer:
    """Writes one side's packets in time order from a small reorder heap:
    packets are pushed at most DELAY_US after the current time and written
    once nothing earlier can come (memory does not grow with N)."""

    def __init__(self, path, truth, side):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        self.heap, self.seq, self.frames = [], 0, 0
        self.truth, self.side = truth, side

    def push(self, ts, pkt, orig, tag=None):
        heapq.heappush(self.heap, (ts, self.seq, pkt, orig, tag))
        self.seq += 1

    def flush(self, upto=None):
        base = 1_800_000_000 * 1_000_000
        while self.heap and (upto is None or self.heap[0][0] <= upto):
            ts, _, pkt, orig, tag = heapq.heappop(self.heap)
            us = base + ts
            self.f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(pkt), orig))
            self.f.write(pkt)
            self.frames += 1
            if tag is not None and self.truth is not None:
                tag["frame"] = self.frames
                tag["side"] = self.side
                self.truth.write(json.dumps(tag) + "\n")

    def close(self):
        self.flush()
        self.f.close()


def main():
    args = sys.argv[1:]
    opts = {"--spacing-us": str(SPACING_US), "--loss": "997,991", "--truth": None}
    while args and args[0] in opts:
        opts[args[0]] = args[1]
        args = args[2:]
    n = int(args[0])
    out_a, out_b = args[1], args[2]
    spacing = int(opts["--spacing-us"])
    loss_ab, loss_ba = (int(x) for x in opts["--loss"].split(","))
    truth = open(opts["--truth"], "w") if opts["--truth"] else None
    names = args[3:] or [HERE + "/../captures/" + t for t in DEFAULT]
    templates = [p for name in names for p in read_pcap(name)]
    facts = ike_facts(templates)
    L = len(templates)
    copies = max(1, n // L)
    ip_id = {"ab": 0, "ba": 0}
    seqs = {}
    wa, wb = Writer(out_a, truth, "a"), Writer(out_b, truth, "b")
    t = 0
    for k in range(copies):
        idmap = {}  # (direction, template IP ID) -> new ID, so fragments stay together
        for (pkt, orig), fact in zip(templates, facts):
            if fact is not None and fact[0] and k != copies - 1:
                continue
            t += spacing
            pkt = bytearray(pkt)
            d = direction(pkt)
            if d is None:
                wa.push(t, bytes(pkt), orig)
                continue
            ihl = (pkt[14] & 15) * 4
            proto = pkt[23]
            key = (d, bytes(pkt[18:20]))
            if key not in idmap:
                idmap[key] = ip_id[d]
                ip_id[d] += 1
            dgram = idmap[key]
            lost = dgram % (loss_ab if d == "ab" else loss_ba) == 0
            struct.pack_into("!H", pkt, 18, dgram & 0xffff)
            frag_off = struct.unpack("!H", pkt[20:22])[0] & 0x1fff
            l4 = 14 + ihl
            tag = None
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
                        if lost and fact is not None:
                            tag = {"ike": "lost", "dir": d, "ispi": pkt[ike:ike + 8].hex(),
                                   "exchange": pkt[ike + 18], "msgid": pkt[ike + 20:ike + 24].hex(),
                                   "last": fact[1]}
                elif proto == 50 and len(pkt) >= l4 + 8:
                    bump_esp(pkt, l4, seqs)
                elif proto == 51 and len(pkt) >= l4 + 12:
                    bump_esp(pkt, l4 + 4, seqs)
            sent = bytearray(pkt)
            sent[22] = 64
            recv = bytearray(pkt)
            recv[22] = 63
            if d == "ab":
                wa.push(t, bytes(sent), orig, tag)
                if not lost:
                    nat(recv, l4, frag_off == 0 and proto == 17, k)
                    wb.push(t + DELAY_US + OFFSET_US, bytes(recv), orig)
            else:
                nat(sent, l4, frag_off == 0 and proto == 17, k, to_a=True)
                wb.push(t + OFFSET_US, bytes(sent), orig, tag)
                if not lost:
                    wa.push(t + DELAY_US, bytes(recv), orig)
            # later pushes are at t + spacing or after on each side's clock
            wa.flush(t)
            wb.flush(t + OFFSET_US)
    wa.close()
    wb.close()
    if truth:
        truth.close()
    print("%s: %d packets, %s: %d packets (%d copies of %d)" % (out_a, wa.frames, out_b,
                                                               wb.frames, copies, L))


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
