#!/usr/bin/env python3
"""pcapcorrelate --html in a real browser (headless Chromium).

For the fragment-drop, NAT-T and real-NAT scenarios: the DOM Chromium
renders (--dump-dom, after the page's script has drawn the ladder) holds as
many arrows, crosses and findings as --json reports for the same run, and a
screenshot of each page is written to tests/html-report/ in the build tree
(look at them). The verdict blocks match --json's verdicts and every
evidence link leads to a finding; IKE labels carry the message ID as
0x%08x and the IKE and IP sizes; each loss has a cross of its own at its
own time. A copy of a page with a probe script measures what Chromium
laid out (no label over the time columns or outside the axes) and clicks
an evidence link (the finding is highlighted, its arrow selected).
Skipped (exit 77) when Chromium is not installed: scripts/install-deps.sh
installs it.
"""
import json
import os
import re
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


# Run in a copy of a page after its own script: where Chromium put the labels and time
# stamps, and what clicking an evidence link does. Results in body[data-probe].
PROBE = r"""<script>
(function () {
  var svg = document.querySelector('svg.ladder'), out = {labels: 0, outside: [], over_time: []};
  var ax = Array.prototype.map.call(svg.querySelectorAll('line.axis'), function (l) { return +l.getAttribute('x1'); })
    .sort(function (p, q) { return p - q; });
  var tms = Array.prototype.map.call(svg.querySelectorAll('text.tm'), function (t) { return t.getBBox(); });
  Array.prototype.forEach.call(svg.querySelectorAll('g.arrow > text.lbl'), function (t) {
    var b = t.getBBox(), s = t.textContent;
    out.labels++;
    if (b.x < ax[0] || b.x + b.width > ax[1]) out.outside.push(s);
    tms.forEach(function (m) {
      if (b.x < m.x + m.width && m.x < b.x + b.width && b.y < m.y + m.height && m.y < b.y + b.height) out.over_time.push(s);
    });
  });
  out.axes = ax;
  out.times = tms.length;
  var ev = document.querySelectorAll('a.evidence'), a = ev[ev.length - 1];
  if (a) {
    a.click();
    var li = document.getElementById(a.getAttribute('href').slice(1)), d = li && li.closest('details');
    var g = li ? +li.getAttribute('data-g') : -1, arrow = document.getElementById('g' + g), h3 = document.querySelector('#detail h3');
    out.click = {href: a.getAttribute('href'), flash: !!li && li.classList.contains('flash'), unfolded: !d || d.open,
                 g: g, selected: !!arrow && arrow.classList.contains('sel'),
                 decode: h3 ? h3.textContent : null, title: arrow ? arrow.querySelector('title').textContent : null};
  }
  document.body.setAttribute('data-probe', JSON.stringify(out));
})();
</script>"""


def probe(page):
    """the probe's results for a page (None when the browser failed)"""
    with open(page, encoding="utf-8") as f:
        text = f.read()
    copy = page[:-5] + "-probe.html"
    with open(copy, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", PROBE + "</body>"))
    r, _ = chromium("--dump-dom", "file://" + os.path.abspath(copy))
    m = re.search(r'data-probe="([^"]*)"', r.stdout.decode("utf-8", "replace"))
    if not m:
        return None
    import html as _html
    return json.loads(_html.unescape(m.group(1)))


def check_layout(name, page):
    """labels between the axes, none over a time stamp; an evidence click shows its finding and arrow"""
    pr = probe(page)
    check("%s: probe ran" % name, pr is not None)
    if pr is None:
        return
    check("%s: %d labels, all between the axes %s" % (name, pr["labels"], pr["axes"]),
          pr["labels"] > 0 and not pr["outside"], pr["outside"][:3])
    check("%s: no label over one of the %d time stamps" % (name, pr["times"]),
          pr["times"] > 0 and not pr["over_time"], pr["over_time"][:3])
    c = pr.get("click")
    check("%s: clicking evidence %s highlights the finding (unfolded) and selects its arrow g%s" % (
        name, c and c["href"], c and c["g"]),
          c and c["flash"] and c["unfolded"] and (c["g"] < 0 or (c["selected"] and c["decode"] and
                                                               c["title"].startswith(c["decode"]))), c)


def check_dom(scenario, doc, dom):
    """verdicts, evidence, message IDs and sizes, crosses: the rendered DOM against --json and the data"""
    _, p = htmlcount.counts_from_dom(dom)
    data = htmlcount.data_block(dom)
    want = doc["verdicts"]
    check("%s: rendered verdict blocks (%d) = --json verdicts (%d), same causes" % (scenario, len(p.verdicts), len(want)),
          len(want) > 0 and [v["data-cause"] for v in p.verdicts] == [v["cause"] for v in want])
    ids = {f["id"]: f for f in p.finding_attrs}
    bad = [e for e in p.evidence if not e[1].startswith("#f") or e[1][1:] not in ids or
           int(ids[e[1][1:]]["data-fi"]) != e[2] or e[2] not in want[e[0]]["evidence"]]
    check("%s: every evidence link (%d = --json's %d) resolves to its finding element" % (
        scenario, len(p.evidence), sum(len(v["evidence"]) for v in want)),
          not bad and len(p.evidence) == sum(len(v["evidence"]) for v in want), bad[:3])
    # IKE labels: message ID as 0x%08x, the IKE length and the IP size (labels shortened to fit excepted)
    ike = [(i, g) for i, g in enumerate(data["g"]) if g["k"] == "ike" and i in p.labels]
    wrong = []
    for i, g in ike:
        lb = p.labels[i][-1]  # the arrow's own label is drawn last (after the pieces' note)
        z = g["z"] if isinstance(g["z"], int) else None
        if not re.search(r"mid 0x%s\b" % g["m"], lb) or re.search(r"mid \d+[ ,]", lb) or \
                (not lb.endswith("\u2026") and ("%d B (IP %s B)" % (g["L"], z) not in lb)):
            wrong.append(lb)
    check("%s: %d IKE labels with mid 0x%%08x, IKE and IP size" % (scenario, len(ike)), ike and not wrong, wrong[:3])
    # crosses: one per lost packet at its own time, later losses lower down
    marks = [m for m in p.cross_marks]
    lost = sum(g["n"] for g in data["g"] if g["f"] == "lost")
    timed = all(m[2] is not None and m[3] is not None for m in marks)
    times = sorted((m[2], m[3]) for m in marks) if timed else []
    mono = timed and all(b[1] > a[1] for a, b in zip(times, times[1:]) if b[0] > a[0])
    check("%s: %d crosses, one per lost packet (%d), each at its own time (y grows with it)" % (
        scenario, len(marks), lost), len(marks) == lost and all(m[1] == 1 for m in marks) and mono, marks[:4])
    runs = [g for g in data["g"] if g["f"] == "lost" and g["n"] > 1]
    drawn = sorted(m[2] for m in marks if m[2] is not None)
    check("%s: crosses at the times of the %d lost runs' packets" % (scenario, len(runs)),
          all(any(abs(t - d) < 1e-6 for d in drawn) for g in runs for t in g["lt"]))


for scenario in ("ikev2_cert_fragdrop", "ikev2_psk_natt", "ikev2_psk_realnat", "ikev2_psk_randomloss", "ikev2_psk_natrebind",
                 "ikev2_psk_pmtubh"):
    page = os.path.join(OUT, scenario + ".html")
    p = subprocess.run([PCAPCORRELATE, "--json", "--html", page, os.path.join(CAPS, scenario + "_a.pcap"),
                        os.path.join(CAPS, scenario + "_b.pcap")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("%s: pcapcorrelate exit 0" % scenario, p.returncode == 0, p.stderr)
    doc = json.loads(p.stdout)
    want = htmlcount.expected(doc)
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
    check_dom(scenario, doc, dom)
    # ICMP errors: every one drawn; those announcing an MTU are the icmp-frag-needed findings
    icmp = [g for g in htmlcount.data_block(dom)["g"] if g["k"] == "icmp-error"]
    check("%s: rendered ICMP arrows (%d) = ICMP errors in the data (%d), %d with an MTU = icmp-frag-needed "
          "findings (%d)" % (scenario, got["icmp_arrows"], len(icmp), sum(1 for g in icmp if "mtu" in g),
                             want["icmp_findings"]),
          got["icmp_arrows"] == len(icmp) and sum(1 for g in icmp if "mtu" in g) == want["icmp_findings"])
    if scenario == "ikev2_cert_fragdrop":
        check("fragdrop: 5 crosses, 5 fragmented arrows, 4 retransmits drawn",
              got["crosses"] == 5 and got["fragmented_arrows"] == 5 and got["retransmit_arrows"] == 4, got)
    if scenario == "ikev2_psk_realnat":
        check("realnat: NAT rewrites drawn on the 22 arrows seen at both ends", got["nat_arrows"] == 22, got)
    if scenario == "ikev2_psk_natt":
        check("natt: no NAT rewrite drawn", got["nat_arrows"] == 0, got)
    check_layout(scenario, page)
    png = os.path.join(OUT, scenario + ".png")
    if os.path.exists(png):
        os.unlink(png)
    r, secs = chromium("--screenshot=" + png, "--window-size=1400,2000", url)
    check("%s: screenshot %s written (%.1f s)" % (scenario, png, secs), png_size(png) == (1400, 2000),
          (r.returncode, r.stderr[-300:]))

# the narrow ladder (log lanes beside it): long IKE_AUTH labels against the time column
page = os.path.join(OUT, "ikev2_cert_fragdrop_logs.html")
subprocess.run([PCAPCORRELATE, "--html", page, "--log-a", os.path.join(CAPS, "ikev2_cert_fragdrop_charon_a.log"),
                "--log-b", os.path.join(CAPS, "ikev2_cert_fragdrop_charon_b.log"),
                os.path.join(CAPS, "ikev2_cert_fragdrop_a.pcap"), os.path.join(CAPS, "ikev2_cert_fragdrop_b.pcap")],
               check=True, stdout=subprocess.DEVNULL)
check_layout("fragdrop with logs", page)
png = os.path.join(OUT, "ikev2_cert_fragdrop_logs.png")
chromium("--screenshot=" + png, "--window-size=1400,2000", "file://" + os.path.abspath(page))

# IKEv1: two Quick Mode messages of one exchange do not look alike (their sizes differ)
page = os.path.join(OUT, "ikev1_psk_natt.html")
subprocess.run([PCAPCORRELATE, "--html", page, os.path.join(CAPS, "ikev1_psk_natt_a.pcap"),
                os.path.join(CAPS, "ikev1_psk_natt_b.pcap")], check=True, stdout=subprocess.DEVNULL)
r, _ = chromium("--dump-dom", "file://" + os.path.abspath(page))
dom = r.stdout.decode("utf-8", "replace")
_, p = htmlcount.counts_from_dom(dom)
data = htmlcount.data_block(dom)
qm = [(g, p.labels.get(i, [""])[-1]) for i, g in enumerate(data["g"])
      if g["k"] == "ike" and data["X"][0].get(str(g["x"])) == "Quick Mode" and "X" not in g.get("fl", "")]
pairs = [(x, y) for k, x in enumerate(qm) for y in qm[k + 1:] if x[0]["m"] == y[0]["m"] and x[0]["L"] != y[0]["L"]]
check("ikev1: %d Quick Mode messages, %d pairs of one exchange with different sizes, all labelled apart" % (
    len(qm), len(pairs)), pairs and all(x[1] != y[1] for x, y in pairs), [q[1] for q in qm][:4])

# a lost run longer than the rows the ladder gives one loss each (200): 500 losses 0.2 ms apart
# (the random-loss page's first run, its data rewritten) are drawn on the run's band, losses
# closer than 3 px sharing a cross, and all 500 counted
page = os.path.join(OUT, "ikev2_psk_randomloss.html")
with open(page, encoding="utf-8") as f:
    text = f.read()
m = re.search(r'(<script type="application/json" id="ikescope-data">)(.*?)(</script>)', text, re.S)
data = json.loads(m.group(2))
gi, g = [(i, g) for i, g in enumerate(data["g"]) if g["f"] == "lost" and g["n"] > 1][0]
g["n"], g["lt"] = 500, [g["s"] + k * 0.0002 for k in range(500)]
g["s2"] = g["lt"][-1]
longrun = os.path.join(OUT, "longrun.html")
with open(longrun, "w", encoding="utf-8") as f:
    f.write(text[:m.start(2)] + json.dumps(data) + text[m.end(2):])
r, _ = chromium("--dump-dom", "file://" + os.path.abspath(longrun))
dom = r.stdout.decode("utf-8", "replace")
got, p = htmlcount.counts_from_dom(dom)
mine = [x for x in p.cross_marks if x[0] == gi]
at = dom.find('id="g%d"' % gi)
own = dom[at:dom.find('<g class="arrow', at)] if at >= 0 else ""
check("long lost run: 500 losses on %d crosses (%s), its band drawn" % (len(mine), [x[1] for x in mine]),
      sum(x[1] for x in mine) == 500 and 1 <= len(mine) < 500 and 'class="band' in own)

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
