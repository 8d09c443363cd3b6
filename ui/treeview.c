/* treeview.c - open/closed state and visible rows of a calltree. */
#include "treeview.h"

#include <stdlib.h>
#include <string.h>

#include "base/sat.h"

static inline int64_t abs64(int64_t v)
{
	return mt_sat_abs(v);
}

void treeview_init(struct treeview *tv, struct calltree *t, int idx)
{
	memset(tv, 0, sizeof *tv);
	tv->t = t;
	tv->idx = idx;
	tv->dirty = true;
	calltree_expand(t, CT_ROOT);
}

void treeview_done(struct treeview *tv)
{
	free(tv->open);
	free(tv->rows.v);
	memset(tv, 0, sizeof *tv);
}

bool treeview_is_open(const struct treeview *tv, uint32_t n)
{
	return n < tv->open_cap && tv->open[n];
}

void treeview_set(struct treeview *tv, uint32_t n, bool open)
{
	if (open) {
		calltree_expand(tv->t, n);
		if (tv->t->n > tv->open_cap) {
			size_t old = tv->open_cap;
			tv->open_cap = tv->t->cap;
			tv->open = xrealloc(tv->open, tv->open_cap);
			memset(tv->open + old, 0, tv->open_cap - old);
		}
	}
	if (n < tv->open_cap && tv->open[n] != open) {
		tv->open[n] = open;
		tv->dirty = true;
	}
}

/* Depth-first: the children of n that have a value, with their open ones.
 * A stack of next children, not recursion: a path may be 100,000 deep. */
static void add_rows(struct treeview *tv, uint32_t n)
{
	const struct calltree *t = tv->t;
	VEC(uint32_t) next = {0};
	VEC_PUSH(next, t->v[n].child);
	while (next.n) {
		uint32_t c = next.v[next.n - 1];
		if (c == MT_NONE) {
			next.n--;
			continue;
		}
		next.v[next.n - 1] = t->v[c].next;
		if (calltree_cum(t, c, tv->idx) == 0 && calltree_flat(t, c, tv->idx) == 0)
			continue;
		if (tv->rows.n >= TREEVIEW_MAX_ROWS)
			break;
		VEC_PUSH(tv->rows, c);
		if (treeview_is_open(tv, c))
			VEC_PUSH(next, t->v[c].child);
	}
	free(next.v);
}

void treeview_rows(struct treeview *tv)
{
	if (!tv->dirty && tv->t->sorted_by == tv->idx)
		return;
	uint32_t keep = tv->rows.n && tv->l.sel < tv->rows.n ? tv->rows.v[tv->l.sel] : MT_NONE;
	tv->idx = tv->t->sorted_by;
	tv->rows.n = 0;
	add_rows(tv, CT_ROOT);
	tv->l.n = tv->rows.n;
	tv->dirty = false;
	if (keep != MT_NONE)
		treeview_select_node(tv, keep);
	list_fit(&tv->l);
}

void treeview_select_node(struct treeview *tv, uint32_t n)
{
	for (size_t i = 0; i < tv->rows.n; i++)
		if (tv->rows.v[i] == n) {
			if (i < tv->l.top || i >= tv->l.top + (size_t)tv->l.h)
				list_select(&tv->l, i);
			else
				tv->l.sel = i;
			return;
		}
}

/* Opens n and its heavy descendants, depth first (a stack of next
 * children, not recursion); counts the rows that adds. */
static bool open_heavy(struct treeview *tv, uint32_t n, int64_t min, size_t *budget)
{
	VEC(uint32_t) next = {0};
	bool cut = false;
	treeview_set(tv, n, true);
	VEC_PUSH(next, tv->t->v[n].child);
	while (next.n) {
		uint32_t c = next.v[next.n - 1];
		if (c == MT_NONE || abs64(calltree_cum(tv->t, c, tv->idx)) < min) {
			next.n--;
			continue;
		}
		next.v[next.n - 1] = tv->t->v[c].next;
		if (*budget == 0) {
			cut = true;
			break;
		}
		(*budget)--;
		treeview_set(tv, c, true);
		VEC_PUSH(next, tv->t->v[c].child);
	}
	free(next.v);
	return cut;
}

bool treeview_expand_all(struct treeview *tv, int64_t min)
{
	size_t budget = TREEVIEW_MAX_ROWS;
	if (min < 1)
		min = 1;
	bool cut = open_heavy(tv, CT_ROOT, min, &budget);
	tv->dirty = true;
	return cut;
}

void treeview_collapse_all(struct treeview *tv)
{
	if (tv->open_cap)
		memset(tv->open, 0, tv->open_cap);
	tv->dirty = true;
	tv->l.sel = tv->l.top = 0;
}
