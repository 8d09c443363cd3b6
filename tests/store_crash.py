#!/usr/bin/env python3
"""kill -9 during imports, many times at random points, and a reader that
runs while a writer imports.

Usage: store_crash.py MEMTOP REPO_ROOT

After every kill, SQLite (python's sqlite3) must find the database sound
(PRAGMA integrity_check) and no snapshot partial: each has all the samples
its row announces, every sample's stack exists and every location a stack
names exists. The profiles are the real ones of tests/data/go, gzipped again
with different header times so that each file is new bytes. Meanwhile
readers (`memtop ls`, `memtop top @1`) must always succeed and `top @1`
always print what `memtop top` prints on its file.
"""
import glob
import gzip
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
tmp = tempfile.mkdtemp(prefix="memtop-crash-")
env = dict(os.environ, TZ="UTC", LC_ALL="C")
env.pop("MEMTOP_DB", None)
failures = []
rng = random.Random(4)

srcs = sorted(glob.glob(os.path.join(root, "tests/data/go/*.pb.gz")))
raw = [gzip.decompress(open(f, "rb").read()) for f in srcs]
variants = []
for k in range(240):
    path = os.path.join(tmp, f"v{k}.pb.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(raw[k % len(raw)], compresslevel=1 + k % 9, mtime=1000 + k))
    variants.append(path)


def uv(b, i):
    v = s = 0
    while True:
        x = b[i]
        i += 1
        v |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            return v, i


def uvs(b):
    i, out = 0, []
    while i < len(b):
        v, i = uv(b, i)
        out.append(v)
    return out


def live_stacks(con):
    """Stack id -> its encoding, from the blocks of data/schema.sql."""
    out = {}
    for first, n, blob in con.execute("SELECT id, n, locs FROM stack"):
        i = 0
        for j in range(n):
            ln, i = uv(blob, i)
            if ln:
                out[first + j] = blob[i:i + ln - 1]
                i += ln - 1
    return out


def sound(db):
    con = sqlite3.connect(db)
    try:
        if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            return "integrity_check failed"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None  # killed before the schema was made: an empty database
        if "snapshot" not in tables:
            return f"a partial schema: {sorted(tables)}"
        partial = con.execute("SELECT count(*) FROM snapshot s WHERE nsample != "
                              "(SELECT ifnull(sum(n), 0) FROM chunk WHERE snapshot = s.id)").fetchone()[0]
        if partial:
            return f"{partial} partial snapshots"
        stacks = live_stacks(con)
        for (blob,) in con.execute("SELECT stacks FROM chunk"):
            for sid in uvs(blob):
                if sid not in stacks:
                    return f"a sample names missing stack {sid}"
        locs = {r[0] for r in con.execute("SELECT id FROM location")}
        for enc in stacks.values():
            for v in uvs(enc):
                if v not in locs:
                    return f"a stack names missing location {v}"
        return None
    finally:
        con.close()


# Kill within the time an import of a batch really takes on this machine, so
# that most kills land inside the import however fast or loaded it is.
timing = []
for i in range(3):
    t0 = time.monotonic()
    subprocess.run([memtop, "import", "--db", os.path.join(tmp, f"t{i}.db")]
                   + rng.sample(variants, 12), env=env, capture_output=True)
    timing.append(time.monotonic() - t0)
window = 0.9 * sorted(timing)[1]

db = os.path.join(tmp, "k.db")
kills = 0
for it in range(40):
    batch = rng.sample(variants, 12)
    p = subprocess.Popen([memtop, "import", "--db", db] + batch, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(rng.uniform(0, window))
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        kills += 1
    p.wait()
    why = sound(db)
    if why:
        failures.append(f"after kill {it}: {why}")
        break
if kills < 10:
    failures.append(f"only {kills} imports were killed while running")

# A reader while a writer imports.
db2 = os.path.join(tmp, "r.db")
first = os.path.join(root, "tests/data/go/heap.pb.gz")
subprocess.run([memtop, "import", "--db", db2, first], env=env, check=True, capture_output=True)
want = subprocess.run([memtop, "top", first], env=env, capture_output=True, text=True).stdout
w = subprocess.Popen([memtop, "import", "--db", db2] + variants, env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
reads = 0
while w.poll() is None:
    r = subprocess.run([memtop, "top", "--db", db2, "@1"], env=env, capture_output=True, text=True)
    if r.returncode != 0 or r.stdout != want:
        failures.append(f"reader during import: exit {r.returncode} {r.stderr.strip()}")
        break
    r = subprocess.run([memtop, "ls", "--db", db2], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"ls during import: {r.stderr.strip()}")
        break
    reads += 1
w.wait()
if w.returncode != 0:
    failures.append(f"writer failed: {w.stderr.read().decode()}")
why = sound(db2)
if why:
    failures.append(f"after concurrent reads: {why}")
if reads < 1:
    failures.append(f"only {reads} reads overlapped the import")

for f in failures:
    print("FAIL:", f)
print(f"{kills} imports killed with SIGKILL, {reads} reads during an import")
sys.exit(1 if failures else 0)
