#!/bin/sh
# The loading screen in a real terminal (tmux): a profile read from a FIFO
# keeps memtop loading for as long as the test holds it, so the progress
# line is seen without racing the loader; q and Ctrl-C while loading quit
# with status 0 and the terminal restored; a large file shows the bar or
# the first screen. usage: loading_test.sh MEMTOP REPO_ROOT
# Polls capture-pane (bounded), never sleeps blindly; own tmux server (-L).
set -u
memtop=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$2
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
sock="memtop-load-$$"
tmp=$(mktemp -d)
# fd 3 (the FIFO writer) stays with this shell, not the tmux server.
# Each start gets a server of its own: killing a server's last session makes
# it exit, and a client connecting while it exits fails ("server exited
# unexpectedly").
n=0
t() { tmux -L "$sock-$n" "$@" 3>&-; }
cleanup() {
	exec 3>&- 2>/dev/null
	while [ $n -ge 0 ]; do
		t kill-server 2>/dev/null
		n=$((n - 1))
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for TEXT: polls the pane for up to 10 s.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		screen=$(t capture-pane -p -t mt 2>/dev/null)
		case $screen in *"$1"*) return 0 ;; esac
		i=$((i + 1))
		sleep 0.05
	done
	echo "timed out waiting for \"$1\"; screen:"
	echo "$screen"
	exit 1
}

# start FILE: memtop FILE in a fresh 100x30 session.
start() {
	t kill-server 2>/dev/null
	n=$((n + 1))
	t -f /dev/null new-session -d -s mt -x 100 -y 30 \
		"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC NO_COLOR= \
		 MEMTOP_DB=:memory: '$memtop' '$1'; echo \"EXIT=\$?\"; read x" || exit 1
	t set-option -t mt status off >/dev/null
}

# exited_cleanly WHAT: status 0 and nothing of the viewer left on the pane.
exited_cleanly() {
	wait_for "EXIT="
	case $screen in
	*"EXIT=0"*) ;;
	*) echo "$1: memtop did not exit with status 0:"; echo "$screen"; exit 1 ;;
	esac
	case $screen in
	*Loading* | *"q quit"* | *"top]"*) echo "$1: terminal not restored:"; echo "$screen"; exit 1 ;;
	esac
}

cd "$root" || exit 1
mkfifo "$tmp/fifo" || exit 1

# 1. Bytes move on the bar while the FIFO is written, then the first screen.
exec 3<>"$tmp/fifo" # a writer is there before memtop opens it
start "$tmp/fifo"
wait_for "Loading fifo"
wait_for "reading 0 KiB"
cat tests/data/go/heap.pb.gz >&3
size=$(( ($(wc -c <tests/data/go/heap.pb.gz) + 1023) / 1024 ))
wait_for "reading $size KiB"
exec 3>&- # EOF: the profile is complete
wait_for "top]"
wait_for "main.(*leakyCache).add"
t send-keys -t mt q
exited_cleanly "after loading from a FIFO"

# 2. q while the read waits for data: the load stops and memtop quits.
exec 3<>"$tmp/fifo"
start "$tmp/fifo"
wait_for "Loading fifo"
t send-keys -t mt q
exited_cleanly "q while loading"
exec 3>&-

# 3. Ctrl-C while loading, the same.
exec 3<>"$tmp/fifo"
start "$tmp/fifo"
wait_for "Loading fifo"
t send-keys -t mt C-c
exited_cleanly "Ctrl-C while loading"
exec 3>&-

# 4. A large Go heap text (the records of tests/data/go/heap.txt 128 times,
# 26 MB): the bar or the first screen, then q.
head -n 1 tests/data/go/heap.txt >"$tmp/body"
sed -n '2,/^# runtime.MemStats/p' tests/data/go/heap.txt | sed '$d' >"$tmp/rec"
for i in 1 2 3 4 5 6 7; do cat "$tmp/rec" "$tmp/rec" >"$tmp/rec2" && mv "$tmp/rec2" "$tmp/rec"; done
cat "$tmp/body" "$tmp/rec" >"$tmp/big-heap.txt"
rm -f "$tmp/body" "$tmp/rec"
start "$tmp/big-heap.txt"
i=0
while :; do
	screen=$(t capture-pane -p -t mt 2>/dev/null)
	case $screen in *"Loading big-heap.txt"* | *"top]"*) break ;; esac
	i=$((i + 1))
	[ $i -lt 400 ] || { echo "neither the bar nor the first screen:"; echo "$screen"; exit 1; }
	sleep 0.05
done
wait_for "top]"
wait_for "main.(*leakyCache).add"
t send-keys -t mt q
exited_cleanly "large heap text"
echo ok
