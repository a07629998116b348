#!/usr/bin/env python3
"""ikedump --log end to end: charon logs of every scenario and the generated
Oakley.log rotation set (captures/oakley/) joined to their captures.

Run by make check (IKEDUMP and IKS_CAPTURES set). Prints one line per
check and 'N passed, N failed'.
"""
import decimal
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import CAPS, IKEDUMP, cap, check, finish  # noqa: E402


def run(*args):
    p = subprocess.run([IKEDUMP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def joined(capture, logs):
    args = ["--json"]
    for l in logs:
        args += ["--log", l]
    rc, out, err = run(*args, capture)
    lines = out.splitlines()
    recs = [json.loads(l, parse_float=decimal.Decimal) for l in lines]
    return rc, recs, err


SUMMARY_KEYS = ["format", "records", "messages", "matched", "matched_exact", "unmatched_log",
                "unmatched_capture", "offset_seconds", "byte_order", "candidates_capped"]

SCENARIOS = {"ikev2_cert_fragdrop": (7, 2), "ikev1_cert_ikefrag_ok_nftdrop": (13, 13),
             "ikev1_psk_natt": (19, 19), "ikev2_psk_natt": (10, 10)}

for name, counts in sorted(SCENARIOS.items()):
    for i, side in enumerate("ab"):
        log = cap("%s_charon_%s.log" % (name, side))
        rc, recs, err = joined(cap("%s_%s.pcap" % (name, side)), [log])
        tag = "%s %s" % (name, side)
        check("%s: exit 0, no stderr" % tag, rc == 0 and not err, (rc, err))
        last = recs[-1] if recs else {}
        s = last.get("log_summary", {})
        check("%s: ends with log_summary with exactly the keys" % tag,
              list(s.keys()) == SUMMARY_KEYS, last)
        check("%s: charon, every message matched" % tag,
              s.get("format") == "charon" and s.get("messages") == counts[i]
              and s.get("matched") == counts[i] and s.get("unmatched_log") == 0
              and s.get("unmatched_capture") == 0, s)
        off = s.get("offset_seconds")
        check("%s: offset within 1 s" % tag, off is not None and abs(off) < 1, off)
        ike = [r for r in recs if "ike" in r]
        check("%s: each IKE record carries log file/line/time" % tag,
              len(ike) == counts[i] and all(
                  r.get("log") and r["log"]["file"] == log and r["log"]["line"] > 0
                  and len(r["log"]["time"]) == 8 for r in ike), ike[:1])
        check("%s: one log_summary object" % tag,
              sum(1 for r in recs if "log_summary" in r) == 1)

rc, recs, err = joined(cap("ikev2_cert_fragdrop_a.pcap"), [cap("ikev2_cert_fragdrop_charon_a.log")])
rex = {r["frame"]: r["log"].get("retransmit") for r in recs if "ike" in r}
check("fragdrop a: the 4 IKE_AUTH retransmits are flagged",
      rex == {9: None, 10: None, 12: None, 17: 1, 20: 2, 23: 3, 28: 4}, rex)

# The Oakley rotation set, given in the wrong order: read as .bak.sav, .sav, .bak, current.
odir = cap("oakley/ikev1_psk_natt_a")
files = [os.path.join(odir, n) for n in ("Oakley.log", "Oakley.log.sav", "Oakley.log.bak",
                                         "Oakley.log.bak.sav")]
rc, recs, err = joined(cap("ikev1_psk_natt_a.pcap"), files)
check("oakley set: exit 0", rc == 0 and not err, (rc, err))
s = recs[-1].get("log_summary", {}) if recs else {}
check("oakley set: 100% matched, reversed byte order",
      s.get("format") == "oakley" and s.get("messages") == 19 and s.get("matched") == 19
      and s.get("unmatched_log") == 0 and s.get("unmatched_capture") == 0
      and s.get("byte_order") == "reversed", s)
check("oakley set: offset +7200 s within 5 ms (log is 2 h behind)",
      s.get("offset_seconds") is not None and abs(s["offset_seconds"] - 7200) < decimal.Decimal("0.005"), s)
stats = recs[-2].get("log_stats", {}) if len(recs) > 1 else {}
check("oakley set: files in chronological order",
      [os.path.basename(f) for f in stats.get("files", [])] ==
      ["Oakley.log.bak.sav", "Oakley.log.sav", "Oakley.log.bak", "Oakley.log"], stats)
check("oakley set: counts of known/unknown/cut lines",
      stats.get("cut") == 1 and stats.get("unknown", 0) > 0 and stats.get("known", 0) > 0
      and stats["lines"] == stats["known"] + stats["unknown"] + stats["cut"], stats)
fails = [r["log_failure"] for r in recs if "log_failure" in r and "status" in r["log_failure"]]
check("oakley set: failure records decoded",
      len(fails) >= 4 and fails[0]["status"] == 13813
      and fails[0]["name"] == "ERROR_IPSEC_IKE_DROP_NO_RESPONSE"
      and fails[0]["text"] == "No response from peer", fails[:2])
ike = [r for r in recs if "ike" in r]
check("oakley set: IKE records point into all four files",
      len({r["log"]["file"] for r in ike}) == 4 and all(
          r["log"]["time"].startswith("11-22 11:") for r in ike), ike[:1])

rc, recs, err = joined(cap("ikev2_cert_fragdrop_a.pcap"), [cap("ikev2_cert_fragdrop_charon_a.log")])
gu = [r["log_failure"] for r in recs if "log_failure" in r]
check("fragdrop a: give-up and failed lines reported",
      [(g["kind"], g["line"]) for g in gu] == [("give-up", 986), ("failed", 987)], gu)

# editcap -t shifts the capture: the offset follows (when Wireshark's editcap is here)
if shutil.which("editcap"):
    with tempfile.TemporaryDirectory() as d:
        shifted = os.path.join(d, "shifted.pcap")
        subprocess.run(["editcap", "-t", "3600", cap("ikev2_cert_fragdrop_a.pcap"), shifted],
                       check=True)
        rc, recs, err = joined(shifted, [cap("ikev2_cert_fragdrop_charon_a.log")])
        s = recs[-1].get("log_summary", {}) if recs else {}
        check("editcap -t 3600: all matched, offset 3600 within 1 s",
              s.get("matched") == 7 and s.get("offset_seconds") is not None
              and abs(s["offset_seconds"] - 3600) < 1, s)

# text view
rc, out, err = run("--log", cap("ikev1_psk_natt_charon_b.log"), cap("ikev1_psk_natt_b.pcap"))
check("text view: every IKE line has its log line and a summary ends it",
      rc == 0 and out.count("[log ") == 19 and out.splitlines()[-1].startswith("log: charon"),
      out[-400:])
check("text view: no raw log text (keys) in the output", "=>" not in out and "SK_" not in out)

# a capture with IKE packets that the log does not know: not in the log
rc, recs, err = joined(cap("ikev1_psk_natt_a.pcap"), [cap("ikev2_psk_natt_charon_a.log")])
s = recs[-1].get("log_summary", {}) if recs else {}
check("wrong log: nothing matches, both sides reported",
      rc == 0 and s.get("matched") == 0 and s.get("unmatched_log") == 10
      and s.get("unmatched_capture") == 19 and s.get("offset_seconds") is None
      and sum(1 for r in recs if "log_message" in r) == 10
      and all(r.get("log", 0) is None for r in recs if "ike" in r), s)

# errors
rc, out, err = run("--log", "/nonexistent/Oakley.log", cap("ikev1_psk_natt_a.pcap"))
check("missing log: exit 1 naming the file", rc == 1 and "/nonexistent/Oakley.log" in err, err)
rc, out, err = run("--log", cap("README.md"), cap("ikev1_psk_natt_a.pcap"))
check("not a log: exit 1 with a reason", rc == 1 and "not an Oakley.log, charon or pluto log" in err, err)

finish()
