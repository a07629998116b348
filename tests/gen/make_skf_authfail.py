#!/usr/bin/env python3
"""Build captures/ikev2_cert_skf_authfail_{a,b}.pcap: the RFC 7383 pair
(captures/ikev2_cert_rfc7383_*) with b's IKE_AUTH response replaced by an
AUTHENTICATION_FAILED answer sent in two SKF fragments, encrypted and
integrity-protected with the IKE SA's real keys (its
ikev2_decryption_table), and everything after that response left out.

The inner message is one Notify payload (RFC 7296 section 3.10: protocol 0,
SPI size 0, type 24 AUTHENTICATION_FAILED), split 4 + 4 bytes over the two
fragments (RFC 7383 section 2.5: the first fragment's Next Payload names
the first inner payload, the others carry 0; each fragment is encrypted
and protected on its own, AES-CBC-128 with HMAC-SHA2-256-128 here).

    python3 tests/gen/make_skf_authfail.py captures

Needs python3-cryptography (only to write the fixture; the tests read the
committed files)."""
import hashlib
import hmac
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pcapedit import Pcap, ipv4  # noqa: E402

caps = sys.argv[1] if len(sys.argv) > 1 else "captures"
table = open(os.path.join(caps, "ikev2_cert_rfc7383_ikev2_decryption_table")).read().split(",")
ISPI, RSPI = bytes.fromhex(table[0]), bytes.fromhex(table[1])
SK_ER = bytes.fromhex(table[3])
SK_AR = bytes.fromhex(table[6])
NOTIFY = struct.pack(">BBHBBH", 0, 0, 8, 0, 0, 24)  # AUTHENTICATION_FAILED
CHUNKS = [NOTIFY[:4], NOTIFY[4:]]


def fragment(num, total, chunk, iv):
    pad = (16 - (len(chunk) + 1) % 16) % 16
    plain = chunk + bytes(pad) + bytes([pad])
    enc = Cipher(algorithms.AES(SK_ER), modes.CBC(iv)).encryptor()
    ct = enc.update(plain) + enc.finalize()
    skf_len = 8 + len(iv) + len(ct) + 16
    length = 28 + skf_len
    hdr = ISPI + RSPI + bytes([53, 0x20, 35, 0x20]) + struct.pack(">II", 1, length)
    nxt = 41 if num == 1 else 0
    body = hdr + struct.pack(">BBHHH", nxt, 0, skf_len, num, total) + iv + ct
    return body + hmac.new(SK_AR, body, hashlib.sha256).digest()[:16]


def ip_checksum(h):
    s = sum(struct.unpack(">%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def replace_udp_payload(frame, ip, payload):
    at = ip.payload_at
    sport, dport = struct.unpack(">HH", frame[at:at + 4])
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    iph = bytearray(frame[ip.at:ip.at + ip.ihl])
    struct.pack_into(">H", iph, 2, ip.ihl + len(udp))
    struct.pack_into(">H", iph, 10, 0)
    struct.pack_into(">H", iph, 10, ip_checksum(bytes(iph)))
    return bytearray(frame[:ip.at]) + iph + udp


frags = [fragment(i + 1, 2, c, bytes([0x5A + i]) * 16) for i, c in enumerate(CHUNKS)]
for side in "ab":
    p = Pcap(os.path.join(caps, "ikev2_cert_rfc7383_%s.pcap" % side))
    out, n = [], 0
    for r in p.records:
        ip = ipv4(r[3], p.ip_offset())
        ike = ip.payload_at + 8 + 4 if ip.ok and ip.proto == 17 else None
        if ike is not None and len(r[3]) >= ike + 28 and r[3][ike:ike + 8] == ISPI and \
                r[3][ike + 18] == 35 and r[3][ike + 19] & 0x20:
            r[3] = replace_udp_payload(r[3], ip, bytes(4) + frags[n])
            r[2] = len(r[3])
            n += 1
            out.append(r)
            if n == 2:
                break
            continue
        out.append(r)
    assert n == 2, (side, n)
    p.records = out
    p.write(os.path.join(caps, "ikev2_cert_skf_authfail_%s.pcap" % side))
