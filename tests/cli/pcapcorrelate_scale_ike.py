#!/usr/bin/env python3
"""Issue 19: ike-unanswered on bench/make_pair.py pairs must be the IKE loss
the generator made, packet by packet, whatever the capture's length.

On 4M- and 10M-packet pairs the correlation said 4,175 and 28,788
ike-unanswered against 23 at 1M: the generator copied a template's lone IKEv1
Main Mode request (scapy_natt.pcap, never answered there) into every copy,
and once a capture runs 30 s past such a request the correlation rightly calls
it unanswered. Here a small pair (16 copies) is spread over 39 s
(--spacing-us) with heavy loss (--loss), and the generator's ground truth
(--truth: each IKE datagram it dropped, with its frame at the sender and
whether it was the last message of its exchange) must equal the findings:
every ike-unanswered names a dropped last message, and every dropped last
message is named.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from iks_testlib import PCAPCORRELATE, cap, check, finish  # noqa: E402

TMP = tempfile.mkdtemp(prefix="pcapcorrelate-scale-")
a, b, truth = (os.path.join(TMP, n) for n in ("a.pcap", "b.pcap", "truth.jsonl"))
templates = [cap(n) for n in ("ikev2_psk_natt_a.pcap", "scapy_esp_transport.pcap",
                              "scapy_ah.pcap", "scapy_natt.pcap")]
gen = os.path.join(HERE, "..", "..", "bench", "make_pair.py")
subprocess.run([sys.executable, gen, "--spacing-us", "10000", "--loss", "7,11", "--truth", truth,
                str(245 * 16), a, b, *templates], check=True, stdout=subprocess.DEVNULL)
p = subprocess.run([PCAPCORRELATE, "--json", a, b], stdout=subprocess.PIPE, text=True)
check("pcapcorrelate exit 0", p.returncode == 0, p.returncode)
out = json.loads(p.stdout)
span = out["captures"]["a"]["last"] - out["captures"]["a"]["first"]
check("the pair spans more than 30 s (the quiet time after an unanswered request)", span > 30, span)

lost = [json.loads(l) for l in open(truth)]
want = {(t["side"], t["frame"]) for t in lost if t["last"]}
got = set()
for f in out["findings"]:
    if f["kind"] != "ike-unanswered":
        continue
    side = "a" if f["direction"] == "a->b" else "b"
    got.add((side, f["frame_" + side]))
check("the generator dropped IKE messages (some the last of their exchange)",
      len(lost) > len(want) > 3, (len(lost), len(want)))
check("every ike-unanswered is a last message the generator dropped", got <= want,
      sorted(got - want)[:10])
check("every last message the generator dropped is ike-unanswered", want <= got,
      sorted(want - got)[:10])

# The generator gives every copy its own NAT source port while some SPIs go on
# across copies: to the correlation a rebinding, which the findings report.
# b answers each copy on that copy's port, so most of them lose nothing, and a
# rebinding that lost nothing is not a cause: only those whose stale packets
# were lost may be nat-rebind verdicts (before, 13 "certain" nat-rebind
# verdicts with 0 packets lost came ahead of the random loss here).
rebinds = [f for f in out["findings"] if f["kind"] == "nat-rebind"]
costly = [f for f in rebinds if f["stale_lost"] > 0]
rv = [v for v in out["verdicts"] if v["cause"] == "nat-rebind"]
check("rebindings that lost nothing are found (the copies' ports) but are no verdict",
      len(rebinds) > len(costly) and len(rv) == len(costly) and all(v["count"] > 0 for v in rv),
      (len(rebinds), len(costly), [(v["cause"], v["count"]) for v in rv]))
check("the generator's random loss is a verdict",
      any(v["cause"] == "random-loss" for v in out["verdicts"]), out["verdicts"][:3])

# A text report of thousands of healthy SAs would bury the few that failed:
# past 50 negotiations it lists and draws only those that did not complete,
# and counts the rest; JSON keeps every one. Under 50 (the pair above), all.
def text_negotiations(a, b):
    p = subprocess.run([PCAPCORRELATE, a, b], stdout=subprocess.PIPE, text=True)
    listed = re.findall(r"^  IKEv\d ([0-9a-f]{16})/[0-9a-f]{16} initiated", p.stdout, re.M)
    sect = p.stdout.split("\ntimeline")[-1]
    drawn = re.findall(r"^  IKEv\d ([0-9a-f]{16})$", sect, re.M)
    more = re.search(r"^  and (\d+) more that completed, not listed", p.stdout, re.M)
    undrawn = re.search(r"^  \((\d+) negotiations that completed are not drawn", sect, re.M)
    return (p.returncode, listed, drawn, int(more.group(1)) if more else 0,
            int(undrawn.group(1)) if undrawn else 0)


rc, listed, drawn, more, undrawn = text_negotiations(a, b)
check("17 negotiations: the text report lists and draws every one",
      rc == 0 and len(out["negotiations"]) == len(listed) == len(drawn) and more == undrawn == 0,
      (rc, len(out["negotiations"]), len(listed), len(drawn), more, undrawn))
a2, b2 = os.path.join(TMP, "a2.pcap"), os.path.join(TMP, "b2.pcap")
subprocess.run([sys.executable, gen, str(245 * 60), a2, b2, *templates], check=True,
               stdout=subprocess.DEVNULL)
p = subprocess.run([PCAPCORRELATE, "--json", a2, b2], stdout=subprocess.PIPE, text=True)
negs = json.loads(p.stdout)["negotiations"] if p.returncode == 0 else []
failed = sorted(n["ispi"] for n in negs if n["outcome"] != "complete")
complete = len(negs) - len(failed)
rc, listed, drawn, more, undrawn = text_negotiations(a2, b2)
check("%d negotiations: the text lists and draws exactly the %d that did not complete" %
      (len(negs), len(failed)),
      rc == 0 and len(negs) > 50 and failed and sorted(listed) == failed == sorted(drawn),
      (rc, len(negs), failed[:5], sorted(listed)[:5], sorted(drawn)[:5]))
check("... and counts the %d that completed, in both sections" % complete,
      complete > 0 and more == undrawn == complete, (complete, more, undrawn))
finish()
