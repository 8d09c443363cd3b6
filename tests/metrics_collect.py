#!/usr/bin/env python3
"""`memtop collect` of expvar (/debug/vars) and --pid against a real Go
service (tests/go/expvar) started on 127.0.0.1 and always stopped here.

Usage: metrics_collect.py MEMTOP FINDINGS_TOOL REPO_ROOT

Oracles:
- the service appends to -oracle FILE, per /debug/vars request, the
  runtime.MemStats its response carries: the stored memstats series must
  equal them round by round (and the recent pauses, at their PauseEnd
  times, the union of PauseNs/PauseEnd of all rounds);
- `ps -o rss=,nlwp= -p PID`, sampled over and over in a thread while the
  collector runs: each stored RSS must be within what the process can grow
  between the two reads (the RSS rate seen by ps times the time between the
  reads, plus ps's own read time) plus 64 pages per thread (the kernel's
  per-thread RSS counters are folded in lazily, SPLIT_RSS_COUNTING);
- a least-squares fit in Python of the service's own HeapInuse against the
  stored times: the "heap-rising" finding must state that rate, and it must
  be near the rate the service itself leaked (its leaked_bytes, in the
  oracle lines).
Bad and truncated /debug/vars JSON: one stderr line per round naming the
URL and the byte, the good target stored every round. A --pid process that
exits is reported once and the rest goes on.
Exit 77 (skipped) when go is not installed.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

memtop, tool, root = (os.path.abspath(a) for a in sys.argv[1:4])
here = os.path.dirname(os.path.abspath(__file__))
go = shutil.which("go")
if not go:
    print("go not installed: skipped")
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix="memtop-metrics-")
env = dict(os.environ, TZ="UTC", LC_ALL="C",
           GOCACHE=os.environ.get("GOCACHE", os.path.join(tmp, "gocache")),
           GOFLAGS="-mod=mod", GO111MODULE="on")
env.pop("MEMTOP_DB", None)
failures = []
PAGE = os.sysconf("SC_PAGE_SIZE")


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(args, **kw):
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, **kw)


def rfc3339_ns(s):
    import calendar
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$", s)
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    return secs * 10**9 + int((m.group(7) or "").ljust(9, "0"))


def series(db, **kw):
    args = [memtop, "metrics", "--db", db, "--format", "json"]
    for k, v in kw.items():
        args += ["--" + k, v]
    r = run(args)
    check(r.returncode == 0, f"metrics: {r.returncode} {r.stderr}")
    return {(s["name"], s["source"]): [(rfc3339_ns(p["time"]), p["value"]) for p in s["points"]]
            for s in json.loads(r.stdout)["series"]}


def lsq(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / sxx, sxy * sxy / (sxx * syy)


bin_ = os.path.join(tmp, "expvar")
b = subprocess.run([go, "build", "-o", bin_, "."], env=env, cwd=os.path.join(here, "go", "expvar"),
                   capture_output=True, text=True)
if b.returncode != 0:
    sys.exit("FAIL: building tests/go/expvar: " + b.stderr)
oracle = os.path.join(tmp, "oracle.jsonl")
every_ms, size = 10, 65536
svc = subprocess.Popen([bin_, "-oracle", oracle, "-every", f"{every_ms}ms", "-size", str(size)],
                       stdout=subprocess.PIPE, text=True)
sleeper = None
ps_samples = []  # (mid time ns, rss bytes, threads, read duration ns)
stop = threading.Event()


def sample_ps(pid):
    while not stop.is_set():
        t0 = time.time_ns()
        r = subprocess.run(["ps", "-o", "rss=,nlwp=", "-p", str(pid)], capture_output=True, text=True)
        t1 = time.time_ns()
        f = r.stdout.split()
        if r.returncode == 0 and len(f) == 2:
            ps_samples.append(((t0 + t1) // 2, int(f[0]) * 1024, int(f[1]), t1 - t0))


try:
    line = svc.stdout.readline()
    if not line.startswith("listening on "):
        sys.exit(f"FAIL: service said {line!r}")
    base = "http://" + line.split()[-1]
    good = base + "/debug/vars"
    bad = [base + "/bad/truncated/debug/vars", base + "/bad/garbage/debug/vars"]
    db = os.path.join(tmp, "m.db")
    rounds = 8
    th = threading.Thread(target=sample_ps, args=(svc.pid,))
    th.start()
    r = run([memtop, "collect", "--db", db, "--interval", "0.4", "--count", str(rounds),
             "--pid", str(svc.pid), good] + bad)
    stop.set()
    th.join()

    # --- what the collector said ----------------------------------------
    check(r.returncode == 1, f"collect exit {r.returncode} (bad URLs never succeed): {r.stderr}")
    out = r.stdout.splitlines()
    check(sum(1 for ln in out if ln.startswith(f"-\texpvar\t{good}\t")) == rounds, f"stdout: {r.stdout}")
    check(sum(1 for ln in out if ln.startswith(f"-\tproc\tpid:{svc.pid}\t")) == rounds, f"stdout: {r.stdout}")
    err = r.stderr.splitlines()
    for u in bad:
        mine = [ln for ln in err if ln.startswith(f"memtop: {u}: ")]
        check(len(mine) == rounds + 1, f"{u}: {len(mine)} stderr lines: {r.stderr}")
        check(all("bad JSON" in ln and "(at byte " in ln for ln in mine[:rounds]), f"{u}: {mine[:2]}")
    check(len(err) == 2 * (rounds + 1), f"other stderr lines: {r.stderr}")

    # --- memstats against the service's own MemStats ---------------------
    with open(oracle) as f:
        orc = [json.loads(ln) for ln in f]
    check(len(orc) == rounds, f"{len(orc)} oracle lines for {rounds} rounds")
    got = series(db, source=good)
    fields = ["HeapAlloc", "HeapInuse", "HeapObjects", "HeapReleased", "Sys", "Mallocs", "Frees",
              "NumGC", "PauseTotalNs", "GCCPUFraction", "NextGC"]
    ncmp = 0
    for fld in fields:
        pts = got.get(("memstats." + fld, good), [])
        if not check(len(pts) == len(orc), f"memstats.{fld}: {len(pts)} points"):
            continue
        for i, (t, v) in enumerate(pts):
            ncmp += 1
            check(v == orc[i]["memstats"][fld],
                  f"round {i + 1}: memstats.{fld} stored {v}, service said {orc[i]['memstats'][fld]}")
    pauses = {}
    for o in orc:
        for ns, end in zip(o["memstats"]["PauseNs"], o["memstats"]["PauseEnd"]):
            if end:
                pauses[end] = ns
    sp = dict(got.get(("memstats.PauseNs", good), []))
    check(sp == pauses and len(pauses) > 0, f"pauses: stored {len(sp)}, service {len(pauses)}")
    for name in ["goroutines", "leaked_bytes", "cache_ratio", "requests.vars"]:
        check(len(got.get((name, good), [])) == rounds, f"expvar {name} not stored every round")
    check(all(v == i + 1 for i, (_, v) in enumerate(got.get(("requests.vars", good), []))),
          "requests.vars is not 1, 2, 3, ...")
    check(not any(k[1] in bad for k in series(db)), "something stored from a bad URL")

    # --- /proc against ps ---------------------------------------------------
    proc = series(db, source=f"pid:{svc.pid}")
    rss = proc.get(("proc.rss_bytes", f"pid:{svc.pid}"), [])
    check(len(rss) == rounds and len(ps_samples) >= rounds, f"{len(rss)} rss points, {len(ps_samples)} ps reads")
    span = ps_samples[-1][0] - ps_samples[0][0]
    rate = max(0, ps_samples[-1][1] - ps_samples[0][1]) / (span / 1e9) if span > 0 else 0
    worst = 0
    for t, v in rss:
        ts, prss, nthr, dur = min(ps_samples, key=lambda s: abs(s[0] - t))
        tol = 2 * rate * (abs(ts - t) + dur) / 1e9 + 64 * PAGE * nthr
        worst = max(worst, abs(v - prss) / tol if tol else 0)
        check(abs(v - prss) <= tol, f"rss at {t}: /proc {v}, ps {prss} ({(ts - t) / 1e6:.1f} ms apart), "
              f"tolerance {tol:.0f}")
    thr = proc.get(("proc.threads", f"pid:{svc.pid}"), [])
    check(len(thr) == rounds and all(1 <= v <= 64 for _, v in thr), f"threads: {thr}")
    fds = proc.get(("proc.fds", f"pid:{svc.pid}"), [])
    check(len(fds) == rounds and all(v >= 4 for _, v in fds), f"fds: {fds}")

    # --- the finding: heap rising at the service's own rate -----------------
    heap = got.get(("memstats.HeapInuse", good), [])
    xs = [(t - heap[0][0]) / 1e9 for t, _ in heap]
    ys = [o["memstats"]["HeapInuse"] for o in orc]
    slope, r2 = lsq(xs, ys)
    fr = run([tool, db])
    check(fr.returncode == 0, f"findings tool: {fr.stderr}")
    finds = [ln.split("\t") for ln in fr.stdout.splitlines()]
    hr = [f for f in finds if f[0] == "heap-rising" and f[1] == "memstats.HeapInuse"]
    if check(len(hr) == 1, f"no heap-rising finding on HeapInuse: {fr.stdout}"):
        f = hr[0]
        check(abs(float(f[8]) - slope * 3600) <= 1e-6 * abs(slope * 3600),
              f"finding rate {f[8]}/h, least squares of the service's numbers {slope * 3600}/h")
        check(abs(float(f[9]) - r2) < 1e-9, f"r2 {f[9]} vs {r2}")
        check(int(f[3]) == rounds, f"finding over {f[3]} points")
        # The leak's real rate is what the service itself leaked between
        # the reads (a loaded machine slows its ticks); HeapInuse also
        # holds garbage that GOGC=100 lets grow with the live heap, up to
        # about as much again, so it may rise up to ~2x (3x: short series).
        leak_rate, _ = lsq(xs, [o["leaked_bytes"] for o in orc])
        check(leak_rate > 0 and 0.5 * leak_rate <= slope <= 3 * leak_rate,
              f"HeapInuse grew {slope:.0f} B/s, the service leaked {leak_rate:.0f} B/s")
        check("per hour fitted" in f[10] and "memstats.HeapInuse" in f[10], f"text: {f[10]}")
    check(any(f[0] == "goroutines-rising" and f[1] == "goroutines" for f in finds),
          f"no goroutines-rising finding: {fr.stdout}")
    # RSS grows with the Go heap here: not memory outside it.
    check(not any(f[0] == "rss-outside-heap" for f in finds), f"rss-outside-heap: {fr.stdout}")

    # --- a --pid process that exits: reported once, the rest goes on -------
    # Driven by the collector's own lines, never by how long things take:
    # the process is killed once a round has read it, and the collector is
    # stopped two URL rounds after it said the process went away.
    sleeper = subprocess.Popen(["sleep", "1000"])
    db2 = os.path.join(tmp, "p.db")
    col = subprocess.Popen([memtop, "collect", "--db", db2, "--interval", "0.2",
                            "--pid", str(sleeper.pid), good], cwd=root, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = [], []
    gone = threading.Event()

    def read_err():
        for ln in col.stderr:
            err.append(ln.rstrip("\n"))
            if f"pid:{sleeper.pid}" in ln:
                gone.set()
    te = threading.Thread(target=read_err)
    te.start()
    pid_db = ("proc.rss_bytes", f"pid:{sleeper.pid}")
    after = None
    for ln in col.stdout:
        out.append(ln)
        if "\texpvar\t" not in ln:
            continue
        if sleeper.poll() is None and series(db2, source=f"pid:{sleeper.pid}").get(pid_db):
            sleeper.kill()
            sleeper.wait()
        if gone.is_set():
            after = (after or 0) + 1
            if after == 3:
                break
        if len(out) > 500:
            break
    col.send_signal(signal.SIGTERM)
    col.stdout.read()
    col.wait(timeout=30)
    te.join()
    check(col.returncode == 0, f"exit {col.returncode} with a process that exits: {err}")
    check(len(err) == 1 and f"pid:{sleeper.pid}" in err[0] and
          ("exited" in err[0] or "gone" in err[0]), f"stderr: {err!r}")
    check(after == 3, f"the URL's rounds went on after the process went: {out}")
    n = len(series(db2, source=f"pid:{sleeper.pid}").get(pid_db, []))
    check(n >= 1, f"{n} rss points of the process before it was killed")
finally:
    stop.set()
    svc.terminate()
    svc.wait(timeout=10)
    if sleeper:
        sleeper.kill()
        sleeper.wait()
    shutil.rmtree(tmp, ignore_errors=True)

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {ncmp} memstats values equal to the service's own, {len(pauses)} pauses, "
      f"{len(rss)} RSS values within {worst:.2f} of the tolerance of ps, "
      f"heap rising {slope * 3600 / 2**20:.0f} MB/hour")
