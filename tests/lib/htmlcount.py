"""Counting what a pcapcorrelate --html page shows, for the HTML tests.

counts_from_dom(html): parse a rendered DOM (chromium --dump-dom) and count
the drawn ladder: g.arrow elements (with data-n, data-fate, data-kind, and
the class x-re / nat-rw for retransmitted copies / NAT rewrites), .cross
marks (data-n, data-t, and the y they are drawn at), li.finding items,
div.verdict blocks and their a.evidence links, and the labels (text.lbl)
of each arrow.
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
        self.finding_attrs = []  # every li.finding's attributes
        self.verdicts = []     # div.verdict attributes
        self.evidence = []     # (verdict index, href, data-fi) of a.evidence
        self.cross_marks = []  # (arrow index, n, data-t, y of its centre)
        self.labels = {}       # arrow index -> [label texts]
        self.svg_groups = None
        self.svg_drawn = None
        self._arrow = None     # (index, direction) of the g.arrow being read
        self._in_lbl = False
        self._lbl = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "svg" and "ladder" in cls:
            self.svg_groups = int(a["data-groups"])
            self.svg_drawn = int(a["data-drawn"])
        if tag == "g" and "arrow" in cls:
            self.arrows.append((a["data-kind"], a["data-fate"], int(a["data-n"]), cls))
            self._arrow = int(a["data-i"])
        if "cross" in cls:
            self.crosses.append(int(a["data-n"]))
            m = re.match(r"M\s*([-\d.]+)[ ,]([-\d.]+)", a.get("d", ""))
            self.cross_marks.append((self._arrow, int(a["data-n"]),
                                     float(a["data-t"]) if "data-t" in a else None,
                                     float(m.group(2)) + 6 if m else None))
        if tag == "text" and "lbl" in cls and self._arrow is not None:
            self._in_lbl = True
            self._lbl = ""
        if tag == "li" and "finding" in cls:
            self.findings.append((a["data-kind"], int(a["data-g"])))
            self.finding_attrs.append(a)
        if tag == "div" and "verdict" in cls:
            self.verdicts.append(a)
        if tag == "a" and "evidence" in cls:
            self.evidence.append((len(self.verdicts) - 1, a.get("href"), int(a["data-fi"])))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "g":
            self._arrow = None

    def handle_data(self, data):
        if self._in_lbl:
            self._lbl += data

    def handle_endtag(self, tag):
        if tag == "text" and self._in_lbl:
            self._in_lbl = False
            self.labels.setdefault(self._arrow, []).append(self._lbl)
        if tag == "svg":
            self._arrow = None


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
            # a lost run with its times ("lt"): one cross per loss, else one for the run
            crosses.extend([1] * len(g["lt"]) if "lt" in g else [g["n"]])
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
