/* view_flame.c - view 2, the flame graph: icicle (root on top) or flame
 * (root at the bottom), width by cum, colors per package. Frames narrower
 * than a cell are merged into one shaded block whose share stays visible.
 * Arrows move between frames, Enter zooms, Esc zooms out. Only what fits
 * on screen is laid out, and the tree grows lazily under it.
 *
 * The same code draws the diff flame graph (view_diff_flame_ops, opened from
 * view 4): the tree of both profiles, width by max(base, new) cum, red for
 * growth and green for shrink, stronger for a larger share of the total. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "query/diffmodel.h"
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
	bool diff;  /* the diff flame graph */
	struct calltree *t;
	unsigned serial; /* of the diffmodel the zoom is of */
	char levels[64]; /* "^ 3 above, v more below " for the status line */
};

static inline int64_t abs64(int64_t v)
{
	return mt_sat_abs(v);
}

/* The tree shown: the model's, or the diff's (NULL without a base). */
static struct calltree *flame_tree(struct ui *ui, struct flame_view *fv)
{
	if (!fv->diff)
		return fv->t = model_tree(ui->md, false);
	struct diffmodel *dm = diffmodel_get(ui->md);
	fv->t = dm ? diffmodel_tree(dm, ui->md) : NULL;
	if (fv->t && dm->serial != fv->serial) {
		/* Rebuilt (normalized, other sample type): node ids are new. */
		fv->serial = dm->serial;
		fv->nzoom = 1;
		fv->sel = CT_ROOT;
		fv->sel_merged = false;
		fv->scroll = 0;
	}
	return fv->t;
}

/* The width weight of node n: its cum; in a diff, max(base, new) cum. */
static int64_t weight(const struct flame_view *fv, const struct calltree *t, uint32_t n,
		      int idx)
{
	if (!fv->diff)
		return abs64(calltree_cum(t, n, idx));
	int64_t b = abs64(calltree_cum(t, n, DT_BASE)), w = abs64(calltree_cum(t, n, DT_NEW));
	return b > w ? b : w;
}

static const char *node_name(struct ui *ui, const struct flame_view *fv, uint32_t n)
{
	uint32_t f = fv->t->v[n].func;
	if (f == MT_NONE)
		return "root";
	return fv->diff ? mt_node_name(fv->t->f->m, f) : model_func_name(ui->md, f);
}

static bool flame_open(struct ui *ui, struct view *v, uintptr_t arg)
{
	struct flame_view *fv = v->priv;
	fv->diff = v->kind == VIEW_DIFF_FLAME;
	if (fv->diff && !diffmodel_get(ui->md)) {
		ui_message(ui, false, "no diff: open two profiles (memtop BASE NEW)");
		return false;
	}
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

/* The color of a diff frame: red for growth, green for shrink, by the
 * size of the delta relative to the total; neutral below 0.1%. The first
 * cell says the same in text: a triangle up or down. */
static int diff_attr(struct ui *ui, const struct flame_view *fv, uint32_t n,
		     const char **mark)
{
	const struct calltree *t = fv->t;
	struct diffmodel *dm = ui->md->diff;
	int64_t d = mt_sat_sub(calltree_cum(t, n, DT_NEW), calltree_cum(t, n, DT_BASE));
	int64_t tot = dm->d.base_total > dm->d.new_total ? dm->d.base_total : dm->d.new_total;
	double r = tot ? (double)mt_sat_abs(d) / (double)tot : 0;
	*mark = NULL;
	if (r < 0.001 || d == 0)
		return ui_attr(ui, UC_DIFF_NEUTRAL);
	*mark = d > 0 ? ui->g->arrow_up : ui->g->arrow_down;
	int level = r >= 0.10 ? 2 : r >= 0.01 ? 1 : 0;
	return ui_attr(ui, (enum ui_color)((d > 0 ? UC_GROW0 : UC_SHRINK0) + level));
}

static void draw_box(struct ui *ui, struct flame_view *fv, const struct frame_box *b)
{
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
	const char *name = node_name(ui, fv, b->node);
	const char *mark = NULL;
	int da = fv->diff ? diff_attr(ui, fv, b->node, &mark) : 0;
	int a = sel ? ui_attr(ui, UC_SELECTED) | (int)A_BOLD
	    : ui_matches(ui, name) ? ui_attr(ui, UC_MATCH)
	    : fv->diff ? da
	    : b->node == CT_ROOT ? ui_attr(ui, UC_STATUS)
				 : ui_flame_attr(ui, name);
	const char *first = sel ? (ui->utf8 ? "\u25b6" : ">") : mark ? mark : ui->g->blocks[1];
	attrset(a);
	mvhline(y, b->x0, ' ', w);
	if (w == 1)
		mvaddstr(y, b->x0, first);
	if (w >= 2) {
		/* The selection is marked in the text too (dumps, no colors). */
		mvaddstr(y, b->x0, first);
		/* Labels cut to fit: the whole name, else the name without its
		 * package path ("(*Server).serve"); a qualified one loses its
		 * start, where Go and C++ names say the least
		 * ("...Server).serve"), a plain one its end ("Spr..."). */
		const char *lab = name;
		if (ui_width(name) > w - 1) {
			const char *sl = strrchr(name, '/');
			const char *base = sl ? sl + 1 : name;
			const char *dot = strchr(base, '.');
			lab = dot && dot[1] ? dot + 1 : base;
		}
		bool qualified = strchr(lab, '.') || strstr(lab, "::");
		if (ui_width(lab) <= w - 1 || w - 1 >= 4)
			ui_put(ui, y, b->x0 + 1, w - 1, lab, a, false, qualified);
	}
	attrset(A_NORMAL);
}

/* A node waiting to have its children laid out. */
struct pending {
	uint32_t node;
	size_t box;
	double x0, w;
	int level; /* of its children */
};

/* Lays out node's children across [x0, x0+w) cells at level, and theirs
 * below, level by level while levels are on screen (one more, so the
 * selection can step down into the next level); no recursion, however
 * deep the stacks. */
static void layout(struct ui *ui, struct flame_view *fv, struct calltree *t,
		   uint32_t node, size_t box, double x0, double w, int level, int idx)
{
	VEC(struct pending) q = {0};
	VEC_PUSH(q, ((struct pending){node, box, x0, w, level}));
	for (size_t qi = 0; qi < q.n; qi++) {
		struct pending pd = q.v[qi];
		if (pd.level > fv->scroll + fv->rows || pd.w < 1)
			continue;
		int64_t pc = weight(fv, t, pd.node, idx);
		if (pc == 0)
			continue;
		calltree_expand(t, pd.node);
		/* In a diff the children's max(base, new) can add up past
		 * their parent's: then they share its width. */
		int64_t sum = 0;
		for (uint32_t c = t->v[pd.node].child; c != MT_NONE; c = t->v[c].next)
			sum = mt_sat_add(sum, weight(fv, t, c, idx));
		if (sum > pc)
			pc = sum;
		double x = pd.x0, gstart = -1;
		uint32_t gcount = 0;
		int64_t gcum = 0;
		int pend = (int)lround(pd.x0 + pd.w);
		for (uint32_t c = t->v[pd.node].child; c != MT_NONE; c = t->v[c].next) {
			int64_t cc = weight(fv, t, c, idx);
			if (cc == 0)
				continue;
			double cw = pd.w * (double)cc / (double)pc;
			int a = (int)lround(x), b = (int)lround(x + cw);
			if (b > a && gcount == 0) {
				struct frame_box nb = {c, pd.level, a, b, 0, 0, 0, 0};
				VEC_PUSH(fv->boxes, nb);
				VEC_PUSH(q, ((struct pending){c, fv->boxes.n - 1, x, cw,
							     pd.level + 1}));
			} else {
				if (gcount == 0)
					gstart = x;
				gcount++;
				gcum = mt_sat_add(gcum, cc);
			}
			x += cw;
		}
		if (gcount) {
			int a = (int)lround(gstart), b = (int)lround(x);
			if (b <= a && a < pend)
				b = a + 1; /* keep a cell: small is not nothing */
			if (b > a) {
				struct frame_box nb = {pd.node, pd.level, a, b, gcount, gcum, 0, 0};
				VEC_PUSH(fv->boxes, nb);
			} else {
				/* No cell left: the caller's status line tells. */
				fv->boxes.v[pd.box].hidden = gcount;
				fv->boxes.v[pd.box].hcum = gcum;
			}
		}
	}
	free(q.v);
}

/* Rebuilds the boxes of the current zoom: the chain of ancestors full
 * width, the zoomed frame, and what fits below. */
static void flame_layout(struct ui *ui, struct flame_view *fv)
{
	struct model *md = ui->md;
	struct calltree *t = fv->t;
	int idx = fv->diff ? DT_BOTH : md->idx;
	calltree_sort(t, idx);
	fv->boxes.n = 0;
	uint32_t z = fv->zoom[fv->nzoom - 1];
	int zl = t->v[z].depth;
	for (uint32_t a = z; a != MT_NONE; a = t->v[a].parent) {
		struct frame_box nb = {a, t->v[a].depth, 0, ui->cols, 0, 0, 0, 0};
		VEC_PUSH(fv->boxes, nb);
	}
	layout(ui, fv, t, z, 0, 0, ui->cols, zl + 1, idx);
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
	struct calltree *t = fv->t;
	int level = t->v[fv->sel].depth + (fv->sel_merged ? 1 : 0);
	if (level < fv->scroll)
		fv->scroll = level;
	if (level >= fv->scroll + fv->rows)
		fv->scroll = level - fv->rows + 1;
}

/* delta as a percentage of ref, like memtop diff: "+3.31%", "new", "0%". */
static void delta_pct(char *buf, size_t n, int64_t delta, int64_t ref)
{
	if (delta == 0)
		snprintf(buf, n, "0%%");
	else if (ref == 0)
		snprintf(buf, n, "new");
	else
		snprintf(buf, n, "%+.2f%%", 100.0 * (double)delta / (double)mt_sat_abs(ref));
}

/* The diff flame's status line: the selection's base, new and delta cum. */
static void diff_status(struct ui *ui, struct flame_view *fv)
{
	struct model *md = ui->md;
	const struct calltree *t = fv->t;
	const struct frame_box *b = find_box(fv, fv->sel, fv->sel_merged);
	char info[700], bs[32], ns[32], ds[40], dp[24], what[300];
	int64_t bv, nv;
	if (fv->sel_merged && b) {
		/* The merged frames: their parent's children under a cell. */
		bv = nv = 0;
		for (uint32_t c = t->v[fv->sel].child; c != MT_NONE; c = t->v[c].next) {
			const struct frame_box *cb = find_box(fv, c, false);
			if (cb && cb->level == b->level)
				continue;
			bv = mt_sat_add(bv, calltree_cum(t, c, DT_BASE));
			nv = mt_sat_add(nv, calltree_cum(t, c, DT_NEW));
		}
		snprintf(what, sizeof what, "%u frames under a cell, called by %s", b->merged,
			 node_name(ui, fv, fv->sel));
	} else {
		bv = calltree_cum(t, fv->sel, DT_BASE);
		nv = calltree_cum(t, fv->sel, DT_NEW);
		snprintf(what, sizeof what, "%s", node_name(ui, fv, fv->sel));
	}
	model_fmt(md, bs, sizeof bs, bv);
	model_fmt(md, ns, sizeof ns, nv);
	char d0[32];
	int64_t dlt = mt_sat_sub(nv, bv);
	model_fmt(md, d0, sizeof d0, dlt);
	snprintf(ds, sizeof ds, "%s%s", dlt > 0 ? "+" : "", d0);
	delta_pct(dp, sizeof dp, dlt, bv);
	snprintf(info, sizeof info, " %s%s %s base %s %s new %s %s delta %s (%s) %s %s",
		 fv->levels, what, ui->g->vline, bs, ui->g->vline, ns, ui->g->vline, ds, dp, ui->g->vline,
		 fv->nzoom > 1 ? "Esc: zoom out" : "Enter: zoom, d: table");
	ui_put_info(ui, ui->y0 + ui->h - 1, info, ui_attr(ui, UC_DIM) | A_BOLD);
}

static void flame_draw(struct ui *ui, struct view *v)
{
	struct flame_view *fv = v->priv;
	struct model *md = ui->md;
	fv->rows = ui->h - 1;
	if (fv->rows < 1)
		fv->rows = 1;
	if (!flame_tree(ui, fv)) {
		ui_put(ui, ui->y0 + 1, 2, ui->cols - 2, "no diff: open two profiles (memtop BASE NEW)",
		       ui_attr(ui, UC_DIM), false, false);
		return;
	}
	/* Scroll to the selection's level first: only what is on screen is
	 * laid out. */
	flame_scroll(ui, fv);
	flame_layout(ui, fv);
	if (!find_box(fv, fv->sel, fv->sel_merged)) {
		/* The selection fell out (resize, sample type): back to the zoom. */
		fv->sel = fv->zoom[fv->nzoom - 1];
		fv->sel_merged = false;
		flame_scroll(ui, fv);
		flame_layout(ui, fv);
	}
	bool below = false;
	for (size_t i = 0; i < fv->boxes.n; i++) {
		draw_box(ui, fv, &fv->boxes.v[i]);
		below |= fv->boxes.v[i].level >= fv->scroll + fv->rows;
	}
	/* More levels than the screen shows: the status line says where. */
	size_t ln = 0;
	fv->levels[0] = 0;
	if (fv->scroll > 0)
		ln += (size_t)snprintf(fv->levels, sizeof fv->levels, "%s %d above",
				       fv->flame ? ui->g->arrow_down : ui->g->arrow_up, fv->scroll);
	if (below)
		ln += (size_t)snprintf(fv->levels + ln, sizeof fv->levels - ln, "%s%s more below",
				       ln ? ", " : "", fv->flame ? ui->g->arrow_up : ui->g->arrow_down);
	if (ln)
		snprintf(fv->levels + ln, sizeof fv->levels - ln, " %s ", ui->g->vline);

	if (fv->diff) {
		diff_status(ui, fv);
		return;
	}
	/* The status line: the selection's name, cum, self and share. */
	struct calltree *t = fv->t;
	char info[600], cu[32], cp[16], se[32], sh[16];
	uint32_t z = fv->zoom[fv->nzoom - 1];
	int64_t zc = calltree_cum(t, z, md->idx);
	const struct frame_box *b = find_box(fv, fv->sel, fv->sel_merged);
	const char *name;
	if (fv->sel_merged && b) {
		model_fmt(md, cu, sizeof cu, b->mcum);
		model_pct(md, cp, sizeof cp, b->mcum);
		mt_percentage_short(sh, sizeof sh, b->mcum, zc);
		snprintf(info, sizeof info, " %s%u frames under a cell, called by %s %s cum %s %s %s %s of view",
			 fv->levels, b->merged, node_name(ui, fv, fv->sel), ui->g->vline, cu,
			 cp + strspn(cp, " "), ui->g->vline, sh + strspn(sh, " "));
	} else {
		int64_t c = calltree_cum(t, fv->sel, md->idx);
		/* self: the function's own value on this path */
		int64_t s = calltree_flat(t, fv->sel, md->idx);
		name = node_name(ui, fv, fv->sel);
		model_fmt(md, cu, sizeof cu, c);
		model_pct(md, cp, sizeof cp, c);
		model_fmt(md, se, sizeof se, s);
		mt_percentage_short(sh, sizeof sh, c, zc);
		char hid[80] = "";
		if (b && b->hidden) {
			char hc[32];
			model_fmt(md, hc, sizeof hc, b->hcum);
			snprintf(hid, sizeof hid, " %s +%u callees under a cell: %s", ui->g->vline,
				 b->hidden, hc);
		}
		snprintf(info, sizeof info, " %s%s %s cum %s %s %s self %s %s %s of view%s %s %s",
			 fv->levels, name, ui->g->vline, cu, cp + strspn(cp, " "), ui->g->vline, se,
			 ui->g->vline, sh + strspn(sh, " "), hid, ui->g->vline,
			 fv->nzoom > 1 ? "Esc: zoom out" : "Enter: zoom, t: flip");
	}
	ui_put_info(ui, ui->y0 + ui->h - 1, info, ui_attr(ui, UC_DIM) | A_BOLD);
}

/* The box next to the selection in a direction: dl levels down, or dx
 * boxes along the same level. */
static bool flame_move(struct ui *ui, struct flame_view *fv, int dl, int dx)
{
	struct calltree *t = fv->t;
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
	struct calltree *t = fv->t;
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
	if (!fv->t)
		return VIEW_PASS;
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
	case REQ_END: {
		/* Down the heaviest callees to a leaf: the hot path, as deep as
		 * it goes (the view scrolls along). */
		struct calltree *t = fv->t;
		int idx = fv->diff ? DT_BOTH : ui->md->idx;
		fv->sel_merged = false;
		for (int guard = 0; guard < 1 << 20; guard++) {
			calltree_expand(t, fv->sel);
			uint32_t c = t->v[fv->sel].child;
			if (c == MT_NONE || weight(fv, t, c, idx) == 0)
				break;
			fv->sel = c; /* children come heaviest first */
		}
		return VIEW_DONE;
	}
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
			int d = fv->t->v[fv->zoom[fv->nzoom - 1]].depth;
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
	if (!fv->t)
		return false;
	const struct frame_box *cur = find_box(fv, fv->sel, fv->sel_merged);
	const struct frame_box *best = NULL;
	for (size_t i = 0; i < fv->boxes.n; i++) {
		const struct frame_box *b = &fv->boxes.v[i];
		if (b->merged || !ui_matches(ui, node_name(ui, fv, b->node)))
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

/* Matches among the frames on screen, in reading order. */
static size_t flame_count(struct ui *ui, struct view *v, size_t *at)
{
	struct flame_view *fv = v->priv;
	*at = 0;
	if (!fv->t)
		return 0;
	const struct frame_box *cur = find_box(fv, fv->sel, fv->sel_merged);
	size_t c = 0, before = 0;
	bool on = false;
	for (size_t i = 0; i < fv->boxes.n; i++) {
		const struct frame_box *b = &fv->boxes.v[i];
		if (b->merged || b->level < fv->scroll || b->level >= fv->scroll + fv->rows ||
		    !ui_matches(ui, node_name(ui, fv, b->node)))
			continue;
		c++;
		if (b == cur)
			on = true;
		else if (cur && cmp_box(b, cur) < 0)
			before++;
	}
	*at = on ? before + 1 : 0;
	return c;
}

static uint32_t flame_selected(struct ui *ui, struct view *v)
{
	struct flame_view *fv = v->priv;
	if (!fv->t || fv->sel_merged || fv->sel == CT_ROOT)
		return MT_NONE;
	if (!fv->diff)
		return fv->t->v[fv->sel].func;
	/* The model's function of the same name, for the filters. */
	const char *name = node_name(ui, fv, fv->sel);
	mt_str id = strtab_find(&ui->md->rep.nodes.names, name, strlen(name));
	return id == (mt_str)-1 || id == 0 ? MT_NONE : id - 1;
}

/* After a rebuild (a filter): the heaviest frame of the function called
 * name among the frames made so far, zooming to its caller if it would be
 * under a cell. */
static bool flame_reselect(struct ui *ui, struct view *v, const char *name)
{
	struct flame_view *fv = v->priv;
	if (!flame_tree(ui, fv))
		return false;
	struct calltree *t = fv->t;
	int idx = fv->diff ? DT_BOTH : ui->md->idx;
	uint32_t best = MT_NONE;
	for (uint32_t n = 1; n < t->n; n++)
		if (!strcmp(node_name(ui, fv, n), name) &&
		    (best == MT_NONE || weight(fv, t, n, idx) > weight(fv, t, best, idx)))
			best = n;
	if (best == MT_NONE)
		return false;
	fv->sel = best;
	fv->sel_merged = false;
	uint32_t p = t->v[best].parent;
	int64_t root = weight(fv, t, CT_ROOT, idx);
	if (p != MT_NONE && p != CT_ROOT && root &&
	    (double)weight(fv, t, best, idx) * ui->cols < (double)root)
		zoom_to(ui, fv, p);
	return true;
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

const struct view_ops view_diff_flame_ops = {
	.name = "diff flame",
	.private_size = sizeof(struct flame_view),
	.open = flame_open,
	.draw = flame_draw,
	.request = flame_request,
	.done = flame_done,
	.find = flame_find,
	.count = flame_count,
	.selected = flame_selected,
	.click = flame_click,
	.reselect = flame_reselect,
};

const struct view_ops view_flame_ops = {
	.name = "flame",
	.private_size = sizeof(struct flame_view),
	.open = flame_open,
	.draw = flame_draw,
	.request = flame_request,
	.done = flame_done,
	.find = flame_find,
	.count = flame_count,
	.selected = flame_selected,
	.click = flame_click,
	.reselect = flame_reselect,
};
