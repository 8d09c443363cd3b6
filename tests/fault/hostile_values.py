#!/usr/bin/env python3
"""Issue 19, item 1: sample values and times at the ends of int64.

Profiles (hand-encoded profile.proto, a few dozen bytes each) whose values
are INT64_MIN, INT64_MAX or sums past them, and whose time is INT64_MIN or
INT64_MAX, go through every command that aggregates them (top, tree, peek,
traces, export in all formats, diff, --base, --diff-base, list), through the
store (import, ls, leaks, check, top @ID) and through the viewer in script
mode. A database is then tampered with so that snapshot rows and metric
points hold extreme values (times, totals, sample counts, inf and -inf
points) and read back by ls, leaks, metrics, top @ID and the viewer.

Each run must exit 0 or 1, never with a signal, and print no sanitizer
report (run it under the ASan build with UBSan halting to make undefined
behaviour fatal). Sums saturate at the ends of int64 instead of wrapping:
the JSON of `top` is checked for that.

Usage: hostile_values.py MEMTOP REPO_ROOT
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbenc  # noqa: E402

MEMTOP = os.path.abspath(sys.argv[1])
MIN, MAX = -2**63, 2**63 - 1
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def profile(values, time=0, kind=("inuse_space", "bytes")):
    """Sample i has the stack main.f or main.g (alternating) called by
    main.g, so main.g is the root of every sample."""
    return pbenc.profile([([1 + i % 2, 2], v) for i, v in enumerate(values)],
                         ["main.f", "main.g"], kind, time)


def run(args, d, what=None):
    env = dict(os.environ, LC_ALL="C", TZ="UTC", MEMTOP_DB=os.path.join(d, "env.db"))
    try:
        p = subprocess.run([MEMTOP] + args, capture_output=True, text=True,
                           errors="replace", timeout=60, cwd=d, env=env)
    except subprocess.TimeoutExpired:
        check(False, f"{what or ' '.join(args)}: finishes within 60 s")
        return None
    what = what or " ".join(a.replace(d + "/", "") for a in args)
    check(p.returncode in (0, 1) and "runtime error" not in p.stderr
          and "Sanitizer" not in p.stderr,
          f"{what}: exit 0 or 1, no sanitizer report (rc {p.returncode}: "
          f"{p.stderr.strip()[-300:]!r})")
    return p


def main():
    d = tempfile.mkdtemp(prefix="memtop-ends-")
    try:
        profs = {
            "min": profile([MIN]),
            "max": profile([MAX, MAX, MAX]),
            "mix": profile([MAX, MIN, -MAX, 5]),
            "tmin": profile([100, 200], MIN),
            "tmax": profile([100, 200], MAX),
            "gor": profile([MAX, MAX, MIN], 0, ("goroutine", "count")),
        }
        paths = {}
        for name, data in profs.items():
            paths[name] = os.path.join(d, name + ".pb")
            with open(paths[name], "wb") as f:
                f.write(data)
        keys = os.path.join(d, "keys")
        with open(keys, "w") as f:
            f.write("1\n2\nDown\nEnter\n3\nE\nEnter\nEnd\n4\n5\nDown\nEnter\n6\nDown\nEnter\n1\ns\nq\n")
        db = os.path.join(d, "s.db")
        for name, p in paths.items():
            for args in (["top", p], ["top", "--cum", "--unit", "auto", p],
                         ["top", "--format", "json", "--granularity", "lines", p],
                         ["tree", p], ["peek", ".", p], ["traces", p],
                         ["export", "--format", "folded", "-o", "o", p],
                         ["export", "--format", "json", "-o", "o", p],
                         ["export", "--format", "pprof", "-o", "o", p],
                         ["export", "--format", "svg", "-o", "o", p],
                         ["diff", paths["mix"], p], ["diff", "--format", "json", p, paths["min"]],
                         ["diff", "--normalize", paths["max"], p],
                         ["top", "--base", paths["mix"], p],
                         ["top", "--diff-base", paths["max"], p],
                         ["list", ".", p],
                         ["--script", keys, "--screen", "80x24", p],
                         ["import", "--db", db, p]):
                run(args, d)

        # Sums saturate: three INT64_MAX samples under main.g.
        p = run(["top", "--format", "json", paths["max"]], d, "top json of INT64_MAX x 3")
        if p and p.returncode == 0:
            j = json.loads(p.stdout)
            rows = {r["name"]: r for r in j["rows"]}
            check(j["total"] == MAX, f"total saturates at INT64_MAX (got {j['total']})")
            check(rows.get("main.g", {}).get("cum") == MAX,
                  f"cum of main.g saturates at INT64_MAX (got {rows.get('main.g')})")
        # MIN + 5 under main.g stays exact; MAX + -MAX under main.f is 0.
        p = run(["top", "--format", "json", paths["mix"]], d, "top json of mixed ends")
        if p and p.returncode == 0:
            rows = {r["name"]: r for r in json.loads(p.stdout)["rows"]}
            check(rows.get("main.g", {}).get("flat") == MIN + 5,
                  f"flat of main.g is INT64_MIN + 5 (got {rows.get('main.g')})")
            check("main.f" not in rows, "main.f sums to 0 and is not listed")

        for args in (["ls", "--db", db], ["ls", "--db", db, "--format", "json"],
                     ["leaks", "--db", db], ["leaks", "--db", db, "--format", "json"],
                     ["check", "--db", db, "--max-growth", "10%"],
                     ["--script", keys, "--screen", "80x24", "--db", db],
                     ["--script", keys, "--screen", "120x40", "--db", db]):
            run(args, d)
        for i in range(1, 6):
            run(["top", "--db", db, "@%d" % i], d)
            run(["tree", "--db", db, "@%d" % i], d)

        # Any stored value: extreme snapshot fields and inf metric points.
        t = os.path.join(d, "t.db")
        shutil.copy(db, t)
        c = sqlite3.connect(t)
        for sid, v in ((1, MIN), (2, MAX)):
            c.execute("UPDATE snapshot SET time=?, stored=?, period=?, time_nanos=?, "
                      "duration_nanos=?, total=? WHERE id=?", (v, v, v, v, v, v, sid))
        c.execute("UPDATE snapshot SET nsample=? WHERE id=3", (MIN,))
        c.execute("UPDATE snapshot SET nsample=? WHERE id=4", (MAX,))
        c.execute("INSERT INTO series (id, name, source) VALUES "
                  "(1, 'memstats.HeapInuse', 'http://x/debug/vars'), "
                  "(2, 'proc.rss_bytes', 'pid:1')")
        for tm, v in ((MIN, float("inf")), (0, float("-inf")), (5, 1e308), (6, -1e308),
                      (MAX - 1, 1.0)):
            c.execute("INSERT INTO point VALUES (1, ?, ?), (2, ?, ?)", (tm, v, tm + 1, v))
        c.commit()
        c.close()
        keys5 = os.path.join(d, "keys5")
        with open(keys5, "w") as f:
            f.write("5\nDown\nDown\nRight\nRight\nEnd\nHome\nTab\nDown\nEnter\nq\n")
        for args in (["ls", "--db", t], ["ls", "--db", t, "--format", "json"],
                     ["leaks", "--db", t], ["leaks", "--db", t, "--format", "json"],
                     ["metrics", "--db", t], ["metrics", "--db", t, "--format", "json"],
                     ["--script", keys5, "--screen", "80x24", "--db", t],
                     ["--script", keys5, "--screen", "120x40", "--db", t],
                     ["--script", keys, "--screen", "120x40", "--db", t]):
            run(args, d)
        for i in range(1, 6):
            run(["top", "--db", t, "@%d" % i], d)
            run(["export", "--db", t, "--format", "json", "-o", "o", "@%d" % i], d)
        p = run(["top", "--db", t, "@4"], d, "top of a snapshot claiming INT64_MAX samples")
        check(p is not None and p.returncode == 1 and "@4" in p.stderr,
              f"a snapshot with a bad sample count is an error naming it "
              f"({p.stderr.strip() if p else ''})")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
