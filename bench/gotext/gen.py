#!/usr/bin/env python3
"""Writes a synthetic Go heap profile in the debug=1 text format (what
/debug/pprof/heap?debug=1 returns) for the reader benchmark.

Usage: gen.py [--mb 300] [--frames 48000] [--seed 1] > heap.txt

Stacks are walks down a fixed random call graph, so they share prefixes as a
real service's do; each distinct PC is printed the same way every time it
appears, and ~9 % of PCs are inlined calls (two `#` lines with one PC, as Go
1.21+ writes them). Output is deterministic for the same arguments."""
import argparse
import random
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--mb", type=int, default=300)
ap.add_argument("--frames", type=int, default=48000)
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()
rnd = random.Random(a.seed)

pkgs = ["github.com/acme/svc/%s%d" % (w, i) for i, w in
        enumerate(rnd.choice(["api", "store", "cache", "rpc", "codec", "auth"])
                  for _ in range(300))]
pkgs += ["net/http", "encoding/json", "bufio", "bytes", "strings", "runtime",
         "google.golang.org/grpc", "google.golang.org/protobuf/proto"]

frames = []  # one entry per distinct PC: the `#` lines it prints as
pc = 0x401000
for i in range(a.frames):
    pkg = rnd.choice(pkgs)
    kind = rnd.random()
    if kind < 0.4:
        fn = "%s.F%d" % (pkg, i)
    elif kind < 0.8:
        fn = "%s.(*T%d).Method%d" % (pkg, i % 97, i)
    else:
        fn = "%s.F%d.func%d" % (pkg, i, 1 + i % 3)
    if pkg.startswith("github.com"):
        file = "/home/build/go/pkg/mod/%s@v1.%d.0/file%d.go" % (pkg, i % 7, i % 13)
    else:
        file = "/usr/local/go/src/%s/file%d.go" % (pkg, i % 13)
    pc += rnd.randint(16, 400)
    off = rnd.randint(8, 300)
    line = rnd.randint(10, 3000)
    lines = ["#\t%#x\t%s+%#x\t%s:%d\n" % (pc, fn, off, file, line)]
    if rnd.random() < 0.09:
        lines.insert(0, "#\t%#x\t%s.inl%d+%#x\t%s:%d\n" %
                     (pc, pkg, i, off, file, line + 7))
    frames.append((pc + 1, "".join(lines)))

# A call graph layered by depth: frame k calls one of a few frames below it.
callees = [[rnd.randrange(a.frames) for _ in range(3)] for _ in range(a.frames)]
roots = rnd.sample(range(a.frames), 40)

out = sys.stdout
rate = 512 * 1024
out.write("heap profile: 1000: 50000000 [90000: 900000000] @ heap/%d\n" % (2 * rate))
written = 0
target = a.mb * 1000 * 1000
while written < target:
    depth = rnd.randint(10, 50)
    stack = [rnd.choice(roots)]
    for _ in range(depth - 1):
        stack.append(rnd.choice(callees[stack[-1]]))
    stack.reverse()  # leaf first
    size = rnd.choice([16, 32, 48, 64, 128, 256, 1024, 4096, 32768])
    ac = rnd.randint(1, 1000)
    ic = ac if rnd.random() < 0.2 else 0
    head = "%d: %d [%d: %d] @ %s\n" % (ic, ic * size, ac, ac * size,
                                       " ".join("%#x" % frames[f][0] for f in stack))
    body = "".join(frames[f][1] for f in stack) + "\n"
    out.write(head)
    out.write(body)
    written += len(head) + len(body)
out.write("\n# runtime.MemStats\n# Alloc = 1234\n")
