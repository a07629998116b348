#!/usr/bin/env python3
"""strongSwan charon logs as key files against the key tables.

For every scenario with charon logs in captures/ (NAME_charon_a.log and
NAME_charon_b.log next to NAME_a.pcap / NAME_b.pcap and the Wireshark key
tables NAME_esp_sa / NAME_ikev1|2_decryption_table, the ground truth),
`ikedump --json --all -k LOG` on each side's capture must give exactly the
records the tables give: the same crypto status for every IKE message and
ESP packet, the same decrypted payloads. Both ends log the same keys, so
each log decrypts both captures. Also: the log in syslog form and with a
date, a log together with the tables, a log of another negotiation (binds
nothing: "no-key", nothing decrypted), and the failed negotiation
ikev2_cert_fragdrop (its IKE_AUTH request, sent five times in IP fragments,
never arrived at b: a's log decrypts all five copies in a's capture; b
logged no IKE keys, and b's capture has nothing encrypted).
Prints 'N passed, N failed'.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import CAPS, IKEDUMP, check, finish  # noqa: E402


def run(keys, pcap):
    args = [IKEDUMP, "--json", "--all"]
    for k in keys:
        args += ["-k", k]
    p = subprocess.run(args + [pcap], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    recs = [json.loads(line) for line in p.stdout.splitlines()]
    return [r for r in recs if "frame" in r], p.stderr, p.returncode


def summary(recs):
    """Per frame: IKE crypto and decrypted payload names, ESP crypto and inner protocol."""
    out = {}
    for r in recs:
        s = []
        if "ike" in r:
            k = r["ike"]
            s.append(("ike", k.get("crypto"), [p.get("name") for p in k.get("payloads", [])] if k.get("decrypted") else []))
        if "esp" in r:
            s.append(("esp", r["esp"].get("crypto"), r.get("decrypted", {}).get("inner", {}).get("proto")))
        if s:
            out[r["frame"]] = s
    return out


scenarios = sorted({m.group(1) for m in (re.match(r"(.*)_charon_[ab]\.log$", n) for n in os.listdir(CAPS)) if m})
check("charon log scenarios found", len(scenarios) >= 4, scenarios)
totals = {"ike": 0, "esp": 0}
for sc in scenarios:
    tables = sorted(os.path.join(CAPS, n) for n in os.listdir(CAPS)
                    if n.startswith(sc + "_") and re.search(r"(_esp_sa|_decryption_table)$", n))
    for side in "ab":
        pcap = os.path.join(CAPS, "%s_%s.pcap" % (sc, side))
        ref, _, _ = run(tables, pcap)
        ike_dec = [r["frame"] for r in ref if "decrypted" in r.get("ike", {})]
        esp_ok = [r["frame"] for r in ref if r.get("esp", {}).get("crypto") == "ok"]
        for log_side in "ab":
            log = os.path.join(CAPS, "%s_charon_%s.log" % (sc, log_side))
            got, err, rc = run([log], pcap)
            name = "%s_%s.pcap -k %s" % (sc, side, os.path.basename(log))
            check(name + ": exit 0, no key diagnostics", rc == 0 and err == "", (rc, err[:300]))
            if sc == "ikev2_cert_fragdrop" and log_side == "b":
                # b logged no IKE keys: nothing decrypts, IKE_AUTH is "no-key"
                enc = [r for r in got if r.get("ike", {}).get("crypto")]
                check(name + ": nothing decrypted", not any("decrypted" in r.get("ike", {}) for r in got))
                check(name + ": encrypted messages have no key",
                      all(r["ike"]["crypto"] == "no-key" for r in enc), [r["ike"]["crypto"] for r in enc])
                check(name + ": a's capture has the 5 IKE_AUTH copies", len(enc) == (5 if side == "a" else 0), len(enc))
                continue
            check(name + ": same records as with the key tables", got == ref,
                  [(a.get("frame"), summary([a]), summary([b])) for a, b in zip(ref, got) if a != b][:3])
            s = summary(got)
            byframe = {r["frame"]: r for r in got}
            check(name + ": every IKE message the tables decrypt (%d)" % len(ike_dec),
                  all("decrypted" in byframe[f]["ike"] for f in ike_dec))
            check(name + ": every ESP packet the tables verify (%d)" % len(esp_ok),
                  all(("esp", "ok") == s[f][-1][:2] for f in esp_ok))
            totals["ike"] += len(ike_dec)
            totals["esp"] += len(esp_ok)
# the numbers the lab's captures hold (each counted once per log side): the
# four shared scenarios, then authfail, tsfail, deletelost, oneway (a, b)
# from scripts/lab-errors.sh (its noproposal captures have nothing encrypted),
# then scripts/lab-paths.sh's pairs with keys (a, b): bigsainit_firstlost,
# natloss, natrebind, pmtubh, corrupt, randomloss_noise, as tshark 4.0.17 counts
# them with the same tables (isakmp.enc.decrypted, esp.icv_good; not inside
# ICMP errors; corrupt_b's 5 changed packets fail their ICV)
LAB_PATHS_IKE = (4 + 4) + (14 + 16) + (10 + 10) + (4 + 4) + (8 + 8) + (8 + 8)
LAB_PATHS_ESP = (6 + 6) + (62 + 60) + (215 + 232) + (34 + 24) + (64 + 58) + (51 + 48)
check("IKE messages decrypted over all scenarios",
      totals["ike"] == 2 * (8 + 8 + 15 + 15 + 7 + 7 + 2 + 2 + 2 + 2 + 5 + 2 + 4 + 4 + LAB_PATHS_IKE) + 5, totals)
check("ESP packets verified over all scenarios",
      totals["esp"] == 2 * (69 + 68 + 69 + 68 + 9 + 80 + 80 + 6 + 6 + LAB_PATHS_ESP), totals)

# fragdrop: the IKE_AUTH request decrypts, from the initiator's log, in a's capture
fd = os.path.join(CAPS, "ikev2_cert_fragdrop_a.pcap")
got, _, _ = run([os.path.join(CAPS, "ikev2_cert_fragdrop_charon_a.log")], fd)
auth = [r for r in got if r.get("ike", {}).get("exchange_name") == "IKE_AUTH"]
check("fragdrop: 5 IKE_AUTH requests, all verified and decrypted",
      len(auth) == 5 and all(r["ike"]["crypto"] == "ok" and r["ike"]["flags"] == 8 for r in auth),
      [(r["frame"], r["ike"].get("crypto")) for r in auth])
check("fragdrop: IKE_AUTH carries IDi CERT ... AUTH",
      all([p["name"] for p in r["ike"]["payloads"]][:2] == ["IDi", "CERT"] for r in auth))
check("fragdrop: no response, no ESP", not any(r.get("ike", {}).get("flags") == 32 and r["ike"].get("crypto") for r in got)
      and not any("esp" in r for r in got))

# the wrong negotiation's log binds nothing
for log, pcap in (("ikev2_psk_natt_charon_a.log", "ikev2_cert_fragdrop_a.pcap"),
                  ("ikev1_psk_natt_charon_a.log", "ikev1_cert_ikefrag_ok_nftdrop_a.pcap"),
                  ("ikev1_cert_ikefrag_ok_nftdrop_charon_a.log", "ikev1_psk_natt_a.pcap")):
    got, err, _ = run([os.path.join(CAPS, log)], os.path.join(CAPS, pcap))
    enc = [r for r in got if r.get("ike", {}).get("crypto") not in (None, "not-tried")]
    check("%s on %s: nothing decrypted" % (log, pcap),
          not any("decrypted" in r.get("ike", {}) or "inner" in r.get("decrypted", {}) for r in got))
    check("%s on %s: encrypted IKE without a key" % (log, pcap),
          enc and all(r["ike"]["crypto"] == "no-key" for r in enc), [r["ike"]["crypto"] for r in enc][:5])
    esp = [r["esp"].get("crypto") for r in got if "esp" in r]
    check("%s on %s: ESP without a key" % (log, pcap), all(c == "no-key" for c in esp), esp[:5])

# the same log in the forms syslog and charon's date option give it; with the tables too
src = os.path.join(CAPS, "ikev2_psk_natt_charon_b.log")
pcap = os.path.join(CAPS, "ikev2_psk_natt_a.pcap")
tables = [os.path.join(CAPS, "ikev2_psk_natt_esp_sa"), os.path.join(CAPS, "ikev2_psk_natt_ikev2_decryption_table")]
ref, _, _ = run(tables, pcap)
with tempfile.TemporaryDirectory() as tmp:
    for label, pre in (("syslog", "Nov 22 %s moon charon[4711]: "), ("dated", "Nov 22 %s ")):
        path = os.path.join(tmp, label + ".log")
        with open(src) as f, open(path, "w") as out:
            for line in f:
                out.write(pre % line[:8] + line[9:])
        got, err, _ = run([path], pcap)
        check("%s log: same records as the tables" % label, got == ref and err == "", err[:200])
got, err, _ = run(tables + [src], pcap)
check("tables and a log together: same records", got == ref and err == "", err[:200])
got, err, _ = run([os.path.join(CAPS, "ikev2_psk_natt_esp_sa"), src], pcap)
check("esp_sa and a log (IKE from the log): same records", got == ref and err == "", err[:200])

finish()
