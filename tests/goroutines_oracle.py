#!/usr/bin/env python3
"""Checks `memtop goroutines` and `memtop top` on goroutine dumps against
independent tools.

    goroutines_oracle.py MEMTOP panicparse   groups vs panicparse
    goroutines_oracle.py MEMTOP pprof        memtop top DUMP vs go tool pprof
                                             on the runtime's own profile

panicparse: for the real dumps in tests/data/go and a synthetic one from
bench/goroutines/gen.py, panicparse -aggressive groups goroutines; it splits
groups further than memtop (by creator location and id, by arguments), so both
sides are summed per (state, stack of file:line) and must agree on the count
and on the wait range of every such stack, and on the total.

pprof: tests/go/leaky wrote tests/data/go/goroutine.pb.gz (debug=0) and
goroutine-dump.txt (debug=2) one after the other with the same 15 goroutines
parked. Both include the goroutine that wrote them (goroutine 1, "running"),
so the totals agree (15, no off-by-one); what differs is only that goroutine's
leaf frames (runtime.goroutineProfileWithLabels <- writeRuntimeProfile for the
profile, writeGoroutineStacks for the dump) and the runtime frames the dump
hides (runtime.gopark, runtime.chanrecv, ..., runtime.main). Every other
function must have the same cum, and the same "(inline)" mark.
Exit 77 (skipped) when the tool is not installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "go")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def memtop_groups(memtop, dump):
    out = subprocess.run([memtop, "goroutines", "--format", "json", dump],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    by = {}
    for g in d["groups"]:
        k = (g["state"], tuple((f["file"], f["line"]) for f in g["frames"]))
        c, lo, hi = by.get(k, (0, None, None))
        lo = g["wait_minutes_min"] if lo is None else min(lo, g["wait_minutes_min"])
        hi = g["wait_minutes_max"] if hi is None else max(hi, g["wait_minutes_max"])
        by[k] = (c + g["count"], lo, hi)
    check(d["total"] == sum(g["count"] for g in d["groups"]),
          "%s: total %d is not the sum of the groups" % (dump, d["total"]))
    return d["total"], by


HEAD = re.compile(r"^(\d+): (.*?)(?: \[(\d+)(?:~(\d+))? minutes\])?(?: \[locked\])?"
                  r"(?: \[Created by .*\])?$")
FRAME = re.compile(r"^\s+(?:\S+\s+)?(\S+):(\d+)\s+\S")


def panicparse_groups(dump):
    r = subprocess.run(["panicparse", "-aggressive", "-no-color", "-full-path",
                        "-parse=false", "-rebase=false", dump],
                       capture_output=True, text=True)
    by, cur = {}, None
    total = 0

    def flush():
        if cur:
            n, st, lo, hi, frames = cur
            k = (st, tuple(frames))
            c, a, b = by.get(k, (0, None, None))
            by[k] = (c + n, lo if a is None else min(a, lo), hi if b is None else max(b, hi))

    for line in (r.stdout + r.stderr).splitlines():
        m = HEAD.match(line)
        if m:
            flush()
            lo = int(m.group(3) or 0)
            hi = int(m.group(4) or m.group(3) or 0)
            cur = (int(m.group(1)), m.group(2), lo, hi, [])
            total += int(m.group(1))
            continue
        m = FRAME.match(line)
        if m and cur:
            cur[4].append((m.group(1), int(m.group(2))))
    flush()
    return total, by


def run_panicparse(memtop):
    if not shutil.which("panicparse"):
        print("panicparse not installed: skipped")
        sys.exit(77)
    tmp = tempfile.mkdtemp()
    try:
        synth = os.path.join(tmp, "synthetic.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "goroutines", "gen.py"),
                        "3000", synth, "--stacks", "60", "--seed", "7"], check=True)
        dumps = [os.path.join(DATA, "goroutine-dump.txt"),
                 os.path.join(DATA, "panic-dump.txt"), synth]
        for dump in dumps:
            mt_total, mt = memtop_groups(memtop, dump)
            pp_total, pp = panicparse_groups(dump)
            name = os.path.basename(dump)
            check(mt_total == pp_total, "%s: total %d, panicparse %d" % (name, mt_total, pp_total))
            for k in sorted(set(mt) | set(pp)):
                a, b = mt.get(k), pp.get(k)
                check(a == b, "%s: %s at %s: memtop (count, wait min, max) %s, panicparse %s"
                      % (name, k[0], k[1][:1], a, b))
            states = {}
            for (st, _), (c, _, _) in pp.items():
                states[st] = states.get(st, 0) + c
            # The text output's group headers "N: state[, wait][, locked] [ids]"
            # add up to the same counts per state.
            text = subprocess.run([memtop, "goroutines", dump], check=True,
                                  capture_output=True, text=True).stdout
            tstates = {}
            for line in text.splitlines():
                m = re.match(r"^(\d+): (.*?)(?:, \d+(?:-\d+)? minutes)?(?:, \d+ locked to thread)?"
                             r" \[goroutines? [\d, .]+\]$", line)
                if m:
                    tstates[m.group(2)] = tstates.get(m.group(2), 0) + int(m.group(1))
            check(tstates == states, "%s: text output by state %s, panicparse %s"
                  % (name, sorted(tstates.items()), sorted(states.items())))
            print("%s: %d goroutines, %d stacks; by state %s" % (name, pp_total, len(pp),
                                                              sorted(states.items())))
    finally:
        shutil.rmtree(tmp)


def run_pprof(memtop):
    if not shutil.which("go"):
        print("go not installed: skipped")
        sys.exit(77)
    env = dict(os.environ)
    env.setdefault("GOCACHE", os.path.join(tempfile.gettempdir(), "memtop-gocache"))
    out = subprocess.run(["go", "tool", "pprof", "-top", "-nodefraction=0",
                          os.path.join(DATA, "goroutine.pb.gz")],
                         check=True, capture_output=True, text=True, env=env).stdout
    pp, pp_inline, pp_total = {}, set(), None
    for line in out.splitlines():
        m = re.match(r"Showing nodes accounting for \d+, [\d.]+% of (\d+) total", line)
        if m:
            pp_total = int(m.group(1))
        m = re.match(r"^\s*(\d+)\s+\S+%\s+\S+%\s+(\d+)\s+\S+%\s+(.*)$", line)
        if m:
            name = m.group(3)
            if name.endswith(" (inline)"):
                name = name[:-9]
                pp_inline.add(name)
            pp[name] = int(m.group(2))
    dump = os.path.join(DATA, "goroutine-dump.txt")
    d = json.loads(subprocess.run([memtop, "top", "--format", "json", "-n", "0", dump],
                                  check=True, capture_output=True, text=True).stdout)
    mt = {r["name"]: r["cum"] for r in d["rows"]}
    text = subprocess.run([memtop, "top", "-n", "0", dump], check=True,
                          capture_output=True, text=True).stdout
    mt_inline = {l[:-9].split("  ")[-1] for l in text.splitlines() if l.endswith(" (inline)")}
    check(d["sample_type"] == "goroutine" and d["unit"] == "count",
          "sample type %s/%s" % (d["sample_type"], d["unit"]))
    check(pp_total == 15 and d["total"] == pp_total,
          "total: memtop %s, pprof %s (the program parked 15)" % (d["total"], pp_total))
    both = set(pp) & set(mt)
    for f in sorted(both):
        check(mt[f] == pp[f], "%s: cum memtop %d, pprof %d" % (f, mt[f], pp[f]))
        check((f in mt_inline) == (f in pp_inline), "%s: inline mark differs" % f)
    writer_pb = {"runtime/pprof.writeRuntimeProfile",
                 "runtime/pprof.runtime_goroutineProfileWithLabels"}
    only_pp = {f for f in set(pp) - set(mt) if not f.startswith("runtime.")}
    check(only_pp == writer_pb, "only in pprof, not runtime.*: %s" % sorted(only_pp))
    only_mt = set(mt) - set(pp)
    check(only_mt == {"runtime/pprof.writeGoroutineStacks"},
          "only in memtop: %s" % sorted(only_mt))
    for f in only_pp | only_mt:
        check(pp.get(f, mt.get(f)) == 1, "%s is not only in the writing goroutine" % f)
    check(len(both) >= 25, "only %d functions in common" % len(both))
    print("%d functions in both, cum equal; total %d" % (len(both), d["total"]))


def main():
    memtop, which = sys.argv[1], sys.argv[2]
    {"panicparse": run_panicparse, "pprof": run_pprof}[which](memtop)
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
