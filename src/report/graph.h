/* graph.h - pprof's call graph over the nodes of a report: caller->callee
 * edges weighted once per sample, inline when every counted occurrence was
 * an inlined call. The one edge algorithm: behind `memtop tree`, `memtop
 * peek`, the inline marks of `memtop top` and the viewer's callers/callees.
 *
 * A graph may be built over a kept subset of the nodes (pprof's graph after
 * -nodecount or -nodefraction dropped some): then an edge joins a kept frame
 * to the next kept frame below it in a sample, skipping the dropped ones
 * between (a residual edge, in pprof's words).
 *
 * An edge has a weight for every sample type of the profile, so one build
 * serves every sample type (the viewer switches types without a rebuild).
 */
#ifndef MT_GRAPH_H
#define MT_GRAPH_H

#include "profile/nodes.h"

struct mt_edge {
	uint32_t src, dst;
	/* Bit t of seen: a sample with a value of type t crossed the edge;
	 * of noinl: an occurrence counted for type t was an ordinary call;
	 * of residual: one skipped dropped nodes (types past 63 share bit
	 * 63). */
	uint64_t seen, noinl, residual;
};

struct mt_graph {
	struct mt_edge *e;
	int64_t *w;                /* n * nst weights, edge-major */
	size_t n, nst;
	uint32_t *in, *out;        /* edge indexes grouped by dst / by src */
	uint32_t *in0, *out0;      /* per node: start in in[] / out[] (n nodes + 1) */
	size_t nnodes;
};

static inline int64_t mt_edge_weight(const struct mt_graph *g, uint32_t e, int idx)
{
	return g->w[(size_t)e * g->nst + (size_t)idx];
}

static inline uint64_t mt_type_bit(int idx)
{
	return 1ull << (idx < 63 ? idx : 63);
}

/* Whether a sample with a value of type idx crossed edge e. */
static inline bool mt_edge_seen(const struct mt_graph *g, uint32_t e, int idx)
{
	return g->e[e].seen & mt_type_bit(idx);
}

/* Whether edge e is an inlined call for sample type idx. */
static inline bool mt_edge_inline(const struct mt_graph *g, uint32_t e, int idx)
{
	return !(g->e[e].noinl & mt_type_bit(idx));
}

/* Builds every edge of m's samples, for every sample type. */
void mt_graph_build(struct mt_graph *g, const struct mt_nodes *m);
/* The graph over the nodes marked in kept[node] (NULL: all), as pprof's
 * newGraph with a kept node set: edges skip the frames of dropped nodes,
 * and an edge is inline by its callee's frame, as before the drop. */
void mt_graph_build_kept(struct mt_graph *g, const struct mt_nodes *m, const uint8_t *kept);
/* Keeps the edges a sample of type idx crossed (pprof never made the
 * others) and drops those lighter than cutoff, as pprof's
 * TrimLowFrequencyEdges: that looks only at the edges into the nodes of its
 * graph (the report's rows, marked in rows; NULL: every node), so an edge
 * into a node whose flat and cum are 0 stays whatever it weighs. */
void mt_graph_trim(struct mt_graph *g, int idx, int64_t cutoff, const uint8_t *rows);
/* Whether edge e skipped dropped nodes for sample type idx. */
static inline bool mt_edge_residual(const struct mt_graph *g, uint32_t e, int idx)
{
	return g->e[e].residual & mt_type_bit(idx);
}
/* Sorts each node's in and out edges in pprof's order for type idx:
 * |weight| desc, then caller name, then callee name. */
void mt_graph_sort(struct mt_graph *g, const struct mt_nodes *m, int idx);
void mt_graph_done(struct mt_graph *g);

/* A caller or callee of one node, with its weight for one sample type. */
struct mt_peek_edge {
	uint32_t node;
	int64_t weight;
	bool inl;
};

/* pprof's peek of node for type idx: its callers (or callees) that a
 * sample of type idx reached it through, in pprof's order (|weight| desc,
 * then name). Returns how many; the caller frees *out. */
size_t mt_graph_peek(const struct mt_graph *g, const struct mt_nodes *m, uint32_t node,
		     int idx, bool callers, struct mt_peek_edge **out);

#endif
