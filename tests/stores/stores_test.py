#!/usr/bin/env python3
"""memtop against profile stores: a loopback Pyroscope and Parca
(tests/stores/fake_store.py: the endpoints, the API files and versions
followed) serving real Go heap profiles (tests/go/series, built here).

Usage: stores_test.py MEMTOP REPO_ROOT

The stub holds two services: "series" (pod a), the 12 profiles of the
series program, one in each 15 s window from T0 (at T0 + 15 i + 7); and
"pods", heap-03 as pod a and heap-08 as pod b, both at T0 + 7.
Oracles: `go tool pprof -top -nodefraction=0 -unit=B -sample_index=inuse_space`
on the files the stub serves (several files: pprof merges them, as the
stores do), compared with compare_top.py; the stub's own record of what
was pushed (bytes and labels) against the bytes it served for scraping.
Checked, for each store (and Pyroscope before 2.2: the fallback to
SelectMergeProfile):
- listing: `memtop ls STORE` names the profile types, labels and values,
  and with a type and a range the series (SelectSeries, QueryRange): each
  step's total is pprof's total of the profile in it;
- a merge of one window and of two pods, a label selector (=, =~), --base;
- a range as a series: `memtop leaks REF?from&until&step` stores 12
  snapshots and ranks main.leakGrow first, first/last as pprof's;
- the viewer (script mode) shows the store's profile;
- the tenant header; `collect --push` delivers the scraped bytes with the
  service name and labels;
- a 500, a slow answer (--timeout), a malformed body, a bad reference:
  exit 1 (2 for a bad reference), one stderr line naming the reference.
Exit 77 (skipped) without go.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import fake_store  # noqa: E402

memtop, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
go = shutil.which("go")
if not go:
    print("go not installed: skipped")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="memtop-stores-")
env = dict(os.environ, TZ="UTC", LC_ALL="C", HOME=tmp, PPROF_TMPDIR=tmp,
           GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []
T0 = 1700000000
N = 12
HEAP = "memory:inuse_space:bytes:space:bytes"


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, timeout=120):
    return subprocess.run([memtop] + args, cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout)


def pprof_golden(paths, name, base=None):
    args = [go, "tool", "pprof", "-top", "-nodefraction=0", "-unit=B",
            "-sample_index=inuse_space"]
    if base:
        args += ["-base", base]
    out = subprocess.run(args + paths, env=env, capture_output=True, text=True,
                         check=True).stdout
    path = os.path.join(tmp, name + ".top")
    with open(path, "w") as f:
        f.write(out)
    return path


def pprof_rows(path):
    """name -> (flat, cum) of one profile, for leaks' first/last."""
    out = open(pprof_golden([path], "rows")).read()
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*(-?\d+)B?\s+\S+%\s+\S+%\s+(-?\d+)B?\s+\S+%\s+(.*)$", line)
        if m:
            rows[re.sub(r" \((partial-)?inline\)$", "", m.group(3).strip())] = (
                int(m.group(1)), int(m.group(2)))
    return rows


def same_as_pprof(ref, paths, what, extra=(), base=None):
    r = run(["top", "--format", "json", "-n", "0", "--db", ":memory:"] + list(extra) + [ref])
    if not check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr.strip()}"):
        return
    gold = pprof_golden(paths, what.replace(" ", "_"), base)
    c = subprocess.run([sys.executable, os.path.join(root, "tests", "compare_top.py"), gold, "-"],
                       input=r.stdout, capture_output=True, text=True)
    check(c.returncode == 0, f"{what}: differs from pprof: {c.stdout.strip()} {c.stderr.strip()}")


def one_line_error(r, ref, what, status=1, words=()):
    lines = r.stderr.strip().splitlines()
    check(r.returncode == status, f"{what}: exit {r.returncode}, want {status}")
    check(len(lines) == 1 and ref in lines[0],
          f"{what}: stderr should be one line naming the reference: {r.stderr!r}")
    for w in words:
        check(w in r.stderr, f"{what}: stderr lacks {w!r}: {r.stderr!r}")


server = None
try:
    exe = os.path.join(tmp, "series")
    b = subprocess.run([go, "build", "-o", exe, "."], env=env,
                       cwd=os.path.join(root, "tests/go/series"), capture_output=True, text=True)
    if b.returncode:
        sys.exit(f"go build: {b.stderr}")
    d = os.path.join(tmp, "profiles")
    os.mkdir(d)
    subprocess.run([exe, "-n", str(N), d], env=env, check=True)
    files = [os.path.join(d, f"heap-{i:02d}.pb.gz") for i in range(N)]

    totals = []
    for f in files:
        m = re.search(r"of (\d+)B? total", open(pprof_golden([f], "total")).read())
        totals.append(int(m.group(1)))
    store = fake_store.Store(go, env)
    for i, f in enumerate(files):
        store.add("memory", {"service_name": "series", "pod": "a"}, T0 + 15 * i + 7, f)
    store.add("memory", {"service_name": "pods", "pod": "a"}, T0 + 7, files[3])
    store.add("memory", {"service_name": "pods", "pod": "b"}, T0 + 7, files[8])
    store.scrape_path = files[5]
    server = fake_store.Server(store)
    host = f"127.0.0.1:{server.port}"
    rng = f"from={T0}&until={T0 + 15}"

    for scheme, legacy in (("pyroscope", False), ("pyroscope", True), ("parca", False)):
        store.legacy = legacy
        tag = scheme + (" before 2.2" if legacy else "")
        S = f"{scheme}://{host}"
        typ = HEAP if scheme == "pyroscope" else "heap"

        # --- listing ----------------------------------------------------
        r = run(["ls", "--format", "json", S])
        if check(r.returncode == 0, f"{tag} ls: exit {r.returncode}: {r.stderr}"):
            doc = json.loads(r.stdout)
            check(HEAP in doc["profile_types"] and len(doc["profile_types"]) == 4,
                  f"{tag} ls: types {doc['profile_types']}")
            check(doc["labels"].get("service_name") == ["pods", "series"]
                  and doc["labels"].get("pod") == ["a", "b"]
                  and doc["labels"].get("__name__") == ["memory"],
                  f"{tag} ls: labels {doc['labels']}")
        r = run(["ls", S + '/{service_name="series"}'])
        check(r.returncode == 0 and re.search(r"pod: a\n", r.stdout)
              and "service_name: series\n" in r.stdout,
              f"{tag} ls with a selector: {r.stdout!r} {r.stderr!r}")

        # Series: each step's total, the pprof total of the file in it.
        r = run(["ls", "--format", "json",
                 f'{S}/{typ}{{service_name="series"}}?from={T0}&until={T0 + 15 * N}&step=15s'])
        if check(r.returncode == 0, f"{tag} ls series: exit {r.returncode}: {r.stderr}"):
            ser = json.loads(r.stdout)["series"]
            check(len(ser) == 1 and ser[0]["labels"] == {"pod": "a", "service_name": "series"},
                  f"{tag} ls series: {[x['labels'] for x in ser]}")
            got = [p["value"] for p in ser[0]["points"]] if ser else []
            check(got == totals, f"{tag} ls series: totals {got}, pprof {totals}")
            times = [p["time"] for p in ser[0]["points"]] if ser else []
            check(times == sorted(times) and len(set(times)) == N, f"{tag} ls series times {times}")

        # --- merges -------------------------------------------------------
        same_as_pprof(f'{S}/{typ}{{service_name="pods",pod="a"}}?{rng}', [files[3]],
                      f"{tag} one pod")
        same_as_pprof(f'{S}/{typ}{{service_name="pods"}}?{rng}', [files[3], files[8]],
                      f"{tag} two pods merged")
        same_as_pprof(f'{S}/{typ}{{service_name="pods",pod=~"b|c"}}?{rng}', [files[8]],
                      f"{tag} regex selector")
        # One 15 s window (the default when from= is absent) of the series.
        same_as_pprof(f'{S}/{typ}{{service_name="series"}}?until={T0 + 15 * 5}&window=15s',
                      [files[4]], f"{tag} one window")
        same_as_pprof(f'{S}/{typ}{{service_name="pods",pod="b"}}?{rng}', [files[8]],
                      f"{tag} --base", extra=["--base", f'{S}/{typ}{{service_name="pods",pod="a"}}?{rng}'],
                      base=files[3])

        # --- a range as a series -----------------------------------------
        db = os.path.join(tmp, f"{scheme}{int(legacy)}.db")
        ref = f'{S}/{typ}{{service_name="series"}}?from={T0}&until={T0 + 15 * N}&step=15s'
        r = run(["leaks", "--db", db, "--format", "json", "-n", "0", ref])
        if check(r.returncode == 0, f"{tag} leaks: exit {r.returncode}: {r.stderr}"):
            doc = json.loads(r.stdout)
            check(len(doc["series"]) == 1, f"{tag} leaks: {len(doc['series'])} series")
            s = doc["series"][0]
            check(s["snapshots"] == N and s["kind"] == "heap"
                  and s["sample_type"] == "inuse_space"
                  and s["source"].startswith(f"{scheme}://{host}/"),
                  f"{tag} leaks: {s['snapshots']} {s['kind']} {s['sample_type']} {s['source']}")
            check(s["rows"] and s["rows"][0]["name"] == "main.leakGrow"
                  and s["rows"][0]["leak"] is True, f"{tag} leaks: first row {s['rows'][:1]}")
            a, z = pprof_rows(files[0]), pprof_rows(files[-1])
            for row in s["rows"]:
                n = row["name"]
                want = (a.get(n, (0, 0))[0], z.get(n, (0, 0))[0])
                check((row["first"], row["last"]) == want,
                      f"{tag} leaks {n}: first/last {(row['first'], row['last'])}, pprof {want}")
        # The same range again: found stored, nothing added, nothing asked
        # for again (the windows ended long ago).
        store.requests.clear()
        r = run(["leaks", "--db", db, "--format", "json", ref])
        check(r.returncode == 0 and json.loads(r.stdout)["series"][0]["snapshots"] == N,
              f"{tag} leaks again: {r.stderr}")
        asked = [p for _, p, _ in store.requests if "Merge" in p or "query" in p]
        check(not asked, f"{tag} leaks again asked the store again: {asked[:2]}")
        # One more step: only the new window is asked for.
        store.requests.clear()
        r = run(["leaks", "--db", db, "--format", "json", ref.replace(
            f"until={T0 + 15 * N}", f"until={T0 + 15 * (N + 1)}")])
        asked = [p for _, p, _ in store.requests if "Merge" in p or "query" in p]
        check(r.returncode == 0 and len(asked) == (2 if legacy else 1),
              f"{tag} leaks one step more: exit {r.returncode}, asked {asked}")
        r = run(["ls", "--db", db, "--format", "json"])
        snaps = json.loads(r.stdout)["snapshots"]  # the 13th window is empty
        check(len(snaps) == N, f"{tag}: {len(snaps)} snapshots stored, want {N}")

        # --- the viewer ---------------------------------------------------
        script = os.path.join(tmp, "keys")
        dump = os.path.join(tmp, f"screen-{scheme}")
        with open(script, "w") as f:
            f.write(f":dump {dump}\nq\n")
        r = run(["--script", script, "--db", ":memory:",
                 f'{S}/{typ}{{service_name="series"}}?until={T0 + 15 * N}'])
        screen = open(dump).read() if os.path.exists(dump) else ""
        check(r.returncode == 0 and "main.leakGrow" in screen,
              f"{tag} viewer: exit {r.returncode} {r.stderr!r}: {screen[:300]!r}")

    store.legacy = False
    # --- tenants (Pyroscope) --------------------------------------------------
    store.tenant = "team-a"
    ref = f'pyroscope://{host}/heap{{pod="a",service_name="pods"}}?{rng}'
    r = run(["top", "--db", ":memory:", ref])
    one_line_error(r, ref, "no tenant", words=("401",))
    same_as_pprof(ref + "&tenant=team-a", [files[3]], "tenant")
    check(store.requests[-1][2].get("X-Scope-OrgID") == "team-a", "tenant: no X-Scope-OrgID")
    store.tenant = None

    # --- push ---------------------------------------------------------------------
    served = open(files[5], "rb").read()
    for scheme in ("pyroscope", "parca"):
        store.pushes.clear()
        r = run(["collect", "--count", "1", "--db", ":memory:", "--push",
                 f'{scheme}://{host}/{{service_name="api",env="test"}}',
                 f"http://{host}/debug/pprof/heap"])
        check(r.returncode == 0, f"{scheme} push: exit {r.returncode}: {r.stderr}")
        check(len(store.pushes) == 1, f"{scheme} push: {len(store.pushes)} pushes")
        for p in store.pushes:
            check(p["store"] == scheme, f"{scheme} push went to {p['store']}")
            check(hashlib.sha256(p["raw"]).hexdigest() == hashlib.sha256(served).hexdigest(),
                  f"{scheme} push: the bytes pushed are not those scraped")
            check(p["labels"] == {"__name__": "memory", "service_name": "api", "env": "test",
                                  "instance": host}, f"{scheme} push labels {p['labels']}")
    # The default service name is the target.
    store.pushes.clear()
    r = run(["collect", "--count", "1", "--db", ":memory:", "--push", f"pyroscope://{host}",
             f"http://{host}/debug/pprof/heap"])
    check(r.returncode == 0 and store.pushes
          and store.pushes[0]["labels"].get("service_name") == host,
          f"push default service: {r.stderr} {store.pushes[:1]}")
    store.fault["/push.v1"] = "500"
    r = run(["collect", "--count", "1", "--db", ":memory:", "--push", f"pyroscope://{host}",
             f"http://{host}/debug/pprof/heap"])
    check(r.returncode == 1 and "HTTP status 500" in r.stderr and "no profile was pushed" in r.stderr,
          f"push to a failing store: exit {r.returncode}: {r.stderr!r}")
    store.fault.clear()

    # --- faults -------------------------------------------------------------------
    for scheme, prefix in (("pyroscope", "/querier.v1"), ("parca", "/api/profiles/query")):
        ref = f'{scheme}://{host}/heap{{service_name="pods"}}?{rng}'
        store.fault = {prefix: "500"}
        one_line_error(run(["top", "--db", ":memory:", ref]), ref, f"{scheme} 500",
                       words=("HTTP status 500",))
        store.fault = {prefix: "garbage"}
        one_line_error(run(["top", "--db", ":memory:", ref]), ref, f"{scheme} malformed",
                       words=("bad",))
        store.fault = {prefix: "slow"}
        t = time.monotonic()
        r = run(["top", "--db", ":memory:", "--timeout", "1", ref])
        took = time.monotonic() - t
        one_line_error(r, ref, f"{scheme} slow", words=("timed out",))
        check(took < fake_store.SLOW_SECONDS, f"{scheme} slow: took {took:.1f} s")
        store.fault = {}
    ref = f"pyroscope://{host}/heap{{pod=a}}"
    one_line_error(run(["top", ref]), ref, "bad selector", status=1, words=("selector",))
    ref = f"parca://{host}/heap?from=yesterday"
    one_line_error(run(["top", ref]), ref, "bad time", status=1, words=("from",))
    ref = f"pyroscope://{host}/heap?from={T0 - 600}&until={T0 - 300}&step=15s"
    r = run(["top", "--db", ":memory:", ref])
    one_line_error(r, ref, "empty range", words=("no profile",))
finally:
    if server:
        server.stop()
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
print(f"{'ok' if not failures else str(len(failures)) + ' failures'}")
sys.exit(1 if failures else 0)
