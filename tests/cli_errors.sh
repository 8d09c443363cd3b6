#!/bin/sh
# Bad input through the real binary: each case must exit 1 with exactly one
# line on stderr, "memtop: FILE: what is wrong", and nothing on stdout; bad
# usage exits 2. Usage: cli_errors.sh MEMTOP
set -u
memtop=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() { # status file-arg pattern -- args...
	want=$1 name=$2 pattern=$3
	shift 3
	"$memtop" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit $got, want $want: $(cat "$tmp/err")"; fail=1; return
	fi
	if [ "$want" = 1 ]; then
		if [ "$lines" != 1 ] || ! grep -q "^memtop: .*$pattern" "$tmp/err" || [ -s "$tmp/out" ]; then
			echo "FAIL $name: stderr must be one line matching '$pattern':"; cat "$tmp/err"; fail=1; return
		fi
	fi
	echo "ok $name: $(head -c 200 "$tmp/err")"
}

: >"$tmp/empty"
printf 'this is not a profile\n' >"$tmp/garbage"
head -c 300 tests/data/go/heap.pb.gz >"$tmp/trunc.gz"
gzip -dc tests/data/go/heap.pb.gz | head -c 5000 >"$tmp/trunc.pb"
printf '\n\377\377\377\377\377\377\377\377\377\377\377' >"$tmp/varint.pb"
head -c 50000000 /dev/zero | gzip -9 >"$tmp/bomb.gz"
mkdir "$tmp/dir"

expect 1 missing "$tmp/nope: No such file" top "$tmp/nope"
expect 1 empty "$tmp/empty: empty file" top "$tmp/empty"
expect 1 garbage "$tmp/garbage: not a profile" top "$tmp/garbage"
expect 1 truncated-gzip "$tmp/trunc.gz: .*gzip" top "$tmp/trunc.gz"
expect 1 truncated-protobuf "$tmp/trunc.pb: .*(at byte [0-9]*)" top "$tmp/trunc.pb"
expect 1 corrupt-varint "$tmp/varint.pb: .*(at byte 1)" top "$tmp/varint.pb"
expect 1 gzip-bomb "$tmp/bomb.gz: inflated size exceeds" top --max-inflate 1M "$tmp/bomb.gz"
expect 1 directory "$tmp/dir: is a directory" top "$tmp/dir"
expect 1 bad-sample-index "sample index" top -i nope tests/data/go/heap.pb.gz
expect 2 bad-option "" top --no-such-option tests/data/go/heap.pb.gz
expect 2 bad-regex "" top --focus '(' tests/data/go/heap.pb.gz
expect 2 no-profile "" top
exit $fail
