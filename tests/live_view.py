#!/usr/bin/env python3
"""Issue 15: the viewer on a live URL.

Against tests/go/service (net/http/pprof on 127.0.0.1, leaking in main.grow
on purpose), memtop opens the heap URL in script mode, where R fetches in
place (on a terminal the fetcher runs every --interval beside the keys;
tests/tui/tmux_test.sh drives that). Checked:

* every fetch is kept as a snapshot (memtop ls: the first and three more);
* view 1's flat, growth and last-step columns (exact bytes, --unit B) for
  main.grow and every other row equal what memtop top computes from the
  stored snapshots: flat of the newest, newest - first, newest - previous;
  main.grow's growth rises over the three refreshes;
* D sorts by growth: main.grow (the leak) comes first;
* view 4 is the diff since the first fetch: main.grow's delta there equals
  its growth in view 1;
* p says paused and resumed; R on a service that was killed is a message
  and the last good data stays; R after the service is back (same port)
  fetches again.

Usage: live_view.py MEMTOP REPO_ROOT
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

memtop = os.path.abspath(sys.argv[1])
root = os.path.abspath(sys.argv[2])
go = shutil.which("go") or "/usr/lib/go/bin/go"
tmp = tempfile.mkdtemp(prefix="memtop-live-")
env = dict(os.environ, TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color",
           GOFLAGS="-mod=mod")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def start(bin_path, addr="127.0.0.1:0"):
    p = subprocess.Popen([bin_path, "-addr", addr, "-every", "5ms"],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("listening on "):
        p.kill()
        sys.exit(f"FAIL: service said {line!r}")
    return p, line.split()[-1]


def rows(dump):
    """View 1's live rows: name -> (flat, growth, step) in bytes."""
    out = {}
    for line in open(dump, encoding="utf-8"):
        m = re.match(r"^\s*(-?\d+)B?\s+\S+%\s+(-?\d+)B?\s+\S+%\s+([+-]?\d+)B?\s+"
                     r"([+-]?\d+)B?\s+\S*\s+(\S.*?)\s*$", line)
        if m:
            name = re.sub(r" \((?:partial-)?inline\)$", "", m.group(5))
            if not name.startswith("\u2026"):  # cut: not a whole name
                out[name] = (int(m.group(1)), int(m.group(3)), int(m.group(4)))
    return out


def top_flat(db, sid):
    r = subprocess.run([memtop, "top", "--db", db, "--format", "json", "-n", "0",
                        f"@{sid}"], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        check(False, f"memtop top @{sid}: {r.stderr}")
        return {}
    return {row["name"]: row["flat"] for row in json.loads(r.stdout)["rows"]}


svc_bin = os.path.join(tmp, "service")
b = subprocess.run([go, "build", "-o", svc_bin, "."], env=env,
                   cwd=os.path.join(root, "tests", "go", "service"),
                   capture_output=True, text=True)
if b.returncode != 0:
    sys.exit("FAIL: building tests/go/service: " + b.stderr)
svc, addr = start(svc_bin)
try:
    url = f"http://{addr}/debug/pprof/heap"
    for _ in range(50):  # until the leak is in the heap (after a GC)
        time.sleep(0.05)
        if b"main.grow" in urllib.request.urlopen(url + "?gc=1&debug=1", timeout=30).read():
            break
    db = os.path.join(tmp, "live.db")
    keys = os.path.join(tmp, "keys")
    # Each refresh waits (":wait") until the test says the service has
    # leaked for a while (it leaks 16 kB every 5 ms; a fetch can take less).
    steps = [":dump @/0.txt"]
    for k in (1, 2, 3):
        steps += [f":wait @/go{k}", "R", f":dump @/{k}.txt"]
    steps += ["p", ":dump @/paused.txt", "p", ":dump @/resumed.txt", "D",
              ":dump @/growth.txt", "4", ":dump @/diff.txt", "1", "q"]
    with open(keys, "w") as f:
        f.write("\n".join(s.replace("@/", tmp + "/") for s in steps) + "\n")
    p = subprocess.Popen([memtop, "--db", db, "--gc", "--unit", "B", "--script", keys,
                          "--screen", "120x40", url], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    for k in (1, 2, 3):
        # After dump k-1 is written, 100 ms (20 leaks) before fetch k.
        for _ in range(3000):
            if os.path.exists(os.path.join(tmp, f"{k - 1}.txt")) or p.poll() is not None:
                break
            time.sleep(0.01)
        time.sleep(0.1)
        open(os.path.join(tmp, f"go{k}"), "w").close()
    out, err = p.communicate(timeout=120)
    check(p.returncode == 0, f"memtop URL in script mode exits 0 ({p.returncode}: {err})")
    ls = json.loads(subprocess.run([memtop, "ls", "--db", db, "--format", "json"],
                                   capture_output=True, text=True, env=env).stdout)
    ids = [s["id"] for s in ls["snapshots"] if s["kind"] == "heap"]
    check(len(ids) == 4, f"every fetch is a snapshot: {len(ids)} of 4")
    flats = [top_flat(db, i) for i in ids]
    grow = []
    for k in (1, 2, 3):
        got = rows(os.path.join(tmp, f"{k}.txt"))
        check(len(got) > 3, f"fetch {k + 1}: view 1 has live rows ({len(got)})")
        bad = [(n, v, (flats[k].get(n, 0), flats[k].get(n, 0) - flats[0].get(n, 0),
                       flats[k].get(n, 0) - flats[k - 1].get(n, 0)))
               for n, v in got.items()
               if v != (flats[k].get(n, 0), flats[k].get(n, 0) - flats[0].get(n, 0),
                        flats[k].get(n, 0) - flats[k - 1].get(n, 0))]
        check(not bad, f"fetch {k + 1}: flat, growth and last step equal memtop top "
              f"of the stored snapshots {bad[:3]}")
        grow.append(got.get("main.grow", (0, 0, 0))[1])
    check(grow[0] < grow[1] < grow[2] and grow[0] > 0,
          f"main.grow's growth rises over three refreshes: {grow}")
    order = [l for l in open(os.path.join(tmp, "growth.txt"), encoding="utf-8")
             if re.match(r"^\s*\d+B?\s", l)]
    check(order and order[0].rstrip().endswith("main.grow"),
          f"D: the leak first ({order[:1]})")
    check("paused" in open(os.path.join(tmp, "paused.txt"), encoding="utf-8").read(),
          "p pauses (and says so)")
    check("resumed" in open(os.path.join(tmp, "resumed.txt"), encoding="utf-8").read(),
          "p again resumes")
    diff = open(os.path.join(tmp, "diff.txt"), encoding="utf-8").read()
    m = re.search(r"^\s*(\d+)B?\s+(\d+)B?\s+([+-]?\d+)B?\s.*main\.grow\s*$", diff, re.M)
    check(m and int(m.group(3)) == grow[2] and "base the first fetch" in diff,
          f"view 4: the diff since the first fetch, main.grow {m and m.group(3)} == {grow[2]}")

    # memtop BASE URL (another replica; here the same service twice): the
    # base stays what was given after a refresh.
    keys4 = os.path.join(tmp, "keys4")
    with open(keys4, "w") as f:
        f.write(f"R\n4\n:dump {tmp}/replica.txt\nq\n")
    r = subprocess.run([memtop, "--db", db, "--gc", "--unit", "B", "--script", keys4,
                        "--screen", "120x40", url, url], capture_output=True, text=True,
                       env=env, timeout=120)
    rep = open(os.path.join(tmp, "replica.txt"), encoding="utf-8").read()
    check(r.returncode == 0 and f"base {addr} heap" in rep and "the first fetch" not in rep,
          "memtop BASE URL keeps BASE as the diff's base across refreshes")

    # memtop host:port (the service's root): each fetch is a round of
    # everything it offers; view 6 shows the round's goroutine dump with
    # each group's count over the rounds of this session.
    keys5 = os.path.join(tmp, "keys5")
    root_db = os.path.join(tmp, "root.db")
    with open(keys5, "w") as f:
        f.write(f"R\nR\n6\n:dump {tmp}/root6.txt\nq\n")
    r = subprocess.run([memtop, "--db", root_db, "--script", keys5, "--screen", "120x40",
                        addr], capture_output=True, text=True, env=env, timeout=120)
    r6 = open(os.path.join(tmp, "root6.txt"), encoding="utf-8").read()
    dumps = [x for x in json.loads(subprocess.run(
        [memtop, "ls", "--db", root_db, "--format", "json"], capture_output=True,
        text=True, env=env).stdout)["snapshots"] if x["kind"] == "goroutine-dump"]
    check(r.returncode == 0 and "3 stored snapshots" in r6 and "trend" in r6 and
          len(dumps) == 3,
          f"memtop host:port: view 6 is the round's goroutine dump, over 3 rounds "
          f"({len(dumps)} dumps stored)")

    # The service goes away and comes back on its port, between keys
    # (":wait FILE" holds the script until the test has done it).
    keys2 = os.path.join(tmp, "keys2")
    with open(keys2, "w") as f:
        f.write(f":dump {tmp}/up.txt\n:wait {tmp}/killed\nR\n:dump {tmp}/down.txt\n"
                f":wait {tmp}/restarted\nR\n:dump {tmp}/back.txt\nq\n")
    p = subprocess.Popen([memtop, "--db", db, "--gc", "--unit", "B", "--script", keys2,
                          "--screen", "120x40", url], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    for _ in range(1500):
        if os.path.exists(os.path.join(tmp, "up.txt")) or p.poll() is not None:
            break
        time.sleep(0.02)
    svc.kill()
    svc.wait()
    open(os.path.join(tmp, "killed"), "w").close()
    for _ in range(1500):
        if os.path.exists(os.path.join(tmp, "down.txt")) or p.poll() is not None:
            break
        time.sleep(0.02)
    svc, _ = start(svc_bin, addr)
    open(os.path.join(tmp, "restarted"), "w").close()
    out, err = p.communicate(timeout=120)
    check(p.returncode == 0, f"memtop survives the service going away ({p.returncode}: {err})")
    up = rows(os.path.join(tmp, "up.txt")) if os.path.exists(os.path.join(tmp, "up.txt")) else {}
    down = open(os.path.join(tmp, "down.txt"), encoding="utf-8").read()
    check("fetch failed, the last good one stays" in down and "live, 1 fetch" in down,
          "a failed fetch is a message, and the last good data stays")
    back = open(os.path.join(tmp, "back.txt"), encoding="utf-8").read()
    # (The restarted service may not have leaked a sampled byte yet: its
    # rows are whatever it has.)
    check("live, 2 fetches" in back and rows(os.path.join(tmp, "back.txt")),
          "after the restart the next fetch shows the service again")
    n = len([s for s in json.loads(subprocess.run(
        [memtop, "ls", "--db", db, "--format", "json"], capture_output=True, text=True,
        env=env).stdout)["snapshots"] if s["kind"] == "heap"])
    check(n == 9, f"nothing lost in the database: {n} heap snapshots of 9")
    # On a terminal (tmux): the fetcher refetches every --interval beside
    # the keys, p pauses, a dead service is a message, q quits at once.
    if shutil.which("tmux"):
        sock = f"memtop-live-{os.getpid()}"

        def t(*a):
            return subprocess.run(["tmux", "-L", sock] + list(a), capture_output=True,
                                  text=True)

        def wait_for(text, secs=20):
            end = time.time() + secs
            while time.time() < end:
                screen = t("capture-pane", "-p", "-t", "mt").stdout
                if text in screen:
                    return True
                time.sleep(0.05)
            print(screen)
            return False

        try:
            t("-f", "/dev/null", "new-session", "-d", "-s", "mt", "-x", "120", "-y", "40",
              f"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC "
              f"MEMTOP_DB={db} {memtop} --interval 1 {url}; echo EXIT=$?; read x")
            t("set-option", "-t", "mt", "status", "off")
            check(wait_for("live ") and wait_for("growth"),
                  "tmux: refetched every second by itself: the growth columns come")
            t("send-keys", "-t", "mt", "p")
            check(wait_for(": paused"), "tmux: p pauses")
            t("send-keys", "-t", "mt", "p")
            check(wait_for("live: resumed"), "tmux: p resumes")
            svc.kill()
            svc.wait()
            check(wait_for("fetch failed, the last good one stays"),
                  "tmux: a dead service is a message")
            # The last good fetch's time stays while the service is down,
            # and moves once it is back.
            last = re.search(r"live (\d\d:\d\d:\d\d)",
                             t("capture-pane", "-p", "-t", "mt").stdout)
            svc, _ = start(svc_bin, addr)
            moved = False
            end = time.time() + 20
            while last and time.time() < end and not moved:
                m = re.search(r"live (\d\d:\d\d:\d\d)",
                              t("capture-pane", "-p", "-t", "mt").stdout)
                moved = bool(m) and m.group(1) != last.group(1)
                time.sleep(0.1)
            check(moved, "tmux: once the service is back it is fetched again")
            t0 = time.time()
            t("send-keys", "-t", "mt", "q")
            check(wait_for("EXIT=0", secs=5) and time.time() - t0 < 3,
                  f"tmux: q quits at once ({time.time() - t0:.1f} s)")
        finally:
            t("kill-server")
finally:
    if svc.poll() is None:
        svc.kill()
        svc.wait()
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("kept", tmp)

print(f"{'FAIL' if failures else 'ok'}: {len(failures)} failures")
sys.exit(1 if failures else 0)
