#!/usr/bin/env python3
"""Write the crafted captures of the resource-cap tests (tests/cli/caps.sh).

usage: gen_caps.py KIND OUT.pcap
  frag_ids        1,000,000 IPv4 first fragments (MF, offset 0) with
                  distinct reassembly keys (source 198.18.0.0/15 x 16-bit
                  ID), 10 us apart: more datagrams than frag_datagrams_max.
  never_complete  1,200 datagrams of 44 x 1480-byte fragments that never
                  get their last fragment (MF on every one), round robin
                  0.5 ms apart: more bytes than frag_bytes_max (64 MiB);
                  then 1,000 single first fragments 100 ms apart: each one
                  times out (30 s).
  ike_sas         100,000 IKEv2 IKE_SA_INIT requests with distinct
                  initiator SPIs (cookies), 1 ms apart.
Raw IPv4 (LINKTYPE_IPV4 = 228), RFC 5737 / RFC 2544 addresses. Generated
by the tests, never committed.
"""
import struct
import sys

DST = bytes([192, 0, 2, 1])


def ip4(src, ident, flags_off, proto, payload):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_off, 64, proto,
                       0, src, DST) + payload


def main():
    kind, out = sys.argv[1], sys.argv[2]
    t0 = 1795000000
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 228))
        rec = struct.Struct("<IIII")

        def put(usec, frame):
            f.write(rec.pack(t0 + usec // 1000000, usec % 1000000, len(frame), len(frame)) + frame)

        if kind == "frag_ids":
            # UDP 500 -> 500 header and 8 bytes: a first fragment of IKE
            body = struct.pack("!HHHH", 500, 500, 1480, 0) + bytes(8)
            chunk = []
            for i in range(1000000):
                src = bytes([198, 18 + (i >> 24 & 1), i >> 16 & 0xFF, 1])
                chunk.append(rec.pack(t0 + i // 100000, (i % 100000) * 10, 36, 36) +
                             ip4(src, i & 0xFFFF, 0x2000, 17, body))
                if len(chunk) == 65536:
                    f.write(b"".join(chunk))
                    chunk = []
            f.write(b"".join(chunk))
        elif kind == "never_complete":
            body = bytes(1480)
            usec = 0
            for r in range(44):
                for d in range(1200):
                    src = bytes([198, 18, d >> 8, d & 0xFF])
                    put(usec, ip4(src, d, 0x2000 | (r * 1480 // 8), 50, body))
                    usec += 500
            for d in range(1000):
                src = bytes([198, 19, d >> 8, d & 0xFF])
                put(usec, ip4(src, d, 0x2000, 50, body[:64]))
                usec += 100000
        elif kind == "ike_sas":
            for i in range(100000):
                nonce = struct.pack("!BBH", 0, 0, 36) + struct.pack("!Q", i) * 4
                ike = struct.pack("!QQBBBBII", 0x1000000000000000 + i, 0, 40, 0x20, 34, 0x08, 0,
                                  28 + len(nonce)) + nonce
                udp = struct.pack("!HHHH", 500, 500, 8 + len(ike), 0) + ike
                put(i * 1000, ip4(bytes([198, 51, 100, 1]), i & 0xFFFF, 0, 17, udp))
        else:
            sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
