#!/usr/bin/env python3
"""ikedump --log on a gateway with more peers than the log join's candidate
cap (64): charon at the default level prints no cookies, so all of a
gateway's IKE_SA_INIT requests share one key (exchange, message ID,
length, direction). The capture is the real 456-byte IKE_SA_INIT request
of ikev2_psk_natt_a.pcap (frame 9) sent to peer k = 0, 1, ... (destination
198.51.100.k+1, first SPI byte k); the charon log has one generating and
one sending line per request, so every message's packet is known.

  spread: 100 peers, one per second, each on the wire 0.1 s into its log
          second: every request joins its own frame (before the fix the
          search stopped at the first 64 packets of the key in capture
          order: the clock came out 33 s off and most requests joined
          another peer's packet or none, "not in the capture").
  burst:  80 peers within one log second (10 ms apart): request q looks
          at the q packets the earlier ones took before its own, so
          requests 64 to 79 stop at the cap. They are reported as cut
          short (stderr, text, JSON "log_capped", "candidates_capped"),
          never as "not in the capture".

Run by make check (IKEDUMP and IKS_CAPTURES set).
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import capmangle  # noqa: E402
from iks_testlib import IKEDUMP, cap, check, finish, run  # noqa: E402

DAY0 = 1709251200  # 2024-03-01 00:00:00 UTC
START = 10 * 3600


def request_frame():
    hdr, recs = capmangle.read(cap("ikev2_psk_natt_a.pcap"))
    ts, orig, data = recs[8]  # frame 9: the IKE_SA_INIT request, 456 bytes
    d = capmangle.ipv4(hdr, data)
    assert d and d["dst"] == "198.51.100.1" and d["dport"] == 500, d
    return hdr, orig, data, d["at"]


def build(tmp, name, n, at_ns):
    """Capture and log of n requests; request k on the wire at_ns(k) after
    START (capture clock = log clock). Returns (pcap, log, log line of k)."""
    hdr, orig, data, o = request_frame()
    ike = o + 28  # IPv4 (no options) + UDP
    recs, lines, line_of = [], [], []
    for k in range(n):
        b = bytearray(data)
        b[o + 16:o + 20] = bytes([198, 51, 100, k + 1])
        b[ike] = k  # a cookie of its own, which the log does not print
        t = START * 10**9 + at_ns(k)
        recs.append(((DAY0 * 10**9) + t, orig, bytes(b)))
        s = t // 10**9
        hms = "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
        lines.append("%s 11[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) "
                     "N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]" % hms)
        lines.append("%s 11[NET] sending packet: from 192.0.2.1[500] to 198.51.100.%d[500] "
                     "(456 bytes)" % (hms, k + 1))
        line_of.append(len(lines))
    pcap = os.path.join(tmp, name + ".pcap")
    log = os.path.join(tmp, name + ".log")
    capmangle.write(pcap, hdr, recs)
    with open(log, "w") as f:
        f.write("\n".join(lines) + "\n")
    return pcap, log, line_of


def dump(pcap, log, json_out):
    args = (["--json"] if json_out else []) + ["--log", log, pcap]
    return run(IKEDUMP, *args)


with tempfile.TemporaryDirectory() as tmp:
    # spread: 100 peers, one a second
    pcap, log, line_of = build(tmp, "spread", 100, lambda k: k * 10**9 + 10**8)
    rc, out, err = dump(pcap, log, True)
    recs = [json.loads(l) for l in out.splitlines()]
    frames = {r["frame"]: r for r in recs if "frame" in r}
    s = recs[-1].get("log_summary", {}) if recs else {}
    check("spread: exit 0, nothing on stderr", rc == 0 and not err, (rc, err))
    check("spread: 100 IKE_SA_INIT requests decoded",
          len(frames) == 100 and all(frames[k + 1].get("ike", {}).get("length") == 456
                                     for k in range(100)), len(frames))
    wrong = [k for k in range(100)
             if (frames.get(k + 1, {}).get("log") or {}).get("line") != line_of[k]]
    check("spread: every request joins its own log line", not wrong, wrong[:10])
    check("spread: summary: 100 matched, none not in the capture, cap not reached",
          s.get("matched") == 100 and s.get("unmatched_log") == 0
          and s.get("unmatched_capture") == 0 and s.get("candidates_capped") == 0, s)
    check("spread: no log_message or log_capped lines",
          not any("log_message" in r or "log_capped" in r for r in recs))
    rc, out, err = dump(pcap, log, False)
    check("spread: text: nothing not in the capture, no cap words",
          rc == 0 and "not in the capture:" not in out and "candidate cap" not in out
          and ", 0 not in the capture, " in out, out[-400:])

    # burst: 80 peers in one second, 10 ms apart
    pcap, log, line_of = build(tmp, "burst", 80, lambda k: 5 * 10**6 + k * 10**7)
    rc, out, err = dump(pcap, log, True)
    recs = [json.loads(l) for l in out.splitlines()]
    frames = {r["frame"]: r for r in recs if "frame" in r}
    s = recs[-1].get("log_summary", {}) if recs else {}
    check("burst: exit 0", rc == 0, (rc, err))
    check("burst: stderr names the candidate cap and counts 16 with no packet",
          "candidate cap (candidates_max) reached for 16 message(s), 16 of them with no packet"
          in err, err)
    wrong = [k for k in range(64)
             if (frames.get(k + 1, {}).get("log") or {}).get("line") != line_of[k]]
    check("burst: requests 0-63 join their own log lines", not wrong, wrong[:10])
    check("burst: frames 65-80 have no log message",
          all(k + 1 in frames and frames[k + 1].get("log") is None for k in range(64, 80)))
    capped = [r["log_capped"] for r in recs if "log_capped" in r]
    check("burst: one log_capped line for each of requests 64-79, packet null",
          [c.get("line") for c in capped] == line_of[64:]
          and all(c.get("packet", 0) is None and c.get("length") == 456 for c in capped),
          capped[:2])
    check("burst: no log_message (not in the capture) lines",
          not any("log_message" in r for r in recs))
    check("burst: summary: 64 matched, 0 not in the capture, 16 capped",
          s.get("matched") == 64 and s.get("unmatched_log") == 0
          and s.get("candidates_capped") == 16 and s.get("unmatched_capture") == 16, s)
    check("burst: candidates_capped is the summary's last key",
          list(s.keys())[-1:] == ["candidates_capped"], list(s.keys()))
    rc, out, err = dump(pcap, log, False)
    check("burst: text lists 16 not looked up completely, none not in the capture",
          rc == 0 and "log: 16 message(s) not looked up completely" in out
          and out.count(": not looked up completely (candidate cap)") == 16
          and "not in the capture:" not in out and ": not in the capture" not in out, out[-600:])
    check("burst: text summary counts the cut-short searches",
          ", 0 not in the capture, 16 cut short at the candidate cap (16 of them with no "
          "packet: not known to be absent)" in out, out[-400:])

finish()
