/* graph.h - pprof's call graph over the nodes of a report: caller->callee
 * edges weighted once per sample, inline when every counted occurrence was
 * an inlined call. Behind `memtop tree` and `memtop peek`. */
#ifndef MT_GRAPH_H
#define MT_GRAPH_H

#include "profile/nodes.h"

struct mt_edge {
	uint32_t src, dst;
	int64_t weight;
	bool inl;
};

struct mt_graph {
	struct mt_edge *e;
	size_t n;
	uint32_t *in, *out;        /* edge indexes grouped by dst / by src */
	uint32_t *in0, *out0;      /* per node: start in in[] / out[] (n nodes + 1) */
	size_t nnodes;
};

/* Builds every edge of m's samples for value index. */
void mt_graph_build(struct mt_graph *g, const struct mt_nodes *m, int index);
/* Drops edges lighter than cutoff (|weight| < cutoff), as pprof's
 * TrimLowFrequencyEdges. */
void mt_graph_trim(struct mt_graph *g, int64_t cutoff);
/* Sorts each node's in and out edges in pprof's order: |weight| desc, then
 * caller name, then callee name. */
void mt_graph_sort(struct mt_graph *g, const struct mt_nodes *m);
void mt_graph_done(struct mt_graph *g);

#endif
