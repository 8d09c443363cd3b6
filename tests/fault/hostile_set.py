#!/usr/bin/env python3
"""Issue 19: bounded memory by default. The whole hostile set, files,
databases and HTTP servers on 127.0.0.1, each run with memtop's default
limits: every case ends (refused with exit 1 and one line on stderr, or read
as what it is) within 2 s and 256 MB of peak RSS, and nothing aborts or dies
of a signal under `ulimit -v 1500000`. The real 1M-sample bench profile
(bench/out/heap-1m.pb.gz, made by bench/gen-profiles.sh) still opens.

The set:
- gzip bombs of zeros, 1 MB and 3.6 MB compressed (1 and 3.6 GiB inflated);
- a valid protobuf whose samples inflate to 1 GiB (a few header fields,
  then one small sample repeated), about 1 MB compressed;
- a goroutine-dump bomb: one dump repeated to 1 GiB;
- the same two, 100 MiB with noise to inflate only 45 times (under the
  gzip bound): stopped by the sample and goroutine counts sized from the
  input;
- the same bodies and endless ones (zeros, plain and gzip; a text profile
  that never ends) served to `memtop collect`;
- databases: one holding a snapshot of extreme values, and one a fuzzer
  damaged (fuzz/corpus/store), through ls, leaks and top @ID.

Under ASan only the outcomes are checked (sanitizers cost time and memory
of their own, and cannot run under ulimit -v).

Usage: hostile_set.py MEMTOP REPO_ROOT
"""
import http.server
import os
import random
import shutil
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbenc  # noqa: E402
from faultlib import bomb, check, finish, is_asan, run, write_endless  # noqa: E402

MEMTOP, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ASAN = is_asan(MEMTOP)
VLIMIT = 1500000 * 1024
GIB = 1 << 30
BODIES = {}  # path -> bytes served by the server


def noise(n):
    """n incompressible printable bytes (the same for every run)."""
    r = random.Random(19)
    return bytes(r.choice(b"0123456789abcdef") for _ in range(n))


def sample_bomb(path, total, ratio=None):
    """A valid profile.proto: sample type, one function and location, the
    strings, then a 9-byte sample repeated to total bytes. With ratio, each
    MiB also holds an unused string of noise, so that it inflates about
    ratio times: under the gzip bound, for the sample bound to stop."""
    head = pbenc.profile([], ["main.f"])
    rec = pbenc.fb(2, pbenc.fb(1, pbenc.varint(1)) + pbenc.fu(2, 1))
    pad = pbenc.fb(6, noise((1 << 20) // ratio * 2)) if ratio else b""
    return bomb(path, head, total, rec, pad)


def dump_bomb(path, total, ratio=None):
    """A goroutine dump, one small goroutine repeated to total bytes; with
    ratio, each MiB also holds a line of noise between goroutines (which
    the reader passes over), for about ratio times."""
    dump = b"goroutine 1 [running]:\nmain.f()\n\t/x.go:1 +0x1\n\n"
    pad = noise((1 << 20) // ratio * 2) + b"\n\n" if ratio else b""
    return bomb(path, dump, total, dump, pad)


class Server(http.server.BaseHTTPRequestHandler):
    """/file/NAME: a body of BODIES; /endless/zeros, /endless/zeros-gz,
    /endless/text: bodies that never end (chunked)."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        parts = self.path.split("/")
        if parts[1] != "file":
            write_endless(self, parts[2])
            return
        body = BODIES[parts[2]]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *a):
        pass


class Quiet(http.server.ThreadingHTTPServer):
    """A server that says nothing of clients that hang up (memtop refusing
    a body is one)."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def bounded(what, args, want_rc=(1,), want=None):
    """One case: its outcome, 2 s and 256 MB, and no abort under ulimit -v."""
    rc, err, secs, rss = run(MEMTOP, args)
    lines = err.strip().split("\n") if err.strip() else []
    ok = rc in want_rc and (rc == 0 or (len(lines) >= 1 and (not want or want in err)))
    check(ok, f"{what}: exit {rc} (want {want_rc}){' with ' + repr(want) if want else ''}: "
              f"{err.strip()[-240:]!r}")
    if ASAN:
        return
    check(secs < 2 and rss < 256, f"{what}: {secs:.2f} s < 2 s, {rss:.0f} MB < 256 MB")
    rc, err, _, _ = run(MEMTOP, args, vlimit=VLIMIT)
    check(rc in (0, 1) and "out of memory" not in err,
          f"{what} under ulimit -v 1500000: exit {rc}, no abort ({err.strip()[-160:]!r})")


def main():
    d = tempfile.mkdtemp(prefix="memtop-hostile-")
    srv = Quiet(("127.0.0.1", 0), Server)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    try:
        z1 = bomb(os.path.join(d, "zeros-1m.gz"), b"", GIB)
        z36 = bomb(os.path.join(d, "zeros-3.6m.gz"), b"", GIB * 36 // 10)
        sb = sample_bomb(os.path.join(d, "samples-1g.pb.gz"), GIB)
        gb = dump_bomb(os.path.join(d, "goroutines-1g.gz"), GIB)
        # Under the gzip ratio: stopped by the sample and goroutine bounds.
        sb45 = sample_bomb(os.path.join(d, "samples-45x.pb.gz"), 100 << 20, 45)
        gb45 = dump_bomb(os.path.join(d, "goroutines-45x.gz"), 100 << 20, 45)
        for f in (z1, z36, sb, gb, sb45, gb45):
            print(f"# {os.path.basename(f)}: {os.path.getsize(f)} bytes")
            with open(f, "rb") as fh:
                BODIES[os.path.basename(f)] = fh.read()

        # Files.
        for f in (z1, z36, sb, sb45):
            for cmd in ("top", "import"):
                extra = ["--db", os.path.join(d, "i.db")] if cmd == "import" else []
                bounded(f"{cmd} {os.path.basename(f)}", [cmd] + extra + [f])
        for cmd in ("top", "goroutines"):
            for f in (gb, gb45):
                bounded(f"{cmd} {os.path.basename(f)}", [cmd, f])

        # Servers: the same bodies, and endless ones.
        col = ["collect", "--db", os.path.join(d, "c.db"), "--count", "1", "--timeout", "20"]
        for name, path in (("zeros-1m.gz", "heap"), ("zeros-3.6m.gz", "heap"),
                           ("samples-1g.pb.gz", "heap"), ("samples-45x.pb.gz", "heap"),
                           ("goroutines-1g.gz", "goroutine?debug=2"),
                           ("goroutines-45x.gz", "goroutine?debug=2")):
            bounded(f"collect of {name}", col + [f"{base}/file/{name}/debug/pprof/{path}"])
        for kind in ("zeros", "zeros-gz", "text"):
            bounded(f"collect of an endless {kind} body",
                    col + [f"{base}/endless/{kind}/debug/pprof/heap"])
        bounded("top of an endless text body (a URL)",
                ["top", f"{base}/endless/text/debug/pprof/heap"])

        # Databases: extreme values stored, and a damaged file.
        db = os.path.join(d, "values.db")
        vals = os.path.join(d, "values.pb")
        MAX, MIN = (1 << 63) - 1, -(1 << 63)
        with open(vals, "wb") as f:
            f.write(pbenc.profile([([1], MAX), ([1, 2], MAX), ([2], MIN)],
                                  ["main.f", "main.g"]))
        run(MEMTOP, ["import", "--db", db, vals])
        damaged = os.path.join(d, "damaged.db")
        shutil.copy(os.path.join(ROOT, "fuzz/corpus/store/ub-null-kind.db"), damaged)
        for path in (db, damaged):
            for args in (["ls"], ["leaks"], ["top", "@1"]):
                bounded(f"{' '.join(args)} --db {os.path.basename(path)}",
                        [args[0], "--db", path] + args[1:], want_rc=(0, 1))

        # The real 1M-sample profile opens with the same defaults.
        big = os.path.join(ROOT, "bench/out/heap-1m.pb.gz")
        if os.path.exists(big) and not ASAN:
            rc, err, secs, rss = run(MEMTOP, ["top", "-n", "1", big], vlimit=VLIMIT)
            check(rc == 0, f"top of heap-1m.pb.gz opens under ulimit -v 1500000 "
                           f"({secs:.1f} s, {rss:.0f} MB; {err.strip()!r})")
        else:
            print("skip heap-1m.pb.gz: it needs bench/gen-profiles.sh and a build without ASan")
    finally:
        srv.shutdown()
        shutil.rmtree(d, ignore_errors=True)
    finish()


main()
