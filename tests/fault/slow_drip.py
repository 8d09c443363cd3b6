#!/usr/bin/env python3
"""Issue 19: a slow-drip server must not delay other URLs' rounds.

`memtop collect` with a URL whose server drips one byte at a time (so the
request runs into --timeout) and a normal one: the normal URL gets all of
its rounds while the slow one's first request is still running (each URL has
a clock of its own), and the slow one keeps its timeout, reported once per
round. The order of the collector's lines (stdout and stderr on one pipe,
each line flushed as it is written) decides, never a clock of the test's.

Usage: slow_drip.py MEMTOP REPO_ROOT
"""
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

MEMTOP, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
with open(os.path.join(ROOT, "tests/data/go/heap.pb.gz"), "rb") as f:
    HEAP = f.read()
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.startswith("/drip/"):
            # Headers at once, then a byte now and then, never the end.
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(HEAP)))
            self.end_headers()
            try:
                for b in HEAP:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(0.25)
            except OSError:
                pass
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(HEAP)))
        self.end_headers()
        self.wfile.write(HEAP)

    def log_message(self, *a):
        pass


def main():
    d = tempfile.mkdtemp(prefix="memtop-drip-")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    slow, good = base + "/drip/debug/pprof/heap", base + "/debug/pprof/heap"
    try:
        rounds, tmo = 3, 2
        # The slow URL first: a collector that scraped in turn would wait
        # out its timeout before the good URL's first round.
        p = subprocess.run([MEMTOP, "collect", "--db", os.path.join(d, "c.db"),
                            "--interval", "0.1", "--count", str(rounds),
                            "--timeout", str(tmo), slow, good],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=dict(os.environ, LC_ALL="C"), timeout=120)
        lines = p.stdout.decode(errors="replace").splitlines()
        print("# " + "\n# ".join(lines))
        check(p.returncode == 1, f"exit 1: the slow URL never succeeded (exit {p.returncode})")
        stored = [i for i, ln in enumerate(lines) if ln.endswith("\t" + good) or
                  ln.endswith("\t" + good + "\t(unchanged: already stored)")]
        timed = [i for i, ln in enumerate(lines)
                 if ln.startswith(f"memtop: {slow}: timed out after {tmo}.0 s")]
        check(len(stored) == rounds, f"the good URL: {rounds} rounds stored ({len(stored)})")
        check(len(timed) == rounds, f"the slow URL: {rounds} timeouts reported ({len(timed)})")
        check(stored and timed and stored[-1] < timed[0],
              "every round of the good URL before the slow URL's first timeout")
        check(any(ln == f"memtop: {slow}: no profile was collected" for ln in lines),
              "the slow URL: 'no profile was collected' at the end")
    finally:
        srv.shutdown()
        shutil.rmtree(d, ignore_errors=True)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
