#!/usr/bin/env python3
"""Merging the copies of one packet (pktmon / etl2pcapng pcapng, frames
sharing epb_packetid) past its ring of IKS_COPIES_PENDING (256) packets,
on a construction whose answer is known.

N UDP packets (each its own IP ID) have a first copy at interface 0, all
within 1 ms; then the second copies, at interface 1, of packets 257..N and
of packets 1..3. Before each read with 256 packets waiting the oldest comes
out, though its 100 ms window has not ended:

 - N = 255: nothing waits past the ring: 255 frames, nothing said;
 - N = 300: packets 1..44 come out early while the first copies are read,
   45 before the copy of 257 is read (257..300 then join theirs), 46 and
   47 after the copies of 1 and 2 each start a group of their own, and 48
   after that of 3, before the end of the file is known: 48 released
   early, and the late copies of 1, 2 and 3 become 3 frames more (303). This was silent; now ikedump says it on stderr and in its stream
   (a `limit` line, text and JSON), and pcapcorrelate on stderr and in a
   `limit` finding counting the 48 packets.
ikedump --summary carries the same two counts: JSON `copies_released_early`
and `copies_split` in the summary object (0 and 0 for N = 255; 48 and 3 for
N = 300), and a text line when any came out early (it had neither).
"""
import json
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import pcapnglib  # noqa: E402
import pktbuild  # noqa: E402
from iks_testlib import IKEDUMP, PCAPCORRELATE, check, finish, run  # noqa: E402

TMP = tempfile.mkdtemp(prefix="copies-caps-")
T0 = 1700000000 * 10**9


def write(path, n, late):
    """n packets, first copies then second copies of `late` (packet numbers from 1)."""
    w = pcapnglib.PcapngWriter()
    w.section()
    w.interface(1, 0, name="miniport", tsresol=9)
    w.interface(1, 0, name="filter", tsresol=9)
    pkts = {i: pktbuild.udp("10.0.0.1", 40000, "10.0.0.2", 9999, struct.pack("!I", i), i)
            for i in range(1, n + 1)}
    t = T0
    for i in range(1, n + 1):
        t += 1000
        w.epb(0, t, pkts[i], tsresol=9, flags=1, packet_id=i)
    for i in late:
        t += 1000
        w.epb(1, t, pkts[i], tsresol=9, flags=1, packet_id=i)
    w.write(path)


cases = [(255, list(range(1, 256)), 255, 0, 0),
         (300, list(range(257, 301)) + [1, 2, 3], 303, 48, 3)]
for n, late, frames, early, split in cases:
    path = os.path.join(TMP, "copies%d.pcapng" % n)
    write(path, n, late)
    rc, out, err = run(IKEDUMP, "--count", path)
    check("%d packets: ikedump --count gives %d frames" % (n, frames),
          rc == 0 and out.startswith("frames %d " % frames), (rc, out, err))
    said = "%d packets came out before all their copies were read" % early
    if not early:
        check("%d packets: nothing said on stderr" % n, "copies" not in err, err)
    else:
        check("%d packets: ikedump says on stderr how many came out early and how many copies "
              "split off" % n, said in err and "%d later copies" % split in err, err)
    rc, out, err = run(IKEDUMP, "--json", path)
    lines = [json.loads(x) for x in out.splitlines() if x.strip()] if rc == 0 else []
    lim = [x for x in lines if x.get("event") == "limit" and x.get("limit") == "copies_pending"]
    check("%d packets: ikedump --json %s" % (n, "a copies_pending limit line with the counts"
                                            if early else "no limit line"),
          rc == 0 and (lim == [] if not early else
                       len(lim) == 1 and lim[0]["count"] == early and lim[0]["copies_split"] == split
                       and lim[0]["value"] == 256), (rc, lim, err[-300:]))
    rc, out, err = run(IKEDUMP, path)
    check("%d packets: ikedump's text stream %s" % (n, "says it" if early else "is silent"),
          rc == 0 and (("!! limit copies_pending (256)" in out) == bool(early)), (rc, out[-300:]))
    rc, out, err = run(IKEDUMP, "--summary", "--json", path)
    lines = [json.loads(x) for x in out.splitlines() if x.strip()] if rc == 0 else []
    summ = [x["summary"] for x in lines if "summary" in x]
    check("%d packets: ikedump --summary --json counts %d out early, %d copies split" %
          (n, early, split),
          len(summ) == 1 and summ[0].get("copies_released_early") == early
          and summ[0].get("copies_split") == split, (rc, summ, err[-300:]))
    rc, out, err = run(IKEDUMP, "--summary", path)
    text = out[out.find("\nsummary: "):] if "\nsummary: " in out else ""
    said_summary = ("summary: %d packets came out before all their copies were read" % early
                    in text and "%d later copies are frames of their own" % split in text)
    check("%d packets: ikedump --summary text %s" % (n, "says it" if early else "is silent"),
          rc == 0 and text and (said_summary if early else "copies" not in text),
          (rc, text[-400:]))
    rc, out, err = run(PCAPCORRELATE, "--json", path)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"]
    if not early:
        check("%d packets: pcapcorrelate: no limit finding, nothing on stderr" % n,
              rc == 0 and not lim and "copies" not in err, (rc, lim, err[-300:]))
    else:
        check("%d packets: pcapcorrelate: one limit finding on capture a counting the %d "
              "packets out early" % (n, early),
              rc == 0 and len(lim) == 1 and lim[0].get("capture") == "a" and lim[0]["count"] == early,
              (rc, lim, err[-300:]))
        check("%d packets: pcapcorrelate says it on stderr" % n,
              said in err and "%d later copies" % split in err, err[-400:])

finish()
