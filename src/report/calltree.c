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

/* Whether sample s is worth nothing at type only (-1: never), its exact
 * estimate included. */
static inline bool zero_at(const struct profile *p, size_t s, int only, bool ex)
{
	return only >= 0 && profile_values(p, s)[only] == 0 &&
	       !(ex && profile_value_exact(p, s, (size_t)only) != 0);
}

/* Frames of the samples with a non-zero value of type only (-1: all). */
static void frames_init(struct ct_frames *f, const struct mt_nodes *m, int only)
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
	/* Room for the most frames the samples can have, reserved once: a
	 * big profile's frames do not fit a guess, and growing copies them
	 * (untouched room costs address space only). */
	bool ex = profile_has_exact(p);
	size_t maxl = 1, bound = 16;
	for (size_t l = 0; l < p->locations.n; l++)
		if (p->locations.v[l].nline > maxl)
			maxl = p->locations.v[l].nline;
	for (size_t s = 0; s < f->ns; s++)
		if (!zero_at(p, s, only, ex))
			bound += p->samples.v[s].nloc;
	VEC(uint32_t) fr = {0};
	VEC_RESERVE(fr, bound * maxl);
	double *ftotal = ex ? xcalloc(f->nst + 1, sizeof *ftotal) : NULL;
	for (size_t s = 0; s < f->ns; s++) {
		const int64_t *v = profile_values(p, s);
		for (size_t c = 0; c < f->nst; c++)
			f->total[c] = mt_sat_add(f->total[c], abs64(v[c]));
		for (size_t c = 0; ex && c < f->nst; c++)
			ftotal[c] += fabs(profile_value_exact(p, s, c));
		f->off[s] = fr.n;
		if (zero_at(p, s, only, ex))
			continue;
		size_t k = mt_nodes_frames(m, s, buf);
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

void ct_frames_init(struct ct_frames *f, const struct mt_nodes *m)
{
	frames_init(f, m, -1);
}

void ct_frames_init_index(struct ct_frames *f, const struct mt_nodes *m, int idx)
{
	frames_init(f, m, idx);
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
	/* A walk reuses the ids of subtrees it dropped. */
	memset(t->cum + (size_t)id * t->nst, 0, t->nst * sizeof *t->cum);
	memset(t->flat + (size_t)id * t->nst, 0, t->nst * sizeof *t->flat);
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
	t->fnb = xmalloc((f->ns + 1) * sizeof *t->fnb);
	t->cnt = xcalloc(f->m->n + 1, sizeof *t->cnt);
	t->acc = xmalloc((f->m->n + 1) * 2 * t->nst * sizeof *t->acc);
	/* Exact estimates (jemalloc) are summed beside, truncated once. */
	bool ex = profile_has_exact(f->p);
	if (ex)
		t->facc = xmalloc((f->m->n + 1) * 2 * t->nst * sizeof *t->facc);
	uint32_t root = node_add(t, MT_NONE, MT_NONE);
	uint32_t k = 0;
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
	free(t->fnb);
	free(t->cnt);
	free(t->acc);
	free(t->facc);
	free(t->funcs);
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

/* Prefetches what expanding reads of sample s at depth d: its offsets
 * (first), or its frame there and its values (later, once the offsets
 * are in). */
static inline void prefetch_sample(const struct calltree *t, uint32_t s, size_t d, bool first)
{
	const struct ct_frames *f = t->f;
	if (first) {
		__builtin_prefetch(&f->off[s]);
		return;
	}
	size_t o = f->off[s] + d;
	if (o < f->off[s + 1])
		__builtin_prefetch(&f->fr[o]);
	__builtin_prefetch(profile_values(f->p, s) + t->t0);
}

void calltree_expand(struct calltree *t, uint32_t n)
{
	if (t->v[n].expanded)
		return;
	const struct ct_frames *f = t->f;
	size_t d = t->v[n].depth, nst = t->nst;
	uint32_t s0 = t->v[n].s0, s1 = t->v[n].s1;
	t->v[n].expanded = true;
	if (s1 - s0 == 1) {
		/* One sample: most nodes of a big tree are on the tail of one
		 * stack, with one child or none. */
		uint32_t s = t->perm[s0];
		size_t len = f->off[s + 1] - f->off[s];
		if (len <= d)
			return;
		uint32_t c = node_add(t, n, frame_at(t, s, d));
		const int64_t *v = profile_values(f->p, s) + t->t0;
		int64_t *cum = t->cum + (size_t)c * nst;
		memcpy(cum, v, nst * sizeof *v);
		for (size_t k = 0; t->facc && k < nst; k++)
			cum[k] = profile_sum(profile_value_exact(f->p, s, t->t0 + k));
		if (len == d + 1)
			memcpy(t->flat + (size_t)c * nst, cum, nst * sizeof *cum);
		t->v[c].s0 = s0;
		t->v[c].s1 = s1;
		t->v[n].child = c;
		t->v[n].nchild = 1;
		return;
	}
	/* The functions one level down, in order of first appearance (the
	 * tree's scratch: expansions are many and mostly small). */
	struct {
		uint32_t *v;
		size_t n, cap;
	} funcs = {t->funcs, 0, t->funcs_cap};
	/* One pass over the samples: each one's function one level down
	 * (MT_NONE: it ends here), and per function its count, cum and
	 * flat. */
	uint32_t ends = 0;
	for (uint32_t i = s0; i < s1; i++) {
		/* A large range reads the samples' frames, offsets and values
		 * all over memory: ask for them well ahead. */
		if (i + 64 < s1)
			prefetch_sample(t, t->perm[i + 64], d, true);
		if (i + 32 < s1)
			prefetch_sample(t, t->perm[i + 32], d, false);
		uint32_t s = t->perm[i];
		size_t len = f->off[s + 1] - f->off[s];
		if (len <= d) {
			t->fnb[i] = MT_NONE;
			ends++;
			continue;
		}
		uint32_t fn = frame_at(t, s, d);
		t->fnb[i] = fn;
		int64_t *acc = t->acc + (size_t)fn * 2 * nst;
		double *facc = t->facc ? t->facc + (size_t)fn * 2 * nst : NULL;
		if (t->cnt[fn]++ == 0) {
			VEC_PUSH(funcs, fn);
			memset(acc, 0, 2 * nst * sizeof *acc);
			if (facc)
				memset(facc, 0, 2 * nst * sizeof *facc);
		}
		const int64_t *v = profile_values(f->p, s) + t->t0;
		bool leaf = len == d + 1;
		for (size_t k = 0; k < nst; k++)
			acc[k] = mt_sat_add(acc[k], v[k]);
		for (size_t k = 0; leaf && k < nst; k++)
			acc[nst + k] = mt_sat_add(acc[nst + k], v[k]);
		for (size_t k = 0; facc && k < nst; k++) {
			double x = profile_value_exact(f->p, s, t->t0 + k);
			facc[k] += x;
			if (leaf)
				facc[nst + k] += x;
		}
	}
	/* The children with their ranges (those that end here stay first in
	 * the range), then a counting sort of the range unless one child has
	 * it all. */
	uint32_t pos = s0 + ends, prev = MT_NONE;
	for (size_t i = 0; i < funcs.n; i++) {
		uint32_t fn = funcs.v[i];
		uint32_t c = node_add(t, n, fn);
		const int64_t *acc = t->acc + (size_t)fn * 2 * nst;
		memcpy(t->cum + (size_t)c * nst, acc, nst * sizeof *acc);
		memcpy(t->flat + (size_t)c * nst, acc + nst, nst * sizeof *acc);
		for (size_t k = 0; t->facc && k < nst; k++) {
			const double *facc = t->facc + (size_t)fn * 2 * nst;
			t->cum[(size_t)c * nst + k] = profile_sum(facc[k]);
			t->flat[(size_t)c * nst + k] = profile_sum(facc[nst + k]);
		}
		t->v[c].s0 = pos;
		t->v[c].s1 = pos + t->cnt[fn];
		pos += t->cnt[fn];
		t->cnt[fn] = t->v[c].s0; /* now the next free slot */
		if (prev == MT_NONE)
			t->v[n].child = c;
		else
			t->v[prev].next = c;
		prev = c;
	}
	if (funcs.n > 1 || (funcs.n == 1 && ends)) {
		uint32_t e = s0;
		for (uint32_t i = s0; i < s1; i++) {
			uint32_t fn = t->fnb[i];
			t->tmp[fn == MT_NONE ? e++ : t->cnt[fn]++] = t->perm[i];
		}
		memcpy(t->perm + s0, t->tmp + s0, (s1 - s0) * sizeof *t->perm);
	}
	for (size_t i = 0; i < funcs.n; i++)
		t->cnt[funcs.v[i]] = 0;
	t->v[n].nchild = (uint32_t)funcs.n;
	t->v[n].expanded = true;
	VEC_RESERVE(funcs, funcs.n + 1);
	sort_children(t, n, funcs.v);
	t->funcs = funcs.v;
	t->funcs_cap = funcs.cap;
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

/* A node the walk will enter, and what it may drop then: the nodes made
 * after its parent's children (the subtrees of its earlier siblings), and
 * the link to them of the sibling walked just before it. */
struct walk_step {
	uint32_t node, keep, prev;
};

/* Forgets n's children (they are dropped): n can be expanded again. */
static void unexpand(struct calltree *t, uint32_t n)
{
	if (n == MT_NONE)
		return;
	t->v[n].child = MT_NONE;
	t->v[n].nchild = 0;
	t->v[n].expanded = false;
}

void calltree_walk(struct calltree *t, bool (*visit)(void *ctx, const struct calltree *t,
						      uint32_t n),
		   void *ctx)
{
	VEC(struct walk_step) stack = {0};
	VEC(uint32_t) kids = {0};
	uint32_t cur = CT_ROOT;
	bool descend = visit(ctx, t, CT_ROOT);
	for (;;) {
		if (descend) {
			/* The children are made at the end of the nodes, in one
			 * block, and go on the stack last to first; each drops
			 * the subtree of the one walked before it. */
			calltree_expand(t, cur);
			kids.n = 0;
			for (uint32_t c = t->v[cur].child; c != MT_NONE; c = t->v[c].next)
				VEC_PUSH(kids, c);
			uint32_t end = (uint32_t)t->n;
			for (size_t i = kids.n; i-- > 0;)
				VEC_PUSH(stack, ((struct walk_step){kids.v[i], end,
								     i ? kids.v[i - 1] : MT_NONE}));
		}
		if (!stack.n)
			break;
		struct walk_step st = stack.v[--stack.n];
		unexpand(t, st.prev);
		t->n = st.keep;
		cur = st.node;
		descend = visit(ctx, t, cur);
	}
	/* Back to a tree of the root alone. */
	t->n = 1;
	unexpand(t, CT_ROOT);
	free(stack.v);
	free(kids.v);
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
