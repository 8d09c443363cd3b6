#!/usr/bin/env python3
"""Go's debug=1 texts against the protobuf profiles the same program wrote at
the same moment (tests/data/go/, see its README): `memtop top --format json
-n 0` on each must give the same per-function flat and cum.

The Go runtime unsamples heap values in its protobuf writer with the same
formula pprof applies to the text, so heap numbers must agree to the byte.
The one known difference: goroutine texts hide the leading runtime.* frames of
each stack (runtime/pprof's printStackRecord), so runtime.* rows and the flat
of the first shown frame differ there; with --hide '^runtime\\.' on both sides
they must agree exactly, and without it every non-runtime cum must agree.

usage: compare_legacy.py MEMTOP REPO_ROOT
"""
import json
import os
import subprocess
import sys

MEMTOP, ROOT = sys.argv[1], sys.argv[2]
D = os.path.join(ROOT, "tests", "data", "go")
failed = 0
checks = 0


def top(path, *args):
    out = subprocess.run([MEMTOP, "top", "--format", "json", "-n", "0", *args, path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"memtop top {path} failed: {out.stderr.strip()}")
    j = json.loads(out.stdout)
    return j, {r["name"]: (r["flat"], r["cum"]) for r in j["rows"]}


def same(kind, args, exact=True):
    global failed, checks
    jt, t = top(os.path.join(D, kind + ".txt"), *args)
    jb, b = top(os.path.join(D, kind + ".pb.gz"), *args)
    what = f"{kind} {' '.join(args)}"
    checks += 1
    bad = []
    if (jt["total"], jt["sample_type"], jt["unit"]) != (jb["total"], jb["sample_type"], jb["unit"]):
        bad.append(f"total/type {jt['total']} {jt['sample_type']} vs {jb['total']} {jb['sample_type']}")
    if not t:
        bad.append("no rows")
    for k in sorted(set(t) | set(b)):
        if t.get(k) == b.get(k):
            continue
        if not exact:
            # only hidden leading runtime frames may differ: runtime rows,
            # and flat (never cum) of the frames shown in their place
            if k.startswith("runtime.") and k not in t:
                continue
            if k in t and k in b and t[k][1] == b[k][1]:
                continue
        bad.append(f"{k}: text {t.get(k)} protobuf {b.get(k)}")
    if bad:
        failed += 1
        print(f"FAIL {what}:\n  " + "\n  ".join(bad[:20]))
    else:
        print(f"ok   {what}: total {jt['total']} {jt['unit']}, {len(t)} rows agree")


for kind in ("heap", "allocs"):
    for i in ("0", "1", "2", "3"):
        for g in ("functions", "lines"):
            same(kind, ("-i", i, "--granularity", g))
same("heap", ())
for kind in ("mutex", "block"):
    same(kind, ())
    same(kind, ("-i", "contentions"))
    same(kind, ("--granularity", "lines"))
same("threadcreate", ())
same("goroutine", ("--hide", r"^runtime\."))
same("goroutine", (), exact=False)
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
