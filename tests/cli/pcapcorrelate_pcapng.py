#!/usr/bin/env python3
"""pcapcorrelate --pcapng: both captures in one annotated pcapng, checked against ground truth.

1. ikev2_psk_randomloss (the router dropped packets at random: nft counters
   in captures/ikev2_psk_randomloss_r_loss.txt): the frames whose comment
   says LOST are exactly the packets and fragments one end sent and the
   other never received (ground truth from ikedump on both captures, as in
   tests/cli/pcapcorrelate_cli.py, fragment by fragment: a fragment that
   arrived is not LOST even when its datagram did not arrive whole), less the
   datagram answered by an ICMP error (its comment says so instead).
   Read back with our own pcapng reader (ikedump --json: `comment`,
   `interface`; tests/ref/pcapng_tshark.py checks the same with tshark,
   `frame.comment contains "LOST"`). The file holds every frame
   of both inputs, on two interfaces named after the points.
2. The same pair with b's clock moved by a known offset (+3.5 s) and drift
   (+200 ppm) (b rewritten as pcapng by tests/lib/pcapnglib.py): every matched
   frame's time in the output agrees with its copy's within 1 ms, while the
   input times differ by seconds; b's own time is kept in the comment.

Run by make check (IKEDUMP, PCAPCORRELATE, IKS_CAPTURES).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, check, cap, finish  # noqa: E402
import pcapnglib  # noqa: E402

A, B = "192.0.2.1", "198.51.100.1"


def dump(path):
    out = subprocess.run([IKEDUMP, "--json", "--all", path], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    recs = [json.loads(l, parse_float=Decimal) for l in out.splitlines()]
    return [r for r in recs if "frame" in r]


def pieces(recs, src, dst):
    """(IP ID, fragment offset) -> frame of every packet or fragment src sent to dst."""
    return {(r["ip_id"], (r.get("frag") or {}).get("offset", 0)): r["frame"] for r in recs
            if r.get("src") == src and r.get("dst") == dst and "ip_id" in r}


def correlate(a, b, out):
    p = subprocess.run([PCAPCORRELATE, "--json", "--pcapng", out, a, b], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, json.loads(p.stdout) if p.returncode == 0 else None, p.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="iks-corr-pcapng-")
    try:
        pa, pb = cap("ikev2_psk_randomloss_a.pcap"), cap("ikev2_psk_randomloss_b.pcap")
        ra, rb = dump(pa), dump(pb)
        # ground truth, fragment by fragment: what one end sent and the other never got
        truth = {}  # (side of the sender, ip id) -> frames (in the sender's file) not received
        for side, (mine, theirs, src, dst) in enumerate(((ra, rb, A, B), (rb, ra, B, A))):
            got = pieces(theirs, src, dst)
            for (ip_id, off), frame in pieces(mine, src, dst).items():
                if (ip_id, off) not in got:
                    truth.setdefault((side, ip_id), []).append(frame)
        out = os.path.join(tmp, "both.pcapng")
        rc, d, err = correlate(pa, pb, out)
        check("pcapcorrelate --pcapng runs", rc == 0 and os.path.exists(out), err)
        icmp = {f["ip_id"] for f in d["findings"] if f["kind"] == "icmp-frag-needed"} if d else set()
        want = {k: v for k, v in truth.items() if k[1] not in icmp}
        check("ground truth: %d packets or fragments of %d datagrams lost, %d answered by ICMP"
              % (sum(len(v) for v in want.values()), len(want), len(truth) - len(want)),
              len(want) > 8 and len(truth) - len(want) == 1, sorted(truth))

        recs = dump(out)
        per_if = {0: [], 1: []}
        for r in recs:
            per_if.setdefault(r.get("interface"), []).append(r)
        check("every frame of both inputs: %d + %d" % (len(ra), len(rb)),
              len(per_if[0]) == len(ra) and len(per_if[1]) == len(rb) and len(per_if) == 2,
              {k: len(v) for k, v in per_if.items()})
        names = {r["interface"]: r.get("if_name") for r in recs}
        check("two interfaces named after the points", names == {0: "a " + A, 1: "b " + B}, names)
        orig = {0: [], 1: []}
        for r in recs:
            m = re.search(r"(?:^|; )([ab]) frame (\d+)$", r.get("comment", ""))
            if m:
                orig["ab".index(m.group(1))].append(int(m.group(2)))
        check("each output frame names its input frame, all of them once",
              sorted(orig[0]) == [r["frame"] for r in ra] and
              sorted(orig[1]) == [r["frame"] for r in rb])
        lost = {}
        for r in recs:
            if "LOST" in r.get("comment", ""):
                m = re.search(r"(?:^|; )([ab]) frame (\d+)$", r["comment"])
                lost.setdefault(("ab".index(m.group(1)), r["ip_id"]), []).append(int(m.group(2)))
        check("our reader: LOST marks the lost datagrams and no other (%d)" % len(want),
              set(lost) == set(want), (sorted(set(lost) - set(want)), sorted(set(want) - set(lost))))
        check("our reader: LOST marks exactly the frames that never arrived (%d)"
              % sum(len(v) for v in want.values()),
              {k: sorted(v) for k, v in lost.items()} == {k: sorted(v) for k, v in want.items()})
        times = [r["ts"] for r in recs]
        check("frames in time order", times == sorted(times))
        flags_ok = all(r.get("direction") == ("out" if r.get("src") == (A if r["interface"] == 0 else B)
                                              else "in")
                       for r in recs if r.get("src") in (A, B) and r.get("dst") in (A, B))
        check("epb_flags by direction on every packet between the hosts", flags_ok)

        # 2. known offset and drift on b's clock. The correlator estimates a drift
        # only over 60 s or more of capture: both captures are stretched 5 times
        # about a's first frame (75 s; delays 5 times longer, still well under
        # 1 ms), then b's clock is moved.
        lt_a, fa = pcapnglib.read_pcap(pa)
        lt, frames = pcapnglib.read_pcap(pb)
        t0 = fa[0][0]
        OFF, PPM, STRETCH = 3_500_000_000, 200, 5
        shifted = []
        paths2 = []
        for name, link, fr, move in (("a", lt_a, fa, False), ("b", lt, frames, True)):
            w = pcapnglib.PcapngWriter()
            w.section()
            w.interface(link, 0, name=name, tsresol=9)
            for ts, wl, data in fr:
                t = t0 + (ts - t0) * STRETCH
                if move:
                    t = t + OFF + (t - t0) * PPM // 1_000_000
                    shifted.append(t)
                w.epb(0, t, data, wirelen=wl, tsresol=9)
            paths2.append(os.path.join(tmp, name + "_stretched.pcapng"))
            w.write(paths2[-1])
        out2 = os.path.join(tmp, "shifted.pcapng")
        rc, d2, err = correlate(paths2[0], paths2[1], out2)
        clock = d2["clock_offset"] if d2 else None
        check("shifted pair correlates: offset %s s, drift %s ppm"
              % (clock and clock["seconds"], clock and clock["drift_ppm"]),
              rc == 0 and abs(clock["seconds"] - 3.5) < 0.01 and abs(clock["drift_ppm"] - PPM) < 20,
              (err, clock))
        recs2 = dump(out2)
        at = {}
        for r in recs2:
            m = re.search(r"(?:^|; )([ab]) frame (\d+)$", r.get("comment", ""))
            at[(m.group(1), int(m.group(2)))] = r["ts"]
        worst, n, raw_worst = Decimal(0), 0, Decimal(0)
        for r in recs2:
            m = re.search(r"(?:arrived at|received from) ([ab]) after [-0-9.]+ ms \(([ab]) frame (\d+)\)",
                          r.get("comment", ""))
            if not m:
                continue
            me = re.search(r"(?:^|; )([ab]) frame (\d+)$", r["comment"])
            other = at.get((m.group(2), int(m.group(3))))
            if other is None:
                continue
            n += 1
            worst = max(worst, abs(r["ts"] - other))
            if me.group(1) == "b":
                raw = Decimal(shifted[int(me.group(2)) - 1]) / 10**9
                raw_worst = max(raw_worst, abs(raw - other))
        check("offset +3.5 s, drift +200 ppm: %d matched frames agree within 1 ms (worst %.6f s; "
              "in the input %.3f s apart)" % (n, worst, raw_worst),
              n > 100 and worst < Decimal("0.001") and raw_worst > 3, (n, worst, raw_worst))
        kept = [r for r in recs2 if r["interface"] == 1]
        ok = all(re.search(r"b's own clock \S+ (\S+) UTC", r["comment"]) for r in kept)
        check("b's own time kept in every b frame's comment", ok and len(kept) == len(frames))

        # 3. a packet changed in transit: the comment on both copies names the bytes
        pa3 = cap("ikev2_psk_natt_a.pcap")
        lt3, fr3 = pcapnglib.read_pcap(cap("ikev2_psk_natt_b.pcap"))
        w = pcapnglib.PcapngWriter()
        w.section()
        w.interface(lt3, 0, name="b", tsresol=9)
        changed, n_esp = {}, 0
        for i, (ts, wl, data) in enumerate(fr3, 1):
            data = bytearray(data)
            ip = 14 if lt3 == 1 else 0
            ihl = (data[ip] & 15) * 4 if len(data) > ip + 20 else 0
            udp = ip + ihl
            if (ihl and data[ip + 9] == 17 and data[ip + 12:ip + 16] == bytes([192, 0, 2, 1])
                    and data[udp + 2:udp + 4] == b"\x11\x94" and data[udp + 8:udp + 12] != b"\0" * 4
                    and (data[ip + 6] & 0x3F) == 0 and data[ip + 7] == 0):
                n_esp += 1
                if n_esp in (3, 5):
                    off = udp + 8 + 20
                    before = data[off]
                    data[off] ^= 0xA5
                    changed[i] = "%d (0x%02x->0x%02x)" % (off - ip, before, data[off])
            w.epb(0, ts, bytes(data), wirelen=wl, tsresol=9)
        pb3 = os.path.join(tmp, "natt_b_modified.pcapng")
        w.write(pb3)
        out3 = os.path.join(tmp, "modified.pcapng")
        rc, d3, err = correlate(pa3, pb3, out3)
        recs3 = dump(out3)
        marked = {}
        for r in recs3:
            m = re.search(r"modified in transit: bytes (\d+ \(0x..->0x..\))", r.get("comment", ""))
            if m:
                me = re.search(r"(?:^|; )([ab]) frame (\d+)$", r["comment"])
                marked[(me.group(1), int(me.group(2)))] = m.group(1)
        want_b = {("b", f): t for f, t in changed.items()}
        check("modified in transit: %d changed packets named with their byte on both copies"
              % len(changed), rc == 0 and len(changed) == 2 and len(marked) == 4 and
              {k: v for k, v in marked.items() if k[0] == "b"} == want_b and
              sorted(v for k, v in marked.items() if k[0] == "a") == sorted(changed.values()),
              (err, marked, changed))
        icmp_line = [r["comment"] for r in recs if "ICMP frag-needed" in r.get("comment", "")]
        m = re.search(r"for a frame (\d+) \(ip id 0x([0-9a-f]+)\)", icmp_line[0]) \
            if len(icmp_line) == 1 else None
        quoted = [r for r in ra if m and r["frame"] == int(m.group(1))]
        check("the ICMP error names the frame it quotes (a frame %s)" % (m and m.group(1)),
              m and quoted and quoted[0]["ip_id"] == int(m.group(2), 16)
              and quoted[0]["src"] == A, icmp_line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


main()
