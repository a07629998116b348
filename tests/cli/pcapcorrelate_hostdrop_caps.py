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

Component names (TRACE_HOSTDROP_NAMES, 64 kept): K packets the same way,
packet i dropped on interface i of a, named "comp-i". K = 64: every drop
named, nothing said; K = 66: the drops on comp-64 and comp-65 have no
name: 2 counted in a `limit` finding on a and on stderr (this was silent).
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


def write_named(pa, pb, k):
    w = pcapnglib.PcapngWriter()
    w.section()
    for i in range(k):
        w.interface(1, 0, name="comp-%d" % i, tsresol=9)
    recs = []
    for i in range(k):
        pl = struct.pack("!I", i)
        sent = pktbuild.udp("10.0.0.2", 40000, "10.0.0.1", 9999, pl, i, ttl=64)
        got = pktbuild.udp("10.0.0.2", 40000, "10.0.0.1", 9999, pl, i, ttl=63)
        w.epb(i, T0 * 10**9 + i * 10**6 + 5 * 10**6, got, tsresol=9, flags=1, verdict=(2, 51))
        recs.append((T0 + i * 1e-3, sent))
    w.write(pa)
    pktbuild.write_pcap(pb, recs)


for k in (64, 66):
    pa, pb = os.path.join(TMP, "named%d.pcapng" % k), os.path.join(TMP, "named%d.pcap" % k)
    write_named(pa, pb, k)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    lim = [f for f in doc.get("findings", []) if f["kind"] == "limit"
           and "TRACE_HOSTDROP_NAMES" in f.get("explain", "")]
    said = "packets dropped inside the capturing host by components past the 64 names kept"
    check("%d components: the stats count %d host drops" % (k, k),
          rc == 0 and doc["stats"].get("host_dropped_a") == k, (rc, doc.get("stats"), err[-300:]))
    if k == 64:
        check("64 components: no component-name limit finding, nothing on stderr",
              not lim and said not in err, (lim, err[-300:]))
    else:
        check("66 components: one limit finding on a counting the 2 drops without a name",
              len(lim) == 1 and lim[0].get("capture") == "a" and lim[0]["count"] == 2, lim)
        check("66 components: stderr says so, with the count", "2 " + said in err, err[-400:])
        rc, out, err = run(PCAPCORRELATE, pa, pb)
        check("66 components: the text report says so",
              rc == 0 and "TRACE_HOSTDROP_NAMES" in out, out[-600:])

finish()
