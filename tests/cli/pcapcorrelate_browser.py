#!/usr/bin/env python3
"""pcapcorrelate --html in a real browser (headless Chromium).

For the fragment-drop, NAT-T and real-NAT scenarios: the DOM Chromium
renders (--dump-dom, after the page's script has drawn the ladder) holds as
many arrows, crosses and findings as --json reports for the same run, and a
screenshot of each page is written to tests/html-report/ in the build tree
(look at them). Skipped (exit 77) when Chromium is not installed:
scripts/install-deps.sh installs it.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import htmlcount  # noqa: E402

PCAPCORRELATE = os.environ["PCAPCORRELATE"]
CAPS = os.environ["IKS_CAPTURES"]
BROWSER = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not BROWSER:
    print("SKIP: chromium is not installed (Debian package chromium; scripts/install-deps.sh installs it): "
          "the browser test of pcapcorrelate --html is skipped")
    sys.exit(77)

OUT = os.path.join(os.getcwd(), "tests", "html-report")
os.makedirs(OUT, exist_ok=True)
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " -- " + str(detail)))


def chromium(*args):
    profile = tempfile.mkdtemp(prefix="iks-chromium-")
    try:
        t = time.monotonic()
        p = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--user-data-dir=" + profile, *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
        return p, time.monotonic() - t
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


for scenario in ("ikev2_cert_fragdrop", "ikev2_psk_natt", "ikev2_psk_realnat"):
    page = os.path.join(OUT, scenario + ".html")
    p = subprocess.run([PCAPCORRELATE, "--json", "--html", page, os.path.join(CAPS, scenario + "_a.pcap"),
                        os.path.join(CAPS, scenario + "_b.pcap")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("%s: pcapcorrelate exit 0" % scenario, p.returncode == 0, p.stderr)
    want = htmlcount.expected(json.loads(p.stdout))
    url = "file://" + os.path.abspath(page)
    r, secs = chromium("--dump-dom", url)
    dom = r.stdout.decode("utf-8", "replace")
    got, _ = htmlcount.counts_from_dom(dom)
    check("%s: chromium rendered the page (%.1f s)" % (scenario, secs), r.returncode == 0 and got["svg_groups"] is not None,
          r.stderr[-500:])
    if got["svg_groups"] is None:
        continue
    check("%s: every group drawn (%d arrows of %d)" % (scenario, got["arrows"], got["svg_groups"]),
          got["arrows"] == got["svg_groups"] == got["svg_drawn"] and got["arrows"] > 0)
    for k in ("ike_arrows", "retransmit_arrows", "sent", "arrived", "lost_packets", "dropped_icmp", "not_covered",
              "findings"):
        check("%s: rendered %s (%s) = --json (%s)" % (scenario, k, got[k], want[k]), got[k] == want[k])
    check("%s: one cross per lost arrow (%d crosses)" % (scenario, got["crosses"]),
          got["crosses"] == got["lost_arrows"])
    check("%s: rendered ICMP arrows (%d) = icmp-frag-needed findings (%d)" % (
        scenario, got["icmp_arrows"], want["icmp_findings"]), got["icmp_arrows"] == want["icmp_findings"])
    if scenario == "ikev2_cert_fragdrop":
        check("fragdrop: 5 crosses, 5 fragmented arrows, 4 retransmits drawn",
              got["crosses"] == 5 and got["fragmented_arrows"] == 5 and got["retransmit_arrows"] == 4, got)
    if scenario == "ikev2_psk_realnat":
        check("realnat: NAT rewrites drawn on the 22 arrows seen at both ends", got["nat_arrows"] == 22, got)
    if scenario == "ikev2_psk_natt":
        check("natt: no NAT rewrite drawn", got["nat_arrows"] == 0, got)
    png = os.path.join(OUT, scenario + ".png")
    if os.path.exists(png):
        os.unlink(png)
    r, secs = chromium("--screenshot=" + png, "--window-size=1400,2000", url)
    check("%s: screenshot %s written (%.1f s)" % (scenario, png, secs), png_size(png) == (1400, 2000),
          (r.returncode, r.stderr[-300:]))

# a long capture: a 20k-packet generated pair opens, and only what is near the view is drawn
make_pair = os.path.join(CAPS, "..", "bench", "make_pair.py")
if os.path.exists(make_pair):
    tmp = tempfile.mkdtemp(prefix="iks-html-big-")
    pa, pb, page = (os.path.join(tmp, n) for n in ("a.pcap", "b.pcap", "big.html"))
    subprocess.run([sys.executable, make_pair, "20000", pa, pb], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PCAPCORRELATE, "--html", page, pa, pb], check=True, stdout=subprocess.DEVNULL)
    r, secs = chromium("--dump-dom", "file://" + page)
    got, _ = htmlcount.counts_from_dom(r.stdout.decode("utf-8", "replace"))
    groups = len(htmlcount.data_block(open(page, encoding="utf-8").read())["g"])
    check("20k-packet pair: opened in %.1f s, %s of %d arrows drawn" % (secs, got["svg_drawn"], groups),
          got["svg_groups"] == groups and got["svg_drawn"] and got["arrows"] == got["svg_drawn"] and secs < 60)
    shutil.rmtree(tmp, ignore_errors=True)

failed = results.count(False)
print("%d checks, %d failed; pages and screenshots in %s" % (len(results), failed, OUT))
sys.exit(1 if failed else 0)
