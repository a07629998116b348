#!/usr/bin/env python3
"""Captures that never ran at one instant: a capture-check "no-overlap"
finding with each file's own span, no verdict, and a VERDICT line that says
so, instead of claims made on packets nobody could have seen. Constructions:
  - two files of different lab runs (natloss a, corrupt's r-ra): disjoint;
  - blocked_ab's b rewritten one hour later (nothing crosses a->b there, so
    no packet pair can align the clocks): disjoint, and no "blocked" verdict;
  - the same pair as captured, and b rewritten only 2 s later: no such finding.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import capmangle  # noqa: E402
from iks_testlib import PCAPCORRELATE, cap, check, finish, run  # noqa: E402


def span(path):
    _, recs = capmangle.read(path)
    return recs[0][0] / 1e9, recs[-1][0] / 1e9


def correlate(a, b, *more):
    rc, out, err = run(PCAPCORRELATE, *more, a, b)
    if rc != 0:
        raise RuntimeError("pcapcorrelate %s %s: exit %d: %s" % (a, b, rc, err))
    return out


def no_overlap(doc):
    return [f for f in doc["findings"] if f["kind"] == "capture-check" and f.get("check") == "no-overlap"]


def judge(name, a, b, disjoint):
    doc = json.loads(correlate(a, b, "--json"))
    f = no_overlap(doc)
    if not disjoint:
        check("%s: no no-overlap finding" % name, not f, f)
        return doc
    check("%s: one no-overlap finding" % name, len(f) == 1, f)
    if f:
        got = [(s["from"], s["to"]) for s in f[0].get("spans", [])]
        want = [span(a), span(b)]
        check("%s: its spans are the files' own (a, then b)" % name,
              len(got) == 2 and all(abs(g[0] - w[0]) < 1e-5 and abs(g[1] - w[1]) < 1e-5
                                    for g, w in zip(got, want)), (got, want))
    check("%s: no verdict" % name, not doc["verdicts"], doc["verdicts"])
    text = correlate(a, b)
    check("%s: the text's VERDICT line says the captures do not overlap" % name,
          text.startswith("VERDICT none: the captures do not overlap in time"), text[:200])
    check("%s: and its overlap line says none" % name,
          "overlap (a's clock): none" in text, text[:600])
    return doc


tmp = tempfile.mkdtemp(prefix="overlap.")
judge("natloss a / corrupt r-ra", cap("ikev2_psk_natloss_a.pcap"), cap("ikev2_psk_corrupt_r-ra.pcap"), True)

a, b = cap("ikev2_psk_blocked_ab_a.pcap"), cap("ikev2_psk_blocked_ab_b.pcap")
doc = judge("blocked_ab as captured", a, b, False)
check("blocked_ab as captured: blocked", doc["verdicts"] and doc["verdicts"][0]["cause"] == "blocked",
      doc["verdicts"][:1])
hdr, recs = capmangle.read(b)
for shift, disjoint in ((3600, True), (2, False)):
    p = os.path.join(tmp, "b_%d.pcap" % shift)
    capmangle.write(p, hdr, capmangle.drift(recs, 0, shift))
    doc = judge("blocked_ab, b %+d s" % shift, a, p, disjoint)
    if disjoint:
        check("blocked_ab, b %+d s: no blocked claim" % shift,
              not any(v["cause"] == "blocked" for v in doc["verdicts"]), doc["verdicts"])
    os.unlink(p)
os.rmdir(tmp)
finish()
