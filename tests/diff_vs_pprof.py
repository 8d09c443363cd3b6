#!/usr/bin/env python3
"""memtop diff against go tool pprof: per function, new - base of flat and of
cum must equal what `go tool pprof -top -base BASE NEW` prints (golden
heap.base.top), and the two totals must equal pprof's totals of each profile
alone (goldens heap.3.top and heap2.3.top).

Usage: diff_vs_pprof.py MEMTOP REPO_ROOT
"""
import json
import os
import re
import subprocess
import sys

memtop, root = sys.argv[1], sys.argv[2]
gold = os.path.join(root, "tests", "golden")
ROW = re.compile(r"^\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(.*?)( \((partial-)?inline\))?$")
TOTAL = re.compile(r"of (-?\d+)B? total")


def golden(name):
    rows, total = {}, None
    with open(os.path.join(gold, name)) as f:
        for line in f:
            m = TOTAL.search(line)
            if m and line.startswith("Showing"):
                total = int(m.group(1))
            m = ROW.match(line)
            if m and not line.lstrip().startswith("flat"):
                rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows, total


out = subprocess.run([memtop, "diff", "--format", "json", "-n", "0",
                      "tests/data/go/heap.pb.gz", "tests/data/go/heap2.pb.gz"],
                     cwd=root, capture_output=True, text=True, check=True).stdout
d = json.loads(out)
fails = []
want, _ = golden("heap.base.top")
got = {}
for r in d["rows"]:
    df, dc = r["new_flat"] - r["base_flat"], r["new_cum"] - r["base_cum"]
    if df or dc:
        got[r["name"]] = (df, dc)
for name in sorted(set(want) | set(got)):
    if want.get(name) != got.get(name):
        fails.append(f"{name}: pprof -base {want.get(name)}, memtop diff {got.get(name)}")
_, base_total = golden("heap.3.top")
_, new_total = golden("heap2.3.top")
if d["base_total"] != base_total or d["new_total"] != new_total:
    fails.append(f"totals {d['base_total']}/{d['new_total']}, pprof {base_total}/{new_total}")
if d["sample_type"] != "inuse_space":
    fails.append("sample type " + d["sample_type"])
print("\n".join(fails) or f"ok: {len(want)} functions agree with pprof -base")
sys.exit(1 if fails else 0)
