# bench/lib.sh - what every benchmark here shares (sourced, not run).
#
# The machines are shared and noisy, so a benchmark:
#   * waits, bounded, for the machine to be idle (1-minute load below
#     BENCH_IDLE, default 0.5) and prints the load before each measurement;
#   * runs memtop and its peer alternately, A B A B ..., BENCH_PAIRS pairs
#     (default 5, at least 5), so a busy moment hits both;
#   * reports medians of wall time, CPU time (user + sys) and peak RSS of
#     both, from /usr/bin/time (for a command that forks, such as
#     `go tool pprof`, the children waited for are included);
#   * prints each ratio against its target with PASS or FAIL, and says
#     NOT VALID when any measurement started at load >= BENCH_IDLE.
#
# Use:
#   . "$here/lib.sh"
#   bench_pairs NAME_A 'COMMAND A' NAME_B 'COMMAND B'   # sh -c commands
#   bench_ratio "what" "$BENCH_A_WALL" "$BENCH_B_WALL" '<=' 1.5
# after bench_pairs: BENCH_{A,B}_{WALL,CPU,RSS} (seconds, seconds, KiB) and
# BENCH_LOADS (the loads seen), BENCH_VALID (1 or 0).
# Env: BENCH_PAIRS, BENCH_IDLE, BENCH_WAIT (most seconds to wait for idle
# before each measurement, default 120).

BENCH_PAIRS=${BENCH_PAIRS:-5}
BENCH_IDLE=${BENCH_IDLE:-0.5}
BENCH_WAIT=${BENCH_WAIT:-120}
((BENCH_PAIRS >= 5)) || BENCH_PAIRS=5
BENCH_VALID=1
BENCH_MAXLOAD=0

[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }

# The 1-minute load average.
bench_load() { cut -d' ' -f1 /proc/loadavg; }

# Waits until the load is below BENCH_IDLE or BENCH_WAIT seconds have
# passed; prints the load it ends with.
bench_wait_idle() {
	local waited=0 l
	l=$(bench_load)
	while awk -v l="$l" -v t="$BENCH_IDLE" 'BEGIN { exit !(l >= t) }' && ((waited < BENCH_WAIT)); do
		sleep 5
		waited=$((waited + 5))
		l=$(bench_load)
	done
	echo "$l"
}

# Notes a load a measurement started at.
bench_note_load() {
	BENCH_MAXLOAD=$(awk -v a="$BENCH_MAXLOAD" -v b="$1" 'BEGIN { print (b > a) ? b : a }')
	awk -v l="$1" -v t="$BENCH_IDLE" 'BEGIN { exit !(l >= t) }' && BENCH_VALID=0
	return 0
}

# One run of a shell command, its output thrown away: prints
# "wall cpu rss_kib" (seconds, user + sys seconds, KiB).
bench_run() {
	local t
	t=$(mktemp)
	/usr/bin/time -o "$t" -f '%e %U %S %M' sh -c "exec $1" >/dev/null 2>&1 </dev/null ||
		echo "bench: '$1' failed" >&2
	awk '{ printf "%.3f %.3f %d\n", $1, $2 + $3, $4 }' "$t"
	rm -f "$t"
}

# The median of the numbers on stdin.
bench_median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_one NAME CMD ARRAY: one run after waiting for idle; appends
# "wall cpu rss" to the array named and prints the run.
bench_one() {
	local l w c k
	local -n acc=$3
	l=$(bench_wait_idle)
	bench_note_load "$l"
	BENCH_LOADS+="$l "
	read -r w c k < <(bench_run "$2")
	acc+=("$w $c $k")
	printf '  %-4s %-6s %-10s %8ss %8ss %7d MiB\n' "$i" "$l" "$1" "$w" "$c" $((k / 1024))
}

# bench_medians ARRAY PREFIX: sets PREFIX_WALL, PREFIX_CPU, PREFIX_RSS.
bench_medians() {
	local -n acc=$1
	printf -v "$2_WALL" '%s' "$(printf '%s\n' "${acc[@]}" | cut -d' ' -f1 | bench_median)"
	printf -v "$2_CPU" '%s' "$(printf '%s\n' "${acc[@]}" | cut -d' ' -f2 | bench_median)"
	printf -v "$2_RSS" '%s' "$(printf '%s\n' "${acc[@]}" | cut -d' ' -f3 | bench_median)"
}

# bench_pairs NAME_A CMD_A NAME_B CMD_B: BENCH_PAIRS alternate runs of
# both, each after waiting for idle; prints every run and the medians.
bench_pairs() {
	local i runs_a=() runs_b=()
	BENCH_LOADS=
	printf '  %-4s %-6s %-10s %9s %9s %11s\n' pair load command wall cpu "peak RSS"
	for ((i = 1; i <= BENCH_PAIRS; i++)); do
		bench_one "$1" "$2" runs_a
		bench_one "$3" "$4" runs_b
	done
	bench_medians runs_a BENCH_A
	bench_medians runs_b BENCH_B
	printf '  median      %-10s %8ss %8ss %7d MiB\n' "$1" "$BENCH_A_WALL" "$BENCH_A_CPU" $((BENCH_A_RSS / 1024))
	printf '  median      %-10s %8ss %8ss %7d MiB\n' "$3" "$BENCH_B_WALL" "$BENCH_B_CPU" $((BENCH_B_RSS / 1024))
	echo "  loads at the start of each run: $BENCH_LOADS"
}

# bench_ratio WHAT X Y OP TARGET: prints X/Y against the target (OP is <=
# or >=) with PASS or FAIL, and the highest load seen so far.
bench_ratio() {
	awk -v what="$1" -v x="$2" -v y="$3" -v op="$4" -v t="$5" -v l="$BENCH_MAXLOAD" \
		-v valid="$BENCH_VALID" -v idle="$BENCH_IDLE" 'BEGIN {
		if (x == "" || y == "" || y + 0 == 0) { printf "%-48s %9s   target %s %s  (not measured)\n", what, "n/a", op, t; exit }
		r = x / y
		ok = (op == ">=") ? (r >= t) : (r <= t)
		printf "%-48s %9.2f   target %s %-5s %s  (max load %s%s)\n", what, r, op, t,
			ok ? "PASS" : "FAIL", l, valid ? "" : ", NOT VALID: load >= " idle }'
}

# Header lines for a summary: when, where, what binary.
bench_header() {
	echo "$1, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "host: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	[[ -n ${2:-} ]] && echo "memtop: $2 ($(git -C "$(dirname "${BASH_SOURCE[0]}")" log -1 --format='%h %s' 2>/dev/null | cut -c1-70))"
	echo "pairs: $BENCH_PAIRS, alternating; idle means 1-min load < $BENCH_IDLE (waited for at most ${BENCH_WAIT}s before each run)"
}

# Copies a memtop binary aside (a rebuild during the run cannot disturb it)
# and prints the copy's path.
bench_private_copy() {
	local dst
	dst="$2/$(basename "$1").bench-$$"
	cp "$1" "$dst.tmp" && mv "$dst.tmp" "$dst" && echo "$dst"
}
