#!/usr/bin/python3
"""Write captures/scapy_ah_shapes.pcap: AH packets (RFC 4302) in the shapes
that make the ICV computation interesting, signed by scapy's own AH code
(an implementation independent of ikescope's), then changed the way routers
change them in transit.

Run with Debian's python (python3-scapy 2.5.0):
    /usr/bin/python3 tests/gen/ahgen.py captures/scapy_ah_shapes.pcap
The keys are in captures/scapy_keys.tcpdump (SPIs 0x3001..0x3006). What
each frame is, and what ikescope must say of it, is in EXPECT below and
checked by tests/ah_shapes.py.
"""
import sys

from scapy.all import (Ether, IP, IPv6, ICMP, UDP, Raw, IPOption_RR,
                       IPOption_Router_Alert, IPOption_NOP, IPOption_Security,
                       IPOption_Timestamp, ICMPv6EchoRequest, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, RouterAlert, PadN,
                       HBHOptUnknown, wrpcap)
from scapy.layers.ipsec import SecurityAssociation, AH

A4, B4 = '192.0.2.1', '198.51.100.1'
A6, B6, R6 = '2001:db8:a::1', '2001:db8:b::1', '2001:db8:f::fe'
KEY1 = bytes.fromhex('0102030405060708090a0b0c0d0e0f1011121314')
KEY256 = bytes.fromhex('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf')
T0 = 1700000100.0
MAC_A, MAC_R = '02:00:00:00:00:0a', '02:00:00:00:00:01'


def sa(spi, key=KEY1, algo='HMAC-SHA1-96', tunnel=None):
    return SecurityAssociation(AH, spi=spi, auth_algo=algo, auth_key=key,
                               tunnel_header=tunnel)


def router(p, ttl=1, tos=None):
    """What a router may change: TTL / hop limit, DS field, checksum."""
    p = p.copy()
    if p.version == 4:
        p.ttl -= ttl
        if tos is not None:
            p.tos = tos
        del p.chksum
    else:
        p.hlim -= ttl
        if tos is not None:
            p.tc = tos
            p.fl = 0x12345
    return p


frames = []   # (packet, expectation)


def add(p, expect):
    frames.append((p, expect))


# 1. IPv4 with Router Alert (immutable) and Record Route (mutable: the
#    router writes its address into it), TTL and DS changed on the way.
s = sa(0x3001)
p = s.encrypt(IP(src=A4, dst=B4, ttl=64, options=[IPOption_Router_Alert(),
                                                  IPOption_RR(routers=['0.0.0.0'] * 3)])
              / ICMP(type=8, id=0x4148, seq=1) / Raw(b'ah-v4-options'), seq_num=1)
add(p, 'ok')
q = IP(bytes(p))
rr = q.options[1]
rr.routers = ['192.0.2.254', '0.0.0.0', '0.0.0.0']
rr.pointer = 8
q = router(q, tos=0xb8)
add(q, 'ok')

# 2. IPv4 with NOP + Timestamp (mutable) options.
p = s.encrypt(IP(src=A4, dst=B4, options=[IPOption_NOP(),
                                          IPOption_Timestamp(flg=0, timestamp=0, length=8)])
              / ICMP(type=8, id=0x4148, seq=2) / Raw(b'ah-v4-timestamp'), seq_num=2)
add(router(p), 'ok')

# 3. IPv4 with the Security option (immutable): changed in transit, the ICV
#    must fail.
p = s.encrypt(IP(src=A4, dst=B4, options=[IPOption_Security(security=0x7a)])
              / ICMP(type=8, id=0x4148, seq=3) / Raw(b'ah-v4-security'), seq_num=3)
add(p, 'ok')
q = IP(bytes(p))
q.options[0].security = 0x5b
del q.chksum
add(q, 'icv-mismatch')

# 4. IPv4, HMAC-SHA256-128, no options (the SHA-256 ICV is 16 bytes).
s256 = sa(0x3002, KEY256, 'SHA2-256-128')
p = s256.encrypt(IP(src=A4, dst=B4) / UDP(sport=4242, dport=4343) / Raw(b'ah-sha256'),
                 seq_num=7)
add(router(p, tos=0x28), 'ok')

# 5. IPv6, plain: hop limit, traffic class and flow label changed.
s6 = sa(0x3003)
p = s6.encrypt(IPv6(src=A6, dst=B6, hlim=64) / ICMPv6EchoRequest(id=0x4136, seq=1,
                                                                 data=b'ah-v6'), seq_num=1)
add(p, 'ok')
add(router(p, tos=0x20), 'ok')

# 6. IPv6 with a hop-by-hop header (Router Alert: immutable; an option with
#    the may-change bit 0x20: zeroed) and destination options (may-change
#    option), the may-change option data rewritten in transit.
hbh = IPv6ExtHdrHopByHop(options=[RouterAlert(value=0),
                                  HBHOptUnknown(otype=0x3e, optdata=b'\x11\x22\x33\x44')])
dst = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x3d, optdata=b'\xaa\xbb'), PadN(optdata=b'')])
p = s6.encrypt(IPv6(src=A6, dst=B6) / hbh / dst
               / ICMPv6EchoRequest(id=0x4136, seq=2, data=b'ah-v6-options'), seq_num=2)
add(p, 'ok')
q = IPv6(bytes(p))
q[IPv6ExtHdrHopByHop].options[1].optdata = b'\x99\x88\x77\x66'
add(router(q), 'ok')
q = IPv6(bytes(p))
q[IPv6ExtHdrHopByHop].options[0].value = 2   # immutable option changed
add(q, 'icv-mismatch')

# 7. IPv6 with a type 0 routing header (one intermediate hop R6): as sent
#    (segments left 1, destination R6) and as R6 forwards it (segments left
#    0, destination B6, R6's address swapped into the list).
p = s6.encrypt(IPv6(src=A6, dst=R6) / IPv6ExtHdrRouting(type=0, addresses=[B6], segleft=1)
               / ICMPv6EchoRequest(id=0x4136, seq=3, data=b'ah-v6-routing'), seq_num=3)
add(p, 'ok')
q = IPv6(bytes(p))
q.dst = B6
q[IPv6ExtHdrRouting].addresses = [R6]
q[IPv6ExtHdrRouting].segleft = 0
add(router(q), 'ok')

# 8. Tunnel mode over IPv6 and over IPv4.
st6 = sa(0x3004, tunnel=IPv6(src=A6, dst=B6))
p = st6.encrypt(IPv6(src='2001:db8:1::1', dst='2001:db8:2::1')
                / ICMPv6EchoRequest(id=0x4136, seq=4, data=b'ah-v6-tunnel'), seq_num=4)
add(router(p), 'ok')
st4 = sa(0x3005, tunnel=IP(src=A4, dst=B4))
p = st4.encrypt(IP(src='203.0.113.1', dst='203.0.113.129')
                / ICMP(type=8, id=0x4148, seq=5) / Raw(b'ah-v4-tunnel'), seq_num=5)
add(router(p), 'ok')

# 9. IPv6 payload changed in transit.
p = s6.encrypt(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=0x4136, seq=9, data=b'ah-v6-bad'),
               seq_num=9)
q = bytearray(bytes(p))
q[-1] ^= 0x01
add(IPv6(bytes(q)), 'icv-mismatch')

EXPECT = [e for _, e in frames]

if __name__ == '__main__':
    out = sys.argv[1]
    pkts = []
    for i, (p, _) in enumerate(frames):
        e = Ether(src=MAC_A, dst=MAC_R, type=0x800 if p.version == 4 else 0x86dd) / p
        e.time = T0 + i * 0.01
        pkts.append(e)
    wrpcap(out, pkts)
    print(' '.join(EXPECT))
