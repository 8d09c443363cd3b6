/* top.h - the top table: flat and cum per node with pprof's semantics (flat
 * to the leaf, cum once per sample however often a node recurses), sorted in
 * pprof's order. */
#ifndef MT_TOP_H
#define MT_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/nodes.h"

struct mt_top_row {
	uint32_t node;
	int64_t flat, cum;
	int64_t raw_flat, raw_cum; /* before a --mean division; pprof sorts on them */
	bool inl, noinl; /* reached through inlined / ordinary calls */
};

struct mt_top {
	struct mt_top_row *rows; /* sorted; only nodes with flat or cum != 0 */
	size_t n;
	int64_t total;   /* pprof's total (before focus) */
	int64_t flat_sum; /* sum of flat over rows */
};

enum mt_sort { MT_SORT_FLAT, MT_SORT_CUM, MT_SORT_NAME };

/* Aggregates sample value `index` of m's profile. The caller owns t and frees
 * it with mt_top_done. */
void mt_top_build(struct mt_top *t, const struct mt_nodes *m, int index);
/* The same with pprof's -mean: each node's value divided by the sum of
 * sample value `div` over the same samples (contentions, for mean delay). */
void mt_top_build_mean(struct mt_top *t, const struct mt_nodes *m, int index, int div);
/* The one flat/cum aggregation behind both: tops[0..nt) get sample types
 * t0 .. t0+nt-1 in one walk of the samples (div < 0: no -mean). */
void mt_top_build_types(struct mt_top *tops, const struct mt_nodes *m, int t0, int nt,
			int div);
/* The same from the nodes of every sample already collected (as
 * report/calltree.h's ct_frames holds them: root first, sample s at
 * fr[off[s] .. off[s+1])), so the viewer walks the frames once. */
void mt_top_build_types_frames(struct mt_top *tops, const struct mt_nodes *m, int t0,
			       int nt, int div, const uint32_t *fr, const size_t *off);
/* Sets inl/noinl of the rows like pprof's text report: from the caller
 * edges into each row's node that weigh at least edge_cutoff, in the graph
 * over the nodes marked in kept (NULL: all nodes; see mt_report_kept).
 * Costs a walk of all samples. */
/* The same from a graph already built of the (untrimmed) nodes, which
 * carries every sample type: nnodes is the nodes' count. */
struct mt_graph;
void mt_top_inline_labels_graph(struct mt_top *t, size_t nnodes, const struct mt_graph *g,
				int index, int64_t edge_cutoff);
void mt_top_inline_labels(struct mt_top *t, const struct mt_nodes *m, int index,
			  const uint8_t *kept, int64_t edge_cutoff);
void mt_top_sort(struct mt_top *t, const struct mt_nodes *m, enum mt_sort by);
void mt_top_done(struct mt_top *t);

/* Lines "label: ..." of pprof's inline marker for a row. */
static inline const char *mt_top_inline_label(const struct mt_top_row *r)
{
	return r->inl ? (r->noinl ? "(partial-inline)" : "(inline)") : "";
}

#endif
