#!/usr/bin/env bash
# Issue-3 benchmark: `memtop goroutines` on synthetic debug=2 dumps.
#
#   1. 20k goroutines (~20 MB, 500 stacks): memtop goroutines vs panicparse
#      (hyperfine); target: memtop >= 100x faster.
#   2. 200k goroutines (~210 MB): memtop goroutines alone; target: < 1 s.
#   Both outputs are first checked against the generator's own counts per
#   (state, stack), so a fast wrong answer does not pass.
#
# Usage: bench/goroutines/run.sh [--runs N] [--panicparse-runs N] [MEMTOP]
#   MEMTOP defaults to build/memtop; N defaults to 10 (memtop), 3 (panicparse).
# Results: bench/goroutines/out/*.md, *.json and summary.txt. The dumps are
# made by gen.py (deterministic) into bench/goroutines/out/ if missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/out"
runs=10
pp_runs=3
memtop=
while (($#)); do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--panicparse-runs) pp_runs=$2; shift 2 ;;
	*) memtop=$1; shift ;;
	esac
done
memtop=${memtop:-$root/build/memtop}
memtop=$(cd "$(dirname "$memtop")" && pwd)/$(basename "$memtop")
mkdir -p "$out"
cd "$out"

for n in 20000 200000; do
	[ -s "g$n.txt" ] || python3 "$here/gen.py" "$n" "g$n.txt" --stacks 500 --seed 1
done

# Correctness first: memtop's groups summed per (state, stack) must equal the
# generator's counts.
for n in 20000 200000; do
	"$memtop" goroutines --format json "g$n.txt" | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = {}
for g in d["groups"]:
    k = (g["state"], "|".join("%s:%s:%d" % (f["function"], f["file"], f["line"]) for f in g["frames"]))
    got[k] = got.get(k, 0) + g["count"]
want = {}
for l in open(sys.argv[1]):
    c, s, st = l.rstrip("\n").split("\t")
    want[(s, st)] = int(c)
if got != want or d["total"] != sum(want.values()):
    sys.exit("memtop disagrees with the generator on " + sys.argv[1])
print("%s: %d goroutines in %d groups, as generated" % (sys.argv[1], d["total"], len(d["groups"])))
' "g$n.txt.expect"
done

# panicparse takes tens of seconds per run: fewer runs, no warmup.
hyperfine --warmup 1 --runs "$runs" -N \
	--export-markdown goroutines-20k.md --export-json goroutines-20k.json \
	-n memtop "$memtop goroutines g20000.txt"
hyperfine --runs "$pp_runs" -N \
	--export-markdown goroutines-20k-panicparse.md \
	--export-json goroutines-20k-panicparse.json \
	-n panicparse "panicparse -no-color g20000.txt"
hyperfine --warmup 1 --runs "$runs" -N \
	--export-markdown goroutines-200k.md --export-json goroutines-200k.json \
	-n memtop-200k "$memtop goroutines g200000.txt" \
	-n memtop-200k-json "$memtop goroutines --format json g200000.txt"

python3 - <<'PY' | tee summary.txt
import json
a = {r["command"]: r for f in ("goroutines-20k.json", "goroutines-20k-panicparse.json")
     for r in json.load(open(f))["results"]}
b = {r["command"]: r for r in json.load(open("goroutines-200k.json"))["results"]}
m, p = a["memtop"]["mean"], a["panicparse"]["mean"]
print("20k goroutines:  memtop %.1f ms, panicparse %.0f ms: %.0fx faster (target >= 100x)"
      % (m * 1e3, p * 1e3, p / m))
print("                 user CPU: memtop %.1f ms, panicparse %.0f ms: %.0fx"
      % (a["memtop"]["user"] * 1e3, a["panicparse"]["user"] * 1e3,
         a["panicparse"]["user"] / a["memtop"]["user"]))
for k in ("memtop-200k", "memtop-200k-json"):
    print("200k goroutines: %s %.0f ms +- %.0f (target < 1000 ms)"
          % (k, b[k]["mean"] * 1e3, b[k]["stddev"] * 1e3))
PY
