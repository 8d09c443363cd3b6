#!/usr/bin/env bash
# memtop leaks benchmark (issue 6): `memtop leaks` over 100 stored snapshots
# of 10,000 stacks each (target: under 1 s).
#
# The snapshots are one synthetic heap profile with 10,000 distinct stacks
# (bench/gen -samples 11500: a sample per stack and object size), imported
# once, then copied 99 times in SQL with capture times an hour apart. The
# copies keep the values (the work of `leaks` does not depend on them) and
# share the stacks, as the snapshots of one service do.
#
# Usage: bench/leaks/run.sh [BUILD_DIR]     (default: build)
# Needs bench/out/gen (bench/gen-profiles.sh) and sqlite3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
memtop=$(cd "$repo" && realpath "$build/memtop")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C
unset MEMTOP_DB
gen=$repo/bench/out/gen
[[ -x $gen ]] || { echo "no $gen: run bench/gen-profiles.sh" >&2; exit 1; }

"$gen" -q -samples 11500 -o "$tmp/p.pb.gz"
"$memtop" import --db "$tmp/l.db" --time 1700000000 "$tmp/p.pb.gz" >/dev/null
sqlite3 "$tmp/l.db" "
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
echo "$(sqlite3 "$tmp/l.db" 'select count(*) from snapshot') snapshots of" \
	"$(sqlite3 "$tmp/l.db" 'select nsample from snapshot where id = 1') samples," \
	"$(sqlite3 "$tmp/l.db" 'select sum(n) from stack') stacks," \
	"$(sqlite3 "$tmp/l.db" 'select sum(n) from chunk') samples in all"
best_w=999 best_c=999
for _ in 1 2 3 4 5; do
	/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$memtop" leaks --db "$tmp/l.db" -n 20 >/dev/null
	read -r w u s < "$tmp/t"
	best_w=$(awk -v a="$best_w" -v b="$w" 'BEGIN{print (b<a)?b:a}')
	best_c=$(awk -v a="$best_c" -v b="$u" -v c="$s" 'BEGIN{x=b+c; print (x<a)?x:a}')
done
echo "memtop leaks -n 20: wall $best_w s, cpu $best_c s (best of 5; target < 1 s)"
/usr/bin/time -f "memtop leaks --format json -n 0: wall %e s" "$memtop" leaks --db "$tmp/l.db" \
	--format json -n 0 >/dev/null
