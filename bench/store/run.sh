#!/usr/bin/env bash
# Store benchmarks (issue 4):
#  1. import of the 1M-sample heap profile vs `memtop top` on it (target <= 3x)
#  2. ten successive heap snapshots of the live test service: bytes each adds
#  3. `memtop ls` on 10,000 snapshots (target < 100 ms)
# Usage: bench/store/run.sh [BUILD_DIR]     (default: build)
# Needs bench/out/heap-1m.pb.gz (bench/gen-profiles.sh), go, sqlite3.
# Times: best of 3 runs; wall and CPU (user+sys) both, since a busy machine
# inflates wall time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
memtop=$(cd "$repo" && realpath "$build/memtop")
tmp=$(mktemp -d)
svc_pid=
cleanup() { [[ -n $svc_pid ]] && kill "$svc_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export TZ=UTC LC_ALL=C
unset MEMTOP_DB

# best3 LABEL CMD...: prints "LABEL wall W s cpu C s" (best of 3).
best3() {
	local label=$1; shift
	local bw=999999 bc=999999
	for _ in 1 2 3; do
		[[ -n ${BEFORE:-} ]] && eval "$BEFORE"
		/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null
		read -r w u s < "$tmp/t"
		bw=$(awk -v a="$bw" -v b="$w" 'BEGIN{print (b<a)?b:a}')
		bc=$(awk -v a="$bc" -v b="$u" -v c="$s" 'BEGIN{x=b+c; print (x<a)?x:a}')
	done
	echo "$label wall $bw s cpu $bc s"
}

heap=$repo/bench/out/heap-1m.pb.gz
if [[ -f $heap ]]; then
	echo "== 1. heap-1m: import vs top"
	best3 "top   " "$memtop" top -n 10 "$heap" | tee "$tmp/top"
	BEFORE="rm -f $tmp/i.db $tmp/i.db-wal $tmp/i.db-shm" best3 "import" "$memtop" import --db "$tmp/i.db" "$heap" | tee "$tmp/imp"
	best3 "top @1" "$memtop" top -n 10 --db "$tmp/i.db" @1
	awk '{w[NR]=$3; c[NR]=$6} END {printf "   import/top: wall %.2fx, cpu %.2fx (target <= 3x)\n", w[2]/w[1], c[2]/c[1]}' \
		"$tmp/top" "$tmp/imp"
	echo "   database: $(stat -c %s "$tmp/i.db") bytes for $(sqlite3 "$tmp/i.db" 'select nsample from snapshot') samples, $(sqlite3 "$tmp/i.db" 'select sum(n) from stack') stacks"
else
	echo "== 1. skipped: no $heap (run bench/gen-profiles.sh)"
fi

echo "== 2. ten successive heap snapshots of tests/go/service"
(cd "$repo/tests/go/service" && GOCACHE=${GOCACHE:-$tmp/gocache} GOFLAGS=-mod=mod go build -o "$tmp/service" .)
"$tmp/service" > "$tmp/svc.out" &
svc_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/svc.out" 2>/dev/null && break; sleep 0.1; done
addr=$(awk '{print $3}' "$tmp/svc.out")
sleep 3 # let the leak build up some stacks
q="SELECT (SELECT sum(length(stacks) + length(vals) + ifnull(length(labels), 0) + 16) FROM chunk)
 + (SELECT ifnull(sum(length(locs) + 16), 0) FROM stack)
 + (SELECT ifnull(sum(length(lines) + 24), 0) FROM location)
 + (SELECT ifnull(sum(length(name) + length(system_name) + length(filename) + 16), 0) FROM function)
 + (SELECT sum(length(sample_types) + length(mappings) + length(strings) + length(source) + 200) FROM snapshot)"
prev=0 prevf=0
for i in $(seq 10); do
	"$memtop" collect --db "$tmp/s.db" --count 1 "http://$addr/debug/pprof/heap" >/dev/null
	bytes=$(sqlite3 "$tmp/s.db" "$q")
	size=$(stat -c %s "$tmp/s.db")
	printf "   snapshot %2d: +%7d bytes of rows, file +%7d (samples %s, stacks in db %s)\n" "$i" \
		$((bytes - prev)) $((size - prevf)) \
		"$(sqlite3 "$tmp/s.db" 'select nsample from snapshot order by id desc limit 1')" \
		"$(sqlite3 "$tmp/s.db" 'select sum(n) from stack')"
	prev=$bytes prevf=$size
	sleep 1
done

echo "== 3. memtop ls on 10,000 snapshots"
"$memtop" import --db "$tmp/l.db" "$repo/tests/data/go/heap.pb.gz" >/dev/null
sqlite3 "$tmp/l.db" "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
 INSERT INTO snapshot (hash, source, kind, format, time, stored, sample_types, default_type,
   period_type, period_unit, period, time_nanos, duration_nanos, drop_frames, keep_frames,
   comments, mappings, strings, nsample, total)
 SELECT hash || '-' || i, source, kind, format, time + i * 1000000000, stored, sample_types,
   default_type, period_type, period_unit, period, time_nanos, duration_nanos, drop_frames,
   keep_frames, comments, mappings, strings, nsample, total + i FROM snapshot, n WHERE id = 1;"
echo "   $(sqlite3 "$tmp/l.db" 'select count(*) from snapshot') snapshots"
best3 "ls        " "$memtop" ls --db "$tmp/l.db"
best3 "ls --json " "$memtop" ls --db "$tmp/l.db" --format json
