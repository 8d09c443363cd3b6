#!/usr/bin/env bash
# Issue-17 benchmark of the viewer's first screen (bench/lib.sh: idle waits,
# alternating pairs, medians, PASS/FAIL): `memtop --script` with a script
# of one `q` (the real TUI on a virtual screen: load, first screen, the
# rest of the model, quit) against `memtop top -n 20` on the same profile.
#   * CPU (user + sys) at the first screen, from MEMTOP_KEYLOG's line
#     "first screen ... cpu N ms at the first screen", over top's CPU;
#     target <= 1.2x;
#   * the whole viewer run (first screen and the rest), wall, CPU and
#     peak RSS beside top's, for reference.
#
# Usage: bench/viewer.sh [MEMTOP] [PROFILE]
#   MEMTOP   default build/memtop
#   PROFILE  default bench/out/heap-1m.pb.gz (bench/gen-profiles.sh makes it)
# Env: BENCH_PAIRS (default 5), BENCH_IDLE (0.5), BENCH_WAIT (120 s).
# Result: bench/out/viewer-summary.txt (also printed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
case ${1:-} in -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
memtop=${1:-$root/build/memtop}
profile=${2:-$out/heap-1m.pb.gz}
. "$here/lib.sh"

[[ -x $memtop ]] || { echo "viewer.sh: memtop binary '$memtop' not found" >&2; exit 1; }
if [[ ! -s $profile ]]; then
	[[ $profile == "$out/heap-1m.pb.gz" ]] || { echo "viewer.sh: $profile not found" >&2; exit 1; }
	"$here/gen-profiles.sh"
fi
mkdir -p "$out"
mt=$(bench_private_copy "$memtop" "$out")
keys=$out/viewer-q.keys
log=$out/viewer-keylog.txt
echo q >"$keys"
: >"$log"
trap 'rm -f "$mt"' EXIT
export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC

q() { printf '%q' "$1"; }
{
	bench_header "memtop viewer first screen benchmark (issue 17), $(basename "$profile")" "$memtop"
	echo
	echo "== viewer (--script, one q) vs memtop top -n 20"
	bench_pairs viewer "env MEMTOP_KEYLOG=1 $(q "$mt") --script $(q "$keys") $(q "$profile") 2>>$(q "$log")" \
		top "$(q "$mt") top -n 20 $(q "$profile")"
	first=$(sed -n 's/.*cpu \([0-9]*\) ms at the first screen.*/\1/p' "$log" |
		awk '{ print $1 / 1000 }' | bench_median)
	firstwall=$(sed -n 's/^first screen \([0-9]*\) ms.*/\1/p' "$log" |
		awk '{ print $1 / 1000 }' | bench_median)
	echo "  median viewer at its first screen: ${firstwall}s wall, ${first}s CPU"
	echo
	echo "== ratios (medians)"
	bench_ratio "first screen CPU: viewer / top" "$first" "$BENCH_B_CPU" '<=' 1.2
	bench_ratio "first screen wall: viewer / top" "$firstwall" "$BENCH_B_WALL" '<=' 1.2
	bench_ratio "whole viewer run CPU: viewer / top (reference)" "$BENCH_A_CPU" "$BENCH_B_CPU" '<=' 2
	bench_ratio "whole viewer run peak RSS: viewer / top (reference)" "$BENCH_A_RSS" "$BENCH_B_RSS" '<=' 2
} | tee "$out/viewer-summary.txt"
