#!/bin/sh
# zlib, libdeflate and ISA-L on the benchmark profiles (best of N rounds each):
# the measurement behind memtop's gzip layer (ISA-L streaming, libdeflate and zlib).
# Usage: bench/inflate.sh [ROUNDS]   (run bench/gen-profiles.sh first)
set -eu
cd "$(dirname "$0")/.."
cc -O2 -o bench/out/inflate bench/inflate.c -lz -ldeflate -lisal
for f in tests/data/go/heap.pb.gz bench/out/heap-200k.pb.gz bench/out/heap-1m.pb.gz; do
	[ -f "$f" ] && bench/out/inflate "$f" "${1:-5}"
done
