#!/bin/sh
# The man page's OPTIONS section is what the option table makes of it
# (memtop --help-man); scripts/gen-man.sh rewrites it. And --help lists
# every option the man page does (the hidden --help-man aside).
# Usage: man_options.sh MEMTOP REPO_ROOT
memtop=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$2" || exit 1
want=$(mktemp)
got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
"$memtop" --help-man >"$want" || exit 1
awk '/^\.SH OPTIONS$/ { on = 1; next } /^\.SH / { on = 0 } on' man/memtop.1 >"$got"
if ! cmp -s "$want" "$got"; then
	echo "man/memtop.1's OPTIONS differ from memtop --help-man (run scripts/gen-man.sh):"
	diff "$got" "$want" | head -20
	exit 1
fi
fail=0
for o in $(grep -o '^\\fB\\-\\-[a-z-]*' "$want" | sed 's/\\fB//; s/\\-/-/g'); do
	[ "$o" = --help-man ] && continue
	if ! "$memtop" --help | grep -q -- "$o\b"; then
		echo "memtop --help does not list $o"
		fail=1
	fi
done
[ $fail = 0 ] && echo ok
exit $fail
