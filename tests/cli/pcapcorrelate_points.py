#!/usr/bin/env python3
"""pcapcorrelate with more than two captures (issue #17), against the router's
own captures (tests/lab/lab_truth.py: what entered r and did not leave it),
packet by packet.

- Every lab scenario with r's two interfaces, as `a r-ra r-rb b`: every
  packet-loss, fragment-loss, modified-in-transit, pmtu-blackhole,
  nat-detected and nat-rebind finding, every verdict and every NAT rewrite
  is on hop 1 (inside r); hops 0 and 2 count nothing lost, dropped or
  discarded; --write-lost holds exactly the truth's packets (lab_truth.py
  --compare: none missing, none extra).
- The same as `a r-rb b`: r's drops on hop 0, nothing on hop 1, --write-lost
  equal to the truth.
- --html: one lane per point, every packet group drawn, the crosses on each
  hop adding up to that hop's --json lost and dropped-with-ICMP counts.
- Points out of order (b before r-rb; r-ra before a): exit 1 and an error
  naming the order the captures show.
- A middle capture with packets removed (r-ra less some IPsec packets r
  forwarded, written here): a capture-check "incomplete" per direction
  counting exactly the removed packets, on the hop before (what a sent) and
  the hop after (what b sent) that capture; the loss unchanged and still
  all on hop 1.
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
import pcapedit  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAB_TRUTH = os.path.join(HERE, "..", "lab", "lab_truth.py")
HOSTS = {"192.0.2.1", "198.51.100.1", "198.51.100.254"}
PLACED = {"packet-loss", "fragment-loss", "modified-in-transit", "pmtu-blackhole", "nat-detected",
          "nat-rebind"}
tmp = tempfile.mkdtemp(prefix="pcapcorrelate-points-")


def run(files, lost=None):
    args = [PCAPCORRELATE, "--json"] + (["--write-lost", lost] if lost else []) + files
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


def compare(name, lost):
    p = subprocess.run([sys.executable, LAB_TRUTH, "--dir", CAPS, name, "--compare", lost],
                       stdout=subprocess.PIPE, text=True)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    return p.returncode == 0 and "missing=0 extra=0" in last, last


def truth_counts(name):
    lines = open(cap(name + "_truth.txt")).read().splitlines()
    summ = dict(kv.split("=") for kv in lines[-1].split()[1:])
    return lines[:-1], summ


def hop_stats(d, h):
    return d["hops"][h]["correlation"]["stats"]


def lost_on(d, h):
    st = hop_stats(d, h)
    return (st["lost_ab"] + st["lost_ba"] + st["other_lost_ab"] + st["other_lost_ba"]
            + st["dropped_with_icmp"] + st["discarded_ab"] + st["discarded_ba"])


def placed_on(d, want_hop, name, label):
    """All loss/change/NAT findings, verdicts and rewrites on want_hop, none elsewhere."""
    nh = len(d["hops"])
    placed = [f for f in d["findings"] if f["kind"] in PLACED]
    check("%s %s: every loss/change/NAT finding on hop %d (%d findings)"
          % (name, label, want_hop, len(placed)),
          all(f["hop"] == want_hop for f in placed),
          [(f["kind"], f["hop"]) for f in placed if f["hop"] != want_hop])
    check("%s %s: every verdict on hop %d" % (name, label, want_hop),
          all(v["hop"] == want_hop for v in d["verdicts"]),
          [(v["cause"], v["hop"]) for v in d["verdicts"]])
    others = [h for h in range(nh) if h != want_hop]
    check("%s %s: hops %s lost, dropped and discarded nothing" % (name, label, others),
          all(lost_on(d, h) == 0 for h in others), [hop_stats(d, h) for h in others])
    check("%s %s: NAT rewrites only on hop %d" % (name, label, want_hop),
          all(not (d["hops"][h]["nat_a"] or d["hops"][h]["nat_b"]) for h in others),
          [(h["hop"], h["nat_a"], h["nat_b"]) for h in d["hops"]])
    return placed


names = sorted(os.path.basename(p)[:-len("_r-ra.pcap")]
               for p in glob.glob(os.path.join(CAPS, "*_r-ra.pcap")))
check("lab scenarios with the router's captures found", len(names) >= 8, names)
for name in names:
    lines, summ = truth_counts(name)
    files = [cap(name + s) for s in ("_a.pcap", "_r-ra.pcap", "_r-rb.pcap", "_b.pcap")]
    lost = os.path.join(tmp, name + "_4.pcap")
    rc, d, err = run(files, lost)
    check("%s a r-ra r-rb b: analysed" % name, rc == 0, err)
    if rc != 0:
        continue
    check("%s: 4 points, 3 hops, the IPsec ends seen at every point" % name,
          len(d["points"]) == 4 and len(d["hops"]) == 3
          and all({p["hosts"]["a"], p["hosts"]["b"]} <= HOSTS for p in d["points"]), d["points"])
    placed = placed_on(d, 1, name, "a r-ra r-rb b")
    # what the ends did: once, from the end-to-end correlation, with hop null
    END = ("ike-retransmit", "ike-unanswered", "ike-error", "one-way", "bad-spi")
    ends = sorted((f["kind"], f.get("msgid"), f.get("count")) for f in d["findings"] if f["kind"] in END)
    e2e = sorted((f["kind"], f.get("msgid"), f.get("count"))
                 for f in d["end_to_end"]["findings"] if f["kind"] in END)
    check("%s: the ends' IKE findings listed once, as end_to_end has them (%d), hop null"
          % (name, len(ends)),
          ends == e2e and all(f["hop"] is None for f in d["findings"] if f["kind"] in END),
          (ends, e2e))
    truth_any = int(summ["lost_a_b"]) + int(summ["lost_b_a"]) + int(summ["changed_a_b"])
    check("%s: hop 1 (inside r) carries the truth's %d lost/changed packets: %d lost there"
          % (name, truth_any, lost_on(d, 1)), (lost_on(d, 1) > 0) == (truth_any > 0)
          and (not truth_any or placed), hop_stats(d, 1))
    h1 = d["hops"][1]
    crossed = h1["ttl_drop_ab"] is not None or h1["ttl_drop_ba"] is not None
    check("%s: hop 1 is inside the router (two interfaces of r%s)"
          % (name, ", TTL -1" if crossed else ": nothing crossed to show the TTL"),
          h1["where"] == ("inside the router" if crossed else "inside r")
          and (not crossed or 1 in (h1["ttl_drop_ab"], h1["ttl_drop_ba"]))
          and d["points"][1]["device"] == "r"
          and d["points"][1]["interface"] == "ra" and d["points"][2]["interface"] == "rb",
          (d["hops"][1]["where"], d["points"][1]))
    ok, last = compare(name, lost)
    check("%s a r-ra r-rb b: --write-lost is the router's drops, packet by packet (%s)"
          % (name, last), ok)
    if any(l.startswith("nat ") for l in lines):
        check("%s: r's NAT rewrite placed on hop 1" % name,
              d["hops"][1]["nat_a"] and any(f["kind"] == "nat-detected" for f in placed),
              d["hops"][1])
    changed = [l for l in lines if l.startswith("changed")]
    mods = [f for f in placed if f["kind"] == "modified-in-transit"]
    check("%s: %d changed packets in the truth, %d modified-in-transit on hop 1"
          % (name, len(changed), len(mods)), len(mods) == len(changed))
    # three points: r's drops on the hop from a to r's far interface
    lost3 = os.path.join(tmp, name + "_3.pcap")
    rc, d3, err = run([files[0], files[2], files[3]], lost3)
    check("%s a r-rb b: analysed" % name, rc == 0, err)
    if rc == 0:
        placed_on(d3, 0, name, "a r-rb b")
        check("%s a r-rb b: hop 0 lost what hop 1 of the 4-point run lost (%d)"
              % (name, lost_on(d, 1)), lost_on(d3, 0) == lost_on(d, 1),
              (hop_stats(d3, 0), hop_stats(d, 1)))
        ok, last = compare(name, lost3)
        check("%s a r-rb b: --write-lost is the router's drops (%s)" % (name, last), ok)

# --- the HTML ladder: one lane per point, the crosses on r's hop --------------------------
ARROW = re.compile(r'<g class="arrow \w+" data-hop="(\d+)" data-fate="([\w-]+)" data-kind="[\w-]+" '
                   r'data-dir="[ab]->[ab]" data-n="(\d+)"')
for name in ("ikev2_psk_randomloss_noise", "ikev2_psk_natloss", "ikev2_bigsainit_allfrags"):
    files = [cap(name + s) for s in ("_a.pcap", "_r-ra.pcap", "_r-rb.pcap", "_b.pcap")]
    page = os.path.join(tmp, name + ".html")
    rc, d, err = run(["--html", page] + files)
    if not check("%s --html: analysed" % name, rc == 0, err):
        continue
    text = open(page, encoding="utf-8").read()
    m = re.search(r'<svg class="ladder" data-points="(\d+)" data-groups="(\d+)" data-drawn="(\d+)"',
                  text)
    arrows = [(int(h), f, int(n)) for h, f, n in ARROW.findall(text)]
    check("%s --html: one lane per point (4), every group drawn (%s)" % (name, m and m.groups()),
          m and m.group(1) == "4" and text.count('<g class="lane"') == 4
          and m.group(2) == m.group(3) == str(len(arrows)), m and m.groups())
    for h in range(3):
        st = hop_stats(d, h)
        lost = sum(n for hh, f, n in arrows if hh == h and f == "lost")
        icmp = sum(n for hh, f, n in arrows if hh == h and f == "dropped-icmp")
        check("%s --html hop %d: crosses for %d lost and %d dropped with ICMP (--json: %d, %d)"
              % (name, h, lost, icmp, st["lost_ab"] + st["lost_ba"], st["dropped_with_icmp"]),
              lost == st["lost_ab"] + st["lost_ba"] and icmp == st["dropped_with_icmp"]
              and (h == 1 or lost + icmp == 0))
    check("%s --html: self-contained (no script, no network resource)" % name,
          "<script" not in text and "http" not in text)

# --- points out of order -------------------------------------------------------------------
name = "ikev2_psk_randomloss_noise"
f = {s: cap("%s_%s.pcap" % (name, s)) for s in ("a", "r-ra", "r-rb", "b")}
for given, label in (([f["a"], f["r-ra"], f["b"], f["r-rb"]], "b before r-rb"),
                     ([f["r-ra"], f["a"], f["r-rb"], f["b"]], "r-ra before a")):
    rc, d, err = run(given)
    want = " ".join([f["a"], f["r-ra"], f["r-rb"], f["b"]])
    check("order %s: exit 1, the error names the order the captures show" % label,
          rc == 1 and "not in path order" in err and want in err, err)

# --- one capture given twice -----------------------------------------------------------------
rc, d, err = run([f["a"], f["r-ra"], f["r-ra"], f["r-rb"], f["b"]])
check("r-ra given twice: exit 1, the error says one capture was given twice (P2 and P3)",
      rc == 1 and "one capture given twice" in err and "(P2 and P3)" in err, err)

# --- more points than the tool keeps: said, not a bare usage text ---------------------------
rc, d, err = run([f["a"]] * 17)
check("17 captures: exit 2, the error says at most 16 points",
      rc == 2 and "17 captures given: at most 16 points" in err, err)

# --- a middle capture that missed packets --------------------------------------------------
name = "ikev2_psk_natloss"
lines, summ = truth_counts(name)
r_lost = {int(re.search(r"r_frame=(\d+)", l).group(1)) for l in lines if l.startswith("lost a->b")}
partial = os.path.join(tmp, "natloss_r-ra_partial.pcap")
removed, _ = pcapedit.thin_middle(cap(name + "_r-ra.pcap"), partial, r_lost, "192.0.2.1", "198.51.100.1")
base_rc, base, _ = run([cap(name + s) for s in ("_a.pcap", "_r-ra.pcap", "_r-rb.pcap", "_b.pcap")])
lost = os.path.join(tmp, "natloss_partial_lost.pcap")
rc, d, err = run([cap(name + "_a.pcap"), partial, cap(name + "_r-rb.pcap"), cap(name + "_b.pcap")],
                 lost)
check("incomplete r-ra: analysed (removed %d a->b, %d b->a IPsec packets r forwarded)"
      % (removed["a"], removed["b"]), rc == 0 and removed["a"] > 0 and removed["b"] > 0, err)
if rc == 0:
    cc = [x for x in d["findings"] if x["kind"] == "capture-check" and x["check"] == "incomplete"]
    by = {(x["hop"], x["capture"], x["direction"]): x["missed"] for x in cc}
    check("incomplete r-ra: capture-check on hop 0 for what a sent (%d) and on hop 1 for what b "
          "sent (%d), about r-ra" % (removed["a"], removed["b"]),
          by == {(0, "b", "a->b"): removed["a"], (1, "a", "b->a"): removed["b"]}, by)
    check("incomplete r-ra: P2 says it is incomplete by the removed count",
          d["points"][1]["coverage"]["incomplete"] == removed["a"] + removed["b"], d["points"][1])
    placed_on(d, 1, name, "with r-ra incomplete")
    check("incomplete r-ra: hop 1's loss as with the whole r-ra",
          lost_on(d, 1) == lost_on(base, 1), (hop_stats(d, 1), hop_stats(base, 1)))
    ok, last = compare(name, lost)
    check("incomplete r-ra: --write-lost still the router's drops (%s)" % last, ok)
finish()
