/* term_sig.c - the viewer's answer to SIGHUP, SIGINT, SIGQUIT and SIGTERM:
 * the terminal is given back (the shell's modes, the normal screen, the
 * cursor) and memtop exits with the status a shell gives a process killed
 * by the signal (128 + its number), without a core dump.
 *
 * endwin() is not async-signal-safe: it may run while the main loop or the
 * loading thread is inside curses. So everything the handler needs is
 * worked out while the screen opens (the termios to restore, the escape
 * strings of the terminal's capabilities) and the handler itself only calls
 * tcsetattr(), write() and _exit(). */
#include "term_sig.h"

#include <curses.h>
#include <signal.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static const int term_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};

/* Written once before the handlers are armed, read only by them. */
static struct termios shell_modes;
static volatile sig_atomic_t have_modes, screen_on;
static char restore_seq[512];
static size_t restore_len;

/* Appends the terminal's string for capability cap, if it has one. */
static void add_cap(const char *cap)
{
	char *s = tigetstr((char *)cap);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void on_term_signal(int sig)
{
	if (screen_on) {
		if (restore_len) {
			const char *p = restore_seq;
			size_t left = restore_len;
			while (left) {
				ssize_t w = write(STDOUT_FILENO, p, left);
				if (w <= 0)
					break;
				p += w;
				left -= (size_t)w;
			}
		}
		if (have_modes)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &shell_modes);
	}
	_exit(128 + sig);
}

void term_sig_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof term_signals / sizeof term_signals[0]; i++)
		sigaction(term_signals[i], &sa, NULL);
}

void term_sig_save_modes(void)
{
	have_modes = tcgetattr(STDIN_FILENO, &shell_modes) == 0;
}

void term_sig_screen_opened(bool mouse)
{
	restore_len = 0;
	/* Mouse reporting off first (what ncurses switched on for
	 * mousemask), then the attributes, keypad, cursor and screen. */
	char *kmous = tigetstr("kmous");
	if (mouse && kmous && kmous != (char *)-1) {
		static const char off[] = "\033[?1006l\033[?1002l\033[?1000l";
		memcpy(restore_seq, off, sizeof off - 1);
		restore_len = sizeof off - 1;
	}
	add_cap("sgr0");
	add_cap("rmkx");
	add_cap("cnorm");
	add_cap("rmcup");
	/* ncurses installs its own SIGINT/SIGTERM handlers in newterm() (they
	 * exit 1): ours take their place. */
	term_sig_install();
	screen_on = 1;
}

void term_sig_screen_closed(void) { screen_on = 0; }
