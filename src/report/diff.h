/* diff.h - two profiles side by side: per node, flat and cum in the base and
 * in the new profile, joined by node name. The deltas are what pprof -base
 * reports per function (aggregation is linear in the samples). */
#ifndef MT_DIFF_H
#define MT_DIFF_H

#include "profile/nodes.h"
#include "report/top.h"

struct mt_diff_row {
	mt_str name; /* in d->names */
	int64_t base_flat, new_flat, base_cum, new_cum;
};

struct mt_diff {
	struct mt_strtab names;
	struct mt_diff_row *rows;
	size_t n;
	int64_t base_total, new_total;
};

enum mt_diff_sort {
	MT_DIFF_GROWTH, /* delta flat, growth first */
	MT_DIFF_CUM,    /* delta cum, growth first */
	MT_DIFF_FLAT,   /* new flat */
};

/* Joins the top tables of base and new (built with the same options); the
 * caller owns d and frees it with mt_diff_done. */
void mt_diff_build(struct mt_diff *d, const struct mt_nodes *bm,
		   const struct mt_top *bt, const struct mt_nodes *nm,
		   const struct mt_top *nt);
void mt_diff_sort(struct mt_diff *d, enum mt_diff_sort by);
void mt_diff_done(struct mt_diff *d);


#endif
