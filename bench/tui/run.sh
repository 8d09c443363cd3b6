#!/usr/bin/env bash
# TUI benchmark on the 1M-sample heap profile (bench/gen-profiles.sh writes it):
#  * key-to-frame latency (p50, p99) over bench/tui/visit.keys, a script that
#    visits every view, drills into callers/callees, zooms the flame graph,
#    opens tree nodes, switches sample types, searches and goes back;
#  * time to the first screen vs the wall time of `memtop top` on the file.
# usage: bench/tui/run.sh [MEMTOP] [PROFILE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
memtop=${1:-$here/../../build/memtop}
prof=${2:-$here/../out/heap-1m.pb.gz}
[[ -f $prof ]] || { echo "no $prof: run bench/gen-profiles.sh first" >&2; exit 1; }
export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "== key-to-frame latency ($(basename "$prof"), 120x40)"
"$memtop" --script "$here/visit.keys" "$prof" 2>&1 | grep '^latency'
"$memtop" --screen 80x24 --script "$here/visit.keys" "$prof" 2>&1 | grep '^latency' | sed 's/^/80x24 /'

echo "== first screen vs memtop top (3 runs each)"
for i in 1 2 3; do
	t0=$(ms); "$memtop" top "$prof" >/dev/null; t1=$(ms)
	first=$(echo q | MEMTOP_KEYLOG=1 "$memtop" --script /dev/stdin "$prof" 2>&1 |
		sed -n 's/^first screen \([0-9]*\) ms.*/\1/p')
	echo "top $((t1 - t0)) ms, TUI first screen ${first} ms"
done
