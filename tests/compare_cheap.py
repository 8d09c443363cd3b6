#!/usr/bin/env python3
"""tcmalloc and jemalloc heap profiles of tests/c/leaker.c and (jemalloc, 256
stacks, all four sample types) tests/c/stacks.c (tests/data/c/, made by
tests/c/generate.sh and generate_stacks.sh) against the totals google-pprof
and jeprof print for them (the goldens beside them, first line = the command
that made them).

tcmalloc's heap profiler records every allocation: totals must agree exactly.
jemalloc's dump is sampled; jeprof unsamples each stack in floating point,
sums, and truncates the sum once: so must memtop, exactly, read from the file
and read back from its store (`import`, then `top @ID`).

usage: compare_cheap.py MEMTOP REPO_ROOT
"""
import json
import os
import re
import subprocess
import sys
import tempfile

MEMTOP, ROOT = sys.argv[1], sys.argv[2]
D = os.path.join(ROOT, "tests", "data", "c")
failed = checks = 0


def golden_total(name):
    with open(os.path.join(D, name)) as f:
        text = f.read()
    m = re.search(r"^Total: (\d+) (B|objects)$", text, re.M)
    if not m:
        raise SystemExit(f"{name}: no Total line")
    return int(m.group(1))


def memtop_total(profile, index, db=None):
    args = ["--db", db, "@" + profile] if db else [os.path.join(D, profile)]
    out = subprocess.run([MEMTOP, "top", "--format", "json", "-n", "0", "-i", index]
                         + args, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"memtop top {profile} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)["total"]


def check(profile, index, golden, db=None, snap=None):
    global failed, checks
    checks += 1
    want = golden_total(golden)
    got = memtop_total(snap, index, db) if db else memtop_total(profile, index)
    ok = got == want
    print(f"{'ok  ' if ok else 'FAIL'} {profile}{f' as @{snap}' if db else ''} -i {index}: "
          f"memtop {got}, oracle {want}")
    if not ok:
        failed += 1


for t in ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects"):
    check("tcmalloc.heap", t, f"tcmalloc.{t}.txt")
JE = {"jemalloc.heap": ("inuse_space", "inuse_objects"),
      "stacks.jemalloc.heap": ("inuse_space", "inuse_objects", "alloc_space",
                               "alloc_objects")}
for prof, types in JE.items():
    for t in types:
        check(prof, t, f"{prof[:-5]}.{t}.txt")
with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "t.db")
    for prof, types in JE.items():
        imp = subprocess.run([MEMTOP, "import", "--db", db, os.path.join(D, prof)],
                             capture_output=True, text=True)
        if imp.returncode != 0:
            raise SystemExit(f"memtop import failed: {imp.stderr.strip()}")
        snap = imp.stdout.split()[0]
        for t in types:
            check(prof, t, f"{prof[:-5]}.{t}.txt", db, snap)
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
