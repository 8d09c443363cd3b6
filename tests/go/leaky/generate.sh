#!/bin/sh
# Rebuilds the real Go runtime profiles in tests/data/go/ and the bundled
# data/leaky.heap.pb.gz from tests/go/leaky (stdlib only, builds offline).
#
#   tests/go/leaky/generate.sh        (from anywhere; uses Debian's golang-go)
#
# The program is built into a temporary folder that is deleted afterwards, so
# no binary at the profiles' mapping path can later change what pprof shows.
# Every run gives new numbers: run tests/regen-goldens.sh afterwards and
# commit data, profiles and goldens together.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${GOCACHE:=${TMPDIR:-/tmp}/memtop-gocache}"
export GOCACHE GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$here" && go build -o "$tmp/leaky" .)
rm -rf "$tmp/out"
"$tmp/leaky" "$tmp/out"
out="$root/tests/data/go"
mkdir -p "$out" "$root/data"
for f in heap.pb.gz heap.txt heap2.pb.gz allocs.pb.gz allocs.txt \
	goroutine.pb.gz goroutine.txt goroutine-dump.txt \
	threadcreate.pb.gz threadcreate.txt mutex.pb.gz mutex.txt \
	block.pb.gz block.txt cpu.pb.gz; do
	cp "$tmp/out/$f" "$out/$f"
done
cp "$tmp/out/heap.pb.gz" "$root/data/leaky.heap.pb.gz"
go version
ls -l "$out"
