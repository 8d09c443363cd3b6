#!/usr/bin/env python3
"""Writes a synthetic Go goroutine dump (the debug=2 / panic format) for
benchmarks: N goroutines drawn from S distinct stacks, with varied states,
wait times, locked threads, inlined frames, both "created by" styles, and
arguments that differ between goroutines of the same stack.

    gen.py N OUT [--stacks S] [--seed X]

Deterministic for a given seed. Also writes OUT.expect: per (state, stack)
the goroutine count, so a benchmark run can be checked for correctness.
"""
import argparse
import random

PKGS = ["main", "net/http", "database/sql", "google.golang.org/grpc",
        "github.com/acme/shop/cart", "github.com/acme/shop/orders",
        "internal/poll", "sync", "runtime", "encoding/json", "bufio",
        "github.com/acme/shop/internal/cache", "go.uber.org/zap"]
TYPES = ["", "(*Server)", "(*conn)", "(*Cache)", "(*Pool)", "(*worker)",
         "Handler", "(*Decoder)", "(*Reader)", "(*ClientConn)"]
VERBS = ["serve", "Serve", "handle", "Run", "loop", "Read", "Write", "wait",
         "Lock", "dispatch", "process", "fetch", "Get", "Put", "flush",
         "readLoop", "writeLoop", "Accept", "Decode", "call"]
STATES = [("chan receive", 30), ("select", 25), ("IO wait", 20),
          ("semacquire", 8), ("sync.Mutex.Lock", 4), ("chan send", 4),
          ("sleep", 3), ("sync.Cond.Wait", 2), ("runnable", 2),
          ("syscall", 1), ("select (no cases)", 1)]


def func_name(rng):
    pkg = rng.choice(PKGS)
    t = rng.choice(TYPES)
    name = rng.choice(VERBS) + rng.choice(["", "", "Ctx", "Slow", "Once"])
    if rng.random() < 0.2:
        name += ".func%d" % rng.randint(1, 4)
    return (pkg + "." + (t + "." if t else "") + name), pkg


def file_for(rng, pkg):
    if pkg.startswith(("github.com", "google.golang.org", "go.uber.org")):
        base = "/root/go/pkg/mod/" + pkg + "@v1.%d.0" % rng.randint(0, 9)
    elif pkg == "main":
        base = "/src/shop/cmd/shop"
    else:
        base = "/usr/local/go/src/" + pkg
    return base + "/" + rng.choice(["server.go", "conn.go", "pool.go",
                                    "cache.go", "loop.go", "io.go"])


def make_stack(rng):
    depth = rng.randint(3, 14)
    frames = []
    for _ in range(depth):
        fn, pkg = func_name(rng)
        nargs = rng.randint(0, 4)
        inl = rng.random() < 0.1
        frames.append((fn, file_for(rng, pkg), rng.randint(10, 3000),
                       nargs, inl))
    st = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
    creator, cpkg = func_name(rng)
    return st, frames, creator, file_for(rng, cpkg), rng.randint(10, 3000)


def arg(rng):
    r = rng.random()
    if r < 0.4:
        return "0xc%09x" % rng.getrandbits(36)
    if r < 0.6:
        return "{0x%x, 0x%x}" % (rng.getrandbits(24), rng.randint(0, 64))
    if r < 0.8:
        return "0x%x?" % rng.randint(0, 255)
    return "0x%x" % rng.randint(0, 1 << 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--stacks", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    stacks = [make_stack(rng) for _ in range(a.stacks)]
    # A few stacks hold most goroutines, like a real leak.
    weights = [1.0 / (i + 1) ** 0.8 for i in range(a.stacks)]
    counts = {}
    gid = 1
    with open(a.out, "w") as f:
        f.write("goroutine 1 [running]:\nmain.main()\n"
                "\t/src/shop/cmd/shop/main.go:42 +0x1d\n\n")
        counts[("running", "main.main:/src/shop/cmd/shop/main.go:42")] = 1
        picks = rng.choices(range(a.stacks), weights, k=a.n - 1)
        for k in picks:
            st, frames, creator, cfile, cline = stacks[k]
            gid += rng.randint(1, 9)
            hdr = st
            if st not in ("runnable", "running") and rng.random() < 0.6:
                hdr += ", %d minutes" % rng.randint(1, 2000)
            if rng.random() < 0.02:
                hdr += ", locked to thread"
            out = ["goroutine %d [%s]:\n" % (gid, hdr)]
            for fn, file, line, nargs, inl in frames:
                if inl:
                    out.append("%s(...)\n\t%s:%d\n" % (fn, file, line))
                else:
                    args = ", ".join(arg(rng) for _ in range(nargs))
                    out.append("%s(%s)\n\t%s:%d +0x%x\n" % (fn, args, file, line,
                                                           line * 7 % 4096))
            if k % 2:
                out.append("created by %s in goroutine %d\n" % (creator, rng.randint(1, gid)))
            else:
                out.append("created by %s\n" % creator)
            out.append("\t%s:%d +0x%x\n\n" % (cfile, cline, cline % 999))
            f.write("".join(out))
            key = (st, "|".join("%s:%s:%d" % fr[:3] for fr in frames))
            counts[key] = counts.get(key, 0) + 1
    with open(a.out + ".expect", "w") as f:
        for (st, stack), c in sorted(counts.items()):
            f.write("%d\t%s\t%s\n" % (c, st, stack))


if __name__ == "__main__":
    main()
