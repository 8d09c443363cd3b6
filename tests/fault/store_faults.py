#!/usr/bin/env python3
"""Fault injection for the snapshot store, through the real binary.

Each case breaks the database or its file system the way production does
(a full disk, another writer holding the lock, a corrupt or truncated file)
and checks what issue 8 asks: memtop exits 1 with one line on stderr naming
the database, never crashes, never leaves a partial snapshot, and the
database stays sound (SQLite's own PRAGMA integrity_check is the oracle)
and usable afterwards. Case foreign (issue 19): someone else's SQLite
database is refused and left unchanged; case fsize: ulimit -f is an error,
not a silent death by SIGXFSZ.

Usage: store_faults.py MEMTOP REPO_ROOT [CASE...]
CASE: full_disk locked corrupt foreign fsize (the default: all five) or
locked_reader.
"""
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

MEMTOP, ROOT = sys.argv[1], sys.argv[2]
# The schema version memtop writes: the first line of data/schema.sql says it.
with open(os.path.join(ROOT, "data", "schema.sql")) as _f:
    SCHEMA = int(__import__("re").search(r"schema version (\d+)", _f.readline()).group(1))
GO = os.path.join(ROOT, "tests", "data", "go")
PROFILES = [os.path.join(GO, f) for f in
            ("heap.pb.gz", "allocs.pb.gz", "heap2.pb.gz", "goroutine.pb.gz",
             "mutex.pb.gz", "block.pb.gz", "heap.txt", "allocs.txt")]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, timeout=60, preexec=None):
    p = subprocess.run([MEMTOP] + args, capture_output=True, text=True,
                       timeout=timeout, preexec_fn=preexec,
                       env=dict(os.environ, LC_ALL="C"))
    return p.returncode, p.stdout, p.stderr


def one_line_error(rc, err, names, what):
    """Exit 1, exactly one stderr line `memtop: ...` that names the
    database (or the profile being imported); never a signal (rc < 0) or a
    sanitizer report."""
    names = [names] if isinstance(names, str) else names
    lines = err.strip().split("\n") if err.strip() else []
    check(rc == 1, f"{what}: exit status 1 (got {rc})")
    check(len(lines) == 1 and lines[0].startswith("memtop: "),
          f"{what}: one line on stderr (got {err.strip()!r})")
    check(bool(lines) and any(n in lines[0] for n in names),
          f"{what}: the error names {' or '.join(names)}")


def snapshots(db):
    rc, out, err = run(["ls", "--db", db, "--format", "json"])
    check(rc == 0, f"ls works on {db} ({err.strip()})")
    return json.loads(out)["snapshots"] if rc == 0 else []


def integrity(db, what):
    con = sqlite3.connect(db)
    try:
        res = con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()
    check(res == [("ok",)], f"{what}: integrity_check ok (got {res[:3]})")


def totals_ok(db, snaps, what):
    """Every listed snapshot reads back whole: `top` over it gives the total
    `ls` recorded (a partial snapshot would lose samples)."""
    for s in snaps:
        rc, out, err = run(["top", "--db", db, "--format", "json", "-n", "1",
                            "@%d" % s["id"]])
        got = json.loads(out)["total"] if rc == 0 else None
        check(rc == 0 and got == s["total"],
              f"{what}: snapshot {s['id']} reads back whole ({got} vs {s['total']})")


def full_disk(tmp):
    """A small tmpfs: imports that do not fit fail cleanly; the ones before
    stay; after space is freed the database takes new imports. Falls back to
    RLIMIT_FSIZE (ulimit -f) where mounting is not allowed."""
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    # MEMTOP_FAULT_NO_MOUNT=1 tries the fallback where mounting works too.
    mounted = not os.environ.get("MEMTOP_FAULT_NO_MOUNT") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
        capture_output=True).returncode == 0
    print("full disk: " + ("tmpfs of 2 MiB" if mounted else "ulimit -f (no mount)"))
    try:
        db = os.path.join(mnt, "full.db")
        rc, out, err = run(["import", "--db", db, PROFILES[0]])
        check(rc == 0, f"full disk: first import fits ({err.strip()})")
        before = snapshots(db)
        preexec = None
        filler = os.path.join(mnt, "filler")
        if mounted:
            # Leave room for a snapshot or two, so that a later one runs
            # out of space in the middle of its transaction.
            st = os.statvfs(mnt)
            free = st.f_bavail * st.f_frsize
            with open(filler, "wb") as f:
                f.write(b"\0" * max(0, free - 160 * 1024))
        else:
            size = os.path.getsize(db) + 4 * 1024

            def preexec():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        failed = 0
        # Room to open the database but not to commit a snapshot, then not
        # even room for SQLite's shared-memory file.
        for room in ((64, 16) if mounted else (64,)):
            if mounted:
                if os.path.exists(filler):
                    os.unlink(filler)
                st = os.statvfs(mnt)
                free = st.f_bavail * st.f_frsize
                with open(filler, "wb") as f:
                    f.write(b"\0" * max(0, free - room * 1024))
            phase = 0
            for prof in PROFILES[1:]:
                rc, out, err = run(["import", "--db", db, prof], preexec=preexec)
                check(rc in (0, 1), f"full disk ({room} KiB free): import of "
                                    f"{os.path.basename(prof)} does not crash (rc {rc})")
                if rc != 0:
                    phase += 1
                    one_line_error(rc, err, [db, prof], f"full disk ({room} KiB free): import")
                    check("full" in err or "I/O" in err,
                          "full disk: the error says the disk is full")
                    if phase == 1:
                        print("     " + err.strip())
            check(phase > 0, f"full disk ({room} KiB free): imports ran out of space")
            failed += phase
        if mounted:
            os.unlink(filler)
        integrity(db, "full disk")
        after = snapshots(db)
        ids = [s["id"] for s in before]
        check([s["id"] for s in after][:len(ids)] == ids,
              "full disk: earlier snapshots kept")
        tried = (len(PROFILES) - 1) * (2 if mounted else 1)
        check(len(after) == len(before) + tried - failed,
              f"full disk: exactly the imports that succeeded are listed "
              f"({len(after)} snapshots)")
        totals_ok(db, after, "full disk")
        rc, out, err = run(["import", "--db", db, PROFILES[-1]])
        check(rc == 0, f"full disk: imports work again once space is free ({err.strip()})")
        integrity(db, "full disk, after")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", mnt])


LOCKER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
con.execute("BEGIN IMMEDIATE")
con.execute("CREATE TABLE IF NOT EXISTS fault_probe(x)")
print("locked", flush=True)
sys.stdin.readline()   # hold the write lock until told
con.execute("ROLLBACK")
"""


def locked(tmp):
    """Another process holds the write lock (BEGIN IMMEDIATE): import waits
    for the busy timeout, then fails with one line; readers still work; the
    database is unchanged and takes the import once the lock is gone."""
    db = os.path.join(tmp, "locked.db")
    rc, out, err = run(["import", "--db", db, PROFILES[0]])
    check(rc == 0, f"locked: setup import ({err.strip()})")
    before = snapshots(db)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        check(locker.stdout.readline().strip() == "locked", "locked: the lock is held")
        t0 = time.monotonic()
        rc, out, err = run(["import", "--db", db, PROFILES[1]], timeout=60)
        took = time.monotonic() - t0
        one_line_error(rc, err, db, "locked: import")
        print(f"     {err.strip()} (after {took:.1f} s)")
        check("lock" in err or "busy" in err, "locked: the error says the database is locked")
        check(took < 30, f"locked: gives up in bounded time ({took:.1f} s)")
    finally:
        locker.stdin.write("\n")
        locker.stdin.flush()
        locker.wait(timeout=10)
    check(snapshots(db) == before, "locked: no snapshot added by the failed import")
    integrity(db, "locked")
    rc, out, err = run(["import", "--db", db, PROFILES[1]])
    check(rc == 0, f"locked: import works once the lock is released ({err.strip()})")


def locked_reader(tmp):
    """While another process holds the write lock, readers (ls, top @ID)
    still work: SQLite's WAL mode lets them."""
    db = os.path.join(tmp, "reader.db")
    rc, out, err = run(["import", "--db", db, PROFILES[0]])
    check(rc == 0, f"locked reader: setup import ({err.strip()})")
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        check(locker.stdout.readline().strip() == "locked", "locked reader: the lock is held")
        for args in (["ls"], ["top", "-n", "1", "@1"]):
            rc, out, err = run([args[0], "--db", db] + args[1:], timeout=60)
            check(rc == 0, f"locked reader: {' '.join(args)} works during a write "
                           f"({err.strip()})")
    finally:
        locker.stdin.write("\n")
        locker.stdin.flush()
        locker.wait(timeout=10)


def corrupt(tmp):
    """A database file of random bytes, one truncated in the middle, and one
    with a damaged page: every command fails (or succeeds) cleanly, and a
    file that is not a memtop database is never overwritten."""
    # Random bytes.
    db = os.path.join(tmp, "random.db")
    data = os.urandom(100000)
    with open(db, "wb") as f:
        f.write(data)
    for args in (["ls"], ["import", PROFILES[0]], ["top", "@1"], ["rm", "1"]):
        rc, out, err = run([args[0], "--db", db] + args[1:])
        one_line_error(rc, err, db, f"random bytes: {args[0]}")
    with open(db, "rb") as f:
        check(f.read() == data, "random bytes: the file is left as it was")
    print("     " + err.strip())

    # A real database, checkpointed, then truncated or damaged.
    good = os.path.join(tmp, "good.db")
    for prof in PROFILES[:4]:
        rc, out, err = run(["import", "--db", good, prof])
        check(rc == 0, f"corrupt: setup import ({err.strip()})")
    con = sqlite3.connect(good)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = os.path.getsize(good)
    for kind in ("truncated", "damaged"):
        db = os.path.join(tmp, kind + ".db")
        shutil.copy(good, db)
        if kind == "truncated":
            os.truncate(db, size // 2)
        else:
            with open(db, "r+b") as f:  # garbage over the pages after the first two
                f.seek(8192)
                f.write(os.urandom(min(16384, size - 8192)))
        for args in (["ls"], ["top", "@1"], ["top", "@4"], ["import", PROFILES[5]]):
            rc, out, err = run([args[0], "--db", db] + args[1:])
            ok = rc == 0 or (rc == 1 and len(err.strip().split("\n")) == 1
                             and err.startswith("memtop: "))
            check(ok, f"{kind}: {' '.join(args)}: exit 0, or 1 with one line "
                      f"(rc {rc}, {err.strip()[:200]!r})")
        print(f"     {kind}: {err.strip()}")


def fsize(tmp):
    """Issue 19: past the file size limit (ulimit -f) an import fails with
    one line that says so, instead of SIGXFSZ killing memtop silently (rc
    -25); the database keeps what was imported before and stays sound."""
    db = os.path.join(tmp, "fsize.db")
    rc, out, err = run(["import", "--db", db, PROFILES[0]])
    check(rc == 0, f"fsize: first import ({err.strip()})")
    before = snapshots(db)
    size = os.path.getsize(db) + 4 * 1024

    def limit():  # SIGXFSZ keeps its default action: memtop must handle it
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    failed = 0
    for prof in PROFILES[1:4]:
        rc, out, err = run(["import", "--db", db, prof], preexec=limit)
        check(rc in (0, 1), f"fsize: import of {os.path.basename(prof)} is not killed "
                            f"(rc {rc})")
        if rc == 1:
            failed += 1
            one_line_error(rc, err, [db, prof], "fsize: import")
            check("File too large" in err or "ulimit -f" in err,
                  f"fsize: the error names the file size limit ({err.strip()!r})")
    check(failed > 0, "fsize: imports ran into the limit")
    integrity(db, "fsize")
    after = snapshots(db)
    check(len(after) == len(before) + 3 - failed,
          f"fsize: exactly the imports that succeeded are listed ({len(after)})")
    totals_ok(db, after, "fsize")


def foreign(tmp):
    """Issue 19: someone else's SQLite database is refused with one line and
    left byte for byte as it was (no tables added, no user_version, no WAL),
    also with a table named like one of memtop's; memtop's own databases,
    stamped with PRAGMA application_id or from before the stamp, open."""
    cases = {
        "other.sqlite": ["CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
                         "INSERT INTO users (name) VALUES ('ada')"],
        "clash.sqlite": ["CREATE TABLE snapshot (x)", "INSERT INTO snapshot VALUES (1)"],
        "appid.sqlite": ["PRAGMA application_id = 42"],
        "version.sqlite": ["PRAGMA user_version = 7", "CREATE TABLE t (x)"],
    }
    for name, sql in cases.items():
        db = os.path.join(tmp, name)
        con = sqlite3.connect(db)
        for q in sql:
            con.execute(q)
        con.commit()
        con.close()
        with open(db, "rb") as f:
            before = f.read()
        for args in (["ls"], ["import", PROFILES[0]], ["top", "@1"], ["leaks"], ["metrics"],
                     ["rm", "1"]):
            rc, out, err = run([args[0], "--db", db] + args[1:])
            one_line_error(rc, err, db, f"{name}: {args[0]}")
            check("not a memtop database" in err and "left unchanged" in err,
                  f"{name}: {args[0]}: says it is not a memtop database ({err.strip()!r})")
        with open(db, "rb") as f:
            check(f.read() == before, f"{name}: the file is left byte for byte as it was")
        check(not os.path.exists(db + "-wal") and not os.path.exists(db + "-shm"),
              f"{name}: no WAL or shared-memory file made")

    def pragmas(db):
        con = sqlite3.connect(db)
        try:
            return (con.execute("PRAGMA application_id").fetchone()[0],
                    con.execute("PRAGMA user_version").fetchone()[0])
        finally:
            con.close()

    # A new database is stamped; one whose stamp was removed (made before
    # it existed) opens and is stamped again, as is a version 1 database.
    db = os.path.join(tmp, "mine.db")
    rc, out, err = run(["import", "--db", db, PROFILES[0]])
    check(rc == 0, f"foreign: a new database ({err.strip()})")
    check(pragmas(db) == (0x6d746f70, SCHEMA), f"foreign: a new database is stamped {pragmas(db)}")
    con = sqlite3.connect(db)
    con.execute("PRAGMA application_id = 0")
    con.commit()
    con.close()
    old = os.path.join(tmp, "v1.db")
    shutil.copy(os.path.join(ROOT, "tests", "data", "store", "v1.db"), old)
    for d in (db, old):
        n = len(snapshots(d))
        check(n > 0, f"foreign: {os.path.basename(d)} from before the stamp lists {n} snapshots")
        check(pragmas(d) == (0x6d746f70, SCHEMA),
              f"foreign: {os.path.basename(d)} is stamped and current {pragmas(d)}")


def main():
    cases = sys.argv[3:] or ["full_disk", "locked", "corrupt", "foreign", "fsize"]
    tmp = tempfile.mkdtemp(prefix="memtop-fault-")
    try:
        for c in cases:
            globals()[c](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
