#!/bin/sh
# Terminal fault injection: the real memtop in a real terminal (tmux) under
# resize storms, tiny sizes, a non-UTF-8 locale, TERM=dumb and vt100, and
# SIGHUP, SIGINT, SIGQUIT, SIGTERM. Each case checks: no crash (exit status as documented below), a
# usable screen or fallback, and the terminal restored afterwards (the
# alternate screen gone, `stty -a` back to canonical mode with echo).
#
# Exit status of memtop in these cases (documented here, checked below):
#   q                       0
#   SIGHUP, SIGINT,         129, 130, 131, 143: 128 + the signal's number, as
#   SIGQUIT, SIGTERM          a shell reports a killed process; the terminal
#                             restored first, and no core dump
#   TERM=dumb               0: no full-screen viewer on a terminal that cannot
#                             address the cursor; the top table is printed
#                             instead, with a note on stderr
#
# usage: term_faults.sh MEMTOP REPO_ROOT
# Polls capture-pane with a bounded timeout, never sleeps blindly. Each case
# has its own tmux server (-L) and kills only that one.
set -u
memtop=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$2
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
cd "$root" || exit 1
prof=tests/data/go/heap.pb.gz
leaf="main.newBuf" # the top flat function of heap.pb.gz (tests/golden)
sock="memtop-fault-$$-0"
failed=0
ncase=0
t() { tmux -L "$sock" "$@"; }
trap 't kill-server 2>/dev/null' EXIT

fail() {
	echo "FAIL $case: $*"
	echo "$screen" | sed 's/^/    | /'
	failed=$((failed + 1))
}

# wait_for TEXT [absent]: polls the pane for up to 10 s; returns 1 on timeout.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		screen=$(t capture-pane -p -J -t mt 2>/dev/null)
		if [ "${2:-}" = absent ]; then
			case $screen in *"$1"*) ;; *) return 0 ;; esac
		else
			case $screen in *"$1"*) return 0 ;; esac
		fi
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}

# start COLS ROWS ENV...: memtop in a fresh tmux server; after it exits the
# pane shows EXIT=status and the terminal modes that matter.
start() {
	cols=$1 rows=$2
	shift 2
	t kill-server 2>/dev/null
	ncase=$((ncase + 1))
	sock="memtop-fault-$$-$ncase"
	t -f /dev/null new-session -d -s mt -x "$cols" -y "$rows" \
		"env TZ=UTC MEMTOP_DB=:memory: $* ${memtop_wrap:-} '$memtop' ${args:-} $prof; echo EXIT=\$? \
		 MODES=\$(stty -a | tr ' ;' '\n\n' | grep -x -c -e icanon -e echo -e isig) \
		 STTY; read x" || return 1
	t set-option -t mt status off >/dev/null
}

# finish STATUS [noalt]: waits for memtop's exit, checks its status and that the
# terminal is restored.
finish() {
	if ! wait_for "STTY"; then
		fail "memtop did not exit"
		return
	fi
	case $screen in
	*"EXIT=$1"*) ;;
	*) fail "exit status is not $1" ;;
	esac
	case $screen in
	*"MODES=3 "*) ;;
	*) fail "terminal modes not restored (icanon, echo, isig)" ;;
	esac
	case $screen in
	*"$leaf"* | *"flat%"* | *"?:help"*)
		[ "${2:-}" = noalt ] || fail "the alternate screen is still shown" ;;
	esac
}

ok() { echo "ok   $case"; }

# A resize storm while keys are pressed, through tiny and huge sizes.
case="resize storm"
start 120 40 TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
if wait_for "$leaf"; then
	n=0
	for size in 80x24 20x5 200x60 1x1 33x7 120x40 5x2 160x50 40x10 100x30 \
		12x3 90x25 2x40 150x8 64x16 20x5 120x40 80x24 3x3 100x30; do
		t resize-window -t mt -x "${size%x*}" -y "${size#*x}"
		case $((n % 5)) in
		0) t send-keys -t mt Down Down 2 ;;
		1) t send-keys -t mt 3 Enter Right ;;
		2) t send-keys -t mt 1 End PgUp ;;
		3) t send-keys -t mt ? Escape 4 ;;
		4) t send-keys -t mt 1 Home Tab ;;
		esac
		n=$((n + 1))
	done
	t resize-window -t mt -x 100 -y 30
	t send-keys -t mt Escape Escape 1
	if wait_for "$leaf"; then
		t send-keys -t mt q
		finish 0 && [ $failed -eq 0 ] && ok
	else
		fail "no usable screen after the storm"
	fi
else
	fail "no first screen"
fi

# Tiny terminals: something sensible on screen, every view reachable, quit.
for size in 20x5 10x3; do
	case="tiny terminal $size"
	before=$failed
	start "${size%x*}" "${size#*x}" TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
	if wait_for "main."; then
		t send-keys -t mt 2 3 4 5 6 ? Escape 1 Down Enter Escape /main Enter n
		t send-keys -t mt Escape q
		finish 0
	else
		# Too small for a row of the table: it must still quit cleanly.
		t send-keys -t mt q
		finish 0
	fi
	[ $failed -eq $before ] && ok
done

# A non-UTF-8 locale: ASCII drawing, names intact.
case="LANG=C"
before=$failed
start 100 30 TERM=screen-256color LANG=C LC_ALL=C
if wait_for "$leaf"; then
	t send-keys -t mt 2
	wait_for "runtime.main" || fail "flame view not drawn"
	# Box-drawing or block characters would be mojibake in the C locale.
	case $screen in *"â"* | *"─"* | *"█"*) fail "UTF-8 glyphs in the C locale" ;; esac
	t send-keys -t mt q
	finish 0
else
	fail "no first screen"
fi
[ $failed -eq $before ] && ok

# vt100: no colours, no alternate screen; the viewer still works.
case="TERM=vt100"
before=$failed
start 100 30 TERM=vt100 LANG=C LC_ALL=C
if wait_for "$leaf"; then
	t send-keys -t mt 3 Enter 1 q
	finish 0 noalt
else
	fail "no first screen"
fi
[ $failed -eq $before ] && ok

# dumb: cannot address the cursor; the top table instead of a broken screen.
case="TERM=dumb"
before=$failed
args="-n 5" start 100 30 TERM=dumb LANG=C LC_ALL=C
if wait_for "STTY"; then
	case $screen in *"EXIT=0"*) ;; *) fail "exit status is not 0" ;; esac
	case $screen in *"$leaf"*) ;; *) fail "no top table printed" ;; esac
	case $screen in *"MODES=3 "*) ;; *) fail "terminal modes not restored" ;; esac
else
	fail "memtop did not exit"
fi
[ $failed -eq $before ] && ok

# SIGHUP, SIGINT, SIGQUIT and SIGTERM while running: the terminal is
# restored and memtop exits as a shell reports a process the signal killed
# (128 + its number), by exit(), not killed by the signal: no core dump. A
# small wrapper tells the two apart (KILLED=1 when the signal killed it).
wrap="python3 -c 'import subprocess,sys; r=subprocess.call(sys.argv[1:]); print(\"KILLED=%d\" % (r < 0)); sys.exit(r if r >= 0 else 128 - r)'"
for sig in HUP:129 INT:130 QUIT:131 TERM:143; do
	name=${sig%:*} want=${sig#*:}
	case="SIG$name"
	before=$failed
	memtop_wrap=$wrap start 100 30 TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
	if wait_for "$leaf"; then
		t send-keys -t mt 2
		wait_for "runtime.main"
		shell=$(t display -p -t mt '#{pane_pid}')
		py=$(pgrep -P "$shell" | head -1)
		pid=""
		[ -n "$py" ] && pid=$(pgrep -P "$py" | head -1)
		if [ -n "$pid" ]; then
			kill -"$name" "$pid"
			finish "$want"
			case $screen in *"KILLED=0"*) ;; *) fail "killed by the signal, not exited" ;; esac
		else
			fail "no memtop process under the pane's shell"
		fi
	else
		fail "no first screen"
	fi
	[ $failed -eq $before ] && ok
done

echo "$failed failed"
[ $failed -eq 0 ]
