/* merge.h - pprof's Merge: several profiles of the same sample types become
 * one, with functions, mappings, locations and samples deduplicated by
 * content (not by id) and the values of identical samples added. It is how
 * pprof subtracts a base (-base) and what diffs are built on. */
#ifndef MT_MERGE_H
#define MT_MERGE_H

#include <stdbool.h>

#include "profile/profile.h"

/* Merges srcs[0..n), multiplying the values of srcs[i] by scale[i] (1, or -1
 * for a base); samples of sources with diff_base[i] (diff_base may be NULL)
 * get pprof's label pprof::base=true, which makes totals relative to them.
 * Metadata as pprof: the earliest time, summed durations, the largest
 * period, the first profile's mappings first. The caller owns *out. */
enum mt_status profile_merge(struct profile *const *srcs, const int *scale,
			     const bool *diff_base, size_t n, struct profile **out,
			     struct mt_err *e);

/* pprof's Normalize: scales p's values so that each sample type's total
 * equals base's (rounding each value as pprof does); samples left all zero
 * are dropped. */
void profile_normalize(struct profile *p, const struct profile *base);

/* profile_merge of p alone: a copy that folds samples with the same stack
 * and labels into one, as pprof does to every profile it loads. The caller
 * frees *out. */
enum mt_status profile_copy(const struct profile *p, struct profile **out, struct mt_err *e);

#endif
