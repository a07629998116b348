#!/usr/bin/env python3
"""Keys in the correlation read IKE messages sent in IKE fragments (RFC 7383
SKF, IKEv1 FRAG) exactly as ikedump -k does, and an error Notify inside one
becomes an ike-error finding.

- ikev2_cert_skf_authfail (tests/gen/make_skf_authfail.py: b's IKE_AUTH response
  is AUTHENTICATION_FAILED in two SKF fragments with the SA's real keys):
  with -k the finding names the notify, the sender, and the frames ikedump -k
  decrypts it on; without keys no error is claimed and the reason says the
  encrypted answers were not read.
- ikev2_cert_rfc7383 (real strongSwan, IKE_AUTH both ways in 2 SKF fragments)
  and ikev1_cert_ikefrag_ok_nftdrop (IKEv1 main mode 5/6 in FRAG payloads):
  with keys every fragment is read (decrypted) and the negotiation no longer
  says "not read"; without keys it does.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, cap, check, finish  # noqa: E402


def corr(name, keys=None):
    args = [PCAPCORRELATE, "--json"]
    if keys:
        args += ["-k", cap(keys)]
    p = subprocess.run(args + [cap(name + "_a.pcap"), cap(name + "_b.pcap")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 0, (name, p.returncode, p.stderr)
    return json.loads(p.stdout)


def decrypted_notifies(pcap, keys):
    """frame -> notify types ikedump -k finds in the decrypted payloads."""
    out = subprocess.run([IKEDUMP, "--json", "-k", cap(keys), cap(pcap)], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        r = json.loads(line)
        ike = r.get("ike") or {}
        if ike.get("decrypted"):
            res[r["frame"]] = [p.get("notify_type") for p in ike.get("payloads", [])
                               if p.get("name") == "N"]
    return res


def messages(doc, exch):
    return [m for n in doc["negotiations"] for e in n["exchanges"] if e["type"] == exch
            for m in e["messages"]]


KEYS2 = "ikev2_cert_rfc7383_ikev2_decryption_table"
KEYS1 = "ikev1_cert_ikefrag_ok_nftdrop_ikev1_decryption_table"

# --- AUTHENTICATION_FAILED inside a fragmented IKE_AUTH response ---------------------
d = corr("ikev2_cert_skf_authfail", KEYS2)
errs = [f for f in d["findings"] if f["kind"] == "ike-error"]
na = decrypted_notifies("ikev2_cert_skf_authfail_a.pcap", KEYS2)
nb = decrypted_notifies("ikev2_cert_skf_authfail_b.pcap", KEYS2)
check("-k: one ike-error AUTHENTICATION_FAILED (24) from b in IKE_AUTH",
      len(errs) == 1 and errs[0]["notify"] == 24 and errs[0]["direction"] == "b->a"
      and errs[0]["exchange"] == 35 and errs[0]["msgid"] == "00000001", errs)
check("-k: on the frames where ikedump -k decrypts it (a: %s, b: %s)"
      % (sorted(k for k, v in na.items() if 24 in v), sorted(k for k, v in nb.items() if 24 in v)),
      errs and 24 in na.get(errs[0]["frame_a"], []) and 24 in nb.get(errs[0]["frame_b"], []),
      (errs, na, nb))
n = d["negotiations"][0]
check("-k: the negotiation failed at IKE_AUTH because of it",
      n["outcome"] == "failed" and n.get("error_notify") == 24 and n.get("failed_exchange") == 35, n)
auth = messages(d, 35)
resp = [m for m in auth if m["dir"] == "b->a"]
check("-k: both SKF fragments of the response read", len(resp) == 2 and all(
    m["ike_fragment"] and m["encrypted"] and m["decrypted"] for m in resp), resp)
d = corr("ikev2_cert_skf_authfail")
check("no keys: no error claimed, and the reason says the encrypted answers were not read",
      not [f for f in d["findings"] if f["kind"] == "ike-error"]
      and "not read" in d["negotiations"][0]["reason"], d["negotiations"][0])

# --- real fragmented exchanges, IKEv2 and IKEv1 ----------------------------------------
for name, keys, exch, what in (("ikev2_cert_rfc7383", KEYS2, 35, "IKE_AUTH (SKF)"),
                               ("ikev1_cert_ikefrag_ok_nftdrop", KEYS1, 2, "main mode (FRAG)")):
    d = corr(name, keys)
    frags = [m for m in messages(d, exch) if m["ike_fragment"]]
    check("%s -k: all %d %s fragments read" % (name, len(frags), what),
          len(frags) == 4 and all(m["encrypted"] and m["decrypted"] for m in frags), frags)
    reason = d["negotiations"][0]["reason"]
    check("%s -k: complete, nothing left unread" % name,
          d["negotiations"][0]["outcome"] == "complete" and "not read" not in reason, reason)
    d = corr(name)
    frags = [m for m in messages(d, exch) if m["ike_fragment"]]
    check("%s without keys: fragments encrypted, not read, and the reason says so" % name,
          len(frags) == 4 and all(m["encrypted"] and not m["decrypted"] for m in frags)
          and "not read" in d["negotiations"][0]["reason"], (frags, d["negotiations"][0]["reason"]))

finish()
