#!/usr/bin/env python3
"""Security checks of issue 8, through the real binary.

- Nothing in a profile is executed: profiles whose function, file and
  mapping names are shell commands (`$(touch X)`, `;touch X;`, backquotes,
  pipes) go through every command that reads profiles (top, tree, traces,
  export, the viewer in script mode, import, symbolization of the mappings);
  strace is the oracle: memtop makes no execve besides its own start, and
  every path taken from a profile is opened read-only. The marker files the
  commands would create never appear, and a writable file named by a
  profile is left byte for byte as it was.
- The database is created 0600 (and its WAL and shared-memory files), even
  under umask 000.
- The collector fetches only the URLs it was given: a local server records
  every request; URLs inside a profile are never fetched (case collect), and
  a redirect to another server is not followed (case collect_redirect).

- Issue 19: FIFOs named by a profile or --binary are never opened for
  reading (case fifo); build ids from a profile name only hex files under
  the debug root (case build_id).

Usage: security.py MEMTOP REPO_ROOT [CASE...]
CASE: exec dbmode collect fifo build_id (the default: all five),
collect_redirect.
"""
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbenc  # noqa: E402

MEMTOP, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def hostile_profiles(d):
    """A Go heap text and a tcmalloc heap with mappings, whose names are
    shell commands creating marker files in d, plus a writable victim file
    the profiles name as a source file and as a mapped binary."""
    victim = os.path.join(d, "victim")
    with open(victim, "w") as f:
        f.write("keep me\n")
    m = [os.path.join(d, "pwned%d" % i) for i in range(8)]
    names = [f"main.$(touch {m[0]})", f"main.x;touch {m[1]};", f"`touch {m[2]}`",
             f"main.y|touch {m[3]}"]
    files = [victim, f"/tmp/$(touch {m[4]}).go", f"/tmp/a;touch {m[5]};.go",
             f"`touch {m[6]}`.go"]
    go = ["heap profile: 2: 128 [2: 128] @ heap/1048576",
          "1: 64 [1: 64] @ 0x401001 0x402001 0x403001 0x404001"]
    for i in range(4):
        go.append(f"#\t{0x401000 + i * 0x1000:#x}\t{names[i]}+0x0\t{files[i]}:{10 + i}")
    go += ["", "1: 64 [1: 64] @ 0x405001", f"#\t0x405000\tmain.z+0x0\t{files[2]}:7", ""]
    gopath = os.path.join(d, "hostile-go.txt")
    with open(gopath, "w") as f:
        f.write("\n".join(go) + "\n")
    tc = ["heap profile:    2:   128 [    2:   128] @ heapprofile",
          "     1:    64 [     1:    64] @ 0x00401234 0x00502345",
          "     1:    64 [     1:    64] @ 0x00602345",
          "",
          "MAPPED_LIBRARIES:",
          f"00400000-00500000 r-xp 00000000 08:01 1234 {victim}",
          f"00500000-00600000 r-xp 00000000 08:01 1235 /tmp/x;touch${{IFS}}{m[7]};",
          f"00600000-00700000 r-xp 00000000 08:01 1236 /tmp/$(touch${{IFS}}{m[7]})"]
    tcpath = os.path.join(d, "hostile-tc.heap")
    with open(tcpath, "w") as f:
        f.write("\n".join(tc) + "\n")
    return [gopath, tcpath], m, victim


def strace_run(args, d, log):
    """Runs memtop under strace; returns (rc, execve lines, open lines)."""
    keys = os.path.join(d, "keys")
    p = subprocess.run(["strace", "-f", "-qq", "-o", log, "-e",
                        "trace=execve,execveat,open,openat,creat", MEMTOP] + args,
                       capture_output=True, text=True, timeout=120, cwd=d,
                       env=dict(os.environ, LC_ALL="C", MEMTOP_DB=os.path.join(d, "env.db"),
                                # LeakSanitizer cannot run under ptrace.
                                ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                                ":detect_leaks=0"))
    with open(log, errors="replace") as f:
        lines = f.read().split("\n")
    execs = [l for l in lines if re.search(r"\bexecve(at)?\(", l)]
    opens = [l for l in lines if re.search(r"\b(open|openat|creat)\(", l)]
    return p.returncode, p.stderr, execs, opens


def case_exec():
    if not shutil.which("strace"):
        print("skip exec: strace not installed")
        return
    d = tempfile.mkdtemp(prefix="memtop-sec-")
    try:
        profs, markers, victim = hostile_profiles(d)
        with open(os.path.join(d, "keys"), "w") as f:
            f.write("2\nDown\nEnter\n3\nEnter\n1\nEnter\nq\n")
        cmds = []
        for p in profs:
            cmds += [["top", "-n", "0", p], ["tree", p], ["traces", p],
                     ["export", "--format", "svg", "-o", os.path.join(d, "o.svg"), p],
                     ["export", "--format", "pprof", "-o", os.path.join(d, "o.pb.gz"), p],
                     ["--script", os.path.join(d, "keys"), p],
                     ["import", "--db", os.path.join(d, "s.db"), p],
                     ["top", "--granularity", "lines", p]]
        # `memtop list` shows source files named by the profile, where built.
        if subprocess.run([MEMTOP, "list"], capture_output=True).returncode != 2 or \
                b"list" in subprocess.run([MEMTOP, "--help"], capture_output=True).stderr:
            cmds += [["list", ".", p] for p in profs]
        opened = 0
        for n, args in enumerate(cmds):
            rc, err, execs, opens = strace_run(args, d, os.path.join(d, "strace.%d" % n))
            what = " ".join(a.replace(d, "D") for a in args)
            check(rc in (0, 1) and "Sanitizer" not in err,
                  f"exec: {what}: exit 0 or 1 (rc {rc} {err.strip()[:120]!r})")
            check(len(execs) == 1 and MEMTOP in execs[0],
                  f"exec: {what}: no execve but memtop's own ({len(execs)})")
            bad = [o for o in opens
                   if ("victim" in o or "touch" in o or "pwned" in o)
                   and re.search(r"O_(WRONLY|RDWR|CREAT|TRUNC)", o)]
            check(not bad, f"exec: {what}: paths from the profile opened read-only "
                           f"{bad[:2]}")
            opened += sum(1 for o in opens if victim in o and "O_RDONLY" in o)
        # Symbolization opens the mapped "binary": the check above saw it.
        check(opened > 0, f"exec: the victim was opened read-only ({opened} times), "
                          "so the check is not vacuous")
        for m in markers:
            check(not os.path.exists(m), f"exec: marker {os.path.basename(m)} never created")
        with open(victim) as f:
            check(f.read() == "keep me\n", "exec: the file named by the profile is unchanged")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def case_dbmode():
    d = tempfile.mkdtemp(prefix="memtop-sec-")
    old = os.umask(0)
    try:
        prof = os.path.join(ROOT, "tests", "data", "go", "heap.pb.gz")
        for db, env in ((os.path.join(d, "a.db"), {}),
                        (None, {"XDG_DATA_HOME": os.path.join(d, "xdg")})):
            args = ["import", prof] + (["--db", db] if db else [])
            e = dict(os.environ, **env)
            e.pop("MEMTOP_DB", None)
            p = subprocess.run([MEMTOP] + args, capture_output=True, text=True,
                               env=e, timeout=60)
            check(p.returncode == 0, f"dbmode: import under umask 000 ({p.stderr.strip()})")
            path = db or os.path.join(d, "xdg", "memtop", "memtop.db")
            for f in (path, path + "-wal", path + "-shm"):
                if os.path.exists(f):
                    mode = os.stat(f).st_mode & 0o777
                    check(mode == 0o600, f"dbmode: {os.path.basename(f)} is 0600 "
                                         f"(got {mode:o})")
            check(os.path.exists(path), f"dbmode: {path} created")
    finally:
        os.umask(old)
        shutil.rmtree(d, ignore_errors=True)


class Recorder(http.server.BaseHTTPRequestHandler):
    """Serves a Go heap text naming other URLs of this server (and a
    redirect to another server for /redirect); records every request."""
    requests = []
    body = b""
    redirect_to = ""

    def do_GET(self):
        Recorder.requests.append((self.server.server_port, self.path))
        if self.path.startswith("/redirect") and Recorder.redirect_to:
            self.send_response(302)
            self.send_header("Location", Recorder.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(Recorder.body)))
        self.end_headers()
        self.wfile.write(Recorder.body)

    def log_message(self, *a):
        pass


def serve():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def collect(urls, d):
    return subprocess.run([MEMTOP, "collect", "--db", os.path.join(d, "c.db"), "--count", "1",
                           "--interval", "1", "--timeout", "10"] + urls,
                          capture_output=True, text=True, timeout=60)


def case_collect():
    d = tempfile.mkdtemp(prefix="memtop-sec-")
    a, b = serve(), serve()
    try:
        pa, pb = a.server_port, b.server_port
        evil = [f"http://127.0.0.1:{pa}/evil", f"http://127.0.0.1:{pb}/evil"]
        Recorder.body = ("heap profile: 1: 64 [1: 64] @ heap/1048576\n"
                         "1: 64 [1: 64] @ 0x401001\n"
                         f"#\t0x401000\t{evil[0]}+0x0\t{evil[1]}:1\n\n"
                         "MAPPED_LIBRARIES:\n"
                         f"00400000-00500000 r-xp 00000000 08:01 1 {evil[1]}\n").encode()
        Recorder.requests = []
        url = f"http://127.0.0.1:{pa}/debug/pprof/heap"
        p = collect([url], d)
        check(p.returncode == 0, f"collect: one round ({p.stderr.strip()})")
        paths = [(port, path.split("?")[0]) for port, path in Recorder.requests]
        check(paths == [(pa, "/debug/pprof/heap")],
              f"collect: only the given URL was fetched (got {Recorder.requests})")
        rc = subprocess.run([MEMTOP, "top", "--db", os.path.join(d, "c.db"), "-n", "1", "@1"],
                            capture_output=True, text=True)
        check(rc.returncode == 0, "collect: the snapshot reads back")
        check(not any(path.startswith("/evil") for _, path in Recorder.requests),
              "collect: URLs inside the profile never fetched")
    finally:
        a.shutdown()
        b.shutdown()
        shutil.rmtree(d, ignore_errors=True)


def case_collect_redirect():
    d = tempfile.mkdtemp(prefix="memtop-sec-")
    a, b = serve(), serve()
    try:
        Recorder.body = b"heap profile: 1: 64 [1: 64] @ heap/1048576\n1: 64 [1: 64] @ 0x401001\n"
        Recorder.redirect_to = f"http://127.0.0.1:{b.server_port}/elsewhere"
        Recorder.requests = []
        collect([f"http://127.0.0.1:{a.server_port}/redirect"], d)
        check(not any(port == b.server_port for port, _ in Recorder.requests),
              f"collect_redirect: a redirect to another server is not followed "
              f"(requests {Recorder.requests})")
    finally:
        a.shutdown()
        b.shutdown()
        shutil.rmtree(d, ignore_errors=True)


def run_bounded(args, d, timeout=20):
    """Runs memtop with a deadline; (rc, stderr), rc None when it hung."""
    try:
        p = subprocess.run([MEMTOP] + args, capture_output=True, text=True, errors="replace",
                           timeout=timeout, cwd=d,
                           env=dict(os.environ, LC_ALL="C", MEMTOP_DB=":memory:"))
        return p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return None, ""


def case_fifo():
    """Issue 19: a FIFO named by a profile's mapping, by --binary or as a
    source file is skipped as not a regular file; a blocking open() would
    wait forever for a writer (nothing here ever writes to it)."""
    d = tempfile.mkdtemp(prefix="memtop-sec-")
    try:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        prof = os.path.join(d, "mapped.pb")
        with open(prof, "wb") as f:
            f.write(pbenc.profile([([1, 2], 64)], ["a", "b"], mappings=[(fifo, "")],
                                  lines=False))
        src = os.path.join(d, "src.pb")
        with open(src, "wb") as f:
            f.write(pbenc.profile([([1, 2], 64)], ["main.a", "main.b"], file=fifo))
        keys = os.path.join(d, "keys")
        with open(keys, "w") as f:
            f.write("2\n3\nq\n")
        heap = os.path.join(os.path.abspath(ROOT), "tests", "data", "c", "tcmalloc.heap")
        runs = [[c, prof] for c in ("top", "tree", "traces")] + [
            ["peek", ".", prof], ["diff", prof, prof], ["list", ".", prof],
            ["export", "--format", "svg", "-o", os.path.join(d, "o.svg"), prof],
            ["--script", keys, prof],
            ["top", "--binary", fifo, heap], ["tree", "--binary", fifo, heap],
            ["list", "--binary", fifo, ".", heap], ["list", "main.a", src]]
        for args in runs:
            rc, err = run_bounded(args, d)
            what = " ".join(a.replace(d + "/", "") for a in args)
            check(rc in (0, 1), f"fifo: {what}: finishes (rc {rc}; {err.strip()[:200]!r})")
        rc, err = run_bounded(["top", prof], d)
        check("not a regular file" in err, f"fifo: top says why the mapping is skipped "
                                           f"({err.strip()[:200]!r})")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def case_build_id():
    """Issue 19: build ids from a profile name files only as hex digits under
    the debug root: "../../../../tmp/x" is not a path to climb out of it, and
    a mapping without a file is looked up by its build id only, never as a
    file "build-id:ID" in the working directory."""
    if not shutil.which("strace"):
        print("skip build_id: strace not installed")
        return
    d = tempfile.mkdtemp(prefix="memtop-sec-")
    try:
        for bid, want in (("../../../../tmp/x", None), ("ABCDEF0123", "ab/cdef0123.debug"),
                          ("abcdef0123", "ab/cdef0123.debug")):
            prof = os.path.join(d, "p.pb")
            with open(prof, "wb") as f:
                f.write(pbenc.profile([([1, 2], 64)], ["a", "b"], mappings=[("", bid)],
                                      lines=False))
            rc, err, execs, opens = strace_run(["top", prof], d, os.path.join(d, "strace"))
            check(rc == 0, f"build_id {bid}: top works ({err.strip()[:200]!r})")
            bad = [o for o in opens if "tmp/x" in o or "build-id:" in o or "/../" in o]
            check(not bad, f"build_id {bid}: no path made of it opened {bad[:2]}")
            tried = [o for o in opens if "/usr/lib/debug/.build-id/" in o]
            if want:
                check(any(want in o for o in tried),
                      f"build_id {bid}: the debug file {want} is looked for ({tried[:2]})")
            else:
                check(not tried, f"build_id {bid}: nothing under the debug root ({tried[:2]})")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    cases = sys.argv[3:] or ["exec", "dbmode", "collect", "fifo", "build_id"]
    for c in cases:
        globals()["case_" + c]()
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
