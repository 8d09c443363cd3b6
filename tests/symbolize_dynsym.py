#!/usr/bin/env python3
"""ELF symbols against binutils, for libraries without .symtab (only the
exported functions of .dynsym) and a binary with one.

For addresses spread over each file's .text, the symbol memtop names the
address after (`symbolize_tool --sym`, elfsym.c with no DWARF) must be the
one `addr2line -f` names it after (the same address: aliases may differ),
whether or not the address lies past that symbol's size in a .dynsym-only
library (with a full .symtab memtop leaves an address past a function's size
unnamed, where addr2line still names it); its version (name@@V, name@V) must be one `nm -D` prints at that
address; and memtop must agree with nm on whether _fini is listed (the
switch of google-pprof's and jeprof's inlined frames). Files: libstdc++,
libjemalloc and libtcmalloc where installed, without debug files (so
addr2line reads their symbols too), and tests/data/c/leaker_je.

usage: symbolize_dynsym.py SYMBOLIZE_TOOL REPO_ROOT
"""
import os
import re
import shutil
import subprocess
import sys

TOOL, ROOT = sys.argv[1], sys.argv[2]
for tool in ("addr2line", "nm", "readelf"):
    if not shutil.which(tool):
        print(f"SKIP: no {tool}")
        sys.exit(77)
LIBDIR = "/usr/lib/x86_64-linux-gnu"
FILES = [os.path.join(LIBDIR, f) for f in ("libstdc++.so.6", "libjemalloc.so.2",
                                           "libtcmalloc.so.4")]
FILES = [f for f in FILES if os.path.exists(f)]
FILES.append(os.path.join(ROOT, "tests", "data", "c", "leaker_je"))
failed = checks = 0


def run(args):
    return subprocess.run(args, capture_output=True, text=True).stdout


def has_symtab(path):
    return re.search(r"\]\s+\.symtab\s", run(["readelf", "-S", "-W", path])) is not None


def text_range(path):
    """The .text section: addr2line looks for a symbol in the address's own
    section, memtop in the whole file, so .init and .plt are left out."""
    for line in run(["readelf", "-S", "-W", path]).splitlines():
        m = re.search(r"\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            return int(m.group(1), 16), int(m.group(1), 16) + int(m.group(2), 16)
    raise SystemExit(f"{path}: no .text section")


def debug_file(path):
    m = re.search(r"Build ID: ([0-9a-f]+)", run(["readelf", "-n", path]))
    return m and os.path.exists(f"/usr/lib/debug/.build-id/{m.group(1)[:2]}/"
                                f"{m.group(1)[2:]}.debug")


for path in FILES:
    if debug_file(path):
        print(f"skip {path}: it has a debug file, addr2line would read DWARF")
        continue
    symtab = has_symtab(path)
    nm = run(["nm", "--defined-only"] + ([] if symtab else ["-D"]) + [path])
    at = {}      # address -> names as nm prints them (name@@V, name@V, name)
    where = {}   # name without version -> addresses
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 3:
            a = int(f[0], 16)
            at.setdefault(a, set()).add(f[2])
            where.setdefault(re.split(r"@", f[2])[0], set()).add(a)
    fini_nm = "_fini" in where
    lo, hi = text_range(path)
    step = max((hi - lo) // 400, 1)
    addrs = [lo + i * step + (i * 7919) % step for i in range(400) if lo + i * step < hi]
    hexes = [f"{a:x}" for a in addrs]
    mine = run([TOOL, "--sym", path] + hexes).splitlines()
    a2l = run(["addr2line", "-f", "-e", path] + hexes).splitlines()
    bad = []
    checks += 1
    if mine[0] != f"fini {'yes' if fini_nm else 'no'}":
        bad.append(f"memtop says {mine[0]!r}, nm {'lists' if fini_nm else 'has no'} _fini")
    compared = 0
    for i, a in enumerate(addrs):
        func, loc = a2l[2 * i], a2l[2 * i + 1]
        _, sa, name, ver = mine[1 + i].split("\t")
        if not loc.startswith("??"):
            continue  # a line from DWARF: not a symbol lookup
        if func == "??":
            if sa != "-":
                bad.append(f"{a:#x}: addr2line has no symbol, memtop {name} at {sa}")
            continue
        if symtab and sa == "-":
            continue  # past a sized symbol of a full .symtab: left unnamed
        compared += 1
        if sa == "-" or int(sa, 16) not in where.get(func, ()):
            bad.append(f"{a:#x}: addr2line {func}, memtop {name} at {sa}")
            continue
        shown = name + ("" if ver == "-" else ver)
        if shown not in at.get(int(sa, 16), ()):
            bad.append(f"{a:#x}: memtop {shown}, nm at {sa}: {sorted(at.get(int(sa, 16)))}")
    ok = not bad and compared > (20 if symtab else 200)
    print(f"{'ok  ' if ok else 'FAIL'} {path} ({'.symtab' if symtab else '.dynsym only'}):"
          f" {compared} of {len(addrs)} addresses named as addr2line does, fini "
          f"{'yes' if fini_nm else 'no'}")
    for b in bad[:10]:
        print("     " + b)
    if not ok:
        failed += 1
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
