#!/usr/bin/env python3
"""pcapcorrelate on negotiations that fail with an error notification, and
on an SA deleted at one end while the other keeps using it (lab captures
made with scripts/lab-errors.sh, strongSwan 5.9.8).

The expected values come from the captures themselves (cookies, frames,
notify types as tshark and the charon logs show them) and, for the deleted
SA, from an independent count over ikedump's records: every ESP packet b
sent on the deleted SPI later than the Delete could have reached it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import PCAPCORRELATE, cap, check, finish, ikedump_records, run  # noqa: E402


def report(name, *keys):
    args = ["--json"]
    for k in keys:
        args += ["-k", cap(k)]
    rc, out, err = run(PCAPCORRELATE, *args, cap(name + "_a.pcap"), cap(name + "_b.pcap"))
    if not check("%s %s: exit 0" % (name, " ".join(keys)), rc == 0, err):
        return {"negotiations": [], "findings": []}
    return json.loads(out)


def only(d, kind):
    return [f for f in d["findings"] if f["kind"] == kind]


def neg_is(name, d, ispi, outcome, notify=None, exchange=None, msgid=None):
    n = d["negotiations"]
    ok = len(n) == 1 and n[0]["ispi"] == ispi and n[0]["outcome"] == outcome
    if ok and notify is not None:
        ok = (n[0].get("error_notify"), n[0].get("error_from"), n[0].get("failed_exchange"),
              n[0].get("failed_msgid")) == (notify, "b", exchange, msgid)
    check("%s: negotiation %s %s%s" % (name, ispi, outcome, " with notify %s" % notify if notify else ""),
          ok, n and {k: v for k, v in n[0].items() if k != "exchanges"})


def error_is(name, d, version, exchange, msgid, notify, notify_name, frame_a, frame_b):
    e = only(d, "ike-error")
    got = [(f["direction"], f["version"], f["exchange"], f["msgid"], f["notify"], f.get("notify_name"),
            f["frame_a"], f["frame_b"], f["severity"]) for f in e]
    check("%s: one ike-error finding, %s from b at a frame %d / b frame %d" % (name, notify_name, frame_a,
                                                                          frame_b),
          got == [("b->a", version, exchange, msgid, notify, notify_name, frame_a, frame_b, "error")], got)


# IKE_SA_INIT answered with NO_PROPOSAL_CHOSEN (14), in clear: no keys needed
d = report("ikev2_psk_noproposal")
neg_is("ikev2_psk_noproposal", d, "d0dfb6c155138290", "failed", 14, 34, "00000000")
error_is("ikev2_psk_noproposal", d, 2, 34, "00000000", 14, "NO_PROPOSAL_CHOSEN", 4, 4)

# IKEv1: main mode message 1 answered by an Informational NO-PROPOSAL-CHOSEN;
# the failure is main mode's, the notification has an exchange of its own
d = report("ikev1_psk_noproposal")
neg_is("ikev1_psk_noproposal", d, "afaab87b1a5c7d90", "failed", 14, 2, "00000000")
error_is("ikev1_psk_noproposal", d, 1, 5, "c96a0648", 14, "NO-PROPOSAL-CHOSEN", 5, 5)

# IKE_AUTH answered with AUTHENTICATION_FAILED (24): encrypted. Without keys
# the exchange looks answered, and the report says the answers were not read;
# with the decryption table (or b's or a's charon log) the error shows
d = report("ikev2_psk_authfail")
neg_is("ikev2_psk_authfail without keys", d, "54127aa50190e4fa", "complete")
check("ikev2_psk_authfail without keys: the reason says encrypted answers were not read",
      d["negotiations"] and "not read" in d["negotiations"][0]["reason"] and not only(d, "ike-error"),
      d["negotiations"])
d = report("ikev2_psk_authfail", "ikev2_psk_authfail_ikev2_decryption_table")
neg_is("ikev2_psk_authfail", d, "54127aa50190e4fa", "failed", 24, 35, "00000001")
error_is("ikev2_psk_authfail", d, 2, 35, "00000001", 24, "AUTHENTICATION_FAILED", 6, 6)

for log in ("ikev2_psk_authfail_charon_a.log", "ikev2_psk_authfail_charon_b.log"):
    d = report("ikev2_psk_authfail", log)
    neg_is("ikev2_psk_authfail -k " + log, d, "54127aa50190e4fa", "failed", 24, 35, "00000001")

# the CHILD_SA's traffic selectors refused: TS_UNACCEPTABLE (38) in IKE_AUTH
d = report("ikev2_psk_tsfail", "ikev2_psk_tsfail_ikev2_decryption_table")
neg_is("ikev2_psk_tsfail", d, "fa3d9f3d68c5824d", "failed", 38, 35, "00000001")
error_is("ikev2_psk_tsfail", d, 2, 35, "00000001", 38, "TS_UNACCEPTABLE", 8, 7)

# a deletes CHILD_SA enc (its inbound SPI cd21ecbc); r drops every IKE message
# from a to b, so b never hears and keeps pinging a on that SA
name = "ikev2_psk_deletelost"
keys = (name + "_ikev2_decryption_table", name + "_esp_sa")
d = report(name, *keys)
bad = only(d, "bad-spi")
ra = ikedump_records("-k", cap(keys[0]), cap(name + "_a.pcap"))
rb = ikedump_records("-k", cap(keys[0]), cap(name + "_b.pcap"))
deletes = [f for f, r in sorted(ra.items()) if r.get("src") == "192.0.2.1" and
           any(p.get("name") == "D" and "cd21ecbc" in p.get("spis", [])
               for p in r.get("ike", {}).get("payloads", []) if r["ike"].get("decrypted"))]
check("%s: a sent its Delete for cd21ecbc in frames 32 and 53 (and once more)" % name,
      deletes[:2] == [32, 53], deletes)
b_deletes = [f for f, r in rb.items() if r.get("ike", {}).get("exchange") == 37 and r.get("src") == "192.0.2.1"]
check("%s: none of them reached b" % name, b_deletes == [], b_deletes)
# b's clock is a's minus 8 us here; one-way delays are tens of microseconds:
# b's packets sent 0.2 s after the Delete left a count, whatever the delays
t_del = ra[32]["ts"]
truth = [f for f, r in sorted(rb.items()) if r.get("src") == "198.51.100.1" and
         r.get("udp", {}).get("encap") == "esp" and r.get("esp", {}).get("spi") == "cd21ecbc" and
         r["ts"] > t_del + 0.2 + 0.001]
got = [(f["direction"], f["proto"], f["spi"], f["delete_frame"], f["delete_arrived"], f["count"],
        f["frame_b"], f["severity"]) for f in bad]
check("%s: one bad-spi finding: b->a ESP cd21ecbc, %d packets after the Delete of frame 32, "
      "which never arrived, first at b frame %s" % (name, len(truth), truth[:1]),
      len(truth) > 20 and got == [("b->a", 50, "cd21ecbc", 32, False, len(truth), truth[0], "error")],
      (got, len(truth), truth[:3]))
d = report(name, name + "_charon_b.log")
check("%s -k b's charon log: the same bad-spi finding" % name,
      [(f["spi"], f["delete_frame"], f["count"]) for f in only(d, "bad-spi")] == [("cd21ecbc", 32, len(truth))],
      only(d, "bad-spi"))
# without keys the Delete is not readable: no finding, and no false one
d = report(name)
check("%s without keys: no bad-spi finding" % name, not only(d, "bad-spi"), only(d, "bad-spi"))
# one-way: r drops IKE_SA_INIT requests from b's side; a's negotiation
# completes, b's never gets its IKE_SA_INIT across (sent 5 times)
d = report("ikev2_psk_oneway")
negs = sorted((n["initiator"], n["ispi"], n["outcome"], n.get("failed_exchange")) for n in d["negotiations"])
check("ikev2_psk_oneway: a's negotiation completes, b's fails at IKE_SA_INIT",
      negs == [("a", "8c8d4c8e25612591", "complete", None), ("b", "26a142269db5af3c", "failed", 34)], negs)
ow = [(f["direction"], f["ispi"], f["failed"], f["completed_other_way"], f["frame_a"], f["frame_b"]) for f in
      only(d, "one-way")]
check("ikev2_psk_oneway: one one-way finding: b->a, 1 failed vs 1 completed, b's first IKE_SA_INIT at b frame 22",
      ow == [("b->a", "26a142269db5af3c", 1, 1, None, 22)], ow)
rt = [(f["ispi"], f["count"]) for f in only(d, "ike-retransmit")]
check("ikev2_psk_oneway: b's IKE_SA_INIT retransmitted 4 times", rt == [("26a142269db5af3c", 4)], rt)
# no one-way finding where only one end ever initiated
for s in ("ikev2_psk_natt", "ikev2_cert_fragdrop", "ikev2_psk_noproposal"):
    check("%s: no one-way finding" % s, not only(report(s), "one-way"))

# the successful scenarios with their keys: no error, no bad SPI
for s in ("ikev2_psk_natt", "ikev1_psk_natt"):
    table = s + ("_ikev2_decryption_table" if s.startswith("ikev2") else "_ikev1_decryption_table")
    d = report(s, table, s + "_esp_sa")
    check("%s with keys: complete, no ike-error or bad-spi finding" % s,
          [n["outcome"] for n in d["negotiations"]] == ["complete"] and
          not only(d, "ike-error") and not only(d, "bad-spi"), d["findings"])

finish()
