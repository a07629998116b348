#!/usr/bin/env python3
"""ikedump --log and pcapcorrelate --log-a/--log-b on the real logs of
issue #21 (captures/logs/, scripts/lab-logs.sh): charon with time_add_ms,
ike_name and packet dumps in several time formats, libreswan pluto with
plutodebug=all. Every IKE packet of each capture must join its log line,
byte-exact where the log dumped the packet.

Run by make check (IKEDUMP, PCAPCORRELATE and IKS_CAPTURES set).
"""
import json
import sys
import os

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, cap, check, finish, run  # noqa: E402

# capture, log, format, IKE packets in the capture, log messages, retransmits
PAIRS = [
    ("charon_v2_ms_a", "charon_v2_ms_charon_a", "charon", 8, 8, 2),
    ("charon_v2_ms_b", "charon_v2_ms_charon_b", "charon", 6, 6, 0),
    ("charon_v1_iso_a", "charon_v1_iso_charon_a", "charon", 11, 11, 0),
    ("charon_v1_iso_b", "charon_v1_iso_charon_b", "charon", 11, 11, 0),
    ("pluto_charon_v2_a", "pluto_charon_v2_pluto_a", "pluto", 8, 10, 0),
    ("pluto_charon_v2_b", "pluto_charon_v2_charon_b", "charon", 8, 10, 0),
    ("pluto_charon_v1_a", "pluto_charon_v1_pluto_a", "pluto", 11, 11, 2),
    ("pluto_charon_v1_b", "pluto_charon_v1_charon_b", "charon", 11, 11, 0),
    ("pluto_v2_drop_a", "pluto_v2_drop_pluto_a", "pluto", 12, 14, 4),
    ("pluto_v2_drop_b", "pluto_v2_drop_charon_b", "charon", 16, 18, 4),
]

total = exact = 0
for pcap, log, fmt, npkts, nmsgs, rexmit in PAIRS:
    rc, out, err = run(IKEDUMP, "--json", "--log", cap("logs/%s.log" % log), cap("logs/%s.pcap" % pcap))
    check("%s: exit 0" % log, rc == 0, err)
    recs = [json.loads(l) for l in out.splitlines()]
    s = next((r["log_summary"] for r in recs if "log_summary" in r), {})
    st = next((r["log_stats"] for r in recs if "log_stats" in r), {})
    ike = [r for r in recs if "ike" in r]
    check("%s: detected as %s" % (log, fmt), s.get("format") == fmt, s)
    check("%s: %d IKE packets, each with its log line" % (log, npkts),
          len(ike) == npkts and all(r.get("log") and r["log"]["line"] > 0 for r in ike),
          [r.get("log") for r in ike])
    check("%s: every packet joined, all byte-exact" % log,
          s.get("unmatched_capture") == 0 and s.get("matched") == npkts
          and s.get("matched_exact") == npkts and s.get("messages") == nmsgs, s)
    check("%s: %d retransmits tied to packets" % (log, rexmit), st.get("retransmits") == rexmit, st)
    total += npkts
    exact += s.get("matched_exact", 0)
check("all pairs: %d of %d IKE packets joined byte-exact" % (exact, total), exact == total == 102)

# pluto on one end, charon on the other, in one correlation
for name in ("pluto_charon_v2", "pluto_charon_v1", "pluto_v2_drop"):
    rc, out, err = run(PCAPCORRELATE, "--json", cap("logs/%s_a.pcap" % name), cap("logs/%s_b.pcap" % name),
                       "--log-a", cap("logs/%s_pluto_a.log" % name),
                       "--log-b", cap("logs/%s_charon_b.log" % name))
    check("%s: pcapcorrelate exit 0" % name, rc == 0, err)
    doc = json.loads(out) if rc == 0 else {}
    logs = doc.get("logs") or {}
    a, b = logs.get("a") or {}, logs.get("b") or {}
    check("%s: pluto log on a, charon log on b, both join every packet" % name,
          a.get("format") == "pluto" and b.get("format") == "charon"
          and a.get("unmatched_capture") == 0 and b.get("unmatched_capture") == 0
          and a.get("matched", 0) > 0 and b.get("matched", 0) > 0, (a, b))

finish()
