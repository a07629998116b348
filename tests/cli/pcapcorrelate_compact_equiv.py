#!/usr/bin/env python3
"""The compact engine (issue 19, docs/dev/streaming.md step 1) against the
whole-trace engine: the same report, byte for byte.

`--engine compact` folds matched ESP/AH pairs into counts, and the passes
taught so far (the loss tally of the findings, the loss profile) read the
counts instead of the packets. Any mistake in a count shows as a different
report. Compared, as JSON, text and HTML:

1. a construction aimed at the loss profile, whose folded count is known:
   ESP and AH interleaved each way, with a run of ESP losses broken only by
   AH arrivals (the ESP run must not be broken by them, the overall run
   must), a run lost at the very end one way (to_end), and the longest run
   followed only by folded arrivals the other way (to_end false), DF on
   some, sizes in every band, some datagrams fragmented;
2. every two-sided pair in captures/;
3. a 50k-packet bench/make_pair.py pair (NAT-T, fragments, AH, random loss).
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pktbuild  # noqa: E402
from iks_testlib import CAPS, PCAPCORRELATE, check, finish, run  # noqa: E402

TMP = tempfile.mkdtemp(prefix="pcapcorrelate-compact-")
A, B = "192.0.2.1", "198.51.100.2"
T0 = 1700000000.0
SIZES = [100, 700, 1300, 1450, 1800]  # payload bytes: every size band, and above the MTU


def payload(kind, spi, seq, n):
    """An ESP packet (RFC 4303 section 2: SPI, sequence number, then the
    rest), or an AH header (RFC 4302 section 2: next header 59, length 4
    for a 12-byte ICV, reserved, SPI, sequence number, ICV) before n bytes
    of payload in all."""
    head = b"" if kind == "esp" else bytes((59, 4, 0, 0))
    body = head + spi.to_bytes(4, "big") + seq.to_bytes(4, "big")
    return body + bytes((seq * 7 + k) & 0xFF for k in range(n - len(body)))


def frames(src, dst, proto, body, ip_id, ttl, df):
    if len(body) > 1480:
        return pktbuild.ipv4_frags(src, dst, proto, body, [1472], ip_id, ttl)
    return [pktbuild.ipv4(src, dst, proto, body, ip_id, ttl, df)]


def build(pa, pb, b_from=0.0, blocked=False):
    """ESP at 20 ms steps and AH 10 ms after each: 300 of each a->b, 350
    b->a (b's capture runs 1 s past a->b's end, so its last losses are
    judged, and ends with folded units: the tail of the counts). a->b
    loses ESP 100-105 (AH arrives between them), ESP 150 + AH 150 and the
    last two of each (a run of 4 to the end). b->a loses ESP 40 and a run
    of 5 from ESP 200 (ESP 200-202, AH 200-201), then only arrivals.
    Returns the pairs each way that must fold: every matched one but the
    first of each SPI. b_from: b's capture starts that many seconds in
    (what a sends before is not judged: the not-covered total); blocked:
    nothing a sends arrives (nothing-arrived, counting b's activity)."""
    lost = {
        0: {("esp", s) for s in range(100, 106)} | {("esp", 150), ("ah", 150)} |
        {("esp", 299), ("ah", 299), ("esp", 300), ("ah", 300)},
        1: {("esp", 40)} | {("esp", s) for s in (200, 201, 202)} | {("ah", s) for s in (200, 201)},
    }
    ra, rb = [], []
    ip_id = [1, 1]
    folded = [0, 0]
    for side, (src, dst) in enumerate(((A, B), (B, A))):
        mine, theirs = (ra, rb) if side == 0 else (rb, ra)
        for seq in range(1, 301 + 50 * side):
            for kind, proto, spi, dt in (("esp", 50, 0x1000 + side, 0.0),
                                         ("ah", 51, 0x3000 + side, 0.010)):
                t = T0 + seq * 0.020 + dt + side * 0.003
                size = SIZES[(seq + (kind == "ah")) % len(SIZES)]
                # every 37th ESP leaves whole with DF and arrives in two
                # fragments (a middlebox cleared DF): fragmented, not DF
                refrag = kind == "esp" and seq % 37 == 0
                if refrag:
                    size = 1300
                body = payload(kind, spi, seq, size)
                df = kind == "ah" or refrag
                iid = ip_id[side]
                ip_id[side] += 1
                for f in frames(src, dst, proto, body, iid, 64, df):
                    mine.append((t, f))
                if (kind, seq) in lost[side] or (blocked and side == 0):
                    continue
                there = (pktbuild.ipv4_frags(src, dst, proto, body, [640], iid, 63) if refrag
                         else frames(src, dst, proto, body, iid, 63, df))
                for f in there:
                    theirs.append((t + 0.005, f))
                if seq > 1:
                    folded[side] += 1
    pktbuild.write_pcap(pa, ra)
    pktbuild.write_pcap(pb, [r for r in rb if r[0] >= T0 + b_from])
    return folded


def reports(pa, pb, engine, extra=()):
    """(exit status, JSON, text, HTML, stderr) of one engine."""
    html = os.path.join(TMP, "r-%s.html" % engine)
    rc, js, err = run(PCAPCORRELATE, "--json", "--engine", engine, "--html", html, *extra, pa, pb)
    rc2, txt, err2 = run(PCAPCORRELATE, "--engine", engine, *extra, pa, pb)
    with open(html, encoding="utf-8") as f:
        h = f.read()
    return (rc, rc2), js, txt, h, err + err2


def folded_counts(err):
    for line in err.splitlines():
        if "compact engine:" in line:
            w = line.split()
            return int(w[3]), int(w[7])
    return None


def compare(name, pa, pb, extra=()):
    w = reports(pa, pb, "whole", extra)
    c = reports(pa, pb, "compact", extra)
    check("%s: exit status the same (%s)" % (name, w[0]), w[0] == c[0], c[0])
    check("%s: JSON the same" % name, w[1] == c[1] and w[1], first_diff(w[1], c[1]))
    check("%s: text the same" % name, w[2] == c[2] and w[2], first_diff(w[2], c[2]))
    check("%s: HTML the same" % name, w[3] == c[3] and w[3], first_diff(w[3], c[3]))
    check("%s: the whole engine folds nothing, says nothing of it" % name,
          "compact engine" not in w[4], w[4])
    return folded_counts(c[4]), c[1]


def first_diff(x, y):
    """Where two reports first differ, with some context."""
    for i, (p, q) in enumerate(zip(x, y)):
        if p != q:
            at = max(0, i - 120)
            return "at byte %d:\n  whole:   %s\n  compact: %s" % (i, x[at:i + 120], y[at:i + 120])
    return "lengths %d and %d" % (len(x), len(y))


# 1. the construction
pa, pb = os.path.join(TMP, "a.pcap"), os.path.join(TMP, "b.pcap")
want = build(pa, pb)
got, js = compare("construction", pa, pb)
check("construction: folded %s pairs, the matched ones but the first of each SPI" % want,
      got == tuple(want), got)
import json  # noqa: E402
rep = json.loads(js)
ab, ba = rep["loss"]["a->b"], rep["loss"]["b->a"]
check("a->b: ESP run of 6, not broken by the AH arriving between", (ab["longest_esp_run"] or {})
      .get("count") == 6, ab["longest_esp_run"])
check("a->b: longest run the last 4, to the end", (ab["longest_run"] or {}).get("count") == 4 and
      ab["longest_run"]["to_end"], ab["longest_run"])
check("b->a: longest run 5, followed by arrivals", (ba["longest_run"] or {}).get("count") == 5 and
      not ba["longest_run"]["to_end"], ba["longest_run"])
# arrivals between the first loss (ESP 100, at 100*20 ms) and the last (AH 300):
# of 600 sent, those after ESP 100 up to AH 300, less the 12 lost
check("a->b: sent 600, lost 12", ab["all"] == {"sent": 600, "lost": 12}, ab["all"])
check("a->b: arrivals between the losses", ab["arrived_between_losses"] == 2 * 201 - 12,
      ab["arrived_between_losses"])

# the same, b's capture started 2 s late; and with a->b blocked
for label, kw, kind in (("late b", {"b_from": 2.0}, "capture-check"),
                        ("blocked a->b", {"blocked": True}, "nothing-arrived")):
    build(pa, pb, **kw)
    got, js = compare("construction, " + label, pa, pb)
    fs = [f for f in json.loads(js)["findings"] if f["kind"] == kind]
    check("construction, %s: a %s finding, and pairs folded" % (label, kind),
          fs and got and got[0] + got[1] > 0, (got, fs))


def build_nat(pa, pb):
    """ESP in UDP 4500 (RFC 3948) each way, 20 ms apart, a behind a NAT
    (10.0.0.1 is 203.0.113.5 at b). At 3 s the NAT gives a's mapping a new
    port (40000 to 40001); b follows 0.5 s later, and what it sent to the
    old port meanwhile is lost in the NAT (stale). The last packet b sent
    to the old port that arrived is a folded one: the rebinding check must
    find it among the counts, or it would call b's one earlier loss (its
    packet 50, at 1 s) stale too."""
    priv, pub = "10.0.0.1", "203.0.113.5"
    ra, rb = [], []
    for seq in range(1, 301):
        t = T0 + seq * 0.020
        port = 40000 if t < T0 + 3.0 else 40001
        body = payload("esp", 0x5000, seq, 200)
        ra.append((t, pktbuild.udp(priv, 4500, B, 4500, body, seq, 64)))
        rb.append((t + 0.005, pktbuild.udp(pub, port, B, 4500, body, seq, 63)))
        tb = t + 0.010
        to = 40000 if tb < T0 + 3.5 else 40001
        back = payload("esp", 0x6000, seq, 300)
        rb.append((tb, pktbuild.udp(B, 4500, pub, to, back, 5000 + seq, 64)))
        if (to == 40001 or tb < T0 + 3.0) and seq != 50:
            ra.append((tb + 0.005, pktbuild.udp(B, 4500, priv, 4500, back, 5000 + seq, 63)))
    pktbuild.write_pcap(pa, ra)
    pktbuild.write_pcap(pb, rb)


build_nat(pa, pb)
got, js = compare("construction, NAT rebinding", pa, pb)
nat = [f for f in json.loads(js)["findings"] if f["kind"] == "nat-rebind"]
# b's packets due at the old port from 3.0 s to 3.5 s: sent at 3.0-3.49
check("construction, NAT rebinding: one rebinding, 25 stale of 25 sent after the last arrival",
      len(nat) == 1 and nat[0].get("stale_lost") == 25 and nat[0].get("stale_sent") == 25, nat)
check("construction, NAT rebinding: pairs folded both ways", got and min(got) > 200, got)


def build_icmp_by_id(pa, pb):
    """a sends 100 ESP datagrams of 1800 bytes, each in two fragments; b
    answers each. A router (192.0.2.254) returns to a one ICMP
    fragmentation-needed (RFC 792, RFC 1191: MTU 1400) quoting datagram
    40's first fragment with only 4 bytes past its IP header: no ESP
    header, so the quoted packet is found by IP ID and protocol. It
    arrived anyway (the router's copy was another), so it is matched, and
    the ICMP finding must still name its SPI and sequence number."""
    ra, rb = [], []
    for seq in range(1, 101):
        t = T0 + seq * 0.020
        body = payload("esp", 0x7000, seq, 1800)
        for f in pktbuild.ipv4_frags(A, B, 50, body, [1480], 100 + seq, 64):
            ra.append((t, f))
        for f in pktbuild.ipv4_frags(A, B, 50, body, [1480], 100 + seq, 63):
            rb.append((t + 0.005, f))
        back = payload("esp", 0x8000, seq, 100)
        ra.append((t + 0.015, pktbuild.ipv4(B, A, 50, back, 900 + seq, 63)))
        rb.append((t + 0.010, pktbuild.ipv4(B, A, 50, back, 900 + seq, 64)))
        if seq == 40:
            frag1 = pktbuild.ipv4_frags(A, B, 50, body, [1480], 100 + seq, 63)[0][14:]
            quote = frag1[:20] + frag1[20:24]
            icmp = struct.pack("!BBHHH", 3, 4, 0, 0, 1400) + quote
            icmp = icmp[:2] + struct.pack("!H", pktbuild.csum(icmp)) + icmp[4:]
            ra.append((t + 0.002, pktbuild.ipv4("192.0.2.254", A, 1, icmp, 4242, 255)))
    pktbuild.write_pcap(pa, ra)
    pktbuild.write_pcap(pb, rb)


build_icmp_by_id(pa, pb)
got, js = compare("construction, ICMP quote by IP ID", pa, pb)
ic = [f for f in json.loads(js)["findings"] if f["kind"] == "icmp-frag-needed"]
check("construction, ICMP quote by IP ID: the finding names ESP 0x7000 seq 40",
      len(ic) == 1 and ic[0].get("spi") == "00007000" and ic[0].get("seq") == 40, ic)
check("construction, ICMP quote by IP ID: pairs folded", got and got[0] > 90, got)

# 2. the pairs in captures/, without keys and with those they come with
pairs = keyed = 0
for name in sorted(os.listdir(CAPS)):
    for ext in (".pcap", ".pcapng"):
        if not name.endswith("_a" + ext):
            continue
        b = name[:-len("_a" + ext)] + "_b" + ext
        if not os.path.exists(os.path.join(CAPS, b)):
            continue
        pairs += 1
        stem = name[:-len("_a" + ext)]
        pa_, pb_ = os.path.join(CAPS, name), os.path.join(CAPS, b)
        compare(stem, pa_, pb_)
        # with the keys: Deletes (deleted SAs still in use) and ICV checks
        keys = []
        for k in ("_esp_sa", "_ikev2_decryption_table", "_ikev1_decryption_table"):
            if os.path.exists(os.path.join(CAPS, stem + k)):
                keys += ["-k", os.path.join(CAPS, stem + k)]
        if keys:
            keyed += 1
            compare(stem + " with keys", pa_, pb_, keys)
check("captures/ has two-sided pairs to compare", pairs >= 20 and keyed >= 10, (pairs, keyed))

# 3. a make_pair pair
here = os.path.dirname(os.path.abspath(__file__))
mp = os.path.join(here, "..", "..", "bench", "make_pair.py")
qa, qb = os.path.join(TMP, "pa.pcap"), os.path.join(TMP, "pb.pcap")
p = subprocess.run([sys.executable, mp, "50000", qa, qb], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True, env=dict(os.environ, IKS_CAPTURES=CAPS))
if check("make_pair.py 50000 runs", p.returncode == 0, p.stderr):
    got, js = compare("make_pair 50k", qa, qb)
    st = json.loads(js)["stats"]
    # most of what crosses is ESP/AH that no finding names one by one
    check("make_pair 50k: most matched pairs folded", got and
          got[0] > 0.8 * 0.88 * st["arrived_ab"] and got[1] > 0.8 * 0.88 * st["arrived_ba"],
          (got, st["arrived_ab"], st["arrived_ba"]))
finish()
