#!/usr/bin/env bash
# Issue-16 benchmark: goroutine lifetimes and leaks across stored dumps.
#
#   1. A dump of 200k goroutines (gen.py, 500 stacks) and the same dump an
#      hour later (every wait one minute longer: all goroutines stuck), both
#      stored in one series. `memtop goroutines --since @1 DUMP` against
#      `memtop goroutines DUMP` on the file, and the same on the stored dump
#      (@2). Target: --since within 2x of goroutines on one dump.
#   2. 100 stored dumps of 20k goroutines (one import, copied 99 times in
#      SQL an hour apart, as bench/leaks/run.sh does: the copies share
#      stacks and ids, the worst case for lifetimes, every goroutine stuck
#      since the first dump). `memtop leaks` (target: under 1 s), and
#      `memtop goroutines --since @1 @100` against `memtop goroutines @100`.
#   Before timing, the answers are checked: every goroutine there since @1.
#
# Usage: bench/goroutines/leaks.sh [--runs N] [MEMTOP]
#   MEMTOP defaults to build/memtop, N to 10. Needs hyperfine and sqlite3.
# Results: bench/goroutines/out/leaks-*.json and leaks-summary.txt (with
# `uptime`: the machine is shared, and its load shows in the figures).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/out"
runs=10
memtop=
while (($#)); do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	*) memtop=$1; shift ;;
	esac
done
memtop=${memtop:-$root/build/memtop}
memtop=$(cd "$(dirname "$memtop")" && pwd)/$(basename "$memtop")
export TZ=UTC LC_ALL=C
unset MEMTOP_DB
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$out"

for n in 20000 200000; do
	[ -s "g$n.txt" ] || python3 "$here/gen.py" "$n" "g$n.txt" --stacks 500 --seed 1
done

# 1. Two 200k dumps of one process, an hour apart.
mkdir -p "$tmp/big"
cp g200000.txt "$tmp/big/a.txt"
python3 - "$tmp/big/a.txt" "$tmp/big/b.txt" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(
    re.sub(r", (\d+) minutes", lambda m: ", %d minutes" % (int(m.group(1)) + 1), s))
PY
big=$tmp/big.db
"$memtop" import --db "$big" --time 1700000000 "$tmp/big/a.txt" >/dev/null
"$memtop" import --db "$big" --time 1700003600 "$tmp/big/b.txt" >/dev/null

# 2. 100 stored dumps of 20k.
mkdir -p "$tmp/many"
cp g20000.txt "$tmp/many/d.txt"
many=$tmp/many.db
"$memtop" import --db "$many" --time 1700000000 "$tmp/many/d.txt" >/dev/null
sqlite3 "$many" "
 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
 INSERT INTO snapshot (hash, source, kind, format, time, stored, sample_types, default_type,
   period_type, period_unit, period, time_nanos, duration_nanos, drop_frames, keep_frames,
   comments, mappings, strings, nsample, total)
 SELECT hash || '-' || i, source, kind, format, time + i * 3600000000000, stored, sample_types,
   default_type, period_type, period_unit, period, time_nanos, duration_nanos, drop_frames,
   keep_frames, comments, mappings, strings, nsample, total FROM snapshot, n WHERE id = 1;
 INSERT INTO chunk (snapshot, seq, n, stacks, vals, labels)
 SELECT s.id, c.seq, c.n, c.stacks, c.vals, c.labels FROM snapshot s, chunk c
 WHERE c.snapshot = 1 AND s.id > 1;"
echo "$(sqlite3 "$many" 'select count(*) from snapshot') dumps of" \
	"$(sqlite3 "$many" 'select nsample from snapshot where id = 1') goroutines," \
	"$(sqlite3 "$many" 'select sum(n) from chunk') goroutines stored in all"

# Correctness first: every goroutine was there since @1.
check_since() { # want DB ARGS...
	local want=$1
	shift
	"$memtop" goroutines --format json "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
n = sum(g["since"]["count"] for g in d["groups"])
if n != int(sys.argv[1]) or d["total"] != n:
    sys.exit("--since: %d of %d there since @1, want %s" % (n, d["total"], sys.argv[1]))
print("--since: all %d goroutines there since @1" % n)' "$want"
}
check_since 200000 --db "$big" --since @1 "$tmp/big/b.txt"
check_since 200000 --db "$big" --since @1 @2
check_since 20000 --db "$many" --since @1 @100
"$memtop" leaks --db "$many" --format json -n 3 | python3 -c '
import json, sys
s = json.load(sys.stdin)["series"][0]
if s["snapshots"] != 100 or sum(s["totals"]) != 100 * 20000:
    sys.exit("leaks: %d snapshots, %d goroutines" % (s["snapshots"], sum(s["totals"])))
print("leaks: 100 snapshots, 2,000,000 goroutines")'

hyperfine --warmup 1 --runs "$runs" -N --export-json leaks-200k.json \
	-n goroutines-file "$memtop goroutines $tmp/big/b.txt" \
	-n since-file "$memtop goroutines --db $big --since @1 $tmp/big/b.txt" \
	-n goroutines-stored "$memtop goroutines --db $big @2" \
	-n since-stored "$memtop goroutines --db $big --since @1 @2"
hyperfine --warmup 1 --runs "$runs" -N --export-json leaks-100x20k.json \
	-n leaks "$memtop leaks --db $many -n 20" \
	-n goroutines-stored "$memtop goroutines --db $many @100" \
	-n since-stored "$memtop goroutines --db $many --since @1 @100"

python3 - <<'PY' | tee leaks-summary.txt
import json
a = {r["command"]: r for r in json.load(open("leaks-200k.json"))["results"]}
b = {r["command"]: r for r in json.load(open("leaks-100x20k.json"))["results"]}
ms = lambda r: r["mean"] * 1e3
cpu = lambda r: (r["user"] + r["system"]) * 1e3
# Wall time is noisy on a shared machine: CPU time (user + system) too.
def line(what, r, base=None):
    s = "%-42s %7.1f ms +- %5.1f  cpu %6.1f ms" % (what, ms(r), r["stddev"] * 1e3, cpu(r))
    if base:
        s += "   wall %.2fx, cpu %.2fx" % (r["mean"] / base["mean"], cpu(r) / cpu(base))
    print(s)
print("200k goroutines, 2 stored dumps (target: --since within 2x):")
line("goroutines DUMP (file)", a["goroutines-file"])
line("goroutines --since @1 DUMP (file)", a["since-file"], a["goroutines-file"])
line("goroutines @2 (stored)", a["goroutines-stored"])
line("goroutines --since @1 @2 (stored)", a["since-stored"], a["goroutines-stored"])
print("100 stored dumps of 20k goroutines (target: leaks under 1 s):")
line("leaks -n 20", b["leaks"])
line("goroutines @100 (stored)", b["goroutines-stored"])
line("goroutines --since @1 @100 (100 dumps)", b["since-stored"], b["goroutines-stored"])
line("  ... against goroutines on the 200k file", b["since-stored"], a["goroutines-file"])
PY
echo "uptime: $(uptime)" | tee -a leaks-summary.txt
