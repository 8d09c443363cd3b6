#!/usr/bin/env python3
"""The viewer and the command line never disagree: for each input family
and each common option, the top table the viewer draws (script mode, in
exact units: --unit B for bytes, ns for time, counts as they are) holds,
row for row, the flat and cum of `memtop top --format json -n 0` with the
same input and options; and that command agrees with the family's
external oracle:

  Go protobuf, Go debug=1 text: go tool pprof -top -nodefraction=0 -unit=B
      (a text profile is compared with its protobuf twin of the same moment,
      as go tool pprof needs the binary to read a text);
  goroutine dump: go tool pprof -traces of the runtime's own goroutine
      profile is covered by tests/goroutines_oracle.py; here the dump's
      groups are checked against the counts the program wrote
      (tests/data/go/panic-expect.txt is for the panic dump);
  tcmalloc / jemalloc heaps with --binary: google-pprof / jeprof --text
      (the goldens in tests/data/c, first line the command that made them);
  a database with two series whose sources are prefixes of each other:
      `memtop leaks --source S` names S's series, never the other.

Usage: agree.py MEMTOP REPO_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MEMTOP, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
GO = shutil.which("go")
env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8", TERM="xterm-256color",
           MEMTOP_DB=":memory:")
env.pop("NO_COLOR", None)
tmp = tempfile.mkdtemp(prefix="memtop-agree-")
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
    return cond


def run(args, ok=(0,)):
    r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                       errors="surrogateescape")
    if r.returncode not in ok:
        raise SystemExit(f"FAIL: {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def shown(name):
    """A name as the viewer shows it: control characters in caret notation;
    JSON's U+FFFD stands for a byte that is not UTF-8, which the viewer
    shows as \\xNN."""
    return "".join("^" + ("?" if c == "\x7f" else chr(ord(c) + 64))
                   if ord(c) < 0x20 or c == "\x7f" else c for c in name)


def cli_rows(inputs, opts, unit):
    r = run([MEMTOP, "top", "--format", "json", "-n", "0"] + (["--unit", unit] if unit else [])
            + opts + inputs[-1:])
    j = json.loads(r.stdout)
    return j, {shown(row["name"]): (row["flat"], row["cum"]) for row in j["rows"]}


NUM = re.compile(r"^(-?\d+)(?:B|ns)?$")


def viewer_rows(inputs, opts, unit, cols=200, rows=400):
    """The top table as the viewer draws it, in exact units."""
    keys = os.path.join(tmp, "keys")
    dump = os.path.join(tmp, "screen.txt")
    with open(keys, "w") as f:
        f.write(f"1\n:dump {dump}\nq\n")
    args = [MEMTOP, "--script", keys, "--screen", f"{cols}x{rows}"]
    if unit:
        args += ["--unit", unit]
    run(args + opts + inputs)
    with open(dump, errors="replace") as f:
        lines = f.read().split("\n")
    hdr = next(i for i, l in enumerate(lines) if "flat%" in l and "name" in l)
    name_at = lines[hdr].index("name")
    got, total = {}, None
    m = re.search(r"total (-?\d+)", lines[0])
    if m:
        total = int(m.group(1))
    for line in lines[hdr + 1:]:
        if not line.strip() or re.match(r"^ \d+ functions", line):
            break
        toks = line[:name_at].split()
        # The inline mark (checked against pprof by run_tui.py) is no
        # part of the name the JSON gives.
        name = re.sub(r" \((?:partial-)?inline\)$", "", line[name_at:].strip())
        fl, cu = NUM.match(toks[0]), NUM.match(toks[3])
        if not (fl and cu):
            failures.append(f"unreadable viewer row {line!r}")
            continue
        got[re.sub(r"\\x[0-9a-f]{2}", "\ufffd", name)] = (int(fl.group(1)), int(cu.group(1)))
    return got, total


def agree(label, inputs, opts, unit="B"):
    """Viewer == memtop top for inputs and opts; returns the CLI's JSON."""
    j, want = cli_rows(inputs, opts, unit)
    got, total = viewer_rows(inputs, opts, unit)
    check(got == want, f"{label}: viewer rows differ from memtop top: "
          f"only viewer {sorted(set(got.items()) - set(want.items()))[:4]}, "
          f"only cli {sorted(set(want.items()) - set(got.items()))[:4]}")
    if unit:
        check(total == j["total"], f"{label}: viewer total {total}, memtop top {j['total']}")
    print(f"ok   {label}: {len(got)} rows equal" if got == want else f"FAIL {label}")
    return j


def pprof_rows(args):
    """go tool pprof -top -nodefraction=0 -unit=B (or ns): name -> (flat, cum)."""
    if not any(a.startswith("-nodefraction") for a in args):
        args = ["-nodefraction=0"] + args
    r = subprocess.run([GO, "tool", "pprof", "-top"] + args,
                       cwd=ROOT, env=env, capture_output=True, text=True,
                       errors="replace")
    if r.returncode != 0:
        raise SystemExit(f"FAIL: go tool pprof {args}: {r.stderr}")
    rows = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*(-?\d+)(?:B|ns)?\s+\S+%\s+\S+%\s+(-?\d+)(?:B|ns)?\s+\S+%\s+(.*?)"
                     r"(?: \((?:partial-)?inline\))?$", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows


def oracle_pprof(label, j, pargs):
    if not GO:
        print(f"skip {label}: go not installed")
        return
    want = pprof_rows(pargs)
    got = {r["name"]: (r["flat"], r["cum"]) for r in j["rows"]}
    # A byte that is not UTF-8 reads as U+FFFD on both sides here.
    check(got == want, f"{label}: memtop top differs from go tool pprof: "
          f"only memtop {sorted(set(got.items()) - set(want.items()))[:4]}, "
          f"only pprof {sorted(set(want.items()) - set(got.items()))[:4]}")


def golden_c(label, j, golden, slack):
    """Functions of a google-pprof/jeprof --text golden against memtop's rows."""
    with open(os.path.join(ROOT, "tests/data/c", golden)) as f:
        text = f.read()
    total = int(re.search(r"^Total: (\d+)", text, re.M).group(1))
    check(total - slack <= j["total"] <= total,
          f"{label}: total {j['total']}, oracle {total} (slack {slack})")
    got = {r["name"]: r["flat"] for r in j["rows"]}
    for line in text.splitlines()[2:]:
        m = re.match(r"^\s*(\d+)\s+\S+%\s+\S+%\s+(\d+)\s+\S+%\s+(.*)$", line)
        if not m or int(m.group(1)) == 0:
            continue
        name, flat = m.group(3), int(m.group(1))
        if check(name in got, f"{label}: {name} is not a row of memtop top"):
            check(flat - slack <= got[name] <= flat,
                  f"{label}: {name} flat {got[name]}, oracle {flat}")


H = "tests/data/go/heap.pb.gz"
H2 = "tests/data/go/heap2.pb.gz"
CPU = "tests/data/go/cpu.pb.gz"

# --- Go protobuf: every common option ------------------------------------
go_cases = [
    ("heap", [], []),
    ("heap -i alloc_space", ["-i", "alloc_space"], ["-sample_index=alloc_space"]),
    ("heap --focus", ["--focus", "leakRound|buildTree"], ["-focus=leakRound|buildTree"]),
    ("heap --ignore", ["--ignore", r"^main\.leak$"], [r"-ignore=^main\.leak$"]),
    ("heap --hide", ["--hide", r"^main\.newBuf$"], [r"-hide=^main\.newBuf$"]),
    ("heap --show", ["--show", r"^main\."], [r"-show=^main\."]),
    ("heap --tagfocus range", ["--tagfocus", "bytes=256b:"], ["-tagfocus=bytes=256b:"]),
    ("heap --tagignore range", ["--tagignore", "bytes=:64b"], ["-tagignore=bytes=:64b"]),
    ("heap --granularity files", ["--granularity", "files"], ["-files"]),
    ("heap --granularity lines", ["--granularity", "lines"], ["-lines"]),
    ("heap --base", ["--base", H], ["-base=" + H]),
    ("heap --diff-base", ["--diff-base", H], ["-diff_base=" + H]),
    ("heap --base --normalize", ["--base", H, "--normalize"], ["-base=" + H, "-normalize"]),
    ("heap --tagroot", ["--tagroot", "bytes"], ["-tagroot=bytes"]),
    ("heap -n 7 --cum", ["-n", "7", "--cum"], ["-nodecount=7", "-cum"]),
    ("heap --nodefraction", ["--nodefraction", "0.01"], ["-nodefraction=0.01"]),
]
for label, opts, popts in go_cases:
    target = H2 if "base" in label else H
    j = agree(label, [target], opts)
    oracle_pprof(label, j, ["-unit=B"] + popts + [target])

BLOCK = "tests/data/go/block.pb.gz"
j = agree("block --mean", [BLOCK], ["--mean"], unit="ns")
oracle_pprof("block --mean", j, ["-unit=ns", "-mean", BLOCK])

cpu_cases = [
    ("cpu", [], []),
    ("cpu --tagfocus worker=spin", ["--tagfocus", "worker=spin"], ["-tagfocus=worker=spin"]),
    ("cpu --tagignore worker=spin", ["--tagignore", "worker=spin"], ["-tagignore=worker=spin"]),
]
for label, opts, popts in cpu_cases:
    j = agree(label, [CPU], opts, unit="ns")
    oracle_pprof(label, j, ["-unit=ns"] + popts + [CPU])

# --- names other tools trip on: generics, bad UTF-8, control characters ---
NAMES = "tests/data/names/names.pb.gz"
j = agree("names", [NAMES], [])
oracle_pprof("names", j, ["-unit=B", NAMES])

# --- Go debug=1 text: its protobuf twin is the oracle ---------------------
j = agree("heap.txt", ["tests/data/go/heap.txt"], [])
oracle_pprof("heap.txt", j, ["-unit=B", H])

# --- goroutine dump: the profile of its groups ---------------------------
j = agree("goroutine dump", ["tests/data/go/goroutine-dump.txt"], [], unit=None)
states = {}
with open(os.path.join(ROOT, "tests/tui/oracle/goroutine-dump.states")) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            st, n = line.rstrip("\n").rsplit("\t", 1)
            states[st] = int(n)
total = states.pop("total")
check(total == sum(states.values()) and j["total"] == total,
      f"goroutine dump: total {j['total']}, the program parked {total}")

# --- C heaps with --binary: google-pprof and jeprof ----------------------
C = "tests/data/c/"
j = agree("tcmalloc --binary", [C + "tcmalloc.heap"], ["--binary", C + "leaker_tc"])
golden_c("tcmalloc --binary", j, "tcmalloc.inuse_space.txt", 0)
j = agree("jemalloc --binary", [C + "jemalloc.heap"], ["--binary", C + "leaker_je"])
golden_c("jemalloc --binary", j, "jemalloc.inuse_space.txt", 0)

# --- a database of two series, one source a prefix of the other ----------
db = os.path.join(tmp, "two.db")
series = sorted(os.listdir(os.path.join(ROOT, "tests/data/go/heapseries")))
series = [s for s in series if s.endswith(".pb.gz")]
ids = {}
for name, files in (("x", series[:6]), ("x2", series[6:])):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    for i, s in enumerate(files):
        shutil.copy(os.path.join(ROOT, "tests/data/go/heapseries", s), d)
        r = run([MEMTOP, "import", "--db", db, "--time", str(1700000000 + 3600 * i),
                 os.path.join(d, s)])
        ids.setdefault(name, []).append(int(r.stdout.split()[0]))
for name in ("x", "x2"):
    r = run([MEMTOP, "leaks", "--db", db, "--source", os.path.join(tmp, name),
             "--format", "json"])
    lk = json.loads(r.stdout)
    src = lk.get("source") or (lk.get("series") or [{}])[0].get("source")
    check(src == os.path.join(tmp, name), f"leaks --source {name}: picked {src}")
    # The viewer on a stored snapshot of the series agrees with top @ID.
    at = f"@{ids[name][-1]}"
    env2 = dict(env, MEMTOP_DB=db)
    env_saved = env.copy()
    env.update(env2)
    agree(f"db {name} {at}", [at], ["--db", db])
    env.clear()
    env.update(env_saved)

shutil.rmtree(tmp, ignore_errors=True)
for f in failures:
    print("FAIL", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
