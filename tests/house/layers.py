#!/usr/bin/env python3
"""The layer check (issue #14): the house rules of HELPERS.md / README,
checked on the sources and on the built objects.

  layers.py [--src DIR] [--build DIR] [--no-objects]

Violations, each printed on its own line:
  include  a file in lib/X includes "Y/..." where Y is not X and not a lib
           folder below X (LIB_ORDER); a tools/X file includes from a tools
           folder other than X and common; a quoted include that names no
           known folder (only "config.h" may stand alone)
  gcrypt   <gcrypt.h> outside lib/crypto
  pcap     <pcap.h> or <pcap/pcap.h> outside lib/capture
  public   a public header (include/ikescope/) with a quoted include: it may
           name only <ikescope/...> and system headers, since it is installed
           without the library's folders (gcrypt and pcap as above)
  circle   object files of one link unit (the library, or one tool) that
           call each other in a circle: a strongly connected component of
           the graph "A.o has an undefined symbol that B.o defines" (nm)

The objects are the built .o files under BUILD/lib and BUILD/tools (the
PIC ones in .libs/ when libtool made both); a link unit is the automake
target prefix of the object's name ("libikescope_core_la-", "tools_ikedump-").
Exit status: 0 no violation, 1 violations, 77 (skip) when no object is
found, 99 when nm fails.
"""
import argparse
import os
import re
import subprocess
import sys

# Bottom to top; folders in one entry are siblings (neither may use the other).
LIB_ORDER = [
    ["core"],
    ["crypto"],
    ["capture", "net"],
    ["ipsec"],
    ["ike"],
    ["log"],
    ["keys"],
    ["decode"],
    ["trace"],
    ["audit"],
    ["correlate"],
]
TOOLS_COMMON = "common"
TOOLS_FOLDERS = ["common", "dump", "correlate"]
GCRYPT_HOME = "lib/crypto"
PCAP_HOME = "lib/capture"

RANK = {f: i for i, level in enumerate(LIB_ORDER) for f in level}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXT = (".c", ".h")


def source_files(src):
    for top in ("lib", "tools", "include"):
        root = os.path.join(src, top)
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(SOURCE_EXT):
                    p = os.path.join(d, f)
                    yield os.path.relpath(p, src).replace(os.sep, "/")


def check_includes(src):
    """Yield one violation text per bad include line."""
    for rel in source_files(src):
        parts = rel.split("/")
        top = parts[0]
        folder = parts[1] if len(parts) > 2 else ""
        with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                kind, name = m.groups()
                where = "%s:%d" % (rel, n)
                if kind == "<":
                    if name == "gcrypt.h" and not rel.startswith(GCRYPT_HOME + "/"):
                        yield "gcrypt: %s: <gcrypt.h> outside %s/" % (where, GCRYPT_HOME)
                    if name in ("pcap.h", "pcap/pcap.h") and not rel.startswith(PCAP_HOME + "/"):
                        yield "pcap: %s: <%s> outside %s/" % (where, name, PCAP_HOME)
                    continue
                if top == "include":
                    yield 'public: %s: "%s": a public header includes only <ikescope/...> and ' \
                        'system headers' % (where, name)
                    continue
                if name == "config.h":
                    continue
                if "/" not in name:
                    yield 'include: %s: "%s" names no folder' % (where, name)
                    continue
                to = name.split("/")[0]
                if top == "lib":
                    if folder not in RANK:
                        yield "include: %s: lib/%s is not in LIB_ORDER" % (where, folder)
                    elif to not in RANK:
                        yield 'include: %s: "%s": %s is not a lib folder' % (where, name, to)
                    elif to != folder and RANK[to] >= RANK[folder]:
                        how = "a sibling of" if RANK[to] == RANK[folder] else "above"
                        yield 'include: %s: "%s": lib/%s is %s lib/%s' % (where, name, to, how,
                                                                          folder)
                else:
                    if to not in TOOLS_FOLDERS:
                        yield 'include: %s: "%s": %s is not a tools folder' % (where, name, to)
                    elif to != folder and to != TOOLS_COMMON:
                        yield 'include: %s: "%s": tools/%s is a sibling of tools/%s' % (
                            where, name, to, folder)


def object_files(build):
    """The built objects of lib/ and tools/, one per source (the .libs/ copy
    when libtool built a PIC and a non-PIC one)."""
    objs = {}
    for top in ("lib", "tools"):
        for d, dirs, files in os.walk(os.path.join(build, top)):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith(".o"):
                    continue
                p = os.path.join(d, f)
                base = os.path.dirname(p)
                if os.path.basename(base) == ".libs":
                    base = os.path.dirname(base)
                key = os.path.join(base, f)
                if key not in objs or "/.libs/" in p:
                    objs[key] = p
    return sorted(objs.items())


DEFINED = set("TDBRVWGSiu")


def symbols(path):
    """(defined, undefined) external symbols of one object."""
    out = subprocess.run(["nm", "-P", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError("nm %s: %s" % (path, out.stderr.strip()))
    defined, undefined = set(), set()
    for line in out.stdout.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        name, t = f[0], f[1]
        if t == "U":
            undefined.add(name)
        elif t in DEFINED:  # upper case: global; i, u: GNU indirect / unique
            defined.add(name)
    return defined, undefined


def sccs(nodes, edges):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            pushed = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    pushed = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if pushed:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def unit_of(name):
    """Link unit and short name of an object: "libikescope_core_la-ike_msg.o"
    -> ("libikescope_core_la", "ike_msg.o")."""
    if "-" in name:
        u, short = name.split("-", 1)
        return u, short
    return "", name


def check_circles(build):
    """Yield one violation per circle (strongly connected component of two
    or more objects in one link unit)."""
    objs = object_files(build)
    units = {}
    for key, path in objs:
        rel = os.path.relpath(key, build).replace(os.sep, "/")
        u, _ = unit_of(os.path.basename(rel))
        units.setdefault(u, []).append((rel, path))
    for u in sorted(units):
        defs, undefs = {}, {}
        owner = {}
        for rel, path in units[u]:
            d, und = symbols(path)
            defs[rel], undefs[rel] = d, und
            for s in d:
                owner.setdefault(s, rel)
        edges = {}
        for rel in defs:
            for s in undefs[rel]:
                o = owner.get(s)
                if o and o != rel:
                    edges.setdefault(rel, set()).add(o)
        for comp in sccs(sorted(defs), edges):
            if len(comp) < 2:
                continue
            calls = []
            for a in comp:
                for b in comp:
                    if b in edges.get(a, ()):
                        via = sorted(s for s in undefs[a] if owner.get(s) == b)
                        calls.append("%s -> %s (%s)" % (unit_of(os.path.basename(a))[1],
                                                        unit_of(os.path.basename(b))[1],
                                                        ", ".join(via[:4]) +
                                                        (", ..." if len(via) > 4 else "")))
            yield "circle: %s: %d objects: %s" % (u or "(no unit)", len(comp), "; ".join(calls))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(here)),
                    help="source tree (default: ../..)")
    ap.add_argument("--build", default=".", help="build tree with the objects (default: .)")
    ap.add_argument("--no-objects", action="store_true", help="skip the nm circle check")
    ap.add_argument("--strict", action="store_true",
                    help="accepted for old callers; the check has no allow-list any more")
    a = ap.parse_args()
    bad = list(check_includes(a.src))
    nobj = 0
    if not a.no_objects:
        nobj = len(object_files(a.build))
        if nobj == 0:
            for v in bad:
                print(v)
            print("layers: no object files under %s/lib or %s/tools (build first)" % (a.build,
                                                                                   a.build))
            return 77
        try:
            bad += list(check_circles(a.build))
        except (OSError, RuntimeError) as e:
            print("layers: %s" % e)
            return 99
    for v in bad:
        print(v)
    counts = {}
    for v in bad:
        counts[v.split(":")[0]] = counts.get(v.split(":")[0], 0) + 1
    print("layers: %d violations (include %d, public %d, gcrypt %d, pcap %d, circle %d); "
          "%d objects" % (len(bad), counts.get("include", 0), counts.get("public", 0),
                          counts.get("gcrypt", 0), counts.get("pcap", 0), counts.get("circle", 0),
                          nobj))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
