#!/bin/sh
# Bad goroutine dumps through the real binary: each error exits 1 with one
# line on stderr ("memtop: FILE: what is wrong (at byte N)") and nothing on
# stdout; a dump cut inside its last goroutine gives the complete goroutines
# (counted here with grep) and one warning line; bad usage exits 2.
# Usage: goroutines_errors.sh MEMTOP
set -u
memtop=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
dump=tests/data/go/goroutine-dump.txt

expect() { # status name stderr-pattern -- args...
	ewant=$1 name=$2 pattern=$3
	shift 3
	"$memtop" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$ewant" ]; then
		echo "FAIL $name: exit $got, want $ewant: $(cat "$tmp/err")"; fail=1; return
	fi
	if [ "$ewant" = 1 ]; then
		if [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q "^memtop: .*$pattern" "$tmp/err" || [ -s "$tmp/out" ]; then
			echo "FAIL $name: stderr must be one line matching '$pattern':"; cat "$tmp/err"; fail=1; return
		fi
	fi
	echo "ok $name: $(head -c 200 "$tmp/err")"
}

total() { # prints the "total" of memtop goroutines --format json
	sed -n 's/^{"total": \([0-9]*\),.*/\1/p' "$tmp/out"
}

printf 'hello\nthis is not a dump\n\001\002\377\n' >"$tmp/garbage"
: >"$tmp/empty"
printf 'goroutine 1 [running]:\nmain.ma' >"$tmp/cut1"
printf 'goroutine 99999999999999999999 [running]:\nmain.main()\n\t/a.go:1 +0x1\n' >"$tmp/id"
printf 'goroutine 1 [select, 184467440737095516150 minutes]:\nmain.main()\n\t/a.go:1 +0x1\n' >"$tmp/mins"
printf 'goroutine 1 [running]:\nmain.main()\n\t/a.go:99999999999999999999999 +0x1\n' >"$tmp/line"
printf 'goroutine 1 [running]:\nmain.f()\nmain.main()\n\t/a.go:1 +0x1\n' >"$tmp/noloc"

for cmd in goroutines top; do
	expect 1 "$cmd garbage" "garbage: .*not a profile\|garbage: no \"goroutine" $cmd "$tmp/garbage"
	expect 1 "$cmd empty" "empty: " $cmd "$tmp/empty"
done
expect 1 cut-only-goroutine "cut1: truncated goroutine dump (at byte 0)" goroutines "$tmp/cut1"
expect 1 absurd-id "id: goroutine id out of range (at byte 0)" goroutines "$tmp/id"
expect 1 absurd-minutes "mins: bad wait time (at byte 0)" goroutines "$tmp/mins"
expect 1 absurd-line "line: line number out of range (at byte 35)" goroutines "$tmp/line"
expect 1 frame-without-location "noloc: frame without a file:line (at byte 32)" goroutines "$tmp/noloc"
expect 1 absurd-line-top "line: line number out of range" top "$tmp/line"
expect 2 no-dump "" goroutines
expect 2 bad-regex "" goroutines --state '(' "$dump"

# Cut inside the last goroutine's frame line: the goroutines before it stay,
# with one warning naming where the dropped one starts.
size=$(wc -c <"$dump")
head -c $((size - 40)) "$dump" >"$tmp/cut"
want=$(($(grep -c '^goroutine ' "$tmp/cut") - 1))
expect 0 cut-last-goroutine "" goroutines --format json "$tmp/cut"
if [ "$(total)" != "$want" ] || [ "$(wc -l <"$tmp/err")" != 1 ] ||
   ! grep -q "warning: 1 incomplete goroutine at the end ignored (at byte" "$tmp/err"; then
	echo "FAIL cut-last-goroutine: total $(total), want $want; $(cat "$tmp/err")"; fail=1
fi

# Gzip is read like the plain dump; the text output names the same total.
gzip -c "$dump" >"$tmp/dump.gz"
expect 0 gzip "" goroutines --format json "$tmp/dump.gz"
[ "$(total)" = "$(grep -c '^goroutine ' "$dump")" ] || { echo "FAIL gzip: total $(total)"; fail=1; }
expect 0 filter "" goroutines --format json --state '^chan' --focus 'waitRecv|waitSend' "$dump"
want=$(grep -c '^goroutine .*\[chan \(receive\|send\)\]' "$dump")
[ "$(total)" = "$want" ] || { echo "FAIL filter: total $(total), want $want"; fail=1; }
exit $fail
