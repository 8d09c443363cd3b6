#!/bin/sh
# Captures a real GODEBUG=gctrace=1 log into tests/data/go/gctrace.log:
# builds tests/go/expvar (stdlib only, builds offline), runs it for a few
# seconds leaking steadily (GOGC=50, a forced GC every second), and keeps
# what the runtime wrote on stderr.
#
#   tests/go/expvar/generate.sh        (from anywhere; uses Debian's golang-go)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${GOCACHE:=${TMPDIR:-/tmp}/memtop-gocache}"
export GOCACHE GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$here" && go build -o "$tmp/expvar" .)
GOGC=50 GODEBUG=gctrace=1 "$tmp/expvar" -gctrace-run 6s -every 5ms -size 32768 2>"$tmp/gctrace.log"
cp "$tmp/gctrace.log" "$root/tests/data/go/gctrace.log"
go version
wc -l "$root/tests/data/go/gctrace.log"
