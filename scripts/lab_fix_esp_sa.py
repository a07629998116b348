#!/usr/bin/python3
"""Repair an esp_sa key table made by ../shared/lab/charon_keys_to_wireshark.py
for CHILD_SAs that the responder (b) rekeyed: the script gives the outbound
SA of the initiator's log the initiator keys, which is the wrong way round
when a was the responder of that CREATE_CHILD_SA. For each pair of
consecutive records (one CHILD_SA: inbound then outbound) whose ESP packets
fail their ICV in tshark while the pair's keys swapped verify, swap them.

usage: lab_fix_esp_sa.py NAME_esp_sa CAPTURE.pcap     (rewrites NAME_esp_sa)
Prints what it swapped. Needs tshark.
"""
import csv
import subprocess
import sys


def icv(recs, pcap):
    """{spi: (good, bad)} over the capture's ESP packets (not inside ICMP errors)."""
    opts = ["-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE"]
    for r in recs:
        opts += ["-o", "uat:esp_sa:" + ",".join('"%s"' % x for x in r)]
    out = subprocess.run(["tshark"] + opts + ["-r", pcap, "-Y", "esp && !(icmp.type == 3)", "-T", "fields",
                                               "-e", "esp.spi", "-e", "esp.icv_good", "-e", "esp.icv_bad"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    res = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 3:
            continue
        g, b = res.get(f[0], (0, 0))
        res[f[0]] = (g + (f[1] == "1"), b + (f[2] == "1"))
    return res


def main(table, pcap):
    recs = [r for r in csv.reader(open(table)) if r]
    before = icv(recs, pcap)
    for i in range(0, len(recs) - 1, 2):
        a, b = recs[i], recs[i + 1]
        if a[4] != b[4] or a[6] != b[6]:
            continue
        if before.get(a[3], (0, 0))[1] == 0 and before.get(b[3], (0, 0))[1] == 0:
            continue
        trial = [list(r) for r in recs]
        trial[i][5], trial[i + 1][5] = b[5], a[5]
        trial[i][7], trial[i + 1][7] = b[7], a[7]
        after = icv(trial, pcap)
        if after.get(a[3], (0, 0))[1] == 0 and after.get(b[3], (0, 0))[1] == 0:
            print("%s: keys of %s and %s swapped (ICV failures %d+%d -> 0)" % (
                table, a[3], b[3], before.get(a[3], (0, 0))[1], before.get(b[3], (0, 0))[1]))
            recs = trial
    with open(table, "w") as f:
        for r in recs:
            f.write(",".join('"%s"' % x for x in r) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
