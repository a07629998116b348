#!/usr/bin/env python3
"""Write the FortiGate IKE debug log ("diagnose debug application ike -1",
console timestamps on) that a FortiGate at one end of a lab capture would
have printed for the IKE packets of that capture, and the answer: which
log line records which frame.

The line shapes follow the public samples cited in captures/README.md
(Fortinet KB 198232, community article 346970, the Fortinet China
handbook); the words between the message lines are our own. Plain Python
(no scapy): reads pcap with Ethernet or Linux cooked v1 link types.

usage: fortigen.py CAPTURE LOCAL_IP OUT.log ANSWER.json
           [--offset SECONDS] [--reversed] [--hex] [--unknown N] [--cut]
  --offset   log clock minus capture clock (whole seconds printed)
  --reversed print cookies and message IDs byte-reversed (a test of the
             join's byte-order learning; real FortiGates print them as sent)
  --hex      add the "out"/"in" lines with the whole message in hex
  --unknown  add N lines the parser does not know (spread over the log)
  --cut      end the log inside a line (no line end)
"""
import argparse
import datetime
import json
import struct
import sys

EXCH = {(1, 2): "Identity Protection", (1, 4): "Aggressive", (1, 5): "Informational",
        (1, 6): "Transaction", (1, 32): "Quick", (2, 34): "SA_INIT", (2, 35): "AUTH",
        (2, 36): "CREATE_CHILD", (2, 37): "INFORMATIONAL"}


def packets(path):
    """(frame, time, src, sport, dst, dport, ike bytes) for each IKE datagram."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    link = struct.unpack(end + "I", data[20:24])[0]
    off, frame = 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        frame += 1
        t = sec + frac / (1e9 if nano else 1e6)
        if link == 1:
            eth, ip = struct.unpack(">H", pkt[12:14])[0], pkt[14:]
        elif link == 113:
            eth, ip = struct.unpack(">H", pkt[14:16])[0], pkt[16:]
        else:
            continue
        if eth != 0x0800 or ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            continue
        ihl = (ip[0] & 15) * 4
        udp = ip[ihl:]
        sport, dport = struct.unpack(">HH", udp[:4])
        body = udp[8:]
        if 4500 in (sport, dport):
            if len(body) < 4 or body[:4] != b"\0\0\0\0":
                continue  # ESP in UDP or a keepalive
            body = body[4:]
        elif 500 not in (sport, dport):
            continue
        if len(body) < 28 or struct.unpack(">I", body[24:28])[0] != len(body):
            continue
        src = ".".join(str(b) for b in ip[12:16])
        dst = ".".join(str(b) for b in ip[16:20])
        yield frame, t, src, sport, dst, dport, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("local")
    ap.add_argument("out")
    ap.add_argument("answer")
    ap.add_argument("--offset", type=float, default=0.0)
    ap.add_argument("--reversed", action="store_true")
    ap.add_argument("--hex", action="store_true")
    ap.add_argument("--unknown", type=int, default=0)
    ap.add_argument("--cut", action="store_true")
    a = ap.parse_args()

    pk = [p for p in packets(a.capture) if a.local in (p[2], p[4])]
    lines, answer, unknown = [], {}, 0
    every = max(1, (2 * len(pk)) // a.unknown) if a.unknown else 0

    def stamp(t):
        return datetime.datetime.fromtimestamp(int(t + a.offset), datetime.timezone.utc) \
            .strftime("%Y-%m-%d %H:%M:%S")

    def cookie(b):
        return (b[::-1] if a.reversed else b).hex()

    for n, (frame, t, src, sport, dst, dport, ike) in enumerate(pk):
        ver, exch, flags = ike[17] >> 4, ike[18], ike[19]
        mid = ike[20:24][::-1] if a.reversed else ike[20:24]
        ts = stamp(t)
        ids = "%s/%s" % (cookie(ike[0:8]), cookie(ike[8:16]))
        if ver == 2:
            ids += ":" + mid.hex()
        name = EXCH.get((ver, exch), str(exch))
        if every and n % every == 0 and unknown < a.unknown:
            lines.append("%s ike 0:lab:%d: state machine step for %s" % (ts, n, name))
            unknown += 1
        if src == a.local:
            if a.hex:
                lines.append("%s ike 0:lab:%d: out %s" % (ts, n, ike.hex().upper()))
            lines.append("%s ike V=root:0:lab:%d: sent IKE msg (%s): %s:%d->%s:%d, len=%d, "
                         "vrf=0, id=%s, oif=3" % (ts, n, name.lower().replace(" ", "_"),
                                                  src, sport, dst, dport, len(ike), ids))
            answer[len(lines)] = frame
        else:
            lines.append("%s ike V=root:0: comes %s:%d->%s:%d,ifindex=3,vrf=0,len=%d...."
                         % (ts, src, sport, dst, dport, len(ike)))
            lines.append("%s ike V=root:0: IKEv%d exchange=%s id=%s len=%d vrf=0"
                         % (ts, ver, name, ids, len(ike)))
            answer[len(lines)] = frame
            if a.hex:
                lines.append("%s ike 0: in %s" % (ts, ike.hex().upper()))
        if every and n % every == every // 2 and unknown < a.unknown:
            lines.append("%s ike 0:lab: peer is %s gateway" % (ts, "FortiGate/FortiOS"))
            unknown += 1
    text = "\n".join(lines) + "\n"
    if a.cut:
        text += lines[-1][:30]
    with open(a.out, "w") as f:
        f.write(text)
    with open(a.answer, "w") as f:
        json.dump({"messages": answer, "unknown": unknown, "lines": len(lines) + a.cut,
                   "packets": len(pk)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
