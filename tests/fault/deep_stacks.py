#!/usr/bin/env python3
"""Issue 19, item 2: stacks as deep as --max-frames allows (100,000 by
default) go through every command and the viewer without overflowing the C
stack: no recursion whose depth the input controls.

Two profiles: 80,000 frames of one function calling itself (the trie of
stacks is 80,000 levels deep), and 99,999 distinct functions. Each command
must exit 0; the SVG must be as tall as the stack is deep; the viewer opens
the call tree fully (E) and walks the flame graph.

Usage: deep_stacks.py MEMTOP REPO_ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbenc  # noqa: E402

MEMTOP = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, d):
    what = " ".join(a.replace(d + "/", "") for a in args)
    try:
        p = subprocess.run([MEMTOP] + args, capture_output=True, text=True,
                           errors="replace", timeout=240, cwd=d,
                           env=dict(os.environ, LC_ALL="C", TZ="UTC",
                                    MEMTOP_DB=os.path.join(d, "env.db")))
    except subprocess.TimeoutExpired:
        check(False, f"{what}: finishes within 240 s")
        return None
    check(p.returncode == 0, f"{what}: exit 0 (rc {p.returncode}: {p.stderr.strip()[-300:]!r})")
    return p


def main():
    d = tempfile.mkdtemp(prefix="memtop-deep-")
    try:
        # A recursion 80,000 deep, and one light sample beside it.
        rec = pbenc.profile([([1] * 80000, 1 << 20), ([2, 1], 10)], ["main.rec", "main.leaf"])
        n = 99999
        wide = pbenc.profile([(list(range(1, n + 1)), 4096)], ["f%d" % i for i in range(n)])
        paths = {}
        for name, data in (("rec", rec), ("wide", wide)):
            paths[name] = os.path.join(d, name + ".pb")
            with open(paths[name], "wb") as f:
                f.write(data)
        keys = os.path.join(d, "keys")
        with open(keys, "w") as f:
            f.write("3\nE\nEnd\nEnter\n2\nDown\nEnd\nEnter\n1\nEnter\nq\n")
        db = os.path.join(d, "s.db")
        for name, p in paths.items():
            for args in (["top", p], ["tree", p], ["peek", "main.rec|f1$", p], ["traces", p],
                         ["export", "--format", "folded", "-o", "o", p],
                         ["export", "--format", "json", "-o", "o", p],
                         ["export", "--format", "pprof", "-o", "o", p],
                         ["list", "main.rec|f1$", p], ["diff", paths["rec"], p],
                         ["--script", keys, "--screen", "80x24", p],
                         ["import", "--db", db, p]):
                run(args, d)
            svg = os.path.join(d, name + ".svg")
            if run(["export", "--format", "svg", "-o", svg, p], d):
                with open(svg) as f:
                    text = f.read()
                levels = {"rec": 80000, "wide": n}[name] + 1  # and the root
                m = re.search(r'<svg [^>]*height="(\d+)"', text)
                check(m is not None and int(m.group(1)) == (levels + 3) * 16 + 10,
                      f"svg of {name}: height for {levels} levels "
                      f"(got {m.group(1) if m else None})")
                check(text.count("<rect ") >= levels,
                      f"svg of {name}: a rectangle per level ({text.count('<rect ')})")
        for args in (["top", "--db", db, "@1"], ["tree", "--db", db, "@2"],
                     ["leaks", "--db", db], ["--script", keys, "--screen", "80x24", "--db", db]):
            run(args, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
