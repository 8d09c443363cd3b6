#!/usr/bin/env python3
"""The store through the command line: import, ls, rm and @ID.

Usage: store_cli.py MEMTOP REPO_ROOT

Oracles:
- go tool pprof: every golden of tests/golden/goldens.tsv is checked again
  with the profile (and its -base) replaced by the snapshot it was imported
  as: the JSON numbers through compare_top.py, the text report byte for byte.
- the file itself: for every tests/data/go/*.pb.gz, at every sample index,
  granularity and output format, `memtop top @ID` prints exactly what
  `memtop top FILE` prints (the file's numbers survive the database).
- pprof's total of the default type (the goldens) for `ls --format json`.
- SQLite itself (python's sqlite3) for what `rm` leaves behind.
Python 3 standard library only.
"""
import glob
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile

memtop, root = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, TZ="UTC", LC_ALL="C")
env.pop("MEMTOP_DB", None)
failures = []


def run(args, ok=True, **kw):
    r = subprocess.run([memtop] + args, cwd=root, env=kw.pop("env", env),
                       capture_output=True, text=True, **kw)
    if ok and r.returncode != 0:
        failures.append(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


tmp = tempfile.mkdtemp(prefix="memtop-store-")
db = os.path.join(tmp, "sub", "dir", "m.db")

# --- import: ids, duplicates, file mode ------------------------------------
files = sorted(glob.glob(os.path.join(root, "tests/data/go/*.pb.gz")))
r = run(["import", "--db", db] + files)
ids = [int(x) for x in r.stdout.split()]
check(len(ids) == len(files) and len(set(ids)) == len(ids), f"import ids: {r.stdout!r}")
snap = dict(zip(files, ids))
check(stat.S_IMODE(os.stat(db).st_mode) == 0o600, "database is not mode 0600")
r = run(["import", "--db", db, files[0]])
check(r.stdout.strip() == f"{files[0]}: already stored as @{ids[0]}",
      f"re-import says {r.stdout!r}")
check(r.returncode == 0, "re-import failed")
# A copy under another name is the same bytes: nothing new.
cp = os.path.join(tmp, "copy.pb.gz")
with open(files[0], "rb") as a, open(cp, "wb") as b:
    b.write(a.read())
r = run(["import", "--db", db, cp])
check(r.stdout.strip() == f"{cp}: already stored as @{ids[0]}", f"copy import: {r.stdout!r}")
r = run(["import", "--db", db, os.path.join(root, "tests/golden/README.md")], ok=False)
check(r.returncode == 1 and r.stderr.count("\n") == 1 and "README.md" in r.stderr,
      f"bad file: exit {r.returncode} {r.stderr!r}")

# --- the goldens of go tool pprof, read from the store ---------------------
rows = []
with open(os.path.join(here, "golden", "goldens.tsv")) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        rows.append(line.rstrip("\n").split("\t"))
ngold = 0
for name, prof, opts in rows:
    args, text_args = [], []
    for o in opts.split():
        key, _, val = o.lstrip("-").partition("=")
        if key == "sample_index":
            args += ["-i", val]
        elif key == "unit":
            text_args += ["--unit", val]
        elif key in ("lines", "files", "functions", "filefunctions", "addresses"):
            args += ["--granularity", key]
        elif key in ("base", "diff_base"):
            p = os.path.join(root, val)
            if p not in snap:
                snap[p] = int(run(["import", "--db", db, p]).stdout.split()[-1].lstrip("@"))
            args += ["--" + key.replace("_", "-"), "@%d" % snap[p]]
        elif key in ("focus", "ignore", "hide", "show"):
            args += ["--" + key, val]
        elif key == "cum":
            args += ["--cum"]
        elif key == "mean":
            args += ["--mean"]
        elif key == "symbolize" and val == "none":
            pass  # legacy fixtures whose binaries exist nowhere (golden_top.py)
        else:
            sys.exit(f"store_cli.py: unknown pprof option {o}")
    p = os.path.join(root, prof)
    if p not in snap:
        out = run(["import", "--db", db, p]).stdout.split()
        snap[p] = int(out[-1].lstrip("@"))
    at = "@%d" % snap[p]
    js = run(["top", "--db", db, "--format", "json", "-n", "0"] + args + [at]).stdout
    chk = subprocess.run([sys.executable, os.path.join(here, "compare_top.py"),
                          os.path.join(here, "golden", name), "-"],
                         input=js, text=True, capture_output=True)
    check(chk.returncode == 0, f"golden {name} from {at}: {chk.stdout}{chk.stderr}")
    text = run(["top", "--db", db] + args + text_args + [at]).stdout
    with open(os.path.join(here, "golden", name)) as f:
        check(text == f.read(), f"golden {name} from {at}: text differs from pprof's")
    ngold += 1

# --- every file reads back with its own numbers -----------------------------
ncmp = 0
for f in files:
    nt = 1
    while True:
        probe = run(["top", "-i", str(nt), "-n", "1", f], ok=False)
        if probe.returncode:
            break
        nt += 1
    for si in range(nt):
        for gran in ("functions", "lines", "addresses", "files"):
            for fmt in ("text", "json"):
                a = ["top", "-i", str(si), "--granularity", gran, "--format", fmt]
                want = run(a + [f]).stdout
                got = run(a + ["--db", db, "@%d" % snap[f]]).stdout
                check(want == got and want, f"{f} -i {si} {gran} {fmt}: @{snap[f]} differs")
                ncmp += 1

# --- ls ---------------------------------------------------------------------
doc = json.loads(run(["ls", "--db", db, "--format", "json"]).stdout)
byid = {s["id"]: s for s in doc["snapshots"]}
check(sorted(byid) == sorted(set(snap.values())), f"ls ids {sorted(byid)}")
heap = byid[snap[os.path.join(root, "tests/data/go/heap.pb.gz")]]
import importlib.util
spec = importlib.util.spec_from_file_location("compare_top", os.path.join(here, "compare_top.py"))
ct = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ct)
g = ct.parse_golden(os.path.join(here, "golden", "heap.3.top"))
check(heap["kind"] == "heap" and heap["total"] == g["total"],
      f"ls heap: kind {heap['kind']} total {heap['total']}, pprof {g['total']}")
check(heap["sample_types"] == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
      f"ls heap types {heap['sample_types']}")
check(len(heap["time"]) >= 20 and heap["time"].endswith("Z") and heap["time"][10] == "T",
      f"ls time {heap['time']}")
kinds = {os.path.basename(s["source"]): s["kind"] for s in doc["snapshots"]}
for fname, k in [("mutex.pb.gz", "mutex"), ("block.pb.gz", "block"), ("cpu.pb.gz", "cpu"),
                 ("goroutine.pb.gz", "goroutine"), ("allocs.pb.gz", "allocs"),
                 ("threadcreate.pb.gz", "threadcreate")]:
    check(kinds.get(fname) == k, f"ls kind of {fname}: {kinds.get(fname)}")
text = run(["ls", "--db", db]).stdout.splitlines()
check(len(text) == len(byid) + 1 and "inuse_space" in "".join(text),
      f"ls text has {len(text)} lines")

# --- missing things ---------------------------------------------------------
r = run(["top", "--db", db, "@9999"], ok=False)
check(r.returncode == 1 and "@9999" in r.stderr, f"@9999: {r.returncode} {r.stderr!r}")
r = run(["ls", "--db", os.path.join(tmp, "none.db"), "--format", "json"])
check(json.loads(r.stdout) == {"snapshots": []}, f"ls of no database: {r.stdout!r}")
check(not os.path.exists(os.path.join(tmp, "none.db")), "ls created a database")
r = run(["rm", "--db", db, "9999"], ok=False)
check(r.returncode == 1, "rm of a missing snapshot succeeded")

# --- default path: $XDG_DATA_HOME, then $HOME -------------------------------
xdg = os.path.join(tmp, "xdg")
e2 = dict(env, XDG_DATA_HOME=xdg)
run(["import", files[0]], env=e2)
check(os.path.exists(os.path.join(xdg, "memtop", "memtop.db")), "no $XDG_DATA_HOME/memtop/memtop.db")
e3 = dict(env, HOME=os.path.join(tmp, "home"))
e3.pop("XDG_DATA_HOME", None)
run(["import", files[0]], env=e3)
check(os.path.exists(os.path.join(tmp, "home/.local/share/memtop/memtop.db")),
      "no ~/.local/share/memtop/memtop.db")
e4 = dict(env, MEMTOP_DB=os.path.join(tmp, "env.db"))
run(["import", files[0]], env=e4)
check(os.path.exists(os.path.join(tmp, "env.db")), "$MEMTOP_DB not used")
r = run(["import", "--db", ":memory:", files[0]])
check(r.stdout.strip() == "1", f":memory: import: {r.stdout!r}")

# --- rm removes the snapshot and whatever only it used ---------------------
con = sqlite3.connect(db)


def live_stacks(con):
    """How many stacks the blocks of data/schema.sql hold (removed ones
    are an empty length)."""
    live = 0
    for n, blob in con.execute("SELECT n, locs FROM stack"):
        i = 0
        for _ in range(n):
            ln = sh = 0
            while True:
                x = blob[i]
                i += 1
                ln |= (x & 0x7F) << sh
                sh += 7
                if not x & 0x80:
                    break
            if ln:
                live += 1
                i += ln - 1
    return live


counts = lambda: [con.execute("SELECT count(*) FROM snapshot").fetchone()[0],
                  con.execute("SELECT ifnull(sum(n), 0) FROM chunk").fetchone()[0],
                  live_stacks(con)] + \
                 [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("location", "function", "mapping")]
before = counts()
heap2 = snap[os.path.join(root, "tests/data/go/heap2.pb.gz")]
run(["rm", "--db", db, "@%d" % heap2])
after = counts()
check(after[0] == before[0] - 1 and after[1] < before[1] and after[2] < before[2],
      f"rm @{heap2}: counts {before} -> {after}")
# heap.pb.gz is still whole after its sibling went.
hp = os.path.join(root, "tests/data/go/heap.pb.gz")
check(run(["top", hp]).stdout == run(["top", "--db", db, "@%d" % snap[hp]]).stdout,
      "heap snapshot changed by removing another")
run(["rm", "--db", db] + ["%d" % i for i in sorted(set(snap.values())) if i != heap2])
check(counts() == [0] * 6, f"rm of everything leaves {counts()}")
check(con.execute("SELECT count(*) FROM stack").fetchone()[0] == 0, "rm left stack blocks")

# --- a version 1 database (tests/data/store/v1.db, made by memtop before
# samples and stacks went into chunks and blocks) is migrated on open, and
# its snapshots still print what their files print --------------------------
import shutil
old = os.path.join(tmp, "v1.db")
shutil.copy(os.path.join(root, "tests/data/store/v1.db"), old)
doc = json.loads(run(["ls", "--db", old, "--format", "json"]).stdout)
check(len(doc["snapshots"]) == 8, f"v1.db lists {len(doc['snapshots'])} snapshots")
c1 = sqlite3.connect(old)
check(c1.execute("PRAGMA user_version").fetchone()[0] >= 2, "v1.db was not migrated")
check(c1.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "migrated v1.db integrity")
tables = {r[0] for r in c1.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
check("sample" not in tables and "stack_v1" not in tables, f"migration left {tables}")
c1.close()
for sn in doc["snapshots"]:
    f = os.path.join(root, "tests/data/go", os.path.basename(sn["source"]))
    for fmt in ("text", "json"):
        want = run(["top", "-n", "0", "--format", fmt, f]).stdout
        got = run(["top", "-n", "0", "--format", fmt, "--db", old, "@%d" % sn["id"]]).stdout
        check(want == got and want, f"v1.db @{sn['id']} ({f}) {fmt} differs after migration")
r = run(["import", "--db", old, os.path.join(root, "tests/data/go/heap.pb.gz")])
check("already stored" in r.stdout, f"v1.db: re-import after migration: {r.stdout!r}")
# New stacks take ids after the migrated blocks, and everything still reads.
gb = os.path.join(root, "../shared/fixtures/pprof-testdata/gobench.heap")
r = run(["import", "--db", old, gb])
check(r.returncode == 0 and run(["top", gb]).stdout ==
      run(["top", "--db", old, "@" + r.stdout.strip()]).stdout,
      "v1.db: a new import after the migration differs from its file")
hp = os.path.join(root, "tests/data/go/heap.pb.gz")
hid = [sn["id"] for sn in doc["snapshots"] if sn["source"].endswith("/heap.pb.gz")][0]
check(run(["top", hp]).stdout == run(["top", "--db", old, "@%d" % hid]).stdout,
      "v1.db: a migrated snapshot changed after a new import")
# Version 4 keeps a jemalloc heap's exact estimates beside its values: read
# back from the migrated database it sums as its file does (as jeprof does,
# tests/compare_cheap.py), for every sample type. (Snapshots are shown as
# stored, unsymbolized: the totals are compared.)
je = os.path.join(root, "tests/data/c/stacks.jemalloc.heap")
r = run(["import", "--db", old, je])
for i in range(4):
    want = run(["top", "-n", "0", "--format", "json", "-i", str(i), je]).stdout
    got = run(["top", "-n", "0", "--format", "json", "-i", str(i), "--db", old,
               "@" + r.stdout.strip()]).stdout
    check(r.returncode == 0 and want and got and
          json.loads(want)["total"] == json.loads(got)["total"],
          f"v1.db: jemalloc heap -i {i} read back differs from its file")
check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")
con.close()

for f in failures:
    print("FAIL:", f)
print(f"{ngold} goldens from the store, {ncmp} file/snapshot comparisons")
sys.exit(1 if failures else 0)
