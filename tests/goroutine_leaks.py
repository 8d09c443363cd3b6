#!/usr/bin/env python3
"""Goroutine leaks, first class, against a real Go service (tests/go/gleak),
started on 127.0.0.1:0 and always stopped by this test.

Usage: goroutine_leaks.py MEMTOP REPO_ROOT

Before each of ROUNDS collector rounds the test asks the service for
/work?park=3&poll=2&burst=5: three goroutines parked for ever in a receive
(main.parkForever), two pollers whose ticker is never stopped
(main.pollLoop), five goroutines that finish, and a 64 KiB result kept for
ever (main.rememberResult). `memtop collect --gc` stores its heap,
goroutine (debug=0) and goroutine?debug=2 endpoints each round; the service
saves a copy of every body it served.

Oracles:
- the program's arithmetic: after round k, 3k parked and 2k pollers, the
  four workers steady;
- a goroutine dump parser written here (Python, from the format of
  runtime/traceback.go) over the very bodies memtop stored: ids, states,
  functions and creators per goroutine, so counts per group and round,
  which ids were already there in an earlier dump, which ids two dumps
  share;
- go tool pprof -top on the first and last heap profiles for the leaking
  function's flat.
Checked: `memtop leaks` names the three culprits (functions a person would
fix, with their creators; never a runtime frame) and ranks them first;
`memtop check` exits 3 on them and 0 with a suppressions file;
`memtop goroutines --since` and `memtop diff` of two dumps agree with the
parser; a stored dump gives what its file gives.
Exit 77 (skipped) when go is not installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
go = shutil.which("go")
if not go:
    print("go not installed: skipped")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="memtop-gleak-")
env = dict(os.environ, TZ="UTC", LC_ALL="C",
           GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []
ROUNDS, PARK, POLL = 5, 3, 2


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, ok=(0,), **kw):
    r = subprocess.run([memtop] + args, cwd=root, env=env, capture_output=True, text=True, **kw)
    check(r.returncode in ok, f"memtop {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


# ---- an independent parser of goroutine dumps --------------------------------
HEADER = re.compile(r"^goroutine (\d+)(?: [^\[]*)? \[([^\]]*)\]:$")


def parse_dump(path):
    """[{id, state, wait, funcs (leaf first), creator}] of a debug=2 dump."""
    out, cur, expect_loc = [], None, False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = HEADER.match(line)
        if m:
            parts = m.group(2).split(", ")
            wait = 0
            for p in parts[1:]:
                if p.endswith(" minutes"):
                    wait = int(p.split()[0])
            cur = {"id": int(m.group(1)), "state": parts[0], "wait": wait, "funcs": [],
                   "creator": ""}
            out.append(cur)
            continue
        if cur is None or not line:
            cur = None if not line else cur
            continue
        if line.startswith("\t"):
            continue
        if line.startswith("created by "):
            cur["creator"] = line[len("created by "):].split(" in goroutine ")[0]
        elif line.endswith(")"):
            cur["funcs"].append(line[:line.rindex("(")])
    return out


def with_func(gs, fn, state=None):
    return [g for g in gs if fn in g["funcs"] and (state is None or g["state"] == state)]


def wait_blocked(base, parked, polling):
    """Polls the service's debug=2 dump (kept apart from the collected ones
    by its probe=1) until parked goroutines wait in
    main.parkForever (chan receive) and polling in main.pollLoop (select),
    for at most 60 s."""
    path = os.path.join(tmp, "probe.txt")
    deadline = time.monotonic() + 60
    while True:
        with urllib.request.urlopen(base + "/debug/pprof/goroutine?debug=2&probe=1") as r:
            with open(path, "wb") as f:
                f.write(r.read())
        gs = parse_dump(path)
        if (len(with_func(gs, "main.parkForever", "chan receive")) == parked and
                len(with_func(gs, "main.pollLoop", "select")) == polling):
            return
        if time.monotonic() > deadline:
            check(False, f"the service's goroutines never blocked ({parked}, {polling})")
            return
        time.sleep(0.05)


svc = None
try:
    exe = os.path.join(tmp, "gleak")
    b = subprocess.run([go, "build", "-o", exe, "."], env=env, capture_output=True, text=True,
                       cwd=os.path.join(root, "tests", "go", "gleak"))
    if b.returncode:
        sys.exit(f"FAIL: go build tests/go/gleak: {b.stderr}")
    served = os.path.join(tmp, "served")
    os.mkdir(served)
    svc = subprocess.Popen([exe, "-dump", served], stdout=subprocess.PIPE, text=True)
    line = svc.stdout.readline()
    if not line.startswith("listening on "):
        sys.exit(f"FAIL: gleak said {line!r}")
    base = "http://" + line.split()[-1]
    urls = {"heap": base + "/debug/pprof/heap",
            "goroutine": base + "/debug/pprof/goroutine",
            "goroutine-dump": base + "/debug/pprof/goroutine?debug=2"}
    db = os.path.join(tmp, "g.db")
    ids = {k: [] for k in urls}  # kind -> snapshot ids, round order
    for rnd in range(1, ROUNDS + 1):
        with urllib.request.urlopen(f"{base}/work?park={PARK}&poll={POLL}&burst=5") as r:
            check(r.status == 200, f"round {rnd}: /work said {r.status}")
        # The new goroutines reach their receive and select: waited for
        # in the service's own dump (bounded), never by a sleep.
        wait_blocked(base, PARK * rnd, POLL * rnd)
        # One URL at a time: a collector fetching them side by side would
        # put its own waiting connections (net/http.(*connReader).Read)
        # into some dumps and not others, as the machine's load decides.
        for u in urls.values():
            r = run(["collect", "--db", db, "--count", "1", "--gc", u])
            for ln in r.stdout.splitlines():
                sid, kind, url = ln.split("\t")[:3]
                ids[kind].append(int(sid))
        time.sleep(0.3)
    check(all(len(v) == ROUNDS for v in ids.values()), f"stored per kind: {ids}")
    dumps = [os.path.join(served, f"debug_pprof_goroutine_debug-2.{i}")
             for i in range(1, ROUNDS + 1)]
    parsed = [parse_dump(p) for p in dumps]

    # The program's arithmetic, through the parser.
    for k, gs in enumerate(parsed, 1):
        check(len(with_func(gs, "main.parkForever", "chan receive")) == PARK * k,
              f"dump {k}: parser counts {len(with_func(gs, 'main.parkForever'))} parked")
        check(len(with_func(gs, "main.pollLoop", "select")) == POLL * k,
              f"dump {k}: parser counts {len(with_func(gs, 'main.pollLoop'))} pollers")
        check(len(with_func(gs, "main.worker")) == 4, f"dump {k}: workers")

    # ---- memtop leaks: every series, the culprits first ----------------------
    doc = json.loads(run(["leaks", "--db", db, "--format", "json"]).stdout)
    kinds = [s["kind"] for s in doc["series"]]
    check(sorted(kinds) == ["goroutine", "goroutine-dump", "heap"], f"series {kinds}")
    check(set(kinds[:2]) <= {"heap", "goroutine-dump", "goroutine"}, f"order {kinds}")
    by = {s["kind"]: s for s in doc["series"]}
    gd = by.get("goroutine-dump", {"rows": []})
    leaking = {r["name"]: r for r in gd["rows"] if r["leak"]}
    check(set(leaking) == {"main.parkForever", "main.pollLoop"},
          f"leaking goroutine groups: {sorted(leaking)}")
    check([r["name"] for r in gd["rows"][:2]] in (["main.parkForever", "main.pollLoop"],
                                                  ["main.pollLoop", "main.parkForever"]),
          f"the leaks are not ranked first: {[r['name'] for r in gd['rows'][:3]]}")
    check(not [r for r in gd["rows"] if r["name"].startswith(("runtime.", "sync."))
               and r["leak"]], "a runtime frame ranked as a leak")
    for name, state, creator, per in (("main.parkForever", "chan receive", "main.handleWork", PARK),
                                      ("main.pollLoop", "select", "main.startPoller", POLL)):
        r = leaking.get(name, {})
        want = [len(with_func(gs, name, state)) for gs in parsed]
        check(r.get("state") == state and r.get("created_by") == creator,
              f"{name}: state/creator {r.get('state')}/{r.get('created_by')}")
        check(r.get("counts") == want == [per * k for k in range(1, ROUNDS + 1)],
              f"{name}: counts {r.get('counts')}, parser {want}")
        # Stuck since the first snapshot: the first round's goroutines, by id.
        first_ids = {g["id"] for g in with_func(parsed[0], name, state)}
        still = {g["id"] for g in with_func(parsed[-1], name, state)} & first_ids
        check(r.get("stuck") == len(still) == per and r.get("oldest_since") == ids["goroutine-dump"][0],
              f"{name}: stuck {r.get('stuck')} since @{r.get('oldest_since')}, parser {len(still)}")
    steady = [r for r in gd["rows"] if r["name"] == "main.worker"]
    check(len(steady) == 1 and not steady[0]["leak"] and steady[0]["counts"] == [4] * ROUNDS,
          f"main.worker: {steady}")
    creators = {c["name"]: c for c in gd.get("creators", [])}
    check(creators.get("main.handleWork", {}).get("leak") and
          creators.get("main.startPoller", {}).get("leak"), f"creators {list(creators)}")
    # The goroutine profile (debug=0, no ids): the same two groups leak.
    gp = by.get("goroutine", {"rows": []})
    check({r["name"] for r in gp["rows"] if r["leak"]} == {"main.parkForever", "main.pollLoop"},
          f"goroutine profile leaks: {[r['name'] for r in gp['rows'] if r['leak']]}")
    # The heap: the leaking function of the program, its flat as pprof says.
    hp = by.get("heap", {"rows": []})
    hleak = [r["name"] for r in hp["rows"] if r["leak"] and r["name"].startswith("main.")]
    check(hleak == ["main.rememberResult"], f"heap leaks of main: {hleak}")
    heaps = [os.path.join(served, f"debug_pprof_heap_gc-1.{i}") for i in (1, ROUNDS)]
    pp = [subprocess.run([go, "tool", "pprof", "-top", "-nodefraction=0", "-unit=B", h],
                         env=env, capture_output=True, text=True).stdout for h in heaps]
    flat = []
    for out in pp:
        m = re.search(r"^\s*(\d+)B\s.*\smain\.rememberResult$", out, re.M)
        # A heap profile is as of the last GC cycles: absent is 0.
        flat.append(int(m.group(1)) if m else 0)
    check(flat[-1] > flat[0], f"pprof: main.rememberResult does not grow: {flat}")
    hr = next((r for r in hp["rows"] if r["name"] == "main.rememberResult"), {})
    check([hr.get("first"), hr.get("last")] == flat,
          f"main.rememberResult first/last {hr.get('first')}/{hr.get('last')}, pprof {flat}")
    text = run(["leaks", "--db", db]).stdout
    for want in (r"^yes .*main\.parkForever in chan receive, created by main\.handleWork$",
                 r"^yes .*main\.pollLoop in select, created by main\.startPoller$",
                 r"^yes .*main\.rememberResult$"):
        check(re.search(want, text, re.M), f"leaks text lacks /{want}/:\n{text}")

    # ---- memtop check --------------------------------------------------------
    r = run(["check", "--db", db, "--max-goroutines-growth", "2", "--max-growth", "100kB"],
            ok=(3,))
    for fn in ("main.parkForever", "main.pollLoop", "main.rememberResult"):
        check(fn in r.stdout, f"check does not name {fn}: {r.stdout}")
    check("main.worker" not in r.stdout, f"check names the steady workers: {r.stdout}")
    run(["check", "--db", db, "--max-goroutines-growth", "50%"], ok=(3,))
    ign = os.path.join(tmp, "known-leaks")
    with open(ign, "w") as f:
        f.write("# known goroutine leaks\nmain\\.parkForever\n\ntop:^main\\.pollLoop$\n")
    r = run(["check", "--db", db, "--max-goroutines-growth", "2", "--ignore-file", ign])
    check("leaving out the ignored ones" in r.stdout, f"check with suppressions: {r.stdout}")
    with open(ign, "w") as f:
        f.write("main\\.parkForever\n")
    r = run(["check", "--db", db, "--max-goroutines-growth", "2", "--ignore-file", ign], ok=(3,))
    check("main.pollLoop" in r.stdout and "main.parkForever" not in r.stdout.split(":\n", 1)[-1],
          f"check with one suppression: {r.stdout}")
    run(["check", "--db", db, "--max-goroutines-growth", "lots"], ok=(2,))
    # Nothing of the kind to check is an error, not a pass.
    r = run(["check", "--db", db, "--kind", "heap", "--max-goroutines-growth", "2"], ok=(1,))
    check("no stored goroutine series" in r.stderr, f"check of no series: {r.stderr}")
    with open(ign, "w") as f:
        f.write("(unclosed\n")
    run(["check", "--db", db, "--max-goroutines-growth", "2", "--ignore-file", ign], ok=(2,))

    # ---- lifetimes: goroutines --since against the parser --------------------
    dids = ids["goroutine-dump"]
    since, cur = dids[1], dids[-1]
    g = json.loads(run(["goroutines", "--db", db, "--since", f"@{since}", "--format", "json",
                        f"@{cur}"]).stdout)
    check(g["total"] == len(parsed[-1]), f"@{cur}: total {g['total']}, parser {len(parsed[-1])}")

    def key(x):
        return (x["state"], tuple(x["funcs"]), x["creator"])

    pgroups = {}
    for x in parsed[-1]:
        pgroups.setdefault(key(x), []).append(x)
    # Goroutines there since dump 2: in every dump 2..5, same group, the
    # wait never going back.
    keys_at = [{x["id"]: (key(x), x["wait"]) for x in gs} for gs in parsed]
    for grp in g["groups"]:
        k = (grp["state"], tuple(f["function"] for f in grp["frames"]), grp["created_by"])
        members = pgroups.pop(k, None)
        if not check(members is not None, f"group {k[:2]} not found by the parser"):
            continue
        check(sorted(grp["ids"]) == sorted(x["id"] for x in members),
              f"{grp['name']}: ids differ from the parser's")
        there = 0
        for x in members:
            ok, wait = True, x["wait"]
            for at in reversed(keys_at[1:-1]):
                kw = at.get(x["id"])
                if not kw or kw[0] != k or kw[1] > wait:
                    ok = False
                    break
                wait = kw[1]
            there += ok
        check(grp["since"]["count"] == there and grp["since"]["snapshot"] == since and
              grp["since"]["dumps_ago"] == ROUNDS - 2,
              f"{grp['name']} ({grp['state']}): since {grp['since']}, parser {there}")
    check(not pgroups, f"parser groups memtop lacks: {list(pgroups)[:3]}")
    park = [x for x in g["groups"] if x["name"] == "main.parkForever"]
    check(park and park[0]["since"]["count"] == 2 * PARK and
          park[0]["oldest"]["since"] == dids[0],
          f"main.parkForever since: {park[0]['since'] if park else None}")

    # ---- a stored dump is its file -------------------------------------------
    a = run(["goroutines", "--format", "json", dumps[-1]]).stdout
    b2 = run(["goroutines", "--db", db, "--format", "json", f"@{cur}"]).stdout
    check(a == b2 and a, "goroutines @ID differs from goroutines FILE")
    a = run(["goroutines", dumps[-1]]).stdout
    b2 = run(["goroutines", "--db", db, f"@{cur}"]).stdout
    check(a == b2 and a, "goroutines @ID text differs from goroutines FILE")

    # ---- two dumps compared --------------------------------------------------
    d = json.loads(run(["diff", "--format", "json", dumps[0], dumps[-1]]).stdout)
    check(d["base_total"] == len(parsed[0]) and d["new_total"] == len(parsed[-1]),
          f"diff totals {d['base_total']}/{d['new_total']}")
    for row in d["groups"]:
        if row["name"] not in ("main.parkForever", "main.pollLoop", "main.worker"):
            continue
        st = row["state"]
        b0 = {x["id"] for x in with_func(parsed[0], row["name"], st)}
        b1 = {x["id"] for x in with_func(parsed[-1], row["name"], st)}
        check((row["base"], row["new"], row["kept"], row["in"]) ==
              (len(b0), len(b1), len(b0 & b1), "both"),
              f"diff {row['name']}: {row}, parser {(len(b0), len(b1), len(b0 & b1))}")
finally:
    if svc:
        svc.terminate()
        try:
            svc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            svc.kill()
            svc.wait()
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
