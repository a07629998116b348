#!/usr/bin/env python3
"""pcapcorrelate --pcapng read by Wireshark: `frame.comment contains "LOST"` lists exactly the lost packets.

The same construction as tests/cli/pcapcorrelate_pcapng.py (which checks it
with our own reader and runs everywhere): ikev2_psk_randomloss, where the
router dropped packets at random; ground truth, fragment by fragment, from
ikedump on both captures (what one end sent and the other never got, less
the datagram a router answered with an ICMP error). tshark must list
exactly those frames as LOST, and count every frame of both inputs on two
interfaces named after the capture points. Exit 77 (skipped) without
tshark.

Run by make check (IKEDUMP, PCAPCORRELATE, IKS_CAPTURES).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, cap, check, finish  # noqa: E402

A, B = "192.0.2.1", "198.51.100.1"
TSHARK = shutil.which("tshark")
if not TSHARK:
    print("tshark not installed: skipped (tests/cli/pcapcorrelate_pcapng.py checks the same "
          "with our reader)")
    sys.exit(77)


def dump(path):
    out = subprocess.run([IKEDUMP, "--json", "--all", path], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    return [r for r in (json.loads(l) for l in out.splitlines()) if "frame" in r]


def pieces(recs, src, dst):
    return {(r["ip_id"], (r.get("frag") or {}).get("offset", 0)) for r in recs
            if r.get("src") == src and r.get("dst") == dst and "ip_id" in r}


def tshark(path, *args):
    return subprocess.run([TSHARK, "-r", path, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout


tmp = tempfile.mkdtemp(prefix="iks-pcapng-tshark-")
try:
    pa, pb = cap("ikev2_psk_randomloss_a.pcap"), cap("ikev2_psk_randomloss_b.pcap")
    ra, rb = dump(pa), dump(pb)
    out = os.path.join(tmp, "both.pcapng")
    p = subprocess.run([PCAPCORRELATE, "--json", "--pcapng", out, pa, pb], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    check("pcapcorrelate --pcapng runs", p.returncode == 0, p.stderr)
    d = json.loads(p.stdout)
    icmp = {f["ip_id"] for f in d["findings"] if f["kind"] == "icmp-frag-needed"}
    want = set()
    for side, (mine, theirs, src, dst) in enumerate(((ra, rb, A, B), (rb, ra, B, A))):
        for ip_id, off in pieces(mine, src, dst) - pieces(theirs, src, dst):
            if ip_id not in icmp:
                want.add((side, ip_id, off))
    rows = tshark(out, "-Y", 'frame.comment contains "LOST"', "-T", "fields", "-e",
                  "frame.interface_id", "-e", "ip.id", "-e", "ip.frag_offset").splitlines()
    got = set()
    for l in rows:
        iface, ip_id, off = (l.split("\t") + ["", "", ""])[:3]
        # ip.frag_offset: in 8-byte units in the tshark versions we use (4.0)
        got.add((int(iface), int(ip_id, 0), int(off or 0) * 8))
    check("tshark: frame.comment contains \"LOST\" lists exactly the %d lost packets and "
          "fragments" % len(want), got == want and len(rows) == len(want),
          (sorted(got - want), sorted(want - got)))
    ifaces = tshark(out, "-T", "fields", "-e", "frame.interface_id", "-e",
                    "frame.interface_name").splitlines()
    n0 = [l for l in ifaces if l.startswith("0\t")]
    n1 = [l for l in ifaces if l.startswith("1\t")]
    check("tshark: %d frames on 'a %s', %d on 'b %s'" % (len(n0), A, len(n1), B),
          len(n0) == len(ra) and len(n1) == len(rb) and len(ifaces) == len(ra) + len(rb)
          and set(n0) == {"0\ta " + A} and set(n1) == {"1\tb " + B}, (len(n0), len(n1)))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
