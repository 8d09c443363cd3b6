#!/usr/bin/env bash
# Issue-2 benchmark: `memtop top` against `go tool pprof -top` and `gzip -dc`.
#
#   1. heap-200k: memtop top -n 20  vs  go tool pprof -top -nodecount=20
#      (one hyperfine run), wall-time ratio; target: memtop >= 30x faster.
#   2. heap-200k: peak RSS of both (/usr/bin/time -v, median of 3);
#      target: memtop <= 1/10 of pprof.
#   3. heap-1m:   memtop top -n 20  vs  gzip -dc FILE >/dev/null
#      (one hyperfine run); target: memtop within 2x of gzip.
#
# Usage: bench/top.sh [--runs N] [--baseline-only] [MEMTOP]
#   MEMTOP           memtop binary (default: build/memtop)
#   --runs N         hyperfine runs per command (default 10, after 1 warmup)
#   --baseline-only  measure only pprof and gzip (no memtop binary needed)
# Env: GO (default go) for `go tool pprof`.
# Results: bench/out/top-*.md (hyperfine markdown), top-*.csv/json and
# bench/out/top-summary.txt. The profiles are made by bench/gen-profiles.sh,
# which is run first if they are missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
runs=10
baseline=0
memtop=
while (($#)); do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--baseline-only) baseline=1; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "top.sh: unknown option $1" >&2; exit 2 ;;
	*) memtop=$1; shift ;;
	esac
done
memtop=${memtop:-$root/build/memtop}
GO=${GO:-go}

p200=$out/heap-200k.pb.gz
p1m=$out/heap-1m.pb.gz

need() { command -v "$1" >/dev/null || { echo "top.sh: $1 not found${2:+ ($2)}" >&2; exit 1; }; }
need hyperfine "apt-get install hyperfine"
need gzip
need "$GO"
[[ -x /usr/bin/time ]] || { echo "top.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
if ((!baseline)); then
	if [[ ! -x $memtop ]]; then
		echo "top.sh: memtop binary '$memtop' not found or not executable." >&2
		echo "        Build it first, pass its path, or use --baseline-only." >&2
		exit 1
	fi
	# Time a private copy, so a rebuild during the run cannot disturb it.
	mkdir -p "$out"
	memtop_src=$(cd "$(dirname "$memtop")" && pwd)/$(basename "$memtop")
	cp "$memtop_src" "$out/memtop.under-test.tmp"
	mv "$out/memtop.under-test.tmp" "$out/memtop.under-test"
	memtop=$out/memtop.under-test
fi
if [[ ! -s $p200 || ! -s $p1m ]]; then
	"$here/gen-profiles.sh"
fi

q() { printf '%q' "$1"; }
cmd_memtop200="$(q "$memtop") top -n 20 $(q "$p200")"
cmd_pprof200="$(q "$GO") tool pprof -top -nodecount=20 $(q "$p200")"
cmd_memtop1m="$(q "$memtop") top -n 20 $(q "$p1m")"
cmd_gzip1m="gzip -dc $(q "$p1m") >/dev/null"

# mean wall time in seconds of the named command from a hyperfine CSV export
mean() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["command"] == name { print $col["mean"] }' "$1"
}

# user+system CPU seconds of the named command (robust when the host is busy)
cpu() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["command"] == name { print $col["user"] + $col["system"] }' "$1"
}

# peak RSS in KiB: median of 3 runs of /usr/bin/time -v
peak_rss() {
	local _ v=()
	for _ in 1 2 3; do
		v+=("$(/usr/bin/time -v sh -c "exec $1 >/dev/null" 2>&1 >/dev/null |
			awk -F': *' '/Maximum resident set size/ { print $2 }')")
	done
	printf '%s\n' "${v[@]}" | sort -n | sed -n 2p
}

hf() { # name-of-export, then pairs of name cmd
	local base=$1; shift
	local args=()
	while (($#)); do args+=(-n "$1" "$2"); shift 2; done
	hyperfine --warmup 1 --runs "$runs" --style basic \
		--export-markdown "$out/$base.md" --export-csv "$out/$base.csv" \
		--export-json "$out/$base.json" "${args[@]}"
}

# x/y formatted, or n/a
ratio() { awk -v a="$1" -v b="$2" -v x="${3:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f%s", a / b, x }'; }
verdict() { # value op target
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (v == "n/a") { print "(not measured)"; exit }
		sub(/x$/, "", v)
		ok = (op == ">=") ? (v >= t) : (v <= t)
		print ok ? "PASS" : "FAIL" }'
}
ms() { awk -v s="$1" 'BEGIN { if (s == "") print "n/a"; else printf "%.1f ms", s * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "n/a"; else printf "%.1f MiB", k / 1024 }'; }

echo "== sanity: one run of each, output in bench/out/top-200k.*.txt"
$GO tool pprof -top -nodecount=20 "$p200" >"$out/top-200k.pprof.txt" 2>&1
sed -n '1,12p' "$out/top-200k.pprof.txt"
if ((!baseline)); then
	"$memtop" top -n 20 "$p200" >"$out/top-200k.memtop.txt" 2>&1 || {
		echo "top.sh: '$cmd_memtop200' failed:" >&2
		cat "$out/top-200k.memtop.txt" >&2
		exit 1
	}
	echo "--- memtop:"
	sed -n '1,12p' "$out/top-200k.memtop.txt"
fi

echo
echo "== 1. heap-200k: wall time"
if ((baseline)); then
	hf top-200k pprof "$cmd_pprof200"
else
	hf top-200k memtop "$cmd_memtop200" pprof "$cmd_pprof200"
fi
t_pprof=$(mean "$out/top-200k.csv" pprof)
t_memtop200=$(mean "$out/top-200k.csv" memtop)
c_pprof=$(cpu "$out/top-200k.csv" pprof)
c_memtop200=$(cpu "$out/top-200k.csv" memtop)

echo
echo "== 2. heap-200k: peak RSS (median of 3)"
rss_pprof=$(peak_rss "$cmd_pprof200")
echo "pprof:  $(mib "$rss_pprof")"
rss_memtop=
if ((!baseline)); then
	rss_memtop=$(peak_rss "$cmd_memtop200")
	echo "memtop: $(mib "$rss_memtop")"
fi

echo
echo "== 3. heap-1m: wall time"
if ((baseline)); then
	hf top-1m gzip "$cmd_gzip1m"
else
	hf top-1m memtop "$cmd_memtop1m" gzip "$cmd_gzip1m"
fi
t_gzip=$(mean "$out/top-1m.csv" gzip)
t_memtop1m=$(mean "$out/top-1m.csv" memtop)
c_gzip=$(cpu "$out/top-1m.csv" gzip)
c_memtop1m=$(cpu "$out/top-1m.csv" memtop)
rss_gzip=$(peak_rss "$cmd_gzip1m")
rss_memtop1m=
((baseline)) || rss_memtop1m=$(peak_rss "$cmd_memtop1m")

speedup=$(ratio "$t_pprof" "$t_memtop200" x)
rssfrac=$(ratio "$rss_memtop" "$rss_pprof")
vsgzip=$(ratio "$t_memtop1m" "$t_gzip" x)
cspeedup=$(ratio "$c_pprof" "$c_memtop200" x)
cvsgzip=$(ratio "$c_memtop1m" "$c_gzip" x)

{
	echo "memtop issue-2 benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "host: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "memtop: $( ((baseline)) && echo '(not run)' || echo "$memtop_src (sha256 $(sha256sum "$memtop" | cut -c1-16))")"
	((baseline)) || echo "memtop commit: $(git -C "$root" log -1 --format='%h %s' 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted changes in src/)')"
	echo "pprof: $($GO version | cut -d' ' -f3-) go tool pprof; gzip: $(gzip --version | head -1); $(hyperfine --version)"
	echo "runs: $runs (+1 warmup)"
	echo
	printf '%-34s %14s %14s %10s  %s\n' "" memtop baseline ratio "target"
	printf '%-34s %14s %14s %10s  %s %s\n' "heap-200k time (vs pprof -top)" "$(ms "$t_memtop200")" "$(ms "$t_pprof")" \
		"$speedup" ">= 30x faster" "$(verdict "$speedup" '>=' 30)"
	printf '%-34s %14s %14s %10s  %s %s\n' "heap-200k peak RSS (vs pprof)" "$(mib "$rss_memtop")" "$(mib "$rss_pprof")" \
		"$rssfrac" "<= 0.10" "$(verdict "$rssfrac" '<=' 0.10)"
	printf '%-34s %14s %14s %10s  %s %s\n' "heap-1m time (vs gzip -dc)" "$(ms "$t_memtop1m")" "$(ms "$t_gzip")" \
		"$vsgzip" "<= 2x gzip" "$(verdict "$vsgzip" '<=' 2)"
	printf '%-34s %14s %14s\n' "heap-1m peak RSS (vs gzip -dc)" "$(mib "$rss_memtop1m")" "$(mib "$rss_gzip")"
	printf '%-34s %14s %14s %10s\n' "heap-200k CPU user+sys (vs pprof)" "$(ms "$c_memtop200")" "$(ms "$c_pprof")" "$cspeedup"
	printf '%-34s %14s %14s %10s\n' "heap-1m CPU user+sys (vs gzip -dc)" "$(ms "$c_memtop1m")" "$(ms "$c_gzip")" "$cvsgzip"
	echo
	echo "ratios: time = pprof/memtop (higher is better); RSS = memtop/pprof; gzip = memtop/gzip (lower is better)"
	echo "targets are judged on wall time (hyperfine mean); CPU rows are for a busy host, where wall time is noisy"
	echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/top-summary.txt"
