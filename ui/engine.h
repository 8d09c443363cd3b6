/* engine.h - the engine's entry points for the main loop (ui.c). */
#ifndef MT_UI_ENGINE_H
#define MT_UI_ENGINE_H

#include "view.h"

/* The line editor of the status bar (search, typed filters). */
struct prompt {
	bool active;
	enum request req;
	char label[32];
	char buf[256];
	size_t len;
	char saved[256]; /* the search before this prompt: Esc restores it */
	int hist;        /* the search history entry shown, -1: none */
};

/* Opens base view first (falling back to the top table). */
void engine_init(struct ui *ui, enum view_kind first);
void engine_done(struct ui *ui);
/* Reads the screen size into ui (after start and resize). */
void engine_layout(struct ui *ui);
void engine_draw(struct ui *ui, const struct prompt *pr);
/* Handles a key; false when the viewer should quit. */
bool engine_key(struct ui *ui, struct prompt *pr, int key);
/* No key for a while: lets the current view poll; true when it needs a
 * redraw. */
bool engine_idle(struct ui *ui);
bool engine_request(struct ui *ui, struct prompt *pr, enum request req);

#endif
