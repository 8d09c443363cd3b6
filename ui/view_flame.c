/* view_flame.c - view 2, the flame graph: icicle (root on top) or flame
 * (root at the bottom), width by cum, colors per package. Frames narrower
 * than a cell are merged into one shaded block whose share stays visible.
 * Arrows move between frames, Enter zooms, Esc zooms out. Only what fits
 * on screen is laid out, and the tree grows lazily under it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

struct frame_box {
	uint32_t node;   /* tree node; for a merged block, its parent */
	int level, x0, x1;
	uint32_t merged; /* frames merged into this block, 0 for a frame */
	int64_t mcum;    /* their cum */
	uint32_t hidden; /* callees too small for even a merged cell */
	int64_t hcum;
};

struct flame_view {
	uint32_t zoom[256];
	int nzoom;
	uint32_t sel;
	bool sel_merged;
	bool flame; /* root at the bottom */
	int scroll; /* first level shown */
	VEC(struct frame_box) boxes;
	int rows;   /* levels shown */
	int idx;
};

static inline int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static bool flame_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct flame_view *fv = v->priv;
	fv->zoom[0] = CT_ROOT;
	fv->nzoom = 1;
	fv->sel = CT_ROOT;
	fv->idx = -1;
	return true;
}

static void flame_done(struct view *v)
{
	struct flame_view *fv = v->priv;
	free(fv->boxes.v);
}

/* Screen row of a level. */
static int level_y(const struct ui *ui, const struct flame_view *fv, int level)
{
	int r = level - fv->scroll;
	return fv->flame ? ui->y0 + fv->rows - 1 - r : ui->y0 + r;
}

static void draw_box(struct ui *ui, struct flame_view *fv, const struct frame_box *b)
{
	struct model *md = ui->md;
	struct calltree *t = &md->td;
	if (b->level < fv->scroll || b->level >= fv->scroll + fv->rows)
		return;
	int y = level_y(ui, fv, b->level), w = b->x1 - b->x0;
	bool sel = b->node == fv->sel && (b->merged != 0) == fv->sel_merged;
	if (b->merged) {
		int a = sel ? ui_attr(ui, UC_SELECTED) : ui_attr(ui, UC_DIM);
		attrset(a);
		move(y, b->x0);
		for (int i = 0; i < w; i++)
			addstr(ui->g->merged);
		if (w >= 6) {
			char s[32];
			snprintf(s, sizeof s, "+%u", b->merged);
			ui_put(ui, y, b->x0 + 1, w - 1, s, a, false, false);
		}
		attrset(A_NORMAL);
		return;
	}
	const char *name = model_func_name(md, t->v[b->node].func);
	int a = sel ? ui_attr(ui, UC_SELECTED) | (int)A_BOLD
	    : ui_matches(ui, name) ? ui_attr(ui, UC_MATCH)
	    : b->node == CT_ROOT ? ui_attr(ui, UC_STATUS)
				 : ui_flame_attr(ui, name);
	attrset(a);
	mvhline(y, b->x0, ' ', w);
	if (w == 1)
		mvaddstr(y, b->x0, sel ? (ui->utf8 ? "\u25b6" : ">") : ui->g->blocks[1]);
	if (w >= 2) {
		/* The selection is marked in the text too (dumps, no colors). */
		mvaddstr(y, b->x0, sel ? (ui->utf8 ? "\u25b6" : ">") : ui->g->blocks[1]);
		/* Labels cut to fit: the whole name, else the name without its
		 * package path ("(*Server).serve"), cut at its end. */
		const char *lab = name;
		if (ui_width(name) > w - 1) {
			const char *sl = strrchr(name, '/');
			const char *base = sl ? sl + 1 : name;
			const char *dot = strchr(base, '.');
			lab = dot && dot[1] ? dot + 1 : base;
		}
		if (ui_width(lab) <= w - 1 || w - 1 >= 4)
			ui_put(ui, y, b->x0 + 1, w - 1, lab, a, false, false);
	}
	attrset(A_NORMAL);
}

/* Lays out node's children across [x0, x0+w) cells at level, recursing
 * while levels are on screen. */
static void layout(struct ui *ui, struct flame_view *fv, struct calltree *t,
		   uint32_t node, size_t box, double x0, double w, int level, int idx)
{
	if (level >= fv->scroll + fv->rows || w < 1)
		return;
	int64_t pc = abs64(calltree_cum(t, node, idx));
	if (pc == 0)
		return;
	calltree_expand(t, node);
	double x = x0, gstart = -1;
	uint32_t gcount = 0;
	int64_t gcum = 0;
	int pend = (int)lround(x0 + w);
	for (uint32_t c = t->v[node].child; c != MT_NONE; c = t->v[c].next) {
		int64_t cc = abs64(calltree_cum(t, c, idx));
		if (cc == 0)
			continue;
		double cw = w * (double)cc / (double)pc;
		int a = (int)lround(x), b = (int)lround(x + cw);
		if (b > a && gcount == 0) {
			struct frame_box nb = {c, level, a, b, 0, 0, 0, 0};
			VEC_PUSH(fv->boxes, nb);
			layout(ui, fv, t, c, fv->boxes.n - 1, x, cw, level + 1, idx);
		} else {
			if (gcount == 0)
				gstart = x;
			gcount++;
			gcum += cc;
		}
		x += cw;
	}
	if (gcount) {
		int a = (int)lround(gstart), b = (int)lround(x);
		if (b <= a && a < pend)
			b = a + 1; /* keep a cell: small is not nothing */
		if (b > a) {
			struct frame_box nb = {node, level, a, b, gcount, gcum, 0, 0};
			VEC_PUSH(fv->boxes, nb);
		} else {
			/* No cell left: the caller's status line tells. */
			fv->boxes.v[box].hidden = gcount;
			fv->boxes.v[box].hcum = gcum;
		}
	}
}

/* Rebuilds the boxes of the current zoom: the chain of ancestors full
 * width, the zoomed frame, and what fits below. */
static void flame_layout(struct ui *ui, struct flame_view *fv)
{
	struct model *md = ui->md;
	struct calltree *t = model_tree(md, false);
	calltree_sort(t, md->idx);
	fv->boxes.n = 0;
	uint32_t z = fv->zoom[fv->nzoom - 1];
	int zl = t->v[z].depth;
	for (uint32_t a = z; a != MT_NONE; a = t->v[a].parent) {
		struct frame_box nb = {a, t->v[a].depth, 0, ui->cols, 0, 0, 0, 0};
		VEC_PUSH(fv->boxes, nb);
	}
	layout(ui, fv, t, z, 0, 0, ui->cols, zl + 1, md->idx);
}

static const struct frame_box *find_box(const struct flame_view *fv, uint32_t node,
					bool merged)
{
	for (size_t i = 0; i < fv->boxes.n; i++)
		if (fv->boxes.v[i].node == node && (fv->boxes.v[i].merged != 0) == merged)
			return &fv->boxes.v[i];
	return NULL;
}

/* Keeps the selected level on screen. */
static void flame_scroll(struct ui *ui, struct flame_view *fv)
{
	struct calltree *t = &ui->md->td;
	int level = t->v[fv->sel].depth + (fv->sel_merged ? 1 : 0);
	if (level < fv->scroll)
		fv->scroll = level;
	if (level >= fv->scroll + fv->rows)
		fv->scroll = level - fv->rows + 1;
}

static void flame_draw(struct ui *ui, struct view *v)
{
	struct flame_view *fv = v->priv;
	struct model *md = ui->md;
	fv->rows = ui->h - 1;
	if (fv->rows < 1)
		fv->rows = 1;
	flame_layout(ui, fv);
	if (!find_box(fv, fv->sel, fv->sel_merged)) {
		/* The selection fell out (resize, sample type): back to the zoom. */
		fv->sel = fv->zoom[fv->nzoom - 1];
		fv->sel_merged = false;
	}
	int old = fv->scroll;
	flame_scroll(ui, fv);
	if (old != fv->scroll)
		flame_layout(ui, fv);
	for (size_t i = 0; i < fv->boxes.n; i++)
		draw_box(ui, fv, &fv->boxes.v[i]);

	/* The status line: the selection's name, cum, self and share. */
	struct calltree *t = &md->td;
	char info[600], cu[32], cp[16], se[32], sh[16];
	uint32_t z = fv->zoom[fv->nzoom - 1];
	int64_t zc = calltree_cum(t, z, md->idx);
	const struct frame_box *b = find_box(fv, fv->sel, fv->sel_merged);
	const char *name;
	if (fv->sel_merged && b) {
		model_fmt(md, cu, sizeof cu, b->mcum);
		model_pct(md, cp, sizeof cp, b->mcum);
		mt_percentage(sh, sizeof sh, b->mcum, zc);
		snprintf(info, sizeof info, " %u frames under a cell, called by %s %s cum %s %s %s %s of view",
			 b->merged, model_func_name(md, t->v[fv->sel].func), ui->g->vline, cu,
			 cp + strspn(cp, " "), ui->g->vline, sh + strspn(sh, " "));
	} else {
		int64_t c = calltree_cum(t, fv->sel, md->idx);
		/* self: the function's own value on this path */
		int64_t s = calltree_flat(t, fv->sel, md->idx);
		name = model_func_name(md, t->v[fv->sel].func);
		model_fmt(md, cu, sizeof cu, c);
		model_pct(md, cp, sizeof cp, c);
		model_fmt(md, se, sizeof se, s);
		mt_percentage(sh, sizeof sh, c, zc);
		char hid[80] = "";
		if (b && b->hidden) {
			char hc[32];
			model_fmt(md, hc, sizeof hc, b->hcum);
			snprintf(hid, sizeof hid, " %s +%u callees under a cell: %s", ui->g->vline,
				 b->hidden, hc);
		}
		snprintf(info, sizeof info, " %s %s cum %s %s %s self %s %s %s of view%s %s %s",
			 name, ui->g->vline, cu, cp + strspn(cp, " "), ui->g->vline, se,
			 ui->g->vline, sh + strspn(sh, " "), hid, ui->g->vline,
			 fv->nzoom > 1 ? "Esc: zoom out" : "Enter: zoom, t: flip");
	}
	ui_put(ui, ui->y0 + ui->h - 1, 0, ui->cols, info, ui_attr(ui, UC_DIM) | A_BOLD, true,
	       false);
}

/* The box next to the selection in a direction: dl levels down, or dx
 * boxes along the same level. */
static bool flame_move(struct ui *ui, struct flame_view *fv, int dl, int dx)
{
	struct calltree *t = &ui->md->td;
	const struct frame_box *cur = find_box(fv, fv->sel, fv->sel_merged);
	if (!cur)
		return false;
	if (dl < 0) {
		uint32_t p = fv->sel_merged ? fv->sel : t->v[fv->sel].parent;
		if (p == MT_NONE)
			return false;
		fv->sel = p;
		fv->sel_merged = false;
		return true;
	}
	const struct frame_box *best = NULL;
	for (size_t i = 0; i < fv->boxes.n; i++) {
		const struct frame_box *b = &fv->boxes.v[i];
		if (dl > 0) {
			if (b->level != cur->level + 1 || b->x0 < cur->x0 || b->x1 > cur->x1 ||
			    cur->merged)
				continue;
			if (!best || b->x0 < best->x0)
				best = b;
		} else if (b->level == cur->level && b != cur) {
			if (dx < 0 && b->x1 <= cur->x0 && (!best || b->x0 > best->x0))
				best = b;
			if (dx > 0 && b->x0 >= cur->x1 && (!best || b->x0 < best->x0))
				best = b;
		}
	}
	if (!best)
		return false;
	fv->sel = best->node;
	fv->sel_merged = best->merged != 0;
	return true;
}

static void zoom_to(struct ui *ui, struct flame_view *fv, uint32_t n)
{
	struct calltree *t = &ui->md->td;
	/* An ancestor of the zoom: zoom out to it. */
	while (fv->nzoom > 1 && t->v[fv->zoom[fv->nzoom - 1]].depth > t->v[n].depth)
		fv->nzoom--;
	if (fv->zoom[fv->nzoom - 1] == n)
		return;
	if (fv->nzoom < (int)(sizeof fv->zoom / sizeof fv->zoom[0]))
		fv->zoom[fv->nzoom++] = n;
	/* Keep a few callers of the zoomed frame in sight. */
	fv->scroll = t->v[n].depth > 3 ? t->v[n].depth - 3 : 0;
}

static enum view_result flame_request(struct ui *ui, struct view *v, enum request req)
{
	struct flame_view *fv = v->priv;
	int up = fv->flame ? 1 : -1;
	switch (req) {
	case REQ_UP:
		flame_move(ui, fv, up, 0);
		return VIEW_DONE;
	case REQ_DOWN:
		flame_move(ui, fv, -up, 0);
		return VIEW_DONE;
	case REQ_LEFT:
		flame_move(ui, fv, 0, -1);
		return VIEW_DONE;
	case REQ_RIGHT:
		flame_move(ui, fv, 0, 1);
		return VIEW_DONE;
	case REQ_HOME:
		fv->sel = fv->zoom[fv->nzoom - 1];
		fv->sel_merged = false;
		return VIEW_DONE;
	case REQ_PGUP:
	case REQ_PGDN: {
		int k = fv->rows > 2 ? fv->rows / 2 : 1;
		for (int i = 0; i < k; i++)
			if (!flame_move(ui, fv, (req == REQ_PGDN) == !fv->flame ? 1 : -1, 0))
				break;
		return VIEW_DONE;
	}
	case REQ_ENTER:
		if (fv->sel_merged) {
			ui_message(ui, false, "these frames are under a cell: zoom into their caller to see them");
			zoom_to(ui, fv, fv->sel);
			fv->sel_merged = false;
		} else {
			zoom_to(ui, fv, fv->sel);
		}
		return VIEW_DONE;
	case REQ_BACK:
		if (fv->nzoom > 1) {
			fv->sel = fv->zoom[--fv->nzoom];
			fv->sel_merged = false;
			int d = ui->md->td.v[fv->zoom[fv->nzoom - 1]].depth;
			fv->scroll = d > 3 ? d - 3 : 0;
			return VIEW_DONE;
		}
		return VIEW_PASS;
	case REQ_FLIP:
		fv->flame = !fv->flame;
		ui_message(ui, false, fv->flame ? "flame: root at the bottom" : "icicle: root on top");
		return VIEW_DONE;
	default:
		return VIEW_PASS;
	}
}

static int cmp_box(const struct frame_box *a, const struct frame_box *b)
{
	if (a->level != b->level)
		return a->level < b->level ? -1 : 1;
	return a->x0 < b->x0 ? -1 : a->x0 > b->x0;
}

/* Next search match among the laid-out frames, in reading order. */
static bool flame_find(struct ui *ui, struct view *v, int dir)
{
	struct flame_view *fv = v->priv;
	struct calltree *t = &ui->md->td;
	const struct frame_box *cur = find_box(fv, fv->sel, fv->sel_merged);
	const struct frame_box *best = NULL;
	for (size_t i = 0; i < fv->boxes.n; i++) {
		const struct frame_box *b = &fv->boxes.v[i];
		if (b->merged || !ui_matches(ui, model_func_name(ui->md, t->v[b->node].func)))
			continue;
		int c = cur ? cmp_box(b, cur) : 1;
		if (dir == 0) {
			if (!best || cmp_box(b, best) < 0)
				best = b;
		} else if (dir > 0 ? c > 0 : c < 0) {
			if (!best || (dir > 0 ? cmp_box(b, best) < 0 : cmp_box(b, best) > 0))
				best = b;
		}
	}
	if (!best) {
		/* Not on screen: a deeper match needs zooming; report none. */
		return false;
	}
	fv->sel = best->node;
	fv->sel_merged = false;
	return true;
}

static uint32_t flame_selected(struct ui *ui, struct view *v)
{
	struct flame_view *fv = v->priv;
	if (fv->sel_merged || fv->sel == CT_ROOT)
		return MT_NONE;
	return ui->md->td.v[fv->sel].func;
}

static void flame_click(struct ui *ui, struct view *v, int y, int x, bool dbl)
{
	struct flame_view *fv = v->priv;
	for (size_t i = 0; i < fv->boxes.n; i++) {
		const struct frame_box *b = &fv->boxes.v[i];
		if (b->level < fv->scroll || b->level >= fv->scroll + fv->rows)
			continue;
		if (level_y(ui, fv, b->level) == y && x >= b->x0 && x < b->x1) {
			fv->sel = b->node;
			fv->sel_merged = b->merged != 0;
			if (dbl && !b->merged)
				zoom_to(ui, fv, b->node);
			return;
		}
	}
}

const struct view_ops view_flame_ops = {
	.name = "flame",
	.private_size = sizeof(struct flame_view),
	.open = flame_open,
	.draw = flame_draw,
	.request = flame_request,
	.done = flame_done,
	.find = flame_find,
	.selected = flame_selected,
	.click = flame_click,
};
