#!/bin/sh
# Builds memtop twice (release, and with ASan+UBSan) and runs the whole test
# suite on both; ends with "N passed, N failed" and a non-zero status on any
# failure. Usage: scripts/test.sh
set -u
cd "$(dirname "$0")/.."
export GOCACHE="${GOCACHE:-/tmp/memtop-gocache}"
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
run_suite build
run_suite build-asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
