/* engine.c - the view engine: the keymap from the request table, history
 * (drill-down) stack, header and status bar, the prompt for search and
 * filters, and the dispatch of requests to views. */
#include "engine.h"

#include "query/diffmodel.h"
#include "view_timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct request_info request_info[REQ_COUNT] = {
#define REQ_X(r, k1, k2, lab, hlp) [r] = {.key = k1, .key2 = k2, .label = lab, .help = hlp},
	REQ_LIST(REQ_X)
#undef REQ_X
};

enum request request_of_key(int key)
{
	if (key == '\r')
		key = '\n';
	if (key == 127 || key == 8)
		key = KEY_BACKSPACE;
	for (int r = 1; r < REQ_COUNT; r++)
		if (request_info[r].key == key || (request_info[r].key2 && request_info[r].key2 == key))
			return (enum request)r;
	return REQ_NONE;
}

/* Every view, by kind: the one table to add a view to. */
static const struct view_ops *const kind_ops[VIEW_KIND_COUNT] = {
	[VIEW_TOP] = &view_top_ops,
	[VIEW_FLAME] = &view_flame_ops,
	[VIEW_TREE] = &view_tree_ops,
	[VIEW_DIFF] = &view_diff_ops,
	[VIEW_SNAPSHOTS] = &view_timeline_ops,
	[VIEW_GOROUTINES] = &view_gor_ops,
	[VIEW_PEEK] = &view_peek_ops,
	[VIEW_SOURCE] = &view_source_ops,
	[VIEW_HELP] = &view_help_ops,
	[VIEW_DIFF_PEEK] = &view_diff_peek_ops,
	[VIEW_DIFF_FLAME] = &view_diff_flame_ops,
	[VIEW_GSTACK] = &view_gstack_ops,
	[VIEW_LABELS] = &view_labels_ops,
};

static struct view *view_new(struct ui *ui, enum view_kind kind, uintptr_t arg)
{
	const struct view_ops *ops = kind_ops[kind];
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->kind = kind;
	v->arg = arg;
	v->priv = xcalloc(1, ops->private_size ? ops->private_size : 1);
	v->generation = ui->md->generation;
	if (ops->open && !ops->open(ui, v, arg)) {
		if (ops->done)
			ops->done(v);
		free(v->priv);
		free(v);
		return NULL;
	}
	return v;
}

/* The placeholder of a view the input cannot fill. */
static struct view *view_new_na(struct ui *ui, enum view_kind kind)
{
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = &view_na_ops;
	v->kind = kind;
	v->arg = (uintptr_t)kind;
	v->priv = xcalloc(1, 1);
	v->generation = ui->md->generation;
	return v;
}

static void view_free(struct view *v)
{
	if (!v)
		return;
	if (v->ops->done)
		v->ops->done(v);
	free(v->keep);
	free(v->priv);
	free(v);
}

/* Reopens a view whose model was rebuilt (its ids are stale), selecting
 * again the function it had selected; false when it cannot reopen (its
 * function is filtered out). */
static bool view_refresh(struct ui *ui, struct view *v)
{
	if (v->generation == ui->md->generation)
		return true;
	if (v->ops == &view_na_ops) {
		/* A view the old input could not fill gets its chance on the
		 * new one; the struct stays (the history points at it). */
		v->generation = ui->md->generation;
		struct view *nv = v->kind <= VIEW_GOROUTINES ? view_new(ui, v->kind, v->arg) : NULL;
		if (nv) {
			free(v->priv);
			free(v->keep);
			*v = *nv;
			free(nv);
		}
		return true;
	}
	if (v->ops->done)
		v->ops->done(v);
	memset(v->priv, 0, v->ops->private_size ? v->ops->private_size : 1);
	v->generation = ui->md->generation;
	if (v->ops->open && !v->ops->open(ui, v, v->arg)) {
		/* A view with nothing to show: the n/a screen says why. */
		if (v->ops->done)
			v->ops->done(v);
		memset(v->priv, 0, v->ops->private_size ? v->ops->private_size : 1);
		v->ops = &view_na_ops;
		return false;
	}
	if (v->keep && v->ops->reselect)
		v->ops->reselect(ui, v, v->keep);
	free(v->keep);
	v->keep = NULL;
	return true;
}

void ui_model_changing(struct ui *ui)
{
	for (int i = 0; i < ui->nhist; i++) {
		struct view *v = ui->hist[i].v;
		if (!v || !v->ops->selected || v->generation != ui->md->generation)
			continue;
		uint32_t f = v->ops->selected(ui, v);
		free(v->keep);
		v->keep = f == MT_NONE ? NULL : xstrdup(model_func_name(ui->md, f));
	}
}

static struct view *current(struct ui *ui)
{
	for (int i = ui->nhist; i-- > 0;)
		if (ui->hist[i].v)
			return ui->hist[i].v;
	return NULL; /* not reached: the first step is a screen */
}

struct view *ui_current(struct ui *ui)
{
	struct view *v = current(ui);
	view_refresh(ui, v); /* up to date with the model, for its caller */
	return v;
}

/* The newest base view (1-6) of the history: the tab shown as current. */
static enum view_kind current_base(struct ui *ui)
{
	for (int i = ui->nhist; i-- > 0;)
		if (ui->hist[i].v && ui->hist[i].v->kind <= VIEW_GOROUTINES)
			return ui->hist[i].v->kind;
	return VIEW_TOP;
}

enum view_kind ui_base_kind(struct ui *ui) { return current_base(ui); }

/* Drops the newest step; frees its view when the step owns it. */
static void drop_step(struct ui *ui)
{
	struct ui_step *st = &ui->hist[--ui->nhist];
	if (st->owned)
		view_free(st->v);
	model_filters_free(&st->before);
	memset(st, 0, sizeof *st);
}

/* Appends a step, making room by forgetting the oldest when the history
 * is full (a forgotten filter stays on; the oldest screen is kept). */
static void add_step(struct ui *ui, struct view *v, bool owned)
{
	int cap = (int)(sizeof ui->hist / sizeof ui->hist[0]);
	if (ui->nhist == cap) {
		int k = ui->hist[0].v ? 1 : 0; /* keep a screen at the bottom */
		if (ui->hist[k].owned)
			view_free(ui->hist[k].v);
		model_filters_free(&ui->hist[k].before);
		memmove(ui->hist + k, ui->hist + k + 1, (size_t)(cap - k - 1) * sizeof *ui->hist);
		ui->nhist--;
	}
	ui->hist[ui->nhist++] = (struct ui_step){.v = v, .owned = owned};
}

/* Adds a filter step that remembers the filters before it. */
static void add_filter_step(struct ui *ui, struct model_filters *before)
{
	add_step(ui, NULL, false);
	ui->hist[ui->nhist - 1].before = *before;
	memset(before, 0, sizeof *before);
}

uintptr_t ui_name_arg(struct ui *ui, const char *name)
{
	/* name may point into ui->names, which interning can move. */
	char *copy = xstrdup(name);
	mt_str id = strtab_intern(&ui->names, copy, strlen(copy));
	free(copy);
	return id;
}

bool ui_push(struct ui *ui, enum view_kind kind, uintptr_t arg)
{
	struct view *v = view_new(ui, kind, arg);
	if (!v)
		return false;
	add_step(ui, v, true);
	return true;
}

bool ui_push_func(struct ui *ui, enum view_kind kind, uint32_t node)
{
	if (node == MT_NONE)
		return false;
	return ui_push(ui, kind, ui_name_arg(ui, model_func_name(ui->md, node)));
}

uint32_t ui_func_of_arg(struct ui *ui, uintptr_t arg)
{
	if (arg == 0 || arg >= ui->names.n)
		return MT_NONE;
	const char *name = strtab_get(&ui->names, (mt_str)arg);
	const struct mt_nodes *m = &ui->md->rep.nodes;
	mt_str id = strtab_find(&m->names, name, strlen(name));
	if (id == (mt_str)-1 || id == 0) {
		ui_message(ui, false, "%s is not in the profile under these filters", name);
		return MT_NONE;
	}
	return (uint32_t)(id - 1);
}

/* The base view of kind, made as needed (n/a when the input cannot
 * fill it: view_refresh tries again after the model changes). */
static struct view *base_view(struct ui *ui, enum view_kind kind)
{
	struct view *v = ui->base[kind];
	if (!v)
		v = view_new(ui, kind, (uintptr_t)kind);
	if (!v) /* refused (with a message): the n/a placeholder */
		v = view_new_na(ui, kind);
	ui->base[kind] = v;
	return v;
}

static void switch_base(struct ui *ui, enum view_kind kind)
{
	struct view *cur = ui->nhist ? current(ui) : NULL;
	if (cur && cur->kind == kind)
		return;
	add_step(ui, base_view(ui, kind), false);
}

void ui_switch(struct ui *ui, enum view_kind kind)
{
	switch_base(ui, kind);
}

void engine_init(struct ui *ui, enum view_kind first)
{
	ui->nhist = 0;
	switch_base(ui, first);
}

void engine_done(struct ui *ui)
{
	while (ui->nhist)
		drop_step(ui);
	for (int k = 0; k < VIEW_KIND_COUNT; k++)
		view_free(ui->base[k]);
	memset(ui->base, 0, sizeof ui->base);
}

/* ---- layout ---------------------------------------------------------- */

void engine_layout(struct ui *ui)
{
	getmaxyx(stdscr, ui->rows, ui->cols);
	ui->y0 = 1;
	ui->h = ui->rows - 2;
	if (ui->h < 1)
		ui->h = 1;
}

/* The header: what is open, its kind, sample type and total, and the views. */
static void draw_header(struct ui *ui)
{
	struct model *md = ui->md;
	int a = ui_attr(ui, UC_HEADER), ak = ui_attr(ui, UC_HEADER_KEY);
	attrset(a);
	mvhline(0, 0, ' ', ui->cols);
	char tot[64], left[512];
	model_fmt(md, tot, sizeof tot, md->total);
	int ln = snprintf(left, sizeof left, " %s %s %s %s %s %s total %s", md->name,
			  ui->g->vline, md->kind, ui->g->vline,
			  profile_str(md->p, md->p->sample_types.v[md->idx].type),
			  ui->g->vline, tot);
	char live[96];
	ui_live_status(ui, live, sizeof live);
	if (live[0])
		snprintf(left + ln, sizeof left - (size_t)ln, " %s %s", ui->g->vline, live);
	/* The view tabs on the right: whole when they fit, else the numbers
	 * with the current one named, else the current view's name. */
	static const char *tabs[] = {"top", "flame", "tree", "diff", "snapshots", "goroutines"};
	enum view_kind k = current_base(ui);
	struct view *cv = current(ui);
	bool drill = cv->kind > VIEW_GOROUTINES;
	char full[200] = "", compact[120] = "";
	size_t fn = 0, cn = 0;
	for (int i = 0; i < 6; i++) {
		bool on = (int)k == i;
		const char *name = on && drill ? cv->ops->name : tabs[i];
		fn += (size_t)snprintf(full + fn, sizeof full - fn, on ? "[%d %s]" : " %d %s ", i + 1,
				       name);
		cn += (size_t)snprintf(compact + cn, sizeof compact - cn, on ? "[%d %s]" : " %d ",
				       i + 1, name);
	}
	int lw = ui_width(left);
	const char *t = lw + (int)fn + 2 <= ui->cols ? full
			: lw + (int)cn + 2 <= ui->cols ? compact
							: NULL;
	if (t) {
		ui_put(ui, 0, 0, lw, left, a, false, false);
		int x = ui->cols - (int)strlen(t);
		/* The current tab in the key color, the rest plain. */
		size_t on = (size_t)(strchr(t, '[') - t), end = (size_t)(strchr(t, ']') - t) + 1;
		char seg[200];
		snprintf(seg, sizeof seg, "%.*s", (int)on, t);
		ui_put(ui, 0, x, (int)on, seg, a, false, false);
		snprintf(seg, sizeof seg, "%.*s", (int)(end - on), t + on);
		ui_put(ui, 0, x + (int)on, (int)(end - on), seg, ak, false, false);
		ui_put(ui, 0, x + (int)end, (int)strlen(t + end), t + end, a, false, false);
	} else {
		/* Narrow: what is open, then the current view's name. */
		char v[64];
		snprintf(v, sizeof v, "[%s]", cv->ops->name);
		int vw = (int)strlen(v);
		ui_put(ui, 0, 0, ui->cols - vw, left, a, true, false);
		ui_put_right(ui, 0, ui->cols - vw, vw, v, ak);
	}
	attrset(A_NORMAL);
}

static size_t search_count(struct ui *ui, struct view *v, size_t *at);

/* The status bar: prompt, message, or filters and key hints. */
static void draw_status(struct ui *ui, const struct prompt *pr)
{
	int y = ui->rows - 1;
	int a = ui_attr(ui, UC_STATUS);
	attrset(a);
	mvhline(y, 0, ' ', ui->cols);
	if (pr->active) {
		char t[400];
		snprintf(t, sizeof t, "%s%s", pr->label, pr->buf);
		int w = ui_put(ui, y, 0, ui->cols - 1, t, a, false, true);
		struct view *cv = current(ui);
		if (pr->req == REQ_SEARCH && ui->search_re &&
		    (cv->ops->count || cv->ops->row_name)) {
			size_t at, n = search_count(ui, cv, &at);
			char c[64];
			snprintf(c, sizeof c, "%zu match%s%s", n, n == 1 ? "" : "es",
				 ui->search_literal ? " (as text)" : "");
			int cw = (int)strlen(c);
			if (w + cw + 2 < ui->cols)
				ui_put(ui, y, ui->cols - cw - 1, cw, c, a, false, false);
		}
		move(y, w);
		return;
	}
	if (ui->msg[0]) {
		ui_put(ui, y, 0, ui->cols, ui->msg, ui_attr(ui, ui->msg_error ? UC_ERROR : UC_STATUS) | (ui->colors ? 0 : A_REVERSE), true, false);
		return;
	}
	/* Key hints, most useful first: as many whole ones as fit. */
	static const char *const hint[] = {"?:help", "q:quit", "Esc:back", "/:search",
					   "f/i/h:filter", "s:type"};
	char left[512] = "";
	size_t n = 0;
	struct model *md = ui->md;
	for (size_t i = 0; i < md->filters.n && n + 8 < sizeof left; i++) {
		const struct model_filter *f = &md->filters.v[i];
		n += (size_t)snprintf(left + n, sizeof left - n, "%s%s%s%s", i ? " > " : "",
				      f->state ? "" : mt_filter_name(f->kind),
				      f->state ? "" : "=", f->label);
	}
	/* Room for the hints: what the filters leave, but at least the
	 * first two. */
	int room = ui->cols - 2 - (n ? ((int)n + 4 < ui->cols / 2 ? (int)n + 4 : ui->cols / 2) : 0);
	char hints[128] = "";
	int hw = 0;
	size_t nh = sizeof hint / sizeof hint[0];
	/* In display order: ?:help /:search s:type f/i/h:filter Esc:back q:quit */
	static const int order[] = {0, 3, 5, 4, 2, 1};
	bool take[6] = {0};
	for (size_t i = 0, used = 0; i < nh; i++) {
		size_t l = strlen(hint[i]) + (used ? 1 : 0);
		if ((int)(used + l) > room && i >= 2)
			break;
		take[i] = true;
		used += l;
	}
	for (size_t j = 0; j < nh; j++) {
		if (!take[order[j]])
			continue;
		hw += snprintf(hints + hw, sizeof hints - (size_t)hw, "%s%s", hw ? " " : "",
			       hint[order[j]]);
	}
	if (hw + 2 > ui->cols)
		hw = 0;
	if (n)
		ui_put(ui, y, 1, ui->cols - hw - 3, left, a, false, true);
	if (hw)
		ui_put(ui, y, ui->cols - hw - 1, hw, hints, a, false, false);
	attrset(A_NORMAL);
}

void engine_draw(struct ui *ui, const struct prompt *pr)
{
	erase();
	if (ui->rows < 3 || ui->cols < 20) {
		mvaddstr(0, 0, "memtop: terminal too small");
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	struct view *v = current(ui);
	view_refresh(ui, v);
	v->ops->draw(ui, v);
	draw_header(ui);
	draw_status(ui, pr);
	if (!pr->active)
		leaveok(stdscr, TRUE);
	else
		leaveok(stdscr, FALSE);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- requests -------------------------------------------------------- */

static void start_prompt(struct prompt *pr, enum request req, const char *label)
{
	pr->active = true;
	pr->req = req;
	pr->buf[0] = 0;
	pr->len = 0;
	pr->hist = -1;
	snprintf(pr->label, sizeof pr->label, "%s", label);
}

/* A regex that matches exactly the function name. */
static void quote_name(char *out, size_t n, const char *name)
{
	size_t k = 0;
	if (k + 1 < n)
		out[k++] = '^';
	for (const char *p = name; *p && k + 4 < n; p++) {
		if (strchr("\\^$.|?*+()[]{}", *p))
			out[k++] = '\\';
		out[k++] = *p;
	}
	if (k + 1 < n)
		out[k++] = '$';
	out[k] = 0;
}

void ui_push_filter(struct ui *ui, enum mt_filter_kind kind, const char *pattern,
		    const char *label)
{
	struct mt_err e;
	struct model_filters before;
	model_filters_save(ui->md, &before);
	ui_model_changing(ui);
	if (!model_push_filter(ui->md, kind, pattern, label, &e)) {
		ui_message(ui, true, "bad filter: %s", e.msg);
		model_filters_free(&before);
		return;
	}
	/* A step of its own: Esc takes it back. A label list pushed from
	 * goes: the filter was what it was opened for. */
	if (current(ui)->kind == VIEW_LABELS)
		drop_step(ui);
	add_filter_step(ui, &before);
}

bool ui_set_state_filter(struct ui *ui, const char *state)
{
	struct model *md = ui->md;
	struct model_filters before;
	model_filters_save(md, &before);
	ui_model_changing(ui);
	struct mt_err e;
	bool ok = state ? model_set_state_filter(md, state, &e) : model_drop_state_filter(md);
	if (!ok) {
		if (state)
			ui_message(ui, true, "filter: %s", e.msg);
		model_filters_free(&before);
		return false;
	}
	add_filter_step(ui, &before);
	return true;
}

/* Esc and Backspace: undoes the newest step (closes a screen, or takes a
 * filter back); at the first screen, the options' filters go one by one. */
static void go_back(struct ui *ui)
{
	struct model *md = ui->md;
	if (ui->nhist > 1) {
		struct ui_step *st = &ui->hist[ui->nhist - 1];
		if (!st->v) {
			ui_model_changing(ui);
			model_filters_restore(md, &st->before);
			drop_step(ui);
			ui_message(ui, false, "filter removed");
			return;
		}
		drop_step(ui);
		return;
	}
	if (md->filters.n) {
		ui_model_changing(ui);
		model_pop_filter(md);
		ui_message(ui, false, "filter removed");
		return;
	}
	ui_message(ui, false, "nothing to go back to (q quits)");
}

/* The search over a view's rows (row_list, row_name). */
static bool rows_find(struct ui *ui, struct view *v, int dir)
{
	struct list *l = v->ops->row_list(ui, v);
	size_t n = l->n;
	for (size_t k = dir == 0 ? 0 : 1; k < n; k++) {
		size_t i = dir < 0 ? (l->sel + n - k) % n : dir == 0 ? k : (l->sel + k) % n;
		if (ui_matches(ui, v->ops->row_name(ui, v, i))) {
			list_select(l, i);
			return true;
		}
	}
	return false;
}

static size_t rows_count(struct ui *ui, struct view *v, size_t *at)
{
	struct list *l = v->ops->row_list(ui, v);
	size_t c = 0;
	*at = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (!ui_matches(ui, v->ops->row_name(ui, v, i)))
			continue;
		c++;
		if (i == l->sel)
			*at = c;
	}
	return c;
}

/* How many rows of v match the search; *at the selection's ordinal. */
static size_t search_count(struct ui *ui, struct view *v, size_t *at)
{
	*at = 0;
	if (!ui->search_re)
		return 0;
	if (v->ops->row_name)
		return rows_count(ui, v, at);
	return v->ops->count ? v->ops->count(ui, v, at) : 0;
}

/* Moves to the next (dir 1), previous (-1) or first (0) match and says
 * where it is: "/leak: 3 of 41", or that there is none. */
static void find(struct ui *ui, int dir)
{
	struct view *v = current(ui);
	if (!ui->search_re) {
		ui_message(ui, false, "no search: press / to search");
		return;
	}
	if (!v->ops->find && !v->ops->row_name) {
		ui_message(ui, false, "no search in this view");
		return;
	}
	const char *lit = ui->search_literal ? " (not a regex: the text as typed)" : "";
	size_t at = 0;
	bool found = v->ops->row_name ? rows_find(ui, v, dir) : v->ops->find(ui, v, dir);
	size_t n = search_count(ui, v, &at);
	if (!found) {
		if (dir == 0 || n == 0)
			ui_message(ui, false, "/%s: no match%s", ui->search, lit);
		else
			ui_message(ui, false, "/%s: no %s match%s", ui->search,
				   dir > 0 ? "next" : "previous", lit);
		return;
	}
	if (n)
		ui_message(ui, false, "/%s: %zu of %zu%s", ui->search, at, n, lit);
	else
		ui_message(ui, false, "/%s%s", ui->search, lit);
}

void ui_find(struct ui *ui, int dir)
{
	find(ui, dir);
}

/* Remembers a search for Up/Down in the prompt. */
static void remember_search(struct ui *ui, const char *s)
{
	int cap = (int)(sizeof ui->search_hist / sizeof ui->search_hist[0]);
	if (ui->nsearch_hist && !strcmp(ui->search_hist[ui->nsearch_hist - 1], s))
		return;
	if (ui->nsearch_hist == cap) {
		free(ui->search_hist[0]);
		memmove(ui->search_hist, ui->search_hist + 1, (size_t)(cap - 1) * sizeof *ui->search_hist);
		ui->nsearch_hist--;
	}
	ui->search_hist[ui->nsearch_hist++] = xstrdup(s);
}

/* Acts on a finished prompt. */
static void prompt_done(struct ui *ui, struct prompt *pr)
{
	pr->active = false;
	switch (pr->req) {
	case REQ_SEARCH:
		ui_set_search(ui, pr->buf);
		if (ui->search[0]) {
			remember_search(ui, ui->search);
			find(ui, 0);
		} else {
			ui_message(ui, false, "search cleared");
		}
		break;
	case REQ_FOCUS_RE:
	case REQ_IGNORE_RE:
	case REQ_HIDE_RE:
	case REQ_SHOW_RE:
		if (pr->buf[0])
			ui_push_filter(ui,
				       pr->req == REQ_FOCUS_RE    ? MT_FILTER_FOCUS
				       : pr->req == REQ_IGNORE_RE ? MT_FILTER_IGNORE
				       : pr->req == REQ_SHOW_RE   ? MT_FILTER_SHOW
								  : MT_FILTER_HIDE,
				       pr->buf, pr->buf);
		break;
	default:
		break;
	}
}

bool engine_request(struct ui *ui, struct prompt *pr, enum request req)
{
	struct view *v = current(ui);
	view_refresh(ui, v);
	if (v->ops->request && v->ops->request(ui, v, req) == VIEW_DONE)
		return true;
	struct model *md = ui->md;
	switch (req) {
	case REQ_QUIT:
		if (v->kind == VIEW_HELP) { /* q in the help closes the help */
			go_back(ui);
			break;
		}
		return false;
	case REQ_VIEW_TOP:
	case REQ_VIEW_FLAME:
	case REQ_VIEW_TREE:
	case REQ_VIEW_DIFF:
	case REQ_VIEW_SNAPSHOTS:
	case REQ_VIEW_GOROUTINES:
		switch_base(ui, (enum view_kind)(req - REQ_VIEW_TOP));
		break;
	case REQ_VIEW_NEXT: {
		int k = current_base(ui);
		switch_base(ui, (enum view_kind)(k >= VIEW_TREE ? VIEW_TOP : k + 1));
		break;
	}
	case REQ_HELP:
		if (v->kind != VIEW_HELP)
			ui_push(ui, VIEW_HELP, 0);
		else
			go_back(ui);
		break;
	case REQ_BACK:
		go_back(ui);
		break;
	case REQ_SAMPLE:
	case REQ_SAMPLE_PREV: {
		int n = (int)md->p->sample_types.n;
		if (n < 2) {
			ui_message(ui, false, "this profile has one sample type");
			break;
		}
		model_set_index(md, (md->idx + (req == REQ_SAMPLE ? 1 : n - 1)) % n);
		ui_message(ui, false, "sample type: %s",
			   profile_str(md->p, md->p->sample_types.v[md->idx].type));
		break;
	}
	case REQ_SEARCH:
		start_prompt(pr, req, "/");
		snprintf(pr->saved, sizeof pr->saved, "%s", ui->search);
		break;
	case REQ_FIND_NEXT:
		find(ui, 1);
		break;
	case REQ_FIND_PREV:
		find(ui, -1);
		break;
	case REQ_SOURCE: {
		uint32_t f = v->ops->selected ? v->ops->selected(ui, v) : MT_NONE;
		if (f == MT_NONE)
			ui_message(ui, false, "select a function first");
		else
			ui_push_func(ui, VIEW_SOURCE, f);
		break;
	}
	case REQ_PAUSE:
	case REQ_REFETCH:
		ui_live_request(ui, req);
		break;
	case REQ_SORT_GROWTH:
		if (!ui->live_url) {
			ui_live_request(ui, req);
			break;
		}
		ui->growth_sort = !ui->growth_sort;
		if (v->kind != VIEW_TOP)
			switch_base(ui, VIEW_TOP);
		ui_message(ui, false, ui->growth_sort ? "sorted by growth since the first fetch"
						      : "sorted as before (D: by growth)");
		break;
	case REQ_LABELS:
		if (v->kind != VIEW_LABELS) {
			/* A pass over every sample's labels (0.1 s on 1M). */
			ui_message(ui, false, "counting the samples' labels...");
			ui_draw_now(ui);
			ui->msg[0] = 0;
			ui_push(ui, VIEW_LABELS, 0);
		}
		break;
	case REQ_FOCUS:
	case REQ_IGNORE:
	case REQ_HIDE:
	case REQ_SHOW: {
		uint32_t f = v->ops->selected ? v->ops->selected(ui, v) : MT_NONE;
		if (f == MT_NONE) {
			ui_message(ui, false, "select a function first");
			break;
		}
		const char *name = model_func_name(md, f);
		char re[1200];
		quote_name(re, sizeof re, name);
		ui_push_filter(ui,
			       req == REQ_FOCUS    ? MT_FILTER_FOCUS
			       : req == REQ_IGNORE ? MT_FILTER_IGNORE
			       : req == REQ_SHOW   ? MT_FILTER_SHOW
						   : MT_FILTER_HIDE,
			       re, name);
		break;
	}
	case REQ_FOCUS_RE:
		start_prompt(pr, req, "focus regex: ");
		break;
	case REQ_IGNORE_RE:
		start_prompt(pr, req, "ignore regex: ");
		break;
	case REQ_HIDE_RE:
		start_prompt(pr, req, "hide regex: ");
		break;
	case REQ_SHOW_RE:
		start_prompt(pr, req, "show regex: ");
		break;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		break;
	case REQ_NORMALIZE:
		if (!md->base) {
			ui_message(ui, false, "A: normalizing needs a diff (memtop BASE NEW)");
			break;
		}
		/* Both sides are rebuilt (seconds on 200k samples): say so
		 * first, then build what views 4 and its flame graph need. */
		ui_message(ui, false, "%s the diff...",
			   md->diff->normalized ? "un-normalizing" : "normalizing");
		ui_draw_now(ui);
		diffmodel_set_normalized(md, !md->diff->normalized);
		{
			struct diffmodel *dm = diffmodel_get(md);
			if (dm) {
				diffmodel_graphs(dm);
				diffmodel_tree(dm, md);
			}
		}
		ui_message(ui, false, md->diff->normalized
					      ? "normalized: NEW scaled to BASE's total"
					      : "absolute: NEW as it is");
		break;
	case REQ_DIFF_FLAME:
		if (v->kind == VIEW_DIFF_FLAME && ui->nhist > 1) {
			go_back(ui);
		} else if (ui->live_url && md->base && !ui->live_base_given) {
			/* A live URL's flame graph colored by growth since the
			 * first fetch: the diff flame of view 4. */
			ui_push(ui, VIEW_DIFF_FLAME, 0);
			ui_message(ui, false, "colored by growth since the first fetch (d: back)");
		} else {
			ui_message(ui, false, "d: in the diff (4) and goroutine (6) views");
		}
		break;
	case REQ_NONE:
		break;
	default:
		ui_message(ui, false, "%s: not in this view (? for help)",
			   request_info[req].label);
		break;
	}
	return true;
}

void ui_draw_now(struct ui *ui)
{
	struct prompt none = {0};
	engine_draw(ui, &none);
	refresh();
}

bool engine_idle(struct ui *ui)
{
	struct view *v = current(ui);
	return v->ops->idle && v->ops->idle(ui, v);
}

bool engine_key(struct ui *ui, struct prompt *pr, int key)
{
	if (pr->active) {
		bool search = pr->req == REQ_SEARCH;
		if (key == '\n' || key == '\r' || key == KEY_ENTER) {
			prompt_done(ui, pr);
			return true;
		} else if (key == UI_KEY_ESC) {
			pr->active = false;
			if (search) /* as it was before / */
				ui_set_search(ui, pr->saved);
			return true;
		} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
			if (pr->len) {
				pr->buf[--pr->len] = 0;
			} else {
				pr->active = false;
				if (search)
					ui_set_search(ui, pr->saved);
				return true;
			}
		} else if (search && (key == KEY_UP || key == KEY_DOWN) && ui->nsearch_hist) {
			/* Earlier searches, newest first. */
			int h = pr->hist < 0 ? ui->nsearch_hist : pr->hist;
			h += key == KEY_UP ? -1 : 1;
			if (h < 0)
				h = 0;
			if (h >= ui->nsearch_hist) {
				pr->hist = -1;
				pr->buf[0] = 0;
			} else {
				pr->hist = h;
				snprintf(pr->buf, sizeof pr->buf, "%s", ui->search_hist[h]);
			}
			pr->len = strlen(pr->buf);
		} else if (key >= 0x20 && key < 0x100 && key != 0x7f &&
			   pr->len + 1 < sizeof pr->buf) {
			pr->buf[pr->len++] = (char)key;
			pr->buf[pr->len] = 0;
		}
		/* A search highlights its matches as it is typed. */
		if (search)
			ui_set_search(ui, pr->buf);
		return true;
	}
	ui->msg[0] = 0;
	if (key == KEY_RESIZE) {
		engine_layout(ui);
		clearok(curscr, TRUE); /* repaint all: the terminal's cells moved */
		return true;
	}
	if (key == KEY_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			return true;
		struct view *v = current(ui);
		if (ev.bstate & BUTTON4_PRESSED) {
			for (int i = 0; i < 3; i++)
				engine_request(ui, pr, REQ_UP);
		} else if (ev.bstate & BUTTON5_PRESSED) {
			for (int i = 0; i < 3; i++)
				engine_request(ui, pr, REQ_DOWN);
		} else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED |
					BUTTON1_DOUBLE_CLICKED)) {
			if (ev.y >= ui->y0 && ev.y < ui->y0 + ui->h && v->ops->click)
				v->ops->click(ui, v, ev.y, ev.x,
					      (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0);
		}
		return true;
	}
	enum request req = request_of_key(key);
	if (req == REQ_NONE) {
		if (key >= 0x20 && key < 0x7f)
			ui_message(ui, false, "key '%c' does nothing (? for help)", key);
		return true;
	}
	return engine_request(ui, pr, req);
}
