/* view.h - the view engine's contract. A view is a table of callbacks; the
 * engine allocates its private state (private_size bytes, zeroed), sends it
 * the requests it does not handle itself first, and frees it through done.
 * A view draws into the rows [ui->y0, ui->y0 + ui->h) of the screen; the
 * header line above and the status bar below belong to the engine.
 */
#ifndef MT_UI_VIEW_H
#define MT_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/live.h"
#include "query/model.h"
#include "base/units.h"
#include "request.h"
#include "list.h"

struct ui;
struct view;

enum view_result {
	VIEW_PASS,    /* not handled: the engine acts on it */
	VIEW_DONE,    /* handled */
};

enum view_kind {
	VIEW_TOP,
	VIEW_FLAME,
	VIEW_TREE,
	VIEW_DIFF,
	VIEW_SNAPSHOTS,
	VIEW_GOROUTINES,
	VIEW_PEEK,
	VIEW_SOURCE,
	VIEW_HELP,
	VIEW_DIFF_PEEK,
	VIEW_DIFF_FLAME,
	VIEW_GSTACK,
	VIEW_LABELS,
	VIEW_KIND_COUNT
};

struct view_ops {
	const char *name;   /* short title in the header */
	size_t private_size;
	/* Sets up a fresh view; arg is what the opener passes (peek: the
	 * function). False (with a message on the status line) refuses. */
	bool (*open)(struct ui *ui, struct view *v, uintptr_t arg);
	void (*draw)(struct ui *ui, struct view *v);
	enum view_result (*request)(struct ui *ui, struct view *v, enum request req);
	void (*done)(struct view *v);
	/* Search, for a list of rows: the list and each row's name; the
	 * engine searches and counts over them (tig's grep). */
	struct list *(*row_list)(struct ui *ui, struct view *v);
	const char *(*row_name)(struct ui *ui, struct view *v, size_t i);
	/* Or, for views that search otherwise (trees, flame graphs, stacks):
	 * moves to the next (dir 1), previous (-1) or first (0) row matching
	 * the search; false when there is none. */
	bool (*find)(struct ui *ui, struct view *v, int dir);
	/* Optional: the selected function (for filters), or MT_NONE. */
	uint32_t (*selected)(struct ui *ui, struct view *v);
	/* Optional: a click at screen row y, column x. */
	void (*click)(struct ui *ui, struct view *v, int y, int x, bool dbl);
	/* Optional: called about once a second while no key comes (the
	 * timeline polls its database); true when there is news to draw. */
	bool (*idle)(struct ui *ui, struct view *v);
	/* Optional: how many rows match the search, and which of them is
	 * the selection (1-based; 0 when the selection does not match). */
	size_t (*count)(struct ui *ui, struct view *v, size_t *at);
	/* Optional: selects the function called name (after the model was
	 * rebuilt, the view reopened); false when it is not shown. */
	bool (*reselect)(struct ui *ui, struct view *v, const char *name);
};

struct view {
	const struct view_ops *ops;
	enum view_kind kind;
	void *priv;
	unsigned generation; /* of the model it was opened on */
	uintptr_t arg;
	char *keep; /* the selected function's name across a rebuild */
};

extern const struct view_ops view_source_ops; /* view_source.c */
extern const struct view_ops view_top_ops, view_flame_ops, view_tree_ops,
	view_peek_ops, view_help_ops, view_na_ops, view_diff_ops, view_diff_peek_ops,
	view_diff_flame_ops, view_gor_ops, view_gstack_ops, view_labels_ops;

/* The goroutine states with a key of their own (REQ_STATE_RECV ..). */
extern const char *const ui_state_names[];

/* ---- the engine, as views see it ---- */

struct glyphs {
	const char *vline, *hline, *ellipsis, *open, *closed, *leaf, *tee, *corner,
		*pipe, *blocks[9], *merged, *arrow_up, *arrow_down;
};

enum ui_color {
	UC_NORMAL,
	UC_HEADER,
	UC_HEADER_KEY,
	UC_STATUS,
	UC_SELECTED,
	UC_MATCH,
	UC_MATCH_SELECTED,
	UC_BAR,
	UC_DIM,
	UC_TITLE,
	UC_ERROR,
	UC_DIFF_NEUTRAL,
	UC_GROW0, /* growth: light, medium, strong */
	UC_GROW1,
	UC_GROW2,
	UC_SHRINK0,
	UC_SHRINK1,
	UC_SHRINK2,
	UC_GROW_FG, /* bars of growth and shrink */
	UC_SHRINK_FG,
	UC_FLAME0, /* UC_FLAME0 .. + UI_FLAME_COLORS - 1 */
	UI_FLAME_COLORS = 10,
	UC_COUNT = UC_FLAME0 + UI_FLAME_COLORS,
};

struct ui {
	struct model *md;
	int cols, rows;
	int y0, h; /* the views' region */
	bool utf8;
	int colors; /* 0, 8/16 or 256 */
	const struct glyphs *g;
	char search[256];               /* the pattern, as typed */
	struct mt_regex *search_re;     /* it compiled (NULL: no search) */
	bool search_literal;            /* not a regex: the text as typed */
	char *search_hist[32];          /* earlier searches, oldest first */
	int nsearch_hist;
	char msg[256];
	bool msg_error;
	/* The history: every step that opened a screen or pushed a filter,
	 * oldest first; Esc undoes the newest. Base views (1-6) are kept in
	 * base[] and shared by their steps; drill-downs belong to theirs. */
	struct ui_step {
		struct view *v; /* the screen, or NULL for a filter step */
		bool owned;     /* freed when the step goes */
		struct model_filters before; /* a filter step: what it changed */
	} hist[64];
	int nhist;
	struct view *base[VIEW_KIND_COUNT];
	bool script;
	const char *source_path, *trim_path; /* the source view's (borrowed) */
	/* Names a view passes to the view it opens (a drill-down's function
	 * must be named across rebuilds of the models): ui_name_arg. */
	struct mt_strtab names;
	/* A URL watched live (ui_live.c): its fetcher (NULL in script mode,
	 * where R fetches in place), the session's fetches, its query. */
	const char *live_url;
	struct live *live;
	struct live_hist lhist;
	const struct mt_query_opts *live_q;
	bool live_paused;
	bool live_base_given; /* memtop BASE URL: the base stays BASE */
	bool growth_sort; /* view 1 sorted by growth since the first fetch */
};

/* ---- a live URL (ui_live.c) ---- */
/* Starts watching url (the model shows its first fetch), refetching every
 * interval_s seconds; script mode fetches only on R. */
void ui_live_start(struct ui *ui, const char *url, const struct mt_query_opts *q,
		   int interval_s);
/* Applies a fetch that finished (the model is replaced, the views keep
 * their selection); true when the screen must be drawn again. */
bool ui_live_poll(struct ui *ui);
/* p (pause, resume) and R (fetch now). */
void ui_live_request(struct ui *ui, enum request req);
/* The header's part: "live 12:03:04, next 7s", "live: paused". */
void ui_live_status(struct ui *ui, char *buf, size_t n);
void ui_live_done(struct ui *ui);

/* Attributes of a color role. */
int ui_attr(const struct ui *ui, enum ui_color c);
/* Attributes of the flame color of a function name (stable per package). */
int ui_flame_attr(const struct ui *ui, const char *name);

/* Writes s at (y, x) in at most w columns, padding to w with spaces when pad;
 * a string that does not fit loses its start (cut_left: Go names end with
 * what matters) or its end, marked with an ellipsis. Returns columns written. */
int ui_put(struct ui *ui, int y, int x, int w, const char *s, int attr, bool pad,
	   bool cut_left);
/* s, or when it is wider than w columns, s without its import path
 * ("runtime/pprof.writeGoroutineStacks" -> "pprof.writeGoroutineStacks"),
 * so a cut name still says its package. Returns s or buf. */
const char *ui_short_name(const char *s, int w, char *buf, size_t n);
/* Like ui_put, with the search matches in s highlighted. */
int ui_put_name(struct ui *ui, int y, int x, int w, const char *s, int attr,
		bool selected);
/* An information line across the screen: hints that do not fit are cut
 * whole, at a ", " or before a bar, and an ellipsis says so. */
void ui_put_info(struct ui *ui, int y, const char *s, int attr);
/* Right-aligns s in w columns. */
void ui_put_right(struct ui *ui, int y, int x, int w, const char *s, int attr);
/* A bar of w columns filled to frac (0..1), eighths in UTF-8. */
void ui_bar(struct ui *ui, int y, int x, int w, double frac, int attr);
/* Sets the search (NULL or "": none): a regular expression, caseless
 * unless it has a capital letter; one that does not compile is searched as
 * plain text (ui->search_literal says so). */
void ui_set_search(struct ui *ui, const char *text);
/* Moves the current view to the next (1), previous (-1) or first (0)
 * match of the search and says which of how many it is. */
void ui_find(struct ui *ui, int dir);
/* Whether a name matches the search. */
bool ui_matches(const struct ui *ui, const char *s);
/* Draws the screen now, before long work (its message says what). */
void ui_draw_now(struct ui *ui);
/* Shows a message on the status bar until the next key. */
void ui_message(struct ui *ui, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Pushes a filter on the model's stack, as a step Esc takes back; a
 * pattern that does not compile is reported on the status line. */
void ui_push_filter(struct ui *ui, enum mt_filter_kind kind, const char *pattern,
		    const char *label);
/* Sets (state NULL: drops) the goroutine state filter, as a step. */
bool ui_set_state_filter(struct ui *ui, const char *state);
/* The view argument naming name (an id in ui->names). */
uintptr_t ui_name_arg(struct ui *ui, const char *name);
/* Opens a view on top of the history (drill-down). */
bool ui_push(struct ui *ui, enum view_kind kind, uintptr_t arg);
/* The same for a view of one function (peek, source): named, so that it
 * reopens on the same function after the filters change. */
bool ui_push_func(struct ui *ui, enum view_kind kind, uint32_t node);
/* The function a view opened by ui_push_func names, in the model's current
 * nodes; MT_NONE (with a message) when the filters leave it out. */
uint32_t ui_func_of_arg(struct ui *ui, uintptr_t arg);
/* The base view (1-6) the current screen belongs to (its tab). */
enum view_kind ui_base_kind(struct ui *ui);
/* Opens base view kind (1-6) on top of the history, as its number key. */
void ui_switch(struct ui *ui, enum view_kind kind);
/* Before the model is rebuilt or replaced: every view notes its selected
 * function by name, to select it again when it reopens. */
void ui_model_changing(struct ui *ui);
/* The current screen, reopened first if the model changed under it. */
struct view *ui_current(struct ui *ui);
/* A sparkline of v[0..n) in w columns (the last w values), scaled to their
 * range; returns columns written. */
int ui_sparkline(struct ui *ui, int y, int x, int w, const int64_t *v, size_t n, int attr);
/* Display columns of a UTF-8 string. */
int ui_width(const char *s);

#endif
