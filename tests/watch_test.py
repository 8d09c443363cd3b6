#!/usr/bin/env python3
"""memtop collect --watch DIR against real writers.

Usage: watch_test.py MEMTOP REPO_ROOT

Writers, while `memtop collect --watch` runs:
- tests/go/series (a real Go program, built here) writes 3 heap profiles
  with runtime/pprof straight into DIR;
- this script copies real profiles of tests/data/go in small chunks with
  pauses (the file is incomplete for a while), and one by the temporary
  file + rename pattern;
- a file that is not a profile.
Oracles: each complete file is stored exactly once, one stdout line each
(id, kind, path), and `memtop top @ID` prints what `memtop top FILE` prints
for it; nothing is read while incomplete (no error for a partial file);
the bad file is one line on stderr and the watch goes on; SIGTERM ends it
with status 0. That nothing more is stored is decided by a last file
written after the others (its line comes after anything they caused), not
by sleeping.
Python 3 standard library only.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
tmp = tempfile.mkdtemp(prefix="memtop-watch-")
go = shutil.which("go")
env = dict(os.environ, TZ="UTC", LC_ALL="C",
           GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def top(*args):
    return subprocess.run([memtop, "top"] + list(args), env=env, capture_output=True,
                          text=True).stdout


watch = os.path.join(tmp, "dir")
os.mkdir(watch)
db = os.path.join(tmp, "w.db")
p = None
try:
    exe = None
    if go:
        exe = os.path.join(tmp, "series")
        subprocess.run([go, "build", "-o", exe, "."], env=env, check=True,
                       cwd=os.path.join(root, "tests/go/series"))
    p = subprocess.Popen([memtop, "collect", "--watch", watch, "--db", db], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = p.stderr.readline()
    check(ready.startswith("memtop: watching "), f"no ready line: {ready!r}")

    expected = []  # paths that must be stored, in order
    # 1. Chunked copies: the file sits half-written across pauses.
    for name in ("heap.pb.gz", "goroutine.pb.gz"):
        src = os.path.join(root, "tests/data/go", name)
        dst = os.path.join(watch, "chunked-" + name)
        data = open(src, "rb").read()
        with open(dst, "wb") as f:
            for i in range(0, len(data), 1000):
                f.write(data[i:i + 1000])
                f.flush()
                os.fsync(f.fileno())
                time.sleep(0.02)
        expected.append((dst, src))
    # 2. Written elsewhere under a temporary name, renamed into place.
    src = os.path.join(root, "tests/data/go/allocs.pb.gz")
    dst = os.path.join(watch, "renamed-allocs.pb.gz")
    part = os.path.join(watch, "renamed-allocs.pb.gz.tmp")
    shutil.copy(src, part)
    os.rename(part, dst)
    expected.append((dst, src))
    # 3. Not a profile: reported, the watch goes on.
    with open(os.path.join(watch, "notes.txt"), "w") as f:
        f.write("not a profile\n")
    # 4. A real Go program writing its heap profiles into the directory.
    if exe:
        subprocess.run([exe, "-n", "3", watch], env=env, check=True)
        for i in range(3):
            f = os.path.join(watch, f"heap-{i:02d}.pb.gz")
            expected.append((f, f))
    else:
        print("note: no go toolchain, Go writer skipped")

    lines = []
    reader = threading.Thread(target=lambda: lines.extend(l.rstrip("\n") for l in p.stdout))
    reader.start()
    deadline = time.time() + 30
    while len(lines) < len(expected) and time.time() < deadline:
        time.sleep(0.05)
    # A last file, renamed into place after every writer is done: the
    # watcher handles its events in order, so anything more the earlier
    # files caused (a second import) is printed before this file's line.
    # No sleep decides that nothing else happens.
    src = os.path.join(root, "tests/data/go/mutex.pb.gz")
    last = os.path.join(watch, "zz-last.pb.gz")
    shutil.copy(src, last + ".tmp")
    os.rename(last + ".tmp", last)
    expected.append((last, src))
    while len(lines) < len(expected) and time.time() < deadline + 30:
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)
    reader.join()
    err = p.stderr.read()
    check(p.returncode == 0, f"SIGTERM: exit {p.returncode}")
    check(len(lines) == len(expected), f"{len(lines)} lines for {len(expected)} files: {lines}")
    for line, (path, orig) in zip(lines, expected):
        fields = line.split("\t")
        check(len(fields) == 3 and fields[2] == path and fields[0].isdigit(),
              f"line {line!r} for {path}")
        if len(fields) >= 1 and fields[0].isdigit():
            want = top(orig)
            check(want and top("--db", db, "@" + fields[0]) == want,
                  f"@{fields[0]} differs from {orig}")
    errs = [x for x in err.splitlines() if x]
    check(len(errs) == 1 and "notes.txt" in errs[0], f"stderr: {errs}")
finally:
    if p and p.poll() is None:
        p.kill()
        p.wait()
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
