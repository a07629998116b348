#!/usr/bin/env python3
"""pcapcorrelate with more than two captures: the ends' logs and audit events,
and --pcapng, checked against known answers.

1. --pcapng OUT with a r-ra r-rb b (lab scenarios, router ground truth from
   NAME_truth.txt, tests/lab/lab_truth.py): one interface per point, named as
   the report names it, holding every frame of that point's file; the frames
   whose comment says LOST or "dropped on hop" are exactly the truth's packets
   and fragments between the two hosts that entered r and did not leave it
   (what a sent: r-ra's frames, P2; what b sent: r-rb's frames, P3), each
   naming hop 1 "between P2 (r, interface ra) and P3 (r, interface rb)";
   nothing is lost on hops 0 and 2. Read back with our pcapng reader
   (ikedump --json --all: comment, if_name) and, when tshark is installed,
   with tshark (frame.comment, frame.interface_name).
2. --pcapng with r-ra missing IPsec packets r forwarded (removed here): the
   frames before the gap (a's for what a sent, r-rb's for what b sent) say
   "capture incomplete", exactly the removed ones, and none says LOST for
   them.
3. --log-a/--log-b with 4 points: the logs belong to P1 and P4; the end-to-end
   document's `logs` equal the two-file run's (a b) key for key, the text
   timeline names a log line for every IKE message in both logs.
4. --events-a/--events-b with 3 points (a, a SPAN copy of a's link written
   here: a's frames, a->b 20 us later and b->a 20 us earlier, b): the
   end-to-end `events` equal the two-file run's.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, CAPS, cap, check, finish  # noqa: E402
import pcapedit  # noqa: E402

HOSTS = {"192.0.2.1", "198.51.100.1", "198.51.100.254"}
HOP1 = "hop 1: between P2 (r, interface ra) and P3 (r, interface rb)"
tmp = tempfile.mkdtemp(prefix="pcapcorrelate-points-ends-")


def correlate(args):
    p = subprocess.run([PCAPCORRELATE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def frames_of(path):
    return len(pcapedit.Pcap(path).records)


def read_ng(path):
    """[(interface name, point frame, comment)] of every frame, by our own reader."""
    out = subprocess.run([IKEDUMP, "--json", "--all", path], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        r = json.loads(line)
        if "frame" not in r:
            continue
        c = r.get("comment", "")
        m = re.search(r"P(\d+) frame (\d+)$", c)
        rows.append((r.get("if_name"), (int(m.group(1)), int(m.group(2))) if m else None, c))
    return rows


def truth(name):
    """{(point, frame)} of what r lost between the hosts: a->b at P2, b->a at P3."""
    want = set()
    for line in open(cap(name + "_truth.txt")):
        m = re.match(r"lost (a->b|b->a) .*r_frame=(\d+) .* (\S+?)(?::\d+)? > (\S+?)(?::\d+)?( |$)",
                     line)
        if not m or not {m.group(3), m.group(4)} <= HOSTS:
            continue
        want.add((2 if m.group(1) == "a->b" else 3, int(m.group(2))))
    return want


def lost_marked(rows):
    return {pf for _, pf, c in rows if pf and ("LOST" in c or "dropped on hop" in c)}


# --- 1. --pcapng against the router's truth ------------------------------------------------
have_tshark = shutil.which("tshark") is not None
for name in ("ikev2_psk_randomloss_noise", "ikev2_bigsainit_allfrags", "ikev2_psk_natloss",
             "ikev2_psk_corrupt"):
    files = [cap(name + s) for s in ("_a.pcap", "_r-ra.pcap", "_r-rb.pcap", "_b.pcap")]
    out = os.path.join(tmp, name + ".pcapng")
    rc, _, err = correlate(["--pcapng", out] + files)
    check("%s: --pcapng with 4 points written" % name, rc == 0 and os.path.exists(out), err)
    if rc != 0:
        continue
    rows = read_ng(out)
    titles = ["P1 (a)", "P2 (r, interface ra)", "P3 (r, interface rb)", "P4 (b)"]
    per = {t: sum(1 for r in rows if r[0] == t) for t in titles}
    check("%s: one interface per point, every frame of its file (%s)" % (name, per),
          per == {t: frames_of(f) for t, f in zip(titles, files)} and len(rows) == sum(per.values()),
          per)
    check("%s: each frame's comment names its own point and frame" % name,
          all(pf and titles[pf[0] - 1] == ifn for ifn, pf, _ in rows))
    want, got = truth(name), lost_marked(rows)
    check("%s: LOST / dropped frames = r's truth between the hosts (%d): missing %s, extra %s"
          % (name, len(want), sorted(want - got)[:5], sorted(got - want)[:5]),
          want == got and (want or name == "ikev2_psk_corrupt"))
    bad = [c for _, pf, c in rows if pf in got and HOP1 not in c]
    check("%s: every one of them names hop 1, inside r" % name, not bad, bad[:3])
    other = [c for _, _, c in rows if re.search(r"(LOST|dropped) on hop [02]", c)]
    check("%s: nothing lost on hops 0 and 2" % name, not other, other[:3])
    if name == "ikev2_psk_corrupt":
        tl = open(cap(name + "_truth.txt")).read().splitlines()
        changed = {int(m.group(1)) for l in tl for m in [re.search(r"r_frame=(\d+)", l)]
                   if l.startswith("changed a->b") and m}
        mod = {pf[1] for _, pf, c in rows if pf and pf[0] == 2 and "modified in transit on hop 1" in c}
        check("%s: the frames changed in r (%d, truth) say 'modified in transit on hop 1' at P2"
              % (name, len(changed)), changed and mod == changed, (sorted(changed), sorted(mod)))
    if have_tshark:
        p = subprocess.run(["tshark", "-r", out, "-T", "fields", "-e", "frame.interface_name",
                            "-e", "frame.comment"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        ts = [l.split("\t", 1) for l in p.stdout.splitlines()]
        ts_lost = set()
        for ifn, c in ((x[0], x[1] if len(x) > 1 else "") for x in ts):
            m = re.search(r"P(\d+) frame (\d+)$", c)
            if m and ("LOST" in c or "dropped on hop" in c):
                ts_lost.add((int(m.group(1)), int(m.group(2))))
        check("%s: tshark reads it: %d frames, the same LOST frames, interfaces named by point"
              % (name, len(ts)), p.returncode == 0 and len(ts) == len(rows) and ts_lost == got
              and {x[0] for x in ts} == set(titles))

# --- 2. an incomplete middle capture --------------------------------------------------------
name = "ikev2_psk_natloss"
tl = open(cap(name + "_truth.txt")).read().splitlines()
r_lost = {int(re.search(r"r_frame=(\d+)", l).group(1)) for l in tl if l.startswith("lost a->b")}
partial = os.path.join(tmp, "natloss_r-ra_partial.pcap")
removed, renum = pcapedit.thin_middle(cap(name + "_r-ra.pcap"), partial, r_lost, "192.0.2.1",
                                      "198.51.100.1")
out = os.path.join(tmp, "natloss_partial.pcapng")
rc, _, err = correlate(["--pcapng", out, cap(name + "_a.pcap"), partial, cap(name + "_r-rb.pcap"),
                        cap(name + "_b.pcap")])
check("incomplete r-ra: --pcapng written", rc == 0, err)
if rc == 0:
    rows = read_ng(out)
    inc = [(pf[0], c) for _, pf, c in rows if pf and "capture incomplete" in c]
    by = {1: sum(1 for p, c in inc if p == 1 and c.startswith("a->b")),
          3: sum(1 for p, c in inc if p == 3 and c.startswith("b->a"))}
    check("incomplete r-ra: 'capture incomplete' on a's frames for what a sent (%d removed) and "
          "on r-rb's for what b sent (%d removed)" % (removed["a"], removed["b"]),
          removed["a"] > 0 and removed["b"] > 0 and by == {1: removed["a"], 3: removed["b"]}
          and len(inc) == removed["a"] + removed["b"], (by, removed))
    check("incomplete r-ra: those frames are not LOST and name P2's capture",
          all("LOST" not in c and "not in P2 (" in c for _, c in inc), inc[:2])
    want = {(p, renum[f] if p == 2 else f) for p, f in truth(name)}
    check("incomplete r-ra: the loss still all on hop 1, = r's truth (%d)" % len(want),
          want and lost_marked(rows) == want and not
          [c for _, _, c in rows if re.search(r"(LOST|dropped) on hop [02]", c)],
          (sorted(want), sorted(lost_marked(rows))))

# --- 3. the ends' logs with 4 points --------------------------------------------------------
name = "ikev2_psk_pmtubh"
logs = ["--log-a", cap(name + "_charon_a.log"), "--log-b", cap(name + "_charon_b.log")]
files = [cap(name + s) for s in ("_a.pcap", "_r-ra.pcap", "_r-rb.pcap", "_b.pcap")]
rc2, out2, err2 = correlate(["--json"] + logs + [files[0], files[3]])
rc4, out4, err4 = correlate(["--json"] + logs + files)
check("logs: the 4-point run with --log-a/--log-b analysed (it was refused)", rc4 == 0 and rc2 == 0,
      err4 + err2)
if rc4 == 0 and rc2 == 0:
    d2, d4 = json.loads(out2), json.loads(out4)
    e2e = d4["end_to_end"]
    check("logs: end_to_end logs a and b equal the two-file run's (%d and %d messages matched)"
          % (d2["logs"]["a"].get("matched", -1), d2["logs"]["b"].get("matched", -1)),
          e2e.get("logs") == d2["logs"] and d2["logs"]["a"] and d2["logs"]["b"],
          (e2e.get("logs"), d2["logs"]))
    check("logs: the end-to-end negotiations with their log lines equal the two-file run's",
          e2e["negotiations"] == d2["negotiations"])
    check("logs: hop 0 has a's log only, hop 2 b's only, hop 1 none",
          d4["hops"][0]["correlation"].get("logs", {}).get("a") == d2["logs"]["a"]
          and not d4["hops"][0]["correlation"]["logs"].get("b")
          and "logs" not in d4["hops"][1]["correlation"]
          and d4["hops"][2]["correlation"].get("logs", {}).get("b") == d2["logs"]["b"])
    rc, text, err = correlate(logs + files)
    tl = text.split("timeline (end to end", 1)
    msgs = [l for l in (tl[1].split("\n==", 1)[0].splitlines() if len(tl) > 1 else [])
            if " mid 0x" in l]
    check("logs: text end-to-end timeline: every IKE message (%d) names its line in both logs"
          % len(msgs), rc == 0 and msgs and all("[log a " in l and "[log b " in l for l in msgs),
          msgs[:2])

# --- 4. the ends' audit events with 3 points ------------------------------------------------
name = "ikev2_psk_natt"
pc = pcapedit.Pcap(cap(name + "_a.pcap"))
for r in pc.records:
    ip = pcapedit.ipv4(r[3], pc.ip_offset())
    us = r[1] + (20 if ip.ok and ip.src == "192.0.2.1" else -20) * (1000 if pc.nano else 1)
    unit = 1000000000 if pc.nano else 1000000
    r[0], r[1] = r[0] + us // unit, us % unit
pc.records.sort(key=lambda r: (r[0], r[1]))
span = os.path.join(tmp, name + "_span.pcap")
pc.write(span)
ev = ["--events-a", os.path.join(CAPS, "events", name + "_events_a.txt"),
      "--events-b", os.path.join(CAPS, "events", name + "_events_b.csv")]
rc2, out2, err2 = correlate(["--json"] + ev + [cap(name + "_a.pcap"), cap(name + "_b.pcap")])
rc3, out3, err3 = correlate(["--json"] + ev + [cap(name + "_a.pcap"), span, cap(name + "_b.pcap")])
check("events: the 3-point run with --events-a/--events-b analysed (it was refused)",
      rc3 == 0 and rc2 == 0, err3 + err2)
if rc3 == 0 and rc2 == 0:
    d2, d3 = json.loads(out2), json.loads(out3)
    check("events: 3 points, hop 0 on a's link (TTL unchanged), nothing lost",
          len(d3["points"]) == 3 and d3["hops"][0]["ttl_drop_ab"] == 0, d3["hops"][0]["where"])
    check("events: end_to_end events equal the two-file run's (%d events a, %d b)"
          % (d2["events"]["a"]["ipsec_events"], d2["events"]["b"]["ipsec_events"]),
          d3["end_to_end"].get("events") == d2["events"] and d2["events"]["a"]["joined"]
          and d2["events"]["b"]["joined"])
finish()
