#!/usr/bin/env python3
"""IPsec audit events joined by pcapcorrelate (--events-a/--events-b).

Regenerates the event exports with tests/gen/auditgen.py, checks the committed
copies in captures/events/ are what it writes, then joins them to the
shared captures and checks the joins against the lab's own records: the
SPIs and ESP packet counts of captures/*_sas.txt (swanctl --list-sas on
host a), the IKE SPIs of the negotiations, and the failed negotiation of
ikev2_cert_fragdrop. Prints one line per check and 'N passed, N failed'.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
import auditgen  # noqa: E402

IKEDUMP = os.environ["IKEDUMP"]
PCAPCORRELATE = os.environ["PCAPCORRELATE"]
CAPS = os.environ["IKS_CAPTURES"]
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " -- " + str(detail)))


def ikedump_json(path):
    p = subprocess.run([IKEDUMP, "--json", path], stdout=subprocess.PIPE, text=True, check=True)
    return [json.loads(line) for line in p.stdout.splitlines()]


def correlate(name, ev_a, ev_b, *extra):
    p = subprocess.run([PCAPCORRELATE, "--json", "--events-a", ev_a, "--events-b", ev_b, *extra,
                        os.path.join(CAPS, name + "_a.pcap"), os.path.join(CAPS, name + "_b.pcap")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


def sa_counts(name):
    """{(in, out): (in packets, out packets)} from host a's swanctl listing."""
    out, spis = {}, {}
    for line in open(os.path.join(CAPS, name + "_sas.txt")):
        m = re.match(r"\s+(in|out)\s+([0-9a-f]{8}),\s+\d+ bytes,\s+(\d+) packets", line)
        if m:
            spis[m.group(1)] = (m.group(2), int(m.group(3)))
            if len(spis) == 2:
                out[(spis["in"][0], spis["out"][0])] = (spis["in"][1], spis["out"][1])
                spis = {}
    return out


def established(name, ispi, rspi, setup_exchange, info_exchange):
    with tempfile.TemporaryDirectory() as tmp:
        pass
    ev_a = os.path.join(CAPS, "events", name + "_events_a.txt")
    ev_b = os.path.join(CAPS, "events", name + "_events_b.csv")
    rc, d, err = correlate(name, ev_a, ev_b)
    check("%s: pcapcorrelate with events exits 0" % name, rc == 0, err)
    if rc:
        return
    sas = sa_counts(name)
    check("%s: the lab listed 3 SAs" % name, len(sas) == 3, sas)
    a, b = d["events"]["a"], d["events"]["b"]
    check("%s a: text export, offset learned from SPIs %.3f" % (name, a["offset"]),
          a["format"] == "text" and a["offset_from"] == "spi" and abs(a["offset"] - 7200.020) < 0.005,
          (a["format"], a["offset_from"], a["offset"]))
    check("%s b: CSV export, offset learned from SPIs %.3f" % (name, b["offset"]),
          b["format"] == "csv" and b["offset_from"] == "spi" and abs(b["offset"] + 3598.38) < 1.1,
          (b["format"], b["offset_from"], b["offset"]))
    for side, ev in (("a", a), ("b", b)):
        qm = [e for e in ev["list"] if e["id"] == 541 and e["mode_kind"] == "quick" and not e["soft_sa"]]
        got = {}
        for e in qm:
            key = (e["spi_in"], e["spi_out"]) if side == "a" else (e["spi_out"], e["spi_in"])
            got[key] = (e["match"]["kind"], e["match"]["spi_in_packets"], e["match"]["spi_out_packets"])
        check("%s %s: 541 quick mode SPIs are the lab's %s" % (name, side, sorted(sas)),
              sorted(got) == sorted(sas), sorted(got))
        check("%s %s: every 541 quick mode joined by SPI" % (name, side),
              all(v[0] == "spi" for v in got.values()), got)
        if side == "a":
            # the ESP packets a's capture shows per SA are the kernel's counters
            check("%s a: ESP packets per SA = the lab's counters %s" % (name, sas),
                  all(got[k][1:] == sas[k] for k in sas if k in got), got)
        mm = [e for e in ev["list"] if e["id"] == 541 and e["mode_kind"] == "main"]
        ok = (len(mm) == 1 and mm[0]["match"]["kind"] == "exchange"
              and mm[0]["match"]["ike"]["ispi"] == ispi and mm[0]["match"]["ike"]["rspi"] == rspi
              and mm[0]["match"]["ike"]["exchange"] == setup_exchange
              and mm[0]["match"]["ike"]["outcome"] == "complete")
        check("%s %s: 541 main mode joined to IKE SA %s/%s" % (name, side, ispi, rspi), ok, mm)
        dels = [e for e in ev["list"] if e["id"] in (542, 543)]
        ok = (len(dels) == 4 and all(e["match"]["kind"] == "delete"
                                     and e["match"]["ike"]["exchange"] == info_exchange
                                     and e["match"]["ike"]["ispi"] == ispi for e in dels))
        check("%s %s: 542 x3 and 543 joined to informational exchanges of %s" % (name, side, ispi),
              ok, [(e["id"], e["match"]) for e in dels])
    soft = [e for e in a["list"] if e.get("soft_sa")]
    check("%s a: the soft SA (outbound SPI 0, algorithms None) is read and not joined" % name,
          len(soft) == 1 and soft[0]["spi_out"] == "00000000" and soft[0]["spi_in"] == "00c0ffee"
          and soft[0]["match"]["kind"] == "unmatched", soft)
    unk = [f for e in a["list"] for f in e["unknown_fields"]]
    check("%s a: unknown fields kept (Dynamic Filter Key)" % name,
          len(unk) == 3 and all(f["name"] == "Dynamic Filter Key" and f["section"] == "Filter" for f in unk),
          unk)
    check("%s a: 10 events read, 9 IPsec, 8 joined" % name,
          (a["events"], a["ipsec_events"], a["joined"], a["not_joined"]) == (10, 9, 8, 1), a)
    return d


def main():
    with tempfile.TemporaryDirectory() as tmp:
        written = auditgen.generate(IKEDUMP, CAPS, tmp)
        same = []
        for p in written:
            with open(p, "rb") as f1, open(os.path.join(CAPS, "events", os.path.basename(p)), "rb") as f2:
                same.append(f1.read() == f2.read())
        check("auditgen writes the committed captures/events/ files (%d)" % len(written),
              len(written) == 6 and all(same), same)

    d = established("ikev2_psk_natt", "5fa287abf4356660", "42d451be538aea2b", 35, 37)
    if d:
        # one of a's ESP packets on the first SA died at r (ICMP frag-needed): b counts 11 of 12
        b_enc = [e for e in d["events"]["b"]["list"] if e.get("spi_in") == "fe7eaf53"][0]
        icmp = [f for f in d["findings"] if f["kind"] == "icmp-frag-needed"]
        check("ikev2_psk_natt b: fe7eaf53 arrived 11 times of 12 (one dropped with ICMP frag-needed)",
              b_enc["match"]["spi_in_packets"] == 11 and len(icmp) == 1, (b_enc["match"], icmp))
    d1 = established("ikev1_psk_natt", "6a457ac013315d33", "24417d4f3369bd36", 2, 5)

    # the same host's Oakley.log set: its join's offset is used for the events (same local clock)
    oak = os.path.join(CAPS, "oakley", "ikev1_psk_natt_a")
    logs = []
    for f in sorted(os.listdir(oak)):
        logs += ["--log-a", os.path.join(oak, f)]
    rc, d, err = correlate("ikev1_psk_natt", os.path.join(CAPS, "events", "ikev1_psk_natt_events_a.txt"),
                           os.path.join(CAPS, "events", "ikev1_psk_natt_events_b.csv"), *logs)
    if rc == 0 and d1:
        a = d["events"]["a"]
        same = [(e["id"], e["match"]["kind"], e["match"]["frame"]) for e in a["list"]] == \
               [(e["id"], e["match"]["kind"], e["match"]["frame"]) for e in d1["events"]["a"]["list"]]
        check("ikev1_psk_natt a with its Oakley.log: offset from the log (%.6f = log's %.6f), same joins"
              % (a["offset"], d["logs"]["a"]["offset_seconds"]),
              a["offset_from"] == "oakley-log" and abs(a["offset"] - d["logs"]["a"]["offset_seconds"]) < 1e-6
              and abs(a["offset"] - 7200) < 0.002 and same and a["joined"] == 8, a)
    else:
        check("ikev1_psk_natt with --log-a: exit 0", False, err)

    # the fragment-drop scenario: no SA, so no SPI to learn the clock from
    name = "ikev2_cert_fragdrop"
    ev_a = os.path.join(CAPS, "events", name + "_events_a.txt")
    ev_b = os.path.join(CAPS, "events", name + "_events_b.csv")
    rc, d, err = correlate(name, ev_a, ev_b)
    a = d["events"]["a"] if d else {}
    check("fragdrop without an offset: read, offset unknown, not joined",
          rc == 0 and a["offset_from"] == "none" and a["joined"] == 0, (rc, err, a))
    rc, d, err = correlate(name, ev_a, ev_b, "--events-offset-a", "7200",
                           "--events-offset-b", "-3598.4")
    check("fragdrop with the offsets given: exit 0", rc == 0, err)
    if d:
        ea = d["events"]["a"]["list"][0]
        eb = d["events"]["b"]["list"][0]
        neg = [n for n in d["negotiations"] if n["ispi"] == "fcab69e516bc4732"]
        check("fragdrop a: 547 No response from peer = 13813 ERROR_IPSEC_IKE_DROP_NO_RESPONSE, failure point Me",
              (ea["id"], ea["failure_code"], ea["failure_name"], ea["failure_point"]) ==
              (547, 13813, "ERROR_IPSEC_IKE_DROP_NO_RESPONSE", "Me"), ea)
        check("fragdrop a: 547 joined to the failed negotiation fcab69e516bc4732 at IKE_AUTH",
              ea["match"]["kind"] == "negotiation" and ea["match"]["ike"]["ispi"] == "fcab69e516bc4732"
              and ea["match"]["ike"]["exchange"] == 35 and ea["match"]["ike"]["outcome"] == "failed"
              and ea["match"]["ike"]["first_frame"] == 9 and len(neg) == 1, ea["match"])
        check("fragdrop a: filter and addresses read", ea["local"] == "192.0.2.1" and
              ea["peer"] == "198.51.100.1" and ea["filter"]["protocol"] == 0, ea)
        check("fragdrop b: 547 Negotiation timed out (13805) joined to the same negotiation",
              eb["failure_code"] == 13805 and eb["match"]["kind"] == "negotiation"
              and eb["match"]["ike"]["ispi"] == "fcab69e516bc4732", eb)
    # invalid UTF-8 in the JSON's strings: the library turns non-ASCII in exports and
    # logs into '?', but file names come as they are. A Latin-1 file name: the JSON
    # stays valid UTF-8, each invalid byte becomes U+FFFD, valid UTF-8 is kept.
    with tempfile.TemporaryDirectory() as tmp:
        bad_a = os.path.join(tmp.encode(), b"caf\xc3\xa9 \xe9 \xc0\xaf_a.pcap")
        with open(os.path.join(CAPS, name + "_a.pcap"), "rb") as f1, open(bad_a, "wb") as f2:
            f2.write(f1.read())
        p = subprocess.run([PCAPCORRELATE.encode(), b"--json", bad_a,
                            os.path.join(CAPS, name + "_b.pcap").encode()],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            d = json.loads(p.stdout.decode("utf-8", "strict"))
            got = d["captures"]["a"]["file"]
        except (ValueError, KeyError, TypeError) as e:
            got = repr(e)
        want = tmp + "/caf\u00e9 \ufffd \ufffd\ufffd_a.pcap"
        check("a Latin-1 file name in the JSON: valid UTF-8, \\xe9 -> U+FFFD, overlong \\xc0\\xaf -> two, "
              "valid c3 a9 kept", p.returncode == 0 and got == want,
              ascii((p.returncode, got, want, p.stderr[-300:])))

    # a wrong offset must not join (the join rests on time here)
    rc, d, err = correlate(name, ev_a, ev_b, "--events-offset-a", "0")
    check("fragdrop with a wrong offset: 547 not joined",
          rc == 0 and d["events"]["a"]["joined"] == 0, d and d["events"]["a"])

    # text report and bad input
    p = subprocess.run([PCAPCORRELATE, "--events-a", ev_a, "--events-offset-a", "7200",
                        os.path.join(CAPS, name + "_a.pcap"), os.path.join(CAPS, name + "_b.pcap")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check("text report: the 547 line names the reason and the failed negotiation",
          p.returncode == 0 and re.search(r"547 line 1 .* failed at Me: No response from peer \(13813 "
                                          r"ERROR_IPSEC_IKE_DROP_NO_RESPONSE\) -> negotiation IKEv2 "
                                          r"fcab69e516bc4732/", p.stdout), p.stdout[-2000:])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("Event[0]:\n  Event ID: 4624\n  Description:\nAn account was logged on.\n")
        junk = f.name
    rc, d, err = correlate(name, junk, ev_b)
    check("an export without IPsec events: exit 1, one line naming the file",
          rc == 1 and junk in err and "no IPsec audit event" in err and err.count("\n") == 1, err)
    rc, d, err = correlate(name, "/nonexistent/ev.txt", ev_b)
    check("a missing events file: exit 1 naming it", rc == 1 and "/nonexistent/ev.txt" in err, err)
    os.unlink(junk)

    # past the join's SPI index (65,536 distinct ESP SPIs): b's capture with
    # EXTRA more ESP packets appended, each on an SPI of its own (between
    # other addresses, after the capture). The SPIs past the index are
    # b's own distinct SPIs (first in the capture) + EXTRA - 65,536, one
    # packet each; they were not indexed without a word.
    import struct
    extra = 65536 + 100
    recs = ikedump_json(os.path.join(CAPS, name + "_b.pcap"))
    own = {r["esp"]["spi"] for r in recs if r.get("esp", {}).get("spi")}
    with open(os.path.join(CAPS, name + "_b.pcap"), "rb") as f:
        raw = f.read()
    big_b = os.path.join(tempfile.mkdtemp(prefix="auditjoin-"), name + "_b.pcap")
    link = struct.unpack("<I", raw[20:24])[0]
    with open(big_b, "wb") as f:
        f.write(raw)
        for i in range(extra):
            esp = struct.pack("!II", 0x70000000 + i, 1) + bytes(16)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(esp), 1, 0, 64, 50, 0,
                             bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
            data = (b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" if link == 1 else
                    b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x08\x00") + ip + esp
            f.write(struct.pack("<IIII", 1900000000, i, len(data), len(data)) + data)
    p = subprocess.run([PCAPCORRELATE, "--json", "--events-b", ev_b,
                        os.path.join(CAPS, name + "_a.pcap"), big_b],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    want = len(own) + extra - 65536
    got = json.loads(p.stdout)["events"]["b"].get("spi_packets_not_indexed") if p.returncode == 0 else None
    check("more than 65,536 ESP SPIs (%d own + %d added): the %d packets past the index counted in "
          "the JSON and on stderr" % (len(own), extra, want),
          got == want and ("%d ESP packets of later SPIs were not indexed" % want) in p.stderr,
          (p.returncode, got, p.stderr[-400:], link))
    os.unlink(big_b)

    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
