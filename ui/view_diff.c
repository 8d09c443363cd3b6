/* view_diff.c - view 4, the diff of two profiles (memtop BASE NEW): per
 * function base, new, delta with a bar, and delta% side by side, sorted by
 * growth, with the numbers of `memtop diff` (and so pprof -base); Enter
 * drills into where a function's growth comes from (its callers and
 * callees in both profiles, view_diff_peek_ops), d opens the diff flame
 * graph, A switches between absolute and normalized. Two goroutine dumps
 * are compared by group instead (gm_diff, the rows of `memtop diff` on two
 * dumps): only in the base, only in the new, in both, with how many of the
 * same goroutines both hold; Enter opens the new group's stack. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "query/diffmodel.h"
#include "query/gmodel.h"
#include "list.h"
#include "view.h"

static const char *const sort_names[] = {[MT_DIFF_GROWTH] = "delta flat",
					 [MT_DIFF_CUM] = "delta cum",
					 [MT_DIFF_FLAT] = "new flat"};

struct diff_view {
	char name[2048]; /* row_name's answer (goroutine groups) */
	enum mt_diff_sort sort;
	unsigned serial; /* of the diffmodel the rows are sorted for */
	struct list l;
};

static void fmt_delta(const struct model *md, char *buf, size_t n, int64_t d)
{
	char t[32];
	model_fmt(md, t, sizeof t, d);
	snprintf(buf, n, "%s%s", d > 0 ? "+" : "", t);
}

/* delta as a percentage of ref, as memtop diff prints it, in at most 8
 * columns: fewer decimals from 1000% up, a factor from 10000x up. */
static void delta_pct(char *buf, size_t n, int64_t delta, int64_t ref)
{
	double p = ref ? 100.0 * (double)delta / (double)mt_sat_abs(ref) : 0;
	if (delta == 0)
		snprintf(buf, n, "0%%");
	else if (ref == 0)
		snprintf(buf, n, "new");
	else if (fabs(p) < 999.995)
		snprintf(buf, n, "%+.2f%%", p);
	else if (fabs(p) < 999999.5)
		snprintf(buf, n, "%+.0f%%", p);
	else if (fabs(p) / 100 < 9999999.5)
		snprintf(buf, n, "%+.0fx", p / 100);
	else
		snprintf(buf, n, "%s", p > 0 ? "huge" : "-huge");
}

static int bar_width(int cols) { return cols >= 120 ? 12 : cols >= 100 ? 8 : 0; }

/* A bar for a delta: red growth, green shrink. */
static void delta_bar(struct ui *ui, int y, int x, int w, int64_t d, int64_t max,
		      bool sel)
{
	double fr = max ? (double)mt_sat_abs(d) / (double)max : 0;
	if (d != 0 && fr * w * 8 < 1)
		fr = 1.0 / (8.0 * w); /* a change is never nothing */
	ui_bar(ui, y, x, w, fr,
	       sel ? ui_attr(ui, UC_SELECTED)
		   : ui_attr(ui, d > 0 ? UC_GROW_FG : UC_SHRINK_FG));
}

/* ---- two goroutine dumps ------------------------------------------------ */

/* The group of diff row r (the new side's when it has one) and its set. */
static const struct gg_group *grow_group(const struct gm_diff *gd, const struct gmodel *gm,
					 const struct gg_diff_row *r, const struct gg_set **s)
{
	*s = r->new_ != MT_NONE ? &gm->set : &gd->base;
	return &(*s)->groups.v[r->new_ != MT_NONE ? r->new_ : r->base];
}

static void gdiff_draw(struct ui *ui, struct diff_view *dv, const struct gm_diff *gd)
{
	struct model *md = ui->md;
	const struct gmodel *gm = md->gor;
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	char line[700];
	int64_t dt = gd->d.new_total - gd->d.base_total;
	snprintf(line, sizeof line,
		 " base %s %s %lld  new %s %s %lld goroutines (%+lld) %s groups: %zu in both, "
		 "%zu new, %zu gone",
		 md->base_name, ui->g->vline, (long long)gd->d.base_total, md->name, ui->g->vline,
		 (long long)gd->d.new_total, (long long)dt, ui->g->vline, gd->d.both,
		 gd->d.only_new, gd->d.only_base);
	ui_put(ui, y, 0, ui->cols, line, ta, true, false);
	ui_put(ui, y + 1, 0, ui->cols, "", ta, true, false);
	ui_put_right(ui, y + 1, 0, 7, "base", ta);
	ui_put_right(ui, y + 1, 8, 7, "new", ta);
	ui_put_right(ui, y + 1, 16, 7, "\u25bcdelta" + (ui->utf8 ? 0 : 3), ta);
	ui_put_right(ui, y + 1, 24, 6, "kept", ta);
	ui_put(ui, y + 1, 32, 5, "in", ta, false, false);
	ui_put(ui, y + 1, 38, ui->cols - 38, "group (state, created by)", ta, false, false);
	dv->l.h = ui->h - 3;
	dv->l.n = gd->rows.n;
	list_fit(&dv->l);
	for (int k = 0; k < dv->l.h; k++) {
		size_t i = dv->l.top + (size_t)k;
		if (i >= gd->rows.n)
			break;
		const struct gg_diff_row *r = &gd->d.rows.v[gd->rows.v[i]];
		const struct gg_set *s;
		const struct gg_group *g = grow_group(gd, gm, r, &s);
		int yy = y + 2 + k;
		bool sel = i == dv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char kept[24] = "-";
		if (r->base != MT_NONE && r->new_ != MT_NONE && gm->set.has_ids)
			snprintf(kept, sizeof kept, "%lld", (long long)r->kept);
		const char *in = r->base == MT_NONE ? "new" : r->new_ == MT_NONE ? "base" : "both";
		int64_t d = r->new_count - r->base_count;
		snprintf(line, sizeof line, "%7lld %7lld %+7lld %6s  %-4s ", (long long)r->base_count,
			 (long long)r->new_count, (long long)d, kept, in);
		ui_put(ui, yy, 0, 38, line, a, true, false);
		if (!sel && d) {
			char dl[24];
			snprintf(dl, sizeof dl, "%+7lld", (long long)d);
			ui_put(ui, yy, 16, 7, dl, ui_attr(ui, d > 0 ? UC_GROW_FG : UC_SHRINK_FG),
			       false, false);
		}
		int n = snprintf(line, sizeof line, "%s", gg_name(s, g));
		if (*g->state)
			n += snprintf(line + n, sizeof line - (size_t)n, " in %s", g->state);
		if (*g->creator)
			snprintf(line + n, sizeof line - (size_t)n, ", created by %s", g->creator);
		ui_put(ui, yy, 38, ui->cols - 38, line, a, true, false);
	}
	if (!gd->rows.n)
		ui_put(ui, y + 2, 2, ui->cols - 2, "no goroutine groups left under the filters",
		       ui_attr(ui, UC_DIM), false, false);
	snprintf(line, sizeof line,
		 " %zu group%s, by growth %s row %zu/%zu %s Enter: the new group's stack, "
		 "6: goroutines of the new dump",
		 gd->rows.n, gd->rows.n == 1 ? "" : "s", ui->g->vline,
		 gd->rows.n ? dv->l.sel + 1 : 0, gd->rows.n, ui->g->vline);
	ui_put(ui, y + ui->h - 1, 0, ui->cols, line, ui_attr(ui, UC_DIM), true, false);
}

static enum view_result gdiff_request(struct ui *ui, struct diff_view *dv,
				      const struct gm_diff *gd, enum request req)
{
	dv->l.n = gd->rows.n;
	if (list_request(&dv->l, req))
		return VIEW_DONE;
	if (req != REQ_ENTER && req != REQ_RIGHT)
		return req == REQ_SORT || req == REQ_DIFF_FLAME ? VIEW_DONE : VIEW_PASS;
	if (!gd->rows.n)
		return VIEW_DONE;
	const struct gg_diff_row *r = &gd->d.rows.v[gd->rows.v[dv->l.sel]];
	if (r->new_ == MT_NONE)
		ui_message(ui, false, "only in the base: no goroutine of it is left");
	else
		ui_push(ui, VIEW_GSTACK, r->new_);
	return VIEW_DONE;
}

/* What a search of a goroutine group looks at: state, creator, functions. */
static const char *gdiff_row_name(struct ui *ui, struct diff_view *dv, const struct gm_diff *gd,
				  size_t i)
{
	const struct gmodel *gm = ui->md->gor;
	const struct gg_set *s;
	const struct gg_group *g = grow_group(gd, gm, &gd->d.rows.v[gd->rows.v[i]], &s);
	size_t k = (size_t)snprintf(dv->name, sizeof dv->name, "%s %s", g->state, g->creator);
	for (uint32_t f = 0; f < g->nf && k < sizeof dv->name; f++)
		k += (size_t)snprintf(dv->name + k, sizeof dv->name - k, " %s",
				      s->frames.v[g->f0 + f].func);
	return dv->name;
}

static bool diff_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct diff_view *dv = v->priv;
	dv->sort = MT_DIFF_GROWTH;
	if (gmodel_diff(ui->md))
		return true;
	return diffmodel_get(ui->md) != NULL;
}

static struct diffmodel *diff_rows(struct ui *ui, struct diff_view *dv)
{
	struct diffmodel *dm = diffmodel_get(ui->md);
	if (dm && dm->serial != dv->serial) {
		mt_diff_sort(&dm->d, dv->sort);
		dv->serial = dm->serial;
		dv->l.n = dm->d.n;
		list_fit(&dv->l);
	}
	return dm;
}

static void diff_draw(struct ui *ui, struct view *v)
{
	struct diff_view *dv = v->priv;
	struct model *md = ui->md;
	const struct gm_diff *gd = gmodel_diff(md);
	if (gd) {
		gdiff_draw(ui, dv, gd);
		return;
	}
	struct diffmodel *dm = diff_rows(ui, dv);
	if (!dm) {
		ui_put(ui, ui->y0 + 1, 2, ui->cols - 2, "the diff could not be built",
		       ui_attr(ui, UC_ERROR), false, false);
		return;
	}
	const struct mt_diff *d = &dm->d;
	bool cum = dv->sort == MT_DIFF_CUM;
	int y = ui->y0, bw = bar_width(ui->cols), ta = ui_attr(ui, UC_TITLE);
	/* The totals line. */
	char bt[32], nt[32], dt[40], dp[24], line[400];
	model_fmt(md, bt, sizeof bt, d->base_total);
	model_fmt(md, nt, sizeof nt, d->new_total);
	fmt_delta(md, dt, sizeof dt, mt_sat_sub(d->new_total, d->base_total));
	delta_pct(dp, sizeof dp, mt_sat_sub(d->new_total, d->base_total), d->base_total);
	snprintf(line, sizeof line, " base %s %s %s  new %s %s %s  delta %s (%s)%s",
		 md->base_name, ui->g->vline, bt, md->name, ui->g->vline, nt, dt, dp,
		 dm->normalized ? "  normalized" : "");
	ui_put(ui, y, 0, ui->cols, line, ta, true, false);
	/* Column titles. */
	int xbar = 34, xpct = xbar + (bw ? bw + 1 : 0), xname = xpct + 10;
	const char *mark = ui->g->arrow_down;
	char h1[32], h2[32];
	snprintf(h1, sizeof h1, "%s%s", dv->sort == MT_DIFF_FLAT ? mark : "", "new");
	snprintf(h2, sizeof h2, "%s%s", dv->sort != MT_DIFF_FLAT ? mark : "", "delta");
	ui_put(ui, y + 1, 0, ui->cols, "", ta, true, false);
	ui_put_right(ui, y + 1, 0, 10, "base", ta);
	ui_put_right(ui, y + 1, 11, 10, h1, ta);
	ui_put_right(ui, y + 1, 22, 11, h2, ta);
	ui_put_right(ui, y + 1, xpct, 8, "delta%", ta);
	snprintf(line, sizeof line, "name (%s)", cum ? "cum" : "flat");
	ui_put(ui, y + 1, xname, ui->cols - xname, line, ta, false, false);

	dv->l.h = ui->h - 3;
	dv->l.n = d->n;
	list_fit(&dv->l);
	int64_t maxd = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct mt_diff_row *r = &d->rows[i];
		int64_t x = cum ? mt_sat_sub(r->new_cum, r->base_cum)
				: mt_sat_sub(r->new_flat, r->base_flat);
		x = mt_sat_abs(x);
		maxd = x > maxd ? x : maxd;
	}
	for (int k = 0; k < dv->l.h; k++) {
		size_t i = dv->l.top + (size_t)k;
		if (i >= d->n)
			break;
		const struct mt_diff_row *r = &d->rows[i];
		int yy = y + 2 + k;
		bool sel = i == dv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		int64_t bv = cum ? r->base_cum : r->base_flat;
		int64_t nv = cum ? r->new_cum : r->new_flat;
		char b[32], n[32], dl[40], pc[24];
		model_fmt(md, b, sizeof b, bv);
		model_fmt(md, n, sizeof n, nv);
		int64_t dlt = mt_sat_sub(nv, bv);
		fmt_delta(md, dl, sizeof dl, dlt);
		delta_pct(pc, sizeof pc, dlt, bv);
		snprintf(line, sizeof line, "%10s %10s %11s ", b, n, dl);
		ui_put(ui, yy, 0, xbar, line, a, true, false);
		if (bw) {
			delta_bar(ui, yy, xbar, bw, dlt, maxd, sel);
			ui_put(ui, yy, xbar + bw, 1, "", a, true, false);
		}
		snprintf(line, sizeof line, "%8s  ", pc);
		ui_put(ui, yy, xpct, 10, line, a, true, false);
		ui_put_name(ui, yy, xname, ui->cols - xname,
			    strtab_get(&d->names, r->name), a, sel);
	}
	if (d->n == 0)
		ui_put(ui, y + 2, 2, ui->cols - 2,
		       "no functions left under the filters", ui_attr(ui, UC_DIM),
		       false, false);
	char info[400];
	snprintf(info, sizeof info,
		 " %zu functions, sorted by %s %s row %zu/%zu %s Enter: "
		 "callers/callees, d: flame, o: sort, A: %s",
		 d->n, sort_names[dv->sort], ui->g->vline, d->n ? dv->l.sel + 1 : 0,
		 d->n, ui->g->vline, dm->normalized ? "absolute" : "normalize");
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result diff_request(struct ui *ui, struct view *v, enum request req)
{
	struct diff_view *dv = v->priv;
	const struct gm_diff *gd = gmodel_diff(ui->md);
	if (gd)
		return gdiff_request(ui, dv, gd, req);
	struct diffmodel *dm = diff_rows(ui, dv);
	if (!dm)
		return VIEW_PASS;
	if (list_request(&dv->l, req))
		return VIEW_DONE;
	switch (req) {
	case REQ_SORT:
		dv->sort = (enum mt_diff_sort)((dv->sort + 1) % 3);
		mt_diff_sort(&dm->d, dv->sort);
		dv->l.sel = dv->l.top = 0;
		ui_message(ui, false, "sorted by %s", sort_names[dv->sort]);
		return VIEW_DONE;
	case REQ_ENTER:
	case REQ_RIGHT:
		if (dm->d.n)
			ui_push(ui, VIEW_DIFF_PEEK,
				ui_name_arg(ui, strtab_get(&dm->d.names,
						     dm->d.rows[dv->l.sel].name)));
		return VIEW_DONE;
	case REQ_DIFF_FLAME:
		if (!dm->tree_ok) {
			/* Built once, after the first screen; say so when it
			 * is not yet. */
			ui_message(ui, false, "building the diff's call tree...");
			ui_draw_now(ui);
		}
		ui_push(ui, VIEW_DIFF_FLAME, 0);
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

static struct list *diff_list(struct ui *ui, struct view *v)
{
	struct diff_view *dv = v->priv;
	const struct gm_diff *gd = gmodel_diff(ui->md);
	if (gd) {
		dv->l.n = gd->rows.n;
		return &dv->l;
	}
	struct diffmodel *dm = diff_rows(ui, dv);
	dv->l.n = dm ? dm->d.n : 0;
	return &dv->l;
}

static const char *diff_row_name(struct ui *ui, struct view *v, size_t i)
{
	const struct gm_diff *gd = gmodel_diff(ui->md);
	if (gd)
		return gdiff_row_name(ui, v->priv, gd, i);
	struct diffmodel *dm = diff_rows(ui, v->priv);
	return strtab_get(&dm->d.names, dm->d.rows[i].name);
}

/* The model's function of a name, for the filters. */
static uint32_t model_func(struct ui *ui, const char *name)
{
	mt_str id = strtab_find(&ui->md->rep.nodes.names, name, strlen(name));
	return id == (mt_str)-1 || id == 0 ? MT_NONE : id - 1;
}

static uint32_t diff_selected(struct ui *ui, struct view *v)
{
	struct diff_view *dv = v->priv;
	if (gmodel_diff(ui->md))
		return MT_NONE;
	struct diffmodel *dm = diff_rows(ui, dv);
	if (!dm || !dm->d.n)
		return MT_NONE;
	return model_func(ui, strtab_get(&dm->d.names, dm->d.rows[dv->l.sel].name));
}

static void diff_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct diff_view *dv = v->priv;
	const struct gm_diff *gd = gmodel_diff(ui->md);
	if (gd) {
		int r = y - ui->y0 - 2;
		if (r >= 0 && dv->l.top + (size_t)r < gd->rows.n)
			dv->l.sel = dv->l.top + (size_t)r;
		if (dbl)
			diff_request(ui, v, REQ_ENTER);
		return;
	}
	struct diffmodel *dm = diff_rows(ui, dv);
	int r = y - ui->y0 - 2;
	if (!dm || r < 0 || dv->l.top + (size_t)r >= dm->d.n)
		return;
	dv->l.sel = dv->l.top + (size_t)r;
	if (dbl)
		diff_request(ui, v, REQ_ENTER);
}

const struct view_ops view_diff_ops = {
    .name = "diff",
    .private_size = sizeof(struct diff_view),
    .open = diff_open,
    .draw = diff_draw,
    .request = diff_request,
    .row_list = diff_list,
    .row_name = diff_row_name,
    .selected = diff_selected,
    .click = diff_click,
};

/* ---- the drill-down: callers and callees in both profiles ------------- */

struct dpeek_view {
	mt_str name; /* in ui->names: ids, as pointers move on interning */
	unsigned serial;
	int64_t self[4]; /* base flat, new flat, base cum, new cum */
	struct diff_edge *in, *out;
	size_t nin, nout;
	struct list l;
};

static void dpeek_load(struct ui *ui, struct dpeek_view *pv)
{
	struct diffmodel *dm = diffmodel_get(ui->md);
	free(pv->in);
	free(pv->out);
	pv->in = pv->out = NULL;
	pv->nin = pv->nout = 0;
	if (!dm)
		return;
	diffmodel_peek(dm, strtab_get(&ui->names, pv->name), pv->self, &pv->in, &pv->nin, &pv->out, &pv->nout);
	pv->serial = dm->serial;
	pv->l.n = pv->nin + 1 + pv->nout;
}

static bool dpeek_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct dpeek_view *pv = v->priv;
	if (arg == 0 || arg >= ui->names.n)
		return false;
	pv->name = (mt_str)arg;
	dpeek_load(ui, pv);
	pv->l.h = ui->h - 3;
	list_select(&pv->l, pv->nin);
	return true;
}

static void dpeek_done(struct view *v)
{
	struct dpeek_view *pv = v->priv;
	free(pv->in);
	free(pv->out);
}

static const char *dpeek_row_name(const struct ui *ui, const struct dpeek_view *pv,
				  size_t i)
{
	if (i < pv->nin)
		return pv->in[i].name;
	if (i == pv->nin)
		return strtab_get(&ui->names, pv->name);
	return pv->out[i - pv->nin - 1].name;
}

static void dpeek_draw(struct ui *ui, struct view *v)
{
	struct dpeek_view *pv = v->priv;
	struct model *md = ui->md;
	struct diffmodel *dm = diffmodel_get(md);
	if (dm && dm->serial != pv->serial)
		dpeek_load(ui, pv);
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	char line[400], b[32], n[32], dl[40], pc[24];
	/* The function itself: flat and cum in both. */
	char bf[32], nf[32], df[40];
	model_fmt(md, bf, sizeof bf, pv->self[0]);
	model_fmt(md, nf, sizeof nf, pv->self[1]);
	fmt_delta(md, df, sizeof df, mt_sat_sub(pv->self[1], pv->self[0]));
	snprintf(line, sizeof line, " %s %s flat: base %s, new %s, delta %s%s", strtab_get(&ui->names, pv->name), ui->g->vline, bf, nf, df,
		 dm && dm->normalized ? "  normalized" : "");
	ui_put(ui, y, 0, ui->cols, line, ta, true, true);
	ui_put(ui, y + 1, 0, ui->cols, "", ta, true, false);
	ui_put_right(ui, y + 1, 0, 10, "base", ta);
	ui_put_right(ui, y + 1, 11, 10, "new", ta);
	ui_put_right(ui, y + 1, 22, 11, "delta", ta);
	ui_put_right(ui, y + 1, 34, 8, "delta%", ta);
	int xname = 46;
	ui_put(ui, y + 1, xname, ui->cols - xname, "callers / function (cum) / callees",
	       ta, false, false);
	pv->l.h = ui->h - 3;
	list_fit(&pv->l);
	for (int k = 0; k < pv->l.h; k++) {
		size_t i = pv->l.top + (size_t)k;
		if (i >= pv->l.n)
			break;
		int yy = y + 2 + k;
		bool sel = i == pv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		int64_t bv, nv;
		const char *mark;
		if (i == pv->nin) {
			bv = pv->self[2], nv = pv->self[3];
			mark = ui->utf8 ? "\u25cf" : "*";
			if (!sel)
				a = (int)A_BOLD;
		} else {
			const struct diff_edge *e =
			    i < pv->nin ? &pv->in[i] : &pv->out[i - pv->nin - 1];
			bv = e->base, nv = e->new_;
			mark = i < pv->nin ? ui->g->arrow_up : ui->g->arrow_down;
		}
		model_fmt(md, b, sizeof b, bv);
		model_fmt(md, n, sizeof n, nv);
		int64_t dlt = mt_sat_sub(nv, bv);
		fmt_delta(md, dl, sizeof dl, dlt);
		delta_pct(pc, sizeof pc, dlt, bv);
		snprintf(line, sizeof line, "%10s %10s %11s %8s  %s ", b, n, dl, pc,
			 mark);
		ui_put(ui, yy, 0, xname, line, a, true, false);
		ui_put_name(ui, yy, xname, ui->cols - xname, dpeek_row_name(ui, pv, i), a,
			    sel);
	}
	char info[300];
	snprintf(
	    info, sizeof info,
	    " %s %zu caller%s, %s %zu callee%s %s depth %d %s Enter: drill, Esc: back",
	    ui->g->arrow_up, pv->nin, pv->nin == 1 ? "" : "s", ui->g->arrow_down,
	    pv->nout, pv->nout == 1 ? "" : "s", ui->g->vline, ui->nhist - 1,
	    ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result dpeek_request(struct ui *ui, struct view *v, enum request req)
{
	struct dpeek_view *pv = v->priv;
	if (list_request(&pv->l, req))
		return VIEW_DONE;
	if (req == REQ_ENTER || req == REQ_RIGHT) {
		if (pv->l.sel == pv->nin)
			ui_message(ui, false,
				   "select a caller or callee to drill into it");
		else
			ui_push(ui, VIEW_DIFF_PEEK,
				ui_name_arg(ui, dpeek_row_name(ui, pv, pv->l.sel)));
		return VIEW_DONE;
	}
	if (req == REQ_DIFF_FLAME) {
		ui_push(ui, VIEW_DIFF_FLAME, 0);
		return VIEW_DONE;
	}
	return VIEW_PASS;
}

static struct list *dpeek_list(struct ui *ui, struct view *v)
{
	struct dpeek_view *pv = v->priv;
	return &pv->l;
}

static const char *dpeek_name(struct ui *ui, struct view *v, size_t i)
{
	return dpeek_row_name(ui, v->priv, i);
}

static uint32_t dpeek_selected(struct ui *ui, struct view *v)
{
	struct dpeek_view *pv = v->priv;
	return model_func(ui, dpeek_row_name(ui, pv, pv->l.sel));
}

static void dpeek_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct dpeek_view *pv = v->priv;
	int r = y - ui->y0 - 2;
	if (r < 0 || pv->l.top + (size_t)r >= pv->l.n)
		return;
	pv->l.sel = pv->l.top + (size_t)r;
	if (dbl)
		dpeek_request(ui, v, REQ_ENTER);
}

const struct view_ops view_diff_peek_ops = {
    .name = "diff peek",
    .private_size = sizeof(struct dpeek_view),
    .open = dpeek_open,
    .draw = dpeek_draw,
    .request = dpeek_request,
    .done = dpeek_done,
    .row_list = dpeek_list,
    .row_name = dpeek_name,
    .selected = dpeek_selected,
    .click = dpeek_click,
};
