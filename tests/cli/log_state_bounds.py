#!/usr/bin/env python3
"""Issue 19 ("no silent cap") for the log parsers' fixed state bounds and
the log join: each constructed log reaches one bound, and ikedump --log
must count it (JSON log_stats), say so on stderr and in the text report.

  threads:  charon, 65 threads each generate a request before any sends
            (64 thread states are followed): the first thread's state is
            given away with its generated request unsent (threads_evicted 1;
            its send then has no exchange).
  recv:     charon, thread 10 receives a message, then 64 other threads
            log a send each (thread 10's state is given away holding the
            received message): with no "parsed" line for it (charon could
            not parse it) nothing is lost, threads_evicted 0; when thread
            10's next line is that "parsed" line, 1; when thread 10 next
            receives another message and its "parsed" line, 0.
  rx:       charon net=3, 40 datagrams dumped by the receiver thread
            before the worker's "received packet" lines (32 are kept): the
            8 oldest are dropped (rx_dropped 8).
  rexmit:   charon, a retransmission whose original send lies 4100
            message records back (4096 are looked back through):
            rexmit_lookback_cut 1; the same with 4000 records between: 0;
            4100 records and no original logged at all: 0 (nothing was cut).
  pluto:    the same with a pluto "sending ... for EVENT_RETRANSMIT" line.
  racoon:   a send whose dumped bytes repeat a send 4100 message records
            back: rexmit_lookback_cut 1 (it looks like a first send); 4000
            back: 0 and it is retransmission 1; never sent before: 0.
  gen:      charon, 9 "generating" lines in one thread before its 9 sends
            (8 are kept): gen_dropped 1, and each send carries the message
            ID generated after its own (the last none).
  reasm:    charon, 9 "reassembled" lines before their 9 "received
            packet" lines (8 sizes are kept): reasm_dropped 1, and that
            line is a message although it never crossed the wire.
  oakley:   the Oakley.log set of ikev1_psk_natt_a (cookies printed
            byte-reversed) with a capture that first holds 70 copies of
            each of its IKE packets under other cookies, an hour earlier:
            the byte-order vote used to look only at the first 64 packets
            of a message's length, found nothing, fell back to "as printed"
            and called all 19 messages "not in the capture"; it now looks
            messages up by cookie: 19 matched, byte order reversed.

Run by make check (IKEDUMP and IKS_CAPTURES set).
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import capmangle  # noqa: E402
from iks_testlib import IKEDUMP, PCAPCORRELATE, cap, check, finish, run  # noqa: E402

BOUNDS = ["threads_evicted", "rx_dropped", "rexmit_lookback_cut", "reasm_dropped",
          "gen_dropped", "offsets_dropped", "order_unvoted"]
PCAP = cap("ikev2_psk_natt_a.pcap")


def write(tmp, name, lines):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def dump(log, pcap=PCAP):
    """(JSON records, stderr, text output, text stderr)"""
    rc, out, err = run(IKEDUMP, "--json", "--log", log, pcap)
    check("%s: exit 0" % os.path.basename(log), rc == 0, err)
    recs = [json.loads(l) for l in out.splitlines()]
    rc2, text, err2 = run(IKEDUMP, "--log", log, pcap)
    return recs, err, text, err2


def stats_of(recs):
    return next((r["log_stats"] for r in recs if "log_stats" in r), {})


def expect(tag, log, key, n, words, pcap=PCAP):
    """The counter key is n (every other bound 0), stderr and the text
    report carry words (nothing when n is 0). Returns the JSON records."""
    recs, err, text, err2 = dump(log, pcap)
    st = stats_of(recs)
    others = {k: st.get(k) for k in BOUNDS if k != key}
    check("%s: log_stats %s = %d, the other bounds 0" % (tag, key, n),
          st.get(key) == n and all(v == 0 for v in others.values()), st)
    if n:
        check("%s: stderr names the bound" % tag,
              "log bounds reached: " in err and words in err, err)
        check("%s: text report line names the bound" % tag,
              "log: bounds reached, details lost: " in text and words in text
              and words in err2, text[-600:])
    else:
        check("%s: nothing on stderr, no bounds line" % tag,
              not err and "bounds reached" not in text, (err, text[-300:]))
    return recs


def hexline(off, chunk):
    return "%4d: %s" % (off, " ".join("%02X" % b for b in chunk))


def ike_bytes(k, length):
    """An IKEv2 header (length bytes in all, zero-padded) with cookie k."""
    b = bytearray(length)
    b[0:8] = bytes([0xA5, k, 1, 2, 3, 4, 5, 6])
    b[17] = 0x20
    b[18] = 37
    b[19] = 0x08
    b[24:28] = length.to_bytes(4, "big")
    return bytes(b)


with tempfile.TemporaryDirectory() as tmp:
    # threads: 65 threads generate before they send
    lines = []
    for t in range(10, 75):
        lines.append("10:00:00 %02d[ENC] generating INFORMATIONAL request %d [ ]" % (t, t))
    for t in list(range(11, 75)) + [10]:
        lines.append("10:00:01 %02d[NET] sending packet: from 192.0.2.1[500] to "
                     "198.51.100.1[500] (80 bytes)" % t)
    log = write(tmp, "threads.log", lines)
    expect("threads", log, "threads_evicted", 1, "1 thread state(s) given away unfinished")
    # the same with 64 threads: nothing given away
    log = write(tmp, "threads64.log", [l for l in lines if not l[9:11] == "74"])
    expect("64 threads", log, "threads_evicted", 0, "")

    # recv: thread 10's received message, its state given away by 64 others
    def recv_log(after):
        lines = ["10:00:00 10[NET] received packet: from 198.51.100.1[500] to "
                 "192.0.2.1[500] (80 bytes)"]
        for t in range(11, 75):
            lines.append("10:00:01 %02d[NET] sending packet: from 192.0.2.1[500] to "
                         "198.51.100.%d[500] (80 bytes)" % (t, t))
        return lines + ["10:00:02 10" + a for a in after]
    parsed = "[ENC] parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"
    expect("recv never parsed", write(tmp, "recv0.log", recv_log([])), "threads_evicted", 0, "")
    expect("recv parsed after", write(tmp, "recv1.log", recv_log([parsed])), "threads_evicted",
           1, "1 thread state(s) given away unfinished")
    expect("recv again", write(tmp, "recv2.log", recv_log(
        ["[NET] received packet: from 198.51.100.1[500] to 192.0.2.1[500] (80 bytes)", parsed])),
        "threads_evicted", 0, "")

    # rx: 40 dumped datagrams before their worker lines
    def rx_log(n):
        lines = []
        for k in range(n):
            data = ike_bytes(k, 40 + k)
            lines.append("10:00:00 06[NET] received packet => %d bytes @ 0x7f00" % len(data))
            for off in range(0, len(data), 16):
                lines.append("10:00:00 06[NET] " + hexline(off, data[off:off + 16]))
            lines.append("10:00:00 06[NET] received packet: from 198.51.100.1[500] to "
                         "192.0.2.1[500]")
        for k in range(n):
            lines.append("10:00:01 %02d[NET] received packet: from 198.51.100.1[500] to "
                         "192.0.2.1[500] (%d bytes)" % (10 + k % 8, 40 + k))
        return lines
    expect("rx", write(tmp, "rx.log", rx_log(40)), "rx_dropped", 8,
           "8 dumped datagram(s) dropped before their message's line")
    expect("rx 32", write(tmp, "rx32.log", rx_log(32)), "rx_dropped", 0, "")

    # rexmit: the original 4100 message records back
    def rexmit_log(between, original=True):
        lines = ["10:00:00 11[ENC] generating IKE_AUTH request 1 [ IDi AUTH SA TSi TSr ]",
                 "10:00:00 11[NET] sending packet: from 192.0.2.1[4500] to 198.51.100.1[4500] "
                 "(300 bytes)"] if original else []
        for k in range(between):
            lines.append("10:00:02 12[NET] sending packet: from 192.0.2.1[500] to "
                         "198.51.100.%d[500] (100 bytes)" % (2 + k % 200))
        lines.append("10:00:04 11[IKE] retransmit 1 of request with message ID 1")
        lines.append("10:00:04 11[NET] sending packet: from 192.0.2.1[4500] to "
                     "198.51.100.1[4500] (300 bytes)")
        return lines
    expect("rexmit", write(tmp, "rexmit.log", rexmit_log(4100)), "rexmit_lookback_cut", 1,
           "1 retransmission(s) whose original is beyond the 4096-message look back")
    expect("rexmit 4000", write(tmp, "rexmit4000.log", rexmit_log(4000)),
           "rexmit_lookback_cut", 0, "")
    expect("rexmit never sent", write(tmp, "rexmit_none.log", rexmit_log(4100, False)),
           "rexmit_lookback_cut", 0, "")

    # pluto: the original of an EVENT_RETRANSMIT send 4100 message records back
    def pluto_log(between, original=True):
        pre = "Dec  3 16:41:06.779185: | sending "
        lines = [pre + "204 bytes for reply packet for main_outI1 through a0 from 192.0.2.1:500 "
                 "to 198.51.100.1:500 using UDP (for #1)"] if original else []
        for k in range(between):
            lines.append(pre + "100 bytes for STATE_MAIN_I1 through a0 from 192.0.2.1:500 to "
                         "198.51.100.%d:500 using UDP (for #%d)" % (2 + k % 200, 2 + k))
        lines.append(pre + "204 bytes for EVENT_RETRANSMIT through a0 from 192.0.2.1:500 to "
                     "198.51.100.1:500 using UDP (for #1)")
        return lines
    expect("pluto", write(tmp, "pluto.log", pluto_log(4100)), "rexmit_lookback_cut", 1,
           "1 retransmission(s) whose original is beyond the 4096-message look back")
    expect("pluto 4000", write(tmp, "pluto4000.log", pluto_log(4000)), "rexmit_lookback_cut",
           0, "")
    expect("pluto never sent", write(tmp, "pluto_none.log", pluto_log(4100, False)),
           "rexmit_lookback_cut", 0, "")

    # racoon: a send repeating the dumped bytes of one 4100 sends back
    def racoon_send(lines, data, peer):
        pre = "2026-12-03 10:00:00: DEBUG: "
        lines.append(pre + "%d bytes from 192.0.2.1[500] to %s[500]" % (len(data), peer))
        lines.append(pre + "1 times of %d bytes message will be sent to %s[500]"
                     % (len(data), peer))
        lines.append(pre.rstrip())
        for i in range(0, len(data), 32):
            row = data[i:i + 32]
            lines.append(" ".join(row[j:j + 4].hex() for j in range(0, len(row), 4)))

    def racoon_ike(k):
        b = bytearray(ike_bytes(0, 76))
        b[0:4] = (0xA5000000 | k).to_bytes(4, "big")
        b[17] = 0x10  # IKEv1
        b[18] = 2
        b[19] = 0
        return bytes(b)

    def racoon_log(between, original=True):
        lines = []
        if original:
            racoon_send(lines, racoon_ike(0xFFFFF), "198.51.100.1")
        for k in range(between):
            racoon_send(lines, racoon_ike(k), "198.51.100.%d" % (2 + k % 200))
        racoon_send(lines, racoon_ike(0xFFFFF), "198.51.100.1")
        return lines

    def last_rexmit(recs):
        msgs = [r["log_message"] for r in recs if "log_message" in r]
        return msgs[-1].get("retransmit") if msgs else "none"
    recs = expect("racoon", write(tmp, "racoon.log", racoon_log(4100)), "rexmit_lookback_cut", 1,
                  "1 retransmission(s) whose original is beyond the 4096-message look back")
    recs = expect("racoon 4000", write(tmp, "racoon4000.log", racoon_log(4000)),
                  "rexmit_lookback_cut", 0, "")
    check("racoon 4000: the last send is retransmission 1", last_rexmit(recs) == 1,
          last_rexmit(recs))
    expect("racoon never sent", write(tmp, "racoon_none.log", racoon_log(4100, False)),
           "rexmit_lookback_cut", 0, "")

    # gen: 9 generated messages in one thread before their sends
    def gen_log(n):
        lines = ["10:00:00 11[ENC] generating INFORMATIONAL request %d [ ]" % (k + 1)
                 for k in range(n)]
        lines += ["10:00:00 11[NET] sending packet: from 192.0.2.1[500] to 198.51.100.1[500] "
                  "(80 bytes)"] * n
        return lines
    recs = expect("gen", write(tmp, "gen.log", gen_log(9)), "gen_dropped", 1,
                  "1 generated message(s) forgotten before their send")
    mids = [r["log_message"].get("msgid") for r in recs if "log_message" in r]
    check("gen: the first send carries message ID 2, none carries 1, the last none",
          mids[:1] == ["00000002"] and "00000001" not in mids and mids[-1:] == [None], mids)
    expect("gen 8", write(tmp, "gen8.log", gen_log(8)), "gen_dropped", 0, "")

    # reasm: 9 reassembled sizes before their received lines
    def reasm_log(n):
        lines = []
        for k in range(n):
            lines.append("10:00:00 11[ENC] received fragment #2, reassembled fragmented IKE "
                         "message (%d bytes)" % (1000 + k))
        for k in range(n):
            lines.append("10:00:00 11[NET] received packet: from 198.51.100.1[4500] to "
                         "192.0.2.1[4500] (%d bytes)" % (1000 + k))
        return lines
    recs = expect("reasm", write(tmp, "reasm.log", reasm_log(9)), "reasm_dropped", 1,
                  "1 reassembled message size(s) forgotten")
    s = recs[-1].get("log_summary", {}) if recs else {}
    check("reasm: the forgotten one is a message", s.get("messages") == 1, s)
    recs = expect("reasm 8", write(tmp, "reasm8.log", reasm_log(8)), "reasm_dropped", 0, "")
    s = recs[-1].get("log_summary", {}) if recs else {}
    check("reasm 8: no message", s.get("messages") == 0, s)

    # oakley: 70 decoys of each IKE packet under other cookies, an hour before
    hdr, precs = capmangle.read(cap("ikev1_psk_natt_a.pcap"))
    decoys = []
    for ts, orig, data in precs:
        d = capmangle.ipv4(hdr, data)
        if not d or d["proto"] != 17 or 500 not in (d["sport"], d["dport"]) and \
                4500 not in (d["sport"], d["dport"]):
            continue
        ike = d["at"] + (data[d["at"]] & 15) * 4 + 8
        if 4500 in (d["sport"], d["dport"]):
            if data[ike:ike + 4] != b"\0\0\0\0":
                continue  # ESP
            ike += 4
        for n in range(70):
            b = bytearray(data)
            b[ike] ^= 0x80
            b[ike + 1] = n
            decoys.append((ts - 3600 * 10**9 + n * 10**6, orig, bytes(b)))
    check("oakley: decoys built", len(decoys) == 70 * 19, len(decoys))
    pcap = os.path.join(tmp, "oakley_decoys.pcap")
    capmangle.write(pcap, hdr, sorted(decoys, key=lambda r: r[0]) + list(precs))
    odir = cap("oakley/ikev1_psk_natt_a")
    files = [os.path.join(odir, n) for n in ("Oakley.log.bak.sav", "Oakley.log.sav",
                                             "Oakley.log.bak", "Oakley.log")]
    rc, out, err = run(IKEDUMP, "--json", "--log", files[0], "--log", files[1], "--log", files[2],
                       "--log", files[3], pcap)
    recs = [json.loads(l) for l in out.splitlines()] if rc == 0 else []
    s = recs[-1].get("log_summary", {}) if recs else {}
    check("oakley decoys: byte order reversed, all 19 messages matched",
          rc == 0 and s.get("byte_order") == "reversed" and s.get("matched") == 19
          and s.get("unmatched_log") == 0, (rc, err, s))

    # pcapcorrelate --log-a prints the same note and JSON keys
    log = write(tmp, "threads_pc.log", [l for l in open(os.path.join(tmp, "threads.log"))
                                        .read().splitlines()])
    rc, out, err = run(PCAPCORRELATE, "--json", PCAP, cap("ikev2_psk_natt_b.pcap"),
                       "--log-a", log)
    doc = json.loads(out) if rc == 0 else {}
    a = (doc.get("logs") or {}).get("a") or {}
    check("pcapcorrelate: logs.a counts threads_evicted 1, the others 0",
          a.get("threads_evicted") == 1 and all(a.get(k) == 0 for k in BOUNDS[1:]), (rc, a))
    check("pcapcorrelate: stderr names the bound",
          "1 thread state(s) given away unfinished" in err, err)
    rc, out, err = run(PCAPCORRELATE, PCAP, cap("ikev2_psk_natt_b.pcap"), "--log-a", log)
    check("pcapcorrelate: text report line names the bound",
          rc == 0 and "log: bounds reached, details lost: 1 thread state(s)" in out, out[-800:])

finish()
