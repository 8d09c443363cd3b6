#!/bin/sh
# Issue 6 target: `memtop diff` of two 200k-sample heap profiles within 2x the
# time of `memtop top` on both (hyperfine, one run, side by side).
# Usage: bench/diff.sh [MEMTOP]   (bench/gen-profiles.sh first)
set -eu
cd "$(dirname "$0")/.."
memtop=${1:-build/memtop}
out=bench/out
[ -f $out/heap-200k-b.pb.gz ] || $out/gen -samples 200000 -seed 2 -o $out/heap-200k-b.pb.gz
hyperfine -N -w 1 -r 5 --export-markdown $out/diff.md \
	"$memtop diff -n 20 $out/heap-200k.pb.gz $out/heap-200k-b.pb.gz" \
	"$memtop top -n 20 $out/heap-200k.pb.gz" \
	"$memtop top -n 20 $out/heap-200k-b.pb.gz"
