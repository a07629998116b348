#!/usr/bin/env python3
"""pcapng comments past COMMENT_MAX (64 KiB of joined comments per frame),
on a construction whose answer is known.

Three UDP packets in one pcapng:
 - frame 1: three comments of 30,000 bytes: the first two are kept (60,002
   bytes joined with "; "), the third would pass 64 KiB: 1 not kept;
 - frame 2: two comments of 30,000 bytes: both kept;
 - frame 3: one comment of 65,534 bytes (kept: 65,535 with its NUL), then
   two of 1 byte: 2 not kept.
So 3 comments of 2 frames were not kept. That was silent; now ikedump says
it on stderr and in its stream (a `limit` line comment_max, text and JSON),
and pcapcorrelate on stderr and in a `limit` finding counting the 3. The
same file without frame 1's third and frame 3's last two comments: nothing
said anywhere.
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import pcapnglib  # noqa: E402
import pktbuild  # noqa: E402
from iks_testlib import IKEDUMP, PCAPCORRELATE, check, finish, run  # noqa: E402

TMP = tempfile.mkdtemp(prefix="comment-cap-")
T0 = 1700000000 * 10**9


def write(path, comments):
    w = pcapnglib.PcapngWriter()
    w.section()
    w.interface(1, 0, name="eth0", tsresol=9)
    for i, cs in enumerate(comments):
        pkt = pktbuild.udp("10.0.0.1", 500, "10.0.0.2", 500, bytes(40), i + 1)
        w.epb(0, T0 + i * 1000, pkt, tsresol=9, comments=cs)
    w.write(path)


big = ["a" * 30000, "b" * 30000]
cases = [("over", [big + ["c" * 30000], big, ["d" * 65534, "e", "f"]], 3, 2),
         ("under", [big, big, ["d" * 65534]], 0, 0)]
for tag, comments, dropped, frames in cases:
    path = os.path.join(TMP, tag + ".pcapng")
    write(path, comments)
    said = "%d pcapng comments of %d frames were not kept" % (dropped, frames)
    rc, out, err = run(IKEDUMP, path)
    check("%s: ikedump exit 0" % tag, rc == 0, err)
    if dropped:
        check("%s: ikedump says on stderr 3 comments of 2 frames" % tag, said in err, err)
        check("%s: ikedump's text stream has the limit line" % tag,
              "!! limit comment_max (65536) reached: 3 pcapng comments of 2 frames" in out,
              out[-300:])
    else:
        check("%s: ikedump silent" % tag, "comment" not in err and "comment_max" not in out,
              (err, out[-300:]))
    rc, out, err = run(IKEDUMP, "--json", path)
    lines = [json.loads(x) for x in out.splitlines() if x.strip()] if rc == 0 else []
    lim = [x for x in lines if x.get("event") == "limit" and x.get("limit") == "comment_max"]
    check("%s: ikedump --json %s" % (tag, "one comment_max limit line, count 3, frames 2"
                                     if dropped else "no limit line"),
          rc == 0 and (lim == [] if not dropped else
                       len(lim) == 1 and lim[0]["count"] == dropped and lim[0]["frames"] == frames
                       and lim[0]["value"] == 65536), (rc, lim, err[-300:]))
    rc, out, err = run(PCAPCORRELATE, "--json", path)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    if dropped:
        check("%s: pcapcorrelate: one limit finding on capture a counting 3" % tag,
              rc == 0 and len(lim) == 1 and lim[0].get("capture") == "a"
              and lim[0]["count"] == dropped, (rc, lim, err[-300:]))
        check("%s: pcapcorrelate says it on stderr" % tag,
              "%d pcapng comments were not kept" % dropped in err, err[-400:])
        rc, out, err = run(PCAPCORRELATE, path)
        check("%s: pcapcorrelate's text report says it" % tag,
              rc == 0 and "64 KiB in one frame (COMMENT_MAX)" in out, out[-800:])
    else:
        check("%s: pcapcorrelate: no limit finding, nothing on stderr" % tag,
              rc == 0 and not lim and "comment" not in err, (rc, lim, err[-300:]))

finish()
