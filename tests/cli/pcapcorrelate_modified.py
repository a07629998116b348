#!/usr/bin/env python3
"""Packets modified in transit, with the consequence, on a construction whose
answer is known.

From the NAT-T pair (ikev2_psk_natt, ESP in UDP 4500 with its esp_sa keys),
b's copies of some ESP packets a sent are changed as a device in the path
would change them: two bytes inside the ciphertext (ESP offsets 20 and 21)
of three packets, and the last byte (the ICV) of a fourth. Expect:
- one modified-in-transit finding per changed packet, a->b, naming its SPI
  and sequence number, with exactly the changed bytes: IP offset, ESP
  offset, the byte sent and the byte received (text and JSON);
- stats: those packets arrived but were discarded, not counted as arrived;
- with -k: b's ICV failures counted (exactly the changed packets) and each
  finding says its ICV failed at the receiver; without keys icv is null.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import PCAPCORRELATE, cap, check, finish  # noqa: E402
from pcapedit import Pcap, ipv4  # noqa: E402

A = "192.0.2.1"
BASE = "ikev2_psk_natt"
KEYS = cap("ikev2_psk_natt_esp_sa")
tmp = tempfile.mkdtemp(prefix="pcapcorrelate-mod-")

p = Pcap(cap(BASE + "_b.pcap"))
expect = {}  # (spi, seq) -> [(ip_offset, esp_offset, before, after)]
n = 0
for r in p.records:
    ip = ipv4(r[3], p.ip_offset())
    if not ip.ok or ip.src != A or ip.proto != 17 or ip.fragment:
        continue
    udp = ip.payload_at
    if r[3][udp + 2:udp + 4] != b"\x11\x94" or r[3][udp + 8:udp + 12] == b"\0\0\0\0":
        continue  # not ESP in UDP 4500
    esp = udp + 8
    spi = int.from_bytes(r[3][esp:esp + 4], "big")
    seq = int.from_bytes(r[3][esp + 4:esp + 8], "big")
    n += 1
    if n not in (2, 4, 6, 8):
        continue
    offs = [20, 21] if n != 8 else [len(r[3]) - 1 - esp]
    changes = []
    for o in offs:
        before = r[3][esp + o]
        r[3][esp + o] ^= 0xA5
        changes.append((esp + o - ip.at, o, "%02x" % before, "%02x" % r[3][esp + o]))
    expect[(spi, seq)] = changes
b_path = os.path.join(tmp, "modified_b.pcap")
p.write(b_path)
check("construction: 4 ESP packets changed", len(expect) == 4, expect)


def corr(*extra):
    q = subprocess.run([PCAPCORRELATE, "--json", *extra, cap(BASE + "_a.pcap"), b_path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert q.returncode == 0, q.stderr
    return json.loads(q.stdout)


base = subprocess.run([PCAPCORRELATE, "--json", cap(BASE + "_a.pcap"), cap(BASE + "_b.pcap")],
                      stdout=subprocess.PIPE, text=True, check=True)
base = json.loads(base.stdout)["stats"]
for keys in (False, True):
    d = corr("-k", KEYS) if keys else corr()
    tag = "-k" if keys else "no keys"
    mods = [f for f in d["findings"] if f["kind"] == "modified-in-transit"]
    got = {(int(f["spi"], 16), f["seq"]): [(c["ip_offset"], c["payload_offset"], c["before"],
                                            c["after"]) for c in f["changes"]] for f in mods}
    check("%s: one modified-in-transit per changed packet, a->b" % tag,
          set(got) == set(expect) and len(mods) == 4 and all(f["direction"] == "a->b" for f in mods),
          (sorted(got), sorted(expect)))
    check("%s: exactly the changed bytes (IP and ESP offsets, sent and received byte)" % tag,
          got == expect and all(f["changed_bytes"] == len(expect[(int(f["spi"], 16), f["seq"])])
                                for f in mods), (got, expect))
    st = d["stats"]
    check("%s: stats: 4 arrived but discarded, not counted as arrived" % tag,
          st["discarded_ab"] == 4 and st["arrived_ab"] == base["arrived_ab"] - 4
          and st["lost_ab"] == base["lost_ab"] and all(f["discarded"] for f in mods), (st, base))
    if keys:
        check("-k: b's ICV failures are the 4 changed packets, each finding says so",
              st["icv_failed_ab"] == 4 and st["icv_failed_modified_ab"] == 4
              and st["icv_failed_ba"] == 0 and all(f["icv"] == "failed" for f in mods), st)
    else:
        check("no keys: no ICV claimed", st["icv_failed_ab"] == 0
              and all(f["icv"] is None for f in mods), st)

q = subprocess.run([PCAPCORRELATE, "-k", KEYS, cap(BASE + "_a.pcap"), b_path],
                   stdout=subprocess.PIPE, text=True)
spi, seq = sorted(expect)[0]
ipo, espo, before, after = expect[(spi, seq)][0]
line = [l for l in q.stdout.splitlines() if "modified-in-transit" in l and "seq %d " % seq in l]
check("text: the finding shows the change and the ICV failure",
      line and "ip+%d (esp+%d) %s->%s" % (ipo, espo, before, after) in line[0]
      and "ICV failed at the receiver" in line[0], line)
check("text: the stats line says they were discarded, and counts the ICV failures",
      "4 a->b and 0 b->a arrived changed and were discarded" in q.stdout
      and "4 ICV failures at b (4 of them on packets changed in transit)" in q.stdout, q.stdout[:900])

finish()
