/* view_top.c - view 1, the top table: flat, flat%, sum%, cum, cum% and name
 * per function with pprof's numbers and orders, a bar of cum%, and Enter to
 * drill into the callers and callees of a row (pprof's peek). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "list.h"
#include "view.h"

struct top_view {
	struct mt_top_row *rows;
	int64_t *sum; /* running flat sum in the shown order */
	size_t n;
	int sort;     /* MT_SORT_FLAT, MT_SORT_CUM, MT_SORT_NAME */
	int idx;      /* sample type the rows are of */
	bool growth;  /* sorted by growth since a live URL's first fetch */
	unsigned marks; /* md->marks_serial of the rows copied */
	struct list l;
};

/* A live URL with two fetches or more: each node's flat in each fetch of
 * the session (query/live.h), else NULL. */
static const int64_t *live_flat(struct ui *ui, size_t *n)
{
	if (!ui->live_url || ui->lhist.n < 2)
		return NULL;
	*n = ui->lhist.n;
	return live_hist_flat(&ui->lhist, ui->md);
}

static int64_t growth_of(const int64_t *lf, size_t n, uint32_t node)
{
	return mt_sat_sub(lf[(size_t)node * n + n - 1], lf[(size_t)node * n]);
}

struct growth_ctx {
	const int64_t *lf;
	size_t n;
};

/* Growth first; the order before for ties (rows carry their position in
 * cum, which the caller set). */
static int cmp_growth(const void *x, const void *y, void *ctx)
{
	const struct growth_ctx *g = ctx;
	const struct mt_top_row *a = x, *b = y;
	int64_t ga = growth_of(g->lf, g->n, a->node), gb = growth_of(g->lf, g->n, b->node);
	if (ga != gb)
		return ga > gb ? -1 : 1;
	return (a->cum > b->cum) - (a->cum < b->cum);
}

static const char *sort_names[] = {
	[MT_SORT_FLAT] = "flat", [MT_SORT_CUM] = "cum", [MT_SORT_NAME] = "name"};

/* Copies and sorts the model's rows, keeping the selected function. */
static void top_reload(struct ui *ui, struct top_view *t)
{
	struct model *md = ui->md;
	uint32_t keep = t->n && t->l.sel < t->n ? t->rows[t->l.sel].node : MT_NONE;
	t->n = md->rep.top.n;
	t->rows = xrealloc(t->rows, (t->n + 1) * sizeof *t->rows);
	t->sum = xrealloc(t->sum, (t->n + 1) * sizeof *t->sum);
	memcpy(t->rows, md->rep.top.rows, t->n * sizeof *t->rows);
	struct mt_top tmp = {.rows = t->rows, .n = t->n};
	/* The model's rows are in the options' order (--cum): sort always. */
	mt_top_sort(&tmp, &md->rep.nodes, (enum mt_sort)t->sort);
	size_t nl = 0;
	const int64_t *lf = ui->growth_sort ? live_flat(ui, &nl) : NULL;
	t->growth = lf != NULL;
	if (lf) {
		/* Stable on the order above: the tie-break is the position. */
		int64_t *cum = xmalloc((t->n + 1) * sizeof *cum);
		for (size_t i = 0; i < t->n; i++)
			cum[i] = t->rows[i].cum, t->rows[i].cum = (int64_t)i;
		struct growth_ctx g = {lf, nl};
		qsort_r(t->rows, t->n, sizeof *t->rows, cmp_growth, &g);
		for (size_t i = 0; i < t->n; i++)
			t->rows[i].cum = cum[t->rows[i].cum];
		free(cum);
	}
	int64_t s = 0;
	for (size_t i = 0; i < t->n; i++) {
		s = mt_sat_add(s, t->rows[i].flat);
		t->sum[i] = s;
	}
	t->idx = md->idx;
	t->marks = md->marks_serial;
	t->l.n = t->n;
	if (keep != MT_NONE)
		for (size_t i = 0; i < t->n; i++)
			if (t->rows[i].node == keep) {
				list_select(&t->l, i);
				break;
			}
	list_fit(&t->l);
}

static bool top_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct top_view *t = v->priv;
	t->sort = ui->md->q && ui->md->q->cum ? MT_SORT_CUM : MT_SORT_FLAT;
	t->l.h = ui->h - 2;
	top_reload(ui, t);
	return true;
}

static void top_done(struct view *v)
{
	struct top_view *t = v->priv;
	free(t->rows);
	free(t->sum);
}

/* Where the bar starts: after flat, flat%, sum%, cum, cum%. */
#define XBAR 46

/* Column widths for the screen width: the bar shrinks, then goes. */
static int bar_width(int cols)
{
	return cols >= 120 ? 12 : cols >= 100 ? 8 : cols >= 80 ? 4 : 0;
}

/* The table of a live URL: flat, flat%, cum, cum%, the growth of flat
 * since the first fetch (and at 120 columns since the previous one), and
 * a sparkline of the function's flat over the session's fetches. */
static void draw_live(struct ui *ui, struct top_view *t, const int64_t *lf, size_t nl)
{
	struct model *md = ui->md;
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	bool prev = ui->cols >= 120;
	int xg = 38, xp = xg + 12, xs = xp + (prev ? 12 : 0);
	int sw = ui->cols >= 120 ? 16 : ui->cols >= 100 ? 12 : 8, xname = xs + sw + 1;
	const char *mark = ui->g->arrow_down;
	char h[64];
	ui_put(ui, y, 0, ui->cols, "", ta, true, false);
	snprintf(h, sizeof h, "%sflat", !t->growth && t->sort == MT_SORT_FLAT ? mark : "");
	ui_put_right(ui, y, 0, 10, h, ta);
	ui_put_right(ui, y, 11, 7, "flat%", ta);
	snprintf(h, sizeof h, "%scum", !t->growth && t->sort == MT_SORT_CUM ? mark : "");
	ui_put_right(ui, y, 19, 10, h, ta);
	ui_put_right(ui, y, 30, 7, "cum%", ta);
	/* growth: since the first fetch; step: since the one before. */
	snprintf(h, sizeof h, "%sgrowth", t->growth ? mark : "");
	ui_put_right(ui, y, xg, 11, h, ta);
	if (prev)
		ui_put_right(ui, y, xp, 11, "last step", ta);
	ui_put(ui, y, xs, sw, "trend", ta, false, false);
	snprintf(h, sizeof h, "%sname", !t->growth && t->sort == MT_SORT_NAME ? mark : "");
	ui_put(ui, y, xname, ui->cols - xname, h, ta, false, false);
	for (int r = 0; r < t->l.h; r++) {
		size_t i = t->l.top + (size_t)r;
		if (i >= t->n)
			break;
		const struct mt_top_row *row = &t->rows[i];
		const int64_t *v = lf + (size_t)row->node * nl;
		int yy = y + 1 + r;
		bool sel = i == t->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char fl[32], fp[16], cu[32], cp[16], gs[40], gp[40], line[160];
		model_fmt(md, fl, sizeof fl, row->flat);
		model_fmt(md, cu, sizeof cu, row->cum);
		model_pct(md, fp, sizeof fp, row->flat);
		model_pct(md, cp, sizeof cp, row->cum);
		snprintf(line, sizeof line, "%10s %7s %10s %7s ", fl, fp, cu, cp);
		ui_put(ui, yy, 0, xg, line, a, true, false);
		int64_t g0 = mt_sat_sub(v[nl - 1], v[0]), g1 = mt_sat_sub(v[nl - 1], v[nl - 2]);
		model_fmt(md, gs + 1, sizeof gs - 1, g0);
		gs[0] = '+';
		model_fmt(md, gp + 1, sizeof gp - 1, g1);
		gp[0] = '+';
		ui_put_right(ui, yy, xg, 11, g0 > 0 ? gs : g0 ? gs + 1 : "0",
			     sel ? a : g0 > 0 ? ui_attr(ui, UC_GROW_FG) : (int)A_NORMAL);
		ui_put(ui, yy, xg + 11, 1, "", a, true, false);
		if (prev) {
			ui_put_right(ui, yy, xp, 11, g1 > 0 ? gp : g1 ? gp + 1 : "0", a);
			ui_put(ui, yy, xp + 11, 1, "", a, true, false);
		}
		ui_sparkline(ui, yy, xs, sw, v, nl,
			     sel ? a : ui_attr(ui, g0 > 0 ? UC_GROW_FG : UC_BAR));
		ui_put(ui, yy, xs + sw, 1, "", a, true, false);
		const char *inl = mt_top_inline_label(row);
		char nb[1100];
		snprintf(nb, sizeof nb, "%s%s%s", mt_node_name(&md->rep.nodes, row->node),
			 *inl ? " " : "", inl);
		ui_put_name(ui, yy, xname, ui->cols - xname, nb, a, sel);
	}
	char info[300];
	snprintf(info, sizeof info,
		 " %zu functions, sorted by %s %s row %zu/%zu %s D: sort by growth, p: pause, "
		 "R: fetch now, 4: diff since the first fetch",
		 t->n, t->growth ? "growth since the first fetch" : sort_names[t->sort],
		 ui->g->vline, t->n ? t->l.sel + 1 : 0, t->n, ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static void top_draw(struct ui *ui, struct view *v)
{
	struct top_view *t = v->priv;
	struct model *md = ui->md;
	size_t nl = 0;
	const int64_t *lf = live_flat(ui, &nl);
	if (t->idx != md->idx || t->growth != (ui->growth_sort && lf) ||
	    t->marks != md->marks_serial)
		top_reload(ui, t);
	int y = ui->y0, bw = bar_width(ui->cols);
	t->l.h = ui->h - 2;
	list_fit(&t->l);
	if (lf) {
		draw_live(ui, t, lf, nl);
		return;
	}
	/* Column titles, the sort column marked. */
	char hdr[256];
	const char *mark = ui->g->arrow_down;
	snprintf(hdr, sizeof hdr, "%10s %7s %7s %10s %7s", "", "flat%", "sum%", "", "cum%");
	int ta = ui_attr(ui, UC_TITLE);
	ui_put(ui, y, 0, ui->cols, hdr, ta, true, false);
	char f[32], c[32];
	snprintf(f, sizeof f, "%sflat", t->sort == MT_SORT_FLAT ? mark : "");
	snprintf(c, sizeof c, "%scum", t->sort == MT_SORT_CUM ? mark : "");
	ui_put_right(ui, y, 0, 10, f, ta);
	ui_put_right(ui, y, 27, 10, c, ta);
	int xname = XBAR + (bw ? bw + 2 : 0);
	if (bw)
		ui_put(ui, y, XBAR, bw, "cum", ta, false, false);
	char nm[32];
	snprintf(nm, sizeof nm, "%sname", t->sort == MT_SORT_NAME ? mark : "");
	ui_put(ui, y, xname, ui->cols - xname, nm, ta, false, false);

	int64_t maxcum = 0;
	for (size_t i = 0; i < t->n && i < 1; i++)
		maxcum = md->total;
	for (int r = 0; r < t->l.h; r++) {
		size_t i = t->l.top + (size_t)r;
		int yy = y + 1 + r;
		if (i >= t->n)
			break;
		const struct mt_top_row *row = &t->rows[i];
		bool sel = i == t->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char fl[32], fp[16], sp[16], cu[32], cp[16], line[160];
		model_fmt(md, fl, sizeof fl, row->flat);
		model_fmt(md, cu, sizeof cu, row->cum);
		model_pct(md, fp, sizeof fp, row->flat);
		model_pct(md, sp, sizeof sp, t->sum[i]);
		model_pct(md, cp, sizeof cp, row->cum);
		snprintf(line, sizeof line, "%10s %7s %7s %10s %7s ", fl, fp, sp, cu, cp);
		ui_put(ui, yy, 0, XBAR, line, a, true, false);
		if (bw) {
			double fr = maxcum ? (double)mt_sat_abs(row->cum) /
						     (double)maxcum
					   : 0;
			ui_bar(ui, yy, XBAR, bw, fr, sel ? a : ui_attr(ui, UC_BAR));
			ui_put(ui, yy, XBAR + bw, 2, "", a, true, false);
		}
		/* Inlined functions are marked as memtop top (and pprof -top)
		 * marks them. */
		const char *inl = mt_top_inline_label(row);
		char nb[1100];
		snprintf(nb, sizeof nb, "%s%s%s", mt_node_name(&md->rep.nodes, row->node),
			 *inl ? " " : "", inl);
		ui_put_name(ui, yy, xname, ui->cols - xname, nb, a, sel);
	}
	if (t->n == 0)
		ui_put(ui, y + 1, 2, ui->cols - 2,
		       md->filters.n ? "no samples left under the filters (Esc removes one)"
				     : "no samples of this type",
		       ui_attr(ui, UC_DIM), false, false);
	/* The info line: how many rows, the order, what Enter does. */
	char info[300], fs[32], ft[32];
	model_fmt(md, fs, sizeof fs, md->rep.top.flat_sum);
	model_pct(md, ft, sizeof ft, md->rep.top.flat_sum);
	snprintf(info, sizeof info, " %zu functions, flat %s (%s of total), sorted by %s %s row %zu/%zu %s Enter: callers/callees, o: sort",
		 t->n, fs, ft + strspn(ft, " "), sort_names[t->sort], ui->g->vline,
		 t->n ? t->l.sel + 1 : 0, t->n, ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result top_request(struct ui *ui, struct view *v, enum request req)
{
	struct top_view *t = v->priv;
	if (list_request(&t->l, req))
		return VIEW_DONE;
	switch (req) {
	case REQ_SORT:
		if (ui->growth_sort) /* o leaves the growth order first */
			ui->growth_sort = false;
		else
			t->sort = (t->sort + 1) % 3;
		top_reload(ui, t);
		ui_message(ui, false, "sorted by %s", sort_names[t->sort]);
		return VIEW_DONE;
	case REQ_ENTER:
	case REQ_RIGHT:
		if (t->n)
			ui_push_func(ui, VIEW_PEEK, t->rows[t->l.sel].node);
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

static struct list *top_list(struct ui *ui, struct view *v)
{
	struct top_view *t = v->priv;
	return &t->l;
}

static const char *top_row_name(struct ui *ui, struct view *v, size_t i)
{
	struct top_view *t = v->priv;
	return mt_node_name(&ui->md->rep.nodes, t->rows[i].node);
}

static uint32_t top_selected(struct ui *ui, struct view *v)
{
	struct top_view *t = v->priv;
	return t->n ? t->rows[t->l.sel].node : MT_NONE;
}

static void top_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct top_view *t = v->priv;
	int r = y - ui->y0 - 1;
	if (r < 0 || t->l.top + (size_t)r >= t->n)
		return;
	t->l.sel = t->l.top + (size_t)r;
	if (dbl)
		ui_push_func(ui, VIEW_PEEK, t->rows[t->l.sel].node);
}

static bool top_reselect(struct ui *ui, struct view *v, const char *name)
{
	struct top_view *t = v->priv;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(model_func_name(ui->md, t->rows[i].node), name) == 0) {
			list_select(&t->l, i);
			return true;
		}
	return false;
}

const struct view_ops view_top_ops = {
	.name = "top",
	.private_size = sizeof(struct top_view),
	.open = top_open,
	.draw = top_draw,
	.request = top_request,
	.done = top_done,
	.row_list = top_list,
	.row_name = top_row_name,
	.selected = top_selected,
	.reselect = top_reselect,
	.click = top_click,
};
