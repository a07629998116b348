#!/usr/bin/env python3
"""pcapcorrelate's verdicts on every two-sided capture in captures/: the
first verdict is the cause the lab put in the path (captures/README.md says
how each pair was made), every evidence index names a finding of the
verdict's direction, the text report starts with the verdict, its advice
and its evidence, and a healthy path gets exactly one verdict."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import CAPS, PCAPCORRELATE, cap, check, finish, run  # noqa: E402

# scenario: (cause, direction, which/what/notify, what the lab did)
EXPECT = {
    "ikev2_cert_fragdrop": ("fragments-dropped", "a->b", "non-first",
                            "iptables -f drop in r: non-first fragments dropped"),
    "ikev1_cert_ikefrag_ok_nftdrop": ("fragments-dropped", "a->b", "all",
                                      "nft 'ip frag-off & 0x3fff != 0 drop' in r: every fragment"),
    "ikev2_psk_natt": ("no-path-problem", None, None, "nothing dropped; PMTU discovery works"),
    "ikev1_psk_natt": ("no-path-problem", None, None, "nothing dropped; PMTU discovery works"),
    "ikev2_psk_realnat": ("no-path-problem", None, None, "real NAT in r, nothing dropped"),
    "ikev1_psk_realnat": ("no-path-problem", None, None, "real NAT in r, nothing dropped"),
    "ikev2_cert_rfc7383": ("no-path-problem", None, None, "RFC 7383 fragments, nothing dropped"),
    "plain_frag": ("no-path-problem", None, None, "ping re-fragmented, DF ping answered with ICMP"),
    "ikev2_psk_randomloss": ("random-loss", "both", None, "nft numgen drops 1 in 10 both ways"),
    "ikev2_psk_noproposal": ("negotiation-error", "b->a", 14, "b accepts another proposal"),
    "ikev1_psk_noproposal": ("negotiation-error", "b->a", 14, "b accepts another proposal"),
    "ikev2_psk_authfail": ("negotiation-error", "b->a", 24, "b has another pre-shared key"),
    "ikev2_psk_tsfail": ("negotiation-error", "b->a", 38, "b wants other traffic selectors"),
    "ikev2_psk_deletelost": ("stale-sa", "b->a", None, "r drops a's Delete; b keeps using the SA"),
    "ikev2_psk_oneway": ("one-way-failure", "b->a", None, "r drops IKE_SA_INIT requests from b"),
    # the hard-path lab pairs (scripts/lab-paths.sh; ground truth NAME_truth.txt)
    "ikev2_bigsainit_firstonly": ("fragments-dropped", "a->b", "non-first",
                                  "r drops non-first fragments of a's IKE_SA_INIT"),
    "ikev2_bigsainit_firstlost": ("fragments-dropped", "a->b", "first",
                                  "nft 'ip frag-off & 0x3fff == 0x2000 drop': first fragments"),
    "ikev2_bigsainit_firstlost_cut": ("fragments-dropped", "a->b", "first",
                                      "the same, cut to the failing exchange"),
    "ikev2_bigsainit_allfrags": ("fragments-dropped", "a->b", "all",
                                 "nft 'ip frag-off & 0x3fff != 0 drop': every fragment"),
    "ikev2_psk_blocked_ab": ("blocked", "a->b", "everything", "r drops everything a sends"),
    "ikev2_psk_randomloss_noise": ("random-loss", "both", None,
                                   "1 in 10 dropped both ways, other hosts' traffic beside"),
    "ikev2_psk_natrebind": ("nat-rebind", "b->a", None, "r's NAT state flushed mid-SA"),
    "ikev2_psk_pmtubh": ("pmtu-blackhole", "a->b", None, "DF ESP over the MTU, r's ICMP suppressed"),
    "ikev2_psk_corrupt": ("modified-in-transit", "a->b", None, "r overwrites a byte of a's ESP"),
    "ikev2_psk_natloss": ("random-loss", "both", None, "1 in 10 dropped both ways behind NAT"),
    "ikev2_cert_skf_authfail": ("negotiation-error", "b->a", 24,
                                "AUTHENTICATION_FAILED in RFC 7383 fragments (-k)"),
}
# key files a scenario borrows (a construction made from another pair's SA)
KEYS_FROM = {"ikev2_cert_skf_authfail": "ikev2_cert_rfc7383"}


def keys_of(s):
    s = KEYS_FROM.get(s, s)
    ks = sorted(glob.glob(cap(s + "_esp_sa")) + glob.glob(cap(s + "_ikev*_decryption_table")))
    out = []
    for k in ks:
        out += ["-k", k]
    return out


pairs = sorted(os.path.basename(p)[:-len("_a.pcap")] for p in glob.glob(cap("*_a.pcap"))
               if os.path.exists(p[:-len("_a.pcap")] + "_b.pcap"))
check("every two-sided capture has an expected verdict", set(pairs) <= set(EXPECT),
      sorted(set(pairs) - set(EXPECT)))

for s in pairs:
    if s not in EXPECT:
        continue
    cause, direction, detail, lab = EXPECT[s]
    args = keys_of(s) + [cap(s + "_a.pcap"), cap(s + "_b.pcap")]
    rc, out, err = run(PCAPCORRELATE, "--json", *args)
    if not check("%s: pcapcorrelate --json exits 0" % s, rc == 0, err):
        continue
    d = json.loads(out)
    vs, fs = d["verdicts"], d["findings"]
    if not check("%s: has verdicts" % s, len(vs) >= 1, vs):
        continue
    v = vs[0]
    check("%s: first verdict %s (%s)" % (s, cause, lab), v["cause"] == cause,
          [x["cause"] for x in vs])
    check("%s: direction %s" % (s, direction), v["direction"] == direction, v["direction"])
    if cause == "fragments-dropped":
        check("%s: which %s" % (s, detail), v["which"] == detail, v.get("which"))
    if cause == "blocked":
        check("%s: what %s" % (s, detail), v["what"] == detail, v.get("what"))
    if cause == "pmtu-blackhole":
        check("%s: size_ok_max < size_lost_min" % s,
              v["size_ok_max"] is not None and v["size_ok_max"] < v["size_lost_min"], v)
    if cause == "negotiation-error":
        check("%s: notify %d" % (s, detail), v["notify"] == detail, v.get("notify"))
    if cause == "no-path-problem":
        check("%s: a healthy path gets exactly one verdict" % s, len(vs) == 1,
              [x["cause"] for x in vs])
    for k, x in enumerate(vs):
        check("%s: verdict %d has a summary and advice" % (s, k),
              x["summary"] and x["advice"] and x["confidence"] in ("certain", "likely"), x)
        # evidence that runs both ways: a stale SA (the lost Delete one way, the SA still used
        # the other), a NAT rebinding (the rebinding end's new mapping, the peer's lost packets)
        one_way = x["direction"] in ("a->b", "b->a") and x["cause"] not in ("stale-sa", "nat-rebind")
        bad = [i for i in x["evidence"] if i >= len(fs) or
               (one_way and fs[i]["direction"] not in (x["direction"], None))]
        check("%s: verdict %d's evidence names findings of its direction" % (s, k), not bad, bad)
    if cause not in ("no-path-problem",):
        check("%s: the first verdict has evidence" % s, len(v["evidence"]) > 0, v)
    # the text report: the verdict, what to do, the evidence on the first three lines
    rc, text, err = run(PCAPCORRELATE, *args)
    lines = text.splitlines()
    check("%s: text line 1 is the verdict" % s,
          len(lines) > 2 and lines[0].startswith("VERDICT " + cause), lines[:1])
    check("%s: text line 2 is the advice" % s,
          len(lines) > 2 and lines[1].startswith("  what to do: "), lines[1:2])

# the demo (README): everything above the timeline fits on one screen
rc, text, err = run(PCAPCORRELATE, cap("ikev2_cert_fragdrop_a.pcap"), cap("ikev2_cert_fragdrop_b.pcap"))
above = text.split("\ntimeline")[0].splitlines()
check("fragment-drop demo: the report above the timeline fits on one screen (<= 40 lines)",
      len(above) <= 40, len(above))
check("fragment-drop demo: the five fragment-loss findings fold into one group",
      sum(1 for l in above if "fragment-loss" in l) == 1,
      [l for l in above if "fragment-loss" in l])

# the ICMP sender is named (icmp-frag-needed from)
rc, out, err = run(PCAPCORRELATE, "--json", cap("ikev2_psk_natt_a.pcap"), cap("ikev2_psk_natt_b.pcap"))
icmp = [f for f in json.loads(out)["findings"] if f["kind"] == "icmp-frag-needed"]
# (r answers from its interface toward a: ../shared/lab/make_netns.sh gives ra 192.0.2.254)
check("ikev2_psk_natt: icmp-frag-needed names its sender, the router's 192.0.2.254",
      icmp and all(f["from"] == "192.0.2.254" for f in icmp), icmp)
finish()
