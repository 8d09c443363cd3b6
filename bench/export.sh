#!/usr/bin/env bash
# Issue-13/17 benchmark: `memtop export` (folded, svg, json) against
# `memtop top -n 20` on the same file (bench/lib.sh: idle waits, alternating
# pairs, medians, PASS/FAIL). Target: each export within 2x of top in wall
# time, CPU time and peak RSS. Outputs go to /dev/null (writing the output is
# part of an export's work, a disk's speed is not).
#
# Usage: bench/export.sh [--index NAME]... [MEMTOP] [PROFILE]
#   MEMTOP        memtop binary (default: build/memtop)
#   PROFILE       default bench/out/heap-1m.pb.gz (bench/gen-profiles.sh makes it)
#   --index NAME  a sample index to measure (repeatable; default: the
#                 profile's default, then alloc_space, where no sample is 0)
# Env: BENCH_PAIRS (default 5), BENCH_IDLE (0.5), BENCH_WAIT (120 s).
# Results: bench/out/export-summary.txt (also printed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
indexes=()
memtop=
profile=
while (($#)); do
	case $1 in
	--index) indexes+=("$2"); shift 2 ;;
	--index=*) indexes+=("${1#*=}"); shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "export.sh: unknown option $1" >&2; exit 2 ;;
	*) if [[ -z $memtop ]]; then memtop=$1; else profile=$1; fi; shift ;;
	esac
done
memtop=${memtop:-$root/build/memtop}
profile=${profile:-$out/heap-1m.pb.gz}
((${#indexes[@]})) || indexes=("" alloc_space)
. "$here/lib.sh"
[[ -x $memtop ]] || { echo "export.sh: memtop binary '$memtop' not found" >&2; exit 1; }
if [[ ! -s $profile ]]; then
	[[ $profile == "$out/heap-1m.pb.gz" ]] || { echo "export.sh: $profile not found" >&2; exit 1; }
	"$here/gen-profiles.sh"
fi
mkdir -p "$out"
mt=$(bench_private_copy "$memtop" "$out")
trap 'rm -f "$mt"' EXIT

q() { printf '%q' "$1"; }
{
	bench_header "memtop export vs memtop top (issues 13, 17), $(basename "$profile")" "$memtop"
	for idx in "${indexes[@]}"; do
		iarg=
		[[ -n $idx ]] && iarg="-i $(q "$idx")"
		for fmt in folded svg json; do
			echo
			echo "== export --format $fmt vs top -n 20 (${idx:-default index})"
			bench_pairs export "$(q "$mt") export --format $fmt $iarg $(q "$profile")" \
				top "$(q "$mt") top -n 20 $iarg $(q "$profile")"
			bench_ratio "$fmt (${idx:-default}) wall: export / top" "$BENCH_A_WALL" "$BENCH_B_WALL" '<=' 2
			bench_ratio "$fmt (${idx:-default}) CPU: export / top" "$BENCH_A_CPU" "$BENCH_B_CPU" '<=' 2
			bench_ratio "$fmt (${idx:-default}) peak RSS: export / top" "$BENCH_A_RSS" "$BENCH_B_RSS" '<=' 2
		done
	done
} | tee "$out/export-summary.txt"
