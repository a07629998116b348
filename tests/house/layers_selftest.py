#!/usr/bin/env python3
"""The check of the layer check: tests/layers.py must fail on a deliberately
wrong copy of the tree, once for each rule, and pass on an untouched copy.

Each case copies lib/ and tools/ (sources only) to a temporary tree,
injects one fault and runs layers.py --no-objects on it; the circle cases
compile two tiny C files into objects named as automake names them and run
layers.py on that build tree. Every case must exit 1 and print the
violation it was built to show; the clean copy must exit 0.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
LAYERS = os.path.join(HERE, "layers.py")
CC = os.environ.get("CC", "cc").split()
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " -- " + str(detail)))


def copy_tree(dst):
    for top in ("lib", "tools", "include"):
        for d, dirs, files in os.walk(os.path.join(SRC, top)):
            rel = os.path.relpath(d, SRC)
            for f in files:
                if f.endswith((".c", ".h")):
                    os.makedirs(os.path.join(dst, rel), exist_ok=True)
                    shutil.copy(os.path.join(d, f), os.path.join(dst, rel, f))


def layers(*args):
    p = subprocess.run([sys.executable, LAYERS, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def inject(root, rel, line):
    """Add an include line after the first line of an existing file."""
    path = os.path.join(root, rel)
    with open(path) as f:
        text = f.read()
    first, rest = text.split("\n", 1)
    with open(path, "w") as f:
        f.write(first + "\n" + line + "\n" + rest)


def first_file(root, folder):
    d = os.path.join(root, folder)
    ext = ".h" if folder.startswith("include") else ".c"
    return os.path.join(folder, sorted(f for f in os.listdir(d) if f.endswith(ext))[0])


tmp = tempfile.mkdtemp(prefix="layers_selftest.")
try:
    clean = os.path.join(tmp, "clean")
    copy_tree(clean)
    rc, out = layers("--src", clean, "--no-objects")
    check("an untouched copy passes the include rules", rc == 0, out)

    cases = [
        # (name, file's folder, include line, text the report must contain)
        ("upward include lib/core -> lib/correlate", "lib/core",
         '#include "correlate/correlate_internal.h"', 'lib/correlate is above lib/core'),
        ("upward include lib/net -> lib/decode", "lib/net",
         '#include "decode/decoder_crypto.h"', 'lib/decode is above lib/net'),
        ("sibling include lib/capture -> lib/net", "lib/capture",
         '#include "net/ip.h"', 'lib/net is a sibling of lib/capture'),
        ("tools sibling include dump -> correlate", "tools/dump",
         '#include "correlate/corr_report.h"', 'tools/correlate is a sibling of tools/dump'),
        ("include without a folder", "lib/ike", '#include "ike.h"', '"ike.h" names no folder'),
        ("<gcrypt.h> outside lib/crypto", "lib/net", "#include <gcrypt.h>",
         "<gcrypt.h> outside lib/crypto/"),
        ("<pcap.h> outside lib/capture", "tools/dump", "#include <pcap.h>",
         "<pcap.h> outside lib/capture/"),
        ("<pcap/pcap.h> outside lib/capture", "lib/decode", "#include <pcap/pcap.h>",
         "<pcap/pcap.h> outside lib/capture/"),
        ("a public header with a quoted include", "include/ikescope",
         '#include "core/reader.h"', 'a public header includes only <ikescope/...>'),
        ("<gcrypt.h> in a public header", "include/ikescope", "#include <gcrypt.h>",
         "<gcrypt.h> outside lib/crypto/"),
    ]
    for i, (name, folder, line, want) in enumerate(cases):
        root = os.path.join(tmp, "case%d" % i)
        copy_tree(root)
        rel = first_file(root, folder)
        inject(root, rel, line)
        rc, out = layers("--src", root, "--no-objects")
        check("%s (%s) fails the check" % (name, rel), rc == 1 and want in out and rel in out,
              out)

    # Circles: a.o and b.o call each other (a circle); c.o calls a.o only (none).
    build = os.path.join(tmp, "build")
    objdir = os.path.join(build, "lib", "core")
    os.makedirs(objdir)
    srcs = {
        "a": "int fb(int);\nint fa(int x) { return x ? fb(x - 1) : 0; }\n",
        "b": "int fa(int);\nint fb(int x) { return x ? fa(x - 1) : 1; }\n",
        "c": "int fa(int);\nint fc(int x) { return fa(x); }\n",
    }
    compiled = True
    for n, text in srcs.items():
        c = os.path.join(tmp, n + ".c")
        with open(c, "w") as f:
            f.write(text)
        p = subprocess.run(CC + ["-c", c, "-o", os.path.join(objdir, "libx_la-%s.o" % n)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        compiled = compiled and p.returncode == 0
    check("the circle fixtures compile", compiled)
    rc, out = layers("--src", clean, "--build", build)
    check("a.o <-> b.o is reported as a circle", rc == 1 and "circle: libx_la: 2 objects" in out
          and "a.o -> b.o (fb)" in out and "b.o -> a.o (fa)" in out, out)
    check("c.o (calls into the circle, not called back) is not in it",
          "c.o ->" not in out, out)
    os.remove(os.path.join(objdir, "libx_la-b.o"))
    rc, out = layers("--src", clean, "--build", build)
    check("without b.o there is no circle", rc == 0 and "circle:" not in out, out)
    # the same two objects in two link units are not a circle of either
    subprocess.run(CC + ["-c", os.path.join(tmp, "b.c"), "-o",
                         os.path.join(objdir, "liby_la-b.o")], check=True)
    rc, out = layers("--src", clean, "--build", build)
    check("objects of different link units do not form a circle", rc == 0, out)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

failed = results.count(False)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed or not results else 0)
