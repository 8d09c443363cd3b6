#!/usr/bin/env python3
"""`memtop FILE...` stores the files it opens (for later sessions) on a
thread while the viewer runs.

Usage: view_import.py MEMTOP REPO_ROOT

The viewer runs in script mode (the real TUI, no terminal), which stores
only into a database named on purpose (--db or $MEMTOP_DB).
Oracles: `memtop ls` and `memtop top @ID` against `memtop top FILE` (the
file's numbers, themselves checked against go tool pprof elsewhere);
python's sqlite3 for what the database holds; the file system for what
must not be created.
Python 3 standard library only.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
tmp = tempfile.mkdtemp(prefix="memtop-viewimport-")
env = dict(os.environ, TZ="UTC", LC_ALL="C", HOME=os.path.join(tmp, "home"))
env.pop("MEMTOP_DB", None)
env.pop("XDG_DATA_HOME", None)
failures = []
keys = os.path.join(tmp, "keys")
with open(keys, "w") as f:
    f.write("j\nq\n")
heap = os.path.join(root, "tests/data/go/heap.pb.gz")
heap2 = os.path.join(root, "tests/data/go/heap2.pb.gz")


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, e=None):
    return subprocess.run([memtop] + args, env=e or env, capture_output=True, text=True,
                          timeout=120)


def ls(db):
    r = run(["ls", "--db", db, "--format", "json"])
    return json.loads(r.stdout)["snapshots"] if r.returncode == 0 else None


try:
    db = os.path.join(tmp, "v.db")
    # Two files (the diff base and the current one): both stored.
    r = run(["--script", keys, "--db", db, heap, heap2])
    check(r.returncode == 0 and "warning" not in r.stderr, f"viewer: {r.returncode} {r.stderr!r}")
    snaps = ls(db)
    check(snaps is not None and sorted(s["source"] for s in snaps) ==
          sorted(os.path.realpath(p) for p in (heap, heap2)), f"stored: {snaps}")
    for s in snaps or []:
        want = run(["top", s["source"]]).stdout
        check(want and run(["top", "--db", db, "@%d" % s["id"]]).stdout == want,
              f"@{s['id']} differs from {s['source']}")
    # Reopening adds nothing (content hash), nor does a copy of the same bytes.
    cp = os.path.join(tmp, "copy.pb.gz")
    shutil.copy(heap, cp)
    run(["--script", keys, "--db", db, heap])
    run(["--script", keys, "--db", db, cp])
    check(len(ls(db) or []) == 2, f"reopening added snapshots: {ls(db)}")
    # $MEMTOP_DB names a database on purpose too.
    edb = os.path.join(tmp, "env.db")
    r = run(["--script", keys, heap], dict(env, MEMTOP_DB=edb))
    check(r.returncode == 0 and len(ls(edb) or []) == 1, f"$MEMTOP_DB: {r.stderr!r} {ls(edb)}")
    # Opting out: --db :memory:, and script mode with no database named.
    r = run(["--script", keys, "--db", ":memory:", heap])
    check(r.returncode == 0 and r.stderr == "", f":memory: {r.returncode} {r.stderr!r}")
    r = run(["--script", keys, heap])
    check(r.returncode == 0, f"no database: exit {r.returncode}")
    check(not os.path.exists(env["HOME"]), "script mode created a default database")
    # A database that cannot be written: the viewer still works; a warning.
    bad = os.path.join(tmp, "not-a-dir")
    open(bad, "w").close()
    r = run(["--script", keys, "--db", os.path.join(bad, "x.db"), heap])
    check(r.returncode == 0 and r.stderr.count("\n") == 1 and "warning" in r.stderr,
          f"unwritable database: {r.returncode} {r.stderr!r}")
    # @ID arguments are stored already: nothing new.
    r = run(["--script", keys, "--db", db, "@1"])
    check(r.returncode == 0 and len(ls(db) or []) == 2, f"@1: {r.stderr!r} {ls(db)}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
