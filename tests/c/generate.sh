#!/bin/sh
# Regenerates tests/data/c/: tcmalloc and jemalloc heap profiles of
# tests/c/leaker.c, the binaries that wrote them, and the oracle outputs of
# google-pprof and jeprof on them (goldens for tests/compare_cheap.py).
# Needs Debian's google-perftools, libgoogle-perftools-dev, libjemalloc-dev.
# Addresses (ASLR) and jemalloc's sampling change from run to run: commit
# everything in tests/data/c/ together.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/tests/data/c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cflags="-O0 -g -fno-omit-frame-pointer -fno-inline -fno-optimize-sibling-calls"
gcc $cflags -o leaker_tc "$root/tests/c/leaker.c" -ltcmalloc
gcc $cflags -o leaker_je "$root/tests/c/leaker.c" -ljemalloc
# One dump, at exit: the interval is larger than everything allocated.
HEAPPROFILE=$tmp/tc HEAP_PROFILE_ALLOCATION_INTERVAL=1073741824 ./leaker_tc >/dev/null 2>&1
MALLOC_CONF=prof:true,prof_final:true,lg_prof_sample:12,prof_prefix:$tmp/je ./leaker_je >/dev/null
cp "$(ls tc.*.heap | tail -1)" tcmalloc.heap
cp je.*.f.heap jemalloc.heap
# The oracles run here, where the profiles' MAPPED_LIBRARIES name the
# binaries, so that they find and symbolize them.
golden() { # NAME COMMAND...
	name=$1
	shift
	{
		echo "# $*"
		"$@" 2>/dev/null
	} >"$name"
}
golden tcmalloc.inuse_space.txt google-pprof --text --show_bytes --inuse_space leaker_tc tcmalloc.heap
golden tcmalloc.inuse_objects.txt google-pprof --text --inuse_objects leaker_tc tcmalloc.heap
golden tcmalloc.alloc_space.txt google-pprof --text --show_bytes --alloc_space leaker_tc tcmalloc.heap
golden tcmalloc.alloc_objects.txt google-pprof --text --alloc_objects leaker_tc tcmalloc.heap
golden jemalloc.inuse_space.txt jeprof --text --show_bytes --inuse_space leaker_je jemalloc.heap
golden jemalloc.inuse_objects.txt jeprof --text --inuse_objects leaker_je jemalloc.heap
mkdir -p "$out"
cp leaker_tc leaker_je tcmalloc.heap jemalloc.heap tcmalloc.*.txt jemalloc.*.txt "$out/"
