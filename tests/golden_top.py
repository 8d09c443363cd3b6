#!/usr/bin/env python3
"""Runs memtop on one line of tests/golden/goldens.tsv and checks it against
the go tool pprof golden two ways: the JSON numbers (compare_top.py) and the
text report, which must equal pprof's output line for line.

Usage: golden_top.py MEMTOP REPO_ROOT GOLDEN_NAME
"""
import os
import subprocess
import sys

memtop, root, name = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
rows = {}
with open(os.path.join(here, "golden", "goldens.tsv")) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        g, prof, opts = line.rstrip("\n").split("\t")
        rows[g] = (prof, opts.split())
prof, popts = rows[name]
args, text_args = [], []
for o in popts:
    key, _, val = o.lstrip("-").partition("=")
    if key == "sample_index":
        args += ["-i", val]
    elif key == "unit":
        text_args += ["--unit", val]
    elif key in ("lines", "files", "functions", "filefunctions", "addresses"):
        args += ["--granularity", key]
    elif key in ("focus", "ignore", "hide", "show", "base", "diff_base"):
        args += ["--" + key.replace("_", "-"), val]
    elif key == "cum":
        args += ["--cum"]
    elif key == "mean":
        args += ["--mean"]
    elif key == "symbolize" and val == "none":
        # goldens of profiles whose binaries exist nowhere: memtop's own
        # symbolization finds none of them either (and says so on stderr)
        pass
    else:
        sys.exit(f"golden_top.py: unknown pprof option {o}")

env = dict(os.environ, TZ="UTC", LC_ALL="C")
def run(extra):
    cmd = [memtop, "top"] + args + extra + [prof]
    r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout

out = run(["--format", "json", "-n", "0"])
chk = subprocess.run([sys.executable, os.path.join(here, "compare_top.py"),
                      os.path.join(here, "golden", name), "-"],
                     input=out, text=True, capture_output=True)
sys.stdout.write(chk.stdout)
sys.stderr.write(chk.stderr)
if chk.returncode != 0:
    sys.exit(chk.returncode)

# The text report must be pprof's, byte for byte.
text = run(text_args)
with open(os.path.join(here, "golden", name)) as f:
    want = f.read()
if text != want:
    import difflib
    diff = list(difflib.unified_diff(want.splitlines(), text.splitlines(),
                                     "pprof", "memtop", lineterm="", n=1))
    print("\n".join(diff[:40]))
    sys.exit(f"FAIL: text report differs from pprof's ({len(diff)} diff lines)")
print(f"ok: {name}")
