/* term_sig.h - SIGHUP, SIGINT, SIGQUIT and SIGTERM while the viewer runs:
 * the terminal restored, exit status 128 + the signal's number (129, 130,
 * 131, 143 as shells report a killed process), never a core dump. */
#ifndef MT_TERM_SIG_H
#define MT_TERM_SIG_H

#include <stdbool.h>

/* Arms the handlers; before a screen is open they only exit. */
void term_sig_install(void);

/* Keeps the terminal's modes as the shell left them; call before newterm(). */
void term_sig_save_modes(void);

/* The screen is open (current curses terminal): the handlers now restore
 * the saved modes and leave the alternate screen (and the mouse reporting
 * mousemask() turned on, when mouse is true). Re-arms the handlers over
 * ncurses' own. */
void term_sig_screen_opened(bool mouse);

/* endwin() has run: the handlers only exit again. */
void term_sig_screen_closed(void);

#endif
