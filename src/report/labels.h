/* labels.h - the labels of a report's samples with the value they carry
 * (pprof's -tags, by key then value): what the viewer's label list offers
 * to filter on.
 *
 * Ownership: the rows borrow strings of the report's profile (which must
 * outlive them); the arrays are the caller's (mt_labels_done).
 */
#ifndef MT_LABELS_H
#define MT_LABELS_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/nodes.h"

struct mt_label_row {
	const char *key;
	const char *value; /* a string label's value; NULL for a number */
	int64_t num;       /* a numeric label's value */
	const char *unit;  /* and its unit, as pprof infers it (profile/tags.h) */
	int64_t weight;    /* sum of |value| of its samples, sample type idx */
	int64_t samples;   /* how many samples carry it */
};

struct mt_labels {
	struct mt_label_row *v;
	size_t n;
	int64_t total; /* sum of |value| of the samples m keeps */
};

/* Every label of the samples m keeps (its filters applied), weighted by
 * sample type idx; sorted by key, then weight (heaviest first), then value. */
void mt_labels_build(struct mt_labels *out, const struct mt_nodes *m, int idx);
void mt_labels_done(struct mt_labels *l);

/* A tag filter (query.h) that keeps exactly the samples with row's label:
 * "key=^(?:value)$" with the value quoted, or "key=NUMunit" for a number. */
void mt_label_filter(char *buf, size_t n, const struct mt_label_row *row);

#endif
