#!/usr/bin/env python3
"""pcapcorrelate --html without a browser: the page's data against --json.

For the shared fragment-drop, NAT-T and real-NAT scenarios, the arrows,
crosses and findings the page will draw (its JSON data block and finding
list) must add up to the numbers --json reports for the same run; plus real
values (which frames were lost, which arrows were rewritten by NAT), log
lines with --log-a/--log-b, escaping of hostile file names, no network
resources, the size bound on a generated pair, and embedded assets in step
with tools/correlate/html/. The verdicts come first, one block per --json
verdict, each evidence link naming the finding --json names; message IDs
are 0x and 8 hex digits; a lost run carries the time of each of its losses,
each the send time of a packet --write-lost writes or a fragment-loss finding names.
"""
import json
import os
import re
import struct
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import htmlcount  # noqa: E402

PCAPCORRELATE = os.environ["PCAPCORRELATE"]
CAPS = os.environ["IKS_CAPTURES"]
TOP = os.path.abspath(os.path.join(CAPS, ".."))
results = []
tmp = tempfile.mkdtemp(prefix="pcapcorrelate-html-")


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " -- " + str(detail)))


def cap(name):
    return os.path.join(CAPS, name)


def render(a, b, out, *extra):
    """--json and --html of one run: (json document, page text)"""
    p = subprocess.run([PCAPCORRELATE, "--json", "--html", out, *extra, a, b], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    assert p.returncode == 0, (a, b, p.returncode, p.stderr)
    with open(out, "rb") as f:
        raw = f.read()
    return json.loads(p.stdout), raw.decode("utf-8")  # strict: the page is valid UTF-8


def compare(scenario, got, want, data):
    for k in ("ike_arrows", "retransmit_arrows", "sent", "arrived", "lost_packets", "dropped_icmp",
              "not_covered", "findings"):
        check("%s: %s in the page (%s) = --json (%s)" % (scenario, k, got[k], want[k]), got[k] == want[k])
    runs = [g for g in data["g"] if g["f"] == "lost" and g["n"] > 1]
    check("%s: every lost run (%d) carries one send time per loss, the first and last its own" % (scenario, len(runs)),
          all(len(g.get("lt", [])) == g["n"] and g["lt"][0] == g["s"] and
              abs(g["lt"][-1] - g["s2"]) <= 2e-6 and  # 6 decimals, each rounded on its own
              g["lt"] == sorted(g["lt"]) for g in runs), [g for g in runs if "lt" not in g][:3])
    check("%s: one cross per lost packet (%d crosses, %d lost)" % (scenario, got["crosses"], got["lost_packets"]),
          got["crosses"] == got["lost_packets"])
    check("%s: ICMP error arrows (%d) = icmp-frag-needed findings (%d)" % (
        scenario, got["icmp_arrows"], want["icmp_findings"]), got["icmp_arrows"] == want["icmp_findings"])


pages = {}
def pcap_times(path):
    """capture times (epoch s) of every record of a pcap file"""
    with open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack("<I", raw[:4])[0]
    end, nano = {0xa1b2c3d4: ("<", False), 0xa1b23c4d: ("<", True), 0xd4c3b2a1: (">", False),
                 0x4d3cb2a1: (">", True)}[magic]
    out, pos = [], 24
    while pos + 16 <= len(raw):
        sec, frac, incl, _ = struct.unpack(end + "IIII", raw[pos:pos + 16])
        out.append(sec + frac / (1e9 if nano else 1e6))
        pos += 16 + incl
    return out


def check_verdicts(scenario, doc, page):
    """the verdict blocks: one per --json verdict, above the findings, evidence links resolving"""
    p = htmlcount.counts_from_dom(page)[1]
    want = doc["verdicts"]
    check("%s: %d verdict blocks = --json verdicts (%d), same causes in order" % (scenario, len(p.verdicts), len(want)),
          [v["data-cause"] for v in p.verdicts] == [v["cause"] for v in want] and len(want) > 0,
          ([v["data-cause"] for v in p.verdicts], [v["cause"] for v in want]))
    check("%s: the verdicts come before the findings" % scenario,
          0 < page.find('<section id="verdicts">') < page.find('<section id="findings">'))
    byid = {f["id"]: f for f in p.finding_attrs}
    ok = len(p.evidence) == sum(len(v["evidence"]) for v in want)
    for vi, href, fi in p.evidence:
        f = byid.get(href[1:]) if href.startswith("#") else None
        ok = ok and f is not None and int(f["data-fi"]) == fi and fi in want[vi]["evidence"] and \
            f["data-kind"] == doc["findings"][fi]["kind"]
    check("%s: %d evidence links, each to the finding --json's evidence names" % (scenario, len(p.evidence)), ok,
          p.evidence[:5])
    # message IDs: 0x and 8 hex digits, the ones --json reports
    mids = re.findall(r"mid (\S+?)[ :,)]", " ".join(re.findall(r'<li class="finding.*?</li>', page)))
    json_mids = {"0x" + f["msgid"] for f in doc["findings"] if "msgid" in f}
    check("%s: message IDs in the findings as 0x%%08x (%d), all of --json's" % (scenario, len(mids)),
          all(re.fullmatch(r"0x[0-9a-f]{8}", m) for m in mids) and set(mids) == json_mids, (mids, json_mids))


pages = {}
for scenario in ("ikev2_cert_fragdrop", "ikev2_psk_natt", "ikev2_psk_realnat", "ikev2_psk_randomloss"):
    doc, page = render(cap(scenario + "_a.pcap"), cap(scenario + "_b.pcap"), os.path.join(tmp, scenario + ".html"))
    check_verdicts(scenario, doc, page)
    got, data = htmlcount.counts_from_data(page)
    want = htmlcount.expected(doc)
    compare(scenario, got, want, data)
    pages[scenario] = (doc, page, got, data)
    # every finding but the clock offset names the arrow it is about
    unlinked = [f for f in htmlcount.counts_from_dom(page)[1].findings if f[1] < 0 and f[0] != "clock-offset"]
    check("%s: every finding links to its arrow" % scenario, not unlinked, unlinked)
    # self-contained: nothing fetched from anywhere
    stripped = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    bad = [s for s in ("http://", "https://", "<link", "@import", "url(", " src=") if s in stripped]
    check("%s: no network resources" % scenario, not bad, bad)

# fragment drop: the IKE_AUTH request and its 4 retransmits, frames 11, 16, 19, 22, 27 of a, each
# sent in 2 fragments of which only the first 1480 bytes reached b
doc, page, got, data = pages["ikev2_cert_fragdrop"]
lost = [g for g in data["g"] if g["f"] == "lost"]
check("fragdrop: 5 crosses", got["crosses"] == 5, got)
check("fragdrop: lost arrows are a's frames 11 16 19 22 27", [g["fs"][0] for g in lost] == [11, 16, 19, 22, 27],
      [g.get("fs") for g in lost])
check("fragdrop: each lost copy left in 2 fragments, 1480 bytes of it arrived",
      all(data["X"][1][str(g["x"])] == "IKE_AUTH" and "F" in g["fl"] and g["nf"][0] == 2 and g["pf"][2] == 1480 for g in lost), lost)
check("fragdrop: copies 2-5 are retransmits", [g["c"] for g in lost] == [1, 2, 3, 4, 5] and
      all("X" in g["fl"] for g in lost[1:]) and "X" not in lost[0]["fl"], lost)
check("fragdrop: the first finding (ike-unanswered) links to the first lost copy",
      '<li class="finding sev-error" id="f0" data-kind="ike-unanswered" data-severity="error" data-fi="0" data-g="%d"'
      % data["g"].index(lost[0]) in page)

# every loss at its own time: each lost packet's time is the send time of a packet --write-lost
# writes or of a fragment-loss finding's datagram (a's times on a's clock, b's converted back to
# b's clock), on every pair with lost runs; random loss: 15 a->b and 8 b->a
def loss_times(name):
    doc, page = render(cap(name + "_a.pcap"), cap(name + "_b.pcap"), os.path.join(tmp, name + ".html"))
    data = htmlcount.data_block(page)
    lost_pcap = os.path.join(tmp, name + "-lost.pcap")
    subprocess.run([PCAPCORRELATE, "--write-lost", lost_pcap, cap(name + "_a.pcap"), cap(name + "_b.pcap")],
                   check=True, stdout=subprocess.DEVNULL)
    # --write-lost writes a datagram that arrived in part as its missing fragments only; its
    # send time (its first fragment's) is in its fragment-loss finding
    truth = pcap_times(lost_pcap) + [f["time_a"] if f["direction"] == "a->b" else f["time_b"]
                                     for f in doc["findings"] if f["kind"] == "fragment-loss"]
    truth = [t for t in truth if t]
    times = []
    for g in data["g"]:
        if g["f"] == "lost":
            for t in g.get("lt", [g.get("s")]):
                own = data["t0"] + t if g["d"] == 0 else data["t0"] + t + data["off"] + data["drift"] * 1e-6 * t
                times.append((g["d"], own))
    far = [t for t in times if min(abs(t[1] - x) for x in truth) > 2e-6]
    runs = [g for g in data["g"] if g["f"] == "lost" and g["n"] > 1]
    lost = doc["stats"]["lost_ab"] + doc["stats"]["lost_ba"]
    check("%s: %d loss times (%d a->b, %d b->a; %d runs, up to %d long) = lost packets (%d), each a packet "
          "--write-lost wrote or a fragment-loss names (%d)" % (name, len(times), sum(1 for t in times if t[0] == 0),
                                               sum(1 for t in times if t[0] == 1), len(runs),
                                               max([g["n"] for g in runs] or [0]), lost, len(truth)),
          len(times) == lost and not far and len({round(t[1], 6) for t in times}) == len(times) and
          all("lt" in g for g in runs), far)
    return times


times = loss_times("ikev2_psk_randomloss")
check("randomloss: 15 losses a->b, 8 b->a", sum(1 for t in times if t[0] == 0) == 15 and
      sum(1 for t in times if t[0] == 1) == 8)
for name in ("ikev2_psk_natrebind", "ikev2_psk_pmtubh", "ikev2_psk_randomloss_noise", "ikev1_cert_ikefrag_ok_nftdrop"):
    if os.path.exists(cap(name + "_a.pcap")):
        loss_times(name)

# NAT-T without NAT: no arrow rewritten; real NAT: every arrow seen at both ends is
doc, page, got, data = pages["ikev2_psk_natt"]
check("natt: no NAT rewrite drawn", got["nat_arrows"] == 0 and htmlcount.expected(doc)["nat_detected"] == 0, got)
check("natt: one ESP packet dropped with an ICMP error, one ICMP arrow", got["dropped_icmp"] == 1 and
      got["icmp_arrows"] == 1, got)
doc, page, got, data = pages["ikev2_psk_realnat"]
both = [g for g in data["g"] if "s" in g and "r" in g]
nat = [g for g in both if "N" in g.get("fl", "")]
check("realnat: nat-detected reported for both of a's mappings (UDP 500 and 4500)",
      htmlcount.expected(doc)["nat_detected"] == 2)
check("realnat: every arrow seen at both ends is marked NAT (%d of %d)" % (len(nat), len(both)),
      len(nat) == len(both) and len(nat) > 0)
addrs = data["A"]
g0 = nat[0]
check("realnat: a's address as sent differs from the address b sees", g0["a"][0] != g0["a"][4],
      (g0["a"], addrs))

# --log-a/--log-b: the log line of each IKE message at both ends
doc, page = render(cap("ikev2_cert_fragdrop_a.pcap"), cap("ikev2_cert_fragdrop_b.pcap"),
                   os.path.join(tmp, "logs.html"), "--log-a", cap("ikev2_cert_fragdrop_charon_a.log"),
                   "--log-b", cap("ikev2_cert_fragdrop_charon_b.log"))
data = htmlcount.data_block(page)
init = [g for g in data["g"] if g["k"] == "ike" and data["X"][g["v"] - 1].get(str(g["x"])) == "IKE_SA_INIT"]
check("logs: both IKE_SA_INIT messages carry their log lines at both ends",
      len(init) == 2 and all(g["lg"][0] and g["lg"][1] for g in init) and
      "charon_a.log" in init[0]["lg"][0] and "charon_b.log" in init[0]["lg"][1], init)
check("logs: log lanes switched on", data["logs"] == [1, 1])

# hostile file names are escaped (and invalid UTF-8 replaced)
evil = os.path.join(tmp, "a<script>alert(1)<\\script>&\"'.pcap").encode()
evil_b = os.path.join(tmp, "b\xff<b onmouseover=x>.pcap").encode("latin-1")
shutil.copy(cap("ikev2_cert_fragdrop_a.pcap"), evil)
shutil.copy(cap("ikev2_cert_fragdrop_b.pcap"), evil_b)
out = os.path.join(tmp, "evil.html")
p = subprocess.run([PCAPCORRELATE, "--html", out, evil, evil_b], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
raw = open(out, "rb").read()
try:
    text = raw.decode("utf-8")
    utf8 = True
except UnicodeDecodeError:
    text, utf8 = "", False
check("evil names: exit 0", p.returncode == 0, p.stderr)
check("evil names: the page is valid UTF-8", utf8)
check("evil names: no markup from a file name", "<script>alert" not in text and "<b onmouseover" not in text and
      text.count("<script") == 2, text.count("<script"))
check("evil names: the names are shown escaped", "a&lt;script&gt;alert(1)&lt;\\script&gt;&amp;&quot;&#39;.pcap" in text
      and "b\ufffd&lt;b onmouseover=x&gt;.pcap" in text)

# a report that cannot be written: exit 1, naming the file
bad = os.path.join(tmp, "no-such-dir", "r.html")
p = subprocess.run([PCAPCORRELATE, "--html", bad, cap("ikev2_psk_natt_a.pcap"), cap("ikev2_psk_natt_b.pcap")],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
check("unwritable --html: exit 1 naming the file", p.returncode == 1 and bad in p.stderr, (p.returncode, p.stderr))

# size: 5 MB for 200k packets, checked in proportion on a 20k-packet pair
make_pair = os.path.join(TOP, "bench", "make_pair.py")
if os.path.exists(make_pair):
    pa, pb = os.path.join(tmp, "big_a.pcap"), os.path.join(tmp, "big_b.pcap")
    subprocess.run([sys.executable, make_pair, "20000", pa, pb], check=True, stdout=subprocess.DEVNULL,
                   cwd=os.path.join(TOP, "bench"))
    doc, page = render(pa, pb, os.path.join(tmp, "big.html"))
    size = len(page.encode())
    got, data = htmlcount.counts_from_data(page)
    want = htmlcount.expected(doc)
    check("20k-packet pair: page %d bytes < 500000 (5 MB per 200k packets)" % size, size < 500000)
    check("20k-packet pair: sent (%d) and lost (%d) add up" % (got["sent"], got["lost_packets"]),
          got["sent"] == want["sent"] and got["lost_packets"] == want["lost_packets"], (got, want))
    check("20k-packet pair: ESP runs collapse (%d groups for %d packets)" % (len(data["g"]), got["sent"]),
          len(data["g"]) * 5 < got["sent"])
else:
    print("note: bench/make_pair.py not in this tree: size check skipped")

# the embedded style sheet and script are those in tools/correlate/html/
embed = os.path.join(TOP, "scripts", "embed-assets.py")
p = subprocess.run([sys.executable, embed, "--check"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
check("tools/correlate/corr_html_assets.c is in step with tools/correlate/html/", p.returncode == 0, p.stdout)

shutil.rmtree(tmp, ignore_errors=True)
failed = results.count(False)
print("%d checks, %d failed" % (len(results), failed))
sys.exit(1 if failed else 0)
