/* export.h - memtop's views as files to share: folded stacks (flamegraph.pl,
 * inferno, speedscope), JSON stacks and a self-contained SVG flame graph.
 * (The pprof export is the query engine's mt_report_profile.)
 *
 * The writers emit to a stream the caller owns; they never print elsewhere.
 */
#ifndef MT_EXPORT_H
#define MT_EXPORT_H

#include <stdio.h>

#include "profile/nodes.h"

/* One line per distinct stack, "root;...;leaf value", for sample value
 * `index` (zero stacks left out), depth first with children in order of
 * first appearance. */
void export_folded(FILE *f, const struct mt_nodes *m, int index);

/* {"sample_type", "unit", "total", "stacks": [{"frames": [root..leaf],
 * "value": N}]} with the stacks aggregated as in export_folded. */
void export_json(FILE *f, const struct mt_nodes *m, int index);

/* A flame graph (root at the bottom) as one SVG document with a tooltip per
 * frame; frames narrower than a pixel are merged into their parent's "...". */
void export_svg(FILE *f, const struct mt_nodes *m, int index, const char *title);

#endif
