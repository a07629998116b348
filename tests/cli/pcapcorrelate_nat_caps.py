#!/usr/bin/env python3
"""NAT rebinding past its caps, on a construction whose answer is known.

Host a (10.0.0.1, behind a NAT) and b (198.51.100.1) exchange ESP in UDP
4500 (RFC 3948) on one SA pair. In b's capture a's public address is
203.0.113.5, and its public port moves K times (the NAT's mapping
flushed): epoch k uses port 40000 + k. In each epoch a sends 4 packets and
b answers each; b answers the new port only once a packet came from it, so
no packet is lost. The rebindings are K, on b's side; 16 are reported one
by one, and the rest must be counted in one `limit` finding (they were
silently not looked for before).
"""
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pktbuild  # noqa: E402
from iks_testlib import PCAPCORRELATE, check, finish, run  # noqa: E402

A_PRIV, A_PUB, B = "10.0.0.1", "203.0.113.5", "198.51.100.1"
T0 = 1700000000.0
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-natcaps-")
SHOWN = 16


def frame(src, sport, dst, dport, ip_id, payload, ttl):
    return pktbuild.udp(src, sport, dst, dport, payload, ip_id, ttl)


def esp(spi, seq):
    """ESP (RFC 4303 section 2): SPI, sequence number, opaque bytes."""
    return struct.pack("!II", spi, seq) + bytes((seq * 13 + i) & 0xFF for i in range(64))


write = pktbuild.write_pcap


def pair(k_rebinds):
    a_recs, b_recs = [], []
    seq_ab = seq_ba = 0
    for epoch in range(k_rebinds + 1):
        port = 40000 + epoch
        for i in range(4):
            t = T0 + epoch * 2.0 + i * 0.2
            seq_ab += 1
            ip_id = seq_ab
            p = esp(0xA0000001, seq_ab)
            a_recs.append((t, frame(A_PRIV, 4500, B, 4500, ip_id, p, 64)))
            b_recs.append((t + 0.005, frame(A_PUB, port, B, 4500, ip_id, p, 62)))
            seq_ba += 1
            q = esp(0xB0000001, seq_ba)
            b_recs.append((t + 0.010, frame(B, 4500, A_PUB, port, 5000 + seq_ba, q, 64)))
            a_recs.append((t + 0.015, frame(B, 4500, A_PRIV, 4500, 5000 + seq_ba, q, 62)))
    pa = os.path.join(TMP, "k%d_a.pcap" % k_rebinds)
    pb = os.path.join(TMP, "k%d_b.pcap" % k_rebinds)
    write(pa, a_recs)
    write(pb, b_recs)
    return pa, pb


for k in (3, SHOWN, SHOWN + 5):
    pa, pb = pair(k)
    rc, out, err = run(PCAPCORRELATE, "--json", pa, pb)
    doc = json.loads(out) if rc == 0 else {}
    finds = doc.get("findings", [])
    rebinds = [f for f in finds if f["kind"] == "nat-rebind"]
    limits = [f for f in finds if f["kind"] == "limit"]
    check("%d rebindings: exit 0" % k, rc == 0, err[-300:])
    check("%d rebindings: %d nat-rebind findings, each one of a's public ports in turn" %
          (k, min(k, SHOWN)), len(rebinds) == min(k, SHOWN) and
          [f.get("port_new") for f in rebinds] == [40001 + e for e in range(min(k, SHOWN))],
          [(f.get("side"), f.get("port_old"), f.get("port_new")) for f in rebinds])
    if k <= SHOWN:
        check("%d rebindings: no limit finding" % k, not limits, limits)
    else:
        check("%d rebindings: one limit finding on b's capture counting the %d not reported" %
              (k, k - SHOWN), len(limits) == 1 and limits[0].get("capture") == "b" and
              limits[0]["count"] == k - SHOWN, limits)
    lost = [f for f in finds if f["kind"] == "packet-loss"]
    check("%d rebindings: nothing lost (b followed each new port at once)" % k, not lost, lost)

finish()
