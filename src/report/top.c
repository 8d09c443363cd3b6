/* top.c - flat/cum aggregation over the shared sample walk. */
#include "report/top.h"
#include "base/sat.h"
#include "base/u64map.h"

#include <stdlib.h>
#include <string.h>

void mt_top_build(struct mt_top *t, const struct mt_nodes *m, int index)
{
	mt_top_build_mean(t, m, index, -1);
}

/* pprof's value/divisor pairs: a node's value is its summed values divided
 * by its summed divisors, and so is the total. */
static int64_t divide(int64_t v, int64_t d)
{
	return mt_sat_div(v, d);
}

void mt_top_build_mean(struct mt_top *t, const struct mt_nodes *m, int index, int div)
{
	const struct profile *p = m->p;
	size_t nn = m->n;
	struct mt_top_row *acc = xcalloc(nn ? nn : 1, sizeof *acc);
	int64_t *fdiv = div >= 0 ? xcalloc(nn ? nn : 1, sizeof *fdiv) : NULL;
	int64_t *cdiv = div >= 0 ? xcalloc(nn ? nn : 1, sizeof *cdiv) : NULL;
	const int64_t *dvals = div >= 0 ? p->values.v + div : NULL;
	uint32_t *stamp = xcalloc(nn ? nn : 1, sizeof *stamp);
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	size_t nst = p->sample_types.n;
	const int64_t *vals = p->values.v + index;

	memset(t, 0, sizeof *t);
	t->total = mt_profile_total(p, index);
	for (size_t s = 0; s < p->samples.n; s++) {
		int64_t w = vals[s * nst];
		int64_t dw = dvals ? dvals[s * nst] : 0;
		if (w == 0 && dw == 0)
			continue;
		size_t k = mt_nodes_frames(m, s, fr);
		if (k == 0)
			continue;
		uint32_t mark = (uint32_t)s + 1;
		for (size_t i = 0; i < k; i++) {
			uint32_t n = fr[i].node;
			if (stamp[n] != mark) {
				stamp[n] = mark;
				acc[n].cum = mt_sat_add(acc[n].cum, w);
				if (cdiv)
					cdiv[n] = mt_sat_add(cdiv[n], dw);
			}
		}
		acc[fr[0].node].flat = mt_sat_add(acc[fr[0].node].flat, w);
		if (fdiv)
			fdiv[fr[0].node] = mt_sat_add(fdiv[fr[0].node], dw);
	}
	if (div >= 0) {
		int64_t total = 0, dtotal = 0;
		for (size_t s = 0; s < p->samples.n; s++) {
			int64_t v = vals[s * nst], d = dvals[s * nst];
			total = mt_sat_add(total, mt_sat_abs(v));
			dtotal = mt_sat_add(dtotal, d);
		}
		t->total = divide(total, dtotal);
		for (size_t n = 0; n < nn; n++) {
			acc[n].raw_flat = acc[n].flat;
			acc[n].raw_cum = acc[n].cum;
			acc[n].flat = divide(acc[n].flat, fdiv[n]);
			acc[n].cum = divide(acc[n].cum, cdiv[n]);
		}
	} else {
		for (size_t n = 0; n < nn; n++) {
			acc[n].raw_flat = acc[n].flat;
			acc[n].raw_cum = acc[n].cum;
		}
	}
	size_t rows = 0;
	for (size_t n = 0; n < nn; n++) {
		if (acc[n].flat == 0 && acc[n].cum == 0)
			continue;
		acc[n].node = (uint32_t)n;
		acc[rows++] = acc[n];
		t->flat_sum = mt_sat_add(t->flat_sum, acc[n].flat);
	}
	t->rows = acc;
	t->n = rows;
	free(stamp);
	free(fr);
	free(fdiv);
	free(cdiv);
}

/* A caller->callee edge into a labelled node: weight (once per sample) and
 * whether every counted occurrence was inline. */
struct edge {
	uint64_t key;
	int64_t weight;
	uint32_t stamp;
	bool inl;
};

void mt_top_inline_labels(struct mt_top *t, const struct mt_nodes *m, int index,
			  size_t nrows, double edge_fraction)
{
	const struct profile *p = m->p;
	size_t nn = m->n;
	if (nrows > t->n)
		nrows = t->n;
	uint32_t *row_of = xmalloc((nn ? nn : 1) * sizeof *row_of);
	memset(row_of, 0xff, (nn ? nn : 1) * sizeof *row_of);
	for (size_t i = 0; i < nrows; i++)
		row_of[t->rows[i].node] = (uint32_t)i;
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	size_t nst = p->sample_types.n;
	const int64_t *vals = p->values.v + index;
	VEC(struct edge) es = {0};
	struct mt_u64map idx = {0};

	/* Walk root to leaf as pprof does; an edge counts once per sample,
	 * with the inline flag of its first occurrence. */
	for (size_t s = 0; s < p->samples.n; s++) {
		int64_t w = vals[s * nst];
		if (w == 0)
			continue;
		size_t k = mt_nodes_frames(m, s, fr);
		uint32_t mark = (uint32_t)s + 1, parent = MT_NONE;
		for (size_t i = k; i-- > 0; parent = fr[i].node) {
			uint32_t n = fr[i].node;
			if (parent == MT_NONE || n == parent || row_of[n] == MT_NONE)
				continue;
			bool added;
			uint64_t key = mt_pair_key(parent, n);
			uint32_t *at = mt_u64map_put(&idx, key, &added);
			if (added) {
				*at = (uint32_t)es.n;
				VEC_PUSH(es, ((struct edge){.key = key, .inl = true}));
			}
			struct edge *e = &es.v[*at];
			if (e->stamp == mark)
				continue;
			e->stamp = mark;
			e->weight = mt_sat_add(e->weight, w);
			if (!fr[i].inl)
				e->inl = false;
		}
	}
	/* pprof drops edges lighter than edgefraction of the flat sum before it
	 * looks at them. */
	int64_t cutoff = mt_sat_abs(mt_sat_from_double((double)t->flat_sum * edge_fraction));
	for (size_t j = 0; j < es.n; j++) {
		const struct edge *e = &es.v[j];
		int64_t aw = mt_sat_abs(e->weight);
		if (aw < cutoff)
			continue;
		struct mt_top_row *r = &t->rows[row_of[(uint32_t)(e->key - 1)]];
		if (e->inl)
			r->inl = true;
		else
			r->noinl = true;
	}
	free(es.v);
	mt_u64map_done(&idx);
	free(fr);
	free(row_of);
}

static const struct mt_nodes *sort_nodes;

static inline int64_t abs64(int64_t v)
{
	return mt_sat_abs(v);
}

static int cmp_name(const struct mt_top_row *a, const struct mt_top_row *b)
{
	return strcmp(mt_node_name(sort_nodes, a->node),
		      mt_node_name(sort_nodes, b->node));
}

/* pprof's FlatNameOrder: |flat| desc, name, |cum| desc. */
static int cmp_flat(const void *x, const void *y)
{
	const struct mt_top_row *a = x, *b = y;
	if (abs64(a->raw_flat) != abs64(b->raw_flat))
		return abs64(a->raw_flat) > abs64(b->raw_flat) ? -1 : 1;
	int c = cmp_name(a, b);
	if (c)
		return c;
	if (abs64(a->raw_cum) != abs64(b->raw_cum))
		return abs64(a->raw_cum) > abs64(b->raw_cum) ? -1 : 1;
	return 0;
}

/* pprof's CumNameOrder: |cum| desc, name, |flat| desc. */
static int cmp_cum(const void *x, const void *y)
{
	const struct mt_top_row *a = x, *b = y;
	if (abs64(a->raw_cum) != abs64(b->raw_cum))
		return abs64(a->raw_cum) > abs64(b->raw_cum) ? -1 : 1;
	int c = cmp_name(a, b);
	if (c)
		return c;
	if (abs64(a->raw_flat) != abs64(b->raw_flat))
		return abs64(a->raw_flat) > abs64(b->raw_flat) ? -1 : 1;
	return 0;
}

static int cmp_byname(const void *x, const void *y)
{
	int c = cmp_name(x, y);
	return c ? c : cmp_flat(x, y);
}

void mt_top_sort(struct mt_top *t, const struct mt_nodes *m, enum mt_sort by)
{
	if (t->n < 2)
		return;
	sort_nodes = m;
	qsort(t->rows, t->n, sizeof *t->rows,
	      by == MT_SORT_CUM ? cmp_cum : by == MT_SORT_NAME ? cmp_byname : cmp_flat);
	sort_nodes = NULL;
}

void mt_top_done(struct mt_top *t)
{
	free(t->rows);
	memset(t, 0, sizeof *t);
}
