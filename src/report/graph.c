/* graph.c - edges from the shared sample walk, indexed both ways. */
#include "report/graph.h"
#include "base/sat.h"
#include "base/u64map.h"

#include <stdlib.h>
#include <string.h>

/* Indexes the edges by callee (in) and by caller (out). */
static void graph_index(struct mt_graph *g)
{
	free(g->in);
	free(g->out);
	free(g->in0);
	free(g->out0);
	size_t nn = g->nnodes;
	g->in0 = xcalloc(nn + 2, sizeof *g->in0);
	g->out0 = xcalloc(nn + 2, sizeof *g->out0);
	for (size_t i = 0; i < g->n; i++) {
		g->in0[g->e[i].dst + 2]++;
		g->out0[g->e[i].src + 2]++;
	}
	for (size_t i = 2; i < nn + 2; i++) {
		g->in0[i] += g->in0[i - 1];
		g->out0[i] += g->out0[i - 1];
	}
	g->in = xmalloc((g->n + 1) * sizeof *g->in);
	g->out = xmalloc((g->n + 1) * sizeof *g->out);
	for (size_t i = 0; i < g->n; i++) {
		g->in[g->in0[g->e[i].dst + 1]++] = (uint32_t)i;
		g->out[g->out0[g->e[i].src + 1]++] = (uint32_t)i;
	}
}

/* Walks every sample root to leaf and adds its edges between kept nodes,
 * once per sample and pair (the first, outermost occurrence decides the
 * inline bit, as in pprof's newGraph). */
void mt_graph_build_kept(struct mt_graph *g, const struct mt_nodes *m, const uint8_t *kept)
{
	const struct profile *p = m->p;
	memset(g, 0, sizeof *g);
	g->nnodes = m->n;
	size_t nst = p->sample_types.n;
	g->nst = nst;
	VEC(struct mt_edge) edges = {0};
	VEC(int64_t) w = {0};
	/* Exact estimates (jemalloc) are summed beside and truncated once. */
	bool ex = profile_has_exact(p);
	VEC(double) fw = {0};
	VEC(uint32_t) stamps = {0};
	struct mt_u64map idx = {0};
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	uint64_t live = 0; /* types with a non-zero value in this sample */
	for (size_t s = 0; s < p->samples.n; s++) {
		const int64_t *sv = VEC_AT(p->values, s * nst);
		live = 0;
		for (size_t t = 0; t < nst; t++)
			if (sv[t] || (ex && profile_value_exact(p, s, t) != 0))
				live |= 1ull << (t < 63 ? t : 63);
		if (!live)
			continue;
		size_t k = mt_nodes_frames(m, s, fr);
		uint32_t mark = (uint32_t)s + 1, parent = MT_NONE;
		bool residual = false;
		for (size_t i = k; i-- > 0;) {
			uint32_t n = fr[i].node;
			if (kept && !kept[n]) {
				residual = true;
				continue;
			}
			uint32_t from = parent;
			bool skipped = residual;
			parent = n;
			residual = false;
			if (from == MT_NONE || n == from)
				continue;
			bool added;
			uint32_t *at = mt_u64map_put(&idx, mt_pair_key(from, n), &added);
			if (added) {
				*at = (uint32_t)edges.n;
				VEC_PUSH(edges, ((struct mt_edge){.src = from, .dst = n}));
				VEC_PUSH(stamps, 0);
				VEC_RESERVE(w, w.n + nst);
				memset(w.v + w.n, 0, nst * sizeof *w.v);
				w.n += nst;
				if (ex) {
					VEC_RESERVE(fw, fw.n + nst);
					memset(fw.v + fw.n, 0, nst * sizeof *fw.v);
					fw.n += nst;
				}
			}
			if (stamps.v[*at] == mark)
				continue; /* once per sample, first occurrence */
			stamps.v[*at] = mark;
			int64_t *ew = w.v + (size_t)*at * nst;
			for (size_t t = 0; t < nst; t++)
				ew[t] = mt_sat_add(ew[t], sv[t]);
			for (size_t t = 0; ex && t < nst; t++)
				fw.v[(size_t)*at * nst + t] += profile_value_exact(p, s, t);
			edges.v[*at].seen |= live;
			if (!fr[i].inl)
				edges.v[*at].noinl |= live;
			if (skipped)
				edges.v[*at].residual |= live;
		}
	}
	for (size_t i = 0; ex && i < w.n; i++)
		w.v[i] = profile_sum(fw.v[i]);
	free(fw.v);
	free(fr);
	free(stamps.v);
	mt_u64map_done(&idx);
	g->e = edges.v;
	g->w = w.v;
	g->n = edges.n;
	graph_index(g);
}

void mt_graph_build(struct mt_graph *g, const struct mt_nodes *m)
{
	mt_graph_build_kept(g, m, NULL);
}

void mt_graph_trim(struct mt_graph *g, int idx, int64_t cutoff, const uint8_t *rows)
{
	size_t k = 0, nst = g->nst;
	for (size_t i = 0; i < g->n; i++) {
		int64_t x = mt_edge_weight(g, (uint32_t)i, idx);
		if (!mt_edge_seen(g, (uint32_t)i, idx))
			continue;
		if (mt_sat_abs(x) < cutoff && (!rows || rows[g->e[i].dst]))
			continue;
		g->e[k] = g->e[i];
		memmove(g->w + k * nst, g->w + i * nst, nst * sizeof *g->w);
		k++;
	}
	g->n = k;
	graph_index(g);
}

struct edge_sort {
	const struct mt_graph *g;
	const struct mt_nodes *m;
	int idx;
};

static int cmp_edge(const void *x, const void *y, void *ctx)
{
	const struct edge_sort *c = ctx;
	uint32_t ia = *(const uint32_t *)x, ib = *(const uint32_t *)y;
	int64_t wa = mt_edge_weight(c->g, ia, c->idx), wb = mt_edge_weight(c->g, ib, c->idx);
	if (wa != wb) {
		int64_t aa = mt_sat_abs(wa), bb = mt_sat_abs(wb);
		if (aa != bb)
			return aa > bb ? -1 : 1;
	}
	const struct mt_edge *a = &c->g->e[ia], *b = &c->g->e[ib];
	int r = strcmp(mt_node_name(c->m, a->src), mt_node_name(c->m, b->src));
	return r ? r : strcmp(mt_node_name(c->m, a->dst), mt_node_name(c->m, b->dst));
}

void mt_graph_sort(struct mt_graph *g, const struct mt_nodes *m, int idx)
{
	struct edge_sort ctx = {g, m, idx};
	for (size_t n = 0; n < g->nnodes; n++) {
		qsort_r(g->in + g->in0[n], g->in0[n + 1] - g->in0[n], sizeof *g->in, cmp_edge,
			&ctx);
		qsort_r(g->out + g->out0[n], g->out0[n + 1] - g->out0[n], sizeof *g->out,
			cmp_edge, &ctx);
	}
}

void mt_graph_done(struct mt_graph *g)
{
	free(g->e);
	free(g->w);
	free(g->in);
	free(g->out);
	free(g->in0);
	free(g->out0);
	memset(g, 0, sizeof *g);
}

static int cmp_peek(const void *x, const void *y, void *ctx)
{
	const struct mt_peek_edge *a = x, *b = y;
	int64_t aa = mt_sat_abs(a->weight), bb = mt_sat_abs(b->weight);
	if (aa != bb)
		return aa > bb ? -1 : 1;
	return strcmp(mt_node_name(ctx, a->node), mt_node_name(ctx, b->node));
}

size_t mt_graph_peek(const struct mt_graph *g, const struct mt_nodes *m, uint32_t node,
		     int idx, bool callers, struct mt_peek_edge **out)
{
	const uint32_t *ids = callers ? g->in : g->out, *at = callers ? g->in0 : g->out0;
	size_t n = node < g->nnodes ? at[node + 1] - at[node] : 0, k = 0;
	*out = xmalloc((n ? n : 1) * sizeof **out);
	for (size_t i = 0; i < n; i++) {
		uint32_t e = ids[at[node] + i];
		int64_t w = mt_edge_weight(g, e, idx);
		if (!mt_edge_seen(g, e, idx))
			continue;
		(*out)[k++] = (struct mt_peek_edge){
			.node = callers ? g->e[e].src : g->e[e].dst,
			.weight = w,
			.inl = mt_edge_inline(g, e, idx),
		};
	}
	if (k > 1)
		qsort_r(*out, k, sizeof **out, cmp_peek, (void *)m);
	return k;
}
