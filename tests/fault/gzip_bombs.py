#!/usr/bin/env python3
"""Issue 19, item 3: gzip bombs, lying gzip trailers and endless HTTP bodies.

Every hostile input below is refused with exit 1 and one line on stderr, in
under 2 s and 256 MB of RSS (measured with wait4), with the default limits:

- gzip bombs of 4 GiB of zeros (a few MB): no profile starts with zeros
  (protobuf field 0), refused from the first inflated bytes, by `top`,
  `goroutines` and `import`;
- a goroutine header followed by 4 GiB of zeros: binary data in a text
  format, refused the same way;
- a profile.proto tag followed by zeros and a goroutine dump repeated to
  1 GiB: each looks like a profile at first, and is stopped once it has
  inflated 50 times what was read of it (no real profile inflates that
  much); a 20 MiB dump of the same kind opens with --max-inflate 32M,
  which replaces the ratio;
- a stream cut short whose last four bytes claim 3.7 GB, under
  `ulimit -v 1500000`: an error naming the truncation, not an abort on an
  allocation of the trailer's size (release build only: ASan cannot run
  under ulimit -v);
- HTTP bodies that never end: zeros, plain and gzip, are refused from their
  first bytes; a text profile that never ends stops at --max-body, and the
  body's buffer never grows past it (under ulimit -v, a doubling past 540M
  would need 1 GiB).

And real profiles still open: the repository's, and bench/out/heap-1m.pb.gz
(1M samples) when bench/gen-profiles.sh has made it, under ulimit -v too.

Usage: gzip_bombs.py MEMTOP REPO_ROOT
"""
import http.server
import os
import shutil
import struct
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
from faultlib import bomb, check, is_asan, write_endless  # noqa: E402

MEMTOP, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ASAN = is_asan(MEMTOP)


def run(args, vlimit=None):
    """Runs memtop; returns (rc, stderr, seconds, max RSS in MB)."""
    return faultlib.run(MEMTOP, args, vlimit)


def refused(args, want, what, vlimit=None, secs=2.0, mb=256):
    rc, err, t, rss = run(args, vlimit)
    lines = err.strip().split("\n")
    check(rc == 1 and len(lines) == 1 and want in lines[0],
          f"{what}: exit 1, one line with {want!r} (rc {rc}: {err.strip()[:300]!r})")
    # Sanitizers cost time and memory of their own.
    if not ASAN:
        check(t < secs and rss < mb, f"{what}: {t:.2f} s < {secs} s, {rss:.0f} MB < {mb} MB")


class Endless(http.server.BaseHTTPRequestHandler):
    """/zeros, /zeros-gz, /text: bodies that never end (chunked)."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        write_endless(self, self.path.split("/")[1])

    def log_message(self, *a):
        pass


def main():
    d = tempfile.mkdtemp(prefix="memtop-bombs-")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        gib4 = 4 << 30
        z = bomb(os.path.join(d, "zeros.gz"), b"", gib4)
        g = bomb(os.path.join(d, "gor-zeros.gz"), b"goroutine 1 [running]:\n", gib4)
        pb = bomb(os.path.join(d, "pb-zeros.gz"), b"\x0a\xff\xff\xff\x7f", 1 << 30)
        dump = b"goroutine 1 [running]:\nmain.f()\n\t/x.go:1 +0x1\n\n"
        t = bomb(os.path.join(d, "gor-text.gz"), dump, 1 << 30, dump)
        small = bomb(os.path.join(d, "gor-20m.gz"), dump, 20 << 20, dump)
        print(f"# {os.path.getsize(z)} bytes inflate to 4 GiB of zeros; "
              f"{os.path.getsize(t)} bytes to 1 GiB of goroutines")

        for cmd in (["top"], ["goroutines"], ["import", "--db", os.path.join(d, "s.db")]):
            # goroutines reads through the query engine like top: one rule.
            refused(cmd + [z], "not a",
                    f"{cmd[0]} of a zero bomb")
            refused(cmd + [g], "binary data", f"{cmd[0]} of a goroutine header and zeros")
        refused(["top", pb], "50 times the compressed size", "top of a protobuf tag and zeros")
        for cmd in ("top", "goroutines"):
            refused([cmd, t], "50 times the compressed size", f"{cmd} of a 1 GiB dump bomb")
            refused([cmd, small], "50 times the compressed size",
                    f"{cmd} of a 20 MiB dump in {os.path.getsize(small)} bytes")
        rc, err, _, _ = run(["goroutines", "--max-inflate", "32M", "-n", "1", small])
        check(rc == 0, f"goroutines --max-inflate 32M of the 20 MiB dump opens ({err.strip()!r})")

        # A cut stream whose trailer claims 3.7 GB.
        with open(os.path.join(ROOT, "tests/data/go/heap.pb.gz"), "rb") as f:
            real = f.read()
        cut = os.path.join(d, "cut.pb.gz")
        with open(cut, "wb") as f:
            f.write(real[:len(real) // 2] + struct.pack("<I", 3758248260))
        refused(["top", cut], "truncated gzip data", "top of a cut stream claiming 3.7 GB")
        if not ASAN:
            refused(["top", cut], "truncated gzip data",
                    "top of the cut stream under ulimit -v 1500000", vlimit=1500000 * 1024)

        # Real profiles open, also the 1M-sample one under the same ulimit.
        for f in ("heap.pb.gz", "goroutine.pb.gz", "allocs.pb.gz"):
            rc, err, _, _ = run(["top", "-n", "1", os.path.join(ROOT, "tests/data/go", f)])
            check(rc == 0, f"top of {f} opens ({err.strip()!r})")
        big = os.path.join(ROOT, "bench/out/heap-1m.pb.gz")
        if os.path.exists(big) and not ASAN:
            rc, err, secs, rss = run(["top", "-n", "1", big], vlimit=1500000 * 1024)
            check(rc == 0, f"top of heap-1m.pb.gz under ulimit -v 1500000 ({secs:.2f} s, "
                           f"{rss:.0f} MB; {err.strip()!r})")
            with open(big, "rb") as f:
                head = f.read(30000001)
            bigcut = os.path.join(d, "1m-cut.pb.gz")
            with open(bigcut, "wb") as f:
                f.write(head)
            refused(["top", bigcut], "truncated gzip data",
                    "top of heap-1m.pb.gz cut at 30000001 bytes under ulimit -v 1500000",
                    vlimit=1500000 * 1024, mb=512)
        else:
            print("skip heap-1m.pb.gz: it needs bench/gen-profiles.sh and a build without ASan")

        # Endless HTTP bodies.
        base = f"http://127.0.0.1:{srv.server_port}"
        col = ["collect", "--db", os.path.join(d, "c.db"), "--count", "1", "--interval", "1",
               "--timeout", "20"]
        for k in ("zeros", "zeros-gz"):
            rc, err, secs, rss = run(col + [f"{base}/{k}/debug/pprof/heap"])
            check(rc == 1 and "bad response (its first" in err and "not a profile" in err,
                  f"collect of endless {k}: refused from its first bytes ({err.strip()!r})")
            check(secs < 2, f"collect of endless {k}: {secs:.2f} s < 2 s")
        if not ASAN:
            rc, err, secs, rss = run(col + ["--max-body", "540000000",
                                            f"{base}/text/debug/pprof/heap"],
                                     vlimit=900 * 1024 * 1024)
            check(rc == 1 and "larger than 540000000 bytes (--max-body)" in err,
                  f"collect of an endless text body: stops at --max-body under "
                  f"ulimit -v 900M ({secs:.1f} s, {rss:.0f} MB; {err.strip()[-200:]!r})")
    finally:
        srv.shutdown()
        shutil.rmtree(d, ignore_errors=True)
    faultlib.finish()


main()
