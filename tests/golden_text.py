#!/usr/bin/env python3
"""Runs memtop for one line of tests/golden/texts.tsv and requires its
output to equal pprof's (the golden) byte for byte.

Usage: golden_text.py MEMTOP REPO_ROOT GOLDEN_NAME
"""
import difflib
import os
import subprocess
import sys

memtop, root, name = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
for line in open(os.path.join(here, "golden", "texts.tsv")):
    if line.startswith("#"):
        continue
    g, prof, _, cmd = line.rstrip("\n").split("\t")
    if g == name:
        break
else:
    sys.exit(f"no golden {name}")
args = cmd.split(" ")
r = subprocess.run([memtop] + args + [prof], cwd=root, capture_output=True, text=True,
                   env=dict(os.environ, TZ="UTC", LC_ALL="C"))
want = open(os.path.join(here, "golden", name)).read()
if r.returncode != 0 or r.stdout != want:
    print(r.stderr)
    print("\n".join(list(difflib.unified_diff(want.splitlines(), r.stdout.splitlines(),
                                              "pprof", "memtop", lineterm="", n=1))[:40]))
    sys.exit(f"FAIL: memtop {cmd} differs from pprof")
print(f"ok: memtop {cmd} == pprof ({len(want.splitlines())} lines)")
