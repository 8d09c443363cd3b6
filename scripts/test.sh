#!/bin/sh
# Builds memtop twice (release, and with ASan+UBSan) and runs the whole test
# suite on both, then runs each libFuzzer target for a short bounded time
# (MEMTOP_FUZZ_SECONDS, default 20); ends with "N passed, N failed" and a
# non-zero status on any failure. Usage: scripts/test.sh
set -u
cd "$(dirname "$0")/.."
export GOCACHE="${GOCACHE:-/tmp/memtop-gocache}"
# Go needs a module cache and a home even for stdlib-only programs; CI may
# run without HOME.
export GOPATH="${GOPATH:-/tmp/memtop-gopath}" HOME="${HOME:-/tmp}"
passed=0 failed=0
# build_dir BUILDDIR SETUP-ARGS...: configures (once) and builds; false,
# counted as a failure, when that fails.
build_dir() {
	dir=$1
	shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return 1; }
	fi
	if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		tail -30 "$dir.build.log"
		failed=$((failed + 1))
		return 1
	fi
}
# test_dir BUILDDIR: the suite of a built tree, into BUILDDIR.test.log.
test_dir() {
	setup=""
	[ "$1" = build-asan ] && setup="--setup=asan"
	# shellcheck disable=SC2086
	meson test -C "$1" $setup --print-errorlogs --num-processes 2 >"$1.test.log" 2>&1
}
# report_dir BUILDDIR: what test_dir found, counted.
report_dir() {
	grep -E '^ *[0-9]+/[0-9]+ ' "$1.test.log"
	grep -A40 -E '^(=+ [0-9]+/[0-9]+ =+|--- (stdout|stderr) ---)' "$1.test.log" | grep -v '^$' | head -200
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$1.test.log")
	bad=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$1.test.log")
	to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$1.test.log")
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${bad:-0} + ${to:-0}))
	[ -n "$ok" ] || failed=$((failed + 1))
}
# fuzz_one NAME: runs fuzz-NAME for $secs over a scratch copy of its corpus
# (with fuzz/NAME.dict when there is one); its status goes to $dir/NAME.rc.
fuzz_one() {
	work=$(mktemp -d)
	cp fuzz/corpus/"$1"/* "$work"/ 2>/dev/null
	dict=""
	[ -f fuzz/"$1".dict ] && dict="-dict=fuzz/$1.dict"
	# shellcheck disable=SC2086
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$dir/fuzz/fuzz-$1" "$work" $dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -max_len=65536 -artifact_prefix="$dir/crash-$1-" >"$dir/$1.log" 2>&1
	echo $? >"$dir/$1.rc"
	rm -rf "$work"
}

# fuzz_report NAME: one line for a target's run; counts it.
fuzz_report() {
	if [ "$(cat "$dir/$1.rc")" = 0 ]; then
		echo "fuzz $1: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' \
			"$dir/$1.log" | grep -o '[0-9]*$') runs in $secs s"
		passed=$((passed + 1))
	else
		echo "fuzz $1: FAILED (input in $dir/crash-$1-*)"
		grep -A30 -E 'ERROR|runtime error|SUMMARY' "$dir/$1.log" | head -40
		failed=$((failed + 1))
	fi
}

# fuzz_all SECONDS: builds the libFuzzer targets (clang, ASan+UBSan) and runs
# each for SECONDS over a scratch copy of its corpus; a crash, leak, timeout
# or sanitizer report fails it, and the input is kept in build-fuzz-ci/.
# Skipped when clang's libFuzzer runtime is missing.
fuzz_all() {
	secs=$1
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
		>/tmp/memtop-fuzz-probe.c
	if ! command -v clang >/dev/null ||
		! clang -fsanitize=fuzzer /tmp/memtop-fuzz-probe.c -o /tmp/memtop-fuzz-probe 2>/dev/null; then
		echo "fuzz: skipped (no clang libFuzzer runtime; Debian: libclang-rt-14-dev)"
		return
	fi
	dir=build-fuzz-ci
	if [ ! -d $dir ]; then
		CC=clang meson setup $dir -Dfuzz=true -Db_sanitize=address,undefined \
			-Db_lundef=false -Dbuildtype=debugoptimized >/dev/null ||
			{ failed=$((failed + 1)); return; }
	fi
	# Only the fuzz targets (and the core they link): the rest of the
	# project is built and tested above.
	targets=$(ninja -C $dir -t targets all | grep -o '^fuzz/fuzz-[a-z]*:' | tr -d : | sort -u)
	# shellcheck disable=SC2086
	if [ -z "$targets" ] || ! ninja -C $dir $targets >"$dir.build.log" 2>&1; then
		tail -30 "$dir.build.log"
		failed=$((failed + 1))
		return
	fi
	# Two targets at a time (this machine has two cores): half the wall
	# time of running them in turn, each still for SECONDS.
	set --
	for bin in $dir/fuzz/fuzz-*; do
		[ -f "$bin" ] && [ -x "$bin" ] && set -- "$@" "${bin##*/fuzz-}"
	done
	while [ $# -gt 0 ]; do
		fuzz_one "$1" &
		pid1=$!
		pid2=""
		if [ $# -gt 1 ]; then
			fuzz_one "$2" &
			pid2=$!
		fi
		wait $pid1
		[ -n "$pid2" ] && wait $pid2
		fuzz_report "$1"
		[ -n "$pid2" ] && fuzz_report "$2"
		shift
		[ $# -gt 0 ] && shift
	done
}

# Both trees are built first, then their suites run side by side: much of a
# suite waits (terminals, servers, timeouts), and the suite must pass beside
# a busy CPU anyway. The fuzz targets come last, two at a time.
t0=$(date +%s)
built=""
build_dir build && built="$built build"
build_dir build-asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false &&
	built="$built build-asan"
pids=""
for d in $built; do
	test_dir "$d" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done
for d in $built; do
	report_dir "$d"
done
fuzz_all "${MEMTOP_FUZZ_SECONDS:-20}"
echo "$(($(date +%s) - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
