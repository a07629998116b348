#!/usr/bin/env python3
"""Write captures/ikev1_natt_draft05_built.pcap: an IKEv1 main mode whose
peers negotiate NAT-T by draft-ietf-ipsec-nat-t-ike-05 (NAT-D is payload 15,
as drafts 04-08 numbered it), seen at the responder with a NAT in front of
the initiator (10.0.0.5:500 rewritten to 203.0.113.7:1025).

NAT-D hashes follow RFC 3947 section 3.2 / the drafts: SHA-1 (the
negotiated hash) over CKY-I | CKY-R | IP | port. Plain Python, no scapy:
    python3 tests/gen/make_natt_draft_pcap.py captures/ikev1_natt_draft05_built.pcap
"""
import hashlib
import socket
import struct
import sys

CKY_I = bytes.fromhex("0123456789abcdef")
CKY_R = bytes.fromhex("fedcba9876543210")
INIT_PRIV = ("10.0.0.5", 500)       # what the initiator believes it is
INIT_SEEN = ("203.0.113.7", 1025)   # after the NAT, as captured
RESP = ("198.51.100.1", 500)

VID_DRAFT05 = bytes.fromhex("80d0bb3def54565ee84645d4c85ce3ee")
VID_DRAFT02N = bytes.fromhex("90cb80913ebb696e086381b5ec427b1f")
VID_MS_XP = bytes.fromhex("1e2b516905991c7d7c96fcbfb587e46100000003")


def payload(np, body):
    return struct.pack("!BBH", np, 0, 4 + len(body)) + body


def chain(items):
    """items: [(type, body)] -> (first type, bytes) with next-payload links."""
    out = b""
    for i, (t, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += payload(nxt, body)
    return (items[0][0] if items else 0), out


def sa():
    attrs = struct.pack("!HH", 0x8001, 5)      # 3DES-CBC
    attrs += struct.pack("!HH", 0x8002, 2)     # SHA
    attrs += struct.pack("!HH", 0x8003, 1)     # pre-shared key
    attrs += struct.pack("!HH", 0x8004, 2)     # 1024-bit MODP
    transform = struct.pack("!BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transform), 1, 1, 0, 1) + transform
    return struct.pack("!II", 1, 1) + proposal


def natd(ip, port):
    return hashlib.sha1(CKY_I + CKY_R + socket.inet_aton(ip) + struct.pack("!H", port)).digest()


def isakmp(first, body, rcookie, flags=0):
    hdr = CKY_I + rcookie + struct.pack("!BBBBII", first, 0x10, 2, flags, 0, 28 + len(body))
    return hdr + body


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, data, ident):
    udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0x4000, 64, 17, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00"
    return eth + ip + udp


def main(path):
    zero = bytes(8)
    ke = bytes(range(128))
    nonce = bytes(range(16, 36))
    msgs = []
    f, b = chain([(1, sa()), (13, VID_DRAFT05), (13, VID_DRAFT02N), (13, VID_MS_XP)])
    msgs.append((INIT_SEEN, RESP, isakmp(f, b, zero)))
    f, b = chain([(1, sa()), (13, VID_DRAFT05)])
    msgs.append((RESP, INIT_SEEN, isakmp(f, b, CKY_R)))
    # MM3: NAT-D about the receiver (matches), then about itself (its private address)
    f, b = chain([(4, ke), (10, nonce), (15, natd(*RESP)), (15, natd(*INIT_PRIV))])
    msgs.append((INIT_SEEN, RESP, isakmp(f, b, CKY_R)))
    # MM4: the responder hashes the address it saw and its own
    f, b = chain([(4, ke), (10, nonce), (15, natd(*INIT_SEEN)), (15, natd(*RESP))])
    msgs.append((RESP, INIT_SEEN, isakmp(f, b, CKY_R)))
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    t = 1700000000
    for i, (src, dst, data) in enumerate(msgs):
        fr = frame(src, dst, data, 0x100 + i)
        out += struct.pack("<IIII", t + i, 1000 * i, len(fr), len(fr)) + fr
    with open(path, "wb") as fh:
        fh.write(out)


if __name__ == "__main__":
    main(sys.argv[1])
