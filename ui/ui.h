/* ui.h - the interactive viewer (ncurses), entered from src/main.c when
 * memtop is given profiles and no subcommand. */
#ifndef MT_UI_H
#define MT_UI_H

struct cli;

/* Runs the viewer on c's profiles (on the terminal, or in script mode with
 * c->script); returns the exit status. */
int ui_main(struct cli *c);

#endif
