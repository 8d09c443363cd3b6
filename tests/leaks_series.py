#!/usr/bin/env python3
"""memtop leaks and memtop check on a real series of Go heap profiles.

Usage: leaks_series.py MEMTOP REPO_ROOT

tests/go/series (built here with Debian's golang-go) writes 12 heap profiles
of itself: main.leakGrow keeps 64 KiB more every step, main.steadyHold
holds 256 KiB, main.sawtoothGrow grows 128 KiB a step and drops back every
fourth step. With -steady nothing grows. The profiles are imported an hour
apart (import --time, since Go stamps them with the real clock).

Oracles:
- go tool pprof -top -nodefraction=0 -unit=B on the first and the last file
  of the series: every row's first/last (flat) and cum_first/cum_last must
  be pprof's flat and cum of that function; the same after --since.
- the program's own arithmetic: the leak's slope is 64 KiB an hour, exactly.
- the leak rule: the leak ranks first and is the only function of the
  program flagged; steady and sawtooth are not; check exits 3 on the leaking
  series and 0 on the steady one.
Python 3 standard library only.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
tmp = tempfile.mkdtemp(prefix="memtop-leaks-")
go = shutil.which("go")
env = dict(os.environ, TZ="UTC", LC_ALL="C",
           GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []
N = 12
T0 = 1700000000


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, ok=(0,)):
    r = subprocess.run([memtop] + args, env=env, capture_output=True, text=True)
    check(r.returncode in ok, f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def pprof_top(path):
    """name -> (flat, cum) from go tool pprof -top in bytes."""
    r = subprocess.run([go, "tool", "pprof", "-top", "-nodefraction=0", "-unit=B", path],
                       env=env, capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(.*)$", line)
        if m:
            name = re.sub(r" \((partial-)?inline\)$", "", m.group(3).strip())
            out[name] = (int(m.group(1)), int(m.group(2)))
    return out


try:
    if not go:
        print("SKIP: no go toolchain")
        sys.exit(77)
    exe = os.path.join(tmp, "series")
    b = subprocess.run([go, "build", "-o", exe, "."], env=env,
                       cwd=os.path.join(root, "tests/go/series"), capture_output=True, text=True)
    if b.returncode:
        sys.exit(f"go build: {b.stderr}")
    db = os.path.join(tmp, "s.db")
    dirs = {}
    for name, extra in (("leaky", []), ("steady", ["-steady"])):
        d = os.path.join(tmp, name)
        os.mkdir(d)
        subprocess.run([exe, "-n", str(N)] + extra + [d], env=env, check=True)
        files = [os.path.join(d, f"heap-{i:02d}.pb.gz") for i in range(N)]
        for i, f in enumerate(files):
            r = run(["import", "--db", db, "--time", str(T0 + 3600 * i), f])
            check(re.fullmatch(r"\d+\n", r.stdout), f"import {f}: {r.stdout!r}")
        dirs[name] = (d, files)

    def leaks(src, *extra):
        """The one series of src, with the findings of the whole answer."""
        r = run(["leaks", "--db", db, "--source", src + "/", "--format", "json"] + list(extra))
        doc = json.loads(r.stdout)
        check(len(doc["series"]) == 1, f"leaks --source {src}: {len(doc['series'])} series")
        one = doc["series"][0]
        one["findings"] = doc["findings"]
        return one

    def against_pprof(doc, first, last, what):
        a, z = pprof_top(first), pprof_top(last)
        check(doc["rows"], f"{what}: no rows")
        for row in doc["rows"]:
            n = row["name"]
            want = (a.get(n, (0, 0))[0], z.get(n, (0, 0))[0], a.get(n, (0, 0))[1], z.get(n, (0, 0))[1])
            got = (row["first"], row["last"], row["cum_first"], row["cum_last"])
            check(got == want, f"{what}: {n}: first/last/cum_first/cum_last {got}, pprof {want}")
        names = {row["name"] for row in doc["rows"]}
        for n in set(a) | set(z):
            check(n in names, f"{what}: pprof has {n}, leaks does not")

    # --- the leaking series --------------------------------------------------
    d, files = dirs["leaky"]
    doc = leaks(d, "-n", "0")
    check(doc["snapshots"] == N and doc["kind"] == "heap" and doc["sample_type"] == "inuse_space",
          f"series: {doc['snapshots']} snapshots of {doc['kind']}/{doc['sample_type']}")
    rows = {r["name"]: r for r in doc["rows"]}
    check(doc["rows"][0]["name"] == "main.leakGrow", f"first row is {doc['rows'][0]['name']}")
    lk = rows.get("main.leakGrow", {})
    check(lk.get("leak") is True and lk.get("snapshots") == N, f"main.leakGrow: {lk}")
    check(abs(lk.get("slope_per_hour", 0) - 65536) < 1e-6 * 65536 and lk.get("r2", 0) > 0.999,
          f"main.leakGrow slope {lk.get('slope_per_hour')} r2 {lk.get('r2')}, want 65536/hour")
    for n in ("main.steadyHold", "main.sawtoothGrow"):
        check(n in rows and rows[n]["leak"] is False, f"{n} flagged or missing: {rows.get(n)}")
    flagged = [r["name"] for r in doc["rows"] if r["leak"] and r["name"].startswith("main.")]
    check(flagged == ["main.leakGrow"], f"flagged functions of main: {flagged}")
    against_pprof(doc, files[0], files[-1], "series")
    st = doc["stacks"][0]
    check(st["leak"] and st["frames"][:2] == ["main.leakGrow", "main.main"],
          f"first stack {st}")
    # The default series is the one with the most snapshots: both have N;
    # the text table names the function too.
    txt = run(["leaks", "--db", db, "--source", d + "/"]).stdout
    check(re.search(r"^yes .*main\.leakGrow$", txt, re.M) is not None, f"text table:\n{txt}")

    # --since: the last 5 hours are 6 snapshots.
    doc5 = leaks(d, "--since", "5h", "-n", "0")
    check(doc5["snapshots"] == 6, f"--since 5h: {doc5['snapshots']} snapshots")
    against_pprof(doc5, files[6], files[-1], "--since 5h")

    # --- check ----------------------------------------------------------------
    r = run(["check", "--db", db, "--source", d + "/", "--max-growth", "200kB"], ok=(3,))
    check("main.leakGrow" in r.stdout and "main.sawtoothGrow" not in r.stdout,
          f"check output: {r.stdout!r}")
    run(["check", "--db", db, "--source", d + "/", "--max-growth", "1000%"], ok=(3,))
    run(["check", "--db", db, "--source", d + "/", "--max-growth", "2000%"], ok=(0,))
    run(["check", "--db", db, "--source", d + "/", "--max-growth", "1MB"], ok=(0,))
    sd, sfiles = dirs["steady"]
    r = run(["check", "--db", db, "--source", sd + "/", "--max-growth", "200kB"], ok=(0,))
    run(["check", "--db", db, "--source", sd + "/", "--max-growth", "50%"], ok=(0,))
    sdoc = leaks(sd, "-n", "0")
    check(not [x for x in sdoc["rows"] if x["leak"] and x["name"].startswith("main.")],
          f"steady series flags {[x['name'] for x in sdoc['rows'] if x['leak']]}")
    against_pprof(sdoc, sfiles[0], sfiles[-1], "steady series")

    # --- usage -----------------------------------------------------------------
    run(["check", "--db", db], ok=(2,))
    run(["check", "--db", db, "--max-growth", "lots"], ok=(2,))
    run(["leaks", "--db", db, "--since", "soon"], ok=(2,))
    run(["leaks", "--db", db, "--kind", "mutex"], ok=(1,))
    run(["leaks", "--db", os.path.join(tmp, "none.db")], ok=(1,))
    # --- metrics findings beside the ranking -----------------------------------
    check(doc.get("findings") == [], f"findings with no metrics: {doc.get('findings')}")
    run(["import", "--db", db, os.path.join(root, "tests/data/go/gctrace.log")])
    fdoc = leaks(d, "-n", "3")
    check(fdoc["rows"][0]["name"] == "main.leakGrow" and
          [f["kind"] for f in fdoc["findings"]] == ["heap-rising"],
          f"with a gctrace log: rows {[r['name'] for r in fdoc['rows']]}, "
          f"findings {fdoc.get('findings')}")
    # With only findings for a kind without snapshots: they, and exit 0.
    r = run(["leaks", "--db", db, "--kind", "mutex", "--format", "json"])
    check(json.loads(r.stdout)["series"] == [] and json.loads(r.stdout)["findings"],
          f"--kind mutex with findings: {r.stdout!r}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
