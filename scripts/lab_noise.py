#!/usr/bin/python3
"""Clear (non-IPsec) traffic between other addresses on the lab path, for
scripts/lab-paths.sh ikev2_psk_randomloss_noise. Python 3 standard library
only; run as root inside a lab namespace.

  lab_noise.py serve ADDR...
      on each ADDR: a DNS-like UDP responder on port 53 (answers each query
      with 60-200 bytes), a UDP sink on port 9, and a TCP server on port 8080
      that sends 1500 bytes to each connection and closes it.
  lab_noise.py client IFACE IPSEC_ADDR SRC1 SRC2 DST1 DST2
      until killed, every 0.15 s one of (in turn):
        - a raw UDP "DNS query" SRC1 -> DST1:53 whose IP ID is the IP ID of
          the last IPsec packet (UDP 500/4500) IPSEC_ADDR sent on IFACE, seen
          on an AF_PACKET socket (or that ID + 1: the next one's);
        - a raw fragmented UDP datagram SRC2 -> DST2:9 (1256 + 600 bytes of
          payload, two fragments) with such an IP ID;
        - a DNS-like query through an ordinary socket SRC1 -> DST1:53;
        - a TCP connection SRC2 -> DST2:8080 reading 1500 bytes.
      The IP ID collisions are deliberate: the noise shares IDs (and protocol
      UDP) with IPsec packets of the same moment, other addresses.
"""
import os
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 3


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def serve(addrs):
    def udp(addr, port, answer):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        while True:
            data, peer = s.recvfrom(65535)
            if answer:
                n = 60 + (len(data) * 7) % 140
                s.sendto(data[:2] + b"\x81\x80" + bytes(n - 4), peer)

    def tcp(addr):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, 8080))
        s.listen(16)
        while True:
            c, _ = s.accept()
            try:
                c.recv(1024)
                c.sendall(b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 1481)
            except OSError:
                pass
            c.close()

    for a in addrs:
        for t in (threading.Thread(target=udp, args=(a, 53, True), daemon=True),
                  threading.Thread(target=udp, args=(a, 9, False), daemon=True),
                  threading.Thread(target=tcp, args=(a,), daemon=True)):
            t.start()
    while True:
        time.sleep(1)


class IdWatch:
    """The IP ID of the last IPv4 UDP 500/4500 packet IPSEC_ADDR sent on IFACE."""

    def __init__(self, iface, addr):
        self.addr = socket.inet_aton(addr)
        self.last = None
        # every protocol (ETH_P_ALL): a socket bound to ETH_P_IP alone saw no outgoing frames here
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.bind((iface, ETH_P_ALL))
        self.s.setblocking(False)

    def poll(self):
        while True:
            try:
                pkt = self.s.recv(65535)
            except BlockingIOError:
                return self.last
            # AF_PACKET SOCK_RAW on Ethernet: 14-byte link header
            if pkt[12:14] != b"\x08\x00":
                continue
            ip = pkt[14:]
            if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17 or ip[12:16] != self.addr:
                continue
            ihl = (ip[0] & 15) * 4
            frag = struct.unpack("!H", ip[6:8])[0]
            if frag & 0x1FFF == 0:
                sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
                if sport not in (500, 4500) and dport not in (500, 4500):
                    continue
            self.last = struct.unpack("!H", ip[4:6])[0]


def ip_header(src, dst, ident, flags_off, payload_len):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, flags_off, 64, 17, 0,
                       socket.inet_aton(src), socket.inet_aton(dst))


def udp_datagram(src, dst, sport, dport, data):
    ln = 8 + len(data)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, ln)
    hdr = struct.pack("!HHHH", sport, dport, ln, 0)
    c = csum(pseudo + hdr + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, ln, c) + data


def client(iface, ipsec_addr, src1, src2, dst1, dst2):
    watch = IdWatch(iface, ipsec_addr)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    n = 0
    while True:
        last = watch.poll()
        ident = None if last is None else (last + (n // 4) % 2) & 0xFFFF
        kind = n % 4
        try:
            if kind == 0 and ident is not None:
                q = struct.pack("!HHHHHH", n & 0xFFFF, 0x0100, 1, 0, 0, 0) + b"\x04host\x07example\x03com\x00\x00\x01\x00\x01"
                u = udp_datagram(src1, dst1, 20000 + n % 1000, 53, q)
                raw.sendto(ip_header(src1, dst1, ident, 0, len(u)) + u, (dst1, 0))
            elif kind == 1 and ident is not None:
                u = udp_datagram(src2, dst2, 30000 + n % 1000, 9, bytes((n + i) & 0xFF for i in range(1848)))
                first, rest = u[:1256], u[1256:]
                raw.sendto(ip_header(src2, dst2, ident, 0x2000, len(first)) + first, (dst2, 0))
                raw.sendto(ip_header(src2, dst2, ident, 1256 // 8, len(rest)) + rest, (dst2, 0))
            elif kind == 2:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((src1, 0))
                s.settimeout(0.05)
                s.sendto(struct.pack("!HHHHHH", n & 0xFFFF, 0x0100, 1, 0, 0, 0) + b"\x03www\x07example\x03org\x00\x00\x1c\x00\x01", (dst1, 53))
                try:
                    s.recv(2048)
                except OSError:
                    pass
                s.close()
            elif kind == 3:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind((src2, 0))
                s.settimeout(0.5)
                try:
                    s.connect((dst2, 8080))
                    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                    while s.recv(4096):
                        pass
                except OSError:
                    pass
                s.close()
        except OSError as e:
            print("lab_noise: %s" % e, file=sys.stderr)
        n += 1
        time.sleep(0.15)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    elif len(sys.argv) == 8 and sys.argv[1] == "client":
        client(*sys.argv[2:])
    else:
        sys.exit(__doc__)
