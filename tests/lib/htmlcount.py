"""Counting what a pcapcorrelate --html page shows, for the HTML tests.

counts_from_dom(html): parse a rendered DOM (chromium --dump-dom) and count
the drawn ladder: g.arrow elements (with data-n, data-fate, data-kind, and
the class x-re / nat-rw for retransmitted copies / NAT rewrites), .cross
marks (data-n) and li.finding items.
counts_from_data(html): the same numbers from the page's JSON data block
(what the script will draw), without a browser.
expected(doc): the same numbers from the --json document.
"""
import html.parser
import json
import re


class _Counter(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.arrows = []       # (kind, fate, n, classes)
        self.crosses = []      # n
        self.findings = []     # (kind, data-g)
        self.svg_groups = None
        self.svg_drawn = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "svg" and "ladder" in cls:
            self.svg_groups = int(a["data-groups"])
            self.svg_drawn = int(a["data-drawn"])
        if tag == "g" and "arrow" in cls:
            self.arrows.append((a["data-kind"], a["data-fate"], int(a["data-n"]), cls))
        if "cross" in cls:
            self.crosses.append(int(a["data-n"]))
        if tag == "li" and "finding" in cls:
            self.findings.append((a["data-kind"], int(a["data-g"])))

    handle_startendtag = handle_starttag


def _summary(arrows, crosses, findings):
    def n(fates, d=None):
        return sum(x[2] for x in arrows if x[1] in fates and (d is None or x[4] == d))
    return {
        "arrows": len(arrows),
        "ike_arrows": sum(1 for x in arrows if x[0] == "ike" and x[1] != "only-received"),
        "retransmit_arrows": sum(1 for x in arrows if "x-re" in x[3]),
        "fragmented_arrows": sum(1 for x in arrows if "frag" in x[3]),
        "nat_arrows": sum(1 for x in arrows if "nat-rw" in x[3]),
        "icmp_arrows": sum(1 for x in arrows if x[0] == "icmp-error"),
        "sent": n(("arrived", "lost", "dropped-icmp")),
        "arrived": n(("arrived",)),
        "lost_arrows": sum(1 for x in arrows if x[1] == "lost"),
        "crosses": len(crosses),
        "lost_packets": sum(crosses),
        "dropped_icmp": n(("dropped-icmp",)),
        "not_covered": n(("not-covered",)),
        "findings": len(findings),
        "findings_linked": sum(1 for f in findings if f[1] >= 0),
    }


def counts_from_dom(text):
    p = _Counter()
    p.feed(text)
    arrows = [(k, f, n, cls, None) for k, f, n, cls in p.arrows]
    # fragmented: drawn with two strokes; the class list does not say, the data does
    out = _summary(arrows, p.crosses, p.findings)
    out["svg_groups"] = p.svg_groups
    out["svg_drawn"] = p.svg_drawn
    return out, p


def data_block(text):
    m = re.search(r'<script type="application/json" id="ikescope-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def counts_from_data(text):
    d = data_block(text)
    p = _Counter()
    p.feed(text)
    arrows = []
    crosses = []
    for g in d["g"]:
        fl = g.get("fl", "")
        cls = ["arrow"] + (["x-re"] if "X" in fl else []) + (["nat-rw"] if "N" in fl else []) + \
              (["frag"] if ("F" in fl or "P" in fl) else [])
        arrows.append((g["k"], g["f"], g["n"], cls, g["d"]))
        if g["f"] == "lost":
            crosses.append(g["n"])
    return _summary(arrows, crosses, p.findings), d


def expected(doc):
    st = doc["stats"]
    msgs = [m for n in doc["negotiations"] for e in n["exchanges"] for m in e["messages"]]
    kinds = [f["kind"] for f in doc["findings"]]
    return {
        "ike_arrows": sum(m["copies_sent"] for m in msgs),
        "retransmit_arrows": sum(m["retransmits"] for m in msgs),
        "sent": st["sent_a"] + st["sent_b"],
        "arrived": st["arrived_ab"] + st["arrived_ba"],
        "lost_packets": st["lost_ab"] + st["lost_ba"],
        "dropped_icmp": st["dropped_with_icmp"],
        "not_covered": st["not_covered"],
        "findings": len(doc["findings"]),
        "icmp_findings": kinds.count("icmp-frag-needed"),
        "fragment_loss": kinds.count("fragment-loss"),
        "nat_detected": kinds.count("nat-detected"),
    }
