#!/bin/sh
# Drives the real memtop in a real terminal (tmux): start, switch views,
# resize, quit; checks exit status 0 and that the terminal is restored.
# usage: tmux_test.sh MEMTOP REPO_ROOT
# Polls capture-pane until the expected text shows (bounded), never sleeps
# blindly. Uses its own tmux server (-L) and kills only that.
set -u
memtop=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$2
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
base="memtop-test-$$"
sock=$base
# The second part runs on a server of its own: killing the last session of
# a server makes it exit, and a new-session racing that exit fails.
t() { tmux -L "$sock" "$@"; }
tmp=$(mktemp -d)
trap 'for s in "$base" "$base-2" "$base-3" "$base-4"; do tmux -L "$s" kill-server 2>/dev/null; done
      rm -f "$tmp/hold"; rm -rf "$tmp"' EXIT

# wait_for TEXT [absent]: polls the pane for up to 10 s.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		screen=$(t capture-pane -p -t mt 2>/dev/null)
		if [ "${2:-}" = absent ]; then
			case $screen in *"$1"*) ;; *) return 0 ;; esac
		else
			case $screen in *"$1"*) return 0 ;; esac
		fi
		i=$((i + 1))
		sleep 0.05
	done
	echo "timed out waiting for \"$1\" ${2:-}; screen:"
	echo "$screen"
	exit 1
}

cd "$root" || exit 1
t -f /dev/null new-session -d -s mt -x 120 -y 40 \
	"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC COLUMNS=120 LINES=40 \
	 NO_COLOR= MEMTOP_DB=:memory: '$memtop' tests/data/go/heap.pb.gz; echo \"EXIT=\$?\"; read x" || exit 1
t set-option -t mt status off >/dev/null
wait_for "[1 top]"
wait_for "main.(*leakyCache).add"
t send-keys -t mt 2
wait_for "[2 flame]"
wait_for "runtime.main"
t send-keys -t mt Down Down Enter
wait_for "of view"
t send-keys -t mt 3
wait_for "[3 tree]"
# The hot path opens by itself.
wait_for "main.leakRound"
t resize-window -t mt -x 80 -y 24
wait_for "[3 tree]"
t send-keys -t mt 1
wait_for "[1 top]"
t send-keys -t mt q
wait_for "EXIT="
case $screen in
*"EXIT=0"*) ;;
*) echo "memtop did not exit with status 0:"; echo "$screen"; exit 1 ;;
esac
# The alternate screen is gone: nothing of the viewer is left on the pane.
case $screen in
*"[1 top]"* | *"flat%"*) echo "terminal not restored:"; echo "$screen"; exit 1 ;;
esac

# memtop BASE NEW: opens on the diff (view 4); drill, diff flame, normalize.
t kill-server 2>/dev/null
sock="$base-2"
t -f /dev/null new-session -d -s mt -x 120 -y 40 \
	"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC COLUMNS=120 LINES=40 \
	 NO_COLOR= MEMTOP_DB=:memory: '$memtop' tests/data/go/heap.pb.gz tests/data/go/heap2.pb.gz; echo \"EXIT=\$?\"; read x" || exit 1
t set-option -t mt status off >/dev/null
wait_for "[4 diff]"
wait_for "+629.92kB"
t send-keys -t mt Enter
wait_for "flat: base 18.59MB, new 19.20MB"
t send-keys -t mt d
wait_for "root │ base 27.54MB │ new 28.26MB"
t send-keys -t mt d A
wait_for "normalized"
wait_for "+123.50kB"
t resize-window -t mt -x 80 -y 24
wait_for "[4 diff peek]"
t send-keys -t mt Escape
wait_for "[4 diff]"
t send-keys -t mt q
wait_for "EXIT="
case $screen in
*"EXIT=0"*) ;;
*) echo "memtop BASE NEW did not exit with status 0:"; echo "$screen"; exit 1 ;;
esac
# Quitting while the file is still being stored (the database is locked by
# another writer, as a collector may hold it): the status line says what is
# being stored, q skips it, and nothing of it is stored; or, when the lock
# goes, memtop finishes storing it and exits by itself.
db=$tmp/q.db
MEMTOP_DB=$db "$memtop" import tests/data/go/heap2.pb.gz >/dev/null || exit 1
# hold_lock: takes the write lock and keeps it while $tmp/hold exists (20 s
# at most); $tmp/locked says it has it.
hold_lock() {
	rm -f "$tmp/locked"
	touch "$tmp/hold"
	python3 -c '
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[3], "w").close()
end = time.time() + 20
while os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)
c.execute("ROLLBACK")' "$db" "$tmp/hold" "$tmp/locked" &
	lockpid=$!
	i=0
	while [ ! -e "$tmp/locked" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$tmp/locked" ] || { echo "could not lock the database"; exit 1; }
}
count() { MEMTOP_DB=$db "$memtop" ls | grep -c heap; }
t kill-server 2>/dev/null # the diff's server is done
sock="$base-3"
for how in skip finish; do
	hold_lock
	t -f /dev/null new-session -d -s mt -x 80 -y 24 \
		"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC COLUMNS=80 LINES=24 \
		 NO_COLOR= MEMTOP_DB='$db' '$memtop' tests/data/go/heap.pb.gz; echo \"EXIT=\$?\"; read x" || exit 1
	t set-option -t mt status off >/dev/null
	wait_for "[1 top]"
	t send-keys -t mt q
	wait_for "storing heap.pb.gz in the database"
	if [ $how = skip ]; then
		t send-keys -t mt q
		wait_for "EXIT="
		case $screen in
		*"skipped storing the files"*"EXIT=0"*) ;;
		*) echo "q did not skip the import:"; echo "$screen"; exit 1 ;;
		esac
		rm -f "$tmp/hold"; wait $lockpid
		[ "$(count)" = 1 ] || { echo "a skipped import stored something"; exit 1; }
	else
		rm -f "$tmp/hold"; wait $lockpid
		wait_for "EXIT="
		case $screen in
		*"EXIT=0"*) ;;
		*) echo "memtop did not finish storing:"; echo "$screen"; exit 1 ;;
		esac
		[ "$(count)" = 2 ] || { echo "the import was not finished"; exit 1; }
	fi
	t kill-server 2>/dev/null
done
# One back stack across views: from the timeline (a database of two
# snapshots opens on view 5), Enter opens a snapshot in view 1, Enter
# drills into its callers; Esc steps back through each, then q quits.
sock="$base-4"
t -f /dev/null new-session -d -s mt -x 120 -y 40 \
	"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC COLUMNS=120 LINES=40 \
	 NO_COLOR= '$memtop' --db '$db'; echo \"EXIT=\$?\"; read x" || exit 1
t set-option -t mt status off >/dev/null
wait_for "[5 snapshots]"
t send-keys -t mt Enter
wait_for "[1 top]"
t send-keys -t mt Enter
wait_for "[1 peek]"
t send-keys -t mt Escape
wait_for "[1 top]"
t send-keys -t mt Escape
wait_for "[5 snapshots]"
t send-keys -t mt q
wait_for "EXIT="
case $screen in
*"EXIT=0"*) ;;
*) echo "memtop --db did not exit with status 0:"; echo "$screen"; exit 1 ;;
esac
t kill-server 2>/dev/null
echo ok
