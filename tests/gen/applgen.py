#!/usr/bin/env python3
"""Write the racoon (ipsec-tools) or Cisco IOS debug log that a racoon host
or a Cisco router at one end of a lab capture would have printed for the IKE
packets of that capture, and the answer: which log line records which frame.

The line shapes follow the public samples cited in captures/README.md; the
words between the message lines are the generator's own. Reads pcap with
fortigen.packets() (plain Python, no scapy).

usage: applgen.py racoon|cisco CAPTURE LOCAL_IP OUT.log ANSWER.json
           [--offset SECONDS] [--unknown N] [--cut]
           racoon: [--syslog] [--nodump]
           cisco:  [--reversed] [--seconds]
  --offset   log clock minus capture clock
  --unknown  add N lines the parser does not know (spread over the log)
  --cut      end the log inside a line (no line end)
  --syslog   racoon through syslog ("Mon DD HH:MM:SS gw racoon: LEVEL: "),
             without the hex dumps
  --nodump   racoon without the hex dumps (the join then has no cookies)
  --reversed Cisco SPIs and message IDs printed byte-reversed (a test of
             the join's byte-order learning; a real router prints them as sent)
  --seconds  Cisco time stamps without milliseconds
"""
import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fortigen import packets  # noqa: E402

V2EXCH = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}


def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def racoon(a, pk):
    lines, answer, rexmit = [], {}, {}
    unknown = [0]
    every = max(1, (2 * len(pk)) // a.unknown) if a.unknown else 0
    dump = not (a.nodump or a.syslog)

    def pre(t, level="DEBUG"):
        d = utc(int(t + a.offset))
        if a.syslog:
            return d.strftime("%b %e %H:%M:%S") + " gw racoon: %s: " % level
        return d.strftime("%Y-%m-%d %H:%M:%S") + ": %s: " % level

    def hexdump(data):
        for i in range(0, len(data), 32):
            row = data[i:i + 32]
            lines.append(" ".join(row[j:j + 4].hex() for j in range(0, len(row), 4)))

    sent = []
    for n, (frame, t, src, sport, dst, dport, ike) in enumerate(pk):
        if every and n % every == 0 and unknown[0] < a.unknown:
            lines.append(pre(t) + "hmac(modp1024)")
            unknown[0] += 1
        wire = (b"\0\0\0\0" + ike) if 4500 in (sport, dport) else ike
        if src == a.local:
            if n == 0:
                lines.append(pre(t, "INFO") + "begin Identity Protection mode.")
            lines.append(pre(t) + "%d bytes from %s[%d] to %s[%d]" % (len(wire), src, sport, dst,
                                                                     dport))
            lines.append(pre(t) + "sockname %s[%d]" % (src, sport))
            lines.append(pre(t) + "send packet from %s[%d]" % (src, sport))
            lines.append(pre(t) + "send packet to %s[%d]" % (dst, dport))
            lines.append(pre(t) + "src4 %s[%d]" % (src, sport))
            lines.append(pre(t) + "dst4 %s[%d]" % (dst, dport))
            lines.append(pre(t) + "1 times of %d bytes message will be sent to %s[%d]"
                         % (len(wire), dst, dport))
            answer[len(lines)] = frame
            if dump:
                rexmit[len(lines)] = 1 if ike in sent else 0
                lines.append(pre(t).rstrip())
                hexdump(wire)
            sent.append(ike)
        else:
            lines.append(pre(t) + "===")
            lines.append(pre(t) + "%d bytes message received from %s[%d] to %s[%d]"
                         % (len(ike), src, sport, dst, dport))
            answer[len(lines)] = frame
            if dump:
                lines.append(pre(t).rstrip())
                hexdump(ike)
        if every and n % every == every // 2 and unknown[0] < a.unknown:
            lines.append(pre(t, "INFO") + "received Vendor ID: DPD")
            unknown[0] += 1
    return lines, answer, unknown[0], rexmit


def cisco(a, pk):
    lines, answer, rexmit = [], {}, {}
    unknown = 0
    every = max(1, (2 * len(pk)) // a.unknown) if a.unknown else 0

    def pre(t):
        d = utc(t + a.offset)
        s = "*" + d.strftime("%b %e %H:%M:%S")
        if not a.seconds:
            s += ".%03d" % (d.microsecond // 1000)
        return s + ": "

    def spi(b):
        return (b[::-1] if a.reversed else b).hex().upper()

    sent = []
    for n, (frame, t, src, sport, dst, dport, ike) in enumerate(pk):
        ver, exch, flags = ike[17] >> 4, ike[18], ike[19]
        mid = ike[20:24][::-1] if a.reversed else ike[20:24]
        if every and n % every == 0 and unknown < a.unknown:
            lines.append(pre(t) + "IKEv2:Found Policy 'default'")
            unknown += 1
        out = src == a.local
        if ver == 2:
            ctx = "IKEv2:(SESSION ID = 1,SA ID = 1):"
            if out:
                if ike in sent:
                    lines.append(pre(t) + ctx + "Retransmitting packet ")
                lines.append(pre(t) + ctx + "Sending Packet [To %s:%d/From %s:%d/VRF i0:f0] "
                             % (dst, dport, src, sport))
                rexmit[len(lines)] = 1 if ike in sent else 0
                sent.append(ike)
            else:
                lines.append(pre(t) + ctx + "Received Packet [From %s:%d/To %s:%d/VRF i0:f0] "
                             % (src, sport, dst, dport))
            answer[len(lines)] = frame
            lines.append("Initiator SPI : %s - Responder SPI : %s Message id: %d"
                         % (spi(ike[0:8]), spi(ike[8:16]), int.from_bytes(mid, "big")))
            lines.append("IKEv2 %s Exchange %s " % (V2EXCH.get(exch, str(exch)),
                                                   "RESPONSE" if flags & 0x20 else "REQUEST"))
            lines.append("Payload contents: ")
            lines.append(" ENCR ")  # the payload list: not read, kept as unknown
            unknown += 1
        else:
            state = {2: "MM_KEY_EXCH", 4: "AG_INIT_EXCH"}.get(exch, "QM_IDLE")
            role = "(I)" if n == 0 or pk[0][2] == a.local else "(R)"
            if out:
                if ike in sent:
                    lines.append(pre(t) + "ISAKMP: (1001): retransmitting phase %d %s..."
                                 % (1 if exch in (2, 4) else 2, state))
                lines.append(pre(t) + "ISAKMP-PAK: (1001):sending packet to %s my_port %d "
                             "peer_port %d %s %s" % (dst, sport, dport, role, state))
                answer[len(lines)] = frame
                rexmit[len(lines)] = 1 if ike in sent else 0
                lines.append(pre(t) + "ISAKMP: (1001):Sending an IKE IPv4 Packet.")
                sent.append(ike)
            else:
                lines.append(pre(t) + "ISAKMP-PAK: (1001):received packet from %s dport %d "
                             "sport %d Global %s %s" % (src, dport, sport, role, state))
                answer[len(lines)] = frame
        if every and n % every == every // 2 and unknown < a.unknown:
            lines.append(pre(t) + "ISAKMP: (1001):Checking IPSec proposal 1")
            unknown += 1
    return lines, answer, unknown, rexmit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("format", choices=["racoon", "cisco"])
    ap.add_argument("capture")
    ap.add_argument("local")
    ap.add_argument("out")
    ap.add_argument("answer")
    ap.add_argument("--offset", type=float, default=0.0)
    ap.add_argument("--unknown", type=int, default=0)
    ap.add_argument("--cut", action="store_true")
    ap.add_argument("--syslog", action="store_true")
    ap.add_argument("--nodump", action="store_true")
    ap.add_argument("--reversed", action="store_true")
    ap.add_argument("--seconds", action="store_true")
    a = ap.parse_args()
    pk = [p for p in packets(a.capture) if a.local in (p[2], p[4])]
    lines, answer, unknown, rexmit = (racoon if a.format == "racoon" else cisco)(a, pk)
    text = "\n".join(lines) + "\n"
    if a.cut:
        text += lines[-1][:30]
    with open(a.out, "w") as f:
        f.write(text)
    with open(a.answer, "w") as f:
        json.dump({"messages": answer, "unknown": unknown, "lines": len(lines) + a.cut,
                   "packets": len(pk), "retransmits": sum(rexmit.values())}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
