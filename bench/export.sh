#!/usr/bin/env bash
# Issue-13 benchmark: `memtop export` (folded, svg, json) against `memtop top`
# on the same file. Target: each export within 2x of top in wall time and
# in peak RSS.
#
# The machine may be shared, so each figure is the median of N runs, the
# top and export runs alternate (a busy moment hits both), and the load
# average (`uptime`) is written beside every median. Wall time and peak RSS
# come from /usr/bin/time -v; outputs go to /dev/null (writing the output
# is part of an export's work, a disk's speed is not).
#
# Usage: bench/export.sh [--runs N] [--index NAME]... [MEMTOP] [PROFILE]
#   MEMTOP        memtop binary (default: build/memtop)
#   PROFILE       default bench/out/heap-1m.pb.gz (bench/gen-profiles.sh makes it)
#   --runs N      runs of each command (default 5)
#   --index NAME  a sample index to measure (repeatable; default: the
#                 profile's default, then alloc_space, where no sample is 0)
# Results: bench/out/export-summary.txt (also printed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
runs=5
indexes=()
memtop=
profile=
while (($#)); do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
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
[[ -x /usr/bin/time ]] || { echo "export.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
[[ -x $memtop ]] || { echo "export.sh: memtop binary '$memtop' not found" >&2; exit 1; }
if [[ ! -s $profile ]]; then
	[[ $profile == "$out/heap-1m.pb.gz" ]] || { echo "export.sh: $profile not found" >&2; exit 1; }
	"$here/gen-profiles.sh"
fi
mkdir -p "$out"
# Time a private copy, so a rebuild during the run cannot disturb it.
cp "$memtop" "$out/memtop.export-test.tmp"
mv "$out/memtop.export-test.tmp" "$out/memtop.export-test"
memtop=$out/memtop.export-test

# run ARGS...: one run; prints "seconds KiB" (wall clock, peak RSS).
run() {
	/usr/bin/time -v "$memtop" "$@" "$profile" 2>&1 >/dev/null |
		awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0
				for (i = 1; i <= n; i++) s = s * 60 + t[i] }
			/Maximum resident set size/ { k = $NF }
			END { print s, k }'
}
median() { grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
load() { uptime | sed 's/.*load average: //'; }

summary=$out/export-summary.txt
{
	echo "memtop export vs memtop top: $(basename "$profile"), median of $runs runs, $(date -u +%FT%TZ)"
	echo "host: $(nproc) CPUs; load average (1, 5, 15 min) shown per line, before and after"
	printf '%-40s %8s %7s %9s %7s %8s  %s\n' command wall x-top "peak RSS" x-top "" "load before -> after"
} >"$summary"
cat "$summary"

for idx in "${indexes[@]}"; do
	iarg=()
	[[ -n $idx ]] && iarg=(-i "$idx")
	label=${idx:-default index}
	cmds=("top -n 20" "export --format folded" "export --format svg" "export --format json")
	declare -A wall=() rss=()
	before=$(load)
	for ((r = 0; r < runs; r++)); do
		for c in "${cmds[@]}"; do
			# shellcheck disable=SC2086
			read -r s k < <(run $c "${iarg[@]}")
			wall[$c]+="$s"$'\n'
			rss[$c]+="$k"$'\n'
		done
	done
	after=$(load)
	tw=$(median <<<"${wall["top -n 20"]}")
	tk=$(median <<<"${rss["top -n 20"]}")
	for c in "${cmds[@]}"; do
		w=$(median <<<"${wall[$c]}")
		k=$(median <<<"${rss[$c]}")
		awk -v c="$c ($label)" -v w="$w" -v k="$k" -v tw="$tw" -v tk="$tk" \
			-v l="$before -> $after" 'BEGIN {
			rw = tw > 0 ? w / tw : 0; rk = tk > 0 ? k / tk : 0
			ok = (rw <= 2 && rk <= 2) ? "ok" : "OVER 2x"
			printf "%-40s %7.2fs %6.2fx %5.0f MiB %6.2fx %8s  %s\n", c, w, rw, k / 1024, rk, ok, l }'
	done | tee -a "$summary"
	unset wall rss
done
echo "written to $summary"
