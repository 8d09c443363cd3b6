#!/usr/bin/env python3
"""A filter that matches nothing: memtop warns as go tool pprof does and the
report goes on (exit status 0).

tests/golden/nomatch.tsv (made by tests/regen-goldens.sh) lists, per case,
a profile, pprof's options, memtop's options and the warnings `go tool pprof
-top` printed on stderr ("Focus expression matched no samples", ...; ";"
between them). Every memtop report that takes the filters (top, tree,
traces, export as folded stacks and as pprof) must print exactly those
warnings, in pprof's order, and exit 0.

Usage: nomatch.py MEMTOP REPO_ROOT
"""
import os
import subprocess
import sys
import tempfile

memtop, root = sys.argv[1:3]
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, TZ="UTC", LC_ALL="C")
fails = 0
cases = 0
with tempfile.TemporaryDirectory() as tmp:
    commands = [["top"], ["tree"], ["traces"], ["export", "--format", "folded"],
                ["export", "--format", "pprof", "-o", os.path.join(tmp, "x.pb.gz")]]
    for line in open(os.path.join(here, "golden", "nomatch.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        prof, popts, mopts, warnings = line.rstrip("\n").split("\t")
        want = [w for w in warnings.split(";") if w]
        for cmd in commands:
            cases += 1
            argv = [memtop] + cmd + mopts.split(" ") + [prof]
            r = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True)
            got = [l.removeprefix("memtop: ") for l in r.stderr.splitlines()]
            if r.returncode != 0 or got != want:
                fails += 1
                print(f"FAIL: {' '.join(argv[1:])}: exit {r.returncode}, stderr {got},"
                      f" pprof {popts}: {want}")
if fails:
    sys.exit(f"{fails} of {cases} reports differ from pprof's warnings")
print(f"ok: {cases} reports warn as go tool pprof does")
