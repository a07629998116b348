#!/usr/bin/env python3
"""How much of one IKE SA is followed. Constructions written here (IKEv2 on
UDP 500 between 192.0.2.1 and 198.51.100.1, SK payloads of opaque bytes),
whose answer is known by construction:

  - a long-lived IKE SA: N INFORMATIONAL exchanges (message IDs 0..N-1, a
    DPD every second), each answered but the last; then, 40 s later, one
    more request. The last unanswered DPD is the failure, whatever N: the
    one-capture diagnosis kept 64 exchanges per IKE SA and, at N = 100,
    silently called the SA complete;
  - one exchange (message ID 5) whose requests come in M distinct sizes
    (as IKE fragments of a message would), each answered: an exchange keeps
    64 distinct messages, and the copies past that must be a `limit`
    finding naming the exchange, in one capture and in a pair, never
    silently left out.
"""
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pktbuild  # noqa: E402
from iks_testlib import PCAPCORRELATE, check, finish, run  # noqa: E402

A, B = "192.0.2.1", "198.51.100.1"
T0 = 1700000000.0
TMP = tempfile.mkdtemp(prefix="pcapcorrelate-xcaps-")


def frame(src, dst, ip_id, payload, ttl=64):
    """UDP 500 -> 500, DF."""
    return pktbuild.udp(src, 500, dst, 500, payload, ip_id, ttl, df=True)


def ike(msgid, response, body=48, exchange=37):
    """An IKEv2 message from the initiator's side (I flag), an SK payload of
    `body` opaque bytes (RFC 7296 section 3.14)."""
    sk = struct.pack("!BBH", 0, 0, 4 + body) + bytes((msgid * 7 + body + i) & 0xFF
                                                     for i in range(body))
    flags = 0x08 | (0x20 if response else 0)
    return (b"\x11" * 8 + b"\x22" * 8 + bytes([46, 0x20, exchange, flags]) +
            struct.pack("!II", msgid, 28 + len(sk)) + sk)


write = pktbuild.write_pcap


def correlate(*paths):
    rc, out, err = run(PCAPCORRELATE, "--json", *paths)
    return rc, (json.loads(out) if rc == 0 else {}), err


# --- a long-lived IKE SA: the last DPD unanswered, after many exchanges -------------
for n in (20, 100, 300):
    recs, frame_no, last_req = [], 0, None
    for m in range(n):
        recs.append((T0 + m, frame(A, B, 2 * m + 1, ike(m, False))))
        frame_no += 1
        if m == n - 1:
            last_req = frame_no
        else:
            recs.append((T0 + m + 0.01, frame(B, A, 2 * m + 2, ike(m, True))))
            frame_no += 1
    recs.append((T0 + n + 40, frame(A, B, 9999, ike(n + 5, False))))
    path = os.path.join(TMP, "dpd%d.pcap" % n)
    write(path, recs)
    rc, out, err = correlate(path)
    un = [(f["msgid"], f["frame_a"]) for f in out.get("findings", []) if f["kind"] == "ike-unanswered"]
    negs = out.get("negotiations", [])
    check("one capture, %d DPD exchanges: the last DPD (message ID %d, frame %d) is the one "
          "ike-unanswered" % (n, n - 1, last_req),
          rc == 0 and un == [("%08x" % (n - 1), last_req)], (rc, un, err[-300:]))
    check("one capture, %d DPD exchanges: one IKE SA, failed, every exchange kept (%d)" % (n, n + 1),
          len(negs) == 1 and negs[0]["outcome"] == "failed" and len(negs[0]["exchanges"]) == n + 1,
          [(x["outcome"], len(x["exchanges"])) for x in negs])

# --- one exchange with more distinct messages than an exchange keeps ----------------
CAP = 64
for m_sizes in (10, CAP, CAP + 6):
    a_recs, b_recs = [], []
    for i in range(m_sizes):
        t = T0 + 0.1 * i
        req, resp = ike(5, False, body=48 + 4 * i), ike(5, True, body=40)
        a_recs += [(t, frame(A, B, 100 + i, req)), (t + 0.0102, frame(B, A, 500 + i, resp, 63))]
        # b's capture: the same packets, b's clock 2.5 s ahead, 5 ms each way
        b_recs += [(t + 2.505, frame(A, B, 100 + i, req, 63)), (t + 2.5052, frame(B, A, 500 + i, resp))]
    pa, pb = os.path.join(TMP, "x%d_a.pcap" % m_sizes), os.path.join(TMP, "x%d_b.pcap" % m_sizes)
    write(pa, a_recs)
    write(pb, b_recs)
    # distinct messages in order of first copy: request 0, the answer (the
    # same bytes every time: one message, repeated), requests 1..m-1; those
    # past the cap are requests sent once each, by a
    want_kept = min(m_sizes + 1, CAP)
    want_past = m_sizes + 1 - want_kept
    for label, args in (("one capture", (pa,)), ("pair", (pa, pb))):
        rc, out, err = correlate(*args)
        lim = [f for f in out.get("findings", []) if f["kind"] == "limit"]
        negs = out.get("negotiations", [])
        kept = [len(x["messages"]) for n_ in negs for x in n_["exchanges"] if x.get("msgid") == "00000005"]
        check("%s, %d request sizes in one exchange: %d messages kept" % (label, m_sizes, want_kept),
              rc == 0 and kept == [want_kept], (rc, kept, err[-300:]))
        if m_sizes + 1 <= CAP:
            check("%s, %d request sizes: no limit finding" % (label, m_sizes), rc == 0 and not lim, lim)
        else:
            check("%s, %d request sizes: one limit finding naming the exchange, counting the %d "
                  "requests past the cap" % (label, m_sizes, want_past),
                  rc == 0 and len(lim) == 1 and lim[0].get("msgid") == "00000005" and
                  lim[0]["count"] == want_past, lim)

finish()
