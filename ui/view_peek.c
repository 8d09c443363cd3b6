/* view_peek.c - the drill-down of a function, like pprof -peek: its callers
 * with edge weights (once per sample), the function with flat and cum, its
 * callees. The biggest caller and callee sit next to the function (callers
 * grow towards it from above, callees shrink away from it below), and the
 * view opens scrolled so both are on screen. Enter on a caller or callee
 * drills further; Esc comes back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "view.h"

struct peek_view {
	uint32_t func;
	int idx;
	struct mt_peek_edge *in, *out; /* in: smallest first (biggest nearest) */
	size_t nin, nout;
	int64_t flat, cum;
	struct list l; /* rows: callers, the function, callees */
};

static void peek_load(struct ui *ui, struct peek_view *pv)
{
	struct model *md = ui->md;
	free(pv->in);
	free(pv->out);
	const struct mt_graph *g = model_graph(md);
	pv->nin = mt_graph_peek(g, &md->rep.nodes, pv->func, md->idx, true, &pv->in);
	pv->nout = mt_graph_peek(g, &md->rep.nodes, pv->func, md->idx, false, &pv->out);
	for (size_t i = 0; i < pv->nin / 2; i++) {
		struct mt_peek_edge t = pv->in[i];
		pv->in[i] = pv->in[pv->nin - 1 - i];
		pv->in[pv->nin - 1 - i] = t;
	}
	pv->flat = pv->cum = 0;
	for (size_t i = 0; i < md->rep.top.n; i++)
		if (md->rep.top.rows[i].node == pv->func) {
			pv->flat = md->rep.top.rows[i].flat;
			pv->cum = md->rep.top.rows[i].cum;
		}
	pv->idx = md->idx;
	pv->l.n = pv->nin + 1 + pv->nout;
}

static bool peek_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct peek_view *pv = v->priv;
	pv->func = ui_func_of_arg(ui, arg);
	if (pv->func == MT_NONE)
		return false;
	peek_load(ui, pv);
	pv->l.sel = pv->nin; /* the function itself */
	pv->l.h = ui->h - 2;
	list_select(&pv->l, pv->nin);
	return true;
}

static void peek_done(struct view *v)
{
	struct peek_view *pv = v->priv;
	free(pv->in);
	free(pv->out);
}

/* The function of row i. */
static uint32_t row_func(const struct peek_view *pv, size_t i)
{
	if (i < pv->nin)
		return pv->in[i].node;
	if (i == pv->nin)
		return pv->func;
	return pv->out[i - pv->nin - 1].node;
}

static void peek_draw(struct ui *ui, struct view *v)
{
	struct peek_view *pv = v->priv;
	struct model *md = ui->md;
	if (pv->idx != md->idx)
		peek_load(ui, pv);
	bool wide = ui->cols >= 100;
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	pv->l.h = ui->h - 2;
	list_fit(&pv->l);
	char hdr[200];
	if (wide)
		snprintf(hdr, sizeof hdr, "%10s %7s %10s %7s  %10s %7s  %s", "flat", "flat%",
			 "cum", "cum%", "calls", "calls%", "callers / function / callees");
	else
		snprintf(hdr, sizeof hdr, "%10s %7s  %s", "cum/calls", "%",
			 "callers / function / callees");
	ui_put(ui, y, 0, ui->cols, hdr, ta, true, false);
	int xname = wide ? 60 : 20;
	for (int r = 0; r < pv->l.h; r++) {
		size_t i = pv->l.top + (size_t)r;
		if (i >= pv->l.n)
			break;
		int yy = y + 1 + r;
		bool sel = i == pv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char line[200], v1[32], p1[16], v2[32], p2[16];
		const char *mark;
		if (i == pv->nin) {
			model_fmt(md, v1, sizeof v1, pv->flat);
			model_pct(md, p1, sizeof p1, pv->flat);
			model_fmt(md, v2, sizeof v2, pv->cum);
			model_pct(md, p2, sizeof p2, pv->cum);
			if (wide)
				snprintf(line, sizeof line, "%10s %7s %10s %7s  %10s %7s  ", v1,
					 p1, v2, p2, "", "");
			else
				snprintf(line, sizeof line, "%10s %7s  ", v2, p2);
			mark = "";
			if (!sel)
				a = (int)A_BOLD;
		} else {
			const struct mt_peek_edge *e =
				i < pv->nin ? &pv->in[i] : &pv->out[i - pv->nin - 1];
			model_fmt(md, v1, sizeof v1, e->weight);
			mt_percentage_short(p1, sizeof p1, e->weight, pv->cum);
			if (wide)
				snprintf(line, sizeof line, "%10s %7s %10s %7s  %10s %7s  ", "", "",
					 "", "", v1, p1);
			else
				snprintf(line, sizeof line, "%10s %7s  ", v1, p1);
			mark = i < pv->nin ? ui->g->arrow_up : ui->g->arrow_down;
		}
		ui_put(ui, yy, 0, xname, line, a, true, false);
		char nm[32];
		snprintf(nm, sizeof nm, "%s ", i == pv->nin ? (ui->utf8 ? "\u25cf" : "*") : mark);
		ui_put(ui, yy, xname, 2, nm, a, true, false);
		ui_put_name(ui, yy, xname + 2, ui->cols - xname - 2,
			    model_func_name(md, row_func(pv, i)), a, sel);
	}
	char info[400], fl[32], fp[16];
	model_fmt(md, fl, sizeof fl, pv->flat);
	model_pct(md, fp, sizeof fp, pv->flat);
	snprintf(info, sizeof info,
		 " %s %zu caller%s, %s %zu callee%s %s flat %s (%s) %s depth %d %s Enter: drill, Esc: back",
		 ui->g->arrow_up, pv->nin, pv->nin == 1 ? "" : "s", ui->g->arrow_down, pv->nout,
		 pv->nout == 1 ? "" : "s", ui->g->vline, fl, fp + strspn(fp, " "), ui->g->vline,
		 ui->nhist - 1, ui->g->vline);
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result peek_request(struct ui *ui, struct view *v, enum request req)
{
	struct peek_view *pv = v->priv;
	if (list_request(&pv->l, req))
		return VIEW_DONE;
	if (req == REQ_ENTER || req == REQ_RIGHT) {
		if (pv->l.sel == pv->nin)
			ui_message(ui, false, "select a caller or callee to drill into it");
		else
			ui_push_func(ui, VIEW_PEEK, row_func(pv, pv->l.sel));
		return VIEW_DONE;
	}
	return VIEW_PASS;
}

static struct list *peek_list(struct ui *ui, struct view *v)
{
	struct peek_view *pv = v->priv;
	return &pv->l;
}

static const char *peek_row_name(struct ui *ui, struct view *v, size_t i)
{
	return model_func_name(ui->md, row_func(v->priv, i));
}

static uint32_t peek_selected(struct ui *ui, struct view *v)
{
	struct peek_view *pv = v->priv;
	return row_func(pv, pv->l.sel);
}

static void peek_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct peek_view *pv = v->priv;
	int r = y - ui->y0 - 1;
	if (r < 0 || pv->l.top + (size_t)r >= pv->l.n)
		return;
	pv->l.sel = pv->l.top + (size_t)r;
	if (dbl && pv->l.sel != pv->nin)
		ui_push_func(ui, VIEW_PEEK, row_func(pv, pv->l.sel));
}

const struct view_ops view_peek_ops = {
	.name = "peek",
	.private_size = sizeof(struct peek_view),
	.open = peek_open,
	.draw = peek_draw,
	.request = peek_request,
	.done = peek_done,
	.row_list = peek_list,
	.row_name = peek_row_name,
	.selected = peek_selected,
	.click = peek_click,
};
