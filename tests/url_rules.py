#!/usr/bin/env python3
"""Which profile references are URLs, and what they fetch: memtop against
go tool pprof itself.

Usage: url_rules.py MEMTOP

For each reference (and --seconds), pprof says on stderr either "Fetching
profile over HTTP from URL" or that it cannot open the file; memtop's one
error line names the URL it fetched (nothing listens on port 1) or the
file it could not open. Both must take the same references for URLs, and
fetch the same scheme, host, port, path and query parameters. The one
deliberate difference: a URL without a path is the service's pprof root
for memtop (one round of every profile, README), where go tool pprof
fetches /debug/pprof/profile (a CPU profile); memtop's error then names
the root's index, /debug/pprof/. No network: every host is this machine.
Exit 77 (skipped) when go is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

memtop = os.path.abspath(sys.argv[1])
go = shutil.which("go")
if not go:
    print("go not installed: skipped")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="memtop-urlrules-")
env = dict(os.environ, HOME=tmp, PPROF_TMPDIR=tmp, GOCACHE=os.path.join(tmp, "gocache"))
env.pop("MEMTOP_DB", None)
failures = []

CASES = [
    ("127.0.0.1:1/debug/pprof/heap", 0),
    ("127.0.0.1:1/debug/pprof/heap", 7),
    ("localhost:1/debug/pprof/allocs?debug=1", 0),
    ("http://127.0.0.1:1/debug/pprof/heap?seconds=3&debug=0", 7),
    ("http://localhost:1/debug/pprof/heap?seconds=3", 0),
    ("https://127.0.0.1:1/debug/pprof/heap", 0),
    ("[::1]:1/debug/pprof/heap", 0),
    (":1/debug/pprof/mutex", 0),
    ("localhost:1", 0),
    ("http://127.0.0.1:1/", 0),
    ("dir/x:1", 0),
    ("notes:txt", 0),
    ("./localhost:1", 0),
    ("localhost", 0),
    ("heap.pb.gz", 0),
    ("file:///nonexistent/heap", 0),
    ("/nonexistent/localhost:1", 0),
]


def pprof_says(ref, secs):
    args = [go, "tool", "pprof", "-raw"] + (["-seconds", str(secs)] if secs else []) + [ref]
    r = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
    first = r.stderr.splitlines()[0] if r.stderr else ""
    pre = "Fetching profile over HTTP from "
    return first[len(pre):].strip() if first.startswith(pre) else None


def memtop_says(ref, secs):
    args = [memtop, "top", "--db", ":memory:"] + (["--seconds", str(secs)] if secs else []) + [ref]
    r = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
    lines = r.stderr.splitlines()
    if r.returncode != 1 or len(lines) != 1:
        failures.append(f"{ref}: memtop exit {r.returncode}, stderr {r.stderr!r}")
        return None, ""
    line = lines[0]
    if line == f"memtop: {ref}: No such file or directory":
        return None, line
    # "memtop: URL: what went wrong"; the URL has no ": " in it.
    return line[len("memtop: "):].split(": ")[0], line


def parts(url):
    u = urllib.parse.urlsplit(url)
    host = u.hostname or "localhost"
    return (u.scheme, host, u.port, u.path, dict(urllib.parse.parse_qsl(u.query, True)))


checked = 0
for ref, secs in CASES:
    want = pprof_says(ref, secs)
    got, line = memtop_says(ref, secs)
    what = f"{ref} (seconds {secs})"
    if (want is None) != (got is None):
        failures.append(f"{what}: pprof fetches {want}, memtop {got or 'reads a file'} ({line})")
        continue
    checked += 1
    if want is None:
        continue
    w, g = parts(want), parts(got)
    if w[3] == "/debug/pprof/profile" and urllib.parse.urlsplit(ref if "//" in ref else "http://" + ref).path in ("", "/"):
        # The root: memtop reads the pprof index first.
        w = w[:3] + ("/debug/pprof/", {})
    if w != g:
        failures.append(f"{what}: pprof fetches {want} {w}, memtop {got} {g}")
    if "connect" not in line.lower():
        failures.append(f"{what}: memtop's error is not about connecting: {line}")

for f in failures:
    print("FAIL:", f)
print(f"{checked} of {len(CASES)} references decided as go tool pprof decides")
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failures else 0)
