#!/usr/bin/env python3
"""tcmalloc and jemalloc heap profiles of tests/c/leaker.c (tests/data/c/,
made by tests/c/generate.sh) against the totals google-pprof and jeprof print
for them (the goldens beside them, first line = the command that made them).

tcmalloc's heap profiler records every allocation: totals must agree exactly.
jemalloc's dump is sampled; jeprof unsamples each stack in floating point and
sums, memtop truncates each stack's value to an integer as pprof does, so
memtop's total may be lower by less than one unit per stack.

usage: compare_cheap.py MEMTOP REPO_ROOT
"""
import json
import os
import re
import subprocess
import sys

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


def memtop_total(profile, index):
    out = subprocess.run([MEMTOP, "top", "--format", "json", "-n", "0", "-i", index,
                          os.path.join(D, profile)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"memtop top {profile} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)["total"]


def check(profile, index, golden, slack):
    global failed, checks
    checks += 1
    want, got = golden_total(golden), memtop_total(profile, index)
    ok = want - slack <= got <= want
    print(f"{'ok  ' if ok else 'FAIL'} {profile} -i {index}: memtop {got}, oracle {want}"
          + (f" (slack {slack})" if slack else ""))
    if not ok:
        failed += 1


for t in ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects"):
    check("tcmalloc.heap", t, f"tcmalloc.{t}.txt", 0)
with open(os.path.join(D, "jemalloc.heap")) as f:
    stacks = sum(1 for line in f if line.startswith("@"))
for t in ("inuse_space", "inuse_objects"):
    check("jemalloc.heap", t, f"jemalloc.{t}.txt", stacks)
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
