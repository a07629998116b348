#!/usr/bin/env python3
"""Hostile and unusual pcapng files: captures/regress/pcapng_*.pcapng.

Each fixture is built here from three IKE frames of
captures/ikev2_psk_randomloss_a.pcap (frames 6, 9, 10) and checked against
what `ikedump --json` must do with it: how many frames come out, the exit
status, the message on stderr (naming the file and the frame), and for the
time-resolution fixtures the exact timestamps. `--write` regenerates the
committed fixtures; without it the committed bytes must equal what this
script builds (so a fixture never drifts from its description).

Run by make check (IKEDUMP, IKS_CAPTURES).
"""
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
from iks_testlib import IKEDUMP, CAPS, check, finish  # noqa: E402
import pcapnglib  # noqa: E402
from pcapnglib import PcapngWriter, EPB  # noqa: E402

T0 = 1795356271927828000  # frame 6 of the source capture, ns


def source_frames():
    lt, frames = pcapnglib.read_pcap(os.path.join(CAPS, "ikev2_psk_randomloss_a.pcap"))
    return lt, [frames[i] for i in (5, 8, 9)]


def plain(big=False, tsresol=6, tsoffset=None):
    lt, fr = source_frames()
    w = PcapngWriter(big=big)
    w.section()
    w.interface(lt, 0, name="eth0", tsresol=tsresol, tsoffset=tsoffset)
    return w, fr


def build():
    """name -> (bytes, expectation dict)."""
    out = {}
    lt, fr = source_frames()

    # a packet block cut in the middle (file ends inside frame 3)
    w, fr = plain()
    for i, (ts, wl, d) in enumerate(fr):
        w.epb(0, ts, d, wirelen=wl)
    b = w.bytes()
    out["pcapng_truncated_block"] = (b[:-40], dict(
        frames=2, rc=1, err="frame 3 (enhanced packet block): the file ends inside the block"))

    # a block header cut short
    w, fr = plain()
    w.epb(0, fr[0][0], fr[0][2])
    out["pcapng_truncated_header"] = (w.bytes() + b"\x06\x00\x00", dict(
        frames=1, rc=1, err="the file ends inside a block header after frame 1"))

    # an option whose length runs past the block (frame 2), then a good frame
    w, fr = plain()
    w.epb(0, fr[0][0], fr[0][2], flags=2)
    w.epb(0, fr[1][0], fr[1][2], flags=1,
          extra_opts=[(2, b"")])  # placeholder, patched below
    blk = w.parts[-1]
    # the last option before opt_endofopt is (2, len 0): make its length say 200
    o = blk.rfind(struct.pack("<HH", 2, 0))
    w.parts[-1] = blk[:o] + struct.pack("<HH", 2, 200) + blk[o + 4:]
    w.epb(0, fr[2][0], fr[2][2])
    out["pcapng_option_length_lie"] = (w.bytes(), dict(
        frames=1, rc=1,
        err="frame 2 (enhanced packet block): option 2 says 200 bytes but only"))

    # epb_packetid of 4 bytes (must be 8)
    w, fr = plain()
    w.epb(0, fr[0][0], fr[0][2], extra_opts=[(5, b"\x01\x02\x03\x04")])
    out["pcapng_packetid_short"] = (w.bytes(), dict(
        frames=0, rc=1, err="frame 1 (enhanced packet block): epb_packetid of 4 bytes"))

    # captured length larger than the block
    w, fr = plain()
    w.epb(0, fr[0][0], fr[0][2], caplen=4000)
    out["pcapng_caplen_lie"] = (w.bytes(), dict(
        frames=0, rc=1, err="frame 1 (enhanced packet block): captured length 4000 runs past"))

    # trailing block length differs from the leading one
    w, fr = plain()
    w.epb(0, fr[0][0], fr[0][2])
    w.parts.pop()
    body = struct.pack("<IIIII", 0, 0, 0, len(fr[0][2]), len(fr[0][2])) + \
        pcapnglib.pad4(fr[0][2])
    w.block(EPB, body, trailer=len(body) + 16)
    out["pcapng_trailer_lie"] = (w.bytes(), dict(
        frames=0, rc=1, err="frame 1 (enhanced packet block): trailing length"))

    # a packet on an interface never described
    w, fr = plain()
    w.epb(3, fr[0][0], fr[0][2])
    out["pcapng_undescribed_interface"] = (w.bytes(), dict(
        frames=0, rc=1, err="frame 1 (enhanced packet block): interface 3 is not described"))

    # unknown and uninteresting blocks between packets are skipped
    w, fr = plain()
    w.block(0x00000BAD, b"custom block with a private enterprise number" + b"\0" * 3)
    w.epb(0, fr[0][0], fr[0][2])
    w.block(4, b"\x00\x00\x00\x00")  # name resolution block, end of records only
    w.epb(0, fr[1][0], fr[1][2])
    w.block(5, struct.pack("<III", 0, 0, 0))  # interface statistics block
    w.block(0x40000BAD, b"\x00" * 64)
    w.epb(0, fr[2][0], fr[2][2])
    out["pcapng_unknown_blocks"] = (w.bytes(), dict(frames=3, rc=0))

    # both byte orders: a little-endian section then a big-endian one
    w = PcapngWriter(big=False)
    w.section()
    w.interface(lt, 0, name="le0")
    w.epb(0, fr[0][0], fr[0][2], flags=2, packet_id=7)
    w2 = PcapngWriter(big=True)
    w2.section()
    w2.interface(lt, 0, name="be0", tsresol=9)
    w2.epb(0, fr[1][0], fr[1][2], tsresol=9, flags=1, packet_id=8,
           verdict=(2, 51), dropcount=3, comments=["big-endian"])
    w2.epb(0, fr[2][0], fr[2][2], tsresol=9)
    out["pcapng_two_byte_orders"] = (w.bytes() + w2.bytes(), dict(
        frames=3, rc=0, keys={1: dict(interface=0, if_name="le0", direction="out", packet_id=7),
                              2: dict(interface=1, if_name="be0", direction="in", packet_id=8,
                                      verdict={"type": 2, "value": 51, "interface": 1,
                                               "if_name": "be0"}, dropcount=3,
                                      comment="big-endian")}))

    # if_tsresol in powers of ten and of two, and if_tsoffset
    for name, res, off, ts_ns, want in (
            ("pcapng_tsresol_10e-3", 3, None, T0, "1795356271.927000000"),
            ("pcapng_tsresol_10e-9", 9, None, T0, "1795356271.927828000"),
            ("pcapng_tsresol_10e-12", 12, None, 10**15 + 1, "1000000.000000001"),
            ("pcapng_tsresol_2e-20", 0x80 | 20, None, T0, None),
            ("pcapng_tsresol_2e-0_offset", 0x80, 1000, T0, "1795356271.000000000")):
        w, fr = plain(tsresol=res, tsoffset=off)
        if res & 0x80 and off is None:
            # 2^-20 s ticks: 1795356271 s + 971849/2^20 s = .927828788... s
            ticks = (1795356271 << 20) | 972900
            body = struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(fr[0][2]),
                               len(fr[0][2])) + pcapnglib.pad4(fr[0][2])
            w.block(EPB, body)
            want = "1795356271.%09d" % (972900 * 10**9 >> 20)
        else:
            w.epb(0, ts_ns - (off or 0) * 10**9, fr[0][2], tsresol=res)
        out[name] = (w.bytes(), dict(frames=1, rc=0, ts=want))
    return out


def main():
    fixtures = build()
    regress = os.path.join(CAPS, "regress")
    if "--write" in sys.argv:
        for name, (b, _) in fixtures.items():
            with open(os.path.join(regress, name + ".pcapng"), "wb") as f:
                f.write(b)
        print("wrote %d fixtures" % len(fixtures))
        return
    for name, (b, exp) in sorted(fixtures.items()):
        path = os.path.join(regress, name + ".pcapng")
        try:
            with open(path, "rb") as f:
                committed = f.read()
        except OSError as e:
            check("%s is committed" % name, False, e)
            continue
        check("%s: committed bytes are what this script builds" % name, committed == b)
        p = subprocess.run([IKEDUMP, "--json", "--all", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        recs = [json.loads(l) for l in p.stdout.splitlines()]
        recs = [r for r in recs if "frame" in r]
        check("%s: %d frames, exit %d" % (name, exp["frames"], exp["rc"]),
              len(recs) == exp["frames"] and p.returncode == exp["rc"],
              (len(recs), p.returncode, p.stderr))
        if "err" in exp:
            # a long path (a distcheck tree) is shortened from its start: the file's name stays
            check("%s: message names the file and the frame" % name,
                  (path in p.stderr if len(path) <= 100 else os.path.basename(path) in p.stderr)
                  and exp["err"] in p.stderr, p.stderr)
        else:
            check("%s: no message" % name, p.stderr == "", p.stderr)
        if "ts" in exp and recs:
            line = p.stdout.splitlines()[0]
            got = line.split('"ts":', 1)[1].split(",", 1)[0]
            check("%s: ts %s" % (name, exp["ts"]), got == exp["ts"], got)
        for frame, keys in exp.get("keys", {}).items():
            r = next((r for r in recs if r["frame"] == frame), {})
            sub = {k: r.get(k) for k in keys}
            check("%s: frame %d carries %s" % (name, frame, sorted(keys)), sub == keys, sub)
    # the same bad file under a path longer than the message keeps of it
    import shutil
    import tempfile
    deep = os.path.join(tempfile.mkdtemp(prefix="pcapng-regress-"), "d" * 150)
    os.makedirs(deep)
    bad = os.path.join(deep, "pcapng_undescribed_interface.pcapng")
    shutil.copy(os.path.join(CAPS, "regress", "pcapng_undescribed_interface.pcapng"), bad)
    p = subprocess.run([IKEDUMP, bad], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check("a 170-character path: the message still names the file and the frame",
          p.returncode == 1 and "pcapng_undescribed_interface.pcapng: frame 1" in p.stderr, p.stderr)
    shutil.rmtree(os.path.dirname(deep))
    finish()


main()
