#!/usr/bin/env python3
"""pcapcorrelate --log-a/--log-b with a different log format on each end:
a generated racoon log (tests/gen/applgen.py, with its hex dumps) at a and
the real charon log at b of the pluto<->charon IKEv1 lab run, and a
generated Cisco IOS debug at a with the real charon log at b of the
charon<->charon IKEv2 run. Each end's log must join every IKE packet of its
own capture, and the generated one each frame it was written from.

Run by make check (PCAPCORRELATE and IKS_CAPTURES set).
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import PCAPCORRELATE, cap, check, finish, run  # noqa: E402

GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen", "applgen.py")
tmp = tempfile.mkdtemp(prefix="iks-logmixed-")

# format at a, the run, a's address, b's real log
PAIRS = [("racoon", "pluto_charon_v1", "192.0.2.1", "logs/pluto_charon_v1_charon_b.log"),
         ("cisco", "charon_v2_ms", "192.0.2.1", "logs/charon_v2_ms_charon_b.log")]
for fmt, name, local, blog in PAIRS:
    log = os.path.join(tmp, fmt + ".log")
    ans = os.path.join(tmp, fmt + ".json")
    subprocess.run([sys.executable, GEN, fmt, cap("logs/%s_a.pcap" % name), local, log, ans,
                    "--offset", "-17", "--unknown", "2"], check=True)
    with open(ans) as f:
        want = len(json.load(f)["messages"])
    rc, out, err = run(PCAPCORRELATE, "--json", cap("logs/%s_a.pcap" % name),
                       cap("logs/%s_b.pcap" % name), "--log-a", log, "--log-b", cap(blog))
    check("%s + charon: pcapcorrelate exit 0" % fmt, rc == 0, err)
    doc = json.loads(out) if rc == 0 else {}
    logs = doc.get("logs") or {}
    a, b = logs.get("a") or {}, logs.get("b") or {}
    check("%s on a: every one of its %d messages joins a packet, none of a's packets unjoined"
          % (fmt, want), a.get("format") == fmt and a.get("matched") == want
          and a.get("unmatched_log") == 0 and a.get("unmatched_capture") == 0, a)
    check("%s + charon: the charon log on b joins every packet of b" % fmt,
          b.get("format") == "charon" and b.get("matched", 0) > 0
          and b.get("unmatched_capture") == 0, b)
    print("%s on a: %s of %d joined; charon on b: %s joined" % (fmt, a.get("matched"), want,
                                                                b.get("matched")))
finish()
