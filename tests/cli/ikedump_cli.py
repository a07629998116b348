#!/usr/bin/env python3
"""ikedump end to end: exit codes, error messages and JSON on real captures.

Run by make check (IKEDUMP and IKS_CAPTURES set). Prints one line per
check and 'N passed, N failed'.
"""
import decimal
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import CAPS, IKEDUMP, cap, check, finish  # noqa: E402


def run(*args, stdin=None):
    p = subprocess.run([IKEDUMP, *args], stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def records(*args):
    rc, out, err = run("--json", *args)
    assert rc == 0, (args, rc, err)
    recs = [json.loads(l, parse_float=decimal.Decimal) for l in out.splitlines()]
    return {r["frame"]: r for r in recs if "frame" in r}, [r for r in recs if "event" in r], out


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    hdr, body = data[:24], data[24:]
    recs, off = [], 0
    while off < len(body):
        ts, tu, incl, orig = struct.unpack("<IIII", body[off:off + 16])
        recs.append((ts, tu, incl, orig, body[off + 16:off + 16 + incl]))
        off += 16 + incl
    return hdr, recs


def write_pcap(path, hdr, recs, snap=None):
    with open(path, "wb") as f:
        if snap:
            hdr = hdr[:16] + struct.pack("<I", snap) + hdr[20:]
        f.write(hdr)
        for ts, tu, incl, orig, pkt in recs:
            if snap and incl > snap:
                pkt, incl = pkt[:snap], snap
            f.write(struct.pack("<IIII", ts, tu, incl, orig) + pkt)


tmp = tempfile.mkdtemp(prefix="ikedump-test-")

# --- bad input ------------------------------------------------------------
rc, out, err = run(cap("does-not-exist.pcap"))
check("missing file exits 1", rc == 1, rc)
check("missing file: one line naming the file",
      err.count("\n") == 1 and "does-not-exist.pcap" in err, err)

garbage = os.path.join(tmp, "garbage.pcap")
with open(garbage, "w") as f:
    f.write("not a capture\n" * 10)
rc, out, err = run(garbage)
check("garbage file exits 1 with one line naming it",
      rc == 1 and err.count("\n") == 1 and garbage in err, (rc, err))

hdr, recs = read_pcap(cap("ikev2_psk_natt_a.pcap"))
trunc = os.path.join(tmp, "truncated.pcap")
with open(trunc, "wb") as f:
    f.write(hdr)
    for r in recs[:12]:
        f.write(struct.pack("<IIII", *r[:4]) + r[4])
    r = recs[12]
    f.write(struct.pack("<IIII", *r[:4]) + r[4][:40])
rc, out, err = run("--json", trunc)
frames = [json.loads(l)["frame"] for l in out.splitlines() if '"frame"' in l]
check("truncated capture exits 1", rc == 1, rc)
check("truncated capture: frames before the cut are still decoded", frames == [9, 10, 11, 12], frames)
check("truncated capture: one line naming file and frame",
      err.count("\n") == 1 and trunc in err and "after frame 12" in err, err)

rc, out, err = run()
check("no file is a usage error (exit 2)", rc == 2, rc)

# --- snaplen ---------------------------------------------------------------
snapped = os.path.join(tmp, "snap100.pcap")
write_pcap(snapped, hdr, recs, snap=100)
by_frame, _, _ = records(snapped)
r = by_frame[9]
check("snapped frame keeps wire length and caplen", r["len"] == 498 and r["caplen"] == 100, r)
check("snapped IKE header still decoded", r["ike"]["ispi"] == "5fa287abf4356660", r.get("ike"))
check("snapped frame marked truncated at the IKE layer",
      r["error"]["status"] == "truncated" and r["error"]["layer"] == "ike", r.get("error"))

# --- NAT-T demux (scapy_natt.pcap) --------------------------------------------
by_frame, _, _ = records(cap("scapy_natt.pcap"))
check("non-ESP marker IKE", by_frame[1]["udp"]["encap"] == "non-esp-marker"
      and by_frame[1]["ike"]["ispi"] == "1111111111111111", by_frame[1])
check("NAT-keepalive", by_frame[2]["udp"]["encap"] == "keepalive" and "esp" not in by_frame[2],
      by_frame[2])
check("ESP in UDP", by_frame[3]["udp"]["encap"] == "esp" and by_frame[3]["esp"]
      == {"spi": "00001004", "seq": 1, "payload_len": 124}, by_frame[3])

# --- fragments ---------------------------------------------------------------
by_frame, events, _ = records("--all", cap("plain_frag_b.pcap"))
check("plain_frag_b: 5 fragments point at frame 12",
      all(by_frame[f]["frag"]["datagram"] == 12 for f in range(8, 13)),
      [by_frame[f]["frag"] for f in range(8, 13)])
check("plain_frag_b: frame 12 reassembles 4000-byte echo from 8..12",
      by_frame[12]["frag"]["reassembled"] == {"length": 4008, "frames": [8, 9, 10, 11, 12]}
      and by_frame[12]["icmp"]["type"] == 8, by_frame[12])
check("plain_frag_b: offsets 0,1280,1480,2760,2960",
      [by_frame[f]["frag"]["offset"] for f in range(8, 13)] == [0, 1280, 1480, 2760, 2960])
check("plain_frag_b: no incomplete datagram", events == [], events)

by_frame, _, _ = records("--all", cap("plain_frag_a.pcap"))
icmp = by_frame[32]["icmp"]
check("plain_frag_a: frag-needed with MTU 1300", icmp["type"] == 3 and icmp["code"] == 4
      and icmp["mtu"] == 1300, icmp)
inner = icmp.get("inner", {})
check("plain_frag_a: quoted flow 192.0.2.1 > 198.51.100.1 ICMP echo id 18298",
      inner.get("src") == "192.0.2.1" and inner.get("dst") == "198.51.100.1"
      and inner.get("proto") == 1 and inner["icmp"]["echo_id"] == 18298, inner)

rc, out, err = run("--json", "--all", cap("plain_frag_r-any-nsec.pcap"))
line12 = [l for l in out.splitlines() if l.startswith('{"frame":12,')][0]
check("SLL2 nanosecond timestamp kept to the digit", '"ts":1795352784.091580627,' in line12, line12)

by_frame, events, out = records(cap("ikev2_cert_fragdrop_b.pcap"))
check("fragdrop_b: 5 incomplete datagrams, tail missing",
      len(events) == 5 and all(e["missing"] == [[1480, None]] and e["reason"] == "end-of-capture"
                               for e in events), events)
check("fragdrop_b: held fragments name no datagram", by_frame[10]["frag"]["datagram"] is None,
      by_frame[10])
check("fragdrop_b: IPsec fragments shown without --all", 10 in by_frame and 11 in by_frame)

by_frame, events, out = records(cap("plain_frag_b.pcap"))
check("without --all a capture with no IPsec prints nothing", out == "", out[:200])

# --- options -------------------------------------------------------------------
with open(cap("scapy_ah.pcap"), "rb") as f:
    rc, out_stdin, err = run("--json", "-r", "-", stdin=f)
rc2, out_file, err2 = run("--json", cap("scapy_ah.pcap"))
check("-r - reads standard input", rc == 0 and out_stdin == out_file and out_file, err)

by_frame, _, _ = records("-f", "udp port 500", cap("ikev2_psk_natt_a.pcap"))
check("-f filters and keeps frame numbers", sorted(by_frame) == [9, 10], sorted(by_frame))

for name in sorted(os.listdir(CAPS)):
    if name.endswith((".pcap", ".pcapng")):
        rc, out, err = run("--all", cap(name))
        check("text output of %s" % name, rc == 0 and out and not err, (rc, err))
# the hostile fixtures through every output path (a Delete that lies about its
# SPI count once made the JSON writer read past the payload)
REG = os.path.join(CAPS, "regress")
for name in sorted(os.listdir(REG)):
    if name.endswith(".pcap"):
        for mode in (["--all"], ["--all", "-v"], ["--json", "--all"]):
            rc, out, err = run(*mode, os.path.join(REG, name))
            check("%s of regress/%s" % (" ".join(mode), name), rc == 0 and out, (rc, err))

finish()
