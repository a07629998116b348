#!/usr/bin/env python3
"""Windows-shaped captures (pktmon / etl2pcapng) read like the plain ones, plus host drops.

Construction (tests/gen/pktmon_shape.py): both lab captures of
ikev2_psk_deletelost are rewritten as etl2pcapng writes them: every packet
at 2-3 driver components (interfaces) with one epb_packetid, epb_flags by
direction. On side a, the ESP packets b sent after a's last Delete (a
deleted that SA, the Delete never arrived: the router dropped it) also get
a copy at the top component with epb_verdict (2, 51), as a host dropping
them for an unknown SPI would. The answer is known by construction: those
packets arrived at a and were dropped inside a.

Checks:
 - ikedump --count on each shaped file gives the plain file's line (each
   packet counted once); --all-copies counts every copy written;
 - ikedump --json gives the plain records (frame numbers and pcapng keys
   aside), with `copies`/`components` on each and the verdict on exactly the
   dropped packets;
 - pcapcorrelate --json on the shaped pair gives the plain pair's
   negotiations, findings and stats (frame numbers aside), plus one
   host-drop finding for side a with the constructed count, verdict and
   component, its first frame the first dropped packet, and
   host_dropped_a/_b in the stats; never a loss more.

Run by make check (IKEDUMP, PCAPCORRELATE, IKS_CAPTURES).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
from iks_testlib import IKEDUMP, PCAPCORRELATE, check, cap, finish  # noqa: E402
import pktmon_shape  # noqa: E402

NAME = "ikev2_psk_deletelost"
HOST = {"a": "192.0.2.1", "b": "198.51.100.1"}
PCAPNG_KEYS = {"interface", "if_name", "direction", "packet_id", "verdict", "dropcount", "comment",
               "copies", "components"}


def out(*args):
    p = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def records(path, *extra):
    recs = [json.loads(l) for l in out(IKEDUMP, "--json", "--all", *extra, path).splitlines()]
    return [r for r in recs if "frame" in r]


def no_frames(x):
    """x without any key naming a frame number (they differ between the files)."""
    if isinstance(x, dict):
        return {k: no_frames(v) for k, v in x.items() if "frame" not in k}
    if isinstance(x, list):
        return [no_frames(v) for v in x]
    return x


def main():
    tmp = tempfile.mkdtemp(prefix="iks-pktmon-")
    try:
        plain = {s: cap("%s_%s.pcap" % (NAME, s)) for s in "ab"}
        recs_a = records(plain["a"])
        # a's last IKE message sent, then the ESP b sent to a after it
        last_ike = max(r["frame"] for r in recs_a if "ike" in r and r["src"] == HOST["a"])
        drops = [r["frame"] for r in recs_a if r["frame"] > last_ike and "esp" in r
                 and r["src"] == HOST["b"]]
        check("construction: ESP from b after a's last Delete (frame %d): %d packets"
              % (last_ike, len(drops)), 3 <= len(drops) <= 10, drops)
        shaped, counts = {}, {}
        for s in "ab":
            shaped[s] = os.path.join(tmp, "%s_%s.pcapng" % (NAME, s))
            counts[s] = pktmon_shape.shape(plain[s], shaped[s], HOST[s],
                                           drops if s == "a" else [])
            print("# %s: %s" % (s, counts[s]))

        for s in "ab":
            c_plain = out(IKEDUMP, "--count", plain[s])
            c_shaped = out(IKEDUMP, "--count", shaped[s])
            check("%s: ikedump --count counts each packet once (%s)" % (s, c_plain.split(" ipsec")[0]),
                  c_plain == c_shaped, (c_plain, c_shaped))
            c_all = out(IKEDUMP, "--count", "--all-copies", shaped[s])
            check("%s: ikedump --count --all-copies counts the %d copies" % (s, counts[s]["copies"]),
                  c_all.startswith("frames %d " % counts[s]["copies"]), c_all)
            rp = records(plain[s])
            rs = records(shaped[s])
            strip = [{k: v for k, v in r.items() if k not in PCAPNG_KEYS and k != "frame"}
                     for r in rs]
            check("%s: ikedump --json gives the plain records (%d)" % (s, len(rp)),
                  strip == [{k: v for k, v in r.items() if k != "frame"} for r in rp])
            # 2-3 copies (a dropped one: one more), listed in file order: a received
            # packet from the wire (0) up, a sent one from the top down to 0
            bad = [r["frame"] for r in rs if r.get("copies") not in (2, 3, 4)
                   or len(r["components"]) != r["copies"]
                   or [c["interface"] for c in r["components"]][:3 if r["copies"] == 4 else 4]
                   != (sorted if r["direction"] == "in" else
                       lambda x: sorted(x, reverse=True))(
                           [c["interface"] for c in r["components"]][:3 if r["copies"] == 4 else 4])
                   or r["components"][0 if r["direction"] == "in" else -1]["interface"] != 0]
            check("%s: every record lists its 2-3 components in order" % s, not bad, bad[:5])
            wire = [r["frame"] for r in rs if r["interface"] != 0]
            check("%s: the copy kept is the wire-side one (interface 0)" % s, not wire, wire[:5])
            if len(rp) == len(rs):
                with_verdict = [rp[i]["frame"] for i, r in enumerate(rs) if "verdict" in r]
                check("%s: the verdict is on exactly the dropped packets" % s,
                      with_verdict == (drops if s == "a" else []), with_verdict)

        jp = json.loads(out(PCAPCORRELATE, "--json", plain["a"], plain["b"]))
        js = json.loads(out(PCAPCORRELATE, "--json", shaped["a"], shaped["b"]))
        check("pcapcorrelate: same negotiations (%d)" % len(jp["negotiations"]),
              no_frames(jp["negotiations"]) == no_frames(js["negotiations"]))
        hd = [f for f in js["findings"] if f["kind"] == "host-drop"]
        rest = [f for f in js["findings"] if f["kind"] != "host-drop"]
        check("pcapcorrelate: same findings besides host-drop (%d)" % len(jp["findings"]),
              no_frames(jp["findings"]) == no_frames(rest),
              (len(jp["findings"]), len(rest)))
        st = dict(js["stats"])
        extra = {k: st.pop(k, None) for k in ("host_dropped_a", "host_dropped_b")}
        check("pcapcorrelate: same counts (%s)" % ", ".join("%s %s" % kv for kv in jp["stats"].items()),
              st == jp["stats"], (st, jp["stats"]))
        check("pcapcorrelate: host_dropped_a %d, host_dropped_b 0" % len(drops),
              extra == {"host_dropped_a": len(drops), "host_dropped_b": 0}, extra)
        ok = len(hd) == 1 and hd[0]["side"] == "a" and hd[0]["count"] == len(drops) \
            and hd[0]["verdict"] == {"type": 2, "value": 51} \
            and hd[0]["component"] == {"interface": 2, "if_name": "TCPIP"}
        check("pcapcorrelate: one host-drop finding, side a, count %d, verdict 51, component TCPIP"
              % len(drops), ok, hd)
        if ok:
            # its frame is the first dropped packet (shaped numbering -> plain via ikedump)
            rs = records(shaped["a"])
            rp = records(plain["a"])
            to_plain = {r["frame"]: p["frame"] for r, p in zip(rs, rp)}
            check("host-drop names the first dropped packet (a frame %d)" % drops[0],
                  to_plain.get(hd[0]["frame_a"]) == drops[0], hd[0]["frame_a"])
            check("host-drop names b's copy of it", hd[0]["frame_b"] is not None, hd[0])
        lost_p = jp["stats"]["lost_ab"] + jp["stats"]["lost_ba"]
        lost_s = js["stats"]["lost_ab"] + js["stats"]["lost_ba"]
        check("host drops are not path loss (%d lost either way)" % lost_p, lost_p == lost_s)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


main()
