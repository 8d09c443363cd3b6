#!/bin/sh
# Regenerates the jemalloc profile of tests/c/stacks.c in tests/data/c/: its
# binary, the dump, jeprof's reports of it for the four sample types, and its
# call graphs (--dot, every edge) for two: the goldens of tests/compare_cheap.py
# and tests/symbolize_cheap.py. 256 stacks sampled at 1 KiB: jeprof's
# floating-point sums and truncation per stack part ways on nearly every row.
# Needs Debian's libjemalloc-dev (jeprof). Addresses (ASLR) and jemalloc's
# sampling change from run to run: commit everything it writes together.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/data/c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
gcc -O0 -g -fno-omit-frame-pointer -fno-inline -fno-optimize-sibling-calls \
	-o stacks_je "$root/tests/c/stacks.c" -ljemalloc
MALLOC_CONF=prof:true,prof_final:true,prof_accum:true,lg_prof_sample:10,prof_prefix:$tmp/je \
	./stacks_je
cp je.*.f.heap stacks.jemalloc.heap
# The oracle runs here, where the dump's MAPPED_LIBRARIES names the binary.
golden() { # NAME COMMAND...
	name=$1
	shift
	{
		echo "# $*"
		"$@" 2>/dev/null
	} >"$name"
}
for t in inuse_space inuse_objects alloc_space alloc_objects; do
	golden "stacks.jemalloc.$t.txt" jeprof --text --show_bytes "--$t" stacks_je \
		stacks.jemalloc.heap
done
for t in inuse_space inuse_objects; do
	golden "stacks.jemalloc.$t.dot" jeprof --dot --show_bytes "--$t" --nodefraction=0 \
		--edgefraction=0 --nodecount=100000 --maxdegree=100000 stacks_je \
		stacks.jemalloc.heap
done
cp stacks_je stacks.jemalloc.heap stacks.jemalloc.*.txt stacks.jemalloc.*.dot "$out/"
