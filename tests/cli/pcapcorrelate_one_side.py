#!/usr/bin/env python3
"""One capture alone (pcapcorrelate A.pcap, ikedump --summary): on every
two-sided pair in captures/, each side's verdicts agree with the two-sided
verdicts where one side can know, and never contradict them:
- a "certain" one-sided verdict is among the two-sided ones (same cause and
  direction, same fragment position, same Notify);
- a "likely" verdict of loss or no answer stands beside a two-sided verdict
  of a path or peer problem, never beside a healthy path;
- the named acceptance cases of issue #20 hold exactly."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, cap, check, finish, run  # noqa: E402

KEYS_FROM = {"ikev2_cert_skf_authfail": "ikev2_cert_rfc7383"}
PATH_CAUSES = {"fragments-dropped", "pmtu-blackhole", "blocked", "random-loss", "nat-rebind",
               "one-way-failure", "stale-sa", "modified-in-transit", "negotiation-error"}


def keys_of(s):
    s = KEYS_FROM.get(s, s)
    out = []
    for k in sorted(glob.glob(cap(s + "_esp_sa")) + glob.glob(cap(s + "_ikev*_decryption_table"))):
        out += ["-k", k]
    return out


def to_two_sided(side, d):
    """A one-sided direction ("in"/"out" from the capturing host) as a->b / b->a."""
    if d is None:
        return None
    if side == "a":
        return {"out": "a->b", "in": "b->a"}[d]
    return {"out": "b->a", "in": "a->b"}[d]


def report(*args):
    rc, out, err = run(PCAPCORRELATE, "--json", *args)
    return rc, (json.loads(out) if rc == 0 else None), err


pairs = sorted(os.path.basename(p)[:-len("_a.pcap")] for p in glob.glob(cap("*_a.pcap"))
               if os.path.exists(p[:-len("_a.pcap")] + "_b.pcap"))
one = {}
for s in pairs:
    keys = keys_of(s)
    rc, two, err = report(*keys, cap(s + "_a.pcap"), cap(s + "_b.pcap"))
    two_v = two["verdicts"] if two else []
    for side in ("a", "b"):
        rc1, d, err1 = report(*keys, cap("%s_%s.pcap" % (s, side)))
        if not check("%s %s alone: exit 0, one_sided" % (s, side), rc1 == 0 and d["one_sided"], err1):
            continue
        one[(s, side)] = d["verdicts"]
        for v in d["verdicts"]:
            check("%s %s alone: %s has a confidence, and what would settle a likely one" %
                  (s, side, v["cause"]), v["confidence"] == "certain" or
                  (v["confidence"] == "likely" and v["settle"]), v)
            if two is None:
                continue  # the pair itself is not analysable yet: nothing to compare with
            dv = to_two_sided(side, v["direction"])
            if v["confidence"] == "certain":
                same = [w for w in two_v if w["cause"] == v["cause"] and
                        (dv is None or w["direction"] in (dv, "both")) and
                        w.get("which") == v.get("which") and w.get("notify") == v.get("notify")]
                check("%s %s alone: certain %s %s %s is a two-sided verdict too" %
                      (s, side, v["cause"], dv, v.get("which") or v.get("notify") or ""),
                      same, [(w["cause"], w["direction"]) for w in two_v])
            elif v["cause"] != "no-path-problem":
                check("%s %s alone: likely %s stands beside a two-sided path or peer verdict" %
                      (s, side, v["cause"]), any(w["cause"] in PATH_CAUSES for w in two_v),
                      [(w["cause"], w["direction"]) for w in two_v])


def verdict(key, cause):
    return [v for v in one.get(key, []) if v["cause"] == cause]


# issue #20's named cases
for s in ("ikev2_cert_fragdrop", "ikev2_bigsainit_firstonly"):
    if (s, "b") in one:
        v = verdict((s, "b"), "fragments-dropped")
        check("%s b alone: fragments-dropped non-first, in, certain" % s,
              v and v[0]["which"] == "non-first" and v[0]["direction"] == "in" and
              v[0]["confidence"] == "certain" and one[(s, "b")][0] is v[0], one[(s, "b")])
for s in ("ikev2_bigsainit_firstlost",):
    if (s, "b") in one:
        v = verdict((s, "b"), "fragments-dropped")
        check("%s b alone: fragments-dropped first, in, certain" % s,
              v and v[0]["which"] == "first" and v[0]["direction"] == "in" and
              v[0]["confidence"] == "certain", one[(s, "b")])
for s, peer in (("ikev2_psk_blocked_ab", "198.51.100.1"), ("ikev2_cert_fragdrop", "198.51.100.1")):
    if (s, "a") in one:
        v = [x for x in one[(s, "a")] if x["cause"] in ("blocked", "no-answer")]
        check("%s a alone: blocked or no-answer, out, likely, naming the peer and the schedule" % s,
              v and v[0]["direction"] == "out" and v[0]["confidence"] == "likely" and
              peer in v[0]["summary"] and "intervals" in v[0]["summary"], one[(s, "a")])
if ("ikev2_psk_corrupt", "b") in one:
    v = verdict(("ikev2_psk_corrupt", "b"), "modified-in-transit")
    check("ikev2_psk_corrupt b alone with -k: modified-in-transit, in, likely, 5 packets",
          v and v[0]["direction"] == "in" and v[0]["confidence"] == "likely" and v[0]["count"] == 5,
          one[("ikev2_psk_corrupt", "b")])
for s in ("ikev2_psk_natt", "ikev1_psk_natt"):
    for side in ("a", "b"):
        vs = one.get((s, side), [])
        check("%s %s alone (healthy NAT-T): no-path-problem" % (s, side),
              [v["cause"] for v in vs] == ["no-path-problem"], vs)

# ikedump --summary prints the same verdicts after the packets
rc, out, err = run(IKEDUMP, "--summary", "--json", cap("ikev2_cert_fragdrop_b.pcap"))
last = json.loads(out.splitlines()[-1]) if rc == 0 else {}
check("ikedump --summary --json: the last line is the summary with pcapcorrelate's verdicts",
      last.get("summary", {}).get("verdicts") == one.get(("ikev2_cert_fragdrop", "b")), last)
rc, out, err = run(IKEDUMP, "--summary", cap("ikev2_cert_fragdrop_b.pcap"))
check("ikedump --summary: text verdicts after the packet lines",
      rc == 0 and "\nVERDICT fragments-dropped (non-first) in:" in out, out[-400:])
finish()
