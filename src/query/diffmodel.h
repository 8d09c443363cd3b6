/* diffmodel.h - what the diff views (view 4, its drill-down and its flame
 * graph) show: the diff base and the current profile under the model's
 * filters and sample type, joined by function name like `memtop diff`; the
 * frames of both sides for peek; and one call tree over both, whose sample
 * types are the base's value, the new one's, and their sum.
 *
 * Ownership: the model owns its diffmodel (model->diff) and frees it; the
 * views borrow it. It is rebuilt when the model's generation, sample type
 * or the normalization changes (diffmodel_get).
 */
#ifndef MT_UI_DIFFMODEL_H
#define MT_UI_DIFFMODEL_H

#include <stdbool.h>

#include "report/diff.h"
#include "query/model.h"
#include "report/graph.h"

enum { DT_BASE, DT_NEW, DT_BOTH }; /* sample types of the diff tree */

struct diffmodel {
	bool normalized; /* NEW scaled to BASE's totals (pprof -normalize) */
	bool built;
	unsigned generation;
	int idx;
	struct profile *np_norm; /* the normalized NEW, or NULL */
	struct mt_report br, nr; /* each side under the model's filters */
	struct mt_diff d; /* d.base_total, d.new_total: pprof's totals */
	bool graphs_ok;
	struct mt_graph bg, ng; /* for peek */
	bool tree_ok;
	struct profile *cp; /* both sides: types base, new, both */
	struct mt_report cr;
	struct ct_frames cf;
	struct calltree ct;
	unsigned serial; /* counts rebuilds, for the views */
};

/* The model's diffmodel, (re)built if stale; NULL when there is no base. */
struct diffmodel *diffmodel_get(struct model *md);
/* Switches the normalization (the next diffmodel_get rebuilds). */
void diffmodel_set_normalized(struct model *md, bool on);
void diffmodel_free(struct diffmodel *dm);

/* The NEW side as the diff shows it: the model's profile, or its
 * normalized copy. */
const struct profile *diffmodel_new_side(const struct diffmodel *dm,
					 const struct model *md);
/* Makes the call graphs of both sides (for peek). */
void diffmodel_graphs(struct diffmodel *dm);
/* The diff call tree, top down, children ordered by base + new. */
struct calltree *diffmodel_tree(struct diffmodel *dm, struct model *md);

/* One caller or callee of a function in both profiles. */
struct diff_edge {
	const char *name; /* borrowed from the nodes */
	int64_t base, new_;
};

/* pprof's peek of the function called name in both profiles, joined by
 * name and sorted by |delta|, then |new|, then name; *self gets the
 * function's own flat and cum ({base flat, new flat, base cum, new cum}).
 * The caller frees both arrays. */
void diffmodel_peek(struct diffmodel *dm, const char *name, int64_t self[4],
		    struct diff_edge **in, size_t *nin, struct diff_edge **out,
		    size_t *nout);

#endif
