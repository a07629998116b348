#!/usr/bin/env python3
"""Ground truth of a lab run: what entered the router r and did not leave it.

The lab (../shared/lab, scripts/lab-paths.sh with CAP_R=1) captures r's two
interfaces: ra (towards end a) and rb (towards end b). A packet that entered
r on ra and did not leave on rb was lost a->b inside r; one that entered on
rb and did not leave on ra was lost b->a. A packet that left with other
bytes than it entered with (beyond what forwarding and NAT rewrite) was
changed in r.

usage: lab_truth.py [--dir DIR] NAME            (DIR/NAME_{a,b,r-ra,r-rb}.pcap)
       lab_truth.py --ra F --rb F [--a F] [--b F]
options: --router-addr A (repeatable; default 192.0.2.254 and 198.51.100.254)
         --summary (only the summary line)
         --compare LOST.pcap  compare a file of lost packets (pcapcorrelate
             --write-lost) with the truth, packet by packet (the IP bytes as
             the sender sent them): prints 'missing' and 'extra' lines and
             'compare truth=N file=N matched=N missing=N extra=N'; exit 1
             when they differ

Output, one line per packet (sender-side frame number and time: from
NAME_a.pcap for a->b, NAME_b.pcap for b->a; '-' when the sender capture does
not hold it):
  lost a->b frame=12 time=1764766551.032548 r_frame=8 id=0x22f8 proto=17 off=0 mf=1 df=0 len=1276 192.0.2.1:500 > 198.51.100.1:500
  changed a->b frame=.. time=.. r_frame=.. out_frame=.. id=.. ... diffs=N ip_off:old>new ...
  nat a->b 192.0.2.1:4500 > 198.51.100.1:4500 became 198.51.100.254:49453 > 198.51.100.1:4500 packets=N first=T last=T
     (one line per address/port rewrite r made on forwarded UDP/TCP, with the
     ingress times of its first and last packet: a NAT mapping and its changes)
then one summary line:
  summary entered_a_b=N forwarded_a_b=N lost_a_b=N entered_b_a=N forwarded_b_a=N lost_b_a=N changed_a_b=N changed_b_a=N refragmented=N to_router=N unknown_direction=N not_in_a=N not_in_b=N
     (not_in_a / not_in_b: IPv4 packets on ra / rb missing from a's / b's capture:
     0 when the wires a0-ra and rb-b0 lose nothing; '-' without that capture)

How packets are matched: IPv4 only. Each IP packet or fragment is keyed by
protocol, IP ID, fragment offset, MF flag, total length and its bytes with
the fields that forwarding or NAT rewrite masked: TTL, header checksum,
source and destination address, and in a first fragment the UDP/TCP ports
and checksum and the ICMP checksum and echo identifier. Equal keys pair in
time order (the egress copy at or after the ingress one, within 2 s). A
packet r split into smaller fragments (or reassembled and re-split, as
conntrack does) counts as forwarded when the egress pieces with its IP ID and
protocol carry all its bytes. An ingress packet left unmatched pairs with an
unmatched egress packet of the same protocol, IP ID, offset and length as
"changed" (differing IP-packet offsets listed, at most 16). What entered r
addressed to r's own address as ICMP (pings to r) is counted to_router,
not lost; anything else addressed to r that r did not forward (a UDP packet
to a NAT port r has forgotten) is lost.

Direction of a frame on an interface: Linux cooked captures (SLL, SLL2)
carry it; on Ethernet the router's MAC on each link is learnt from frames
r sent itself (IP source or ARP sender = a router address) and from the
egress copies of matched packets; frames from any other MAC entered r.
Link types read: Ethernet (with 802.1Q tags), Linux SLL and SLL2, raw IP
(12, 101, 228), BSD loopback (0); pcap files in either byte order, micro- or
nanosecond. Python 3 standard library only.
"""
import argparse
import bisect
import collections
import os
import struct
import sys

ROUTER_ADDRS = ("192.0.2.254", "198.51.100.254")
WINDOW = 2.0  # seconds an egress copy may follow its ingress copy

Frame = collections.namedtuple("Frame", "num time mac_src direction ip arp_sender")
# direction: "in" (entered the capturing host), "out" (left it), or None (unknown)


class PcapError(Exception):
    pass


def read_pcap(path):
    """Frames of a pcap file: Frame(num, time as a decimal string, ...)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise PcapError("%s: too short for a pcap header" % path)
    magic = data[:4]
    table = {b"\xd4\xc3\xb2\xa1": ("<", 6), b"\xa1\xb2\xc3\xd4": (">", 6),
             b"\x4d\x3c\xb2\xa1": ("<", 9), b"\xa1\xb2\x3c\x4d": (">", 9)}
    if magic not in table:
        raise PcapError("%s: not a pcap file (magic %s); convert with editcap -F pcap" % (path, magic.hex()))
    bo, digits = table[magic]
    linktype = struct.unpack(bo + "I", data[20:24])[0] & 0x0FFFFFFF
    frames = []
    pos, num = 24, 0
    while pos < len(data):
        if len(data) - pos < 16:
            raise PcapError("%s: frame %d: record header cut" % (path, num + 1))
        sec, frac, caplen, _ = struct.unpack(bo + "IIII", data[pos:pos + 16])
        pos += 16
        if len(data) - pos < caplen:
            raise PcapError("%s: frame %d: %d bytes announced, %d left" % (path, num + 1, caplen, len(data) - pos))
        pkt = data[pos:pos + caplen]
        pos += caplen
        num += 1
        t = "%d.%0*d" % (sec, digits, frac)
        frames.append(decode_link(num, t, linktype, pkt, path))
    return frames


def decode_link(num, t, linktype, pkt, path):
    mac_src = direction = None
    ethertype = None
    payload = b""
    if linktype == 1:  # Ethernet
        if len(pkt) < 14:
            return Frame(num, t, None, None, None, None)
        mac_src = pkt[6:12]
        ethertype = struct.unpack("!H", pkt[12:14])[0]
        off = 14
        while ethertype in (0x8100, 0x88A8) and len(pkt) >= off + 4:
            ethertype = struct.unpack("!H", pkt[off + 2:off + 4])[0]
            off += 4
        payload = pkt[off:]
    elif linktype == 113:  # Linux cooked v1
        if len(pkt) < 16:
            return Frame(num, t, None, None, None, None)
        ptype = struct.unpack("!H", pkt[0:2])[0]
        direction = "out" if ptype == 4 else "in"
        mac_src = pkt[6:6 + min(8, struct.unpack("!H", pkt[4:6])[0])]
        ethertype = struct.unpack("!H", pkt[14:16])[0]
        payload = pkt[16:]
    elif linktype == 276:  # Linux cooked v2
        if len(pkt) < 20:
            return Frame(num, t, None, None, None, None)
        ethertype = struct.unpack("!H", pkt[0:2])[0]
        direction = "out" if pkt[10] == 4 else "in"
        mac_src = pkt[12:12 + min(8, pkt[11])]
        payload = pkt[20:]
    elif linktype in (12, 101, 228):
        payload = pkt
        ethertype = 0x0800 if pkt and pkt[0] >> 4 == 4 else None
    elif linktype == 0:
        if len(pkt) < 4:
            return Frame(num, t, None, None, None, None)
        fam = struct.unpack("<I", pkt[:4])[0]
        if fam > 0xFFFF:
            fam = struct.unpack(">I", pkt[:4])[0]
        ethertype = 0x0800 if fam == 2 else None
        payload = pkt[4:]
    else:
        raise PcapError("%s: link type %d not handled" % (path, linktype))
    ip = arp_sender = None
    if ethertype == 0x0800 and len(payload) >= 20 and payload[0] >> 4 == 4:
        tot = struct.unpack("!H", payload[2:4])[0]
        ihl = (payload[0] & 15) * 4
        if ihl >= 20 and tot >= ihl and len(payload) >= tot:
            ip = bytes(payload[:tot])  # Ethernet padding cut off
    elif ethertype == 0x0806 and len(payload) >= 28:
        arp_sender = payload[14:18]
    return Frame(num, t, mac_src, direction, ip, arp_sender)


def ip_fields(ip):
    ihl = (ip[0] & 15) * 4
    ident, fo = struct.unpack("!HH", ip[4:8])
    return {"ihl": ihl, "len": len(ip), "id": ident, "off": (fo & 0x1FFF) * 8, "mf": (fo >> 13) & 1,
            "df": (fo >> 14) & 1, "proto": ip[9], "ttl": ip[8], "src": ip[12:16], "dst": ip[16:20]}


def masked(ip):
    """The packet's bytes with what forwarding and NAT rewrite zeroed."""
    f = ip_fields(ip)
    b = bytearray(ip)
    b[8] = 0          # TTL
    b[10:12] = b"\0\0"  # header checksum
    b[12:20] = bytes(8)  # addresses
    h = f["ihl"]
    if f["off"] == 0:
        if f["proto"] == 17 and len(b) >= h + 8:
            b[h:h + 4] = bytes(4)        # ports
            b[h + 6:h + 8] = b"\0\0"     # checksum
        elif f["proto"] == 6 and len(b) >= h + 18:
            b[h:h + 4] = bytes(4)
            b[h + 16:h + 18] = b"\0\0"
        elif f["proto"] == 1 and len(b) >= h + 8:
            b[h + 2:h + 4] = b"\0\0"
            if b[h] in (0, 8):           # echo: identifier rewritten by NAT
                b[h + 4:h + 6] = b"\0\0"
    return bytes(b)


def key(ip):
    f = ip_fields(ip)
    return (f["proto"], f["id"], f["off"], f["mf"], f["len"], masked(ip))


def addr(b):
    return "%d.%d.%d.%d" % tuple(b)


def describe(ip):
    f = ip_fields(ip)
    s = "id=0x%04x proto=%d off=%d mf=%d df=%d len=%d" % (f["id"], f["proto"], f["off"], f["mf"], f["df"], f["len"])
    h = f["ihl"]
    if f["off"] == 0 and f["proto"] in (6, 17) and len(ip) >= h + 4:
        sp, dp = struct.unpack("!HH", ip[h:h + 4])
        s += " %s:%d > %s:%d" % (addr(f["src"]), sp, addr(f["dst"]), dp)
    else:
        s += " %s > %s" % (addr(f["src"]), addr(f["dst"]))
    if f["off"] == 0 and f["proto"] == 17 and len(ip) >= h + 12:
        sp, dp = struct.unpack("!HH", ip[h:h + 4])
        if 4500 in (sp, dp) or 500 in (sp, dp):
            body = ip[h + 8:]
            if len(body) == 1 and body[0] == 0xFF:
                s += " natt-keepalive"
            elif (sp == 4500 or dp == 4500) and body[:4] != b"\0\0\0\0":
                spi, seq = struct.unpack("!II", body[:8])
                s += " esp spi=0x%08x seq=%d" % (spi, seq)
            else:
                ike = body[4:] if body[:4] == b"\0\0\0\0" else body
                if len(ike) >= 28:
                    s += " ike exch=%d flags=0x%02x msgid=%d" % (ike[18], ike[19], struct.unpack("!I", ike[20:24])[0])
    elif f["off"] == 0 and f["proto"] == 1 and len(ip) >= h + 2:
        s += " icmp type=%d code=%d" % (ip[h], ip[h + 1])
    return s


def router_macs(frames, raddrs):
    """MACs the router itself sent from, on this link."""
    macs = set()
    for fr in frames:
        if fr.mac_src is None:
            continue
        if fr.arp_sender is not None and fr.arp_sender in raddrs:
            macs.add(fr.mac_src)
        elif fr.ip is not None and fr.ip[12:16] in raddrs:
            macs.add(fr.mac_src)
    return macs


class Side:
    """One router interface's capture, split into what entered r and what left it."""

    def __init__(self, frames):
        self.frames = [fr for fr in frames if fr.ip is not None]


def split(side, rmacs):
    ins, outs, unknown = [], [], []
    for fr in side.frames:
        d = fr.direction
        if d is None and fr.mac_src is not None and rmacs:
            d = "out" if fr.mac_src in rmacs else "in"
        if d == "in":
            ins.append(fr)
        elif d == "out":
            outs.append(fr)
        else:
            unknown.append(fr)
    return ins, outs, unknown


def pair(ins, outs):
    """Pair ingress frames with egress frames of the same key, in time order.
    Returns {in_index: out_index}."""
    by_key = collections.defaultdict(list)
    for j, fr in enumerate(outs):
        by_key[key(fr.ip)].append(j)
    used = set()
    res = {}
    for i, fr in enumerate(ins):
        t = float(fr.time)
        for j in by_key.get(key(fr.ip), ()):
            if j in used:
                continue
            dt = float(outs[j].time) - t
            if -0.001 <= dt <= WINDOW:
                res[i] = j
                used.add(j)
                break
    return res


def learn_and_split(fa, fb, raddrs):
    """Frames of ra and rb, each split into entered/left r."""
    ra, rb = Side(fa), Side(fb)
    ma, mb = router_macs(fa, raddrs), router_macs(fb, raddrs)
    # a copy seen on both links with a TTL one lower on one of them left r there
    if not ma or not mb:
        idx = collections.defaultdict(list)
        for fr in rb.frames:
            idx[key(fr.ip)].append(fr)
        for fr in ra.frames:
            for g in idx.get(key(fr.ip), ()):
                if abs(float(g.time) - float(fr.time)) > WINDOW:
                    continue
                if g.ip[8] + 1 == fr.ip[8] and g.mac_src is not None:
                    mb.add(g.mac_src)
                elif fr.ip[8] + 1 == g.ip[8] and fr.mac_src is not None:
                    ma.add(fr.mac_src)
    return split(ra, ma), split(rb, mb)


def refragmented(fr, outs, free):
    """Do unpaired egress pieces with fr's protocol and IP ID carry all of fr's bytes?
    Returns the indexes of those pieces, or None."""
    f = ip_fields(fr.ip)
    t = float(fr.time)
    lo, hi = f["off"], f["off"] + f["len"] - f["ihl"]
    data = fr.ip[f["ihl"]:]
    have = {}
    pieces = []
    for j in free:
        g = outs[j]
        gf = ip_fields(g.ip)
        if gf["proto"] != f["proto"] or gf["id"] != f["id"]:
            continue
        dt = float(g.time) - t
        if not -0.001 <= dt <= WINDOW:
            continue
        glo, ghi = gf["off"], gf["off"] + gf["len"] - gf["ihl"]
        if ghi <= lo or glo >= hi:
            continue
        gdata = g.ip[gf["ihl"]:]
        ok = True
        for pos in range(max(lo, glo), min(hi, ghi)):
            if pos < 8 and lo == 0:
                continue  # transport header of the first piece: NAT may rewrite ports/checksum
            if gdata[pos - glo] != data[pos - lo]:
                ok = False
                break
        if not ok:
            continue
        pieces.append(j)
        for pos in range(max(lo, glo), min(hi, ghi)):
            have[pos] = True
    if len(have) == hi - lo and len(pieces) >= 1 and not (len(pieces) == 1 and ip_fields(outs[pieces[0]].ip)["len"] == f["len"]):
        return pieces
    return None


def diff(a, b):
    """IP-packet offsets where two copies differ beyond what forwarding and NAT rewrite."""
    ma, mb = masked(a), masked(b)
    out = []
    for i in range(min(len(a), len(b))):
        if ma[i] != mb[i]:
            out.append("%d:%02x>%02x" % (i, a[i], b[i]))
    return out


def analyse(ins, outs, raddrs):
    """Lost, changed and refragmented packets of one direction."""
    m = pair(ins, outs)
    used_out = set(m.values())
    free = [j for j in range(len(outs)) if j not in used_out]
    lost, changed, to_router, refrag = [], [], [], []
    rest = []
    for i, fr in enumerate(ins):
        if i in m:
            continue
        pieces = refragmented(fr, outs, free)
        if pieces is not None:
            refrag.append((fr, [outs[j] for j in pieces]))
            continue
        rest.append(fr)
    consumed = set()
    for _, ps in refrag:
        for p in ps:
            consumed.add(p.num)
    free = [j for j in free if outs[j].num not in consumed]
    for fr in rest:
        f = ip_fields(fr.ip)
        t = float(fr.time)
        hit = None
        for j in free:
            g = outs[j]
            gf = ip_fields(g.ip)
            if (gf["proto"], gf["id"], gf["off"], gf["mf"], gf["len"]) == (f["proto"], f["id"], f["off"], f["mf"], f["len"]) \
                    and -0.001 <= float(g.time) - t <= WINDOW:
                hit = j
                break
        if hit is not None:
            free.remove(hit)
            changed.append((fr, outs[hit]))
        elif f["dst"] in raddrs and f["proto"] == 1:
            to_router.append(fr)
        else:
            lost.append(fr)
    nat = collections.OrderedDict()
    for i, j in sorted(m.items()):
        e, g = endpoints(ins[i].ip), endpoints(outs[j].ip)
        if e is not None and g is not None and e != g:
            k = (e, g)
            n, first, _ = nat.get(k, (0, ins[i].time, None))
            nat[k] = (n + 1, first, ins[i].time)
    return {"forwarded": len(m), "lost": lost, "changed": changed, "to_router": to_router, "refrag": refrag,
            "nat": nat}


def endpoints(ip):
    """(src, sport, dst, dport) of a UDP/TCP first fragment, else None."""
    f = ip_fields(ip)
    h = f["ihl"]
    if f["off"] != 0 or f["proto"] not in (6, 17) or len(ip) < h + 4:
        return None
    sp, dp = struct.unpack("!HH", ip[h:h + 4])
    return (addr(f["src"]), sp, addr(f["dst"]), dp)


class Sender:
    """Finds a router-ingress frame in the sender's own capture (same wire: same bytes)."""

    def __init__(self, frames):
        self.idx = collections.defaultdict(list)
        for fr in frames:
            if fr.ip is not None:
                self.idx[fr.ip].append(fr)

    def find(self, fr):
        best = None
        for g in self.idx.get(fr.ip, ()):
            d = abs(float(g.time) - float(fr.time))
            if d <= WINDOW and (best is None or d < best[0]):
                best = (d, g)
        return best[1] if best else None


def truth(ra_frames, rb_frames, a_frames=None, b_frames=None, raddrs=None):
    raddrs = {bytes(int(x) for x in a.split(".")) for a in (raddrs or ROUTER_ADDRS)}
    (ra_in, ra_out, ra_unk), (rb_in, rb_out, rb_unk) = learn_and_split(ra_frames, rb_frames, raddrs)
    res = {"a->b": analyse(ra_in, rb_out, raddrs), "b->a": analyse(rb_in, ra_out, raddrs)}
    res["a->b"]["entered"] = len(ra_in)
    res["b->a"]["entered"] = len(rb_in)
    res["unknown_direction"] = len(ra_unk) + len(rb_unk)
    res["senders"] = {"a->b": Sender(a_frames) if a_frames is not None else None,
                      "b->a": Sender(b_frames) if b_frames is not None else None}
    # the wires a0-ra and rb-b0 (hops 0 and 2 seen from r): every IPv4 packet on r's
    # interface is in the end's capture, byte for byte (None: that capture not given)
    res["wire"] = {}
    for side, frames, snd in (("a", ra_frames, res["senders"]["a->b"]), ("b", rb_frames, res["senders"]["b->a"])):
        res["wire"][side] = None if snd is None else sum(1 for fr in frames if fr.ip is not None and snd.find(fr) is None)
    return res


def report(res, out, summary_only=False):
    for d in ("a->b", "b->a"):
        r = res[d]
        snd = res["senders"][d]
        if summary_only:
            continue
        for fr in r["lost"]:
            s = snd.find(fr) if snd else None
            out.write("lost %s frame=%s time=%s r_frame=%d %s\n" % (
                d, s.num if s else "-", s.time if s else fr.time, fr.num, describe(fr.ip)))
        for fr, g in r["changed"]:
            s = snd.find(fr) if snd else None
            dd = diff(fr.ip, g.ip)
            out.write("changed %s frame=%s time=%s r_frame=%d out_frame=%d %s diffs=%d %s\n" % (
                d, s.num if s else "-", s.time if s else fr.time, fr.num, g.num, describe(fr.ip), len(dd), " ".join(dd[:16])))
    if not summary_only:
        for d in ("a->b", "b->a"):
            for (e, g), (n, first, last) in res[d]["nat"].items():
                out.write("nat %s %s:%d > %s:%d became %s:%d > %s:%d packets=%d first=%s last=%s\n" % (
                    (d,) + e + g + (n, first, last)))
    a, b = res["a->b"], res["b->a"]
    out.write("summary entered_a_b=%d forwarded_a_b=%d lost_a_b=%d entered_b_a=%d forwarded_b_a=%d lost_b_a=%d "
              "changed_a_b=%d changed_b_a=%d refragmented=%d to_router=%d unknown_direction=%d "
              "not_in_a=%s not_in_b=%s\n" % (
                  a["entered"], a["forwarded"] + len(a["refrag"]), len(a["lost"]),
                  b["entered"], b["forwarded"] + len(b["refrag"]), len(b["lost"]),
                  len(a["changed"]), len(b["changed"]), len(a["refrag"]) + len(b["refrag"]),
                  len(a["to_router"]) + len(b["to_router"]), res["unknown_direction"],
                  "-" if res["wire"]["a"] is None else res["wire"]["a"],
                  "-" if res["wire"]["b"] is None else res["wire"]["b"]))


def main(argv):
    ap = argparse.ArgumentParser(description="lost and changed packets in the lab router r")
    ap.add_argument("name", nargs="?")
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "captures"))
    ap.add_argument("--ra")
    ap.add_argument("--rb")
    ap.add_argument("--a")
    ap.add_argument("--b")
    ap.add_argument("--router-addr", action="append")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--compare")
    o = ap.parse_args(argv)
    if o.name:
        p = lambda s: os.path.join(o.dir, "%s_%s.pcap" % (o.name, s))
        o.ra = o.ra or p("r-ra")
        o.rb = o.rb or p("r-rb")
        o.a = o.a or (p("a") if os.path.exists(p("a")) else None)
        o.b = o.b or (p("b") if os.path.exists(p("b")) else None)
    if not o.ra or not o.rb:
        ap.error("give NAME or --ra and --rb")
    try:
        ra, rb = read_pcap(o.ra), read_pcap(o.rb)
        fa = read_pcap(o.a) if o.a else None
        fb = read_pcap(o.b) if o.b else None
    except (OSError, PcapError) as e:
        sys.stderr.write("lab_truth: %s\n" % e)
        return 2
    res = truth(ra, rb, fa, fb, o.router_addr)
    report(res, sys.stdout, o.summary)
    if o.compare:
        try:
            got = read_pcap(o.compare)
        except (OSError, PcapError) as e:
            sys.stderr.write("lab_truth: %s\n" % e)
            return 2
        return compare(res, got, sys.stdout)
    return 0


def compare(res, got, out):
    """A written lost-packet file against the truth, by IP bytes, each packet once."""
    want = collections.Counter()
    label = {}
    for d in ("a->b", "b->a"):
        for fr in res[d]["lost"]:
            want[fr.ip] += 1
            label[fr.ip] = "%s r_frame=%d %s" % (d, fr.num, describe(fr.ip))
    have = collections.Counter(fr.ip for fr in got if fr.ip is not None)
    matched = sum((want & have).values())
    for ip, n in sorted((want - have).items(), key=lambda x: label[x[0]]):
        out.write("missing %s\n" % label[ip])
    for fr in got:
        if fr.ip is not None and (have - want)[fr.ip] > 0:
            out.write("extra frame=%d %s\n" % (fr.num, describe(fr.ip)))
    nmiss, nextra = sum((want - have).values()), sum((have - want).values())
    out.write("compare truth=%d file=%d matched=%d missing=%d extra=%d\n" % (
        sum(want.values()), sum(have.values()), matched, nmiss, nextra))
    return 0 if nmiss == 0 and nextra == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
