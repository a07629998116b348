#!/usr/bin/env python3
"""pcapcorrelate --html without a browser: the page's data against --json.

For the shared fragment-drop, NAT-T and real-NAT scenarios, the arrows,
crosses and findings the page will draw (its JSON data block and finding
list) must add up to the numbers --json reports for the same run; plus real
values (which frames were lost, which arrows were rewritten by NAT), log
lines with --log-a/--log-b, escaping of hostile file names, no network
resources, the size bound on a generated pair, and embedded assets in step
with tools/correlate/html/.
"""
import json
import os
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


def compare(scenario, got, want):
    for k in ("ike_arrows", "retransmit_arrows", "sent", "arrived", "lost_packets", "dropped_icmp",
              "not_covered", "findings"):
        check("%s: %s in the page (%s) = --json (%s)" % (scenario, k, got[k], want[k]), got[k] == want[k])
    check("%s: one cross per lost arrow (%d)" % (scenario, got["crosses"]), got["crosses"] == got["lost_arrows"])
    check("%s: ICMP error arrows (%d) = icmp-frag-needed findings (%d)" % (
        scenario, got["icmp_arrows"], want["icmp_findings"]), got["icmp_arrows"] == want["icmp_findings"])


pages = {}
for scenario in ("ikev2_cert_fragdrop", "ikev2_psk_natt", "ikev2_psk_realnat"):
    doc, page = render(cap(scenario + "_a.pcap"), cap(scenario + "_b.pcap"), os.path.join(tmp, scenario + ".html"))
    got, data = htmlcount.counts_from_data(page)
    want = htmlcount.expected(doc)
    compare(scenario, got, want)
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
      '<li class="finding sev-error" id="f0" data-kind="ike-unanswered" data-severity="error" data-g="%d"'
      % data["g"].index(lost[0]) in page)

# NAT-T without NAT: no arrow rewritten; real NAT: every arrow seen at both ends is
doc, page, got, data = pages["ikev2_psk_natt"]
check("natt: no NAT rewrite drawn", got["nat_arrows"] == 0 and htmlcount.expected(doc)["nat_detected"] == 0, got)
check("natt: one ESP packet dropped with an ICMP error, one ICMP arrow", got["dropped_icmp"] == 1 and
      got["icmp_arrows"] == 1, got)
doc, page, got, data = pages["ikev2_psk_realnat"]
both = [g for g in data["g"] if "s" in g and "r" in g]
nat = [g for g in both if "N" in g.get("fl", "")]
check("realnat: nat-detected reported", htmlcount.expected(doc)["nat_detected"] == 1)
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
