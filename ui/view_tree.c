/* view_tree.c - view 3, the call tree: top down (callees under callers) or
 * bottom up (callers under the functions that allocate), with cum and flat
 * columns; +/-/Enter open and close one node, E and C all of them. It opens
 * with the hot path open; search finds closed nodes too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "treeview.h"
#include "view.h"

struct tree_view {
	bool bottom_up;
	struct treeview tv;
};

/* Opens the hot path: from the heaviest root down, while one child holds
 * at least half of its parent (as the Firefox profiler's call tree opens). */
static void open_hot_path(struct treeview *tv, int idx)
{
	struct calltree *t = tv->t;
	calltree_expand(t, CT_ROOT);
	uint32_t n = t->v[CT_ROOT].child;
	for (int depth = 0; n != MT_NONE && depth < 256; depth++) {
		calltree_expand(t, n);
		uint32_t c = t->v[n].child; /* the heaviest: children are sorted */
		int64_t pc = calltree_cum(t, n, idx), cc = c == MT_NONE ? 0 : calltree_cum(t, c, idx);
		if (c == MT_NONE || pc == 0 || (double)mt_sat_abs(cc) < 0.5 * (double)mt_sat_abs(pc))
			break;
		treeview_set(tv, n, true);
		n = c;
	}
}

static bool tree_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct tree_view *tr = v->priv;
	struct calltree *t = model_tree(ui->md, tr->bottom_up);
	calltree_sort(t, ui->md->idx);
	treeview_init(&tr->tv, t, ui->md->idx);
	open_hot_path(&tr->tv, ui->md->idx);
	return true;
}

static void tree_done(struct view *v)
{
	struct tree_view *tr = v->priv;
	treeview_done(&tr->tv);
}

static void tree_draw(struct ui *ui, struct view *v)
{
	struct tree_view *tr = v->priv;
	struct model *md = ui->md;
	struct treeview *tv = &tr->tv;
	struct calltree *t = tv->t;
	calltree_sort(t, md->idx);
	tv->l.h = ui->h - 2;
	treeview_rows(tv);
	list_fit(&tv->l);
	int y = ui->y0, ta = ui_attr(ui, UC_TITLE);
	bool bu = tr->bottom_up;
	char hdr[200];
	snprintf(hdr, sizeof hdr, "%10s %7s %10s %7s  %s", "cum", "cum%", bu ? "" : "flat",
		 bu ? "" : "flat%",
		 bu ? "function, then its callers (bottom-up)" : "caller, then its callees (top-down)");
	ui_put(ui, y, 0, ui->cols, hdr, ta, true, false);
	int xname = 39;
	int maxindent = (ui->cols - xname) / 3;
	for (int r = 0; r < tv->l.h; r++) {
		size_t i = tv->l.top + (size_t)r;
		if (i >= tv->rows.n)
			break;
		uint32_t n = tv->rows.v[i];
		int yy = y + 1 + r;
		bool sel = i == tv->l.sel;
		int a = sel ? ui_attr(ui, UC_SELECTED) : (int)A_NORMAL;
		char c[32], cp[16], f[32], fp[16], line[160];
		int64_t cum = calltree_cum(t, n, md->idx), flat = calltree_flat(t, n, md->idx);
		model_fmt(md, c, sizeof c, cum);
		model_pct(md, cp, sizeof cp, cum);
		model_fmt(md, f, sizeof f, flat);
		model_pct(md, fp, sizeof fp, flat);
		if (bu)
			snprintf(line, sizeof line, "%10s %7s %10s %7s  ", c, cp, "", "");
		else
			snprintf(line, sizeof line, "%10s %7s %10s %7s  ", c, cp, f, fp);
		ui_put(ui, yy, 0, xname, line, a, true, false);
		int d = t->v[n].depth - 1;
		int ind = d * 2 > maxindent ? maxindent : d * 2;
		int x = xname;
		if (ind) {
			ui_put(ui, yy, x, ind, "", a, true, false);
			/* Deep stacks: the indent stops growing; show the depth. */
			if (d * 2 > maxindent) {
				char dl[16];
				snprintf(dl, sizeof dl, "%d", d + 1);
				ui_put_right(ui, yy, x, ind, dl, sel ? a : ui_attr(ui, UC_DIM));
			}
			x += ind;
		}
		/* A leaf for this sample type: no child with a value (children are
		 * ordered by |cum|, so the first tells). */
		uint32_t fc = t->v[n].child;
		bool leaf = t->v[n].expanded &&
			    (fc == MT_NONE || (calltree_cum(t, fc, md->idx) == 0 &&
					       calltree_flat(t, fc, md->idx) == 0));
		const char *gl = leaf ? ui->g->leaf
			       : treeview_is_open(tv, n) ? ui->g->open
							 : ui->g->closed;
		char g[16];
		snprintf(g, sizeof g, "%s ", gl);
		ui_put(ui, yy, x, 2, g, a, true, false);
		ui_put_name(ui, yy, x + 2, ui->cols - x - 2, model_func_name(md, t->v[n].func), a,
			    sel);
	}
	char info[300];
	snprintf(info, sizeof info, " %s %s row %zu/%zu%s %s +/-/Enter: open/close, E/C: all, b: %s",
		 bu ? "bottom-up" : "top-down", ui->g->vline, tv->rows.n ? tv->l.sel + 1 : 0,
		 tv->rows.n, tv->rows.n >= TREEVIEW_MAX_ROWS ? "+" : "", ui->g->vline,
		 bu ? "top-down" : "bottom-up");
	ui_put_info(ui, y + ui->h - 1, info, ui_attr(ui, UC_DIM));
}

static enum view_result tree_request(struct ui *ui, struct view *v, enum request req)
{
	struct tree_view *tr = v->priv;
	struct treeview *tv = &tr->tv;
	treeview_rows(tv);
	if (list_request(&tv->l, req))
		return VIEW_DONE;
	uint32_t n = tv->rows.n ? tv->rows.v[tv->l.sel] : MT_NONE;
	switch (req) {
	case REQ_ENTER:
		if (n != MT_NONE)
			treeview_set(tv, n, !treeview_is_open(tv, n));
		return VIEW_DONE;
	case REQ_EXPAND:
	case REQ_RIGHT:
		if (n != MT_NONE) {
			if (treeview_is_open(tv, n) && req == REQ_RIGHT) {
				if (tv->l.sel + 1 < tv->rows.n)
					tv->l.sel++;
			} else {
				treeview_set(tv, n, true);
			}
		}
		return VIEW_DONE;
	case REQ_COLLAPSE:
	case REQ_LEFT:
		if (n != MT_NONE) {
			if (treeview_is_open(tv, n)) {
				treeview_set(tv, n, false);
			} else if (tv->t->v[n].parent != CT_ROOT) {
				/* Closed already: go to the caller. */
				treeview_rows(tv);
				treeview_select_node(tv, tv->t->v[n].parent);
			}
		}
		return VIEW_DONE;
	case REQ_EXPAND_ALL: {
		int64_t min = ui->md->total / 1000;
		if (treeview_expand_all(tv, min))
			ui_message(ui, false, "opened the first %d rows", TREEVIEW_MAX_ROWS);
		else
			ui_message(ui, false, "opened every node with at least 0.1%% of the total");
		return VIEW_DONE;
	}
	case REQ_COLLAPSE_ALL:
		treeview_collapse_all(tv);
		return VIEW_DONE;
	case REQ_INVERT:
		treeview_done(tv);
		tr->bottom_up = !tr->bottom_up;
		tree_open(ui, v, 0);
		ui_message(ui, false, tr->bottom_up ? "bottom-up: callers under each function"
						    : "top-down: callees under each caller");
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

/* The nodes a search walks, in the order the tree shows them, not only
 * the open rows: the tree is made as it goes, up to TREEVIEW_MAX_ROWS
 * nodes (heaviest first, so a bound on the work that keeps what matters).
 * *at gets the position of cur. The caller frees it. */
static uint32_t *tree_order(struct ui *ui, struct treeview *tv, uint32_t cur, size_t *n,
			    size_t *at)
{
	struct calltree *t = tv->t;
	int idx = ui->md->idx;
	VEC(uint32_t) order = {0}, stack = {0};
	calltree_expand(t, CT_ROOT);
	for (uint32_t c = t->v[CT_ROOT].child; c != MT_NONE; c = t->v[c].next)
		VEC_PUSH(stack, c);
	for (size_t i = 0; i < stack.n / 2; i++) {
		uint32_t x = stack.v[i];
		stack.v[i] = stack.v[stack.n - 1 - i];
		stack.v[stack.n - 1 - i] = x;
	}
	*at = 0;
	while (stack.n && order.n < TREEVIEW_MAX_ROWS) {
		uint32_t nd = stack.v[--stack.n];
		int64_t c = calltree_cum(t, nd, idx);
		if (c == 0 && calltree_flat(t, nd, idx) == 0)
			continue;
		if (nd == cur)
			*at = order.n;
		VEC_PUSH(order, nd);
		calltree_expand(t, nd);
		size_t mark = stack.n;
		for (uint32_t k = t->v[nd].child; k != MT_NONE; k = t->v[k].next)
			VEC_PUSH(stack, k);
		for (size_t i = mark, j = stack.n ? stack.n - 1 : 0; i < j; i++, j--) {
			uint32_t x = stack.v[i];
			stack.v[i] = stack.v[j];
			stack.v[j] = x;
		}
	}
	free(stack.v);
	*n = order.n;
	return order.v;
}

/* Search: over tree_order, opening the match's callers to show it. */
static bool tree_find(struct ui *ui, struct view *v, int dir)
{
	struct tree_view *tr = v->priv;
	struct treeview *tv = &tr->tv;
	struct calltree *t = tv->t;
	treeview_rows(tv);
	uint32_t cur = tv->rows.n ? tv->rows.v[tv->l.sel] : MT_NONE;
	size_t no, at;
	uint32_t *order = tree_order(ui, tv, cur, &no, &at), hit = MT_NONE;
	for (size_t k = dir == 0 ? 0 : 1; k < no && hit == MT_NONE; k++) {
		size_t i = dir < 0 ? (at + no - k) % no : dir == 0 ? k : (at + k) % no;
		if (ui_matches(ui, model_func_name(ui->md, t->v[order[i]].func)))
			hit = order[i];
	}
	free(order);
	if (hit == MT_NONE)
		return false;
	for (uint32_t a = t->v[hit].parent; a != MT_NONE && a != CT_ROOT; a = t->v[a].parent)
		treeview_set(tv, a, true);
	treeview_rows(tv);
	treeview_select_node(tv, hit);
	return true;
}

static size_t tree_count(struct ui *ui, struct view *v, size_t *at)
{
	struct tree_view *tr = v->priv;
	struct treeview *tv = &tr->tv;
	treeview_rows(tv);
	uint32_t cur = tv->rows.n ? tv->rows.v[tv->l.sel] : MT_NONE;
	size_t no, pos, c = 0;
	uint32_t *order = tree_order(ui, tv, cur, &no, &pos);
	*at = 0;
	for (size_t i = 0; i < no; i++) {
		if (!ui_matches(ui, model_func_name(ui->md, tv->t->v[order[i]].func)))
			continue;
		c++;
		if (order[i] == cur)
			*at = c;
	}
	free(order);
	return c;
}

static uint32_t tree_selected(struct ui *ui, struct view *v)
{
	struct tree_view *tr = v->priv;
	struct treeview *tv = &tr->tv;
	return tv->rows.n ? tv->t->v[tv->rows.v[tv->l.sel]].func : MT_NONE;
}

static void tree_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct tree_view *tr = v->priv;
	struct treeview *tv = &tr->tv;
	int r = y - ui->y0 - 1;
	if (r < 0 || tv->l.top + (size_t)r >= tv->rows.n)
		return;
	tv->l.sel = tv->l.top + (size_t)r;
	if (dbl) {
		uint32_t n = tv->rows.v[tv->l.sel];
		treeview_set(tv, n, !treeview_is_open(tv, n));
	}
}

const struct view_ops view_tree_ops = {
	.name = "tree",
	.private_size = sizeof(struct tree_view),
	.open = tree_open,
	.draw = tree_draw,
	.request = tree_request,
	.done = tree_done,
	.find = tree_find,
	.count = tree_count,
	.selected = tree_selected,
	.click = tree_click,
};
