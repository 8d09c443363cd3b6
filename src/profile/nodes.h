/* nodes.h - how a profile's frames become the nodes of a report: granularity
 * (functions, files, lines, ...), pprof's focus/ignore/hide/show filters, and
 * a per-sample walk that every aggregation (top, tree, flame, diff) shares.
 *
 * Ownership: a struct mt_nodes borrows its profile (which must outlive it)
 * and owns the table of node names. Node names are pprof's printable names
 * ("main.leak", "main.leak /src/x.go:12", "[libc.so.6]").
 */
#ifndef MT_NODES_H
#define MT_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/profile.h"
#include "base/regex.h"

enum mt_granularity {
	MT_GRAN_FUNCTIONS,
	MT_GRAN_FILEFUNCTIONS,
	MT_GRAN_FILES,
	MT_GRAN_LINES,
	MT_GRAN_ADDRESSES,
};

/* Parses "functions", "files", ... ; returns -1 for an unknown name. */
int mt_granularity_parse(const char *s);

/* Filters, borrowed (NULL = none). keep, when given, has one byte per
 * sample: 0 drops the sample before any other filter (label filters and
 * stacked focuses, see query.h). */
struct mt_filters {
	const struct mt_regex *focus, *ignore, *hide, *show;
	const uint8_t *keep;
};

/* Bits of struct mt_nodes.matched: which filters matched some location, as
 * pprof's FilterSamplesByName reports them. */
enum { MT_MATCH_FOCUS = 1, MT_MATCH_IGNORE = 2, MT_MATCH_HIDE = 4, MT_MATCH_SHOW = 8 };

struct mt_nodes {
	const struct profile *p;
	enum mt_granularity gran;
	struct mt_strtab names;   /* node id i is name id i + 1 */
	uint32_t *line_node;      /* per line: node, or MT_NONE if hidden */
	uint32_t *loc_node;       /* per location without lines: node or MT_NONE */
	uint8_t *loc_focus;       /* per location: 0 neither, 1 focus, 2 ignore */
	bool use_focus;           /* focus or ignore given */
	const uint8_t *keep;      /* per sample, borrowed; NULL: all */
	unsigned matched;         /* MT_MATCH_* */
	size_t n;                 /* number of nodes */
};

/* A frame of a sample as the report sees it: a node, and whether it was
 * inlined into its caller. */
struct mt_frame {
	uint32_t node;
	bool inl;
};

/* Builds the node map of p under gran and filters. */
enum mt_status mt_nodes_init(struct mt_nodes *m, const struct profile *p,
			     enum mt_granularity gran,
			     const struct mt_filters *f, struct mt_err *e);
void mt_nodes_done(struct mt_nodes *m);

static inline const char *mt_node_name(const struct mt_nodes *m, uint32_t node)
{
	return strtab_get(&m->names, node + 1);
}

/* Writes the frames of sample s, leaf first, into out (room for
 * mt_nodes_max_frames(m, s)); returns how many, or 0 when focus/ignore drop
 * the sample or hide/show leave it empty. */
size_t mt_nodes_frames(const struct mt_nodes *m, size_t s, struct mt_frame *out);

/* An upper bound of the frames of any sample (cheap to compute). */
size_t mt_nodes_max_frames(const struct mt_nodes *m);

/* pprof's total: sum of |value| over all samples (before focus), or over
 * the samples labelled pprof::base when there are any (-diff_base); of the
 * exact estimates when the profile has them, truncated once. */
int64_t mt_profile_total(const struct profile *p, int index);

#endif
