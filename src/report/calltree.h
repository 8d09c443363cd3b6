/* calltree.h - call trees built once from the frames of struct mt_nodes and
 * shared by the flame graph, the call tree and peek.
 *
 * struct ct_frames holds every sample's frames (function ids, root first) in
 * one flat array, so each expansion of the trie is a scan of memory rather
 * than a new walk of the profile. (Flat and cum are top.c's; callers and
 * callees graph.c's: one algorithm for each quantity.)
 *
 * struct calltree is the call-path trie over those frames, top down (root ->
 * leaf: flame graph, call tree) or bottom up (leaf -> root: the callers tree),
 * with cum and flat for every sample type. A real profile has millions of
 * distinct paths, so the trie is expanded lazily: a node keeps the range of
 * samples that pass through it and gets its children the first time someone
 * asks (calltree_expand), which costs one pass over those samples. Nodes once
 * made are kept and reused.
 *
 * Ownership: ct_frames borrows its struct mt_nodes (names, and the profile
 * behind them), which must outlive it; a calltree borrows its ct_frames. Both
 * own their arrays.
 */
#ifndef MT_CALLTREE_H
#define MT_CALLTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/nodes.h"

struct ct_frames {
	const struct mt_nodes *m;
	const struct profile *p;
	size_t nst;      /* sample types */
	size_t ns;       /* samples */
	uint32_t *fr;    /* function ids, each sample root first */
	size_t *off;     /* ns + 1: sample s is fr[off[s] .. off[s+1]) */
	int64_t *total;  /* per sample type: pprof's total, sum of |value| */
};

/* Collects the frames of every sample of m's profile (samples that m's
 * filters drop get none). */
void ct_frames_init(struct ct_frames *f, const struct mt_nodes *m);
/* The same for the samples with a non-zero value of sample type idx only
 * (the others weigh nothing in a tree of idx alone: an export's). */
void ct_frames_init_index(struct ct_frames *f, const struct mt_nodes *m, int idx);
void ct_frames_done(struct ct_frames *f);

#define CT_ROOT 0u /* node 0 is the synthetic root (func MT_NONE) */

struct ct_node {
	uint32_t func;   /* mt_nodes id, MT_NONE for the root */
	uint32_t parent; /* MT_NONE for the root */
	uint32_t child;  /* first child (once expanded), or MT_NONE */
	uint32_t next;   /* next sibling, or MT_NONE */
	uint32_t s0, s1; /* its samples: perm[s0 .. s1) */
	uint32_t nchild;
	uint32_t depth;  /* root 0 */
	bool expanded;
};

struct calltree {
	const struct ct_frames *f;
	bool bottom_up;
	size_t t0, nst; /* the sample types kept: t0 .. t0+nst-1 */
	struct ct_node *v; /* v[0] is the root */
	size_t n, cap;
	int64_t *cum, *flat; /* n * nst, row-major */
	uint32_t *perm;      /* samples, grouped by path */
	uint32_t *tmp;
	int sorted_by;       /* sample type children are ordered by */
	/* scratch of expand: per sample of a range, its next function; per
	 * function, a count and the sums of cum and flat; the functions */
	uint32_t *fnb, *cnt;
	int64_t *acc;
	double *facc; /* the same sums of exact estimates (jemalloc), or NULL */
	uint32_t *funcs;
	size_t funcs_cap;
};

/* Makes the root of a tree over f; children are made by calltree_expand. */
void calltree_init(struct calltree *t, const struct ct_frames *f, bool bottom_up,
		   int sort_idx);
/* The same keeping the values of sample type idx only (an export needs
 * one; a fully expanded tree then costs a quarter of the memory of a heap
 * profile's four types). */
void calltree_init_one(struct calltree *t, const struct ct_frames *f, bool bottom_up,
		       int idx);
void calltree_done(struct calltree *t);

static inline int64_t calltree_cum(const struct calltree *t, uint32_t n, int idx)
{
	return t->cum[(size_t)n * t->nst + (size_t)idx - t->t0];
}

static inline int64_t calltree_flat(const struct calltree *t, uint32_t n, int idx)
{
	return t->flat[(size_t)n * t->nst + (size_t)idx - t->t0];
}

/* Makes the children of node n (once; later calls return at once). Children
 * are ordered by |cum| of the sort index, descending, then by name. */
void calltree_expand(struct calltree *t, uint32_t n);

/* Expands every node under n whose |cum| for idx is at least min, to at most
 * max_depth levels below n. */
void calltree_expand_min(struct calltree *t, uint32_t n, int idx, int64_t min,
			 unsigned max_depth);

/* Walks the tree depth first in its order (children by |cum| of the sort
 * index, then name), calling visit on entering each node (the root first);
 * visit returns whether to go below the node. Each subtree is dropped once
 * walked and its node ids are reused, so a walk of a tree with millions of
 * paths holds one path of sibling lists at a time, and reads the samples
 * of a path while they are in the cache. t must be new (nothing expanded);
 * the walk leaves it so. */
void calltree_walk(struct calltree *t, bool (*visit)(void *ctx, const struct calltree *t,
						      uint32_t n),
		   void *ctx);

/* Reorders the children of every expanded node by |cum| of idx. */
void calltree_sort(struct calltree *t, int idx);

#endif
