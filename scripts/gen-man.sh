#!/bin/sh
# Rewrites the OPTIONS section of man/memtop.1 from the option table
# (src/cli/options.c) through `memtop --help-man`; tests/man_options.sh
# fails when the two differ. Usage: scripts/gen-man.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
memtop=${1:-build}/memtop
tmp=$(mktemp)
"$memtop" --help-man >"$tmp.opts"
awk -v gen="$tmp.opts" '
	/^\.SH OPTIONS$/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
	/^\.SH / { skip = 0 }
	!skip { print }
' man/memtop.1 >"$tmp"
mv "$tmp" man/memtop.1
rm -f "$tmp.opts"
