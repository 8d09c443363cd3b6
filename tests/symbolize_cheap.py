#!/usr/bin/env python3
"""Symbolized tcmalloc and jemalloc heap profiles of tests/c/leaker.c and
tests/c/stacks.c (tests/data/c/) against google-pprof and jeprof: `memtop top --format json
-n 0 --binary BIN PROFILE` must show the functions the oracle prints, no
other, each with the same flat and cum, and `memtop peek` the weights of the
call edges `jeprof --dot` draws (the goldens beside the profiles; first line
= the command that made them).

Names follow the oracles (src/symbol/symbolize.c, cheap_frames): addr2line's
names (DWARF), a library without .symtab gets only the innermost of inlined
frames (they run addr2line -i only where nm lists _fini), and nm's versioned
.dynsym name where it starts with the frame's name; an address past the last
exported function before it is named after that one (libstdc++'s
`std::__throw_ios_failure@@GLIBCXX_3.4.26`). libc frames are only compared
when libc's debug file (libc6-dbg) is the one the goldens were made with,
libstdc++'s (the `@@` row) when its build is. jemalloc: jeprof unsamples in
floating point per stack, sums, and truncates each sum once; so does memtop.

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
# libstdc++ of that machine (libstdc++6 12.2.0-14+deb12u1).
LIBSTDCXX = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"
LIBSTDCXX_OK = (os.path.exists(LIBSTDCXX) and
                build_id(LIBSTDCXX) == "289ee39f8c07bd4fa48102dfeeb7e6f9c76158b4")
LEAKER = {"main", "must", "leak_big", "leak_small", "leak_deep", "leak_mid", "leak_leaf",
          "_start"}
# tests/c/stacks.c
LEAKER |= {"leaf", "last"} | {f"{w}{k}" for w in ("step", "even", "odd") for k in range(8)}


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


def check(profile, binary, index, gold):
    global failed, checks
    want, (got, err) = golden(gold), memtop(profile, binary, index)
    bad = []
    if err.strip():
        bad.append(f"unexpected stderr: {err.strip()}")
    def comparable(name):
        if name in LEAKER or name.startswith("["):
            return True
        return LIBSTDCXX_OK if "@@" in name else LIBC_OK
    for name, (flat, cum) in want.items():
        if not comparable(name):
            continue
        if name not in got:
            bad.append(f"{name}: missing in memtop")
            continue
        gf, gc = got[name]
        if (gf, gc) != (flat, cum):
            bad.append(f"{name}: memtop flat {gf} cum {gc}, oracle flat {flat} cum {cum}")
    for name, (flat, cum) in got.items():
        if name not in want and comparable(name):
            bad.append(f"{name}: memtop has flat {flat} cum {cum}, the oracle has no such row")
    checks += 1
    print(f"{'ok  ' if not bad else 'FAIL'} {profile} -i {index} vs {gold}"
          + ("" if LIBC_OK else " (leaker's functions only: no matching libc6-dbg)"))
    for b in bad:
        print("     " + b)
    if bad:
        failed += 1


def check_edges(profile, binary, index, dot):
    """Every call edge jeprof --dot draws between the program's functions
    has the weight memtop's peek gives it, seen from either end."""
    global failed, checks
    nodes, want = {}, {}
    with open(os.path.join(D, dot)) as f:
        for line in f:
            m = re.match(r'^N(\d+) \[label="(.*?)\\n', line)
            if m:
                nodes[m.group(1)] = m.group(2)
            m = re.match(r"^N(\d+) -> N(\d+) \[label=(-?\d+),", line)
            if m and nodes[m.group(1)] in LEAKER and nodes[m.group(2)] in LEAKER:
                want[(nodes[m.group(1)], nodes[m.group(2)])] = int(m.group(3))
    names = sorted({n for e in want for n in e})
    out = subprocess.run([MEMTOP, "peek", "--unit", "B", "-i", index, "--binary",
                          os.path.join(D, binary), "^(" + "|".join(names) + ")$",
                          os.path.join(D, profile)], capture_output=True, text=True)
    got, block, node = {}, [], None
    for line in out.stdout.splitlines() + ["-" * 10]:
        if line.startswith("-----"):
            for pos, (w, other) in block:
                edge = (other, node) if pos < 0 else (node, other)
                if edge[0] in LEAKER and edge[1] in LEAKER:
                    got.setdefault(edge, set()).add(w)
            block, node, seen_node = [], None, False
            continue
        m = re.match(r"^\s+(\d+)B?\s+\S+%\s+\|\s{3}(\S.*)$", line)
        if m:
            block.append((1 if node else -1, (int(m.group(1)), m.group(2))))
            continue
        m = re.match(r"^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+\|\s(\S.*)$", line)
        if m:
            node = m.group(1)
    bad = [f"{a} -> {b}: jeprof {w}, memtop {sorted(got.get((a, b), []))}"
           for (a, b), w in sorted(want.items()) if got.get((a, b)) != {w}]
    bad += [f"{a} -> {b}: memtop {sorted(w)}, no such edge in jeprof"
            for (a, b), w in sorted(got.items()) if (a, b) not in want]
    checks += 1
    print(f"{'ok  ' if not bad and want else 'FAIL'} {profile} -i {index}: "
          f"{len(want)} edges of {dot} in memtop peek")
    for b in bad[:10]:
        print("     " + b)
    if bad or not want:
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
    check("tcmalloc.heap", "leaker_tc", t, f"tcmalloc.{t}.txt")
for t in ("inuse_space", "inuse_objects"):
    check("jemalloc.heap", "leaker_je", t, f"jemalloc.{t}.txt")
for t in ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects"):
    check("stacks.jemalloc.heap", "stacks_je", t, f"stacks.jemalloc.{t}.txt")
for t in ("inuse_space", "inuse_objects"):
    check_edges("stacks.jemalloc.heap", "stacks_je", t, f"stacks.jemalloc.{t}.dot")
check_missing()
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
