#!/bin/sh
# Symbolization benchmark: 100k distinct addresses spread over the text of a
# big Go binary (the `go` command, ~15 MB with zlib-compressed DWARF), DWARF
# loading included. Target: under 1 s.
#
#   bench/symbolize/run.sh [BUILD_DIR]     (default: build)
#
# Debian's own /usr/lib/go-1.19/bin/go is stripped, so the script builds
# cmd/go (stdlib only, offline) once into $TMPDIR/memtop-bench-gobin.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tool=$build/tests/symbolize_tool
[ -x "$tool" ] || { echo "no $tool: build first (ninja -C $build)" >&2; exit 2; }
bin=${TMPDIR:-/tmp}/memtop-bench-gobin
if [ ! -x "$bin" ]; then
	: "${GOCACHE:=${TMPDIR:-/tmp}/memtop-gocache}"
	export GOCACHE GOFLAGS=-mod=mod GOTOOLCHAIN=local
	go build -o "$bin" cmd/go
fi
ls -l "$bin"
for i in 1 2 3; do
	/usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KB" \
		"$tool" --bench "$bin" 100000
done
