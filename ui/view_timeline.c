/* view_timeline.c - view 5, the timeline: charts of the stored metrics
 * (heap, RSS, goroutines, GC) and of the selected series' profile totals on
 * one time axis with the stored snapshots marked on it; the snapshots as a
 * list with a sparkline of totals per series; and the leak suspects of the
 * selected series (functions ranked by steady growth, trend.c) with the
 * findings of the metrics.
 *
 * One selection drives the charts and the list: Left/Right move the cursor
 * in time and select the nearest snapshot of the same series, Up/Down move
 * in the list and bring the cursor to the snapshot. b marks the diff base,
 * Enter opens the selected snapshot in views 1-4 (with a base, the diff in
 * view 4). Tab moves to the leak suspects, whose Enter opens the diff of
 * the series' first and last snapshots on that function. A collector's new
 * snapshots and points appear as they are stored (tlmodel_poll, on every
 * key and once a second without keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/sat.h"
#include "query/diffmodel.h"
#include "query/gmodel.h"
#include "list.h"
#include "query/tlmodel.h"
#include "view_timeline.h"

enum pane { PANE_SNAPS, PANE_LEAKS };

struct tl_view {
	struct tlmodel tm;
	enum pane pane;
	struct list sl, ll;	/* snapshots, leak suspects */
	int64_t sel_id;		/* the selected snapshot */
	int64_t base_id;	/* marked with b, 0: none */
	int64_t shown_id;	/* the model's snapshot, 0: not stored (yet) */
	int64_t cursor;		/* time, ns */
	unsigned serial;	/* of tm the selection is for */
	const struct trend *tr; /* of the selected series, NULL when none */
	/* geometry of the last draw, for keys and clicks */
	int cx, cw;	      /* chart columns */
	int ychart0, ychart1; /* chart and axis rows [ychart0, ychart1) */
	int ysnap, ysnap_n;   /* first snapshot row and how many */
	int yleak, yleak_n;
};

/* ------------------------------------------------------------------ */
/* Selection and time                                                  */

static const struct tl_snap *sel_snap(const struct tl_view *tv)
{
	return tv->tm.snaps.n && tv->sl.sel < tv->tm.snaps.n
		   ? &tv->tm.snaps.v[tv->sl.sel]
		   : NULL;
}

static void select_row(struct tl_view *tv, size_t i, bool move_cursor)
{
	if (!tv->tm.snaps.n)
		return;
	list_select(&tv->sl, i);
	tv->sel_id = tv->tm.snaps.v[tv->sl.sel].en->id;
	if (move_cursor)
		tv->cursor = tv->tm.snaps.v[tv->sl.sel].en->time;
}

static int64_t span(const struct tl_view *tv)
{
	int64_t s = mt_sat_sub(tv->tm.tmax, tv->tm.tmin);
	return s > 0 ? s : 1;
}

static int col_of(const struct tl_view *tv, int64_t t)
{
	int w = tv->cw > 1 ? tv->cw : 2;
	double f = (double)mt_sat_sub(t, tv->tm.tmin) / (double)span(tv) * (w - 1) + 0.5;
	return !(f >= 0) ? 0 : f >= w ? w - 1 : (int)f;
}

static int64_t time_of(const struct tl_view *tv, int col)
{
	int w = tv->cw > 1 ? tv->cw : 2;
	return mt_sat_add(tv->tm.tmin,
			  mt_sat_from_double((double)span(tv) * col / (w - 1) + 0.5));
}

/* The snapshot nearest to t: of series si, or of any series (si < 0). */
static ptrdiff_t nearest(const struct tl_view *tv, int64_t t, int64_t si)
{
	ptrdiff_t best = -1;
	int64_t bd = 0;
	for (size_t i = 0; i < tv->tm.snaps.n; i++) {
		const struct tl_snap *sn = &tv->tm.snaps.v[i];
		if (si >= 0 && sn->series != (uint32_t)si)
			continue;
		int64_t d = sn->en->time > t ? sn->en->time - t : t - sn->en->time;
		if (best < 0 || d < bd)
			best = (ptrdiff_t)i, bd = d;
	}
	return best;
}

/* Moves the cursor to t and selects the nearest snapshot of the series
 * selected now (so Left/Right walk along one series). */
static void move_cursor(struct tl_view *tv, int64_t t)
{
	const struct tl_snap *sn = sel_snap(tv);
	tv->cursor = t;
	ptrdiff_t i = nearest(tv, t, sn ? (int64_t)sn->series : -1);
	if (i >= 0)
		select_row(tv, (size_t)i, false);
}

/* The snapshot the model shows: @ID, or for a file the newest snapshot
 * stored from it (memtop FILE stores its files in the background). */
static int64_t shown_snapshot(const struct tl_view *tv, const struct model *md)
{
	if (md->snap_id || !md->path)
		return md->snap_id;
	char *abs = realpath(md->path, NULL);
	int64_t id = 0;
	for (size_t i = 0; abs && i < tv->tm.snaps.n; i++)
		if (strcmp(tv->tm.snaps.v[i].en->source, abs) == 0)
			id = tv->tm.snaps.v[i].en->id;
	free(abs);
	return id;
}

/* Brings the view up to date with the store and the model's sample type;
 * keeps the selection on the same snapshot across reloads. */
static void sync(struct ui *ui, struct tl_view *tv)
{
	tlmodel_poll(&tv->tm);
	struct model *md = ui->md;
	tlmodel_set_type(&tv->tm,
			 profile_str(md->p, md->p->sample_types.v[md->idx].type));
	if (tv->serial != tv->tm.serial) {
		tv->serial = tv->tm.serial;
		tv->sl.n = tv->tm.snaps.n;
		ptrdiff_t i = tlmodel_find(&tv->tm, tv->sel_id);
		if (i < 0)
			i = (ptrdiff_t)tv->tm.snaps.n - 1;
		if (i >= 0)
			select_row(tv, (size_t)i, false);
		if (tv->base_id && tlmodel_find(&tv->tm, tv->base_id) < 0)
			tv->base_id = 0;
	}
	tv->shown_id = shown_snapshot(tv, md);
	const struct tl_snap *sn = sel_snap(tv);
	const struct trend *tr =
	    sn ? tlmodel_trend(&tv->tm, sn->series, tv->tm.type, md->gran) : NULL;
	if (tr != tv->tr || (tr && tv->ll.n != tr->nrows)) {
		tv->tr = tr;
		tv->ll.n = tr ? tr->nrows : 0;
		tv->ll.sel = tv->ll.top = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

static void fmt_time(char *buf, size_t n, int64_t t, bool date, bool frac)
{
	time_t s = (time_t)(t / 1000000000);
	struct tm tmv;
	localtime_r(&s, &tmv);
	size_t k = strftime(buf, n, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tmv);
	if (frac && k + 5 < n)
		snprintf(buf + k, n - k, ".%03d", (int)(t / 1000000 % 1000));
}

/* A value of a profile's sample type, pprof's way ("1.50MB", "12"). */
static void fmt_sample(char *buf, size_t n, int64_t v, const char *unit)
{
	mt_scaled_label(buf, n, v, unit, "auto");
}

/* The chart of one series of points: per column the highest value in it,
 * steps carried over empty columns between points, in rows of eighths. */
static void draw_chart(struct ui *ui, struct tl_view *tv, int y, int rows,
		       const struct metrics_point *pt, size_t n, double lo, double hi)
{
	static const char *const asc[9] = {" ", ".", ".", "-", "-", "=", "=", "#", "#"};
	static const char *const up[9] = {" ",	    "\u2581", "\u2582",
					  "\u2583", "\u2584", "\u2585",
					  "\u2586", "\u2587", "\u2588"};
	int w = tv->cw;
	double *col = xcalloc((size_t)w + 1, sizeof *col);
	char *has = xcalloc((size_t)w + 1, 1);
	for (size_t i = 0; i < n; i++) {
		int c = col_of(tv, pt[i].time);
		if (!has[c] || pt[i].value > col[c])
			col[c] = pt[i].value;
		has[c] = 1;
	}
	int first = -1, last = -1;
	for (int c = 0; c < w; c++)
		if (has[c])
			last = c, first = first < 0 ? c : first;
	int levels = rows * 8, ccur = col_of(tv, tv->cursor);
	int abar = ui_attr(ui, UC_BAR), asel = ui_attr(ui, UC_SELECTED);
	double prev = 0;
	for (int c = 0; c < w; c++) {
		int level = 0;
		if (first >= 0 && c >= first && c <= last) {
			double v = has[c] ? col[c] : prev;
			prev = v;
			/* The lowest value still shows: a sliver, not nothing. */
			/* A stored point may be inf: NaN and overflow clamp. */
			double f = hi > lo ? (v - lo) / (hi - lo) * (levels - 1) + 0.5 : 0;
			level = 1 + (f >= 0 && f < levels ? (int)f : f >= levels ? levels - 1 : 0);
		}
		for (int r = 0; r < rows; r++) {
			int fill = level - (rows - 1 - r) * 8;
			fill = fill < 0 ? 0 : fill > 8 ? 8 : fill;
			attrset(c == ccur ? asel : abar);
			mvaddstr(y + r, tv->cx + c, ui->utf8 ? up[fill] : asc[fill]);
		}
	}
	attrset(A_NORMAL);
	free(col);
	free(has);
}

/* One chart with its title, the value at the cursor on the left and its
 * scale (highest, lowest) on the right. */
static void draw_chart_row(struct ui *ui, struct tl_view *tv, int y, int rows, int lw,
			   const char *title, const char *unit,
			   const struct metrics_point *pt, size_t n, double lo,
			   double hi, bool sample_unit)
{
	char v[48], t[128];
	const struct tl_chart c = {
	    .se = &(struct metrics_series){.v = (struct metrics_point *)pt, .n = n}};
	double at = tl_chart_at(&c, tv->cursor);
	if (sample_unit)
		fmt_sample(v, sizeof v, mt_sat_from_double(at), unit);
	else
		tl_fmt_value(v, sizeof v, at, unit);
	/* Title above the value at the cursor when there are two rows. */
	int vw = ui_width(v) + 1;
	if (rows >= 2) {
		ui_put(ui, y, 0, lw - 1, title, ui_attr(ui, UC_TITLE), true, false);
		ui_put_right(ui, y + 1, 0, lw - 1, v, A_NORMAL);
	} else {
		ui_put(ui, y, 0, lw - 1 - vw, title, ui_attr(ui, UC_TITLE), true,
		       false);
		ui_put_right(ui, y, lw - 1 - vw, vw, v, A_NORMAL);
	}
	draw_chart(ui, tv, y, rows, pt, n, lo, hi);
	int rx = tv->cx + tv->cw + 1, rw = ui->cols - rx;
	if (rw < 4)
		return;
	if (sample_unit)
		fmt_sample(t, sizeof t, mt_sat_from_double(hi), unit);
	else
		tl_fmt_value(t, sizeof t, hi, unit);
	ui_put(ui, y, rx, rw, t, ui_attr(ui, UC_DIM), true, false);
	if (rows < 2)
		return;
	if (sample_unit)
		fmt_sample(t, sizeof t, mt_sat_from_double(lo), unit);
	else
		tl_fmt_value(t, sizeof t, lo, unit);
	ui_put(ui, y + rows - 1, rx, rw, t, ui_attr(ui, UC_DIM), true, false);
}

/* The marks of the snapshots on the time axis (the selected series';
 * others dotted), then the times at both ends. */
static void draw_axis(struct ui *ui, struct tl_view *tv, int y, int lw)
{
	const struct tl_snap *cur = sel_snap(tv);
	int w = tv->cw, ccur = col_of(tv, tv->cursor);
	char *mark = xcalloc((size_t)w + 1, 1);
	for (size_t i = 0; i < tv->tm.snaps.n; i++) {
		const struct tl_snap *sn = &tv->tm.snaps.v[i];
		int c = col_of(tv, sn->en->time);
		char m = cur && sn->series == cur->series ? '^' : '.';
		if (sn->en->id == tv->shown_id)
			m = '*';
		else if (sn->en->id == tv->base_id)
			m = 'b';
		/* The shown snapshot and the base win a shared column. */
		if (mark[c] != '*' && mark[c] != 'b' && (mark[c] != '^' || m != '.'))
			mark[c] = m;
	}
	ui_put(ui, y, 0, lw - 1, "snapshots", ui_attr(ui, UC_DIM), true, false);
	for (int c = 0; c < w; c++) {
		const char *g = " ";
		int a = A_NORMAL;
		switch (mark[c]) {
		case '^':
			g = ui->utf8 ? "\u25b2" : "^", a = ui_attr(ui, UC_TITLE);
			break;
		case '.':
			g = ui->utf8 ? "\u00b7" : ".", a = ui_attr(ui, UC_DIM);
			break;
		case '*':
			g = ui->utf8 ? "\u25cf" : "*",
			a = ui_attr(ui, UC_GROW_FG) | A_BOLD;
			break;
		case 'b':
			g = "b", a = ui_attr(ui, UC_SHRINK_FG) | A_BOLD;
			break;
		default:
			g = c == ccur ? (ui->utf8 ? "\u2502" : "|") : " ";
			break;
		}
		attrset(c == ccur ? ui_attr(ui, UC_SELECTED) : a);
		mvaddstr(y, tv->cx + c, g);
	}
	attrset(A_NORMAL);
	free(mark);
	bool frac = span(tv) < 120 * (int64_t)1000000000;
	char a[48], b[48];
	fmt_time(a, sizeof a, tv->tm.tmin, true, frac);
	fmt_time(b, sizeof b, tv->tm.tmax,
		 span(tv) >= 86400 * (int64_t)1000000000, frac);
	int dim = ui_attr(ui, UC_DIM);
	ui_put(ui, y + 1, tv->cx, w, a, dim, true, false);
	if (ui_width(a) + ui_width(b) + 2 <= w)
		ui_put_right(ui, y + 1, tv->cx + w - ui_width(b), ui_width(b), b, dim);
}

/* One line per series: kind, key, count and a sparkline of its totals. */
static void draw_series(struct ui *ui, struct tl_view *tv, int y, int n)
{
	const struct tl_snap *cur = sel_snap(tv);
	int sw = ui->cols >= 100 ? 24 : 12;
	for (int k = 0; k < n && (size_t)k < tv->tm.series.n; k++) {
		/* The selected series first, then the others in order. */
		size_t si = cur ? (k == 0		      ? cur->series
				   : (size_t)k <= cur->series ? (size_t)k - 1
							      : (size_t)k)
				: (size_t)k;
		const struct tl_series *se = &tv->tm.series.v[si];
		const struct tl_snap *last =
		    &tv->tm.snaps.v[se->snaps.v[se->snaps.n - 1]];
		const struct tl_snap *first = &tv->tm.snaps.v[se->snaps.v[0]];
		const char *unit = last->type >= 0 ? last->en->units[last->type] : "";
		char a[32], b[32], l[160];
		fmt_sample(a, sizeof a, first->total, unit);
		fmt_sample(b, sizeof b, last->total, unit);
		snprintf(l, sizeof l, " %s %-10s %4zu snapshot%s",
			 si == (cur ? cur->series : (size_t)-1) ? ui->g->closed : " ",
			 se->kind, se->snaps.n, se->snaps.n == 1 ? " " : "s");
		int x = ui_put(ui, y + k, 0, ui->cols, l, A_NORMAL, false, false) + 1;
		x += ui_sparkline(ui, y + k, x, sw, se->totals, se->snaps.n,
				  ui_attr(ui, UC_BAR));
		snprintf(l, sizeof l, " %s %s %s ", a, ui->utf8 ? "\u2192" : "->", b);
		x += ui_put(ui, y + k, x + 1, ui->cols - x - 1, l, A_NORMAL, false,
			    false) +
		     1;
		if (x + 4 < ui->cols)
			ui_put(ui, y + k, x + 1, ui->cols - x - 1, se->key,
			       ui_attr(ui, UC_DIM), true, true);
	}
}

static void draw_snaps(struct ui *ui, struct tl_view *tv, int y, int rows)
{
	bool focus = tv->pane == PANE_SNAPS;
	int ta = focus ? ui_attr(ui, UC_HEADER_KEY) : ui_attr(ui, UC_TITLE);
	int wide = ui->cols >= 100;
	int xi = 2, xt = 9, xk = xt + (wide ? 21 : 9), xv = xk + 15, xs = xv + 11;
	ui_put(ui, y, 0, ui->cols, "", ta, true, false);
	ui_put(ui, y, xi, xt - xi, "id", ta, false, false);
	ui_put(ui, y, xt, xk - xt, "time", ta, false, false);
	ui_put(ui, y, xk, xv - xk, "kind", ta, false, false);
	ui_put_right(ui, y, xv, 10, "total", ta);
	ui_put(ui, y, xs, ui->cols - xs, "source", ta, false, false);
	tv->sl.h = rows - 1;
	tv->ysnap = y + 1;
	tv->ysnap_n = tv->sl.h;
	list_fit(&tv->sl);
	for (int r = 0; r < tv->sl.h; r++) {
		size_t i = tv->sl.top + (size_t)r;
		if (i >= tv->tm.snaps.n)
			break;
		const struct tl_snap *sn = &tv->tm.snaps.v[i];
		const struct store_entry *en = sn->en;
		int yy = y + 1 + r;
		bool sel = i == tv->sl.sel;
		int a = sel ? (focus ? ui_attr(ui, UC_SELECTED) : (int)A_BOLD)
			    : (int)A_NORMAL;
		char t[64], v[32], id[32];
		ui_put(ui, yy, 0, ui->cols, "", a, true, false);
		const char *m = en->id == tv->shown_id	? (ui->utf8 ? "\u25cf" : "*")
				: en->id == tv->base_id ? "b"
							: " ";
		ui_put(ui, yy, 0, 1, m, a | A_BOLD, false, false);
		snprintf(id, sizeof id, "@%lld", (long long)en->id);
		ui_put(ui, yy, xi, xt - xi - 1, id, a, false, false);
		fmt_time(t, sizeof t, en->time, wide, false);
		ui_put(ui, yy, xt, xk - xt - 1, t, a, false, false);
		ui_put(ui, yy, xk, xv - xk - 1, en->kind, a, false, false);
		if (sn->type >= 0)
			fmt_sample(v, sizeof v, sn->total, en->units[sn->type]);
		else
			snprintf(v, sizeof v, "-");
		ui_put_right(ui, yy, xv, 10, v, a);
		ui_put(ui, yy, xs, ui->cols - xs, en->source, a, true, true);
	}
}

static void draw_leaks(struct ui *ui, struct tl_view *tv, int y, int rows)
{
	bool focus = tv->pane == PANE_LEAKS;
	int ta = focus ? ui_attr(ui, UC_HEADER_KEY) : ui_attr(ui, UC_TITLE);
	const struct trend *tr = tv->tr;
	int sw = ui->cols >= 100 ? 14 : 8;
	int xs = ui->cols - sw - 1, xr = xs - 6, xp = xr - 11, xl = xp - 10,
	    xf = xl - 10;
	/* Narrow screens keep the name, the slope and the sparkline. */
	bool ends = xf >= 24;
	if (!ends)
		xf = xp;
	char h[700];
	size_t nleak = 0;
	for (size_t i = 0; tr && i < tr->nrows; i++)
		nleak += tr->rows[i].flat.leak;
	/* Rates are per hour: the header says over how long they were
	 * measured. */
	char span[32];
	if (tr)
		mt_format_span(span, sizeof span,
			       tr->nsnap ? mt_sat_sub(tr->times[tr->nsnap - 1], tr->times[0]) : 0);
	if (tr) {
		snprintf(h, sizeof h,
			 " leak suspects: %s %s, %zu snapshots over %s, %zu growing steadily",
			 tr->kind, tr->sample_type, tr->nsnap, span, nleak);
		if (ui_width(h) > xf - 1)
			snprintf(h, sizeof h, " suspects, %zu snapshots over %s: %zu growing",
				 tr->nsnap, span, nleak);
		if (ui_width(h) > xf - 1)
			snprintf(h, sizeof h, " suspects over %s: %zu growing", span, nleak);
	}
	else
		snprintf(h, sizeof h, " leak suspects: %s",
			 tv->tm.trend_err[0] ? tv->tm.trend_err : "no snapshots");
	ui_put(ui, y, 0, ui->cols, "", ta, true, false);
	ui_put(ui, y, 0, xf - 1, h, ta, false, false);
	if (ends) {
		ui_put_right(ui, y, xf, 9, "first", ta);
		ui_put_right(ui, y, xl, 9, "last", ta);
	}
	ui_put_right(ui, y, xp, 10, "per hour", ta);
	ui_put_right(ui, y, xr, 5, ui->utf8 ? "R\u00b2" : "R2", ta);
	ui_put(ui, y, xs + 1, sw, "flat", ta, false, false);
	tv->ll.h = rows - 1;
	tv->yleak = y + 1;
	tv->yleak_n = tv->ll.h;
	list_fit(&tv->ll);
	for (int r = 0; tr && r < tv->ll.h; r++) {
		size_t i = tv->ll.top + (size_t)r;
		if (i >= tr->nrows)
			break;
		const struct trend_row *row = &tr->rows[i];
		int yy = y + 1 + r;
		bool sel = i == tv->ll.sel;
		int a = sel ? (focus ? ui_attr(ui, UC_SELECTED) : (int)A_BOLD)
			    : (int)A_NORMAL;
		char f[32], l[32], p[40], q[16];
		ui_put(ui, yy, 0, ui->cols, "", a, true, false);
		ui_put(ui, yy, 0, 2, row->flat.leak ? "!" : " ",
		       sel ? a : ui_attr(ui, UC_GROW_FG) | (int)A_BOLD, false, false);
		ui_put_name(ui, yy, 2, xf - 3, mt_node_name(&tr->nodes, row->node), a,
			    sel);
		fmt_sample(f, sizeof f, row->flat.first, tr->unit);
		fmt_sample(l, sizeof l, row->flat.last, tr->unit);
		int64_t sl = mt_sat_from_double(row->flat.slope_per_hour +
						(row->flat.slope_per_hour < 0 ? -0.5 : 0.5));
		fmt_sample(p, sizeof p, sl, tr->unit);
		char pp[48];
		snprintf(pp, sizeof pp, "%s%s", sl > 0 ? "+" : "", p);
		snprintf(q, sizeof q, "%.2f", row->flat.r2);
		if (ends) {
			ui_put_right(ui, yy, xf, 9, f, a);
			ui_put_right(ui, yy, xl, 9, l, a);
		}
		ui_put_right(ui, yy, xp, 10, pp, a);
		ui_put_right(ui, yy, xr, 5, q, a);
		ui_sparkline(ui, yy, xs + 1, sw, row->flat_values, tr->nsnap,
			     sel ? a
				 : ui_attr(ui, row->flat.leak ? UC_GROW_FG : UC_BAR));
	}
}

static void draw_findings(struct ui *ui, struct tl_view *tv, int y, int n)
{
	for (int k = 0; k < n && (size_t)k < tv->tm.nfindings; k++) {
		const struct finding *f = &tv->tm.findings[k];
		ui_put(ui, y + k, 0, 2, "!", ui_attr(ui, UC_GROW_FG) | A_BOLD, false,
		       false);
		char l[1200];
		snprintf(l, sizeof l, "%s: %s", f->name, f->text);
		ui_put(ui, y + k, 2, ui->cols - 2, l, A_NORMAL, true, false);
	}
}

static void tl_draw(struct ui *ui, struct view *v)
{
	struct tl_view *tv = v->priv;
	sync(ui, tv);
	int y = ui->y0, h = ui->h - 1; /* the last row: the hints */
	const struct tl_snap *cur = sel_snap(tv);

	/* Layout: title, charts, axis (2), series, snapshots, suspects,
	 * findings; the charts get up to 45% of what is left, 1-3 rows each. */
	int nsrc = (int)(tv->tm.series.n < 3 ? tv->tm.series.n : 3);
	int nf = (int)(tv->tm.nfindings < 3 ? tv->tm.nfindings : 3);
	if (h < 30 && nf > 1)
		nf = 1;
	if (h < 30 && nsrc > 2)
		nsrc = 2;
	int fixed = 1 + 2 + nsrc + nf;
	int nch = 1 + (int)tv->tm.charts.n;
	int budget = (h - fixed) * 45 / 100;
	if (h - fixed - budget < 8)
		budget = h - fixed - 8;
	int ch = budget >= nch * 3 ? 3 : budget >= nch * 2 ? 2 : 1;
	if (nch * ch > budget)
		nch = budget > 0 ? budget : 0;
	int lists = h - fixed - nch * ch;
	int nsnaps = lists / 2, nleaks = lists - nsnaps;

	int lw = ui->cols >= 100 ? 22 : 17, rw = ui->cols >= 100 ? 9 : 8;
	tv->cx = lw;
	tv->cw = ui->cols - lw - rw - 1;
	if (tv->cw < 8)
		tv->cw = 8;

	char ts[48], title[400];
	bool frac = span(tv) < 120 * (int64_t)1000000000;
	fmt_time(ts, sizeof ts, tv->cursor, true, frac);
	int n =
	    snprintf(title, sizeof title, " %zu snapshot%s in %zu series %s cursor %s",
		     tv->tm.snaps.n, tv->tm.snaps.n == 1 ? "" : "s", tv->tm.series.n,
		     ui->g->vline, ts);
	if (cur)
		n += snprintf(title + n, sizeof title - (size_t)n, " (@%lld)",
			      (long long)cur->en->id);
	if (tv->shown_id)
		n += snprintf(title + n, sizeof title - (size_t)n, " %s shown @%lld",
			      ui->g->vline, (long long)tv->shown_id);
	if (tv->base_id)
		snprintf(title + n, sizeof title - (size_t)n, " %s base @%lld",
			 ui->g->vline, (long long)tv->base_id);
	ui_put(ui, y, 0, ui->cols, title, ui_attr(ui, UC_TITLE), true, false);
	y++;

	tv->ychart0 = y;
	if (nch > 0 && cur) {
		/* The selected series' totals, then the metrics. */
		const struct tl_series *se = &tv->tm.series.v[cur->series];
		struct metrics_point *pt = xmalloc((se->snaps.n + 1) * sizeof *pt);
		double lo = 0, hi = 0;
		for (size_t i = 0; i < se->snaps.n; i++) {
			const struct tl_snap *sn = &tv->tm.snaps.v[se->snaps.v[i]];
			pt[i] = (struct metrics_point){sn->en->time, (double)sn->total};
			lo = i == 0 || pt[i].value < lo ? pt[i].value : lo;
			hi = i == 0 || pt[i].value > hi ? pt[i].value : hi;
		}
		/* Titled by the sample type whose totals it draws. */
		const char *t =
		    cur->type >= 0 ? cur->en->types[cur->type] : cur->en->kind;
		draw_chart_row(ui, tv, y, ch, lw, t,
			       cur->type >= 0 ? cur->en->units[cur->type] : "", pt,
			       se->snaps.n, lo, hi, true);
		free(pt);
		y += ch;
	}
	for (int k = 1; k < nch; k++, y += ch) {
		const struct tl_chart *c = &tv->tm.charts.v[k - 1];
		draw_chart_row(ui, tv, y, ch, lw, c->title, c->unit, c->se->v, c->se->n,
			       c->lo, c->hi, false);
	}
	draw_axis(ui, tv, y, lw);
	y += 2;
	tv->ychart1 = y;
	draw_series(ui, tv, y, nsrc);
	y += nsrc;
	draw_snaps(ui, tv, y, nsnaps);
	y += nsnaps;
	draw_leaks(ui, tv, y, nleaks);
	y += nleaks;
	draw_findings(ui, tv, y, nf);
	ui_put_info(ui, ui->y0 + ui->h - 1,
		    tv->pane == PANE_LEAKS
			? " suspects: Enter: diff of the series' first and last snapshots on "
			  "it, Tab: snapshots, f/i/h: filter, /: search"
			: " Up/Down: snapshot, Left/Right: time, Enter: open it, b: mark it "
			  "the base (Enter on another: diff), Tab: leak suspects, s: type",
		    ui_attr(ui, UC_DIM));
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/* Loads snapshot id (against base, 0: none) into the model and shows it:
 * the diff with a base, else the goroutines or the top table. */
static bool open_snapshot(struct ui *ui, struct view *v, int64_t id, int64_t base)
{
	struct model *md = ui->md;
	struct mt_err e = {{0}};
	ui_model_changing(ui);
	if (!model_load_snapshots(md, id, base, &e)) {
		ui_message(ui, true, "@%lld: %s", (long long)id, e.msg);
		return false;
	}
	model_warm(md, ui->cols);
	if (md->base) {
		struct diffmodel *dm = diffmodel_get(md);
		if (dm) {
			diffmodel_graphs(dm);
			diffmodel_tree(dm, md);
		}
	}
	v->generation = md->generation; /* this view keeps its state */
	ui_switch(ui, base				? VIEW_DIFF
		      : gmodel_is_goroutines(md->p) ? VIEW_GOROUTINES
							: VIEW_TOP);
	if (base)
		ui_message(ui, false,
			   "diff: base @%lld, new @%lld (Esc: back to the timeline)",
			   (long long)base, (long long)id);
	else
		ui_message(ui, false,
			   "@%lld open in views 1-4 (Esc: back to the timeline)",
			   (long long)id);
	return true;
}

/* Enter on a leak suspect: the diff of the series' first and last
 * snapshots, with the function found in it. */
static void open_suspect(struct ui *ui, struct view *v, struct tl_view *tv)
{
	const struct trend *tr = tv->tr;
	if (!tr || tv->ll.sel >= tr->nrows) {
		ui_message(ui, false, "no leak suspects here");
		return;
	}
	if (tr->nsnap < 2) {
		ui_message(ui, false,
			   "the series has one snapshot: nothing to compare");
		return;
	}
	char name[256];
	snprintf(name, sizeof name, "%s",
		 mt_node_name(&tr->nodes, tr->rows[tv->ll.sel].node));
	int64_t first = tr->ids[0], last = tr->ids[tr->nsnap - 1];
	tv->base_id = first;
	ptrdiff_t i = tlmodel_find(&tv->tm, last);
	if (i >= 0)
		select_row(tv, (size_t)i, true);
	if (!open_snapshot(ui, v, last, first))
		return;
	ui_set_search(ui, name);
	ui_current(ui); /* reopened on the new snapshots first */
	ui_find(ui, 0);
	ui_message(ui, false, "diff of the series: first @%lld, last @%lld; /%s",
		   (long long)first, (long long)last, name);
}

static enum view_result tl_request(struct ui *ui, struct view *v, enum request req)
{
	struct tl_view *tv = v->priv;
	sync(ui, tv);
	const struct tl_snap *sn = sel_snap(tv);
	switch (req) {
	case REQ_UP:
	case REQ_DOWN:
	case REQ_PGUP:
	case REQ_PGDN:
		if (tv->pane == PANE_LEAKS) {
			list_request(&tv->ll, req);
		} else if (list_request(&tv->sl, req)) {
			select_row(tv, tv->sl.sel, true);
		}
		return VIEW_DONE;
	case REQ_HOME:
	case REQ_END:
		if (tv->pane == PANE_LEAKS) {
			list_request(&tv->ll, req);
			return VIEW_DONE;
		}
		/* The ends of the time axis, and the snapshot there. */
		tv->cursor = req == REQ_HOME ? tv->tm.tmin : tv->tm.tmax;
		if (tv->tm.snaps.n)
			select_row(tv, req == REQ_HOME ? 0 : tv->tm.snaps.n - 1, false);
		return VIEW_DONE;
	case REQ_LEFT:
	case REQ_RIGHT: {
		int c = col_of(tv, tv->cursor) + (req == REQ_LEFT ? -1 : 1);
		if (c >= 0 && c < (tv->cw > 1 ? tv->cw : 2))
			move_cursor(tv, time_of(tv, c));
		return VIEW_DONE;
	}
	case REQ_VIEW_NEXT:
		tv->pane = tv->pane == PANE_SNAPS ? PANE_LEAKS : PANE_SNAPS;
		return VIEW_DONE;
	case REQ_INVERT:
		if (!sn)
			return VIEW_DONE;
		if (tv->base_id == sn->en->id) {
			tv->base_id = 0;
			ui_message(ui, false, "base mark removed");
		} else {
			tv->base_id = sn->en->id;
			ui_message(
			    ui, false,
			    "base: @%lld; Enter on another snapshot opens the diff",
			    (long long)sn->en->id);
		}
		return VIEW_DONE;
	case REQ_ENTER:
		if (tv->pane == PANE_LEAKS) {
			open_suspect(ui, v, tv);
			return VIEW_DONE;
		}
		if (!sn)
			return VIEW_DONE;
		if (tv->base_id == sn->en->id) {
			ui_message(ui, false,
				   "@%lld is the base: Enter on another snapshot",
				   (long long)sn->en->id);
			return VIEW_DONE;
		}
		open_snapshot(ui, v, sn->en->id, tv->base_id);
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

static bool tl_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct tl_view *tv = v->priv;
	struct model *md = ui->md;
	(void)arg;
	/* Snapshots live in a database: --db, or the default one (where
	 * memtop FILE stores its files and @ID reads from). */
	struct mt_err e = {{0}};
	if (!tlmodel_open(&tv->tm, md->q->db, &e)) {
		if (md->q->db || md->snap_id)
			ui_message(ui, true, "timeline: %s", e.msg);
		return false;
	}
	if (!tv->tm.snaps.n) {
		tlmodel_done(&tv->tm);
		return false;
	}
	tv->serial = tv->tm.serial;
	tv->sl.n = tv->tm.snaps.n;
	tv->sl.h = ui->h / 4 > 0 ? ui->h / 4 : 1;
	tv->base_id = md->base_id;
	tv->shown_id = shown_snapshot(tv, md);
	ptrdiff_t i = tlmodel_find(&tv->tm, tv->shown_id);
	select_row(tv, i >= 0 ? (size_t)i : tv->tm.snaps.n - 1, true);
	return true;
}

static void tl_done(struct view *v)
{
	struct tl_view *tv = v->priv;
	tlmodel_done(&tv->tm);
}

static bool tl_idle(struct ui *ui, struct view *v)
{
	struct tl_view *tv = v->priv;
	(void)ui;
	return tlmodel_poll(&tv->tm);
}

static bool tl_find(struct ui *ui, struct view *v, int dir)
{
	struct tl_view *tv = v->priv;
	const struct trend *tr = tv->tr;
	size_t n = tr ? tr->nrows : 0;
	for (size_t k = dir == 0 ? 0 : 1; k < n; k++) {
		size_t i = dir < 0 ? (tv->ll.sel + n - k) % n : (tv->ll.sel + k) % n;
		if (ui_matches(ui, mt_node_name(&tr->nodes, tr->rows[i].node))) {
			tv->pane = PANE_LEAKS;
			list_select(&tv->ll, i);
			return true;
		}
	}
	return false;
}

static size_t tl_count(struct ui *ui, struct view *v, size_t *at)
{
	struct tl_view *tv = v->priv;
	const struct trend *tr = tv->tr;
	size_t c = 0;
	*at = 0;
	for (size_t i = 0; tr && i < tr->nrows; i++) {
		if (!ui_matches(ui, mt_node_name(&tr->nodes, tr->rows[i].node)))
			continue;
		c++;
		if (i == tv->ll.sel && tv->pane == PANE_LEAKS)
			*at = c;
	}
	return c;
}

/* The selected suspect as a function of the model (for f, i, h, l). */
static uint32_t tl_selected(struct ui *ui, struct view *v)
{
	struct tl_view *tv = v->priv;
	if (tv->pane != PANE_LEAKS || !tv->tr || tv->ll.sel >= tv->tr->nrows)
		return MT_NONE;
	const char *name = mt_node_name(&tv->tr->nodes, tv->tr->rows[tv->ll.sel].node);
	mt_str id = strtab_find(&ui->md->rep.nodes.names, name, strlen(name));
	return id == (mt_str)-1 || id == 0 ? MT_NONE : id - 1;
}

static void tl_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct tl_view *tv = v->priv;
	if (y >= tv->ychart0 && y < tv->ychart1 && x >= tv->cx && x < tv->cx + tv->cw) {
		move_cursor(tv, time_of(tv, x - tv->cx));
		return;
	}
	if (y >= tv->ysnap && y < tv->ysnap + tv->ysnap_n &&
	    tv->sl.top + (size_t)(y - tv->ysnap) < tv->tm.snaps.n) {
		tv->pane = PANE_SNAPS;
		select_row(tv, tv->sl.top + (size_t)(y - tv->ysnap), true);
	} else if (y >= tv->yleak && y < tv->yleak + tv->yleak_n && tv->tr &&
		   tv->ll.top + (size_t)(y - tv->yleak) < tv->tr->nrows) {
		tv->pane = PANE_LEAKS;
		tv->ll.sel = tv->ll.top + (size_t)(y - tv->yleak);
	} else {
		return;
	}
	if (dbl)
		tl_request(ui, v, REQ_ENTER);
}

const struct view_ops view_timeline_ops = {
    .name = "snapshots",
    .private_size = sizeof(struct tl_view),
    .open = tl_open,
    .draw = tl_draw,
    .request = tl_request,
    .done = tl_done,
    .find = tl_find,
    .count = tl_count,
    .selected = tl_selected,
    .click = tl_click,
    .idle = tl_idle,
};
