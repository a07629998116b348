#!/usr/bin/env python3
"""pcapng input (read by lib/capture/pcapng.c) decodes like the pcap read by libpcap.

For every classic pcap in captures/ (the reference: libpcap reads it):
 - the same frames written as pcapng by tests/lib/pcapnglib.py in several
   shapes (little- and big-endian sections, if_tsresol 10^-6, 10^-9 and
   2^-30, one comment and epb_flags on each frame), and
 - when editcap is installed, its `editcap -F pcapng` conversion,
must give the same `ikedump --json` records once the pcapng keys
(interface, if_name, direction, packet_id, verdict, dropcount, comment) are
removed; the timestamp must be exact except for 2^-30 (within 1 ns).
Every pcapng in captures/ must match its `editcap -F nsecpcap` conversion
(editcap needed). Also: --count lines agree, standard input works, a BPF
filter keeps frame numbers, and the new keys carry what was written.

Run by make check (IKEDUMP, IKS_CAPTURES). Prints one line per check.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
from iks_testlib import IKEDUMP, CAPS, check, finish  # noqa: E402
import pcapnglib  # noqa: E402

NEW_KEYS = {"interface", "if_name", "direction", "packet_id", "verdict", "dropcount", "comment",
            "copies", "components"}


def dump(*args, stdin=None):
    p = subprocess.run([IKEDUMP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def records(path, *extra):
    rc, out, err = dump("--json", *extra, path)
    recs = (json.loads(l, parse_float=Decimal) for l in out.splitlines())
    return rc, [r for r in recs if "frame" in r], err


def strip(recs):
    return [{k: v for k, v in r.items() if k not in NEW_KEYS} for r in recs]


def same(a, b, ts_tol_ns=0):
    """Records equal; 'ts' within ts_tol_ns. Returns (ok, first difference)."""
    if len(a) != len(b):
        return False, "%d vs %d records" % (len(a), len(b))
    for x, y in zip(a, b):
        if ts_tol_ns and "ts" in x and "ts" in y:
            d = abs(x["ts"] - y["ts"]) * 10**9
            if d > ts_tol_ns:
                return False, "frame %s: ts %s vs %s" % (x.get("frame"), x["ts"], y["ts"])
            x = dict(x, ts=None)
            y = dict(y, ts=None)
        if x != y:
            return False, "first difference: %s vs %s" % (json.dumps(x)[:300], json.dumps(y)[:300])
    return True, ""


SHAPES = [  # name, big-endian, if_tsresol, ts tolerance (ns) for nanosecond pcaps
    ("le-usec", False, 6, 999),
    ("be-nsec", True, 9, 0),
    ("le-2^-30", False, 0x80 | 30, 2),  # two floors: within 2 ns
]


def write_shape(pcap, out, big, tsresol):
    linktype, frames = pcapnglib.read_pcap(pcap)
    w = pcapnglib.PcapngWriter(big=big)
    w.section(comment="from " + os.path.basename(pcap))
    w.interface(linktype, 262144, name="eth-test", tsresol=tsresol)
    for i, (ts, wl, data) in enumerate(frames):
        w.epb(0, ts, data, wirelen=wl, tsresol=tsresol, flags=1 + i % 2, packet_id=i + 1,
              comments=["frame %d" % (i + 1)])
    w.write(out)
    return len(frames)


def main():
    tmp = tempfile.mkdtemp(prefix="iks-pcapng-eq-")
    editcap = shutil.which("editcap")
    pcaps = sorted(glob.glob(os.path.join(CAPS, "*.pcap")))
    check("captures to compare", len(pcaps) > 10, len(pcaps))
    try:
        nframes = 0
        for pcap in pcaps:
            base = os.path.basename(pcap)
            rc, ref, err = records(pcap)
            if rc != 0:
                check("%s reads through libpcap" % base, False, err)
                continue
            for name, big, res, tol in SHAPES:
                out = os.path.join(tmp, "%s.%s.pcapng" % (base, name))
                n = write_shape(pcap, out, big, res)
                if not any(r["ts"] % Decimal("0.000001") for r in ref):
                    tol = 2 if res & 0x80 else 0  # microsecond pcap: exact but for 2^-n
                rc, got, err = records(out)
                ok, why = same(strip(got), ref, tol)
                check("%s as pcapng %s: same records" % (base, name), rc == 0 and ok,
                      err or why)
                if name == "le-usec":
                    nframes += n
                    # the new keys carry what was written
                    bad = [r for r in got if r.get("interface") != 0
                           or r.get("if_name") != "eth-test"
                           or r.get("packet_id") != r["frame"]
                           or r.get("comment") != "frame %d" % r["frame"]
                           or r.get("direction") != ("in" if r["frame"] % 2 else "out")]
                    check("%s as pcapng: interface, if_name, packet_id, comment, direction "
                          "on every record" % base, not bad, bad[:1])
            if editcap:
                out = os.path.join(tmp, base + ".editcap.pcapng")
                subprocess.run([editcap, "-F", "pcapng", pcap, out], check=True)
                rc, got, err = records(out)
                ok, why = same(strip(got), ref)
                check("%s through editcap -F pcapng: same records" % base, rc == 0 and ok,
                      err or why)
                c1 = dump("--count", pcap)[1]
                c2 = dump("--count", out)[1]
                check("%s through editcap: same --count line" % base, c1 == c2, (c1, c2))
        print("# %d frames in %d pcaps compared" % (nframes, len(pcaps)))

        for ng in sorted(glob.glob(os.path.join(CAPS, "*.pcapng"))):
            base = os.path.basename(ng)
            if not editcap:
                print("# %s: editcap missing, not compared" % base)
                continue
            out = os.path.join(tmp, base + ".pcap")
            subprocess.run([editcap, "-F", "nsecpcap", ng, out], check=True)
            rc1, ref, e1 = records(out)
            rc2, got, e2 = records(ng)
            ok, why = same(strip(got), ref)
            check("%s against its editcap -F nsecpcap conversion (%d records)"
                  % (base, len(ref)), rc1 == 0 and rc2 == 0 and ok and ref, e1 or e2 or why)

        # standard input and a filter keep working on pcapng
        src = os.path.join(tmp, "ikev2_psk_randomloss_a.pcap.le-usec.pcapng")
        if os.path.exists(src):
            rc, ref, _ = records(src)
            with open(src, "rb") as f:
                p = subprocess.run([IKEDUMP, "--json", "-"], stdin=f, stdout=subprocess.PIPE)
            got = [json.loads(l, parse_float=Decimal) for l in p.stdout.decode().splitlines()]
            got = [r for r in got if "frame" in r]
            check("pcapng on standard input: same records", p.returncode == 0 and got == ref)
            with open(src, "rb") as f:
                data = f.read()
            p = subprocess.run([IKEDUMP, "--json", "-"], input=data, stdout=subprocess.PIPE)
            got = [json.loads(l, parse_float=Decimal) for l in p.stdout.decode().splitlines()]
            got = [r for r in got if "frame" in r]
            check("pcapng through a pipe: same records", p.returncode == 0 and got == ref)
            rc, filt, err = records(src, "-f", "udp port 500")
            want = [r for r in ref if r.get("udp", {}).get("dport") == 500
                    or r.get("udp", {}).get("sport") == 500]
            check("pcapng with a BPF filter keeps frame numbers (%d records)" % len(filt),
                  rc == 0 and filt and [r["frame"] for r in filt] == [r["frame"] for r in want],
                  err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


main()
