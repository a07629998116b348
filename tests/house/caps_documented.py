#!/usr/bin/env python3
"""Every cap is documented (issue 19: "no silent cap").

A cap is a constant of lib/, tools/ or include/ whose name ends in MAX,
_SLOTS, _PENDING, _LOOKBACK or _CAP: a bound on what input may make a
table hold. Each must be named in docs/limits.md, which says what happens
at it and how it is reported, or be listed below as a fixed size that no
input can reach beyond (a key length, a digest length), with the reason.
A new cap without a row fails here, so that whoever adds one also says
what a user sees when it is hit.

  caps_documented.py [--src DIR]      exit 0: all documented; 1: not
"""
import argparse
import os
import re
import sys

NOT_INPUT_CAPS = {
    "AUTH_KEY_MAX": "the longest integrity key of the algorithms supported",
    "ESP_KEY_MAX": "the longest encryption key plus salt of the algorithms supported",
    "CRYPTO_HASH_MAX": "the longest digest of the hashes supported (SHA-512)",
    "KE_MAX": "the largest Diffie-Hellman group supported (modp8192)",
    "OPT_MAX": "a pcapng option's 16-bit length field: what ikescope writes",
    "FRAG_SPARE_DATA_MAX": "buffer kept for reuse after a datagram is finished; not a bound on input",
    "HEX_MAX": "a FortiGate hex dump of one IKE message: at most 65,535 bytes (UDP)",
}
DEFINE = re.compile(r"^\s*#\s*define\s+([A-Z][A-Z0-9_]*(?:MAX|_SLOTS|_PENDING|_LOOKBACK|_CAP))\s+\S",
                    re.M)


def caps(src):
    found = {}
    for top in ("lib", "tools", "include"):
        for root, _, files in os.walk(os.path.join(src, top)):
            for name in files:
                if not name.endswith((".c", ".h", ".h.in")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for m in DEFINE.finditer(f.read()):
                        found.setdefault(m.group(1), os.path.relpath(path, src))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.environ.get("srcdir", os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")))
    src = ap.parse_args().src
    with open(os.path.join(src, "docs", "limits.md"), encoding="utf-8") as f:
        doc = f.read()
    found = caps(src)
    if len(found) < 20:
        print("caps_documented: found only %d caps under %s: wrong --src?" % (len(found), src))
        return 1
    bad = 0
    for name, path in sorted(found.items()):
        if name in NOT_INPUT_CAPS:
            continue
        if not re.search(r"\b%s\b" % re.escape(name), doc):
            print("undocumented cap: %s (%s): add a row to docs/limits.md" % (name, path))
            bad += 1
    print("caps_documented: %d caps, %d undocumented" % (len(found), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
