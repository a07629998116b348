#!/usr/bin/env python3
"""Generated FortiGate, racoon and Cisco IOS IKE debug logs joined to the lab captures they were
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
check("all: %d of %d generated FortiGate message lines joined their frame" % (joined, total),
      joined == total and total > 0)
print("fortigate: %d of %d message lines joined their frame" % (joined, total))

# racoon and Cisco IOS (tests/gen/applgen.py): the same checks; racoon's
# hex dumps make its join byte-exact and name its retransmissions, Cisco's
# IKEv2 SPIs have their byte order learned
APPLGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen", "applgen.py")
RACOON_CAPTURES = [("ikev1_psk_natt_a.pcap", "192.0.2.1"), ("ikev1_psk_natt_b.pcap", "198.51.100.1"),
                   ("logs/pluto_charon_v1_a.pcap", "192.0.2.1"),
                   ("logs/charon_v1_iso_b.pcap", "198.51.100.1")]
# offset, extra options, unknown lines, cut
RACOON_VARIANTS = [(-3723, [], 5, True), (7200, ["--syslog"], 3, False), (0, ["--nodump"], 0, False),
                   (-45, [], 2, True)]
CISCO_CAPTURES = [("logs/charon_v2_ms_a.pcap", "192.0.2.1"), ("logs/charon_v2_ms_b.pcap", "198.51.100.1"),
                  ("ikev2_psk_realnat_b.pcap", "198.51.100.1"), ("ikev1_psk_natt_a.pcap", "192.0.2.1"),
                  ("logs/pluto_charon_v1_a.pcap", "192.0.2.1")]
CISCO_VARIANTS = [(-3723, [], 5, True), (7200, ["--reversed"], 3, False), (0, ["--seconds"], 0, False),
                  (-45, ["--reversed", "--seconds"], 2, True)]

counts = {}
for fmt, captures, variants in (("racoon", RACOON_CAPTURES, RACOON_VARIANTS),
                                ("cisco", CISCO_CAPTURES, CISCO_VARIANTS)):
    total = joined = 0
    for capture, local in captures:
        for k, (offset, extra, unknown, cut) in enumerate(variants):
            tag = "%s %s v%d" % (fmt, capture, k)
            log = os.path.join(tmp, "%s%d.log" % (fmt, k))
            ans = os.path.join(tmp, "%s%d.json" % (fmt, k))
            args = [sys.executable, APPLGEN, fmt, cap(capture), local, log, ans, "--offset",
                    str(offset), "--unknown", str(unknown)] + extra + (["--cut"] if cut else [])
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
            got = {l: ((frames.get(f) or {}).get("log") or {}).get("line") for l, f in want.items()}
            check("%s: each of %d message lines joins its own frame" % (tag, len(want)),
                  all(got[l] == l for l in want), {l: (want[l], got[l]) for l in want if got[l] != l})
            check("%s: %s, nothing unmatched" % (tag, fmt),
                  s.get("format") == fmt and s.get("matched") == len(want)
                  and s.get("unmatched_log") == 0 and s.get("unmatched_capture") == 0, s)
            off = s.get("offset_seconds")
            check("%s: clock offset %+d s learned" % (tag, -offset),
                  off is not None and abs(off + offset) < 1.0, off)
            check("%s: %d unknown lines kept and counted, cut %d" % (tag, a["unknown"], int(cut)),
                  st.get("unknown") == a["unknown"] and st.get("cut") == int(cut)
                  and st.get("lines") == a["lines"], st)
            check("%s: %d retransmissions tied" % (tag, a["retransmits"]),
                  st.get("retransmits") == a["retransmits"], st)
            if fmt == "racoon":
                dumped = not extra
                check("%s: byte-exact %s" % (tag, "on every message" if dumped else "none"),
                      s.get("matched_exact") == (len(want) if dumped else 0)
                      and s.get("byte_order") == "n/a", s)
            elif "ikev2" in capture or "_v2_" in capture:
                rev = "--reversed" in extra
                check("%s: SPI byte order %s learned" % (tag, "reversed" if rev else "as-printed"),
                      s.get("byte_order") == ("reversed" if rev else "as-printed"), s)
            total += len(want)
            joined += sum(1 for l in want if got[l] == l)
    check("all: %d of %d generated %s message lines joined their frame" % (joined, total, fmt),
          joined == total and total > 0)
    print("%s: %d of %d message lines joined their frame" % (fmt, joined, total))
finish()
