#!/bin/sh
# Rebuilds tests/data/go/series/ (four goroutine dumps of one process and
# what it parked per round) from tests/go/goleak. Takes about a second.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${GOCACHE:=${TMPDIR:-/tmp}/memtop-gocache}"
export GOCACHE GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$here" && go build -o "$tmp/goleak" .)
out="$root/tests/data/go/series"
mkdir -p "$out"
"$tmp/goleak" "$out"
go version
