#!/usr/bin/env python3
"""ikedump --log and pcapcorrelate --log-a/--log-b on the real logs of
issue #21 (captures/logs/, scripts/lab-logs.sh): charon with time_add_ms,
ike_name and packet dumps in several time formats, libreswan pluto with
plutodebug=all, pluto at both ends, pluto behind a real NAT (r's
masquerade). Every IKE packet of each capture must join its log line,
byte-exact where the log dumped the packet; resends in the capture must
equal the retransmits the log names; the lab PSK appears in no output.

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
    # pluto at both ends
    ("pluto_pluto_v2_a", "pluto_pluto_v2_pluto_a", "pluto", 6, 6, 0),
    ("pluto_pluto_v2_b", "pluto_pluto_v2_pluto_b", "pluto", 6, 6, 0),
    ("pluto_pluto_v1_a", "pluto_pluto_v1_pluto_a", "pluto", 12, 12, 3),
    ("pluto_pluto_v1_b", "pluto_pluto_v1_pluto_b", "pluto", 12, 12, 0),
    # pluto (a) behind r's masquerade, charon (b): real NAT-T on 4500
    ("pluto_nat_v2_a", "pluto_nat_v2_pluto_a", "pluto", 10, 10, 0),
    ("pluto_nat_v2_b", "pluto_nat_v2_charon_b", "charon", 10, 10, 0),
    ("pluto_nat_v1_a", "pluto_nat_v1_pluto_a", "pluto", 12, 12, 3),
    ("pluto_nat_v1_b", "pluto_nat_v1_charon_b", "charon", 12, 12, 0),
]
PSK = b"research-test-psk-0123456789"  # scripts/lab-logs.sh: never in any output

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
    # each retransmit is a packet of the capture: as many sends of the same
    # message (SPIs, message ID, exchange, length) as the log has retransmits
    sends = {}
    for r in ike:
        if r["log"].get("dir") == "sent" or r["log"].get("direction") == "sent":
            k = (r["ike"]["ispi"], r["ike"]["rspi"], r["ike"]["msgid"], r["ike"]["exchange"], r["ike"]["length"])
            sends[k] = sends.get(k, 0) + 1
    if sends:
        check("%s: %d resent packets in the capture" % (log, rexmit),
              sum(n - 1 for n in sends.values()) == rexmit, sends)
    rc2, text, err2 = run(IKEDUMP, "--log", cap("logs/%s.log" % log), cap("logs/%s.pcap" % pcap))
    check("%s: no PSK in the output" % log, rc2 == 0 and PSK.decode() not in out + text + err + err2)
    total += npkts
    exact += s.get("matched_exact", 0)
check("all pairs: %d of %d IKE packets joined byte-exact" % (exact, total), exact == total == 182)

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

# pluto at both ends, and pluto behind r's masquerade with charon at b: both
# logs join every message of the negotiation timeline (each logged its sends
# and receipts, all captured), retransmits as in the logs, NAT seen
NEW_RUNS = [
    # name, log a, log b, format b, messages, retransmits, NAT
    ("pluto_pluto_v2", "pluto", "pluto", 6, 0, False),
    ("pluto_pluto_v1", "pluto", "pluto", 12, 3, False),
    ("pluto_nat_v2", "pluto", "charon", 10, 0, True),
    ("pluto_nat_v1", "pluto", "charon", 12, 3, True),
]
for name, fa, fb, nmsgs, rexmit, nat in NEW_RUNS:
    rc, out, err = run(PCAPCORRELATE, "--json", cap("logs/%s_a.pcap" % name), cap("logs/%s_b.pcap" % name),
                       "--log-a", cap("logs/%s_%s_a.log" % (name, fa)),
                       "--log-b", cap("logs/%s_%s_b.log" % (name, fb)))
    check("%s: pcapcorrelate exit 0" % name, rc == 0, err)
    check("%s: no PSK in the output" % name, PSK.decode() not in out + err)
    doc = json.loads(out) if rc == 0 else {}
    logs = doc.get("logs") or {}
    a, b = logs.get("a") or {}, logs.get("b") or {}
    check("%s: %s log on a, %s log on b, each joins all %d messages" % (name, fa, fb, nmsgs),
          a.get("format") == fa and b.get("format") == fb
          and a.get("matched") == a.get("messages") == nmsgs and b.get("matched") == b.get("messages") == nmsgs
          and a.get("unmatched_capture") == 0 and b.get("unmatched_capture") == 0
          and a.get("unmatched_log") == 0 and b.get("unmatched_log") == 0, (a, b))
    msgs = [m for n in doc.get("negotiations", []) for x in n["exchanges"] for m in x["messages"]]
    check("%s: every message of the timeline has its sender's and receiver's log line" % name,
          msgs and all(m.get("log_sent") and m.get("log_received") for m in msgs),
          [(m["dir"], m["length"], m.get("log_sent"), m.get("log_received")) for m in msgs])
    check("%s: %d retransmits in the a log and in the timeline" % (name, rexmit),
          a.get("retransmits") == rexmit and sum(m["retransmits"] for m in msgs) == rexmit,
          (a.get("retransmits"), [m["retransmits"] for m in msgs]))
    natf = [f for f in doc.get("findings", []) if f["kind"] == "nat-detected"]
    if nat:
        check("%s: r's NAT found on 500 and 4500 (a's ports to 40000-50000)" % name,
              sorted(f["port_before"] for f in natf) == [500, 4500]
              and all(f["before"] == "192.0.2.1" and f["after"] == "198.51.100.254"
                      and 40000 <= f["port_after"] <= 50000 for f in natf), natf)
    else:
        check("%s: no NAT" % name, not natf, natf)

# "message dropped" lines (pluto: a message received for an IKE SA it no
# longer has): each is shown with the message it follows, the last one
# the log says it received before that line, in ikedump --log (JSON and
# text) and in pcapcorrelate's timeline; the lines come from the raw log
import re  # noqa: E402
for pcap, log, fmt, npkts, nmsgs, rexmit in PAIRS:
    if fmt != "pluto":
        continue
    lines = open(cap("logs/%s.log" % log), encoding="utf-8", errors="replace").read().splitlines()
    # (pluto's "| IKEv1 packet dropped" is not shown: it follows answered messages too)
    want, last_recv = {}, None
    for n, l in enumerate(lines, 1):
        if re.search(r"\*received \d+ bytes from", l):
            last_recv = n
        elif "no corresponding IKE SA; message dropped" in l and last_recv and last_recv not in want:
            want[last_recv] = n
    rc, out, err = run(IKEDUMP, "--json", "--log", cap("logs/%s.log" % log), cap("logs/%s.pcap" % pcap))
    # joined to a packet ("log"), or a message not in the capture ("log_message")
    got = {}
    for r in map(json.loads, out.splitlines()):
        m = r.get("log") or r.get("log_message") or {}
        if "dropped_line" in m:
            got[m["line"]] = m["dropped_line"]
    check("%s: %d received-then-dropped messages shown with their lines" % (log, len(want)),
          got == want, (got, want))
    rc, text, err = run(IKEDUMP, "--log", cap("logs/%s.log" % log), cap("logs/%s.pcap" % pcap))
    check("%s: the text says so too" % log,
          all(text.count(", then dropped (line %d)" % d) == 1 for d in want.values()), want)
rc, out, err = run(PCAPCORRELATE, "--json", cap("logs/pluto_pluto_v2_a.pcap"), cap("logs/pluto_pluto_v2_b.pcap"),
                   "--log-a", cap("logs/pluto_pluto_v2_pluto_a.log"),
                   "--log-b", cap("logs/pluto_pluto_v2_pluto_b.log"))
doc = json.loads(out) if rc == 0 else {}
dropped = [m["log_received"]["dropped_line"] for n in doc.get("negotiations", []) for x in n["exchanges"]
           for m in x["messages"] if (m.get("log_received") or {}).get("dropped_line")]
check("pluto_pluto_v2: the timeline shows the message a received and dropped", len(dropped) == 1, dropped)

finish()
