#!/usr/bin/env python3
"""pcapcorrelate end to end: exit codes, the JSON contract, and loss findings
checked against an independent ground truth.

The ground truth for the random-loss capture (r dropped 1 in 10 forwarded
packets with nft numgen, both directions) comes from ikedump, not from the
correlation engine: every datagram one host sent (by IP ID) either completed
at the other end or it did not. The lost datagrams pcapcorrelate reports must
be exactly those, less the one a router answered with ICMP
fragmentation-needed.
"""
import decimal
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import CAPS, IKEDUMP, PCAPCORRELATE, cap, check, finish, ikedump_records  # noqa: E402


def run(*args):
    p = subprocess.run([PCAPCORRELATE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def report(scenario):
    rc, out, err = run("--json", cap(scenario + "_a.pcap"), cap(scenario + "_b.pcap"))
    assert rc == 0, (scenario, rc, err)
    return json.loads(out, parse_float=decimal.Decimal)


def kinds(doc, kind):
    return [f for f in doc["findings"] if f["kind"] == kind]


# --- exit codes -------------------------------------------------------------------
rc, out, err = run(cap("ikev2_psk_natt_a.pcap"))
check("one capture: the one-sided report (exit 0), verdicts first", rc == 0 and
      out.startswith("VERDICT ") and "one side only" in out, (rc, out[:200], err))
rc, out, err = run("--html", "/tmp/x.html", cap("ikev2_psk_natt_a.pcap"))
check("one capture with --html is a usage error (exit 2)", rc == 2 and "one capture" in err, (rc, err))
rc, out, err = run()
check("no capture is a usage error (exit 2)", rc == 2, rc)
# a cap reached while loading is never silent: stderr and the JSON warning name it
rc, out, err = run("--json", "--units-max", "20", cap("ikev2_psk_natt_a.pcap"), cap("ikev2_psk_natt_b.pcap"))
warn = json.loads(out)["captures"] if rc == 0 else {}
check("--units-max 20: each file's units past the cap said on stderr (naming the option) and in the JSON warning",
      rc == 0 and err.count("past the trace's cap (--units-max)") == 2 and "ikev2_psk_natt_a.pcap" in err and
      all(w and "not kept" in w["warning"] for w in warn.values()), (rc, err, warn))
# ... and as one limit finding per capture, whose count is the one stderr gives
said = {}
for line in err.splitlines():
    m = re.search(r"ikev2_psk_natt_(a|b)\.pcap: (\d+) frames", line)
    if m:
        said[m.group(1)] = int(m.group(2))
limits = {f.get("capture"): f["count"] for f in json.loads(out)["findings"]
          if f["kind"] == "limit"} if rc == 0 else {}
check("--units-max 20: a limit finding per capture in the JSON, its count the stderr note's",
      len(said) == 2 and limits == said, (said, limits))
# counted in frames, as the capture numbers them: never more than the capture's 143 and 140
# frames less the 20 kept (it counted units and fragments each: 151 and 148)
check("--units-max 20: the count is of frames, at most those past the first 20",
      said.get("a", 999) <= 143 - 20 and said.get("b", 999) <= 140 - 20, said)
rc, out, err = run("--units-max", "20", cap("ikev2_psk_natt_a.pcap"), cap("ikev2_psk_natt_b.pcap"))
check("--units-max 20: the text report lists both limit findings",
      rc == 0 and all(re.search(r"limit +%d \(capture %s\)" % (n, s), out) for s, n in said.items()),
      (rc, out[:2000]))
rc, out, err = run("--json", cap("ikev2_psk_natt_a.pcap"), cap("ikev2_psk_natt_b.pcap"))
check("without a cap reached: no limit finding",
      rc == 0 and not [f for f in json.loads(out)["findings"] if f["kind"] == "limit"], rc)
check("without a cap reached: no warning", rc == 0 and err == "" and
      all(w["warning"] is None for w in json.loads(out)["captures"].values()), err)
rc, out, err = run(cap("ikev2_psk_natt_a.pcap"), cap("nope.pcap"))
check("missing capture: exit 1 naming it", rc == 1 and "nope.pcap" in err and err.count("\n") == 1,
      (rc, err))
# Issue 15: exit 1 only when the captures share no IPsec endpoint at all. Two
# lab captures of other sessions between the same two addresses do share them:
# they are analysed (exit 0) and the time neither covers is named; the
# unrelated pair is the IKEv1 capture moved to other addresses.
rc, out, err = run(cap("ikev2_psk_natt_a.pcap"), cap("ikev1_psk_natt_b.pcap"))
check("same endpoints, other session and time: exit 0, not-covered named",
      rc == 0 and "not-covered" in out, (rc, err))
import capmangle  # noqa: E402 (tests/lib is on the path)
_tmp_unrel = tempfile.mkdtemp(prefix="pcapcorrelate-unrel-")
_h, _r = capmangle.read(cap("ikev1_psk_natt_b.pcap"))
_r = capmangle.rewrite_addr(_h, _r, "192.0.2.1", "203.0.113.1")
_r = capmangle.rewrite_addr(_h, _r, "198.51.100.1", "203.0.113.2")
capmangle.write(os.path.join(_tmp_unrel, "b.pcap"), _h, _r)
rc, out, err = run(cap("ikev2_psk_natt_a.pcap"), os.path.join(_tmp_unrel, "b.pcap"))
check("no IPsec endpoint in common: exit 1 saying so",
      rc == 1 and "no IPsec endpoint in common" in err, (rc, err))

tmp = tempfile.mkdtemp(prefix="pcapcorrelate-test-")
cut = os.path.join(tmp, "cut_b.pcap")
with open(cap("ikev2_psk_natt_b.pcap"), "rb") as f:
    data = f.read()
with open(cut, "wb") as f:
    f.write(data[:len(data) // 2])
rc, out, err = run(cap("ikev2_psk_natt_a.pcap"), cut)
check("cut capture: analysed with a warning naming it", rc == 0 and "warning" in err and cut in err
      and "warning: " + cut in out, (rc, err))

# --- JSON contract on the failing IKEv2 scenario -------------------------------------
d = report("ikev2_cert_fragdrop")
co = d["clock_offset"]
check("clock_offset has seconds and matches", abs(co["seconds"]) < decimal.Decimal("0.005")
      and co["matches"] >= 2, co)
n = d["negotiations"]
check("one negotiation, failed", len(n) == 1 and n[0]["outcome"] == "failed"
      and n[0]["ispi"] == "fcab69e516bc4732" and n[0]["rspi"] == "00010fe26b3cb9a9"
      and n[0]["version"] == 2, n)
auth = [e for e in n[0]["exchanges"] if e["type"] == 35][0]
m = auth["messages"][0]
check("IKE_AUTH request: a->b, 4 retransmits, never received",
      auth["msgid"] == "00000001" and m["dir"] == "a->b" and m["retransmits"] == 4
      and m["received"] is None and m["sent"] is not None, auth)
rt = kinds(d, "ike-retransmit")
check("ike-retransmit carries ispi, msgid, count", len(rt) == 1 and rt[0]["ispi"] == "fcab69e516bc4732"
      and rt[0]["msgid"] == "00000001" and rt[0]["count"] == 4 and rt[0]["direction"] == "a->b", rt)
un = kinds(d, "ike-unanswered")
check("ike-unanswered names the message", len(un) == 1 and un[0]["msgid"] == "00000001", un)
fl = kinds(d, "fragment-loss")
check("fragment-loss carries ip_id and missing", len(fl) == 5 and all(
    f["missing"] == [[1480, None]] and f["pattern"] == "only-first-fragments-pass" for f in fl)
      and [f["ip_id"] for f in fl] == [0xf87f, 0xf927, 0xf934, 0xfa28, 0xfbd9], fl)

d = report("ikev2_psk_realnat")
nat = kinds(d, "nat-detected")
# ground truth: the source ports b's capture shows for a's UDP 500 and 4500 traffic
seen = {}
for r in ikedump_records(cap("ikev2_psk_realnat_b.pcap")).values():
    u = r.get("udp")
    if u and r["src"] == "198.51.100.254" and u["dport"] in (500, 4500):
        seen.setdefault(u["dport"], u["sport"])
check("nat-detected: both of a's mappings (UDP 500 and 4500), ports as b's capture shows them",
      len(nat) == 2 and all(f["side"] == "a" and f["after"] == "198.51.100.254" for f in nat)
      and {f["port_before"]: f["port_after"] for f in nat} == seen
      and d["hosts"]["a"]["in_b"] == "198.51.100.254"
      and d["hosts"]["a"]["natt_port_in_b"] == seen.get(4500), (nat, seen))
icmp = kinds(report("ikev2_psk_natt"), "icmp-frag-needed")
check("icmp-frag-needed carries mtu", len(icmp) == 1 and icmp[0]["mtu"] == 1300, icmp)

# --- IKE logs beside the captures ----------------------------------------------------------
rc, out, err = run("--json", "--log-a", cap("ikev2_cert_fragdrop_charon_a.log"), "--log-b",
                   cap("ikev2_cert_fragdrop_charon_b.log"), cap("ikev2_cert_fragdrop_a.pcap"),
                   cap("ikev2_cert_fragdrop_b.pcap"))
d = json.loads(out) if rc == 0 else {}
la, lb = d.get("logs", {}).get("a") or {}, d.get("logs", {}).get("b") or {}
check("--log-a/--log-b: every log message matched, a's log reports 4 retransmits",
      la.get("format") == "charon" and la.get("messages") == 7 and la.get("matched") == 7
      and la.get("retransmits") == 4 and lb.get("messages") == 2 and lb.get("matched") == 2,
      (rc, err, la, lb))
check("a's log says it gave up", any(f["kind"] == "give-up" and f.get("retransmits") == 4
                                     for f in la.get("failures", [])), la.get("failures"))
auth = [e for e in d["negotiations"][0]["exchanges"] if e["type"] == 35][0] if d else {}
m = auth.get("messages", [{}])[0]
check("the IKE_AUTH request names its line in a's log and none in b's",
      (m.get("log_sent") or {}).get("line") == 970 and m.get("log_received") is None, m)
rc, out, err = run("--log-a", cap("ikev2_cert_fragdrop_a.pcap"), cap("ikev2_cert_fragdrop_a.pcap"),
                   cap("ikev2_cert_fragdrop_b.pcap"))
check("a log that is not a log: exit 1 naming it", rc == 1 and "ikev2_cert_fragdrop_a.pcap" in err,
      (rc, err))

# --- random loss against the ground truth -----------------------------------------------
def complete_datagrams(pcap, src, dst):
    """IP IDs of datagrams src sent to dst that are complete in this capture."""
    out = subprocess.run([IKEDUMP, "--json", "--all", pcap], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    ids = {}
    for line in out.splitlines():
        r = json.loads(line)
        if "frame" not in r or r.get("src") != src or r.get("dst") != dst or "ip_id" not in r:
            continue
        frag = r.get("frag")
        if frag is None or frag.get("reassembled"):
            ids[r["ip_id"]] = r["frame"]
    return ids


A, B = "192.0.2.1", "198.51.100.1"
sent_ab = complete_datagrams(cap("ikev2_psk_randomloss_a.pcap"), A, B)
got_ab = complete_datagrams(cap("ikev2_psk_randomloss_b.pcap"), A, B)
sent_ba = complete_datagrams(cap("ikev2_psk_randomloss_b.pcap"), B, A)
got_ba = complete_datagrams(cap("ikev2_psk_randomloss_a.pcap"), B, A)
truth_ab = {i for i in sent_ab if i not in got_ab}
truth_ba = {i for i in sent_ba if i not in got_ba}
lost_pcap = os.path.join(tmp, "lost.pcap")
rc, out, err = run("--json", "--write-lost", lost_pcap, cap("ikev2_psk_randomloss_a.pcap"),
                   cap("ikev2_psk_randomloss_b.pcap"))
d = json.loads(out)
icmp_ids = {f["ip_id"] for f in kinds(d, "icmp-frag-needed")}


def reported(direction):
    ids = set()
    for f in d["findings"]:
        if f.get("direction") != direction:
            continue
        if f["kind"] == "fragment-loss":
            ids.add(f["ip_id"])
    return ids


# packet-loss findings aggregate non-IKE packets; count them instead
lost_counts = {"a->b": d["stats"]["lost_ab"], "b->a": d["stats"]["lost_ba"]}
check("ground truth has losses both ways", len(truth_ab) > 5 and len(truth_ba) > 3, (truth_ab, truth_ba))
check("a->b: every lost datagram reported, none that arrived",
      lost_counts["a->b"] == len(truth_ab - icmp_ids) and reported("a->b") <= truth_ab,
      (lost_counts, sorted(truth_ab), sorted(reported("a->b"))))
check("b->a: every lost datagram reported, none that arrived",
      lost_counts["b->a"] == len(truth_ba - icmp_ids) and reported("b->a") <= truth_ba,
      (lost_counts, sorted(truth_ba), sorted(reported("b->a"))))
check("the ICMP-dropped datagram is the only one not counted as lost",
      len(icmp_ids & (truth_ab | truth_ba)) == len(icmp_ids) == 1, icmp_ids)
written = subprocess.run([IKEDUMP, "--json", "--all", lost_pcap], stdout=subprocess.PIPE, text=True,
                         check=True).stdout.splitlines()
ids_written = {json.loads(l)["ip_id"] for l in written if '"ip_id"' in l and '"frame"' in l}
# the DF packet a router dropped with ICMP frag-needed did not arrive either: written too
# (issue #15; tests/cli/pcapcorrelate_lost.py checks every written frame)
check("--write-lost writes the lost datagrams' packets, the ICMP-dropped one included",
      rc == 0 and ids_written == truth_ab | truth_ba, (rc, err, sorted(ids_written)))

finish()
