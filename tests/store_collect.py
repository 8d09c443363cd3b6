#!/usr/bin/env python3
"""The collector against a real Go service (tests/go/service), started on
127.0.0.1 and always stopped by this test.

Usage: store_collect.py MEMTOP REPO_ROOT

Oracles: the service saves a copy of every profile body it serves (-dump),
so for each stored snapshot the bytes really served are known:
- their SHA-256 (python's hashlib) is the snapshot's stored content hash;
- `go tool pprof -top -nodefraction=0 -unit=B` on them gives the numbers
  `memtop top @ID` must give (compare_top.py);
- `memtop top` on them prints byte for byte what `memtop top @ID` prints.
Failure cases (refused, 500, 404, garbage, slow past --timeout, body cut
short, a target failing only every other time) must each be one stderr line
naming the URL, while the good targets are stored every round. SIGTERM stops
the collector with status 0 and a sound database; --retain prunes.
Exit 77 (skipped) when go is not installed.
"""
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
go = shutil.which("go")
if not go:
    print("go not installed: skipped")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="memtop-collect-")
env = dict(os.environ, TZ="UTC", LC_ALL="C", GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def uvs(b):
    """The unsigned LEB128 varints of b."""
    out, v, s = [], 0, 0
    for x in b:
        v |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            out.append(v)
            v = s = 0
    return out


def live_stacks(con):
    """Stack id -> its encoding, from the blocks of data/schema.sql."""
    out = {}
    for first, n, blob in con.execute("SELECT id, n, locs FROM stack"):
        i = 0
        for j in range(n):
            ln = s = 0
            while True:
                x = blob[i]
                i += 1
                ln |= (x & 0x7F) << s
                s += 7
                if not x & 0x80:
                    break
            if ln:
                out[first + j] = blob[i:i + ln - 1]
                i += ln - 1
    return out


def run(args, **kw):
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, **kw)


svc_bin = os.path.join(tmp, "service")
b = subprocess.run([go, "build", "-o", svc_bin, "."], env=env,
                   cwd=os.path.join(here, "go", "service"), capture_output=True, text=True)
if b.returncode != 0:
    sys.exit("FAIL: building tests/go/service: " + b.stderr)
dump = os.path.join(tmp, "dump")
os.mkdir(dump)
svc = subprocess.Popen([svc_bin, "-dump", dump, "-slow", "4s"], stdout=subprocess.PIPE,
                       text=True)
try:
    line = svc.stdout.readline()
    if not line.startswith("listening on "):
        sys.exit(f"FAIL: service said {line!r}")
    addr = line.split()[-1]
    base = f"http://{addr}"
    db = os.path.join(tmp, "c.db")

    # --- a few rounds of every kind ------------------------------------
    urls = [base + "/debug/pprof/heap", base + "/debug/pprof/goroutine",
            base + "/debug/pprof/goroutine?debug=2", base + "/debug/pprof/allocs",
            base + "/debug/pprof/mutex", base + "/debug/pprof/block",
            base + "/debug/pprof/profile?seconds=1"]
    rounds = 3
    r = run([memtop, "collect", "--db", db, "--interval", "0.3", "--count", str(rounds)] + urls)
    check(r.returncode == 0, f"collect exit {r.returncode}: {r.stderr}")
    lines = r.stdout.splitlines()
    check(len(lines) == rounds * len(urls), f"{len(lines)} stored lines: {r.stdout}")
    stored = {}  # url -> [ids in order]
    for ln in lines:
        sid, kind, url = ln.split("\t")[:3]
        stored.setdefault(url, []).append((int(sid), kind))
    want_kind = {"heap": "heap", "goroutine": "goroutine", "goroutine?debug=2": "goroutine-dump",
                 "allocs": "allocs", "mutex": "mutex", "block": "block",
                 "profile?seconds=1": "cpu"}
    dumps = {"heap": "debug_pprof_heap", "goroutine": "debug_pprof_goroutine",
             "goroutine?debug=2": "debug_pprof_goroutine_debug-2",
             "allocs": "debug_pprof_allocs", "mutex": "debug_pprof_mutex",
             "block": "debug_pprof_block", "profile?seconds=1": "debug_pprof_profile_seconds-1"}
    con = sqlite3.connect(db)
    ncmp = 0
    for url in urls:
        ep = url.split("/debug/pprof/")[1]
        got = stored.get(url, [])
        check(len(got) == rounds and all(k == want_kind[ep] for _, k in got),
              f"{url}: stored {got}")
        for i, (sid, _) in enumerate(got):
            path = os.path.join(dump, f"{dumps[ep]}.{i + 1}")
            with open(path, "rb") as f:
                body = f.read()
            h = con.execute("SELECT hash FROM snapshot WHERE id = ?", (sid,)).fetchone()
            check(h and h[0] == hashlib.sha256(body).hexdigest(),
                  f"@{sid}: stored hash is not that of the served body {path}")
            if ep == "goroutine?debug=2":
                continue  # a text dump: pprof cannot read it
            # The service's bytes through pprof against the stored snapshot.
            unit = "ns" if ep in ("mutex", "block", "profile?seconds=1") else "B"
            pp = run([go, "tool", "pprof", "-top", "-nodefraction=0", "-unit=" + unit, path])
            if not check(pp.returncode == 0, f"pprof on {path}: {pp.stderr}"):
                continue
            gold = os.path.join(tmp, "golden.top")
            with open(gold, "w") as f:
                f.write(pp.stdout)
            js = run([memtop, "top", "--db", db, "--format", "json", "-n", "0", f"@{sid}"]).stdout
            chk = run([sys.executable, os.path.join(here, "compare_top.py"), gold, "-"], input=js)
            check(chk.returncode == 0, f"@{sid} vs pprof on {path}: {chk.stdout}{chk.stderr}")
            a = run([memtop, "top", path]).stdout
            b2 = run([memtop, "top", "--db", db, f"@{sid}"]).stdout
            check(a == b2 and a, f"@{sid}: top differs from top of {path}")
            ncmp += 1
    # The leak shows: inuse_space of the service grows between heap rounds.
    heaps = [sid for sid, _ in stored.get(urls[0], [])]
    doc = json.loads(run([memtop, "ls", "--db", db, "--format", "json"]).stdout)
    tot = {s["id"]: s["total"] for s in doc["snapshots"]}
    check(len(heaps) == rounds and tot[heaps[-1]] > tot[heaps[0]],
          f"heap totals do not grow: {[tot.get(h) for h in heaps]}")
    con.close()

    # --- failures: each reported, next round still collected --------------
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{s.getsockname()[1]}/debug/pprof/heap"
    s.close()
    bad = [refused, base + "/fail/500", base + "/debug/pprof/nosuch", base + "/fail/garbage",
           base + "/fail/slow", base + "/fail/cut"]
    flaky, good = base + "/flaky/heap", base + "/debug/pprof/heap"
    db2 = os.path.join(tmp, "f.db")
    r = run([memtop, "collect", "--db", db2, "--interval", "0.2", "--count", "2",
             "--timeout", "1"] + bad + [flaky, good])
    check(r.returncode == 1, f"failures: exit {r.returncode}")
    out = r.stdout.splitlines()
    # Round 1 stores only good; round 2 flaky and good, side by side (each
    # URL on its own clock), in whichever order their transfers end.
    got = [ln.split("\t")[2] for ln in out]
    check(got[:1] == [good] and sorted(got[1:]) == sorted([flaky, good]),
          f"failures: stored {out}")
    err = r.stderr.splitlines()
    expect = {refused: "connect", base + "/fail/500": "HTTP status 500",
              base + "/debug/pprof/nosuch": "HTTP status 404",
              base + "/fail/garbage": "not a profile", base + "/fail/slow": "timed out",
              base + "/fail/cut": "remaining"}
    for u, what in expect.items():
        mine = [ln for ln in err if ln.startswith(f"memtop: {u}: ")]
        reports = [ln for ln in mine if what in ln]
        check(len(reports) == 2, f"{u}: want 2 reports with {what!r}, stderr: {mine}")
        check(any("no profile was collected" in ln for ln in mine), f"{u}: no final report")
    check(len([ln for ln in err if ln.startswith(f"memtop: {flaky}: ")]) == 1,
          f"flaky: {err}")
    check(len(err) == 2 * len(bad) + 1 + len(bad), f"stderr has {len(err)} lines: {err}")
    c2 = sqlite3.connect(db2)
    check(c2.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "f.db integrity")
    c2.close()

    # --- --max-body ------------------------------------------------------
    r = run([memtop, "collect", "--db", db2, "--count", "1", "--max-body", "100", good])
    check(r.returncode == 1 and "--max-body" in r.stderr, f"max-body: {r.stderr}")

    # --- SIGTERM: the current write finishes, exit 0 ----------------------
    db3 = os.path.join(tmp, "t.db")
    p = subprocess.Popen([memtop, "collect", "--db", db3, "--interval", "0.1", good,
                          base + "/debug/pprof/goroutine"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    first = p.stdout.readline()
    time.sleep(0.3)
    p.send_signal(signal.SIGTERM)
    try:
        rest, perr = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, perr = p.communicate()
        check(False, "collector ignored SIGTERM")
    check(p.returncode == 0 and first, f"SIGTERM: exit {p.returncode} {perr}")
    c3 = sqlite3.connect(db3)
    n = c3.execute("SELECT count(*) FROM snapshot").fetchone()[0]
    check(n == 1 + len(rest.splitlines()), f"SIGTERM: {n} snapshots, printed {1 + len(rest.splitlines())}")
    check(c3.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "t.db integrity")
    bad_n = c3.execute("SELECT count(*) FROM snapshot s WHERE nsample != "
                       "(SELECT ifnull(sum(n), 0) FROM chunk WHERE snapshot = s.id)").fetchone()[0]
    check(bad_n == 0, f"SIGTERM left {bad_n} partial snapshots")
    c3.close()

    # --- --retain: old snapshots and their stacks go ----------------------
    db4 = os.path.join(tmp, "r.db")
    r = run([memtop, "collect", "--db", db4, "--interval", "0.1", "--count", "5",
             "--retain", "2", good])
    ids = [int(ln.split("\t")[0]) for ln in r.stdout.splitlines()]
    doc = json.loads(run([memtop, "ls", "--db", db4, "--format", "json"]).stdout)
    check([s["id"] for s in doc["snapshots"]] == ids[-2:], f"retain 2: {doc} after {ids}")
    c4 = sqlite3.connect(db4)
    used = set()
    for (blob,) in c4.execute("SELECT stacks FROM chunk"):
        used.update(uvs(blob))
    orphans = len(set(live_stacks(c4)) - used)
    check(orphans == 0, f"retain left {orphans} unused stacks")
    c4.close()
finally:
    svc.terminate()
    try:
        svc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        svc.kill()
        svc.wait()

for f in failures:
    print("FAIL:", f)
print(f"{ncmp} stored snapshots checked against go tool pprof on the served bytes")
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failures else 0)
