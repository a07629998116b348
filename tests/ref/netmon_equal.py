#!/usr/bin/env python3
"""Network Monitor input decodes like the pcap it was converted from.

Every shared Ethernet capture in captures/ is converted with editcap -F
netmon2 and -F netmon1 (when editcap is installed; otherwise the committed
conversions in captures/netmon/ are used) and `ikedump --json` of each is
compared with `ikedump --json` of the pcap: every record must be identical
except the timestamp, which must agree within the format's resolution
(2.x: microseconds, so exactly for these microsecond pcaps; 1.x:
milliseconds, rounded). Also checks a BPF filter on NetMon input keeps the
file's frame numbers, and that NetMon input on a pipe is refused clearly.

Run by make check (IKEDUMP and IKS_CAPTURES set). Prints one line per
check and 'N passed, N failed'.
"""
import decimal
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

IKEDUMP = os.environ["IKEDUMP"]
CAPS = os.environ["IKS_CAPTURES"]
results = []

# tolerance per format in nanoseconds: 2.x stores microseconds, 1.x milliseconds
RESOLUTION = {"nm2": 0, "nm1": 500000}


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " -- " + str(detail)))


def dump(path, *extra):
    p = subprocess.run([IKEDUMP, "--json", *extra, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, [json.loads(l, parse_float=decimal.Decimal) for l in p.stdout.splitlines()], p.stderr


def split_ts(rec):
    rec = dict(rec)
    ts = rec.pop("ts", None)
    return rec, ts


def to_ns(ts):
    return int(decimal.Decimal(ts) * 1000000000)


def compare(name, pcap, cap, fmt):
    rc1, want, err1 = dump(pcap)
    rc2, got, err2 = dump(cap)
    check("%s %s: exit status %d as the pcap's" % (name, fmt, rc1), rc1 == rc2, err2)
    check("%s %s: %d records" % (name, fmt, len(want)), len(want) == len(got), len(got))
    worst, first_diff = 0, None
    for i, (w, g) in enumerate(zip(want, got)):
        wr, wts = split_ts(w)
        gr, gts = split_ts(g)
        if wr != gr and first_diff is None:
            first_diff = (i, w, g)
        if (wts is None) != (gts is None):
            first_diff = first_diff or (i, w, g)
        elif wts is not None:
            worst = max(worst, abs(to_ns(wts) - to_ns(gts)))
    check("%s %s: records identical but for ts" % (name, fmt), first_diff is None, first_diff)
    check("%s %s: ts within %d ns (worst %d)" % (name, fmt, RESOLUTION[fmt], worst),
          worst <= RESOLUTION[fmt], worst)
    return len(want)


def ethernet_pcaps():
    out = []
    for path in sorted(glob.glob(os.path.join(CAPS, "*.pcap"))):
        with open(path, "rb") as f:
            hdr = f.read(24)
        if len(hdr) == 24 and int.from_bytes(hdr[20:24], "little") == 1:
            out.append(path)
    return out


def main():
    editcap = shutil.which("editcap")
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        if editcap:
            pairs = []
            for pcap in ethernet_pcaps():
                base = os.path.basename(pcap)[:-5]
                for fmt, ftype in (("nm2", "netmon2"), ("nm1", "netmon1")):
                    cap = os.path.join(tmp, "%s.%s.cap" % (base, fmt))
                    subprocess.run([editcap, "-F", ftype, pcap, cap], check=True)
                    pairs.append((base, pcap, cap, fmt))
            print("converted %d captures with %s" % (len(pairs) // 2, editcap))
        else:
            pairs = []
            for cap in sorted(glob.glob(os.path.join(CAPS, "netmon", "*.cap"))):
                base, fmt = os.path.basename(cap).split(".")[:2]
                pairs.append((base, os.path.join(CAPS, base + ".pcap"), cap, fmt))
            print("editcap not found: using the %d committed conversions" % len(pairs))
        check("at least the committed fixtures are compared", len(pairs) >= 4, len(pairs))
        for base, pcap, cap, fmt in pairs:
            total += compare(base, pcap, cap, fmt)

    # the committed fixtures are what editcap writes (magic and version)
    for fmt, magic, ver in (("nm2", b"GMBU", (0, 2)), ("nm1", b"RTSS", (1, 1))):
        with open(os.path.join(CAPS, "netmon", "scapy_natt.%s.cap" % fmt), "rb") as f:
            head = f.read(6)
        check("scapy_natt.%s.cap: magic %s version %d.%d" % (fmt, magic.decode(), ver[1], ver[0]),
              head[:4] == magic and (head[4], head[5]) == ver, head)

    # a filter on NetMon input keeps the file's frame numbers (frames 9, 10 as in the pcap)
    cap2 = os.path.join(CAPS, "netmon", "ikev2_cert_fragdrop_a.nm2.cap")
    rc, want, _ = dump(os.path.join(CAPS, "ikev2_cert_fragdrop_a.pcap"), "-f", "udp port 500")
    rc2, got, err = dump(cap2, "-f", "udp port 500")
    frames = [r["frame"] for r in got if "frame" in r]
    check("filter on netmon2: frames %s as the pcap" % frames,
          rc2 == 0 and frames == [r["frame"] for r in want if "frame" in r] and frames, err)

    # standard input: a redirected file works, a pipe is refused with a clear message
    _, whole, _ = dump(cap2)
    with open(cap2, "rb") as f:
        p = subprocess.run([IKEDUMP, "--json", "-"], stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    got = [json.loads(l, parse_float=decimal.Decimal) for l in p.stdout.splitlines()]
    check("netmon2 on redirected stdin: the same %d records as by name" % len(whole),
          p.returncode == 0 and got == whole and len(whole) >= 12, p.stderr)
    with open(cap2, "rb") as f:
        data = f.read()
    p = subprocess.run([IKEDUMP, "--json", "-"], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    err = p.stderr.decode()
    check("netmon2 on a pipe: non-zero exit, one line saying why",
          p.returncode != 0 and "pipe" in err and "Network Monitor" in err
          and err.count("\n") == 1, err)

    # pcapcorrelate on a NetMon pair: the same report as on the pcaps, the same lost packets
    pc = os.environ.get("PCAPCORRELATE")
    if pc:
        with tempfile.TemporaryDirectory() as tmp:
            name = "ikev2_cert_fragdrop"
            reports, lost = [], []
            for kind in ("pcap", "nm2"):
                pair = [os.path.join(CAPS, "%s_%s.pcap" % (name, s)) if kind == "pcap" else
                        os.path.join(CAPS, "netmon", "%s_%s.nm2.cap" % (name, s)) for s in "ab"]
                if kind == "nm2" and not os.path.exists(pair[1]):
                    if not editcap:
                        break
                    pair[1] = os.path.join(tmp, "b.cap")
                    subprocess.run([editcap, "-F", "netmon2", os.path.join(CAPS, name + "_b.pcap"),
                                    pair[1]], check=True)
                out = os.path.join(tmp, kind + ".lost.pcap")
                p = subprocess.run([pc, "--json", "-w", out, *pair], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
                d = json.loads(p.stdout) if p.returncode == 0 else {}
                d.pop("captures", None)
                reports.append(d)
                with open(out, "rb") as f:
                    lost.append(f.read() if p.returncode == 0 else None)
            if len(reports) == 2:
                check("pcapcorrelate on netmon2 = on pcap (%d negotiations, %d findings)" %
                      (len(reports[0].get("negotiations", [])), len(reports[0].get("findings", []))),
                      reports[0] == reports[1] and reports[0], "reports differ")
                check("pcapcorrelate -w on netmon2 writes the same lost packets (%d bytes)" %
                      len(lost[0] or b""), lost[0] == lost[1] and lost[0] and len(lost[0]) > 24)

    print("compared %d records" % total)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
