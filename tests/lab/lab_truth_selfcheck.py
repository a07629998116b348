#!/usr/bin/env python3
"""Checks tests/lab/lab_truth.py (the lab's ground truth) on cases whose answer is known.

1. Built captures of the router's two links: Ethernet frames, r's MAC known
   only from its ARP, a NAT that rewrites a's address and source port, and
   in them, by construction: packets dropped (a whole packet, a non-first
   fragment, one of two byte-identical copies), one packet with a byte
   changed, one packet r split into two fragments (forwarded, not lost), a
   ping to r itself (not lost), and the same in nanosecond pcap, big-endian
   pcap and Linux cooked (SLL2) form.
2. A lab fixture with NAT and loss (captures/ikev2_psk_natloss_*): a copy of
   rb's capture with three forwarded ESP packets removed. Each removed
   packet's ingress copy on ra is found independently (UDP 4500, same SPI
   and sequence number); lab_truth must report exactly the original losses
   plus those three, in the right direction.

Prints one line per check and 'N passed, N failed'; exit 1 on a failure.
"""
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import lab_truth as T  # noqa: E402
from pktbuild import csum  # noqa: E402

CAPS = os.environ.get("IKS_CAPTURES", os.path.join(HERE, "..", "captures"))
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""))


def ip4(src, dst, ident, proto, payload, ttl=64, off=0, mf=0, df=0):
    fo = (df << 14) | (mf << 13) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, fo, ttl, proto, 0,
                    bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(src, dst, sport, dport, data):
    ln = 8 + len(data)
    ps = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 17, ln)
    c = csum(ps + struct.pack("!HHHH", sport, dport, ln, 0) + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, ln, c) + data


def forward(ip, new_src=None, new_sport=None):
    """r's egress copy: TTL - 1, optionally NAT (source address, UDP source port), checksums redone."""
    b = bytearray(ip)
    b[8] -= 1
    f = T.ip_fields(ip)
    if new_src is not None:
        b[12:16] = bytes(new_src)
    if f["proto"] == 17 and f["off"] == 0 and new_sport is not None:
        b[20:22] = struct.pack("!H", new_sport)
    if f["proto"] == 17 and f["off"] == 0 and not f["mf"]:
        data = bytes(b[28:])
        b[20:] = udp(b[12:16], b[16:20], struct.unpack("!H", b[20:22])[0], struct.unpack("!H", b[22:24])[0], data)
    elif f["proto"] == 17 and f["off"] == 0 and new_sport is not None:
        b[26:28] = b"\0\0"  # a fragment's checksum cannot be redone here: the truth masks it anyway
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", csum(bytes(b[:20])))
    return bytes(b)


A, B = [192, 0, 2, 1], [198, 51, 100, 1]
RA, RB = [192, 0, 2, 254], [198, 51, 100, 254]
MAC_A, MAC_RA, MAC_RB, MAC_B = (bytes([2, 0, 0, 0, 0, x]) for x in (0xA0, 0xAA, 0xBB, 0xB0))


def eth(dst, src, ip):
    return dst + src + b"\x08\x00" + ip


def arp(src_mac, src_ip, dst_ip):
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + src_mac + bytes(src_ip) + bytes(6) + bytes(dst_ip)
    return b"\xff" * 6 + src_mac + b"\x08\x06" + body


def write_pcap(path, frames, nsec=False, big=False, linktype=1):
    bo = ">" if big else "<"
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    with open(path, "wb") as f:
        f.write(struct.pack(bo + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype))
        for t, data in frames:
            sec = int(t)
            frac = round((t - sec) * (1e9 if nsec else 1e6))
            f.write(struct.pack(bo + "IIII", sec, frac, len(data), len(data)) + data)


def sll2(ip, outgoing, ifindex):
    return struct.pack("!HHIHBB", 0x0800, 0, ifindex, 1, 4 if outgoing else 0, 6) + (MAC_RA if outgoing else MAC_A) + b"\0\0" + ip


def built_case():
    """Frames for ra and rb, and the expected answer (r frame numbers on ra/rb)."""
    NAT = RB  # r masquerades a behind its rb address
    ra, rb = [], []  # (time, ip, direction 'in'/'out' seen from r)
    t = 1000.0
    exp_lost_ab, exp_lost_ba, exp_changed_ab = [], [], []

    def a_to_b(ip, fate, t):
        ra.append((t, ip, "in"))
        idx = len(ra)
        if fate == "fwd":
            rb.append((t + 0.0001, forward(ip, NAT, 40001), "out"))
        elif fate == "drop":
            exp_lost_ab.append(idx)
        elif fate == "change":
            g = bytearray(forward(ip, NAT, 40001))
            g[60] ^= 0xFF
            rb.append((t + 0.0001, bytes(g), "out"))
            exp_changed_ab.append((idx, len(rb)))
        return idx

    def b_to_a(ip, fate, t):
        rb.append((t, ip, "in"))
        idx = len(rb)
        if fate == "fwd":
            g = bytearray(ip)
            g[8] -= 1
            g[16:20] = bytes(A)          # NAT back: destination
            g[22:24] = struct.pack("!H", 4500)
            g[10:12] = b"\0\0"
            g[10:12] = struct.pack("!H", csum(bytes(g[:20])))
            ra.append((t + 0.0001, bytes(g), "out"))
        elif fate == "drop":
            exp_lost_ba.append(idx)
        return idx

    # r announces itself on both links (how the truth learns r's MACs)
    arp_frames = [(t - 1, "ra", arp(MAC_RA, RA, A)), (t - 1, "rb", arp(MAC_RB, RB, B))]
    # ESP-in-UDP a->b, sequence 1..8; 3 dropped, 5 changed
    for seq in range(1, 9):
        data = struct.pack("!II", 0xC0FFEE01, seq) + bytes((seq * 7 + i) & 0xFF for i in range(100))
        ip = ip4(A, B, 0x100 + seq, 17, udp(A, B, 4500, 4500, data), df=1)
        a_to_b(ip, {3: "drop", 5: "change"}.get(seq, "fwd"), t)
        t += 0.1
    # two byte-identical copies (same IP ID: a duplicate on the wire); the second dropped
    dup = ip4(A, B, 0x200, 17, udp(A, B, 4500, 4500, b"\0\0\0\0" + bytes(range(60))), df=1)
    a_to_b(dup, "fwd", t)
    t += 0.05
    a_to_b(dup, "drop", t)
    t += 0.1
    # a fragmented datagram: first fragment forwarded, second dropped
    big = udp(A, B, 500, 500, bytes(i & 0xFF for i in range(1400)))
    a_to_b(ip4(A, B, 0x300, 17, big[:1200], mf=1), "fwd", t)
    a_to_b(ip4(A, B, 0x300, 17, big[1200:], off=1200), "drop", t + 0.0001)
    t += 0.1
    # a 1480-byte unfragmented datagram r splits into 2 pieces (forwarded, not lost)
    body = udp(A, B, 4500, 4500, struct.pack("!II", 0xC0FFEE01, 99) + bytes(i % 251 for i in range(1452)))
    ip = ip4(A, B, 0x400, 17, body)
    ra.append((t, ip, "in"))
    nat_body = forward(ip, NAT, 40001)[20:]
    rb.append((t + 0.0001, forward(ip4(NAT, B, 0x400, 17, nat_body[:1256], mf=1, ttl=64), None, None), "out"))
    rb.append((t + 0.0001, forward(ip4(NAT, B, 0x400, 17, nat_body[1256:], off=1256, ttl=64), None, None), "out"))
    t += 0.1
    # b->a ESP, 4 packets, second dropped
    for seq in range(1, 5):
        data = struct.pack("!II", 0xBEEF0001, seq) + bytes((seq * 3 + i) & 0xFF for i in range(80))
        ip = ip4(B, NAT, 0x900 + seq, 17, udp(B, NAT, 4500, 40001, data), df=1)
        b_to_a(ip, "drop" if seq == 2 else "fwd", t)
        t += 0.1
    # b pings r: to the router, not lost
    icmp = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + bytes(32)
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    rb.append((t, ip4(B, RB, 0x950, 1, icmp), "in"))
    return arp_frames, ra, rb, exp_lost_ab, exp_lost_ba, exp_changed_ab


def frames_eth(arps, link, seq, lnk):
    out = [(tt, f) for (tt, which, f) in arps if which == lnk]
    peer, rmac = (MAC_A, MAC_RA) if lnk == "ra" else (MAC_B, MAC_RB)
    for tt, ip, d in seq:
        out.append((tt, eth(peer, rmac, ip) if d == "out" else eth(rmac, peer, ip)))
    return out


def run_built(tmp):
    arps, ra, rb, lab, lba, chab = built_case()
    n_arp = 1  # each link's file starts with r's ARP: r frame numbers shift by one
    for form in ("usec", "nsec", "bigendian"):
        pa, pb = os.path.join(tmp, "ra.pcap"), os.path.join(tmp, "rb.pcap")
        write_pcap(pa, frames_eth(arps, None, ra, "ra"), nsec=form == "nsec", big=form == "bigendian")
        write_pcap(pb, frames_eth(arps, None, rb, "rb"), nsec=form == "nsec", big=form == "bigendian")
        res = T.truth(T.read_pcap(pa), T.read_pcap(pb))
        got_ab = sorted(fr.num for fr in res["a->b"]["lost"])
        got_ba = sorted(fr.num for fr in res["b->a"]["lost"])
        check("built %s: lost a->b are exactly frames %s" % (form, [x + n_arp for x in lab]),
              got_ab == [x + n_arp for x in lab], "got %s" % got_ab)
        check("built %s: lost b->a are exactly frames %s" % (form, [x + n_arp for x in lba]),
              got_ba == [x + n_arp for x in lba], "got %s" % got_ba)
        ch = [(a.num, b.num) for a, b in res["a->b"]["changed"]]
        check("built %s: changed a->b is exactly %s" % (form, [(x + n_arp, y + n_arp) for x, y in chab]),
              ch == [(x + n_arp, y + n_arp) for x, y in chab], "got %s" % ch)
        if res["a->b"]["changed"]:
            d = T.diff(res["a->b"]["changed"][0][0].ip, res["a->b"]["changed"][0][1].ip)
            check("built %s: the changed byte is at IP offset 60" % form, len(d) == 1 and d[0].startswith("60:"), str(d))
        check("built %s: the split datagram counts as forwarded" % form, len(res["a->b"]["refrag"]) == 1,
              str(len(res["a->b"]["refrag"])))
        check("built %s: the ping to r is to_router, not lost" % form, len(res["b->a"]["to_router"]) == 1)
        nat = {k: v[0] for k, v in res["a->b"]["nat"].items()}
        # paired packets only: 6 ESP (of 8: one dropped, one changed) + the forwarded copy of the
        # duplicate on 4500, the forwarded first fragment on 500
        want = {(("192.0.2.1", 4500, "198.51.100.1", 4500), ("198.51.100.254", 40001, "198.51.100.1", 4500)): 7,
                (("192.0.2.1", 500, "198.51.100.1", 500), ("198.51.100.254", 40001, "198.51.100.1", 500)): 1}
        check("built %s: the NAT mappings a->b (7 packets on 4500, 1 on 500)" % form, nat == want, str(nat))
    # Linux cooked v2 (direction in the header, no ARP needed)
    pa, pb = os.path.join(tmp, "ra2.pcap"), os.path.join(tmp, "rb2.pcap")
    write_pcap(pa, [(tt, sll2(ip, d == "out", 2)) for tt, ip, d in ra], linktype=276)
    write_pcap(pb, [(tt, sll2(ip, d == "out", 3)) for tt, ip, d in rb], linktype=276)
    res = T.truth(T.read_pcap(pa), T.read_pcap(pb))
    check("built SLL2: lost a->b", sorted(fr.num for fr in res["a->b"]["lost"]) == lab)
    check("built SLL2: lost b->a", sorted(fr.num for fr in res["b->a"]["lost"]) == lba)
    # a truncated file is refused with the file and frame named
    with open(pa, "rb") as f:
        data = f.read()
    with open(pa, "wb") as f:
        f.write(data[:-5])
    try:
        T.read_pcap(pa)
        check("truncated pcap refused", False, "no error")
    except T.PcapError as e:
        check("truncated pcap refused naming file and frame", "ra2.pcap" in str(e) and "frame %d" % len(ra) in str(e), str(e))


def esp_id(fr):
    """(SPI, sequence) of an unfragmented ESP-in-UDP packet, parsed on its own."""
    ip = fr.ip
    if ip is None or ip[9] != 17 or struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        return None
    h = (ip[0] & 15) * 4
    sport, dport = struct.unpack("!HH", ip[h:h + 4])
    body = ip[h + 8:]
    if 4500 not in (sport, dport) or len(body) < 8 or body[:4] == b"\0\0\0\0":
        return None
    return struct.unpack("!II", body[:8])


def run_fixture(tmp):
    name = "ikev2_psk_natloss"
    pa, pb = (os.path.join(CAPS, "%s_r-%s.pcap" % (name, x)) for x in ("ra", "rb"))
    if not (os.path.exists(pa) and os.path.exists(pb)):
        check("fixture %s present" % name, False, "missing")
        return
    ra, rb = T.read_pcap(pa), T.read_pcap(pb)
    base = T.truth(ra, rb)
    base_ab = {fr.num for fr in base["a->b"]["lost"]}
    # b->a losses are rb frames: numbered anew in the cut copy, so compared by time and bytes
    base_ba = {(fr.time, fr.ip) for fr in base["b->a"]["lost"]}
    # three ESP packets a->b that left r on rb (r's MAC as source), spread over the capture
    rmac = {fr.mac_src for fr in rb if fr.ip is not None and fr.ip[12:16] == bytes(RB) and fr.ip[16:20] == bytes(B)}
    ra_by_esp = {}
    for fr in ra:
        k = esp_id(fr)
        if k is not None and fr.ip[12:16] == bytes(A):
            ra_by_esp.setdefault(k, []).append(fr.num)
    cand = [fr for fr in rb if fr.mac_src in rmac and esp_id(fr) is not None and len(ra_by_esp.get(esp_id(fr), ())) == 1]
    check("fixture: forwarded ESP packets a->b to remove", len(cand) >= 3, str(len(cand)))
    if len(cand) < 3:
        return
    pick = [cand[0], cand[len(cand) // 2], cand[-1]]
    removed = {fr.num for fr in pick}
    expect_new = {ra_by_esp[esp_id(fr)][0] for fr in pick}
    # a copy of rb's capture without those frames (raw records copied byte for byte)
    with open(pb, "rb") as f:
        data = f.read()
    out = [data[:24]]
    bo = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    pos, num = 24, 0
    while pos < len(data):
        caplen = struct.unpack(bo + "I", data[pos + 8:pos + 12])[0]
        num += 1
        if num not in removed:
            out.append(data[pos:pos + 16 + caplen])
        pos += 16 + caplen
    cut = os.path.join(tmp, "rb_cut.pcap")
    with open(cut, "wb") as f:
        f.write(b"".join(out))
    res = T.truth(ra, T.read_pcap(cut))
    got_ab = {fr.num for fr in res["a->b"]["lost"]}
    got_ba = {(fr.time, fr.ip) for fr in res["b->a"]["lost"]}
    check("fixture %s: lost a->b = the original %d + the 3 removed (ra frames %s)" % (name, len(base_ab), sorted(expect_new)),
          got_ab == base_ab | expect_new, "extra %s missing %s" % (sorted(got_ab - base_ab - expect_new), sorted((base_ab | expect_new) - got_ab)))
    check("fixture %s: lost b->a unchanged (%d)" % (name, len(base_ba)), got_ba == base_ba)
    check("fixture %s: the original losses are not empty" % name, len(base_ab) + len(base_ba) > 0)
    # the wires a0-ra, rb-b0: nothing missing from the ends' captures; one frame taken out of
    # a's capture is counted
    fa = T.read_pcap(os.path.join(CAPS, "%s_a.pcap" % name))
    fb = T.read_pcap(os.path.join(CAPS, "%s_b.pcap" % name))
    w = T.truth(ra, rb, fa, fb)["wire"]
    check("fixture %s: every packet on ra is in a's capture, every one on rb in b's" % name, w == {"a": 0, "b": 0}, str(w))
    gone = [fr for fr in fa if fr.ip is not None][10]
    w = T.truth(ra, rb, [fr for fr in fa if fr is not gone], fb)["wire"]
    check("fixture %s: a frame taken out of a's capture is missed once" % name, w == {"a": 1, "b": 0}, str(w))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        run_built(tmp)
        run_fixture(tmp)
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
