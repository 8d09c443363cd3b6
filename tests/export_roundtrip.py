#!/usr/bin/env python3
"""memtop export --format pprof of a filtered view, read back by go tool pprof.

For each case (a profile, memtop's filter options, pprof's spelling of
them, a granularity), with go tool pprof as the oracle:

1. `go tool pprof -top -G` on memtop's export must show the rows (name,
   flat, cum, (inline) marks) that `go tool pprof -top -G FILTERS` shows on
   the original. Only the total differs: the export holds the filtered
   samples, as pprof's own -proto output does.
2. pprof's own export, `go tool pprof -proto FILTERS` of the original, must
   read back exactly as memtop's: `go tool pprof -top -G` and `-traces -G`
   (which shows every sample with its labels) print the same bytes for both.

G is each granularity (-functions, -filefunctions, -files, -lines,
-addresses), given to memtop's export as --granularity too: like pprof's
-proto, the export keeps every location whatever the granularity, so it
reads back at each of them.

Usage: export_roundtrip.py MEMTOP REPO_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

memtop, root = sys.argv[1:3]
env = dict(os.environ, TZ="UTC", LC_ALL="C", PPROF_BINARY_PATH="/nonexistent")
env.setdefault("GOCACHE", os.path.join(tempfile.gettempdir(), "memtop-gocache"))
heap, heap2 = "tests/data/go/heap.pb.gz", "tests/data/go/heap2.pb.gz"
cpu, gor = "tests/data/go/cpu.pb.gz", "tests/data/go/goroutine.pb.gz"
sample = "../shared/fixtures/pprof-testdata/sample.cpu"
GRANS = ["functions", "filefunctions", "files", "lines", "addresses"]
# profile, unit, memtop options, pprof options, granularities
CASES = [
    (heap, "B", "--focus leakyCache", "-focus=leakyCache", GRANS),
    (heap, "B", "--ignore buildTree --hide runtime", "-ignore=buildTree -hide=runtime", GRANS),
    (heap, "B", "--show ^main", "-show=^main", ["functions", "lines"]),
    (heap, "B", "--hide newBuf", "-hide=newBuf", ["functions", "lines", "files"]),
    (heap, "B", "--tagfocus bytes=1kb: --taghide bytes", "-tagfocus=bytes=1kb: -taghide=bytes",
     ["functions", "lines"]),
    (heap, "B", "--focus zzz", "-focus=zzz", ["functions"]),
    (cpu, "ns", "--tagfocus worker=spin --focus main", "-tagfocus=worker=spin -focus=main",
     ["functions", "lines", "addresses"]),
    (cpu, "ns", "--tagignore worker=spin --tagshow zzz", "-tagignore=worker=spin -tagshow=zzz",
     ["files"]),
    (gor, "B", "--tagroot role --focus main", "-tagroot=role -focus=main", ["functions", "lines"]),
    (heap2, "B", f"--base {heap} --focus main", f"-base={heap} -focus=main", ["lines", "files"]),
    (heap2, "B", f"--diff-base {heap} --hide fmt", f"-diff_base={heap} -hide=fmt",
     ["functions", "files"]),
    (sample, "ns", "--focus main --ignore runtime", "-focus=main -ignore=runtime",
     ["functions", "lines", "addresses"]),
    (heap, "B", "", "", ["files", "lines"]),
]


def run(cmd):
    r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def rows(text):
    """(name with its inline mark, flat, cum) of every row of -top."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^\s*(-?\d+)(?:B|ns)?\s+\S+%\s+\S+%\s+(-?\d+)(?:B|ns)?\s+\S+%\s+(.*)$", line)
        if m:
            out.append((m.group(3), int(m.group(1)), int(m.group(2))))
    return out


def pprof(opts, path):
    return run(["go", "tool", "pprof"] + opts + [path])


fails, checks = [], 0
with tempfile.TemporaryDirectory() as tmp:
    for n, (prof, unit, mopts, popts, grans) in enumerate(CASES):
        popt = popts.split() if popts else []
        theirs = os.path.join(tmp, f"pprof{n}.pb.gz")
        with open(theirs, "wb") as f:
            r = subprocess.run(["go", "tool", "pprof", "-proto"] + popt + [prof], cwd=root,
                               env=env, stdout=f, stderr=subprocess.PIPE)
            if r.returncode:
                sys.exit(f"FAIL: go tool pprof -proto {popts}: {r.stderr.decode()}")
        for g in grans:
            ours = os.path.join(tmp, f"memtop{n}-{g}.pb.gz")
            run([memtop, "export", "--format", "pprof", "-o", ours, "--granularity", g]
                + (mopts.split() if mopts else []) + [prof])
            top = ["-top", "-nodefraction=0", f"-unit={unit}", f"-{g}"]
            what = f"export --granularity {g} {mopts} {prof}"
            checks += 1
            got, want = rows(pprof(top, ours)), rows(pprof(top + popt, prof))
            if got != want:
                fails.append(f"{what}: pprof {' '.join(top)} rows {got[:4]}... != "
                             f"with {popts} on the original: {want[:4]}...")
            for rep in (top, ["-traces", f"-unit={unit}", f"-{g}"]):
                checks += 1
                if pprof(rep, ours) != pprof(rep, theirs):
                    fails.append(f"{what}: pprof {' '.join(rep)} differs from pprof's own -proto {popts}")
for f in fails:
    print(f)
if fails:
    sys.exit(f"FAIL: {len(fails)} of {checks} checks")
print(f"ok: {checks} checks of memtop's pprof exports against go tool pprof")
