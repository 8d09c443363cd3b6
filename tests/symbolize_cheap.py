#!/usr/bin/env python3
"""Symbolized tcmalloc and jemalloc heap profiles of tests/c/leaker.c
(tests/data/c/) against google-pprof and jeprof: every function the oracle
prints must be in `memtop top --format json -n 0 --binary BIN PROFILE` with
the same flat and cum (the goldens beside the profiles; first line = the
command that made them).

Names: the oracles take names from `nm`, memtop from DWARF first, so a libc
alias such as __GI__IO_file_doallocate is _IO_file_doallocate in memtop, and
memtop shows callers that nm cannot see because they were inlined (flat 0).
libc frames are only compared when libc's debug file (libc6-dbg) is the one
the goldens were made with. jemalloc: jeprof unsamples in floating point per
stack and sums; memtop truncates each stack, so values may be lower by less
than one unit per stack. jeprof names addresses below a library's first
symbol after that symbol (libstdc++'s `std::__throw_ios_failure@@...`): such
rows (a versioned `@@` name) are not compared.

usage: symbolize_cheap.py MEMTOP REPO_ROOT
"""
import json
import os
import re
import subprocess
import sys

MEMTOP, ROOT = sys.argv[1], sys.argv[2]
D = os.path.join(ROOT, "tests", "data", "c")
# libc of the machine that made tests/data/c (Debian 12, libc6 2.36-9+deb12u14).
LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"
LIBC_BUILD_ID = "93ac61ec5a8eb1396f9fbd350e3169a558528a40"
failed = checks = 0


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else ""


LIBC_OK = (os.path.exists(LIBC) and build_id(LIBC) == LIBC_BUILD_ID and os.path.exists(
    f"/usr/lib/debug/.build-id/{LIBC_BUILD_ID[:2]}/{LIBC_BUILD_ID[2:]}.debug"))
LEAKER = {"main", "must", "leak_big", "leak_small", "leak_deep", "leak_mid", "leak_leaf",
          "_start"}


def golden(name):
    rows = {}
    with open(os.path.join(D, name)) as f:
        for line in f:
            m = re.match(r"^\s*(\d+)\s+\S+%\s+\S+%\s+(\d+)\s+\S+%\s+(.+?)\s*$", line)
            if m:
                rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows


def memtop(profile, binary, index):
    out = subprocess.run([MEMTOP, "top", "--format", "json", "-n", "0", "-i", index,
                          "--binary", os.path.join(D, binary), os.path.join(D, profile)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"memtop top {profile} failed: {out.stderr.strip()}")
    return {r["name"]: (r["flat"], r["cum"]) for r in json.loads(out.stdout)["rows"]}, out.stderr


def check(profile, binary, index, gold, slack):
    global failed, checks
    want, (got, err) = golden(gold), memtop(profile, binary, index)
    bad = []
    if err.strip():
        bad.append(f"unexpected stderr: {err.strip()}")
    used = set()
    for name, (flat, cum) in want.items():
        if "@@" in name or (not LIBC_OK and name not in LEAKER):
            continue
        m = name if name in got else name[5:] if name.startswith("__GI_") else None
        if m not in got:
            bad.append(f"{name}: missing in memtop")
            continue
        used.add(m)
        gf, gc = got[m]
        if not (flat - slack <= gf <= flat and cum - slack <= gc <= cum):
            bad.append(f"{name}: memtop flat {gf} cum {gc}, oracle flat {flat} cum {cum}")
    for name, (flat, cum) in got.items():
        if name not in used and flat != 0 and not name.startswith("["):
            bad.append(f"{name}: memtop has flat {flat}, the oracle has no such function")
    checks += 1
    print(f"{'ok  ' if not bad else 'FAIL'} {profile} -i {index} vs {gold}"
          + ("" if LIBC_OK else " (leaker's functions only: no matching libc6-dbg)"))
    for b in bad:
        print("     " + b)
    if bad:
        failed += 1


def check_missing():
    """Without --binary the profile's own path is gone: one warning, exit 0."""
    global failed, checks
    checks += 1
    out = subprocess.run([MEMTOP, "top", "--format", "json", "-n", "0",
                          os.path.join(D, "tcmalloc.heap")], capture_output=True, text=True)
    lines = out.stderr.splitlines()
    names = [r["name"] for r in json.loads(out.stdout)["rows"]] if out.returncode == 0 else []
    ok = (out.returncode == 0 and len(lines) == 1 and lines[0].startswith("memtop: warning: ")
          and "leaker_tc" in lines[0] and "[leaker_tc]" in names and "main" not in names)
    print(f"{'ok  ' if ok else 'FAIL'} missing binary: exit {out.returncode}, stderr {lines}")
    if not ok:
        failed += 1


for t in ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects"):
    check("tcmalloc.heap", "leaker_tc", t, f"tcmalloc.{t}.txt", 0)
with open(os.path.join(D, "jemalloc.heap")) as f:
    stacks = sum(1 for line in f if line.startswith("@"))
for t in ("inuse_space", "inuse_objects"):
    check("jemalloc.heap", "leaker_je", t, f"jemalloc.{t}.txt", stacks)
check_missing()
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
