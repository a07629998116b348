#!/usr/bin/env python3
"""Reshape a classic pcap the way pktmon / etl2pcapng writes a Windows capture.

Facts from microsoft/etl2pcapng src/main.c and the pcapng draft: each driver
component a packet passes is its own interface (IDB); a packet appears once
per component, every copy with the same epb_packetid (option 5, 8 bytes,
pktmon's PktGroupId); epb_flags (option 2) says inbound (1) or outbound (2);
a packet a component dropped carries epb_verdict (option 7: type octet 2,
then the 8-byte drop reason) on the copy at that component.

Here: three components, interface 0 the miniport (the wire side),
1 a filter driver, 2 the TCP/IP stack (top). Every packet gets one copy at
0 (at its original time) and one at 1; every third also one at 2. A
received packet goes up (0, then 1 µs later 1, then 2); a sent one comes
down (2, 1, then 0 at the original time). Frames listed in `drops` also get
a copy at interface 2 with epb_verdict (2, reason) after the others. Blocks
are written in time order.

Usage: pktmon_shape.py IN.pcap OUT.pcapng HOST_IPV4 [DROP_FRAME ...]
Library: shape(in, out, host, drops, reason=...) -> dict of counts.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
import pcapnglib  # noqa: E402

COMPONENTS = ["Microsoft Hyper-V Network Adapter", "WFP Native MAC Layer LightWeight Filter",
              "TCPIP"]
DROP_REASON = 51


def ipv4_src(linktype, data):
    """Source IPv4 address of a frame as bytes, or None."""
    off = {1: 14, 101: 0, 228: 0, 12: 0, 113: 16}.get(linktype)
    if off is None:
        return None
    if linktype == 1:
        et = struct.unpack(">H", data[12:14])[0]
        while et == 0x8100 and len(data) >= off + 4:
            et = struct.unpack(">H", data[off + 2:off + 4])[0]
            off += 4
        if et != 0x0800:
            return None
    if len(data) < off + 20 or data[off] >> 4 != 4:
        return None
    return data[off + 12:off + 16]


def shape(src, out, host, drops=(), reason=DROP_REASON, id_base=0x2A000000):
    linktype, frames = pcapnglib.read_pcap(src)
    hostb = bytes(int(x) for x in host.split("."))
    drops = set(drops)
    w = pcapnglib.PcapngWriter()
    w.section(comment="shaped like etl2pcapng output from " + os.path.basename(src))
    for name in COMPONENTS:
        w.interface(linktype, 0, name=name, description="pktmon component " + name,
                    tsresol=9)
    blocks = []  # (ts, order, kwargs)
    n = {"packets": len(frames), "copies": 0, "drops": 0, "out": 0, "in": 0}
    for i, (ts, wl, data) in enumerate(frames, 1):
        pid = id_base + i
        sent = ipv4_src(linktype, data) == hostb
        comps = [0, 1, 2] if i % 3 == 0 else [0, 1]
        if sent:
            n["out"] += 1
            path = list(reversed(comps))  # down the stack, the wire copy last
            times = [ts - 1000 * (len(path) - 1 - k) for k in range(len(path))]
        else:
            n["in"] += 1
            path = comps
            times = [ts + 1000 * k for k in range(len(path))]
        for k, (c, t) in enumerate(zip(path, times)):
            blocks.append((t, i, k, dict(iface=c, data=data, wirelen=wl, flags=2 if sent else 1,
                                         packet_id=pid)))
        if i in drops:
            blocks.append((ts + 5000, i, 9, dict(iface=2, data=data, wirelen=wl,
                                                 flags=2 if sent else 1, packet_id=pid,
                                                 verdict=(2, reason))))
            n["drops"] += 1
    blocks.sort(key=lambda b: (b[0], b[1], b[2]))
    for t, _, _, kw in blocks:
        w.epb(kw["iface"], t, kw["data"], wirelen=kw["wirelen"], tsresol=9, flags=kw["flags"],
              packet_id=kw["packet_id"], verdict=kw.get("verdict"))
    n["copies"] = len(blocks)
    w.write(out)
    return n


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    print(shape(sys.argv[1], sys.argv[2], sys.argv[3], [int(x) for x in sys.argv[4:]]))
