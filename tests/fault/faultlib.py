"""Helpers of the fault tests: checks, bounded runs of memtop measured with
wait4 (seconds and peak RSS), and gzip streams that inflate far past their
size."""
import os
import resource
import struct
import subprocess
import sys
import time
import zlib

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def is_asan(memtop):
    with open(memtop, "rb") as f:
        return b"__asan_init" in f.read()


def run(memtop, args, vlimit=None, env=None):
    """Runs memtop; returns (rc, stderr, seconds, max RSS in MB). A signal
    gives a negative rc."""
    def pre():
        if vlimit:
            resource.setrlimit(resource.RLIMIT_AS, (vlimit, vlimit))
    t0 = time.monotonic()
    p = subprocess.Popen([memtop] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=pre,
                         env=dict(os.environ, LC_ALL="C", MEMTOP_DB=":memory:", **(env or {})))
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), err, time.monotonic() - t0, ru.ru_maxrss / 1024


def bomb(path, prefix, total, fill=b"\0", pad=b""):
    """A valid gzip stream of prefix, then fill repeated (whole fills only)
    up to about total bytes, made of one compressed block of about a MiB
    (and pad, which the caller makes incompressible to lower the ratio)
    repeated (full flushes reset the window)."""
    mib = 1 << 20
    blk = fill * max(1, (mib - len(pad)) // len(fill)) + pad
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    rep = c.compress(blk) + c.flush(zlib.Z_FULL_FLUSH)
    n = max(0, (total - len(prefix)) // len(blk))
    crc = zlib.crc32(prefix)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + head)
        for _ in range(n):
            f.write(rep)
            crc = zlib.crc32(blk, crc)
        f.write(c.flush(zlib.Z_FINISH))
        f.write(struct.pack("<II", crc, (len(prefix) + n * len(blk)) & 0xffffffff))
    return path


def write_endless(handler, kind):
    """Answers handler's GET with a chunked body that never ends: zeros
    ("zeros"), gzip zeros ("zeros-gz"), or a text heap profile ("text")."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    gz = zlib.compressobj(6, zlib.DEFLATED, 31) if kind.endswith("gz") else None
    first = b"heap profile: 1: 64 [1: 64] @ heap/1048576\n" if kind == "text" else b""
    blk = b"\0" * 65536 if kind.startswith("zeros") else b"1: 64 [1: 64] @ 0x401001\n" * 2600
    try:
        for i in range(1 << 20):
            data = (first if i == 0 else b"") + blk
            if gz:
                data = gz.compress(data) + gz.flush(zlib.Z_SYNC_FLUSH)
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    except OSError:
        pass


def finish():
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)
