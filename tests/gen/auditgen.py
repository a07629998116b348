#!/usr/bin/env python3
"""Write Windows IPsec audit event exports (541/542/543/547) for the shared
scenarios, one file per side: what a Windows host at that end would have
logged, as reconstructed in docs/audit-events.md.

    auditgen.py IKEDUMP CAPTURES OUTDIR

Times come from the capture (ikedump --json), SPIs from the lab's
`ip xfrm`/swanctl listing (captures/*_sas.txt, host a's view: "in" is a's
inbound SPI). Host a writes wevtutil-style text with milliseconds on a
clock 7200 s behind its capture (like host a's Oakley.log fixture); host b writes the Event
Viewer CSV export with whole seconds, 3598.4 s ahead. The files are
deterministic: tests/cli/audit_join.py checks the committed copies in
captures/events/ are byte for byte what this writes.
"""
import datetime
import json
import os
import re
import subprocess
import sys

A_SKEW = -7200.0         # event clock minus capture clock, host a (as its Oakley.log fixture)
B_SKEW = 3600 - 1.600    # host b


def packets(ikedump, path):
    out = subprocess.run([ikedump, "--json", path], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith('{"frame"')]


def sas(path):
    """[(name, in, out, local, remote, esp)] from a swanctl --list-sas listing."""
    out, cur = [], None
    for line in open(path):
        m = re.match(r"\s+(\w+): #\d+, reqid \d+, INSTALLED, [\w-]+, ESP:(\S+)", line)
        if m:
            cur = {"name": m.group(1), "esp": m.group(2)}
            out.append(cur)
            continue
        m = re.match(r"\s+(in|out)\s+([0-9a-f]{8}),", line)
        if m and cur:
            cur[m.group(1)] = int(m.group(2), 16)
        m = re.match(r"\s+(local|remote)\s+([0-9.]+)/32", line)
        if m and cur:
            cur[m.group(1)] = m.group(2)
    return out


def ts(rec):
    return float(rec["ts"])


def clock(t, side):
    t += A_SKEW if side == "a" else B_SKEW
    d = datetime.datetime.fromtimestamp(0, datetime.timezone.utc) + datetime.timedelta(seconds=t)
    if side == "a":
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (d.microsecond // 1000)
    h = d.hour % 12 or 12
    return "%d/%d/%d %d:%02d:%02d %s" % (d.month, d.day, d.year, h, d.minute, d.second,
                                         "PM" if d.hour >= 12 else "AM")


def filt(src, dst, ike_local, ike_peer):
    return ["Source IP Address %s" % src, "Source IP Address Mask 255.255.255.255",
            "Destination IP Address %s" % dst, "Destination IP Address Mask 255.255.255.255",
            "Protocol 0", "Source Port 0", "Destination Port 0",
            "IKE Local Addr %s" % ike_local, "IKE Peer Addr %s" % ike_peer]


def spi(v):
    return "%d (0x%08x)" % (v, v)


def esp_names(esp):
    enc = {"AES_CBC-128/HMAC_SHA1_96": ("AES-128", "SHA1"), "NULL/HMAC_SHA1_96": ("None", "SHA1"),
           "AES_GCM_16-128": ("AES-GCM 128", "None")}
    return enc.get(esp, ("Unknown", "Unknown"))


def mm_541(local, peer, ident):
    return ["IKE security association established.", "Mode:", "Key Exchange Mode (Main Mode)",
            "Peer Identity:", ident, "Peer IP Address: %s" % peer,
            "Filter:"] + filt(local, peer, local, peer) + [
            "Parameters:", "Encryption Algorithm AES-128", "Hash Algorithm SHA-256",
            "Authentication Mode Preshared Key", "Diffie-Hellman Group 14",
            "Lifetime (sec) 28800"]


def qm_541(local, peer, sa, mine_in, mine_out, src, dst):
    enc, mac = esp_names(sa.get("esp", ""))
    return ["IKE security association established.", "Mode:", "Data Protection Mode (Quick Mode)",
            "Peer Identity:", "Preshared key ID.", "Peer IP Address: %s" % peer,
            "Filter:"] + filt(src, dst, local, peer) + [
            "Dynamic Filter Key: 0x%08x" % (mine_in & 0xffff),   # an unknown field, kept
            "Parameters:", "ESP Algorithm %s" % enc, "HMAC Algorithm %s" % mac,
            "AH Algorithm None", "Encapsulation Tunnel Mode",
            "InboundSpi %s" % spi(mine_in), "OutBoundSpi %s" % spi(mine_out),
            "Lifetime (sec) 3600", "Lifetime (kb) 250000"]


def qm_542(local, peer, mine_in, mine_out, src, dst):
    return ["IKE security association ended.", "Mode: Data Protection Mode (Quick Mode)",
            "Filter:"] + filt(src, dst, local, peer) + [
            "Inbound SPI %s" % spi(mine_in), "Outbound SPI %s" % spi(mine_out)]


def mm_543(local, peer):
    return ["IKE security association ended.", "Mode: Key Exchange Mode (Main Mode)",
            "Filter:"] + filt(local, peer, local, peer)


def fail_547(local, peer, point, reason, extra):
    return ["IKE security association negotiation failed.", "Mode:",
            "Key Exchange Mode (Main Mode)", "Filter:"] + filt(local, peer, local, peer) + [
            "Peer Identity:", "Certificate based Identity.", "Peer Subject ",
            "Failure Point:", point, "Failure Reason:", reason, "Extra Status:"] + extra


def scenario_events(ikedump, caps, name, side):
    recs = packets(ikedump, os.path.join(caps, "%s_%s.pcap" % (name, side)))
    ike = [r for r in recs if "ike" in r]
    local = ike[0]["src"] if side == "a" else ike[0]["dst"]
    peer = ike[0]["dst"] if side == "a" else ike[0]["src"]
    ev = []
    if name == "ikev2_cert_fragdrop":
        last = max(ts(r) for r in recs)
        if side == "a":
            ev.append((last + 2.0, 547, fail_547(local, peer, "Me", "No response from peer",
                                                   ["Processed third (ID) payload", "Initiator",
                                                    "0x0 0x0"])))
        else:
            ev.append((last + 5.0, 547, fail_547(local, peer, "Peer", "Negotiation timed out",
                                                   ["Processed second (KE) payload", "Responder",
                                                    "0x0 0x0"])))
        return ev
    setup = [r for r in ike if r["ike"]["exchange"] in (2, 35)]
    ev.append((ts(setup[-1]) + 0.003, 541, mm_541(local, peer, "Preshared key ID.")))
    info = [r for r in ike if r["ike"]["exchange"] in (5, 37) and ts(r) > ts(setup[-1]) + 1]
    for sa in sas(os.path.join(caps, "%s_sas.txt" % name)):
        mine_in, mine_out = (sa["in"], sa["out"]) if side == "a" else (sa["out"], sa["in"])
        src, dst = (sa["local"], sa["remote"]) if side == "a" else (sa["remote"], sa["local"])
        esp = [r for r in recs if r.get("esp", {}).get("spi") in ("%08x" % sa["in"], "%08x" % sa["out"])]
        ev.append((ts(esp[0]) - 0.020, 541, qm_541(local, peer, sa, mine_in, mine_out, src, dst)))
        ev.append((ts(info[0]) + 0.001, 542, qm_542(local, peer, mine_in, mine_out, src, dst)))
    ev.append((ts(info[-1]) + 0.002, 543, mm_543(local, peer)))
    if side == "a":
        # a soft SA: outbound SPI 0, algorithms None, traffic to a host with no SA in the capture
        soft = ["IKE security association established.", "Mode:", "Data Protection Mode (Quick Mode)",
                "Peer Identity:", "Preshared key ID.", "Peer IP Address: %s" % peer,
                "Filter:"] + filt(local, "203.0.113.200", local, peer) + [
                "Parameters:", "ESP Algorithm None", "HMAC Algorithm None", "AH Algorithm None",
                "Encapsulation Transport Mode", "InboundSpi %s" % spi(0x00c0ffee),
                "OutBoundSpi 0 (0x0)", "Lifetime (sec) 300", "Lifetime (kb) 100000"]
        ev.append((ts(setup[-1]) + 0.5, 541, soft))
        # not an IPsec event: read and kept, not joined
        ev.append((ts(setup[-1]) + 0.6, 576, ["Special privileges assigned to new logon.",
                                             "User Name: NETWORK SERVICE", "Privileges: SeAuditPrivilege"]))
    ev.sort(key=lambda e: e[0])
    return ev


def write_text(path, events, host):
    with open(path, "w", newline="") as f:
        for i, (t, eid, desc) in enumerate(events):
            f.write("Event[%d]:\r\n" % i)
            for k, v in (("Log Name", "Security"), ("Source", "Security"), ("Date", clock(t, "a")),
                         ("Event ID", str(eid)), ("Task", "Logon/Logoff"), ("Level", "Information"),
                         ("Opcode", "Info"), ("Keyword", "Audit Success" if eid != 547 else "Audit Failure"),
                         ("User", "S-1-5-20"), ("User Name", "NT AUTHORITY\\NETWORK SERVICE"),
                         ("Computer", host)):
                f.write("  %s: %s\r\n" % (k, v))
            f.write("  Description: \r\n")
            for line in desc:
                f.write(line + "\r\n")
            f.write("\r\n")


def write_csv(path, events, host):
    with open(path, "w", newline="") as f:
        f.write("Keywords,Date and Time,Source,Event ID,Task Category,Computer,Description\r\n")
        for t, eid, desc in events:
            text = "\r\n".join(desc).replace('"', '""')
            f.write('%s,%s,Security,%d,Logon/Logoff,%s,"%s"\r\n' % (
                "Audit Success" if eid != 547 else "Audit Failure", clock(t, "b"), eid, host, text))


SCENARIOS = ("ikev2_psk_natt", "ikev1_psk_natt", "ikev2_cert_fragdrop")


def generate(ikedump, caps, outdir):
    os.makedirs(outdir, exist_ok=True)
    written = []
    for name in SCENARIOS:
        for side in ("a", "b"):
            ev = scenario_events(ikedump, caps, name, side)
            if side == "a":
                path = os.path.join(outdir, "%s_events_a.txt" % name)
                write_text(path, ev, "HOST-A")
            else:
                path = os.path.join(outdir, "%s_events_b.csv" % name)
                write_csv(path, ev, "HOST-B")
            written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: auditgen.py IKEDUMP CAPTURES OUTDIR")
    for p in generate(*sys.argv[1:]):
        print(p)
