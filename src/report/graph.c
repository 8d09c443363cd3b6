/* graph.c - edges from the shared sample walk, indexed both ways. */
#include "report/graph.h"
#include "base/sat.h"
#include "base/u64map.h"

#include <stdlib.h>
#include <string.h>

void mt_graph_build(struct mt_graph *g, const struct mt_nodes *m, int index)
{
	const struct profile *p = m->p;
	memset(g, 0, sizeof *g);
	g->nnodes = m->n;
	VEC(struct mt_edge) edges = {0};
	VEC(uint32_t) stamps = {0};
	struct mt_u64map idx = {0};
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	size_t nst = p->sample_types.n;
	for (size_t s = 0; s < p->samples.n; s++) {
		int64_t w = p->values.v[s * nst + (size_t)index];
		if (w == 0)
			continue;
		size_t k = mt_nodes_frames(m, s, fr);
		uint32_t mark = (uint32_t)s + 1, parent = MT_NONE;
		for (size_t i = k; i-- > 0; parent = fr[i].node) {
			uint32_t n = fr[i].node;
			if (parent == MT_NONE || n == parent)
				continue;
			bool added;
			uint32_t *at = mt_u64map_put(&idx, mt_pair_key(parent, n), &added);
			if (added) {
				*at = (uint32_t)edges.n;
				VEC_PUSH(edges, ((struct mt_edge){.src = parent, .dst = n, .inl = true}));
				VEC_PUSH(stamps, 0);
			}
			if (stamps.v[*at] == mark)
				continue; /* once per sample, first occurrence */
			stamps.v[*at] = mark;
			struct mt_edge *e = &edges.v[*at];
			e->weight = mt_sat_add(e->weight, w);
			if (!fr[i].inl)
				e->inl = false;
		}
	}
	free(fr);
	free(stamps.v);
	mt_u64map_done(&idx);
	g->e = edges.v;
	g->n = edges.n;
	mt_graph_trim(g, 0);
}

void mt_graph_trim(struct mt_graph *g, int64_t cutoff)
{
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++) {
		int64_t a = mt_sat_abs(g->e[i].weight);
		if (a >= cutoff && g->e[i].weight != 0)
			g->e[k++] = g->e[i];
	}
	g->n = k;
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

static const struct mt_graph *sort_g;
static const struct mt_nodes *sort_m;

static int cmp_edge(const void *x, const void *y)
{
	const struct mt_edge *a = &sort_g->e[*(const uint32_t *)x];
	const struct mt_edge *b = &sort_g->e[*(const uint32_t *)y];
	if (a->weight != b->weight) {
		int64_t aa = mt_sat_abs(a->weight);
		int64_t bb = mt_sat_abs(b->weight);
		if (aa != bb)
			return aa > bb ? -1 : 1;
	}
	int c = strcmp(mt_node_name(sort_m, a->src), mt_node_name(sort_m, b->src));
	return c ? c : strcmp(mt_node_name(sort_m, a->dst), mt_node_name(sort_m, b->dst));
}

void mt_graph_sort(struct mt_graph *g, const struct mt_nodes *m)
{
	sort_g = g;
	sort_m = m;
	for (size_t n = 0; n < g->nnodes; n++) {
		qsort(g->in + g->in0[n], g->in0[n + 1] - g->in0[n], sizeof *g->in, cmp_edge);
		qsort(g->out + g->out0[n], g->out0[n + 1] - g->out0[n], sizeof *g->out,
		      cmp_edge);
	}
	sort_g = NULL;
	sort_m = NULL;
}

void mt_graph_done(struct mt_graph *g)
{
	free(g->e);
	free(g->in);
	free(g->out);
	free(g->in0);
	free(g->out0);
	memset(g, 0, sizeof *g);
}
