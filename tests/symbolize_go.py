#!/usr/bin/env python3
"""DWARF symbolization of a Go binary against the Go runtime's own frames.

tests/data/go/heap.txt (debug=1) names every address of its stacks in `#`
lines, written by the runtime from its own tables, inlined calls included:

    #  0x4f487d  main.newBuf+0x3d          /work/.../main.go:53
    #  0x4f486c  main.(*leakyCache).add+0x2c /work/.../main.go:60

The script rebuilds tests/go/leaky (Go builds are reproducible: same source
path and toolchain, same addresses) and resolves each `#` address with
memtop's symbolizer (symbolize_tool). For each one, the innermost frame must
be the `#` line's function, file and line (the program's own files
compared from tests/go/leaky/ on, as the repository may be anywhere), and when DWARF says the address is
inside inlined calls, the outer frames must be the `#` lines that follow
(the runtime prints an inlined call's caller as the next line).

Then `memtop top --binary leaky` on heap.txt with every `#` line removed must
exit 0 without warnings, with the same total and the inlined main.newBuf.

usage: symbolize_go.py MEMTOP SYMBOLIZE_TOOL REPO_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MEMTOP, TOOL, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
if not shutil.which("go"):
    print("SKIP: no go toolchain")
    sys.exit(77)

failed = checks = 0


def ok(cond, what):
    global failed, checks
    checks += 1
    if not cond:
        failed += 1
        print("FAIL " + what)
    return cond


tmp = tempfile.mkdtemp()
try:
    env = dict(os.environ, GOFLAGS="-mod=mod", GO111MODULE="on", GOTOOLCHAIN="local")
    env.setdefault("GOCACHE", os.path.join(os.environ.get("TMPDIR", "/tmp"), "memtop-gocache"))
    binary = os.path.join(tmp, "leaky")
    subprocess.run(["go", "build", "-o", binary, "."], cwd=os.path.join(ROOT, "tests/go/leaky"),
                   env=env, check=True)

    heap = open(os.path.join(ROOT, "tests/data/go/heap.txt")).read()
    stacks, cur = [], []
    for line in heap.splitlines():
        m = re.match(r"^#\t(0x[0-9a-f]+)\t(\S+)\+0x[0-9a-f]+\t+(.+):(\d+)$", line)
        if m:
            cur.append((int(m.group(1), 16), m.group(2), m.group(3), int(m.group(4))))
        elif cur:
            stacks.append(cur)
            cur = []
    if cur:
        stacks.append(cur)
    addrs = sorted({f[0] for s in stacks for f in s})
    ok(len(addrs) > 50, f"only {len(addrs)} # addresses in heap.txt")

    out = subprocess.run([TOOL, binary] + [f"{a:x}" for a in addrs], capture_output=True,
                         text=True, check=True).stdout
    def norm(path):
        """The program's own files are wherever the repository is."""
        return re.sub(r"^.*/tests/go/leaky/", "LEAKY/", path)

    stacks = [[(a, n, norm(f), ln) for a, n, f, ln in s] for s in stacks]
    frames = {}
    for line in out.splitlines():
        a, depth, name, file, ln = line.split("\t")
        frames.setdefault(int(a, 16), []).append((name, norm(file), int(ln)))

    inlined = 0
    for s in stacks:
        for i, (a, name, file, ln) in enumerate(s):
            got = frames.get(a, [])
            if not ok(got and got[0] == (name, file, ln),
                      f"{a:#x}: memtop {got[:1]}, runtime {(name, file, ln)}"):
                continue
            for j in range(1, len(got)):
                inlined += 1
                want = s[i + j][1:] if i + j < len(s) else None
                ok(got[j] == want, f"{a:#x} inlined frame {j}: memtop {got[j]}, runtime {want}")
    ok(inlined > 0, "no inlined frames seen")
    print(f"{len(addrs)} addresses, {inlined} inlined frames checked against the # lines")

    bare = os.path.join(tmp, "heap-bare.txt")
    with open(bare, "w") as f:
        f.write("".join(l + "\n" for l in heap.splitlines() if not l.startswith("#")))

    def top(*args):
        r = subprocess.run([MEMTOP, "top", "--format", "json", "-n", "0", *args],
                           capture_output=True, text=True)
        return r.returncode, r.stderr, json.loads(r.stdout) if r.returncode == 0 else None

    rc, err, with_lines = top(os.path.join(ROOT, "tests/data/go/heap.txt"))
    rc2, err2, sym = top("--binary", binary, bare)
    if ok(rc == 0 and rc2 == 0 and not err2.strip(), f"memtop top: exit {rc2}, {err2.strip()}"):
        ok(sym["total"] == with_lines["total"],
           f"total {sym['total']} vs {with_lines['total']} with # lines")
        names = {r["name"]: r for r in sym["rows"]}
        ok("main.newBuf" in names and names["main.newBuf"]["flat"] > 0,
           "main.newBuf missing or without flat")
        ok(not any(n.startswith("[") for n in names), "unsymbolized frames left")
finally:
    shutil.rmtree(tmp)
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
