#!/bin/sh
# Inlined frames of a gcc -O2 -g program against binutils' addr2line -f -i
# (an independent DWARF reader): for every address of main(), where a static
# function is inlined twice deep, memtop's frames (innermost first: function,
# file base name, line) must equal addr2line's. Then truncated and
# byte-flipped copies of the binary: the symbolizer must not crash, and
# `memtop top --binary` with them must still exit 0.
#
# usage: symbolize_inline.sh SYMBOLIZE_TOOL MEMTOP
set -eu
tool=$1 memtop=$2
command -v gcc >/dev/null && command -v addr2line >/dev/null || { echo "SKIP: no gcc/addr2line"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/inl.c" <<'C'
#include <stdlib.h>
#include <string.h>
static inline char *fill(size_t n, int c)
{
	char *p = malloc(n);
	if (p)
		memset(p, c, n);
	return p;
}
static inline char *twice(size_t n)
{
	char *p = fill(n, 'a');
	char *q = fill(n * 2, 'b');
	if (p && q)
		p[0] = q[1];
	free(q);
	return p;
}
int main(int argc, char **argv)
{
	char *p = twice((size_t)argc * 100);
	int r = p ? p[argc] : 0;
	free(p);
	return r + (argv[0] != NULL);
}
C
gcc -O2 -g -o "$tmp/inl" "$tmp/inl.c"
set -- $(nm -S "$tmp/inl" | awk '$4 == "main" { print $1, $2 }')
start=$((0x$1)) size=$((0x$2))
addrs=$(i=0; while [ $i -lt $size ]; do printf '%x ' $((start + i)); i=$((i + 1)); done)
# addr2line: "func\nfile:line" per frame, innermost first; one block per address.
for a in $addrs; do
	addr2line -f -i -e "$tmp/inl" "$a" | sed 's/ (discriminator [0-9]*)//' |
		paste - - | awk -v a="$a" -F'\t' '{ n = split($2, f, "/"); split(f[n], fl, ":");
			printf "%s\t%d\t%s\t%s\t%s\n", a, NR - 1, $1, fl[1], fl[2] }'
done >"$tmp/want"
"$tool" "$tmp/inl" $addrs | awk -F'\t' '{ n = split($4, f, "/"); a = $1; sub(/^0x/, "", a);
	printf "%s\t%s\t%s\t%s\t%s\n", a, $2, $3, f[n], $5 }' >"$tmp/got"
inl=$(awk -F'\t' '$2 > 0' "$tmp/got" | wc -l)
if ! cmp -s "$tmp/want" "$tmp/got"; then
	echo "FAIL: frames differ from addr2line -f -i (want, got):"
	diff "$tmp/want" "$tmp/got" | head -20
	exit 1
fi
[ "$inl" -gt 0 ] || { echo "FAIL: no inlined frames"; exit 1; }
echo "ok   $(wc -l <"$tmp/want") frames of $size addresses ($inl inlined) match addr2line"

# Corrupt binaries: truncated and with bytes flipped, never a crash.
root=$(cd "$(dirname "$0")/.." && pwd)
n=$(wc -c <"$tmp/inl")
for cut in 64 200 1000 4000 $((n / 2)) $((n - 100)); do
	head -c $cut "$tmp/inl" >"$tmp/bad"
	"$tool" "$tmp/bad" $addrs >/dev/null 2>&1 || [ $? -eq 1 ] || { echo "FAIL: truncated at $cut: crash"; exit 1; }
done
i=0
while [ $i -lt 40 ]; do
	cp "$tmp/inl" "$tmp/bad"
	off=$(( (i * 7919 + 13) * 131 % n ))
	printf '\377\377\377\377\377\377\377\377' | dd of="$tmp/bad" bs=1 seek=$off conv=notrunc 2>/dev/null
	"$tool" "$tmp/bad" $addrs >/dev/null 2>&1 || [ $? -eq 1 ] || { echo "FAIL: flipped at $off: crash"; exit 1; }
	i=$((i + 1))
done
head -c 3000 "$root/tests/data/c/leaker_tc" >"$tmp/bad"
"$memtop" top -n 3 --binary "$tmp/bad" "$root/tests/data/c/tcmalloc.heap" >/dev/null 2>"$tmp/err" ||
	{ echo "FAIL: memtop with a truncated --binary: $(cat "$tmp/err")"; exit 1; }
echo "ok   corrupt binaries: no crash"

# Issue 19: a --binary cut at 1,000 bytes (headers intact, sections gone) is
# named in one warning, once also when two profiles use it (diff); the
# whole file gets none.
heap="$root/tests/data/c/tcmalloc.heap"
head -c 1000 "$root/tests/data/c/leaker_tc" >"$tmp/cut"
for cmd in "top -n 3" "tree" "diff $heap"; do
	"$memtop" $cmd --binary "$tmp/cut" "$heap" >/dev/null 2>"$tmp/err" ||
		{ echo "FAIL: $cmd --binary cut: $(cat "$tmp/err")"; exit 1; }
	k=$(grep -c "cut: truncated ELF file (1000 bytes, its headers describe $(wc -c <"$root/tests/data/c/leaker_tc"))" "$tmp/err" || true)
	[ "$k" = 1 ] || { echo "FAIL: $cmd --binary cut: $k warnings, want 1: $(cat "$tmp/err")"; exit 1; }
done
"$memtop" top --binary "$root/tests/data/c/leaker_tc" "$heap" >/dev/null 2>"$tmp/err"
! grep -q "truncated" "$tmp/err" || { echo "FAIL: a whole binary called truncated"; exit 1; }
echo "ok   a truncated --binary: one warning"

# Binaries whose DWARF crashed Debian's libdwarf (found by fuzz_symbolize):
# the header checks refuse the first, the child process absorbs the second;
# both resolve without a crash.
bad=$root/fuzz/corpus/symbolize/crash-libdwarf-rnglists-doublefree
out=$("$tool" --check "$bad") && { echo "FAIL: header checks accept $bad"; exit 1; }
case $out in *".debug_"*) ;; *) echo "FAIL: --check: $out"; exit 1 ;; esac
for bad in "$root"/fuzz/corpus/symbolize/crash-*; do
	"$tool" "$bad" 1139 1000 >/dev/null 2>&1 || [ $? -eq 1 ] || { echo "FAIL: $bad: crash"; exit 1; }
done
"$tool" --check "$tmp/inl" >/dev/null || { echo "FAIL: header checks refuse gcc's DWARF"; exit 1; }
echo "ok   libdwarf crashers: refused or contained ($out)"
