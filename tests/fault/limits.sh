#!/bin/sh
# Every explicit limit (struct mt_limits) triggers in every reader that can
# exceed it, with exit status 1 and one line on stderr naming the file and
# the option that raises the limit; a bad limit value is a usage error (2).
# The inputs are the real profiles in tests/data, whose sizes are known from
# go tool pprof (heap.pb.gz: 51 samples, stacks up to 12+ frames; the
# goroutine dump: 30 goroutines).
# usage: limits.sh MEMTOP REPO_ROOT
set -u
memtop=$1
cd "$2" || exit 1
failed=0
go=tests/data/go
c=tests/data/c

# expect_limit OPTION TEXT CMD...: exit 1, one line naming the file (the
# last argument) and OPTION, containing TEXT.
expect_limit() {
	opt=$1 text=$2
	shift 2
	eval "file=\${$#}"
	err=$("$memtop" "$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | wc -l)
	case "$rc/$lines/$err" in
	"1/1/memtop: $file: "*"$text"*"$opt"*) echo "ok   $*: $err" ;;
	*)
		echo "FAIL $*: rc $rc, want 1 and one line with \"$text\" and \"$opt\": $err"
		failed=$((failed + 1))
		;;
	esac
}

# The same command with the default limits works.
expect_ok() {
	if "$memtop" "$@" >/dev/null 2>&1; then
		echo "ok   $* (default limits)"
	else
		echo "FAIL $*: fails with the default limits"
		failed=$((failed + 1))
	fi
}

expect_ok top $go/heap.pb.gz
expect_limit --max-inflate "inflated size" top --max-inflate 1000 $go/heap.pb.gz
expect_limit --max-inflate "inflated size" goroutines --max-inflate 100 $go/goroutine.pb.gz

# Samples: protobuf, Go heap text, count text, contention (block) text, tcmalloc,
# jemalloc.
for f in $go/heap.pb.gz $go/heap.txt $go/goroutine.txt $go/block.txt $c/tcmalloc.heap \
	$c/jemalloc.heap; do
	expect_ok top "$f"
	expect_limit --max-samples "samples" top --max-samples 2 "$f"
done

# Frames per stack: protobuf, Go text (# frames and addresses), tcmalloc,
# jemalloc, goroutine dumps (as a profile and grouped).
for f in $go/heap.pb.gz $go/heap.txt $go/goroutine.txt $c/tcmalloc.heap $c/jemalloc.heap \
	$go/goroutine-dump.txt; do
	expect_limit --max-frames "frames" top --max-frames 2 "$f"
done
expect_limit --max-frames "frames" goroutines --max-frames 2 $go/goroutine-dump.txt

# String length: protobuf string table, Go text function names and labels.
expect_limit --max-string "limit of 10" top --max-string 10 $go/heap.pb.gz
expect_limit --max-string "longer than 10 bytes" top --max-string 10 $go/heap.txt
expect_limit --max-string "longer than 20 bytes" top --max-string 20 $go/goroutine.txt
# Goroutine dumps follow the one rule of the pprof reader: a name, file or
# state over --max-string refuses the dump in the same words ("string of N
# bytes, over the limit of M"), never cuts it. The goroutine profile
# (protobuf) and the dump of the same service, grouped or as a profile:
for cmd in top goroutines; do
	expect_limit --max-string "over the limit of 20" $cmd --max-string 20 $go/goroutine.pb.gz
	expect_limit --max-string "over the limit of 20" $cmd --max-string 20 $go/goroutine-dump.txt
done
# A state, a creator and a file each alone over the limit.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
long=$(printf '%050d' 0 | tr 0 x)
printf 'goroutine 1 [%s]:\nmain.f()\n\t/x.go:1 +0x1\n' "$long" >"$tmp/state.txt"
printf 'goroutine 1 [select]:\nmain.f()\n\t/x.go:1 +0x1\ncreated by main.%s\n\t/x.go:2 +0x1\n' \
	"$long" >"$tmp/creator.txt"
printf 'goroutine 1 [select]:\nmain.f()\n\t/%s.go:1 +0x1\n' "$long" >"$tmp/file.txt"
for f in state creator file; do
	expect_ok goroutines "$tmp/$f.txt"
	expect_limit --max-string "string of 5" goroutines --max-string 40 "$tmp/$f.txt"
done

# Goroutines per dump.
expect_ok goroutines $go/goroutine-dump.txt
expect_limit --max-goroutines "more than 5 goroutines" goroutines --max-goroutines 5 \
	$go/goroutine-dump.txt
expect_limit --max-goroutines "more than 5 goroutines" top --max-goroutines 5 \
	$go/goroutine-dump.txt

# Bad values are usage errors.
for v in 0 -1 abc 10Q; do
	for o in --max-inflate --max-samples --max-frames --max-string --max-goroutines; do
		"$memtop" top "$o" "$v" $go/heap.pb.gz >/dev/null 2>&1
		rc=$?
		if [ $rc -ne 2 ]; then
			echo "FAIL top $o $v: exit $rc, want 2"
			failed=$((failed + 1))
		fi
	done
done
echo "$failed failed"
[ $failed -eq 0 ]
