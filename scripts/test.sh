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
run_suite() { # builddir setup-args...
	dir=$1
	shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		tail -30 "$dir.build.log"
		failed=$((failed + 1))
		return
	fi
	setup=""
	[ "$dir" = build-asan ] && setup="--setup=asan"
	meson test -C "$dir" $setup --print-errorlogs --num-processes 2 >"$dir.test.log" 2>&1
	grep -E '^ *[0-9]+/[0-9]+ ' "$dir.test.log"
	grep -A40 -E '^(=+ [0-9]+/[0-9]+ =+|--- (stdout|stderr) ---)' "$dir.test.log" | grep -v '^$' | head -200
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$dir.test.log")
	bad=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$dir.test.log")
	to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$dir.test.log")
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${bad:-0} + ${to:-0}))
	[ -n "$ok" ] || failed=$((failed + 1))
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
	for bin in $dir/fuzz/fuzz-*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		name=${bin##*/fuzz-}
		work=$(mktemp -d)
		cp fuzz/corpus/"$name"/* "$work"/ 2>/dev/null
		dict=""
		[ -f fuzz/"$name".dict ] && dict="-dict=fuzz/$name.dict"
		# shellcheck disable=SC2086
		if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			"$bin" "$work" $dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-max_len=65536 -artifact_prefix="$dir/crash-$name-" >"$dir/$name.log" 2>&1; then
			echo "fuzz $name: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' \
				"$dir/$name.log" | grep -o '[0-9]*$') runs in $secs s"
			passed=$((passed + 1))
		else
			echo "fuzz $name: FAILED (input in $dir/crash-$name-*)"
			grep -A30 -E 'ERROR|runtime error|SUMMARY' "$dir/$name.log" | head -40
			failed=$((failed + 1))
		fi
		rm -rf "$work"
	done
}

run_suite build
run_suite build-asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
fuzz_all "${MEMTOP_FUZZ_SECONDS:-20}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
