#!/usr/bin/env python3
"""Compare `ikedump --json --all` with tshark's reference field decode.

usage: refdecode_compare.py IKEDUMP CAPTURE.pcap REFERENCE.fields.tsv

For every frame of the reference (tshark 4.0.17 -T fields, see
captures/README.md) the IKE cookies/SPIs, exchange type, message ID, ESP
SPI and sequence, AH SPI and sequence, the outer IP addresses, IP ID and
fragment offset, and the UDP ports must agree with what ikedump reports for
that frame. tshark decodes upper layers on the frame that completes an IP
datagram, as ikedump does, so frames are compared one to one. Where tshark
lists several values for a field (an ICMP error and the packet it quotes),
the first value belongs to the outer packet and the second to the quote.

Known disagreements, each one tshark's error with the evidence, are listed
in EXPLAINED; anything else fails the test. Prints one line per capture and
'N passed, N failed'.
"""
import decimal
import json
import subprocess
import sys

# (capture basename, frame, field) -> why tshark is wrong there
EXPLAINED = {
}


def ikev1_fragment_repeat(rec, ref, ours, field):
    """tshark reassembles IKEv1 fragmentation payloads (type 132, the
    Cisco/Microsoft scheme) and decodes the reassembled message on the frame
    carrying the last fragment, so every isakmp.* field appears twice there:
    the outer header and the inner one, which repeats the same cookies,
    exchange and message ID. ikedump reports the header of the packet on the
    wire; reassembling IKE fragments is the IKE payload decoder's work.
    Accepted only when tshark's second value equals its first and the
    packet really carries a FRAG payload."""
    if not field.startswith("isakmp.") or len(ref) != 2 or ref[0] != ref[1]:
        return False
    ike = rec.get("ike") or {}
    has_frag = any(p["type"] == 132 for p in ike.get("payloads", []))
    return has_frag and [o.lower() for o in ours] == [ref[0].lower()]


def run_ikedump(ikedump, pcap):
    out = subprocess.run([ikedump, "--json", "--all", pcap], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    recs = {}
    for line in out.splitlines():
        obj = json.loads(line, parse_float=decimal.Decimal)
        if "frame" in obj:
            recs[obj["frame"]] = obj
    return recs


def split(v):
    return [x for x in v.split(",")] if v else []


def ours_for(rec, field):
    """The values ikedump reports for a tshark field: outer first, then inner."""
    layers = [rec]
    inner = rec.get("icmp", {}).get("inner")
    if inner:
        layers.append(inner)
    vals = []
    for L in layers:
        if field == "ip.src":
            v = L.get("src")
        elif field == "ip.dst":
            v = L.get("dst")
        elif field == "ip.id":
            v = "0x%04x" % L["ip_id"] if "ip_id" in L and L.get("ip_version") == 4 else None
        elif field == "ip.frag_offset":
            v = None
            if L.get("ip_version") == 4:
                off = L["frag"]["offset"] if "frag" in L else 0
                v = str(off // 8)
        elif field in ("udp.srcport", "udp.dstport"):
            u = L.get("udp")
            v = str(u["sport" if field == "udp.srcport" else "dport"]) if u else None
        elif field.startswith("isakmp."):
            ike = L.get("ike")
            if not ike:
                v = None
            elif field == "isakmp.ispi":
                v = ike["ispi"]
            elif field == "isakmp.rspi":
                v = ike["rspi"]
            elif field == "isakmp.exchangetype":
                v = str(ike["exchange"])
            else:
                v = "0x" + ike["msgid"]
        elif field in ("esp.spi", "esp.sequence"):
            e = L.get("esp")
            v = None if not e else ("0x" + e["spi"] if field == "esp.spi" else str(e["seq"]))
        elif field in ("ah.spi", "ah.sequence"):
            a = L.get("ah")
            v = None if not a else ("0x" + a["spi"] if field == "ah.spi" else str(a["seq"]))
        else:
            raise KeyError(field)
        if v is not None:
            vals.append(v)
    return vals


FIELDS = ["ip.src", "ip.dst", "ip.id", "ip.frag_offset", "udp.srcport", "udp.dstport",
          "isakmp.ispi", "isakmp.rspi", "isakmp.exchangetype", "isakmp.messageid",
          "esp.spi", "esp.sequence", "ah.spi", "ah.sequence"]
# fields where ikedump reports only the layers tshark reports (tshark shows
# ip.* for every quoted header; we compare the outer value and, when there
# is one, the quoted one)


def main():
    ikedump, pcap, tsv = sys.argv[1:4]
    name = pcap.rsplit("/", 1)[-1]
    recs = run_ikedump(ikedump, pcap)
    passed = failed = explained = 0
    with open(tsv) as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {h: i for i, h in enumerate(header)}
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    problems = []
    for row in rows:
        row += [""] * (len(header) - len(row))
        frame = int(row[col["frame.number"]])
        rec = recs.get(frame)
        if rec is None:
            problems.append("frame %d: missing from ikedump output" % frame)
            continue
        ts_ref = decimal.Decimal(row[col["frame.time_epoch"]])
        if decimal.Decimal(rec["ts"]) != ts_ref:
            problems.append("frame %d: ts %s, tshark %s" % (frame, rec["ts"], ts_ref))
        for field in FIELDS:
            ref = split(row[col[field]])
            if field.startswith("ip.") and rec.get("ip_version") == 6:
                continue
            ours = ours_for(rec, field)
            if field in ("ip.id", "ip.frag_offset", "ip.src", "ip.dst"):
                ours = ours[:len(ref)] if len(ours) > len(ref) else ours
            if [r.lower() for r in ref] == [o.lower() for o in ours]:
                passed += 1
                continue
            why = EXPLAINED.get((name, frame, field))
            if why or ikev1_fragment_repeat(rec, ref, ours, field):
                explained += 1
                continue
            problems.append("frame %d: %s: ikedump %s, tshark %s" % (frame, field, ours, ref))
    failed = len(problems)
    for p in problems[:40]:
        print("%s: %s" % (name, p))
    print("%s: %d frames, %d field checks agree, %d explained, %d disagree"
          % (name, len(rows), passed, explained, failed))
    print("%d passed, %d failed" % (passed + explained, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
