#!/usr/bin/env python3
"""What the hosts' IKE logs prove joins pcapcorrelate's verdicts
(iks_correlation_use_log, issue #21), checked on the lab's pluto runs
(captures/logs) and on constructions whose answer is known:
  - pluto_v2_drop: r dropped b's IKE_SA_INIT responses; the verdict stays
    "blocked (IKE) b->a" and its log note says a's log shows 4 retransmissions
    of the request and b's 4 of the response, all captured leaving (5 copies
    each end); a's two "dropped" lines (3910, 3940) are after the capture and
    say nothing;
  - pluto_pluto_v2: a drops the response to its own Delete (line 2458, a's
    frame 6): a note on no-path-problem, never a failure verdict;
  - pluto_nat_v2: a drops charon's two Delete requests (lines 3754, 3784:
    a's frames 9 and 10), unanswered: daemon-dropped b->a, count 2, before
    no-path-problem;
  - pluto_charon_v2: its two "dropped" lines are not in the capture: as
    without logs;
  - construction 1: pluto_pluto_v2 without b's answer to the Delete (frame 6
    cut from both captures) and b's log cut after it received the Delete,
    with a "no corresponding IKE SA; message dropped" line added (line 2342):
    daemon-dropped a->b naming b's frame 5 and line 2342; without the log, no
    such verdict;
    the same with 3 points (a SPAN copy of a's link between): the end-to-end
    verdicts and the top list (hop null) hold it, the text leads with it;
  - construction 2: pluto_v2_drop with a's third copy of the IKE_SA_INIT
    request (frame 3) cut from a's capture: the note says a's capture holds 4
    of the 5 copies its log counts and misses 1 (not loss), and no more
    b->a or a->b loss than before.
Without logs the reports are as before (the goldens check that).
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import capmangle  # noqa: E402
from iks_testlib import PCAPCORRELATE, cap, check, finish, run  # noqa: E402


def logs(name):
    return cap(os.path.join("logs", name))


def correlate(*args):
    rc, out, err = run(PCAPCORRELATE, "--json", *args)
    if rc != 0:
        raise RuntimeError("pcapcorrelate %s: exit %d: %s" % (" ".join(args), rc, err))
    return json.loads(out)


def pair(run_name, log_a, log_b):
    args = []
    if log_a:
        args += ["--log-a", logs(log_a)]
    if log_b:
        args += ["--log-b", logs(log_b)]
    return correlate(*args, logs(run_name + "_a.pcap"), logs(run_name + "_b.pcap"))


def causes(doc):
    return [(v["cause"], v["direction"]) for v in doc["verdicts"]]


# pluto_v2_drop: retransmissions agree with the captures
doc = pair("pluto_v2_drop", "pluto_v2_drop_pluto_a.log", "pluto_v2_drop_charon_b.log")
check("v2_drop: verdicts", causes(doc) == [("blocked", "b->a")], causes(doc))
v = doc["verdicts"][0]
note = v.get("log_note", "")
check("v2_drop: a's log, 4 retransmissions of the request, all captured",
      "a's log shows 4 retransmissions of the IKEv2 IKE_SA_INIT request mid 0x00000000 (from line 1552), "
      "all captured leaving a" in note, note)
check("v2_drop: b's log, 4 retransmissions of the response, all captured",
      "b's log shows 4 retransmissions of the IKEv2 IKE_SA_INIT response mid 0x00000000 (from line 1208), "
      "all captured leaving b" in note, note)
check("v2_drop: no capture gap claimed", "misses" not in note, note)
check("v2_drop: the after-capture drops are not mentioned", "3910" not in note and "3940" not in note, note)
retx = [i for i, f in enumerate(doc["findings"]) if f["kind"] == "ike-retransmit"]
check("v2_drop: both ike-retransmit findings join the evidence",
      len(retx) == 2 and all(i in v["evidence"] for i in retx), (retx, v["evidence"]))
plain = pair("pluto_v2_drop", None, None)
check("v2_drop: without logs, no note and the evidence is the loss only",
      "log_note" not in plain["verdicts"][0] and not any(i in plain["verdicts"][0]["evidence"] for i in retx),
      plain["verdicts"][0])

tmp = tempfile.mkdtemp(prefix="logverdict.")
html = os.path.join(tmp, "drop.html")
rc, _, _ = run(PCAPCORRELATE, "--html", html, "--log-a", logs("pluto_v2_drop_pluto_a.log"),
               logs("pluto_v2_drop_a.pcap"), logs("pluto_v2_drop_b.pcap"))
page = open(html, encoding="utf-8").read() if rc == 0 else ""
check("v2_drop: the HTML verdict has the log note",
      "<p class=\"lognote\"><b>Logs:</b> a&#39;s log shows 4 retransmissions of the IKEv2 IKE_SA_INIT request" in page)
rc, _, _ = run(PCAPCORRELATE, "--html", html, logs("pluto_v2_drop_a.pcap"), logs("pluto_v2_drop_b.pcap"))
page = open(html, encoding="utf-8").read() if rc == 0 else "lognote"
check("v2_drop: without logs, the HTML has none", "lognote" not in page)

# pluto_pluto_v2: the Delete race is a note, not a failure
doc = pair("pluto_pluto_v2", "pluto_pluto_v2_pluto_a.log", "pluto_pluto_v2_pluto_b.log")
check("pluto_pluto_v2: only no-path-problem", causes(doc) == [("no-path-problem", None)], causes(doc))
note = doc["verdicts"][0].get("log_note", "")
check("pluto_pluto_v2: the note names a's frame 6 and line 2458, not a failure",
      "a's daemon dropped the IKEv2 INFORMATIONAL response mid 0x00000002 it received (a's frame 6; its log, "
      "line 2458: it holds no IKE SA for it), the answer to its own request: not a failure" in note, note)

# pluto_nat_v2: two Delete requests a dropped, unanswered
doc = pair("pluto_nat_v2", "pluto_nat_v2_pluto_a.log", "pluto_nat_v2_charon_b.log")
check("nat_v2: daemon-dropped b->a first, then no-path-problem",
      causes(doc) == [("daemon-dropped", "b->a"), ("no-path-problem", None)], causes(doc))
v = doc["verdicts"][0]
check("nat_v2: certain, count 2, a's log line 3754, no-ike-sa",
      (v["confidence"], v["count"], v["log_side"], v["log_line"], v["log_reason"]) ==
      ("certain", 2, "a", 3754, "no-ike-sa"), v)
check("nat_v2: the summary names a's frame 9 and says the path delivered them",
      v["summary"].startswith("The path delivered 2 requests of b that a's IKE daemon dropped unanswered, the "
                              "first IKEv2 INFORMATIONAL request mid 0x00000000 (a's frame 9; a's log, line 3754"),
      v["summary"])
check("nat_v2: the advice says a holds no state for the SA", "a has no state for the IKE SA b uses" in v["advice"],
      v["advice"])
rc, text, _ = run(PCAPCORRELATE, "--log-a", logs("pluto_nat_v2_pluto_a.log"), logs("pluto_nat_v2_a.pcap"),
                  logs("pluto_nat_v2_b.pcap"))
check("nat_v2: with a's log only, the text leads with it",
      rc == 0 and text.startswith("VERDICT daemon-dropped b->a: The path delivered 2 requests"), text[:200])
check("nat_v2: no raw log text in the report", "message dropped" not in text and "corresponding" not in text,
      text[:400])

# pluto_charon_v2: dropped lines outside the capture change nothing
doc = pair("pluto_charon_v2", "pluto_charon_v2_pluto_a.log", "pluto_charon_v2_charon_b.log")
plain = pair("pluto_charon_v2", None, None)
check("pluto_charon_v2: the verdicts are those without logs", doc["verdicts"] == plain["verdicts"],
      (doc["verdicts"], plain["verdicts"]))

# construction 1: b drops a's Delete request and never answers
for side in ("a", "b"):
    hdr, recs = capmangle.read(logs("pluto_pluto_v2_%s.pcap" % side))
    check("construction 1: %s's capture has 6 frames" % side, len(recs) == 6, len(recs))
    capmangle.write(os.path.join(tmp, "c1_%s.pcap" % side), hdr, recs[:5])
with open(logs("pluto_pluto_v2_pluto_b.log"), "rb") as f:
    lines = f.read().split(b"\n")
check("construction 1: b's line 2336 receives the Delete",
      lines[2335].startswith(b"Dec  3 16:40:58.737521: | *received 80 bytes from 192.0.2.1:4500"), lines[2335])
cut = lines[:2341] + [b"Dec  3 16:40:58.737535: packet from 192.0.2.1:4500: INFORMATIONAL request has no "
                      b"corresponding IKE SA; message dropped", b""]
with open(os.path.join(tmp, "c1_b.log"), "wb") as f:
    f.write(b"\n".join(cut))
c1 = [os.path.join(tmp, "c1_a.pcap"), os.path.join(tmp, "c1_b.pcap")]
doc = correlate("--log-b", os.path.join(tmp, "c1_b.log"), *c1)
check("construction 1: daemon-dropped a->b first", causes(doc)[:1] == [("daemon-dropped", "a->b")], causes(doc))
if doc["verdicts"]:
    v = doc["verdicts"][0]
    check("construction 1: count 1, b's line 2342, no-ike-sa, certain",
          (v["count"], v["log_side"], v["log_line"], v["log_reason"], v["confidence"]) ==
          (1, "b", 2342, "no-ike-sa", "certain"), v)
    check("construction 1: the summary names b's frame 5",
          v["summary"] == "The path delivered a's IKEv2 INFORMATIONAL request mid 0x00000002 (b's frame 5) and b's "
                          "IKE daemon dropped it (b's log, line 2342: it holds no IKE SA for it), so no answer came",
          v["summary"])
plain = correlate(*c1)
check("construction 1: without b's log, no daemon-dropped",
      all(c != "daemon-dropped" for c, _ in causes(plain)), causes(plain))
doc_a = correlate("--log-a", logs("pluto_pluto_v2_pluto_a.log"), *c1)
check("construction 1: a's log (the sender's) proves no drop",
      all(c != "daemon-dropped" for c, _ in causes(doc_a)), causes(doc_a))

# construction 1 with 3 points: a, a SPAN copy of a's link (what a sends 20 us later, what it
# receives 20 us earlier), b: b's log joins the end-to-end verdicts
hdr, recs = capmangle.read(c1[0])
span = []
for ts, orig, data in recs:
    ip = capmangle.ipv4(hdr, data)
    span.append((ts + (20000 if ip and ip["src"] == "192.0.2.1" else -20000), orig, data))
capmangle.write(os.path.join(tmp, "c1_span.pcap"), hdr, sorted(span, key=lambda r: r[0]))
c1p = [c1[0], os.path.join(tmp, "c1_span.pcap"), c1[1]]
doc = correlate("--log-b", os.path.join(tmp, "c1_b.log"), *c1p)
e2e = [(v["cause"], v["direction"], v.get("log_line")) for v in doc["end_to_end"]["verdicts"]]
check("3 points: end_to_end daemon-dropped a->b at b's line 2342 first",
      e2e[:1] == [("daemon-dropped", "a->b", 2342)], e2e)
top = [(v["hop"], v["cause"], v.get("log_line")) for v in doc["verdicts"]]
check("3 points: the top verdicts list it with hop null", (None, "daemon-dropped", 2342) in top, top)
rc, text, _ = run(PCAPCORRELATE, "--log-b", os.path.join(tmp, "c1_b.log"), *c1p)
check("3 points: the text leads with it",
      rc == 0 and text.startswith("VERDICT daemon-dropped a->b: The path delivered a's IKEv2 INFORMATIONAL"),
      text[:200])
doc = correlate(*c1p)
check("3 points: without the log, none",
      all(v["cause"] != "daemon-dropped" for v in doc["verdicts"] + doc["end_to_end"]["verdicts"]),
      doc["verdicts"])

# construction 2: a's capture misses one copy its log counts
hdr, recs = capmangle.read(logs("pluto_v2_drop_a.pcap"))
check("construction 2: a's capture has 12 frames", len(recs) == 12, len(recs))
capmangle.write(os.path.join(tmp, "c2_a.pcap"), hdr, recs[:2] + recs[3:])
doc = correlate("--log-a", logs("pluto_v2_drop_pluto_a.log"), os.path.join(tmp, "c2_a.pcap"),
                logs("pluto_v2_drop_b.pcap"))
check("construction 2: verdicts", causes(doc) == [("blocked", "b->a")], causes(doc))
note = doc["verdicts"][0].get("log_note", "") if doc["verdicts"] else ""
check("construction 2: the note says the capture misses 1 copy, not loss",
      "a's log shows 4 retransmissions of the IKEv2 IKE_SA_INIT request mid 0x00000000 (from line 1552) but "
      "a's capture holds 4 of its 5 copies: the capture misses 1 (capture-check), not loss" in note, note)
check("construction 2: nothing a sent counted lost", doc["stats"]["lost_ab"] == 0, doc["stats"])

shutil.rmtree(tmp, ignore_errors=True)
finish()
