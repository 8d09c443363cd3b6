#!/usr/bin/env python3
"""memtop export checked by its consumers: go tool pprof must read memtop's
pprof export of a profile, of a -base diff and of a focused view and print
what it prints for the originals (goldens); the SVG must be well-formed XML
with the numbers of the profile; the folded output must be readable by the
folded-stack convention (name;name;... value) and sum to the total.

Usage: export_vs_pprof.py MEMTOP REPO_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

memtop, root = sys.argv[1], sys.argv[2]
gold = os.path.join(root, "tests", "golden")
env = dict(os.environ, TZ="UTC", PPROF_BINARY_PATH="/nonexistent")
env.setdefault("GOCACHE", "/tmp/memtop-gocache")
fails = []
tmp = tempfile.mkdtemp()


def run(cmd):
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)


def pprof_top(path):
    r = run(["go", "tool", "pprof", "-top", "-nodefraction=0", "-unit=B", path])
    if r.returncode:
        fails.append(f"go tool pprof failed on {path}: {r.stderr.strip()}")
    return r.stdout


def rows(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(.*?)( \((partial-)?inline\))?$", line)
        if m:
            out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out


def export(args, name):
    out = os.path.join(tmp, name)
    r = run([memtop, "export", "-o", out] + args)
    if r.returncode:
        fails.append(f"memtop export {args}: {r.stderr.strip()}")
    return out


# 1. The whole profile: pprof's report of the export is its report of the file.
got = pprof_top(export(["tests/data/go/heap.pb.gz"], "heap.pb.gz"))
if got != open(os.path.join(gold, "heap.3.top")).read():
    fails.append("pprof -top of the exported heap differs from heap.3.top")
# 2. A -base diff.
got = pprof_top(export(["--base", "tests/data/go/heap.pb.gz", "tests/data/go/heap2.pb.gz"],
                       "base.pb.gz"))
if got != open(os.path.join(gold, "heap.base.top")).read():
    fails.append("pprof -top of the exported -base diff differs from heap.base.top")
# 3. A focused view: the same rows as pprof -focus (its total is the view's).
got = rows(pprof_top(export(["--focus", "leakyCache", "tests/data/go/heap.pb.gz"],
                            "focus.pb.gz")))
want = rows(open(os.path.join(gold, "heap.focus.top")).read())
if got != want:
    fails.append(f"focused export: pprof rows {got} != golden {want}")
# 4. SVG: well-formed, with main.newBuf's inuse bytes from the golden.
svg = export(["tests/data/go/heap.pb.gz"], "heap.svg")
try:
    tree = ET.parse(svg)
    titles = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}title")]
    want_bytes = rows(open(os.path.join(gold, "heap.3.top")).read())["main.newBuf"][1]
    if not any(t.startswith(f"main.newBuf ({want_bytes} bytes") for t in titles):
        fails.append("SVG lacks main.newBuf with its cum bytes")
except ET.ParseError as e:
    fails.append(f"SVG is not well-formed: {e}")
# 5. Folded: every line "a;b;c N", summing to pprof's total.
r = run([memtop, "export", "--format", "folded", "tests/data/go/heap.pb.gz"])
total = 0
for line in r.stdout.splitlines():
    m = re.match(r"^(\S.*) (-?\d+)$", line)
    if not m:
        fails.append(f"bad folded line {line!r}")
        break
    total += int(m.group(2))
want_total = int(re.search(r"of (\d+)B total", open(os.path.join(gold, "heap.3.top")).read()).group(1))
if total != want_total:
    fails.append(f"folded values sum to {total}, pprof's total is {want_total}")

print("\n".join(fails) or "ok: pprof reads memtop's exports with its own numbers")
sys.exit(1 if fails else 0)
