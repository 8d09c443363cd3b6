#!/usr/bin/env python3
"""Untrusted bytes never drive the terminal: a profile's function names with
an ANSI escape and control characters (tests/data/names/names.pb.gz), and a
file name holding an OSC title sequence, reach a terminal (a pty here) in
caret notation (^[, ^A), while a pipe gets the bytes unchanged, as
go tool pprof prints them.

Usage: tty_escape.py MEMTOP REPO_ROOT
"""
import os
import pty
import subprocess
import sys

memtop, root = os.path.abspath(sys.argv[1]), sys.argv[2]
os.chdir(root)
env = dict(os.environ, MEMTOP_DB=":memory:", LC_ALL="C.UTF-8")
fails = []


def on_tty(args):
    """Runs args with stdout and stderr on a pty; what the terminal got."""
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(master)
    return p.returncode, out


rc, out = on_tty([memtop, "top", "tests/data/names/names.pb.gz"])
if rc != 0 or b"\x1b" in out or b"\x01" in out:
    fails.append(f"top on a tty: exit {rc}, raw control bytes in {out[-300:]!r}")
if b"main.ctl^A^[[31mred" not in out:
    fails.append(f"top on a tty: the name is not shown in caret notation: {out[-300:]!r}")

piped = subprocess.run([memtop, "top", "tests/data/names/names.pb.gz"], capture_output=True,
                       env=env)
if b"main.ctl\x01\x1b[31mred" not in piped.stdout:
    fails.append("top to a pipe: the name's bytes are not as pprof prints them")

evil = "/tmp/memtop-\x1b]0;owned\x07.pb"
rc, out = on_tty([memtop, "top", evil])
if rc != 1 or b"\x1b" in out or b"\x07" in out or b"^[]0;owned^G" not in out:
    fails.append(f"an error naming a file with an escape: exit {rc}, {out!r}")

for f in fails:
    print("FAIL", f)
print("ok" if not fails else f"{len(fails)} failed")
sys.exit(1 if fails else 0)
