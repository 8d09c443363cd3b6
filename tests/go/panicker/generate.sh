#!/bin/sh
# Rebuilds tests/data/go/panic-dump.txt (a real panic dump written by the Go
# runtime with GOTRACEBACK=all) and tests/data/go/panic-expect.txt (what the
# program itself says it parked) from tests/go/panicker. Takes about 65 s: the
# program waits past a minute so the dump shows wait times.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${GOCACHE:=${TMPDIR:-/tmp}/memtop-gocache}"
export GOCACHE GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$here" && go build -o "$tmp/panicker" .)
out="$root/tests/data/go"
status=0
GOTRACEBACK=all "$tmp/panicker" "$out/panic-expect.txt" 2> "$out/panic-dump.txt" || status=$?
[ "$status" -eq 2 ] || { echo "panicker exited $status, expected 2" >&2; exit 1; }
go version
