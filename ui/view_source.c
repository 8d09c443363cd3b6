/* view_source.c - annotated source of the selected function, like pprof's
 * -list: every line of the function with flat and cum, opened on the line
 * that holds the most (cum). A file that cannot be found is a status-bar
 * message and no view. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "query/diffmodel.h"
#include "report/source.h"
#include "list.h"
#include "view.h"


/* A row: the heading of a routine (line == SIZE_MAX) or one of its lines. */
struct src_row {
	size_t routine, line;
};

struct source_view {
	char text[1024]; /* row_name's answer */
	char *name; /* the function */
	int idx;    /* sample type the numbers are for */
	struct mt_report rep; /* lines granularity, the model's filters */
	struct mt_source src;
	VEC(struct src_row) rows;
	struct list l;
	int hscroll; /* columns of source text scrolled off to the left */
	bool built;
	/* Opened from the diff (view 4): the base's listing too, and per
	 * line of src its base cum (bcum) and whether the base has it. */
	bool diff;
	struct mt_report brep;
	struct mt_source bsrc;
	int64_t *bcum;
};

static void source_unbuild(struct source_view *sv)
{
	if (!sv->built)
		return;
	mt_source_done(&sv->src);
	mt_report_done(&sv->rep);
	if (sv->diff) {
		mt_source_done(&sv->bsrc);
		mt_report_done(&sv->brep);
		free(sv->bcum);
		sv->bcum = NULL;
	}
	free(sv->rows.v);
	memset(&sv->rows, 0, sizeof sv->rows);
	sv->l.n = 0;
	sv->built = false;
}

/* bcum of every line of the NEW listing: the base's cum for the same
 * function, file and line (0 where the base has none). */
static void match_base(struct source_view *sv)
{
	const struct mt_source *n = &sv->src, *b = &sv->bsrc;
	sv->bcum = xcalloc(n->lines.n + 1, sizeof *sv->bcum);
	for (size_t r = 0; r < n->routines.n; r++) {
		const struct mt_source_routine *rt = &n->routines.v[r];
		for (size_t q = 0; q < b->routines.n; q++) {
			const struct mt_source_routine *bt = &b->routines.v[q];
			if (!rt->file || !bt->file || strcmp(rt->name, bt->name) ||
			    strcmp(rt->file, bt->file))
				continue;
			for (size_t k = 0; k < rt->nlines; k++)
				for (size_t j = 0; j < bt->nlines; j++)
					if (b->lines.v[bt->line0 + j].lineno ==
					    n->lines.v[rt->line0 + k].lineno)
						sv->bcum[rt->line0 + k] =
						    b->lines.v[bt->line0 + j].cum;
		}
	}
}

/* Lists sv->name for the model's sample type and filters; false (with the
 * reason on the status bar) when there is nothing to show. */
static bool source_build(struct ui *ui, struct source_view *sv)
{
	struct model *md = ui->md;
	struct mt_err e;
	source_unbuild(sv);
	struct diffmodel *dm = sv->diff ? diffmodel_get(md) : NULL;
	if (sv->diff && !dm) {
		ui_message(ui, true, "source: the diff cannot be built");
		return false;
	}
	const struct profile *np = dm ? diffmodel_new_side(dm, md) : md->p;
	if (model_report(md, np, md->idx, MT_GRAN_LINES, &sv->rep, &e)) {
		ui_message(ui, true, "source: %s", e.msg);
		return false;
	}
	if (dm && model_report(md, md->base, md->idx, MT_GRAN_LINES, &sv->brep, &e)) {
		mt_report_done(&sv->rep);
		ui_message(ui, true, "source: %s", e.msg);
		return false;
	}
	struct mt_source_opts o = {.search_path = ui->source_path, .trim_path = ui->trim_path};
	mt_source_build(&sv->src, &sv->rep.nodes, &sv->rep.top, NULL, sv->name, &o, &e);
	if (dm) {
		mt_source_build(&sv->bsrc, &sv->brep.nodes, &sv->brep.top, NULL, sv->name,
				&o, &e);
		match_base(sv);
	}
	sv->built = true;
	sv->idx = md->idx;

	const struct mt_source *s = &sv->src;
	const char *why = NULL, *file = NULL;
	size_t best = SIZE_MAX, sel = 0;
	for (size_t r = 0; r < s->routines.n; r++) {
		const struct mt_source_routine *rt = &s->routines.v[r];
		if (!rt->file || rt->error || !rt->nlines) {
			if (!why && rt->file)
				why = rt->error ? rt->error : "", file = rt->file;
			continue;
		}
		struct src_row h = {r, SIZE_MAX};
		VEC_PUSH(sv->rows, h);
		for (size_t k = 0; k < rt->nlines; k++) {
			struct src_row x = {r, rt->line0 + k};
			if (x.line == rt->hottest &&
			    (best == SIZE_MAX || s->lines.v[x.line].cum > s->lines.v[best].cum))
				best = x.line, sel = sv->rows.n;
			VEC_PUSH(sv->rows, x);
		}
	}
	if (sv->rows.n) {
		if (why)
			ui_message(ui, true, "%s: %s", file, *why ? why : "lines not in the file");
		sv->l.n = sv->rows.n;
		list_select(&sv->l, sel);
		return true;
	}
	if (!s->routines.n)
		ui_message(ui, true, "%s: no samples for its lines", sv->name);
	else if (!file)
		ui_message(ui, true, "%s: the profile names no source file for it", sv->name);
	else if (*why)
		ui_message(ui, true, "no source: %s (try --source-path, --trim-path)", why);
	else
		ui_message(ui, true, "source of %s: %s has none of its lines", sv->name, file);
	return false;
}

static bool source_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct source_view *sv = v->priv;
	struct model *md = ui->md;
	uint32_t f = ui_func_of_arg(ui, arg);
	if (f == MT_NONE)
		return false;
	if (md->gran != MT_GRAN_FUNCTIONS) {
		ui_message(ui, true, "source: needs functions granularity");
		return false;
	}
	sv->name = xstrdup(model_func_name(md, f));
	sv->diff = md->base && ui_base_kind(ui) == VIEW_DIFF;
	sv->l.h = ui->h - 2;
	return source_build(ui, sv);
}

static void source_done(struct view *v)
{
	struct source_view *sv = v->priv;
	source_unbuild(sv);
	free(sv->name);
	sv->name = NULL;
}

/* Source text for the screen: tabs to 8 columns, control bytes as '?',
 * the first skip columns dropped. */
static void expand(char *out, size_t n, const char *s, size_t len, int skip)
{
	size_t k = 0;
	int col = 0;
	bool shown = false; /* whether the current character is on screen */
	for (size_t i = 0; i < len && k + 9 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t') {
			do {
				if (col++ >= skip)
					out[k++] = ' ';
			} while (col % 8);
		} else if ((c & 0xc0) == 0x80) {
			if (shown)
				out[k++] = (char)c; /* rest of a UTF-8 character */
		} else {
			shown = col++ >= skip;
			if (shown)
				out[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	}
	out[k] = 0;
}

static void source_draw(struct ui *ui, struct view *v)
{
	struct source_view *sv = v->priv;
	struct model *md = ui->md;
	if (sv->name && sv->idx != md->idx)
		source_build(ui, sv);
	if (!sv->name || !sv->l.n) {
		ui_put(ui, ui->y0, 0, ui->cols, " no source lines to show (Esc: back)",
		       ui_attr(ui, UC_DIM), true, false);
		return;
	}
	const struct mt_source *s = &sv->src;
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	sv->l.h = ui->h - 2;
	list_fit(&sv->l);
	char hdr[300];
	if (sv->diff)
		snprintf(hdr, sizeof hdr, "%10s %10s %11s %6s  source of %s (cum)", "base",
			 "new", "delta", "line", sv->name);
	else
		snprintf(hdr, sizeof hdr, "%10s %10s %6s  source of %s", "flat", "cum", "line",
			 sv->name);
	ui_put(ui, y, 0, ui->cols, hdr, ta, true, true);
	int xtext = sv->diff ? 42 : 30;
	for (int r = 0; r < sv->l.h; r++) {
		size_t i = sv->l.top + (size_t)r;
		if (i >= sv->l.n)
			break;
		const struct src_row *row = &sv->rows.v[i];
		const struct mt_source_routine *rt = &s->routines.v[row->routine];
		bool sel = i == sv->l.sel;
		int yy = y + 1 + r;
		char line[1100], a[32], b[32], pc[16];
		if (row->line == SIZE_MAX && sv->diff) {
			snprintf(line, sizeof line, "%10s %10s %11s %6s  %s %s in %s", "", "",
				 "", "", ui->g->arrow_down, rt->name, rt->file);
			ui_put(ui, yy, 0, ui->cols, line, sel ? ui_attr(ui, UC_SELECTED) : ta,
			       true, false);
			continue;
		}
		if (row->line == SIZE_MAX) {
			model_fmt(md, a, sizeof a, rt->flat);
			model_fmt(md, b, sizeof b, rt->cum);
			model_pct(md, pc, sizeof pc, rt->cum);
			snprintf(line, sizeof line, "%10s %10s %6s  %s %s in %s (%s of total)", a, b, "",
				 ui->g->arrow_down, rt->name, rt->file, pc + strspn(pc, " "));
			ui_put(ui, yy, 0, ui->cols, line, sel ? ui_attr(ui, UC_SELECTED) : ta,
			       true, false);
			continue;
		}
		const struct mt_source_line *ln = &s->lines.v[row->line];
		int attr = sel ? ui_attr(ui, UC_SELECTED)
			       : ln->flat || ln->cum ? (int)A_BOLD : (int)A_NORMAL;
		if (sv->diff) {
			int64_t bc = sv->bcum[row->line], d = mt_sat_sub(ln->cum, bc);
			char dl[40];
			if (bc)
				model_fmt(md, a, sizeof a, bc);
			if (ln->cum)
				model_fmt(md, b, sizeof b, ln->cum);
			model_fmt(md, dl + 1, sizeof dl - 1, d);
			dl[0] = d > 0 ? '+' : ' ';
			if (bc || ln->cum)
				attr = sel ? ui_attr(ui, UC_SELECTED) : (int)A_BOLD;
			snprintf(line, sizeof line, "%10s %10s %11s %6lld  ", bc ? a : ".",
				 ln->cum ? b : ".", d ? dl + (d > 0 ? 0 : 1) : ".",
				 (long long)ln->lineno);
		} else {
			if (ln->flat)
				model_fmt(md, a, sizeof a, ln->flat);
			if (ln->cum)
				model_fmt(md, b, sizeof b, ln->cum);
			snprintf(line, sizeof line, "%10s %10s %6lld  ", ln->flat ? a : ".",
				 ln->cum ? b : ".", (long long)ln->lineno);
		}
		ui_put(ui, yy, 0, xtext, line, attr, true, false);
		char text[1024];
		expand(text, sizeof text, ln->text, ln->len, sv->hscroll);
		if (ui_matches(ui, text) && !sel)
			attr = ui_attr(ui, UC_MATCH);
		ui_put(ui, yy, xtext, ui->cols - xtext, text, attr, true, false);
	}
	char info[400];
	const struct src_row *cur = sv->l.n ? &sv->rows.v[sv->l.sel] : NULL;
	const struct mt_source_routine *rt = cur ? &s->routines.v[cur->routine] : NULL;
	if (rt && cur->line != SIZE_MAX) {
		const struct mt_source_line *ln = &s->lines.v[cur->line];
		char pc[16];
		model_pct(md, pc, sizeof pc, ln->cum);
		if (sv->diff) {
			char a[32], b[32];
			model_fmt(md, a, sizeof a, sv->bcum[cur->line]);
			model_fmt(md, b, sizeof b, ln->cum);
			snprintf(info, sizeof info,
				 " %s:%lld %s cum base %s, new %s %s Left/Right: scroll, Esc: back",
				 rt->file, (long long)ln->lineno, ui->g->vline, a, b, ui->g->vline);
		} else {
			snprintf(info, sizeof info,
				 " %s:%lld %s cum %s of total %s Left/Right: scroll, Esc: back",
				 rt->file, (long long)ln->lineno, ui->g->vline,
				 pc + strspn(pc, " "), ui->g->vline);
		}
	} else {
		snprintf(info, sizeof info, " %s %s Esc: back", rt ? rt->file : "", ui->g->vline);
	}
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result source_request(struct ui *ui, struct view *v, enum request req)
{
	struct source_view *sv = v->priv;
	if (list_request(&sv->l, req))
		return VIEW_DONE;
	switch (req) {
	case REQ_LEFT:
		sv->hscroll = sv->hscroll > 8 ? sv->hscroll - 8 : 0;
		return VIEW_DONE;
	case REQ_RIGHT:
		if (sv->hscroll < 4096)
			sv->hscroll += 8;
		return VIEW_DONE;
	case REQ_ENTER:
	case REQ_SOURCE:
		ui_message(ui, false, "this is the source of %s (Esc: back)", sv->name);
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

static struct list *source_list(struct ui *ui, struct view *v)
{
	struct source_view *sv = v->priv;
	return &sv->l;
}

/* A search looks at the source text (the function names are all one). */
static const char *source_row_name(struct ui *ui, struct view *v, size_t i)
{
	struct source_view *sv = v->priv;
	const struct src_row *row = &sv->rows.v[i];
	if (row->line == SIZE_MAX)
		return "";
	const struct mt_source_line *ln = &sv->src.lines.v[row->line];
	expand(sv->text, sizeof sv->text, ln->text, ln->len, 0);
	return sv->text;
}

static uint32_t source_selected(struct ui *ui, struct view *v)
{
	(void)ui;
	return (uint32_t)v->arg;
}

static void source_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	(void)x, (void)dbl;
	struct source_view *sv = v->priv;
	int r = y - ui->y0 - 1;
	if (r >= 0 && sv->l.top + (size_t)r < sv->l.n)
		sv->l.sel = sv->l.top + (size_t)r;
}

const struct view_ops view_source_ops = {
	.name = "source",
	.private_size = sizeof(struct source_view),
	.open = source_open,
	.draw = source_draw,
	.request = source_request,
	.done = source_done,
	.row_list = source_list,
	.row_name = source_row_name,
	.selected = source_selected,
	.click = source_click,
};
