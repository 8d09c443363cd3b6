/* view_gor.c - view 6, goroutines: groups (state, stack, creator) with
 * count, state, wait range, top frame and creator, a bar per state for the
 * whole input, one key per common state (a label filter on the model, so
 * the flame and tree views follow), d into the flame graph of a group's
 * state, Enter into a group's stack and goroutine ids (view_gstack_ops).
 * With stored snapshots of the same source, each group's count over time
 * as a sparkline, and sorting by growth (a group that only grows leaks);
 * for stored dumps, how long its goroutines have been there ("stuck since"
 * the oldest one's first stored dump, and how many since each earlier dump
 * in the stack view). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/gmodel.h"
#include "list.h"
#include "view.h"

const char *const ui_state_names[] = {
    [REQ_STATE_RECV - REQ_STATE_RECV] = "chan receive",
    [REQ_STATE_SEND - REQ_STATE_RECV] = "chan send",
    [REQ_STATE_SELECT - REQ_STATE_RECV] = "select",
    [REQ_STATE_IOWAIT - REQ_STATE_RECV] = "IO wait",
    [REQ_STATE_SEMA - REQ_STATE_RECV] = "semacquire",
    [REQ_STATE_COND - REQ_STATE_RECV] = "sync.Cond.Wait",
    [REQ_STATE_SLEEP - REQ_STATE_RECV] = "sleep",
    [REQ_STATE_RUNNING - REQ_STATE_RECV] = "running",
    [REQ_STATE_SYSCALL - REQ_STATE_RECV] = "syscall",
};
#define NSTATE_KEYS (REQ_STATE_SYSCALL - REQ_STATE_RECV + 1)

/* o cycles through them in this order, skipping what the input lacks. */
enum gsort { GS_COUNT, GS_WAIT, GS_STUCK, GS_GROWTH, GS_NSORT };
static const char *const gsort_names[] = {
    [GS_COUNT] = "count", [GS_WAIT] = "wait", [GS_GROWTH] = "growth", [GS_STUCK] = "stuck"};

struct gor_view {
	char name[2048]; /* row_name's answer */
	enum gsort sort;
	unsigned generation; /* of the gmodel the rows are of */
	VEC(uint32_t) rows;  /* shown groups, sorted */
	struct list l;
};

/* The key label of a state, or "". */
static const char *state_key(const char *state)
{
	for (int i = 0; i < NSTATE_KEYS; i++)
		if (strcmp(ui_state_names[i], state) == 0)
			return request_info[REQ_STATE_RECV + i].label;
	return "";
}

/* By count: the groups are largest first already. */
static int cmp_rows(const void *x, const void *y, void *ctx)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

static int cmp_wait(const void *x, const void *y, void *ctx)
{
	const struct gmodel *sort_gm = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	const struct gm_group *ga = &sort_gm->groups.v[a], *gb = &sort_gm->groups.v[b];
	if (ga->wait_max != gb->wait_max)
		return ga->wait_max > gb->wait_max ? -1 : 1;
	if (ga->wait_min != gb->wait_min)
		return ga->wait_min > gb->wait_min ? -1 : 1;
	return cmp_rows(x, y, ctx);
}

static int cmp_growth(const void *x, const void *y, void *ctx)
{
	const struct gmodel *sort_gm = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	const struct gm_group *ga = &sort_gm->groups.v[a], *gb = &sort_gm->groups.v[b];
	if (ga->only_grows != gb->only_grows)
		return ga->only_grows ? -1 : 1;
	if (ga->growth != gb->growth)
		return ga->growth > gb->growth ? -1 : 1;
	return cmp_rows(x, y, ctx);
}

/* Stuck longest first: the oldest first sight, then how many since then. */
static int cmp_stuck(const void *x, const void *y, void *ctx)
{
	const struct gmodel *sort_gm = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	const struct gm_group *ga = &sort_gm->groups.v[a], *gb = &sort_gm->groups.v[b];
	int32_t oa = ga->oldest < 0 ? INT32_MAX : ga->oldest;
	int32_t ob = gb->oldest < 0 ? INT32_MAX : gb->oldest;
	if (oa != ob)
		return oa < ob ? -1 : 1;
	if (ga->oldest >= 0 && ga->since[oa] != gb->since[ob])
		return ga->since[oa] > gb->since[ob] ? -1 : 1;
	return cmp_rows(x, y, ctx);
}

static void gor_rows(struct gor_view *gv, const struct gmodel *gm)
{
	uint32_t keep =
	    gv->rows.n && gv->l.sel < gv->rows.n ? gv->rows.v[gv->l.sel] : MT_NONE;
	gv->rows.n = 0;
	for (size_t k = 0; k < gm->groups.n; k++)
		if (gm->groups.v[k].shown)
			VEC_PUSH(gv->rows, (uint32_t)k);
	if (gv->rows.n)
		qsort_r(gv->rows.v, gv->rows.n, sizeof *gv->rows.v,
			gv->sort == GS_WAIT     ? cmp_wait
			: gv->sort == GS_GROWTH ? cmp_growth
			: gv->sort == GS_STUCK	? cmp_stuck
						: cmp_rows,
			(void *)gm);
	gv->l.n = gv->rows.n;
	gv->l.sel = 0;
	for (size_t i = 0; keep != MT_NONE && i < gv->rows.n; i++)
		if (gv->rows.v[i] == keep)
			gv->l.sel = i;
	list_fit(&gv->l);
}

static struct gmodel *gor_model(struct ui *ui, struct gor_view *gv)
{
	struct gmodel *gm = gmodel_get(ui->md, NULL);
	if (gm && (gv->generation != gm->generation || gv->l.n != gv->rows.n)) {
		gv->generation = gm->generation;
		gor_rows(gv, gm);
	}
	return gm;
}

static bool gor_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct gor_view *gv = v->priv;
	gv->generation = (unsigned)-1;
	struct gmodel *gm = gor_model(ui, gv);
	if (gm && gm->nsnap >= 2)
		gv->sort = GS_GROWTH, gor_rows(gv, gm);
	return gm != NULL;
}

static void gor_done(struct view *v)
{
	struct gor_view *gv = v->priv;
	free(gv->rows.v);
}

static void fmt_wait(char *buf, size_t n, const struct gm_group *g)
{
	if (g->wait_max <= 0)
		snprintf(buf, n, "%s", "");
	else if (g->wait_min == g->wait_max)
		snprintf(buf, n, "%lld min", (long long)g->wait_max);
	else
		snprintf(buf, n, "%lld-%lld min", (long long)g->wait_min,
			 (long long)g->wait_max);
}

/* The summary: a bar per state of the whole input, in one or two columns;
 * returns the rows used. */
static int draw_states(struct ui *ui, const struct gmodel *gm, int y, int maxrows)
{
	const char *cur = model_state_filter(ui->md);
	int ncol = ui->cols >= 80 ? 2 : 1;
	int cw = ui->cols / ncol;
	int rows = ((int)gm->states.n + ncol - 1) / ncol;
	if (rows > maxrows)
		rows = maxrows;
	/* The count is never cut: its column fits the largest one. */
	int dw = 4;
	for (size_t i = 0; i < gm->states.n; i++) {
		char c[32];
		int d = snprintf(c, sizeof c, "%lld", (long long)gm->states.v[i].count);
		dw = d > dw ? d : dw;
	}
	int sw = (ui->cols >= 100 ? 17 : 14) - (dw - 4), lw = sw + dw + 5;
	int bw = cw - lw - 9;
	if (bw > 24)
		bw = 24;
	for (size_t i = 0; i < gm->states.n; i++) {
		int r = (int)i % rows, c = (int)i / rows;
		if (c >= ncol)
			break;
		const struct gm_state *st = &gm->states.v[i];
		bool on = cur && strcmp(cur, st->state) == 0;
		int x = c * cw, a = on ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		if ((size_t)(c + 1) * (size_t)rows < gm->states.n && c == ncol - 1 &&
		    r == rows - 1 && i + 1 < gm->states.n) {
			char more[64];
			snprintf(more, sizeof more, "  +%zu more states",
				 gm->states.n - i);
			ui_put(ui, y + r, x, cw, more, ui_attr(ui, UC_DIM), true,
			       false);
			break;
		}
		char line[128], pct[16];
		const char *k = state_key(st->state);
		snprintf(line, sizeof line, "%s%-2s", on ? ui->g->closed : " ", k);
		ui_put(ui, y + r, x, lw, line, a, true, false);
		ui_put(ui, y + r, x + 3, sw, st->state, a, true, false);
		snprintf(line, sizeof line, " %*lld ", dw, (long long)st->count);
		ui_put(ui, y + r, x + 3 + sw, dw + 2, line, a, true, false);
		if (bw > 0)
			ui_bar(ui, y + r, x + lw, bw,
			       gm->total ? (double)st->count / (double)gm->total : 0,
			       on ? a : ui_attr(ui, UC_BAR));
		mt_percentage_short(pct, sizeof pct, st->count, gm->total);
		ui_put_right(ui, y + r, x + lw + (bw > 0 ? bw : 0), 8, pct, a);
	}
	return rows;
}

static void gor_draw(struct ui *ui, struct view *v)
{
	struct gor_view *gv = v->priv;
	struct gmodel *gm = gor_model(ui, gv);
	if (!gm)
		return;
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	char line[600];
	int n = snprintf(line, sizeof line, " %lld goroutine%s in %zu group%s",
			 (long long)gm->total, gm->total == 1 ? "" : "s", gm->groups.n,
			 gm->groups.n == 1 ? "" : "s");
	if (gm->nsnap >= 2)
		n += snprintf(line + n, sizeof line - (size_t)n,
			      " %s %zu stored snapshots", ui->g->vline, gm->nsnap);
	if (gm->reason)
		snprintf(line + n, sizeof line - (size_t)n, " %s %s", ui->g->vline,
			 gm->reason);
	ui_put(ui, y, 0, ui->cols, line, ta, true, false);
	int srows = draw_states(ui, gm, y + 1, ui->h >= 30 ? 6 : ui->h >= 20 ? 5 : 3);
	int yt = y + 1 + srows;
	/* Columns: count, state, wait, [trend, growth], [stuck since], top
	 * frame, creator. */
	bool trend = gm->nsnap >= 2;
	int wide = ui->cols >= 100;
	/* The wait column only when some goroutine says how long it waited. */
	bool waits = false;
	for (size_t i = 0; i < gm->groups.n && !waits; i++)
		waits = gm->groups.v[i].wait_max > 0;
	int xc = 0, xs = 8, xw = xs + (wide ? 19 : 16);
	int xt = xw + (waits ? (wide ? 12 : 9) : 0);
	int tw = trend ? (wide ? 16 : 8) : 0;
	int xk = xt + (trend ? tw + 8 : 0);
	int kw = gm->lifetimes ? (wide ? 12 : 10) : 0;
	int xf = xk + kw;
	int rest = ui->cols - xf;
	int fw = rest * 11 / 20, xcr = xf + fw + 1;
	ui_put(ui, yt, 0, ui->cols, "", ta, true, false);
	const char *mark = ui->g->arrow_down;
	char h[64];
	snprintf(h, sizeof h, "%scount", gv->sort == GS_COUNT ? mark : "");
	ui_put_right(ui, yt, xc, 6, h, ta);
	ui_put(ui, yt, xs, xw - xs, "state", ta, false, false);
	snprintf(h, sizeof h, "%swait", gv->sort == GS_WAIT ? mark : "");
	if (waits)
		ui_put(ui, yt, xw, xt - xw, h, ta, false, false);
	if (trend) {
		snprintf(h, sizeof h, "%strend", gv->sort == GS_GROWTH ? mark : "");
		ui_put(ui, yt, xt, tw + 8, h, ta, false, false);
	}
	if (kw) {
		snprintf(h, sizeof h, "%s%s", gv->sort == GS_STUCK ? mark : "",
			 wide ? "stuck since" : "stuck");
		ui_put(ui, yt, xk, kw, h, ta, false, false);
	}
	ui_put(ui, yt, xf, fw, "top frame", ta, false, false);
	ui_put(ui, yt, xcr, ui->cols - xcr, "created by", ta, false, false);

	gv->l.h = ui->h - (yt - y) - 2;
	list_fit(&gv->l);
	for (int k = 0; k < gv->l.h; k++) {
		size_t i = gv->l.top + (size_t)k;
		if (i >= gv->rows.n)
			break;
		const struct gm_group *g = &gm->groups.v[gv->rows.v[i]];
		int yy = yt + 1 + k;
		bool sel = i == gv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char c[32], w[32];
		snprintf(c, sizeof c, "%6lld", (long long)g->count);
		fmt_wait(w, sizeof w, g);
		ui_put(ui, yy, 0, ui->cols, "", a, true, false);
		ui_put(ui, yy, xc, 8, c, a, true, false);
		ui_put(ui, yy, xs, xw - xs - 1, g->state, a, true, false);
		if (waits)
			ui_put(ui, yy, xw, xt - xw - 1, w, a, true, false);
		if (trend) {
			ui_sparkline(ui, yy, xt, tw, g->series, gm->nsnap,
				     sel	     ? a
				     : g->only_grows ? ui_attr(ui, UC_ERROR)
						     : ui_attr(ui, UC_BAR));
			char gr[32];
			snprintf(gr, sizeof gr, "%+lld%s", (long long)g->growth,
				 g->only_grows ? "!" : "");
			ui_put(ui, yy, xt + tw + 1, 7, gr, a, true, false);
		}
		if (kw && g->oldest >= 0) {
			/* "5 @2": five of its goroutines there since stored
			 * snapshot @2, its oldest's first sight. */
			char k[32];
			snprintf(k, sizeof k, "%lld @%lld", (long long)g->since[g->oldest],
				 (long long)gm->snap_id[g->oldest]);
			ui_put(ui, yy, xk, kw - 1, k, a, true, false);
		}
		const char *top = g->nf ? gm->set.frames.v[g->f0 + g->top].func : "";
		char sb[512];
		ui_put_name(ui, yy, xf, fw, ui_short_name(top, fw, sb, sizeof sb), a, sel);
		/* A creator is said once for a run of rows it made. */
		const struct gm_group *prev =
		    k > 0 ? &gm->groups.v[gv->rows.v[i - 1]] : NULL;
		if (prev && g->creator[0] && strcmp(prev->creator, g->creator) == 0)
			ui_put(ui, yy, xcr, ui->cols - xcr, "  \"",
			       sel ? a : ui_attr(ui, UC_DIM), true, false);
		else
			ui_put_name(ui, yy, xcr, ui->cols - xcr,
				    ui_short_name(g->creator, ui->cols - xcr, sb, sizeof sb),
				    a, sel);
	}
	if (!gv->rows.n)
		ui_put(ui, yt + 1, 2, ui->cols - 2,
		       "no goroutines left under the filters (Esc removes one)",
		       ui_attr(ui, UC_DIM), false, false);
	char info[400];
	snprintf(info, sizeof info,
		 " %zu group%s, %lld goroutine%s shown, sorted by %s %s Enter: stack, "
		 "d: flame of the state, a/r/w/e/O/m/c/z/u/y: state, F: regex, o: sort",
		 gv->rows.n, gv->rows.n == 1 ? "" : "s", (long long)gm->shown_total,
		 gm->shown_total == 1 ? "" : "s", gsort_names[gv->sort], ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

/* Keeps only the goroutines in state (NULL: every state). */
static void set_state(struct ui *ui, struct gmodel *gm, const char *state)
{
	struct model *md = ui->md;
	if (!state) {
		if (ui_set_state_filter(ui, NULL))
			ui_message(ui, false, "every state");
		else
			ui_message(ui, false, "every state is shown already");
		return;
	}
	bool have = false, known = false;
	for (size_t i = 0; i < gm->states.n; i++) {
		have |= strcmp(gm->states.v[i].state, state) == 0;
		known |= strcmp(gm->states.v[i].state, "profile") != 0;
	}
	if (!known) {
		ui_message(
		    ui, false,
		    "a goroutine profile does not say states; open a dump (debug=2)");
		return;
	}
	if (!have) {
		ui_message(ui, false, "no goroutine is in %s", state);
		return;
	}
	const char *cur = model_state_filter(md);
	if (cur && strcmp(cur, state) == 0)
		return;
	ui_set_state_filter(ui, state);
}

static enum view_result gor_request(struct ui *ui, struct view *v, enum request req)
{
	struct gor_view *gv = v->priv;
	struct gmodel *gm = gor_model(ui, gv);
	if (!gm)
		return VIEW_PASS;
	if (list_request(&gv->l, req))
		return VIEW_DONE;
	const struct gm_group *g =
	    gv->rows.n ? &gm->groups.v[gv->rows.v[gv->l.sel]] : NULL;
	if (req >= REQ_STATE_RECV && req <= REQ_STATE_SYSCALL) {
		set_state(ui, gm, ui_state_names[req - REQ_STATE_RECV]);
		return VIEW_DONE;
	}
	switch (req) {
	case REQ_STATE_ALL:
		set_state(ui, gm, NULL);
		return VIEW_DONE;
	case REQ_SORT:
		do
			gv->sort = (enum gsort)((gv->sort + 1) % GS_NSORT);
		while ((gv->sort == GS_STUCK && !gm->lifetimes) ||
		       (gv->sort == GS_GROWTH && gm->nsnap < 2));
		gor_rows(gv, gm);
		list_select(&gv->l, 0);
		ui_message(ui, false, "sorted by %s", gsort_names[gv->sort]);
		return VIEW_DONE;
	case REQ_ENTER:
	case REQ_RIGHT:
		if (g)
			ui_push(ui, VIEW_GSTACK, gv->rows.v[gv->l.sel]);
		return VIEW_DONE;
	case REQ_DIFF_FLAME:
		if (!g)
			return VIEW_DONE;
		if (strcmp(g->state, "profile") == 0) {
			ui_switch(ui, VIEW_FLAME);
			ui_message(
			    ui, false,
			    "a goroutine profile does not say states: every goroutine");
			return VIEW_DONE;
		}
		{
			char st[128];
			snprintf(st, sizeof st, "%s", g->state);
			set_state(ui, gm, st);
			ui_switch(ui, VIEW_FLAME);
			ui_message(ui, false,
				   "goroutines in %s: Esc back to the list, again: every state",
				   st);
		}
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

static struct list *gor_list(struct ui *ui, struct view *v)
{
	struct gor_view *gv = v->priv;
	gv->l.n = gor_model(ui, gv) ? gv->rows.n : 0;
	return &gv->l;
}

/* What a search of a group looks at: its state, creator and functions. */
static const char *gor_row_name(struct ui *ui, struct view *v, size_t i)
{
	struct gor_view *gv = v->priv;
	struct gmodel *gm = gor_model(ui, gv);
	const struct gm_group *g = &gm->groups.v[gv->rows.v[i]];
	size_t k = (size_t)snprintf(gv->name, sizeof gv->name, "%s %s", g->state, g->creator);
	for (uint32_t f = 0; f < g->nf && k < sizeof gv->name; f++)
		k += (size_t)snprintf(gv->name + k, sizeof gv->name - k, " %s",
				      gm->set.frames.v[g->f0 + f].func);
	return gv->name;
}

static uint32_t gor_selected(struct ui *ui, struct view *v)
{
	struct gor_view *gv = v->priv;
	struct gmodel *gm = gor_model(ui, gv);
	if (!gm || !gv->rows.n)
		return MT_NONE;
	const struct gm_group *g = &gm->groups.v[gv->rows.v[gv->l.sel]];
	if (!g->nf)
		return MT_NONE;
	const char *name = gm->set.frames.v[g->f0 + g->top].func;
	mt_str id = strtab_find(&ui->md->rep.nodes.names, name, strlen(name));
	return id == (mt_str)-1 || id == 0 ? MT_NONE : id - 1;
}

static void gor_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct gor_view *gv = v->priv;
	int r = y - (ui->y0 + ui->h - 1 - gv->l.h);
	if (r < 0 || gv->l.top + (size_t)r >= gv->rows.n)
		return;
	gv->l.sel = gv->l.top + (size_t)r;
	if (dbl)
		gor_request(ui, v, REQ_ENTER);
}

const struct view_ops view_gor_ops = {
    .name = "goroutines",
    .private_size = sizeof(struct gor_view),
    .open = gor_open,
    .draw = gor_draw,
    .request = gor_request,
    .done = gor_done,
    .row_list = gor_list,
    .row_name = gor_row_name,
    .selected = gor_selected,
    .click = gor_click,
};

/* ---- a group's stack --------------------------------------------------- */

struct gstack_view {
	uint32_t group;
	struct list l;
};

/* Entries of the stack view, two screen lines each (function, then
 * file:line): the frames, "additional frames elided", the creator. j/k
 * move from one to the next, never onto a file:line line. */
static size_t gstack_entries(const struct gm_group *g)
{
	return (size_t)g->nf + (g->elided ? 1 : 0) + (g->creator[0] ? 1 : 0);
}

/* The function entry i names ("" for the elided marker). */
static const char *gstack_func(const struct gmodel *gm, const struct gm_group *g, size_t i)
{
	if (i < g->nf)
		return gm->set.frames.v[g->f0 + i].func;
	if (g->elided && i == g->nf)
		return "";
	return g->creator;
}

static bool gstack_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct gstack_view *sv = v->priv;
	struct gmodel *gm = gmodel_get(ui->md, NULL);
	if (!gm || arg >= gm->groups.n)
		return false;
	sv->group = (uint32_t)arg;
	sv->l.n = gstack_entries(&gm->groups.v[arg]);
	return true;
}

static void gstack_draw(struct ui *ui, struct view *v)
{
	struct gstack_view *sv = v->priv;
	struct gmodel *gm = gmodel_get(ui->md, NULL);
	if (!gm || sv->group >= gm->groups.n)
		return;
	const struct gm_group *g = &gm->groups.v[sv->group];
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	char line[700], w[32];
	fmt_wait(w, sizeof w, g);
	int n =
	    snprintf(line, sizeof line, " %lld goroutine%s %s %s", (long long)g->count,
		     g->count == 1 ? "" : "s", ui->g->vline, g->state);
	if (w[0])
		n += snprintf(line + n, sizeof line - (size_t)n, " %s wait %s",
			      ui->g->vline, w);
	if (g->locked)
		n += snprintf(line + n, sizeof line - (size_t)n,
			      " %s %zu locked to thread", ui->g->vline, g->locked);
	ui_put(ui, y, 0, ui->cols, line, ta, true, false);
	/* Goroutine ids (a dump has them; the first few are shown). */
	const struct gg_member *mb = gm->set.members.v;
	if (g->nm) {
		uint32_t shown = g->nm < 8 ? g->nm : 8;
		n = snprintf(line, sizeof line, " goroutine%s", g->nm == 1 ? "" : "s");
		for (uint32_t i = 0; i < shown; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, "%s %llu",
				      i ? "," : "", (unsigned long long)mb[g->m0 + i].id);
		if (g->nm > shown)
			snprintf(line + n, sizeof line - (size_t)n, ", ... (%u more)",
				 g->nm - shown);
	} else {
		snprintf(line, sizeof line, " no goroutine ids: %s",
			 gm->set.has_ids ? "none shown" : "a profile does not keep them");
	}
	ui_put(ui, y + 1, 0, ui->cols, line, A_NORMAL, true, false);
	int yl = y + 2;
	if (gm->nsnap >= 2 && g->series) {
		n = snprintf(line, sizeof line, " count in %zu snapshots: ", gm->nsnap);
		ui_put(ui, yl, 0, n, line, A_NORMAL, true, false);
		int sw = ui_sparkline(ui, yl, n, ui->cols / 3, g->series, gm->nsnap,
				      g->only_grows ? ui_attr(ui, UC_ERROR)
						    : ui_attr(ui, UC_BAR));
		snprintf(line, sizeof line, "  %lld %s %lld%s", (long long)g->series[0],
			 ui->utf8 ? "\u2192" : "->",
			 (long long)g->series[gm->nsnap - 1],
			 g->only_grows ? "  only grows: a leak?" : "");
		ui_put(ui, yl, n + sw, ui->cols - n - sw, line, A_NORMAL, true, false);
		yl++;
	}
	if (gm->lifetimes) {
		/* How many were already there 1, 2, ... stored dumps ago. */
		if (g->oldest < 0) {
			n = snprintf(line, sizeof line, " stuck: none, all new since @%lld",
				     (long long)gm->snap_id[gm->cur_index - 1]);
		} else {
			n = snprintf(line, sizeof line, " there since:");
			for (int32_t k = (int32_t)gm->cur_index - 1; k >= g->oldest; k--)
				n += snprintf(line + n, sizeof line - (size_t)n, "%s @%lld %lld",
					      k == (int32_t)gm->cur_index - 1 ? "" : ",",
					      (long long)gm->snap_id[k], (long long)g->since[k]);
		}
		ui_put(ui, yl, 0, ui->cols, line, A_NORMAL, true, false);
		yl++;
	}
	sv->l.h = (y + ui->h - 1 - yl) / 2;
	list_fit(&sv->l);
	for (int k = 0; k < sv->l.h; k++) {
		size_t i = sv->l.top + (size_t)k;
		if (i >= sv->l.n)
			break;
		int yy = yl + 2 * k;
		bool sel = i == sv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		int da = sel ? a : ui_attr(ui, UC_DIM);
		if (i < g->nf) {
			const struct gg_frame *f = &gm->set.frames.v[g->f0 + i];
			snprintf(line, sizeof line, "  %s%s", f->func,
				 f->inl ? " (inline)" : "");
			ui_put_name(ui, yy, 0, ui->cols, line, a, sel);
			snprintf(line, sizeof line, "      %s:%lld", f->file,
				 (long long)f->line);
			ui_put(ui, yy + 1, 0, ui->cols, line, da, true, true);
		} else if (g->elided && i == g->nf) {
			ui_put(ui, yy, 0, ui->cols, "  ...additional frames elided...",
			       a, true, false);
		} else {
			snprintf(line, sizeof line, "  created by %s", g->creator);
			ui_put_name(ui, yy, 0, ui->cols, line, a, sel);
			snprintf(line, sizeof line, "      %s:%lld", g->creator_file,
				 (long long)g->creator_line);
			ui_put(ui, yy + 1, 0, ui->cols, line, da, true, true);
		}
	}
	snprintf(line, sizeof line,
		 " %u frame%s, leaf first %s Enter: callers/callees, l: source, "
		 "f/i/h: filter, d: flame of %s, Esc: back",
		 g->nf, g->nf == 1 ? "" : "s", ui->g->vline, g->state);
	ui_put_info(ui, y + ui->h - 1, line, ui_attr(ui, UC_DIM));
}

/* The model's function for the selected entry, or MT_NONE (the elided
 * marker; a creator that is no frame of any sample). */
static uint32_t gstack_selected(struct ui *ui, struct view *v)
{
	struct gstack_view *sv = v->priv;
	struct gmodel *gm = gmodel_get(ui->md, NULL);
	if (!gm || sv->group >= gm->groups.n || !sv->l.n)
		return MT_NONE;
	const char *name = gstack_func(gm, &gm->groups.v[sv->group], sv->l.sel);
	if (!name[0])
		return MT_NONE;
	mt_str id = strtab_find(&ui->md->rep.nodes.names, name, strlen(name));
	return id == (mt_str)-1 || id == 0 ? MT_NONE : id - 1;
}

static enum view_result gstack_request(struct ui *ui, struct view *v, enum request req)
{
	struct gstack_view *sv = v->priv;
	if (list_request(&sv->l, req))
		return VIEW_DONE;
	struct gmodel *gm = gmodel_get(ui->md, NULL);
	if (!gm || sv->group >= gm->groups.n)
		return VIEW_DONE;
	if (req == REQ_DIFF_FLAME) {
		char st[128];
		snprintf(st, sizeof st, "%s", gm->groups.v[sv->group].state);
		if (strcmp(st, "profile") != 0)
			set_state(ui, gm, st);
		ui_switch(ui, VIEW_FLAME);
		return VIEW_DONE;
	}
	if (req == REQ_ENTER || req == REQ_RIGHT) {
		uint32_t f = gstack_selected(ui, v);
		if (f != MT_NONE)
			ui_push_func(ui, VIEW_PEEK, f);
		else
			ui_message(ui, false, "%s is no frame of this profile's samples",
				   sv->l.sel < gm->groups.v[sv->group].nf ? "this function"
									: "the creator");
		return VIEW_DONE;
	}
	return VIEW_PASS;
}

static struct list *gstack_list(struct ui *ui, struct view *v)
{
	struct gstack_view *sv = v->priv;
	return &sv->l;
}

/* Entries are searched by function. */
static const char *gstack_row_name(struct ui *ui, struct view *v, size_t i)
{
	struct gstack_view *sv = v->priv;
	struct gmodel *gm = gmodel_get(ui->md, NULL);
	if (!gm || sv->group >= gm->groups.n)
		return "";
	return gstack_func(gm, &gm->groups.v[sv->group], i);
}

const struct view_ops view_gstack_ops = {
    .name = "stack",
    .private_size = sizeof(struct gstack_view),
    .open = gstack_open,
    .draw = gstack_draw,
    .request = gstack_request,
    .row_list = gstack_list,
    .row_name = gstack_row_name,
    .selected = gstack_selected,
};
