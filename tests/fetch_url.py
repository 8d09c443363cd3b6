#!/usr/bin/env python3
"""URLs wherever a profile goes, against the real Go service (tests/go/service:
net/http/pprof on 127.0.0.1, leaking on purpose), started and always stopped
by this test.

Usage: fetch_url.py MEMTOP REPO_ROOT

Oracles: the service saves a copy of every body it serves (-dump), so what
memtop fetched is known byte for byte:
- each stored snapshot's content hash is the SHA-256 (hashlib) of one served
  body, from the endpoint its source names;
- `go tool pprof -top -nodefraction=0 -unit=B|ns` on that body (and -base
  on two; the first with --gc, served at heap?gc=1) gives the numbers both `memtop top URL` (the same fetch) and
  `memtop top @ID` (the stored snapshot) must give (compare_top.py);
- the service round (`memtop top HOST:PORT`, no scheme, no path) stores the
  heap, allocs, goroutine dump, mutex, block, goroutineleak and /debug/vars,
  and reports on the heap;
- `--seconds 1` asks for Go's delta profiles: the served body's URL has
  seconds=1 and pprof reads a 1 s duration from it; --timeout is beyond the
  seconds (a 1 s timeout does not cut a 2 s delta profile);
- `memtop ls` lists every snapshot fetched, `--db :memory:` stores nothing,
  and a database that cannot be opened is a warning, not a failed report.
- goroutineleak (Go 1.26, not installed here): the service emulates it with
  a custom count profile of that name, which runtime/pprof writes as it
  writes every count profile (its pprof index lists it; pprof reads its
  protobuf), and a debug=1 text written by hand from the runtime's
  documented format ("goroutineleak profile: total N", then "count @ pcs"
  and "#\\tpc\\tfunc+off\\tfile:line" lines) gives the rows worked out by
  hand, the type and total pprof reads, and is stored as kind goroutineleak.
Hostile endpoints (stall after headers, endless body, 5 GB Content-Length,
refused, garbage, redirect, 500, a body cut short, a stalling index) each
end with exit 1 and one stderr line naming the URL, within the time bound,
under an address-space limit far below what they promise.
Exit 77 (skipped) when go is not installed.
"""
import glob
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
go = shutil.which("go")
if not go:
    print("go not installed: skipped")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="memtop-fetch-")
env = dict(os.environ, TZ="UTC", LC_ALL="C", HOME=tmp, PPROF_TMPDIR=tmp,
           GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, **kw):
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True,
                          timeout=240, **kw)


def run_measured(args):
    """Runs args; (exit status, stderr, seconds, peak RSS in MiB)."""
    err = tempfile.TemporaryFile(mode="w+")
    t0 = time.monotonic()
    p = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    took = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    return p.returncode, err.read(), took, ru.ru_maxrss / 1024


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshots(db):
    r = run([memtop, "ls", "--db", db, "--format", "json"])
    if not check(r.returncode == 0, f"ls {db}: {r.stderr}"):
        return []
    return json.loads(r.stdout)["snapshots"]


def hashes(db):
    con = sqlite3.connect(db)
    h = dict(con.execute("SELECT id, hash FROM snapshot"))
    con.close()
    return h


def served(name):
    """Dump files of one endpoint (the service's -dump naming), by hash."""
    return {sha(p): p for p in glob.glob(os.path.join(dump, name + ".*"))}


def dump_name(url):
    """tests/go/service's file name of the body served for url."""
    path = url.split("//", 1)[1].split("/", 1)[1]
    return path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_").replace("=", "-")


def pprof_vs(what, body_paths, memtop_json, unit="B", extra=()):
    """go tool pprof -top on the served bodies against memtop's JSON."""
    pp = run([go, "tool", "pprof", "-top", "-nodefraction=0", "-unit=" + unit] +
             list(extra) + list(body_paths))
    if not check(pp.returncode == 0, f"{what}: pprof: {pp.stderr}"):
        return ""
    gold = os.path.join(tmp, "golden.top")
    with open(gold, "w") as f:
        f.write(pp.stdout)
    chk = run([sys.executable, os.path.join(here, "compare_top.py"), gold, "-"],
              input=memtop_json)
    check(chk.returncode == 0, f"{what}: memtop vs pprof: {chk.stdout}{chk.stderr}")
    return pp.stdout


def top_json(db, ref, *opts):
    return run([memtop, "top", "--db", db, "--format", "json", "-n", "0"] + list(opts) + [ref])


svc_bin = os.path.join(tmp, "service")
b = subprocess.run([go, "build", "-o", svc_bin, "."], env=env,
                   cwd=os.path.join(here, "go", "service"), capture_output=True, text=True)
if b.returncode != 0:
    sys.exit("FAIL: building tests/go/service: " + b.stderr)
dump = os.path.join(tmp, "dump")
os.mkdir(dump)
svc = subprocess.Popen([svc_bin, "-dump", dump, "-leakprofile", "-leaked", "5", "-slow", "30s"],
                       stdout=subprocess.PIPE, text=True)
try:
    line = svc.stdout.readline()
    if not line.startswith("listening on "):
        sys.exit(f"FAIL: service said {line!r}")
    addr = line.split()[-1]
    base = f"http://{addr}"
    heap_url = base + "/debug/pprof/heap"
    # A heap profile shows the heap as of a completed GC: ask for GCs
    # until the leak is in it (it stays there: it is never freed).
    for _ in range(50):
        time.sleep(0.1)
        text = urllib.request.urlopen(heap_url + "?gc=1&debug=1", timeout=30).read()
        if b"main.grow" in text:
            break

    # --- memtop top URL: the fetched bytes, stored, agree with pprof -------
    # --gc: gc=1 is asked for (the leak is in the heap at once); the
    # source stored is the URL as given.
    db = os.path.join(tmp, "a.db")
    r = top_json(db, heap_url, "--gc")
    check(r.returncode == 0 and r.stderr == "", f"top URL: exit {r.returncode} {r.stderr}")
    snaps = snapshots(db)
    check(len(snaps) == 1 and snaps[0]["source"] == heap_url and snaps[0]["kind"] == "heap",
          f"top URL stored {snaps}")
    if snaps:
        sid = snaps[0]["id"]
        bodies = served(dump_name(heap_url + "?gc=1"))
        body = bodies.get(hashes(db)[sid])
        if check(body, f"@{sid}: its hash is that of no served heap ({len(bodies)} served)"):
            pprof_vs("top URL", [body], r.stdout)
            at = top_json(db, f"@{sid}")
            pprof_vs(f"top @{sid}", [body], at.stdout)
            check(at.stdout == r.stdout, "top @ID differs from top URL")
            check("main.grow" in r.stdout, f"the leaking function is not in the heap: {r.stdout}")

    # --- no scheme, no path: the service round -----------------------------
    db = os.path.join(tmp, "b.db")
    r = top_json(db, addr)
    check(r.returncode == 0 and r.stderr == "", f"top HOST:PORT: exit {r.returncode} {r.stderr}")
    snaps = snapshots(db)
    want = {"heap": "/debug/pprof/heap", "allocs": "/debug/pprof/allocs",
            "goroutine-dump": "/debug/pprof/goroutine?debug=2", "mutex": "/debug/pprof/mutex",
            "block": "/debug/pprof/block", "goroutineleak": "/debug/pprof/goroutineleak"}
    got = {s["kind"]: s["source"] for s in snaps}
    check(got == {k: base + v for k, v in want.items()}, f"round stored {got}")
    h = hashes(db)
    for s in snaps:
        bodies = served(dump_name(s["source"]))
        body = bodies.get(h[s["id"]])
        if not check(body, f"round: @{s['id']} ({s['kind']}) is no body served at {s['source']}"):
            continue
        if s["kind"] == "goroutine-dump":
            continue  # a text dump: pprof cannot read it
        js = top_json(db, f"@{s['id']}").stdout
        pprof_vs(f"round {s['kind']}", [body], js,
                 unit="ns" if s["kind"] in ("mutex", "block") else "B")
        if s["kind"] == "heap":
            check(js == r.stdout, "top HOST:PORT is not the round's heap")
        if s["kind"] == "goroutineleak":
            rows = {x["name"]: x for x in json.loads(js)["rows"]}
            check(json.loads(js)["total"] == 5 and rows.get("main.leakForever", {}).get("flat") == 5,
                  f"goroutineleak: {js}")
    m = run([memtop, "metrics", "--db", db, "--format", "json", "--series", "memstats.HeapInuse"])
    series = json.loads(m.stdout)["series"] if m.returncode == 0 else []
    check([s["source"] for s in series] == [base + "/debug/vars"] and series[0]["points"],
          f"round: /debug/vars not stored: {m.stdout} {m.stderr}")

    # --- --seconds: Go's delta profiles; the bound grows with seconds -------
    db = os.path.join(tmp, "c.db")
    t0 = time.monotonic()
    r = top_json(db, heap_url, "--seconds", "2", "--timeout", "1")
    took = time.monotonic() - t0
    check(r.returncode == 0 and took >= 2, f"--seconds 2 --timeout 1: exit {r.returncode} "
          f"after {took:.1f} s: {r.stderr}")
    snaps = snapshots(db)
    check([s["source"] for s in snaps] == [heap_url + "?seconds=2"], f"--seconds stored {snaps}")
    if snaps:
        body = served(dump_name(heap_url + "?seconds=2")).get(hashes(db)[snaps[0]["id"]])
        if check(body, "--seconds: no served delta heap has the stored hash"):
            out = pprof_vs("--seconds", [body], r.stdout)
            check("Duration: 2" in out, f"pprof reads no 2 s delta: {out[:300]}")
    allocs = base + "/debug/pprof/allocs?seconds=1"
    r = top_json(db, allocs)
    body = served(dump_name(allocs))
    check(r.returncode == 0 and len(body) == 1, f"seconds= in the URL: {r.stderr} {body}")
    if body:
        pprof_vs("allocs?seconds=1", list(body.values()), r.stdout)

    # --- --base URL: both fetched and stored, as pprof -base ----------------
    db = os.path.join(tmp, "d.db")
    r = top_json(db, heap_url, "--base", heap_url)
    snaps = snapshots(db)
    check(r.returncode == 0 and len(snaps) == 2, f"--base URL: {r.stderr} {snaps}")
    if len(snaps) == 2:
        h = hashes(db)
        bodies = served(dump_name(heap_url))
        new, old = bodies.get(h[snaps[0]["id"]]), bodies.get(h[snaps[1]["id"]])
        if check(new and old, "--base: stored hashes are not served heaps"):
            pprof_vs("--base URL", [new], r.stdout, extra=["-base", old])

    # --- goroutines URL: the dump, fetched and stored -----------------------
    db = os.path.join(tmp, "e.db")
    g = base + "/debug/pprof/goroutine"
    r = run([memtop, "goroutines", "--db", db, "--format", "json", g])
    snaps = snapshots(db)
    check(r.returncode == 0 and [(s["kind"], s["source"]) for s in snaps] ==
          [("goroutine-dump", g + "?debug=2")], f"goroutines URL: {r.stderr} {snaps}")
    if snaps:
        body = served(dump_name(g + "?debug=2")).get(hashes(db)[snaps[0]["id"]])
        if check(body, "goroutines URL: stored hash is no served dump"):
            f = run([memtop, "goroutines", "--format", "json", body])
            check(f.stdout == r.stdout and '"main.leakForever"' in r.stdout,
                  "goroutines URL differs from goroutines of the served dump")

    # --- the viewer opens a service on its heap -----------------------------
    db = os.path.join(tmp, "f.db")
    keys, screen = os.path.join(tmp, "keys"), os.path.join(tmp, "screen.txt")
    with open(keys, "w") as f:
        f.write(f":dump {screen}\nq\n")
    r = run([memtop, "--db", db, "--script", keys, "--screen", "120x30", addr])
    text = open(screen).read() if os.path.exists(screen) else ""
    check(r.returncode == 0 and "heap" in text.splitlines()[0] and "main.grow" in text,
          f"viewer on HOST:PORT: exit {r.returncode} {r.stderr}\n{text[:400]}")
    check(sorted(s["kind"] for s in snapshots(db)) ==
          sorted(["heap", "allocs", "goroutine-dump", "mutex", "block", "goroutineleak"]),
          "viewer: the round is not stored")

    # --- where it is stored: MEMTOP_DB, :memory:, a store that fails --------
    mdb = os.path.join(tmp, "env.db")
    env["MEMTOP_DB"] = mdb
    r = run([memtop, "top", "-n", "1", heap_url])
    check(r.returncode == 0 and len(snapshots(mdb)) == 1, f"$MEMTOP_DB: {r.stderr}")
    r = run([memtop, "top", "-n", "1", "--db", ":memory:", heap_url])
    check(r.returncode == 0 and len(snapshots(mdb)) == 1, f":memory: stored something: {r.stderr}")
    del env["MEMTOP_DB"]
    blocker = os.path.join(tmp, "blocker")
    open(blocker, "w").close()
    r = run([memtop, "top", "-n", "1", "--db", os.path.join(blocker, "x.db"), heap_url])
    check(r.returncode == 0 and "main.grow" in r.stdout and
          r.stderr.startswith("memtop: warning: not stored in the database"),
          f"a failing store: exit {r.returncode} {r.stderr}")

    # --- goroutineleak text, as the runtime documents it --------------------
    leak = os.path.join(tmp, "goroutineleak.txt")
    with open(leak, "w") as f:
        f.write("goroutineleak profile: total 6\n"
                "4 @ 0x43a0d6 0x4069e7 0x4066b7 0x47d3e1\n"
                "#\t0x43a0d5\truntime.gopark+0xd5\t/usr/lib/go/src/runtime/proc.go:464\n"
                "#\t0x4069e6\truntime.chansend+0x3a6\t/usr/lib/go/src/runtime/chan.go:283\n"
                "#\t0x4066b6\truntime.chansend1+0x16\t/usr/lib/go/src/runtime/chan.go:161\n"
                "#\t0x47d3e0\tapp.AggregateResults.func1+0x60\t/src/app/server.go:37\n"
                "\n"
                "2 @ 0x43a0d6 0x406a17 0x47d461\n"
                "#\t0x43a0d5\truntime.gopark+0xd5\t/usr/lib/go/src/runtime/proc.go:464\n"
                "#\t0x406a16\truntime.chanrecv1+0x16\t/usr/lib/go/src/runtime/chan.go:506\n"
                "#\t0x47d460\tapp.worker+0x20\t/src/app/worker.go:12\n")
    # Worked by hand from the two stacks above (leaf first; each count
    # goes to every frame's cum and to the leaf's flat). pprof cannot name
    # the addresses of a text without the binary, but reads the same type
    # and total from it.
    r = run([memtop, "top", "--format", "json", "-n", "0", leak])
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    rows = {x["name"]: (x["flat"], x["cum"]) for x in doc.get("rows", [])}
    check(doc.get("sample_type") == "goroutineleak" and doc.get("total") == 6 and rows == {
        "runtime.gopark": (6, 6), "runtime.chansend": (0, 4), "runtime.chansend1": (0, 4),
        "app.AggregateResults.func1": (0, 4), "runtime.chanrecv1": (0, 2),
        "app.worker": (0, 2)}, f"goroutineleak text: {r.stdout} {r.stderr}")
    pp = run([go, "tool", "pprof", "-top", leak])
    check("Type: goroutineleak" in pp.stdout and "of 6 total" in pp.stdout,
          f"goroutineleak text: pprof reads {pp.stdout} {pp.stderr}")
    db = os.path.join(tmp, "g.db")
    run([memtop, "import", "--db", db, leak])
    check([s["kind"] for s in snapshots(db)] == ["goroutineleak"], "goroutineleak text: kind")

    # --- hostile servers: bounded time and memory, one line naming the URL --
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    refused = f"127.0.0.1:{s.getsockname()[1]}"
    s.close()
    db = os.path.join(tmp, "h.db")
    # Peak RSS stays far below what they promise (under ASan, too).
    hostile = [
        # (reference, options, the URL named, what the line says, seconds at most)
        (base + "/fail/stall", ["--timeout", "1"], None, "timed out after 1.0 s", 4),
        (base + "/fail/slow", ["--timeout", "1"], None, "timed out", 4),
        (base + "/fail/endless", ["--max-body", "1M"], None, "larger than 1048576 bytes", 10),
        (base + "/fail/huge", [], None, "larger than 134217728 bytes", 10),  # the default --max-body, 128M
        ("http://" + refused + "/debug/pprof/heap", [], None, "connect", 10),
        (refused, [], "http://" + refused + "/debug/pprof/", "connect", 10),
        (base + "/fail/garbage", [], None, "not a profile", 10),
        (base + "/fail/redirect", [], None, "redirects to " + base + "/debug/pprof/heap", 10),
        (base + "/fail/500", [], None, "HTTP status 500", 10),
        (base + "/fail/cut", [], None, "remaining", 10),
        (addr + "/fail/stall/debug/pprof/", ["--timeout", "1"],
         base + "/fail/stall/debug/pprof/", "timed out", 4),
    ]
    for ref, opts, url, what, most in hostile:
        rc, err, took, rss = run_measured([memtop, "top", "--db", db] + opts + [ref])
        url = url or ref
        lines = err.splitlines()
        check(rc == 1 and len(lines) == 1 and lines[0].startswith(f"memtop: {url}: ")
              and what in lines[0] and took < most and rss < 200,
              f"hostile {ref}: exit {rc} after {took:.1f} s, {rss:.0f} MiB: {err!r}")
    check(snapshots(db) == [], "hostile: something was stored")
finally:
    svc.terminate()
    try:
        svc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        svc.kill()
        svc.wait()

for f in failures:
    print("FAIL:", f)
print("URL references checked against go tool pprof on the served bytes")
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failures else 0)
