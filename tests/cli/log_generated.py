#!/usr/bin/env python3
"""Generated FortiGate IKE debug logs joined to the lab captures they were
made from (tests/gen/fortigen.py): every message line must join the frame it
was written from, packet by packet; both cookie byte orders and a clock
offset must be learned; unknown lines kept and counted; a cut last line
kept as cut.

Run by make check (IKEDUMP and IKS_CAPTURES set).
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, cap, check, finish, run  # noqa: E402

GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen", "fortigen.py")

# capture, the FortiGate's address in it
CAPTURES = [("logs/charon_v2_ms_a.pcap", "192.0.2.1"), ("logs/charon_v2_ms_b.pcap", "198.51.100.1"),
            ("ikev1_psk_natt_a.pcap", "192.0.2.1"), ("ikev1_psk_natt_b.pcap", "198.51.100.1"),
            ("logs/pluto_charon_v1_b.pcap", "198.51.100.1"),
            ("ikev2_psk_realnat_b.pcap", "198.51.100.1")]
# offset (log clock minus capture clock), reversed, hex, unknown lines, cut
VARIANTS = [(-3723, False, True, 5, True), (7200, True, False, 7, False),
            (0, False, False, 0, False), (-45, True, True, 3, True)]

tmp = tempfile.mkdtemp(prefix="iks-fortigen-")
total = joined = 0
for capture, local in CAPTURES:
    for k, (offset, rev, hexd, unknown, cut) in enumerate(VARIANTS):
        tag = "%s v%d" % (capture, k)
        log = os.path.join(tmp, "fg%d.log" % k)
        ans = os.path.join(tmp, "fg%d.json" % k)
        args = [sys.executable, GEN, cap(capture), local, log, ans, "--offset", str(offset),
                "--unknown", str(unknown)]
        args += ["--reversed"] if rev else []
        args += ["--hex"] if hexd else []
        args += ["--cut"] if cut else []
        subprocess.run(args, check=True)
        with open(ans) as f:
            a = json.load(f)
        rc, out, err = run(IKEDUMP, "--json", "--log", log, cap(capture))
        check("%s: exit 0" % tag, rc == 0, err)
        recs = [json.loads(l) for l in out.splitlines()]
        frames = {r["frame"]: r for r in recs if "frame" in r}
        s = next((r["log_summary"] for r in recs if "log_summary" in r), {})
        st = next((r["log_stats"] for r in recs if "log_stats" in r), {})
        want = {int(line): frame for line, frame in a["messages"].items()}
        got = {}
        for line, frame in want.items():
            lg = (frames.get(frame) or {}).get("log") or {}
            got[line] = lg.get("line")
        ok = all(got[l] == l for l in want)
        check("%s: each of %d message lines joins its own frame" % (tag, len(want)), ok,
              {l: (want[l], got[l]) for l in want if got[l] != l})
        check("%s: fortigate, nothing unmatched" % tag,
              s.get("format") == "fortigate" and s.get("matched") == len(want)
              and s.get("unmatched_log") == 0 and s.get("unmatched_capture") == 0, s)
        check("%s: byte order %s learned" % (tag, "reversed" if rev else "as-printed"),
              s.get("byte_order") == ("reversed" if rev else "as-printed"), s.get("byte_order"))
        off = s.get("offset_seconds")
        check("%s: clock offset %+d s learned (whole seconds)" % (tag, -offset),
              off is not None and abs(off + offset) < 1.0, off)
        check("%s: %d unknown lines kept and counted, cut %d" % (tag, unknown, int(cut)),
              st.get("unknown") == unknown and st.get("cut") == int(cut)
              and st.get("lines") == a["lines"], st)
        check("%s: byte-exact %s" % (tag, "with the hex lines" if hexd else "none without them"),
              s.get("matched_exact") == (len(want) if hexd else 0), s.get("matched_exact"))
        total += len(want)
        joined += sum(1 for l in want if got[l] == l)
check("all: %d of %d generated message lines joined their frame" % (joined, total),
      joined == total and total > 0)
finish()
