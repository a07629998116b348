#!/usr/bin/env python3
"""pcapcorrelate on the lab pairs with router captures, against what the
router saw (tests/lab/lab_truth.py: what entered r and did not leave it, and
what left it changed), packet by packet.

- Every pair: --write-lost holds exactly the lost packets and fragments
  (lab_truth.py --compare: no packet missing, no extra one).
- ikev2_bigsainit_firstlost (and its editcap cut): first fragments dropped in
  r, the rest delivered -> first-fragments-lost, each datagram missing
  exactly its first fragment's payload bytes.
- ikev2_psk_natrebind (conntrack -F in r mid-SA): nat-rebind with the ports
  r's conntrack table held before and after the flush, every packet b sent
  to the stale port counted lost and nothing lost a->b.
- ikev2_psk_corrupt (r rewrites one ESP byte): the changed bytes as r changed
  them; with -k b's ICV failures counted and tied to them; with --log-b the
  charon log's "ICV verification failed" lines tied to them; the packets
  counted as arrived but discarded.

A pair the correlation cannot yet analyse (nothing whole crosses the path,
or other traffic chose the hosts: issue #15 items 1-3) is reported as
"skip" with the reason, not as passed.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from iks_testlib import PCAPCORRELATE, CAPS, cap, check, finish  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAB_TRUTH = os.path.join(HERE, "..", "lab", "lab_truth.py")
IPSEC_HOSTS = {"192.0.2.1", "198.51.100.1", "198.51.100.254"}
tmp = tempfile.mkdtemp(prefix="pcapcorrelate-lab-")
skipped = []


def truth(name):
    out = subprocess.run([sys.executable, LAB_TRUTH, "--dir", CAPS, name], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    lines = out.splitlines()
    summary = dict(kv.split("=") for kv in lines[-1].split()[1:])
    return lines[:-1], {k: int(v) for k, v in summary.items()}


def corr(name, *extra, lost=None):
    args = [PCAPCORRELATE, "--json", *extra]
    if lost:
        args += ["--write-lost", lost]
    p = subprocess.run(args + [cap(name + "_a.pcap"), cap(name + "_b.pcap")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


def field(line, key):
    m = re.search(r"\b%s=(\S+)" % key, line)
    return m.group(1) if m else None


pairs = sorted(os.path.basename(p)[:-len("_r-ra.pcap")]
               for p in glob.glob(os.path.join(CAPS, "*_r-ra.pcap")))
check("lab pairs with router captures found", len(pairs) >= 8, pairs)
docs = {}
for name in pairs:
    lost = os.path.join(tmp, name + "_lost.pcap")
    rc, d, err = corr(name, lost=lost)
    if rc != 0:
        skipped.append((name, err.strip()))
        continue
    hosts = {d["hosts"]["a"]["in_a"], d["hosts"]["b"]["in_b"]}
    if not hosts <= IPSEC_HOSTS:
        skipped.append((name, "hosts taken from other traffic: %s" % sorted(hosts)))
        continue
    docs[name] = d
    p = subprocess.run([sys.executable, LAB_TRUTH, "--dir", CAPS, name, "--compare", lost],
                       stdout=subprocess.PIPE, text=True)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    check("%s: --write-lost is the router's drops, packet by packet (%s)" % (name, last),
          p.returncode == 0 and "missing=0 extra=0" in last,
          [l for l in p.stdout.splitlines() if l.startswith(("missing", "extra"))][:10])

# --- first fragments dropped, the rest delivered ---------------------------------------
for name in ("ikev2_bigsainit_firstlost", "ikev2_bigsainit_firstlost_cut"):
    if name not in docs:
        continue
    d = docs[name]
    lines, summ = truth(name)
    want = {int(field(l, "id"), 16): int(field(l, "len")) - 20 for l in lines
            if l.startswith("lost a->b") and field(l, "off") == "0" and field(l, "mf") == "1"}
    fl = [f for f in d["findings"] if f["kind"] == "fragment-loss"]
    check("%s: first-fragments-lost for the %d datagrams whose first fragment r dropped"
          % (name, len(want)),
          want and {f["ip_id"] for f in fl} == set(want) and
          all(f["pattern"] == "first-fragments-lost" and f["direction"] == "a->b" for f in fl),
          [(f["ip_id"], f["pattern"]) for f in fl])
    check("%s: each missing exactly its first fragment's bytes" % name,
          all(f["missing"] == [[0, want[f["ip_id"]]]] for f in fl if f["ip_id"] in want),
          [(f["ip_id"], f["missing"]) for f in fl])
    check("%s: the explanation names first fragments" % name,
          fl and all("first fragment" in f["explain"] for f in fl), fl and fl[0]["explain"])

# --- NAT state flushed mid-SA -------------------------------------------------------------
name = "ikev2_psk_natrebind"
if name in docs:
    d = docs[name]
    lines, summ = truth(name)

    def natport(path):
        """The public port r's conntrack gave a's UDP 4500 (the reply's destination port)."""
        for l in open(path):
            if "sport=4500 dport=4500" in l and "src=192.0.2.1" in l:
                return int(re.findall(r"dport=(\d+)", l)[-1])

    old = natport(cap(name + "_r_conntrack_before.txt"))
    new = natport(cap(name + "_r_conntrack_after.txt"))
    rb = [f for f in d["findings"] if f["kind"] == "nat-rebind"]
    check("natrebind: one nat-rebind, side a, port %s -> %s as in r's conntrack" % (old, new),
          len(rb) == 1 and rb[0]["side"] == "a" and rb[0]["port_old"] == old
          and rb[0]["port_new"] == new and rb[0]["addr_old"] == rb[0]["addr_new"] == "198.51.100.254",
          rb)
    stale = [l for l in lines if l.startswith("lost b->a") and ":%d " % old in l + " "]
    check("natrebind: b's %d packets to the stale port counted lost (truth: r dropped %d b->a)"
          % (len(stale), summ["lost_b_a"]),
          rb and rb[0]["stale_lost"] == len(stale) == summ["lost_b_a"]
          and d["stats"]["lost_ba"] == summ["lost_b_a"], (rb, d["stats"], summ))
    check("natrebind: nothing lost a->b (truth %d), no loss finding a->b" % summ["lost_a_b"],
          summ["lost_a_b"] == 0 and d["stats"]["lost_ab"] == 0 and not [
              f for f in d["findings"] if f["kind"] in ("packet-loss", "fragment-loss")
              and f["direction"] == "a->b"], d["stats"])
    check("natrebind: the stale packets are the nat-rebind's, not a plain packet-loss",
          not [f for f in d["findings"] if f["kind"] == "packet-loss"], d["findings"])

# --- ESP bytes changed in r ---------------------------------------------------------------
name = "ikev2_psk_corrupt"
if name in docs:
    lines, summ = truth(name)
    changed = {}
    for l in lines:
        if l.startswith("changed a->b"):
            diffs = l.split("diffs=")[1].split()[1:]
            changed[int(field(l, "id"), 16)] = [(int(o), a, b) for o, ab in
                                                (x.split(":") for x in diffs) for a, b in
                                                [ab.split(">")]]
    rc, d, err = corr(name, "-k", cap(name + "_esp_sa"), "--log-b", cap(name + "_charon_b.log"))
    mods = [f for f in d["findings"] if f["kind"] == "modified-in-transit"]
    got = {f["ip_id"]: [(c["ip_offset"], c["before"], c["after"]) for c in f["changes"]]
           for f in mods}
    check("corrupt: one modified-in-transit per packet r changed (%d), a->b" % len(changed),
          changed and set(got) == set(changed) and all(f["direction"] == "a->b" for f in mods),
          (sorted(got), sorted(changed)))
    check("corrupt: the changed offsets and bytes are r's", got == changed, (got, changed))
    check("corrupt: the ESP offset of each change is its IP offset less IP and UDP headers",
          all(c["payload_offset"] == c["ip_offset"] - 28 for f in mods for c in f["changes"]),
          [f["changes"] for f in mods])
    st = d["stats"]
    check("corrupt -k: b's ICV failures counted (%d) and all tied to the changed packets"
          % st["icv_failed_ab"],
          st["icv_failed_ab"] == len(changed) == st["icv_failed_modified_ab"]
          and all(f["icv"] == "failed" for f in mods), st)
    check("corrupt: counted as arrived but discarded (%d), not as arrived" % st["discarded_ab"],
          st["discarded_ab"] == summ["changed_a_b"] and all(f["discarded"] for f in mods), st)
    icv_lines = [i + 1 for i, l in enumerate(open(cap(name + "_charon_b.log")))
                 if "ICV verification failed" in l]
    tied = sorted(f["log_received"]["line"] for f in mods if f.get("log_received"))
    check("corrupt --log-b: each changed packet tied to one of b's %d 'ICV verification failed' "
          "lines" % len(icv_lines), tied == icv_lines, (tied, icv_lines))

for name, why in skipped:
    print("skip: %s: %s" % (name, why.splitlines()[0] if why else "not analysed"))
finish()
