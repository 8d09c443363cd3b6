#!/usr/bin/env python3
"""`memtop import` of a real GODEBUG=gctrace=1 log (tests/data/go/gctrace.log,
written by the Go 1.19 runtime) against an independent parse of the same
lines in Python, and bad or truncated gctrace lines.

Usage: metrics_gctrace.py MEMTOP REPO_ROOT

Oracle: each line's text, read here with a regular expression written from
the runtime's format (runtime/mgc.go, gcMarkTermination): every series value
and time must equal what the line says. A cycle at "@T s" is at the file's
modification time minus the last cycle's T, plus T (the log carries only
seconds since the program started).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
log = os.path.join(root, "tests", "data", "go", "gctrace.log")
tmp = tempfile.mkdtemp(prefix="memtop-gctrace-")
env = dict(os.environ, TZ="UTC", LC_ALL="C")
env.pop("MEMTOP_DB", None)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, **kw):
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, **kw)


LINE = re.compile(
    r"^gc (\d+) @([0-9.]+)s (\d+)%: ([0-9.]+)\+([0-9.]+)\+([0-9.]+) ms clock, "
    r"([0-9.]+)\+([0-9.]+)/([0-9.]+)/([0-9.]+)\+([0-9.]+) ms cpu, "
    r"(\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (?:(\d+) MB stacks, (\d+) MB globals, )?"
    r"(\d+) P( \(forced\))?$")


def expected(text, mtime_ns):
    """series name -> {time ns: value}, from the lines' text."""
    cycles = []
    for ln in text.splitlines():
        m = LINE.match(ln)
        if m:
            cycles.append(m.groups())
    start = mtime_ns - int(float(cycles[-1][1]) * 1e9 + 0.5)
    out = {}
    for g in cycles:
        t = start + int(float(g[1]) * 1e9 + 0.5)
        f = [float(x) if x is not None else None for x in g[:18]]
        vals = {
            "heap_before_mb": f[11], "heap_after_mb": f[12], "heap_live_mb": f[13],
            "heap_goal_mb": f[14], "stacks_mb": f[15], "globals_mb": f[16],
            "pause_ms": f[3] + f[5], "mark_ms": f[4],
            "cpu_stw_ms": f[6] + f[10], "cpu_assist_ms": f[7],
            "cpu_background_ms": f[8], "cpu_idle_ms": f[9],
            "gc_cpu_percent": f[2], "procs": f[17],
        }
        for k, v in vals.items():
            if v is not None:
                out.setdefault("gctrace." + k, {})[t] = v
    return out, len(cycles)


def rfc3339_ns(s):
    """RFC 3339 UTC with up to 9 fraction digits -> ns since the epoch."""
    import calendar
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$", s)
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    frac = (m.group(7) or "").ljust(9, "0")
    return secs * 10**9 + int(frac)


def stored(db, source):
    r = run([memtop, "metrics", "--db", db, "--format", "json", "--source", source])
    check(r.returncode == 0, f"metrics exit {r.returncode}: {r.stderr}")
    got = {}
    for se in json.loads(r.stdout)["series"]:
        got[se["name"]] = {rfc3339_ns(p["time"]): p["value"] for p in se["points"]}
    return got


try:
    # --- the real log ------------------------------------------------------
    copy = os.path.join(tmp, "gctrace.log")
    shutil.copy2(log, copy)
    with open(copy) as f:
        text = f.read()
    want, ncycles = expected(text, os.stat(copy).st_mtime_ns)
    check(ncycles >= 10, f"only {ncycles} gctrace lines in {log}")
    check(any(ln.endswith("(forced)") for ln in text.splitlines()), "no forced line")
    db = os.path.join(tmp, "g.db")
    r = run([memtop, "import", "--db", db, copy])
    check(r.returncode == 0 and r.stderr == "", f"import: {r.returncode} {r.stderr}")
    check(f"{ncycles} GC cycles, {ncycles * len(want)} new points" in r.stdout,
          f"import said {r.stdout!r}, expected {ncycles} cycles")
    got = stored(db, copy)
    check(set(got) == set(want), f"series {sorted(got)} != {sorted(want)}")
    npts = 0
    for name, pts in want.items():
        g = got.get(name, {})
        check(set(g) == set(pts), f"{name}: times differ ({len(g)} vs {len(pts)})")
        for t, v in pts.items():
            npts += 1
            check(g.get(t) == v, f"{name} at {t}: stored {g.get(t)}, the line says {v}")
    check(npts >= 10 * 14, f"only {npts} points compared")
    # Importing the same log again adds nothing.
    r = run([memtop, "import", "--db", db, copy])
    check(r.returncode == 0 and "0 new points" in r.stdout, f"re-import: {r.stdout}")

    # --- bad and truncated lines: reported, never fatal --------------------
    lines = text.splitlines()
    bad = os.path.join(tmp, "bad.log")
    cut = lines[3][: len(lines[3]) // 2]
    with open(bad, "w") as f:
        f.write("program output\n" + "\n".join(lines[:3]) + "\n" + cut + "\n" +
                "gc 99 @1.5s 2%: garbage\n" + "\n".join(lines[4:8]) + "\n" +
                lines[8][:-3])  # the last line cut short, no newline
    r = run([memtop, "import", "--db", os.path.join(tmp, "b.db"), bad])
    check(r.returncode == 0, f"bad lines made import fail: {r.returncode} {r.stderr}")
    errs = r.stderr.splitlines()
    check(len(errs) == 1 and "3 gctrace lines not read" in errs[0] and
          "line 5:" in errs[0], f"stderr: {r.stderr!r}")
    check("7 GC cycles" in r.stdout, f"stdout: {r.stdout!r}")
    # Only cut lines: an error, exit 1, one line.
    only = os.path.join(tmp, "only.log")
    with open(only, "w") as f:
        f.write(cut + "\n")
    r = run([memtop, "import", "--db", os.path.join(tmp, "c.db"), only])
    check(r.returncode == 1 and len(r.stderr.splitlines()) == 1 and
          only in r.stderr, f"all-bad log: {r.returncode} {r.stderr!r}")
    # A log of random bytes after "gc 1 @": not a gctrace log, not a crash.
    junk = os.path.join(tmp, "junk.log")
    with open(junk, "wb") as f:
        f.write(b"gc 1 @\xff\xfe\x00" + os.urandom(2000))
    r = run([memtop, "import", "--db", os.path.join(tmp, "d.db"), junk])
    check(r.returncode == 1 and len(r.stderr.splitlines()) == 1, f"junk: {r.stderr!r}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {ncycles} gctrace cycles, {npts} points equal to the lines' text")
