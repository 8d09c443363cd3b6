#!/usr/bin/env bash
# Issue-17 benchmark of `memtop top` (bench/lib.sh: idle waits, alternating
# pairs, medians, PASS/FAIL):
#   1. heap-200k: memtop top -n 20  vs  go tool pprof -top -nodecount=20:
#      wall time, target memtop >= 40x faster; peak RSS, target >= 10x less.
#   2. heap-1m:   memtop top -n 20  vs  gzip -dc FILE >/dev/null:
#      wall time, target memtop <= 1.5x gzip; memtop's peak RSS, target
#      <= 1.5x the uncompressed size of the profile.
#
# Usage: bench/top.sh [MEMTOP]      (default build/memtop)
# Env: BENCH_PAIRS (default 5), BENCH_IDLE (0.5), BENCH_WAIT (120 s),
#      GO (default go) for `go tool pprof`.
# Result: bench/out/top-summary.txt (also printed). The profiles are made by
# bench/gen-profiles.sh, run first if they are missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
case ${1:-} in -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
memtop=${1:-$root/build/memtop}
GO=${GO:-go}
. "$here/lib.sh"

p200=$out/heap-200k.pb.gz
p1m=$out/heap-1m.pb.gz
command -v "$GO" >/dev/null || { echo "top.sh: $GO not found (apt-get install golang-go)" >&2; exit 1; }
[[ -x $memtop ]] || { echo "top.sh: memtop binary '$memtop' not found (build it or pass its path)" >&2; exit 1; }
[[ -s $p200 && -s $p1m ]] || "$here/gen-profiles.sh"
mkdir -p "$out"
mt=$(bench_private_copy "$memtop" "$out")
trap 'rm -f "$mt"' EXIT

q() { printf '%q' "$1"; }
raw1m=$(gzip -dc "$p1m" | wc -c)

{
	bench_header "memtop top benchmark (issue 17)" "$memtop"
	echo "pprof: $($GO version | cut -d' ' -f3-); $(gzip --version | head -1)"
	echo
	echo "== 1. heap-200k: memtop top -n 20 vs go tool pprof -top -nodecount=20"
	bench_pairs memtop "$(q "$mt") top -n 20 $(q "$p200")" \
		pprof "$(q "$GO") tool pprof -top -nodecount=20 $(q "$p200")"
	m200=("$BENCH_A_WALL" "$BENCH_A_CPU" "$BENCH_A_RSS")
	p200m=("$BENCH_B_WALL" "$BENCH_B_CPU" "$BENCH_B_RSS")
	echo
	echo "== 2. heap-1m: memtop top -n 20 vs gzip -dc ($raw1m bytes uncompressed)"
	bench_pairs memtop "$(q "$mt") top -n 20 $(q "$p1m")" gzip "gzip -dc $(q "$p1m")"
	echo
	echo "== ratios (medians)"
	bench_ratio "200k wall: pprof / memtop" "${p200m[0]}" "${m200[0]}" '>=' 40
	bench_ratio "200k CPU: pprof / memtop" "${p200m[1]}" "${m200[1]}" '>=' 40
	bench_ratio "200k peak RSS: pprof / memtop" "${p200m[2]}" "${m200[2]}" '>=' 10
	bench_ratio "1m wall: memtop / gzip -dc" "$BENCH_A_WALL" "$BENCH_B_WALL" '<=' 1.5
	bench_ratio "1m CPU: memtop / gzip -dc" "$BENCH_A_CPU" "$BENCH_B_CPU" '<=' 1.5
	bench_ratio "1m peak RSS: memtop / uncompressed size" "$((BENCH_A_RSS * 1024))" "$raw1m" '<=' 1.5
} | tee "$out/top-summary.txt"
