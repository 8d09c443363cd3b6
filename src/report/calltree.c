/* calltree.c - frames of every sample in one array, pprof's totals and peek
 * over it, and the lazily expanded call-path trie. */
#include "report/calltree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"

static inline int64_t abs64(int64_t v)
{
	return mt_sat_abs(v);
}

/* ---- frames ---------------------------------------------------------- */

void ct_frames_init(struct ct_frames *f, const struct mt_nodes *m)
{
	const struct profile *p = m->p;
	memset(f, 0, sizeof *f);
	f->m = m;
	f->p = p;
	f->nst = p->sample_types.n;
	f->ns = p->samples.n;
	f->off = xmalloc((f->ns + 1) * sizeof *f->off);
	f->total = xcalloc(f->nst ? f->nst : 1, sizeof *f->total);
	size_t max = mt_nodes_max_frames(m);
	struct mt_frame *buf = xmalloc((max + 1) * sizeof *buf);
	VEC(uint32_t) fr = {0};
	VEC_RESERVE(fr, f->ns * 8 + 16);
	bool ex = profile_has_exact(p);
	double *ftotal = ex ? xcalloc(f->nst + 1, sizeof *ftotal) : NULL;
	for (size_t s = 0; s < f->ns; s++) {
		const int64_t *v = profile_values(p, s);
		for (size_t c = 0; c < f->nst; c++)
			f->total[c] = mt_sat_add(f->total[c], abs64(v[c]));
		for (size_t c = 0; ex && c < f->nst; c++)
			ftotal[c] += fabs(profile_value_exact(p, s, c));
		f->off[s] = fr.n;
		size_t k = mt_nodes_frames(m, s, buf);
		VEC_RESERVE(fr, fr.n + k);
		for (size_t i = 0; i < k; i++)
			fr.v[fr.n + i] = buf[k - 1 - i].node;
		fr.n += k;
	}
	f->off[f->ns] = fr.n;
	f->fr = fr.v;
	for (size_t c = 0; ex && c < f->nst; c++)
		f->total[c] = profile_sum(ftotal[c]);
	free(ftotal);
	free(buf);
}

void ct_frames_done(struct ct_frames *f)
{
	free(f->fr);
	free(f->off);
	free(f->total);
	memset(f, 0, sizeof *f);
}

/* ---- the trie ---------------------------------------------------------- */

static uint32_t node_add(struct calltree *t, uint32_t parent, uint32_t func)
{
	if (t->n == t->cap) {
		size_t ocap = t->cap;
		xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v);
		t->cum = xrealloc(t->cum, t->cap * t->nst * sizeof *t->cum);
		t->flat = xrealloc(t->flat, t->cap * t->nst * sizeof *t->flat);
		memset(t->cum + ocap * t->nst, 0,
		       (t->cap - ocap) * t->nst * sizeof *t->cum);
		memset(t->flat + ocap * t->nst, 0,
		       (t->cap - ocap) * t->nst * sizeof *t->flat);
	}
	uint32_t id = (uint32_t)t->n++;
	t->v[id] = (struct ct_node){
		.func = func,
		.parent = parent,
		.child = MT_NONE,
		.next = MT_NONE,
		.depth = parent == MT_NONE ? 0 : t->v[parent].depth + 1,
	};
	return id;
}

/* A tree keeping sample types t0 .. t0+nt-1. */
static void tree_init(struct calltree *t, const struct ct_frames *f, bool bottom_up,
		      int sort_idx, size_t t0, size_t nt)
{
	memset(t, 0, sizeof *t);
	t->f = f;
	t->bottom_up = bottom_up;
	t->t0 = t0;
	t->nst = nt ? nt : 1;
	t->sorted_by = sort_idx;
	t->perm = xmalloc((f->ns + 1) * sizeof *t->perm);
	t->tmp = xmalloc((f->ns + 1) * sizeof *t->tmp);
	t->cnt = xcalloc(f->m->n + 1, sizeof *t->cnt);
	t->child_of = xmalloc((f->m->n + 1) * sizeof *t->child_of);
	uint32_t root = node_add(t, MT_NONE, MT_NONE);
	uint32_t k = 0;
	/* Exact estimates (jemalloc) are summed beside, truncated once. */
	bool ex = profile_has_exact(f->p);
	double *fcum = ex ? xcalloc(nt + 1, sizeof *fcum) : NULL;
	for (size_t s = 0; s < f->ns; s++) {
		if (f->off[s] == f->off[s + 1])
			continue;
		t->perm[k++] = (uint32_t)s;
		const int64_t *v = profile_values(f->p, s) + t->t0;
		for (size_t c = 0; c < nt; c++)
			t->cum[c] = mt_sat_add(t->cum[c], v[c]);
		for (size_t c = 0; ex && c < nt; c++)
			fcum[c] += profile_value_exact(f->p, s, t->t0 + c);
	}
	for (size_t c = 0; ex && c < nt; c++)
		t->cum[c] = profile_sum(fcum[c]);
	free(fcum);
	t->v[root].s0 = 0;
	t->v[root].s1 = k;
}

void calltree_init(struct calltree *t, const struct ct_frames *f, bool bottom_up,
		   int sort_idx)
{
	tree_init(t, f, bottom_up, sort_idx, 0, f->nst);
}

void calltree_init_one(struct calltree *t, const struct ct_frames *f, bool bottom_up,
		       int idx)
{
	tree_init(t, f, bottom_up, idx, (size_t)idx, 1);
}

void calltree_done(struct calltree *t)
{
	free(t->v);
	free(t->cum);
	free(t->flat);
	free(t->perm);
	free(t->tmp);
	free(t->cnt);
	free(t->child_of);
	memset(t, 0, sizeof *t);
}

static int cmp_child(const void *x, const void *y, void *ctx)
{
	const struct calltree *sort_tree = ctx;
	int sort_idx = sort_tree->sorted_by;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int64_t ca = abs64(calltree_cum(sort_tree, a, sort_idx));
	int64_t cb = abs64(calltree_cum(sort_tree, b, sort_idx));
	if (ca != cb)
		return ca > cb ? -1 : 1;
	const struct mt_nodes *m = sort_tree->f->m;
	int c = strcmp(mt_node_name(m, sort_tree->v[a].func),
		       mt_node_name(m, sort_tree->v[b].func));
	if (c)
		return c;
	return a < b ? -1 : a > b;
}

/* Orders the children of n by the tree's sort index. */
static void sort_children(struct calltree *t, uint32_t n, uint32_t *buf)
{
	size_t k = 0;
	for (uint32_t c = t->v[n].child; c != MT_NONE; c = t->v[c].next)
		buf[k++] = c;
	if (k < 2)
		return;
	qsort_r(buf, k, sizeof *buf, cmp_child, t);
	t->v[n].child = buf[0];
	for (size_t i = 0; i + 1 < k; i++)
		t->v[buf[i]].next = buf[i + 1];
	t->v[buf[k - 1]].next = MT_NONE;
}

/* The function at depth d (0 = first below the root) of sample s. */
static inline uint32_t frame_at(const struct calltree *t, uint32_t s, size_t d)
{
	const struct ct_frames *f = t->f;
	return t->bottom_up ? f->fr[f->off[s + 1] - 1 - d] : f->fr[f->off[s] + d];
}

void calltree_expand(struct calltree *t, uint32_t n)
{
	if (t->v[n].expanded)
		return;
	const struct ct_frames *f = t->f;
	size_t d = t->v[n].depth, nst = t->nst;
	uint32_t s0 = t->v[n].s0, s1 = t->v[n].s1;
	VEC(uint32_t) funcs = {0};
	/* Count the samples per function one level down; those that end here
	 * stay first in the range. */
	uint32_t ends = 0;
	for (uint32_t i = s0; i < s1; i++) {
		uint32_t s = t->perm[i];
		if (f->off[s + 1] - f->off[s] <= d) {
			ends++;
			continue;
		}
		uint32_t fn = frame_at(t, s, d);
		if (t->cnt[fn]++ == 0)
			VEC_PUSH(funcs, fn);
	}
	/* Make the children with their ranges, then counting-sort the range. */
	uint32_t pos = s0 + ends, prev = MT_NONE, first = (uint32_t)t->n;
	for (size_t i = 0; i < funcs.n; i++) {
		uint32_t fn = funcs.v[i];
		uint32_t c = node_add(t, n, fn);
		t->v[c].s0 = pos;
		t->v[c].s1 = pos + t->cnt[fn];
		pos += t->cnt[fn];
		t->child_of[fn] = c;
		t->cnt[fn] = t->v[c].s0; /* now the next free slot */
		if (prev == MT_NONE)
			t->v[n].child = c;
		else
			t->v[prev].next = c;
		prev = c;
	}
	/* Exact estimates of the children, summed here and truncated once. */
	bool ex = profile_has_exact(f->p);
	double *fcum = ex ? xcalloc(funcs.n * nst + 1, sizeof *fcum) : NULL;
	double *fflat = ex ? xcalloc(funcs.n * nst + 1, sizeof *fflat) : NULL;
	uint32_t e = s0;
	for (uint32_t i = s0; i < s1; i++) {
		uint32_t s = t->perm[i];
		size_t len = f->off[s + 1] - f->off[s];
		if (len <= d) {
			t->tmp[e++] = s;
			continue;
		}
		uint32_t fn = frame_at(t, s, d);
		uint32_t c = t->child_of[fn];
		t->tmp[t->cnt[fn]++] = s;
		const int64_t *v = profile_values(f->p, s) + t->t0;
		int64_t *cum = t->cum + (size_t)c * t->nst;
		for (size_t k = 0; k < nst; k++)
			cum[k] = mt_sat_add(cum[k], v[k]);
		for (size_t k = 0; ex && k < nst; k++)
			fcum[(c - first) * nst + k] += profile_value_exact(f->p, s, t->t0 + k);
		if (len == d + 1) {
			int64_t *flat = t->flat + (size_t)c * t->nst;
			for (size_t k = 0; k < nst; k++)
				flat[k] = mt_sat_add(flat[k], v[k]);
			for (size_t k = 0; ex && k < nst; k++)
				fflat[(c - first) * nst + k] +=
					profile_value_exact(f->p, s, t->t0 + k);
		}
	}
	for (size_t i = 0; ex && i < funcs.n * nst; i++) {
		size_t c = first + i / nst, k = i % nst;
		t->cum[c * t->nst + k] = profile_sum(fcum[i]);
		t->flat[c * t->nst + k] = profile_sum(fflat[i]);
	}
	free(fcum);
	free(fflat);
	memcpy(t->perm + s0, t->tmp + s0, (s1 - s0) * sizeof *t->perm);
	for (size_t i = 0; i < funcs.n; i++)
		t->cnt[funcs.v[i]] = 0;
	t->v[n].nchild = (uint32_t)funcs.n;
	t->v[n].expanded = true;
	VEC_RESERVE(funcs, funcs.n + 1);
	sort_children(t, n, funcs.v);
	free(funcs.v);
}

/* Depth first with a stack of its own (nodes in the order a recursion would
 * expand them): the depth is the input's, up to max_depth. */
void calltree_expand_min(struct calltree *t, uint32_t n, int idx, int64_t min,
			 unsigned max_depth)
{
	struct pending {
		uint32_t node;
		unsigned depth; /* levels still allowed */
	};
	VEC(struct pending) st = {0};
	VEC_PUSH(st, ((struct pending){n, max_depth}));
	while (st.n) {
		struct pending it = st.v[--st.n];
		if (it.depth == 0 || abs64(calltree_cum(t, it.node, idx)) < min)
			continue;
		calltree_expand(t, it.node);
		/* Children are sorted by |cum|: those at or above min are a
		 * prefix, pushed last first so the first is expanded next. */
		size_t from = st.n;
		for (uint32_t c = t->v[it.node].child; c != MT_NONE; c = t->v[c].next) {
			if (abs64(calltree_cum(t, c, idx)) < min)
				break;
			VEC_PUSH(st, ((struct pending){c, it.depth - 1}));
		}
		for (size_t i = from, j = st.n; j-- > i + 1; i++) {
			struct pending x = st.v[i];
			st.v[i] = st.v[j];
			st.v[j] = x;
		}
	}
	free(st.v);
}

void calltree_expand_all(struct calltree *t)
{
	/* Nodes are appended as they are made: expanding in id order
	 * reaches every node without a stack. */
	for (size_t n = 0; n < t->n; n++)
		calltree_expand(t, (uint32_t)n);
}

void calltree_sort(struct calltree *t, int idx)
{
	if (t->sorted_by == idx)
		return;
	t->sorted_by = idx;
	VEC(uint32_t) buf = {0};
	for (size_t n = 0; n < t->n; n++) {
		if (!t->v[n].expanded || t->v[n].nchild < 2)
			continue;
		VEC_RESERVE(buf, t->v[n].nchild);
		sort_children(t, (uint32_t)n, buf.v);
	}
	free(buf.v);
}
