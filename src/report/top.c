/* top.c - flat/cum aggregation over the shared sample walk. */
#include "report/top.h"
#include "base/sat.h"
#include "report/graph.h"
#include "base/u64map.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mt_top_build(struct mt_top *t, const struct mt_nodes *m, int index)
{
	mt_top_build_types(t, m, index, 1, -1);
}

void mt_top_build_mean(struct mt_top *t, const struct mt_nodes *m, int index, int div)
{
	mt_top_build_types(t, m, index, 1, div);
}

/* pprof's value/divisor pairs: a node's value is its summed values divided
 * by its summed divisors, and so is the total. */
static int64_t divide(int64_t v, int64_t d)
{
	return mt_sat_div(v, d);
}

/* Turns node-major sums of one type into the rows of a top table (ff, fc:
 * the exact sums, or NULL). */
static void make_rows(struct mt_top *t, size_t nn, const int64_t *flat, const int64_t *cum,
		      const double *ff, const double *fc, const int64_t *fdiv,
		      const int64_t *cdiv, size_t stride)
{
	t->rows = xmalloc((nn ? nn : 1) * sizeof *t->rows);
	t->n = 0;
	t->flat_sum = 0;
	for (size_t n = 0; n < nn; n++) {
		int64_t fl = flat[n * stride], cu = cum[n * stride];
		/* jeprof lists a function whose sums are not 0 before truncation. */
		if (fl == 0 && cu == 0 && !(ff && (ff[n * stride] != 0 || fc[n * stride] != 0)))
			continue;
		struct mt_top_row *r = &t->rows[t->n++];
		*r = (struct mt_top_row){.node = (uint32_t)n, .flat = fl, .cum = cu,
					 .raw_flat = fl, .raw_cum = cu};
		if (fdiv) {
			r->flat = divide(fl, fdiv[n]);
			r->cum = divide(cu, cdiv[n]);
		}
		t->flat_sum = mt_sat_add(t->flat_sum, r->flat);
	}
}

void mt_top_build_types(struct mt_top *tops, const struct mt_nodes *m, int t0, int nt,
			int div)
{
	mt_top_build_types_frames(tops, m, t0, nt, div, NULL, NULL);
}

void mt_top_build_types_frames(struct mt_top *tops, const struct mt_nodes *m, int t0,
			       int nt, int div, const uint32_t *cfr, const size_t *coff)
{
	const struct profile *p = m->p;
	size_t nn = m->n, k = (size_t)nt, nst = p->sample_types.n;
	/* Node-major sums: [node][type]; the divisor rides along as one
	 * more type. */
	size_t w = k + (div >= 0);
	int64_t *flat = xcalloc((nn ? nn : 1) * w, sizeof *flat);
	int64_t *cum = xcalloc((nn ? nn : 1) * w, sizeof *cum);
	/* Exact estimates (jemalloc) are summed beside the values and
	 * truncated once, as jeprof does (profile.h). */
	bool ex = profile_has_exact(p);
	double *fflat = ex ? xcalloc((nn ? nn : 1) * w, sizeof *fflat) : NULL;
	double *fcum = ex ? xcalloc((nn ? nn : 1) * w, sizeof *fcum) : NULL;
	double fv[64], *fvv = !ex ? NULL : w <= 64 ? fv : xmalloc(w * sizeof *fvv);
	uint32_t *stamp = xcalloc(nn ? nn : 1, sizeof *stamp);
	/* The nodes of a sample: collected here, or lent by the caller. */
	struct mt_frame *fr = cfr ? NULL : xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	uint32_t *nodes = cfr ? NULL : xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *nodes);
	int64_t v[64], *vv = w <= 64 ? v : xmalloc(w * sizeof *vv);
	for (size_t s = 0; s < p->samples.n; s++) {
		const int64_t *sv = VEC_AT(p->values, s * nst);
		bool any = false;
		for (size_t i = 0; i < k; i++)
			any |= (vv[i] = sv[(size_t)t0 + i]) != 0;
		if (div >= 0)
			any |= (vv[k] = sv[div]) != 0;
		for (size_t i = 0; ex && i < w; i++) {
			fvv[i] = profile_value_exact(p, s, i < k ? (size_t)t0 + i : (size_t)div);
			any |= fvv[i] != 0;
		}
		if (!any)
			continue;
		size_t nf;
		const uint32_t *sn;
		uint32_t leaf;
		if (cfr) {
			/* Root first: the leaf is the last. */
			sn = cfr + coff[s];
			nf = coff[s + 1] - coff[s];
			leaf = nf ? sn[nf - 1] : 0;
		} else {
			nf = mt_nodes_frames(m, s, fr);
			for (size_t i = 0; i < nf; i++)
				nodes[i] = fr[i].node;
			sn = nodes;
			leaf = nf ? nodes[0] : 0;
		}
		if (nf == 0)
			continue;
		uint32_t mark = (uint32_t)s + 1;
		for (size_t i = 0; i < nf; i++) {
			uint32_t n = sn[i];
			if (stamp[n] == mark)
				continue; /* cum once per sample, however deep */
			stamp[n] = mark;
			int64_t *c = cum + (size_t)n * w;
			for (size_t j = 0; j < w; j++)
				c[j] = mt_sat_add(c[j], vv[j]);
			for (size_t j = 0; ex && j < w; j++)
				fcum[(size_t)n * w + j] += fvv[j];
		}
		int64_t *f = flat + (size_t)leaf * w;
		for (size_t j = 0; j < w; j++)
			f[j] = mt_sat_add(f[j], vv[j]);
		for (size_t j = 0; ex && j < w; j++)
			fflat[(size_t)leaf * w + j] += fvv[j];
	}
	for (size_t i = 0; ex && i < (nn ? nn : 1) * w; i++) {
		flat[i] = profile_sum(fflat[i]);
		cum[i] = profile_sum(fcum[i]);
	}
	for (size_t i = 0; i < k; i++) {
		struct mt_top *t = &tops[i];
		memset(t, 0, sizeof *t);
		t->total = mt_profile_total(p, t0 + (int)i);
		if (div < 0) {
			make_rows(t, nn, flat + i, cum + i, ex ? fflat + i : NULL,
				  ex ? fcum + i : NULL, NULL, NULL, w);
			continue;
		}
		/* Per-node divisors, and the total over all samples. */
		int64_t *fd = xmalloc((nn ? nn : 1) * sizeof *fd);
		int64_t *cd = xmalloc((nn ? nn : 1) * sizeof *cd);
		for (size_t n = 0; n < nn; n++) {
			fd[n] = flat[n * w + k];
			cd[n] = cum[n * w + k];
		}
		int64_t total = 0, dtotal = 0;
		double ftotal = 0;
		for (size_t s = 0; s < p->samples.n; s++) {
			int64_t x = p->values.v[s * nst + (size_t)t0 + i];
			total = mt_sat_add(total, mt_sat_abs(x));
			dtotal = mt_sat_add(dtotal, p->values.v[s * nst + (size_t)div]);
			if (ex)
				ftotal += fabs(profile_value_exact(p, s, (size_t)t0 + i));
		}
		if (ex)
			total = profile_sum(ftotal);
		t->total = divide(total, dtotal);
		make_rows(t, nn, flat + i, cum + i, ex ? fflat + i : NULL, ex ? fcum + i : NULL,
			  fd, cd, w);
		free(fd);
		free(cd);
	}
	if (vv != v)
		free(vv);
	if (fvv != fv)
		free(fvv);
	free(fflat);
	free(fcum);
	free(stamp);
	free(fr);
	free(nodes);
	free(flat);
	free(cum);
}

void mt_top_inline_labels_graph(struct mt_top *t, size_t nnodes, const struct mt_graph *g,
				int index, int64_t edge_cutoff)
{
	uint32_t *row_of = xmalloc((nnodes ? nnodes : 1) * sizeof *row_of);
	memset(row_of, 0xff, (nnodes ? nnodes : 1) * sizeof *row_of);
	for (size_t i = 0; i < t->n; i++) {
		row_of[t->rows[i].node] = (uint32_t)i;
		t->rows[i].inl = t->rows[i].noinl = false;
	}
	/* pprof drops edges lighter than the cutoff before it looks at them. */
	if (edge_cutoff < 0)
		edge_cutoff = -edge_cutoff;
	for (uint32_t j = 0; j < g->n; j++) {
		int64_t w = mt_edge_weight(g, j, index);
		uint32_t r = row_of[g->e[j].dst];
		if (r == MT_NONE || !mt_edge_seen(g, j, index) || mt_sat_abs(w) < edge_cutoff)
			continue;
		if (mt_edge_inline(g, j, index))
			t->rows[r].inl = true;
		else
			t->rows[r].noinl = true;
	}
	free(row_of);
}

void mt_top_inline_labels(struct mt_top *t, const struct mt_nodes *m, int index,
			  const uint8_t *kept, int64_t edge_cutoff)
{
	struct mt_graph g;
	mt_graph_build_kept(&g, m, kept);
	mt_top_inline_labels_graph(t, m->n, &g, index, edge_cutoff);
	mt_graph_done(&g);
}

static inline int64_t abs64(int64_t v)
{
	return mt_sat_abs(v);
}

static int cmp_name(const struct mt_top_row *a, const struct mt_top_row *b,
		    const struct mt_nodes *m)
{
	return strcmp(mt_node_name(m, a->node), mt_node_name(m, b->node));
}

/* pprof's FlatNameOrder: |flat| desc, name, |cum| desc. */
static int cmp_flat(const void *x, const void *y, void *m)
{
	const struct mt_top_row *a = x, *b = y;
	if (abs64(a->raw_flat) != abs64(b->raw_flat))
		return abs64(a->raw_flat) > abs64(b->raw_flat) ? -1 : 1;
	int c = cmp_name(a, b, m);
	if (c)
		return c;
	if (abs64(a->raw_cum) != abs64(b->raw_cum))
		return abs64(a->raw_cum) > abs64(b->raw_cum) ? -1 : 1;
	return 0;
}

/* pprof's CumNameOrder: |cum| desc, name, |flat| desc. */
static int cmp_cum(const void *x, const void *y, void *m)
{
	const struct mt_top_row *a = x, *b = y;
	if (abs64(a->raw_cum) != abs64(b->raw_cum))
		return abs64(a->raw_cum) > abs64(b->raw_cum) ? -1 : 1;
	int c = cmp_name(a, b, m);
	if (c)
		return c;
	if (abs64(a->raw_flat) != abs64(b->raw_flat))
		return abs64(a->raw_flat) > abs64(b->raw_flat) ? -1 : 1;
	return 0;
}

static int cmp_byname(const void *x, const void *y, void *m)
{
	int c = cmp_name(x, y, m);
	return c ? c : cmp_flat(x, y, m);
}

void mt_top_sort(struct mt_top *t, const struct mt_nodes *m, enum mt_sort by)
{
	if (t->n < 2)
		return;
	qsort_r(t->rows, t->n, sizeof *t->rows,
		by == MT_SORT_CUM ? cmp_cum : by == MT_SORT_NAME ? cmp_byname : cmp_flat,
		(void *)m);
}

void mt_top_done(struct mt_top *t)
{
	free(t->rows);
	memset(t, 0, sizeof *t);
}
