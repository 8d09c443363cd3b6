#!/bin/bash
# Regenerates tests/golden/ from the oracle, `go tool pprof` (Debian's golang-go,
# Go 1.19). Run from anywhere; paths below are relative to the repository root, and
# the pprof fixtures are read from ../shared/fixtures/pprof-testdata (CI clones the
# repository with shared/ beside it).
#
# Every golden is exactly the standard output of one command run in the repository
# root; tests/golden/goldens.tsv lists, per golden, the profile and the options:
#
#   go tool pprof -top -nodefraction=0 -sample_index=I -unit=U FILE > tests/golden/NAME.I.top
#
# for every protobuf profile FILE in tests/data/go/ (NAME = file name without .pb.gz)
# and for ../shared/fixtures/pprof-testdata/sample.cpu and large.cpu (NAME = sample.cpu,
# large.cpu), and (with -symbolize=none) for the legacy fixtures there that have no
# protobuf twin: binary CPU, threadz and Java profiles (NAME = file name), for every
# sample index I (0..n-1, read from `go tool pprof -raw FILE`),
# with U = ns when the sample type's unit is a time unit and U = B otherwise (so counts
# print as e.g. "5B", and values are exact integers). Then, for tests/data/go/heap.pb.gz
# at its default sample index (inuse_space, no -sample_index given):
#
#   go tool pprof -top -nodefraction=0 -unit=B -lines FILE    > heap.lines.top
#   go tool pprof -top -nodefraction=0 -unit=B -files FILE    > heap.files.top
#   go tool pprof -top -nodefraction=0 -unit=B -focus=leakyCache FILE    > heap.focus.top
#   go tool pprof -top -nodefraction=0 -unit=B -ignore=main\.buildTree FILE > heap.ignore.top
#   go tool pprof -top -nodefraction=0 -unit=B -hide=main\.newBuf FILE   > heap.hide.top
#   go tool pprof -top -nodefraction=0 -unit=B -show=^main\. FILE        > heap.show.top
#   go tool pprof -top -nodefraction=0 -unit=B -cum FILE                 > heap.cum.top
#   go tool pprof -top -nodefraction=0 -unit=B -base=tests/data/go/heap.pb.gz \
#       tests/data/go/heap2.pb.gz                                        > heap.base.top
#   (and likewise -diff_base, -focus with -ignore, -filefunctions, and -show on cpu)
#
# pprof's command line has no -granularity flag: -lines and -files are its
# spellings of memtop's --granularity lines|files.
# Options must come before the file: pprof takes every later argument as another
# profile source and merges what it can fetch ("Fetched 1 source profiles out of 3").
#
# The profiles carry their own symbols; PPROF_BINARY_PATH points nowhere so that no
# local binary can change what pprof shows. Check any change of a golden by hand
# (git diff) before committing it: the goldens are the oracle's, never memtop's.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fixtures=../shared/fixtures/pprof-testdata
out=tests/golden
: "${GOCACHE:=${TMPDIR:-/tmp}/memtop-gocache}"
export GOCACHE PPROF_BINARY_PATH=/nonexistent PPROF_TMPDIR=${TMPDIR:-/tmp}

for f in "$fixtures/sample.cpu" "$fixtures/large.cpu"; do
	[ -r "$f" ] || { echo "regen-goldens: $f missing (clone shared/ beside the repository)" >&2; exit 1; }
done

err=$(mktemp)
trap 'rm -f "$err"' EXIT

mkdir -p "$out"
rm -f "$out"/*.top
manifest="$out/goldens.tsv"
printf '# golden\tprofile\tpprof options (after: go tool pprof -top -nodefraction=0; before the profile)\n' >"$manifest"

# golden NAME FILE OPTION... : runs pprof and records the golden in the manifest.
golden() {
	local name=$1 file=$2
	shift 2
	if ! go tool pprof -top -nodefraction=0 "$@" "$file" >"$out/$name" 2>"$err"; then
		echo "regen-goldens: go tool pprof -top -nodefraction=0 $* $file failed:" >&2
		cat "$err" >&2
		exit 1
	fi
	printf '%s\t%s\t%s\n' "$name" "$file" "$*" >>"$manifest"
}

# sample_types FILE: prints "type/unit" per sample index, one a line.
sample_types() {
	go tool pprof -raw "$1" 2>/dev/null |
		awk 'found == 1 { for (i = 1; i <= NF; i++) { sub(/\[dflt\]$/, "", $i); print $i }; found = 2 }
		     /^Samples:$/ { found = 1 }'
}

for file in tests/data/go/*.pb.gz "$fixtures/sample.cpu" "$fixtures/large.cpu"; do
	name=$(basename "$file" .pb.gz)
	i=0
	types=$(sample_types "$file")
	[ -n "$types" ] || { echo "regen-goldens: no sample types in $file" >&2; exit 1; }
	for t in $types; do
		case ${t#*/} in
		nanoseconds | microseconds | milliseconds | seconds | ns | us | ms | s) unit=ns ;;
		*) unit=B ;;
		esac
		golden "$name.$i.top" "$file" "-sample_index=$i" "-unit=$unit"
		i=$((i + 1))
	done
done

# pprof's legacy fixtures it has no protobuf for (binary CPU, threadz, Java),
# at every sample index, with -symbolize=none: their binaries (cppbench_server_main,
# /lib/libc-2.15.so, ...) exist nowhere, and memtop finds none of them either.
# Their copies in tests/data/legacy/ are the same CPU profiles in the word formats
# the fixtures lack (32-bit big endian, 64-bit big endian; see its README). Binary
# CPU and threadz profiles name no functions, so each also gets a golden at
# -addresses granularity (NAME.addr.top, default sample index), one row per address.
legacy="cppbench.cpu go.crc32.cpu gobench.cpu java.cpu cppbench.thread cppbench.thread.all"
legacy="$legacy cppbench.thread.none java.heap java.contention"
for file in $(for f in $legacy; do echo "$fixtures/$f"; done) tests/data/legacy/*.cpu*; do
	name=$(basename "$file")
	i=0
	for t in $(sample_types "$file"); do
		case ${t#*/} in
		nanoseconds | microseconds | milliseconds | seconds | ns | us | ms | s) unit=ns ;;
		*) unit=B ;;
		esac
		golden "$name.$i.top" "$file" "-sample_index=$i" "-unit=$unit" -symbolize=none
		i=$((i + 1))
	done
	case $name in
	*.cpu* | *.thread*) golden "$name.addr.top" "$file" "-unit=$unit" -addresses -symbolize=none ;;
	esac
done

heap=tests/data/go/heap.pb.gz
golden heap.lines.top "$heap" -unit=B -lines
golden heap.files.top "$heap" -unit=B -files
golden heap.focus.top "$heap" -unit=B -focus=leakyCache
golden heap.ignore.top "$heap" -unit=B '-ignore=main\.buildTree'
golden heap.hide.top "$heap" -unit=B '-hide=main\.newBuf'
golden heap.show.top "$heap" -unit=B '-show=^main\.'
golden heap.cum.top "$heap" -unit=B -cum
golden heap.base.top tests/data/go/heap2.pb.gz -unit=B "-base=$heap"
golden heap.diffbase.top tests/data/go/heap2.pb.gz -unit=B "-diff_base=$heap"
golden heap.focusignore.top "$heap" -unit=B -focus=main -ignore=leakyCache
golden heap.filefunctions.top "$heap" -unit=B -filefunctions
golden cpu.show.top tests/data/go/cpu.pb.gz -unit=ns "-show=^main"

ls -l "$out"

# Text reports compared byte for byte (tests/golden_text.py): pprof's -tree
# and -peek, listed in texts.tsv with the memtop command that must print the
# same. Columns: golden, profile, pprof options, memtop subcommand and options.
texts="$out/texts.tsv"
printf '# golden\tprofile\tpprof options\tmemtop command\n' >"$texts"
text_golden() { # name profile "pprof opts" "memtop args"
	# shellcheck disable=SC2086
	TZ=UTC go tool pprof $3 "$2" >"$out/$1" 2>/dev/null
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$texts"
}
text_golden heap.tree.txt "$heap" "-tree -nodefraction=0 -unit=B" "tree --unit B"
text_golden heap.peek.txt "$heap" "-peek=leakyCache|newBuf -unit=B" "peek --unit B leakyCache|newBuf"
text_golden cpu.tree.txt tests/data/go/cpu.pb.gz "-tree -nodefraction=0 -unit=ns" "tree --unit ns"
text_golden mutex.peek.txt tests/data/go/mutex.pb.gz "-peek=main -unit=ns" "peek --unit ns main"
text_golden large.peek.txt ../shared/fixtures/pprof-testdata/large.cpu "-peek=^main\.(main|next)$ -unit=ns -cum" "peek --unit ns --cum ^main\.(main|next)$"
text_golden sample.tree.txt ../shared/fixtures/pprof-testdata/sample.cpu "-tree -nodefraction=0 -unit=ns" "tree --unit ns"
golden mutex.mean.top tests/data/go/mutex.pb.gz -unit=ns -mean
golden block.mean.top tests/data/go/block.pb.gz -unit=ns -mean
text_golden heap.traces.txt "$heap" "-traces -sample_index=inuse_space" "traces -i inuse_space"
text_golden goroutine.traces.txt tests/data/go/goroutine.pb.gz "-traces" "traces"
text_golden cpu.traces.txt tests/data/go/cpu.pb.gz "-traces" "traces"
# pprof -list (memtop list). The profiles record absolute paths
# (/work/main/tests/go/leaky/main.go, where they were made), so the sources are
# found the way pprof finds them elsewhere: -trim_path makes the path relative
# to the working directory (the repository root), -source_path guesses from the
# directory's base name ("leaky"). tests/data/listsrc/ holds altered copies of
# main.go (CRLF and no final newline; lines at and past Go's scanner limit),
# and /nonexistent shows pprof's error for a file it cannot find.
text_golden heap.list.txt "$heap" "-list=main\.leak|leakyCache -unit=B -trim_path=/work/main" "list --unit B --trim-path /work/main main\.leak|leakyCache"
text_golden cpu.list.txt tests/data/go/cpu.pb.gz "-list=main\.leak|leakyCache -unit=ns -source_path=tests/go/leaky" "list --unit ns --source-path tests/go/leaky main\.leak|leakyCache"
text_golden goroutine.list.txt tests/data/go/goroutine.pb.gz "-list=^main\. -trim_path=/work/main" "list --trim-path /work/main ^main\."
text_golden mutex.list.txt tests/data/go/mutex.pb.gz "-list=^main\. -unit=ns -trim_path=/work/main -source_path=/nonexistent" "list --unit ns --trim-path /work/main --source-path /nonexistent ^main\."
text_golden heap.list-crlf.txt "$heap" "-list=main\.leak|leakyCache -unit=B -source_path=tests/data/listsrc/crlf/leaky" "list --unit B --source-path tests/data/listsrc/crlf/leaky main\.leak|leakyCache"
text_golden heap.list-long.txt "$heap" "-list=main\.leak|leakyCache -unit=B -source_path=tests/data/listsrc/long/leaky" "list --unit B --source-path tests/data/listsrc/long/leaky main\.leak|leakyCache"
text_golden sample.list.txt ../shared/fixtures/pprof-testdata/sample.cpu "-list=. -unit=ns" "list --unit ns ."
# Trimmed trees: pprof keeps -nodecount nodes (after -nodefraction) and
# rebuilds its graph over them, so edges skip the dropped nodes and light
# edges go (-edgefraction 0.001); -peek ignores all three. pprof's -tree
# defaults (-nodecount=80, -nodefraction=0.005) are given to memtop
# explicitly where they apply; memtop's own default keeps every node. The
# -top with -nodecount=1 has no "(inline)": its graph has no caller left.
text_golden heap.tree-n3.txt "$heap" "-tree -nodecount=3 -unit=B" "tree -n 3 --nodefraction 0.005 --unit B"
text_golden heap.tree-n12.txt "$heap" "-tree -nodecount=12 -nodefraction=0 -unit=B" "tree -n 12 --unit B"
text_golden heap.tree-focus.txt "$heap" "-tree -nodecount=5 -nodefraction=0.01 -focus=leakyCache -unit=B" "tree -n 5 --nodefraction 0.01 --focus leakyCache --unit B"
text_golden cpu.tree-n6.txt tests/data/go/cpu.pb.gz "-tree -nodecount=6 -nodefraction=0 -unit=ns" "tree -n 6 --unit ns"
text_golden cpu.tree-nf.txt tests/data/go/cpu.pb.gz "-tree -nodefraction=0.05 -unit=ns" "tree -n 80 --nodefraction 0.05 --unit ns"
text_golden large.tree-cum.txt ../shared/fixtures/pprof-testdata/large.cpu "-tree -nodecount=10 -nodefraction=0 -cum -unit=ns" "tree -n 10 --cum --unit ns"
text_golden mutex.tree-mean.txt tests/data/go/mutex.pb.gz "-tree -nodecount=4 -nodefraction=0.01 -mean -unit=ns" "tree -n 4 --nodefraction 0.01 --mean --unit ns"
text_golden heap2.tree-diffbase.txt tests/data/go/heap2.pb.gz "-tree -nodefraction=0 -unit=B -diff_base=$heap" "tree --unit B --diff-base $heap"
text_golden heap.peek-n1.txt "$heap" "-peek=leakyCache|newBuf -nodecount=1 -nodefraction=0.5 -unit=B" "peek -n 1 --nodefraction 0.5 --unit B leakyCache|newBuf"
text_golden heap.top-n1.txt "$heap" "-top -nodecount=1 -nodefraction=0 -unit=B" "top -n 1 --unit B"

# Filters that match nothing: pprof warns on stderr ("Focus expression
# matched no samples") and still prints its report. nomatch.tsv lists, per
# case, the profile, pprof's options, memtop's options and the warnings
# pprof printed (";" between them, empty for none); tests/nomatch.py runs
# memtop's reports with those options and requires the same warnings and
# exit status 0. pprof applies focus, ignore, hide and show first, then the
# tag filters to the samples left, then tagshow/taghide to the labels of
# what is left: so a tag filter "matches no samples" also when the samples
# it would match were focused away.
nomatch="$out/nomatch.tsv"
printf '# profile\tpprof options\tmemtop options\twarnings of go tool pprof\n' >"$nomatch"
nomatch_golden() { # profile "pprof opts" "memtop opts"
	local w
	# shellcheck disable=SC2086
	w=$(go tool pprof -top $2 "$1" 2>&1 >/dev/null | grep 'matched no samples' | paste -sd ';' || true)
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$w" >>"$nomatch"
}
cpu=tests/data/go/cpu.pb.gz
nomatch_golden "$heap" "-focus=zzz" "--focus zzz"
nomatch_golden "$heap" "-ignore=zzz" "--ignore zzz"
nomatch_golden "$heap" "-hide=zzz" "--hide zzz"
nomatch_golden "$heap" "-show=zzz" "--show zzz"
nomatch_golden "$heap" "-tagfocus=zzz=1" "--tagfocus zzz=1"
nomatch_golden "$heap" "-tagignore=zzz=1" "--tagignore zzz=1"
nomatch_golden "$heap" "-tagshow=zzz" "--tagshow zzz"
nomatch_golden "$heap" "-taghide=zzz" "--taghide zzz"
nomatch_golden "$heap" "-tagroot=zzz" "--tagroot zzz"
nomatch_golden "$heap" "-tagleaf=zzz" "--tagleaf zzz"
nomatch_golden "$heap" "-focus=zzz -ignore=zzz -hide=zzz -show=zzz -tagfocus=a=b -tagignore=a=b -tagshow=zzz -taghide=zzz" "--focus zzz --ignore zzz --hide zzz --show zzz --tagfocus a=b --tagignore a=b --tagshow zzz --taghide zzz"
nomatch_golden "$heap" "-focus=leakyCache -ignore=newBuf -hide=runtime -show=main -tagfocus=bytes=1kb: -tagignore=bytes=1gb: -tagshow=bytes -taghide=zzz" "--focus leakyCache --ignore newBuf --hide runtime --show main --tagfocus bytes=1kb: --tagignore bytes=1gb: --tagshow bytes --taghide zzz"
nomatch_golden "$heap" "-show=main -hide=main" "--show main --hide main"
nomatch_golden "$heap" "-tagfocus=bytes=100gb:" "--tagfocus bytes=100gb:"
nomatch_golden "$heap" "-tagfocus=bytes=1mb: -focus=newBuf" "--tagfocus bytes=1mb: --focus newBuf"
nomatch_golden "$cpu" "-tagfocus=worker=spin" "--tagfocus worker=spin"
nomatch_golden "$cpu" "-tagfocus=worker=spin -focus=main.leak" "--tagfocus worker=spin --focus main.leak"
nomatch_golden "$cpu" "-tagignore=worker=spin -focus=main.leak" "--tagignore worker=spin --focus main.leak"
nomatch_golden "$cpu" "-tagshow=worker -focus=main.leak" "--tagshow worker --focus main.leak"
nomatch_golden "$cpu" "-tagshow=worker -tagignore=worker=spin" "--tagshow worker --tagignore worker=spin"
nomatch_golden "$cpu" "-taghide=worker -tagfocus=worker=zzz" "--taghide worker --tagfocus worker=zzz"
nomatch_golden "$cpu" "-tagfocus=worker=spin -ignore=main" "--tagfocus worker=spin --ignore main"
# and the report itself when nothing is left
text_golden heap.top-nomatch.txt "$heap" "-top -nodefraction=0 -focus=zzz -unit=B" "top --focus zzz --unit B"
text_golden heap.tree-nomatch.txt "$heap" "-tree -nodefraction=0 -tagfocus=bytes=100gb: -unit=B" "tree --tagfocus bytes=100gb: --unit B"

# JSON of tree, peek and traces: tests/golden_json.py parses these text
# goldens (exact values: -unit=B or -unit=ns) and requires memtop's
# --format json of the same command to carry the same numbers, names and
# (inline) marks. json.tsv names them.
text_golden heap.traces-B.txt "$heap" "-traces -unit=B" "traces --unit B"
text_golden heap.traces-focus.txt "$heap" "-traces -unit=B -focus=leakyCache -lines" "traces --unit B --focus leakyCache --granularity lines"
text_golden cpu.traces-taghide.txt "$cpu" "-traces -unit=ns -taghide=worker" "traces --unit ns --taghide worker"
text_golden mutex.traces-mean.txt tests/data/go/mutex.pb.gz "-traces -unit=ns -mean" "traces --unit ns --mean"
jsons="$out/json.tsv"
printf '# text goldens (of texts.tsv) whose numbers memtop --format json must carry\n' >"$jsons"
for g in heap.tree.txt cpu.tree.txt sample.tree.txt heap.tree-n3.txt heap.tree-n12.txt \
	heap.tree-focus.txt cpu.tree-n6.txt cpu.tree-nf.txt large.tree-cum.txt mutex.tree-mean.txt \
	heap2.tree-diffbase.txt heap.peek.txt mutex.peek.txt large.peek.txt heap.peek-n1.txt \
	goroutine.traces.txt heap.traces-B.txt heap.traces-focus.txt cpu.traces-taghide.txt \
	mutex.traces-mean.txt; do
	printf '%s\n' "$g" >>"$jsons"
done
