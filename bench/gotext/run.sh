#!/bin/sh
# Go heap text reading speed (issue 3: at least 200 MB/s). Writes a 300 MB
# synthetic debug=1 heap text (48K distinct frames) to bench/out/ once, then
# times the reader alone (wall and CPU time), best of 5 runs.
# Usage: bench/gotext/run.sh [BUILDDIR]   (default build; a release build)
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build}
mkdir -p bench/out
[ -f bench/out/heap300.txt ] || python3 bench/gotext/gen.py --mb 300 --frames 48000 >bench/out/heap300.txt
ninja -C "$B" >/dev/null
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/gotext/readbench.c "$B/libmemtopcore.a" \
	$(pkg-config --libs libdeflate libpcre2-8 zlib sqlite3 libcurl) -ldwarf -lelf -lm \
	-o bench/out/readbench
bench/out/readbench bench/out/heap300.txt 5
