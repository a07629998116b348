"""What the Python tests share: the tools and captures make check names in
the environment, a check() that records and prints each result, and the
"N passed, N failed" ending with the exit status automake reads."""
import json
import os
import subprocess
import sys

IKEDUMP = os.environ.get("IKEDUMP", "")
PCAPCORRELATE = os.environ.get("PCAPCORRELATE", "")
CAPS = os.environ.get("IKS_CAPTURES", "captures")
_results = []


def check(name, cond, detail=""):
    """Record one check; print it, with `detail` when it fails."""
    _results.append(bool(cond))
    print("%s: %s%s" % ("ok" if cond else "FAIL", name, "" if cond else " -- " + str(detail)))
    return bool(cond)


def cap(name):
    """Path of a file in captures/."""
    return os.path.join(CAPS, name)


def run(tool, *args):
    """Run a tool: (exit status, stdout, stderr)."""
    p = subprocess.run([tool, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def ikedump_records(*args):
    """ikedump --json ARGS: the frame records, by frame number."""
    rc, out, err = run(IKEDUMP, "--json", *args)
    if rc != 0:
        raise RuntimeError("ikedump %s: exit %d: %s" % (" ".join(args), rc, err))
    recs = (json.loads(l) for l in out.splitlines())
    return {r["frame"]: r for r in recs if "frame" in r}


def correlate_json(*args):
    """pcapcorrelate --json ARGS, checked to exit 0: the report (with empty
    findings, verdicts and stats when it did not)."""
    rc, out, err = run(PCAPCORRELATE, "--json", *args)
    check("pcapcorrelate --json %s exits 0" % " ".join(os.path.basename(a) for a in args),
          rc == 0, err)
    return json.loads(out) if rc == 0 else {"findings": [], "verdicts": [], "stats": {}}


def finish():
    """Print the tally and exit 0 when every check passed."""
    passed = sum(_results)
    print("%d passed, %d failed" % (passed, len(_results) - passed))
    sys.exit(0 if _results and passed == len(_results) else 1)
