#!/usr/bin/env python3
"""memtop --db opens the timeline on the series with the most snapshots
(the one memtop leaks ranks first), not on the series of the newest
snapshot: ten heaps of tests/data/go/heapseries, then one newer heap from
another directory. The shown snapshot is the newest of the ten, and the
leak suspects are that series' (memtop leaks names the same first
function).

Usage: open_series.py MEMTOP REPO_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
env = dict(os.environ, TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "s.db")
    series = sorted(f for f in os.listdir(os.path.join(root, "tests/data/go/heapseries"))
                    if f.endswith(".pb.gz"))[:10]
    t = 1700000000
    for f in series:
        subprocess.run([memtop, "import", "--db", db, "--time", str(t),
                        os.path.join(root, "tests/data/go/heapseries", f)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        t += 60
    subprocess.run([memtop, "import", "--db", db, "--time", str(t + 600),
                    os.path.join(root, "tests/data/go/heap.pb.gz")],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    keys = os.path.join(tmp, "keys")
    with open(keys, "w") as f:
        f.write(f":dump {tmp}/open.txt\nq\n")
    r = subprocess.run([memtop, "--db", db, "--script", keys, "--screen", "80x24"],
                       env=env, capture_output=True, text=True)
    check(r.returncode == 0, f"memtop --db exits 0 ({r.stderr.strip()})")
    screen = open(os.path.join(tmp, "open.txt"), encoding="utf-8").read()
    check(screen.startswith(" @10 "), f"the newest of the ten is shown: {screen[:20]!r}")
    check(re.search(r"^ \u25b8 heap +10 snapshots", screen, re.M) is not None,
          "the ten-snapshot series is the selected one")
    lk = subprocess.run([memtop, "leaks", "--db", db], env=env, capture_output=True,
                        text=True).stdout
    first = re.search(r"^(?:yes|\s+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)$", lk, re.M)
    sus = re.search(r"^[! ] (\S+)", screen.split("suspects", 1)[-1].split("\n", 1)[1], re.M)
    check(first and sus and first.group(1) == sus.group(1),
          f"its first suspect is memtop leaks' first ({sus and sus.group(1)}, "
          f"{first and first.group(1)})")
print(f"{'FAIL' if failures else 'ok'}: {len(failures)} failures")
sys.exit(1 if failures else 0)
