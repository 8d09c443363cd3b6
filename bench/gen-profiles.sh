#!/usr/bin/env bash
# Build bench/gen and write the synthetic heap profiles used by the benchmarks:
#   bench/out/heap-200k.pb.gz   200,000 samples
#   bench/out/heap-1m.pb.gz   1,000,000 samples
# The generator is deterministic (fixed seed), so the files are byte-identical
# on every machine with the same generator source and Go toolchain.
#
# Usage: bench/gen-profiles.sh [-f]     (-f: regenerate even if the file exists)
# Env:   GO (default go), GOCACHE (default /tmp/gocache), GOPATH (default
#        /usr/share/gocode, where Debian's golang-github-google-pprof-dev lives).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"
force=0
[[ ${1:-} == -f ]] && force=1

mkdir -p "$out"
export GO111MODULE=off
export GOPATH=${GOPATH:-/usr/share/gocode}
export GOCACHE=${GOCACHE:-/tmp/gocache}
GO=${GO:-go}

if [[ ! -d $GOPATH/src/github.com/google/pprof/profile ]]; then
	echo "gen-profiles: github.com/google/pprof/profile not found under GOPATH=$GOPATH" >&2
	echo "              (Debian: apt-get install golang-github-google-pprof-dev)" >&2
	exit 1
fi

echo "== building bench/gen ($($GO version))"
(cd "$here/gen" && $GO build -o "$out/gen" .)

gen() { # name samples
	local f="$out/$1"
	if [[ -s $f && $force == 0 ]]; then
		echo "== $1 exists (use -f to regenerate)"
	else
		echo "== generating $1 ($2 samples)"
		local t0 t1
		t0=$(date +%s.%N)
		"$out/gen" -samples "$2" -o "$f.tmp"
		t1=$(date +%s.%N)
		mv "$f.tmp" "$f"
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "   generation time: %.1f s\n", b - a }'
	fi
	local z u
	z=$(stat -c %s "$f")
	u=$(gzip -dc "$f" | wc -c)
	awk -v n="$1" -v z="$z" -v u="$u" 'BEGIN {
		printf "   %s: %d bytes (%.1f MiB) gzip, %d bytes (%.1f MiB) uncompressed\n", n, z, z/1048576, u, u/1048576 }'
	echo "   sha256 $(sha256sum "$f" | cut -d' ' -f1)"
}

gen heap-200k.pb.gz 200000
gen heap-1m.pb.gz 1000000
