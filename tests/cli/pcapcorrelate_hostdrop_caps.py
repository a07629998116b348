#!/usr/bin/env python3
"""Packets dropped inside the capturing host past the 100,000 a trace lists
(TRACE_HOSTDROPS_MAX), on a construction whose answer is known.

N UDP packets b -> a (10.0.0.2 -> 10.0.0.1, told apart by IP ID and
length), 1 ms apart, sent by b (pcap, TTL 64) and received by a 5 ms later
(pcapng, as pktmon writes it, TTL 63), each with epb_verdict (2, 51) on
one component. Every one is a host drop of
a: the stats count N, one host-drop finding lists the first 100,000, and
the N - 100,000 past the list are counted in one `limit` finding on a and,
now, on stderr (pcapcorrelate said nothing there before). N = 100,000: no
limit finding, nothing said; N = 100,007: the 7 counted.
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
from iks_testlib import PCAPCORRELATE, check, finish, run  # noqa: E402

LISTED = 100000
T0 = 1700000000
TMP = tempfile.mkdtemp(prefix="hostdrop-caps-")


def write(pa, pb, n):
    w = pcapnglib.PcapngWriter()
    w.section()
    w.interface(1, 0, name="wfp", tsresol=9)
    recs = []
    for i in range(n):
        # IP ID and length tell the packets apart (the ID is 16 bits)
        pl = struct.pack("!I", i) + bytes(i >> 16)
        sent = pktbuild.udp("10.0.0.2", 40000, "10.0.0.1", 9999, pl, i, ttl=64)
        got = pktbuild.udp("10.0.0.2", 40000, "10.0.0.1", 9999, pl, i, ttl=63)
        ts = T0 * 10**9 + i * 10**6 + 5 * 10**6
        w.epb(0, ts, got, tsresol=9, flags=1, verdict=(2, 51))
        recs.append((T0 + i * 1e-3, sent))
    w.write(pa)
    pktbuild.write_pcap(pb, recs)


for n in (LISTED, LISTED + 7):
    pa, pb = os.path.join(TMP, "a%d.pcapng" % n), os.path.join(TMP, "b%d.pcap" % n)
    write(pa, pb, n)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    finds = doc.get("findings", [])
    lim = [f for f in finds if f["kind"] == "limit"]
    drops = [f for f in finds if f["kind"] == "host-drop"]
    over = n - LISTED
    check("%d host drops: the stats count them all" % n,
          rc == 0 and doc["stats"].get("host_dropped_a") == n, (rc, doc.get("stats"), err[-300:]))
    check("%d host drops: one host-drop finding on a listing %d" % (n, LISTED),
          len(drops) == 1 and drops[0]["count"] == LISTED, drops)
    if not over:
        check("%d host drops: no limit finding, nothing on stderr" % n,
              not lim and "dropped inside" not in err, (lim, err[-300:]))
    else:
        check("%d host drops: one limit finding on a counting the %d past the list" % (n, over),
              len(lim) == 1 and lim[0].get("capture") == "a" and lim[0]["count"] == over, lim)
        check("%d host drops: stderr says so, with the count" % n,
              "%d packets dropped inside the capturing host" % over in err, err[-300:])

finish()
