/* model.h - the profile a viewer session explores: the prepared profile of
 * the query engine (loaded, symbolized, based, label frames added), a
 * filter stack the user pushes and pops, the report under it (nodes and
 * rows, exactly what `memtop top` computes with the same options), and what
 * the other screens need built once from it: the rows of every sample type,
 * the frames of every sample, the call trees and the call graph.
 *
 * Ownership: the model owns the profiles and everything derived from them;
 * it borrows the query options (which must outlive it). Views borrow node
 * ids and tree node ids; both change when the filters change, so views
 * reopen then (model->generation counts rebuilds).
 */
#ifndef MT_MODEL_H
#define MT_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/limits.h"
#include "profile/nodes.h"
#include "profile/profile.h"
#include "query/query.h"
#include "report/calltree.h"
#include "report/graph.h"
#include "report/top.h"

/* One filter of the stack. */
struct model_filter {
	enum mt_filter_kind kind;
	char *pattern; /* pprof semantics */
	char *label;   /* what the status bar shows */
	char *state;   /* a goroutine state filter's state, else NULL */
};

struct diffmodel;
struct gmodel;

struct model {
	const char *path, *name; /* name: the file's base name */
	const struct mt_query_opts *q; /* borrowed */
	/* The prepared profile; totals are its, as pprof's are before
	 * focus and tagfocus. */
	struct profile *p;
	/* The diff base (memtop BASE NEW), or NULL; base_name its label. */
	struct profile *base;
	const char *base_name;
	/* Where a stored snapshot came from (@ID): its id, 0 for a file. */
	int64_t snap_id;
	int64_t base_id; /* the base's snapshot id, 0 for a file or none */
	char snap_name[24], base_snap_name[24]; /* "@N" of model_load_snapshots */
	char url_name[160], base_url_name[160]; /* a URL's "host:port heap" */
	const struct mt_limits *lim;
	struct mt_warnings warnings; /* of loading: shown once */
	/* The goroutine dump fetched in the same round as the snapshot shown
	 * (memtop host:6060 fetches them side by side), for view 6 when p
	 * is no goroutine profile; NULL when there is none. */
	struct profile *gor_p;
	int64_t gor_id;
	/* Built by the views that need them (view_diff.c, view_gor.c). */
	struct diffmodel *diff;
	struct gmodel *gor;
	const char *kind;
	enum mt_granularity gran;
	int idx;          /* sample type */
	const char *unit; /* sample unit of idx */
	int64_t total;    /* pprof's total for idx */
	unsigned generation;

	VEC(struct model_filter) filters;
	/* The nodes and the rows of every function with a non-zero flat or
	 * cum for idx, in pprof's flat order. */
	struct mt_report rep;

	/* Built after the first screen (model_warm): rows of every sample
	 * type, frames, trees (lazily expanded) and the call graph. */
	bool warm;
	struct mt_top *tops; /* per sample type, sorted by flat */
	struct ct_frames frames;
	struct calltree td, bu;
	bool bu_ok;
	struct mt_graph graph;
	bool graph_ok;
	/* While the first report is built: its inline marks wait for
	 * model_warm (the first screen does not pay for the call graph). */
	bool marks_later;
	unsigned marks_serial; /* counts mark_inline: views copy rows */
};

/* Loads ref (a file, or @ID from q->db) as query_load does, with the
 * options' filters as the first entries of the stack; false with e
 * filled (naming the culprit) on failure. */
bool model_load(struct model *md, const char *ref, const struct mt_query_opts *q,
		struct mt_err *e);
/* Loads a diff base (a file or @ID); false with e filled when it cannot be
 * read or has other sample types. */
bool model_load_base(struct model *md, const char *ref, struct mt_err *e);
/* Replaces the profile by stored snapshot id, and the diff base by
 * snapshot base_id (0: none), keeping the filters and, where the new
 * profile has it, the sample type (the timeline opens snapshots this
 * way). False with e filled and the model unchanged when one cannot be
 * read or the two have other sample types. */
bool model_load_snapshots(struct model *md, int64_t id, int64_t base_id,
			  struct mt_err *e);
/* Replaces the profile by np, fetched again from the same URL (stored as
 * snapshot id, 0: not stored), and the diff base by nb (NULL: none; a live
 * session's first fetch, named base_name, which must outlive the model);
 * both are consumed. Keeps the filters and the sample type. False with e
 * filled and the model unchanged when np cannot be shown in its place. */
bool model_replace_live(struct model *md, struct profile *np, struct profile *nb,
			int64_t id, const char *base_name, struct mt_err *e);
/* Finds md->gor_p: the goroutine dump stored from the same service (URL
 * up to /debug/pprof/) within 5 s of the snapshot shown. Quietly none
 * when there is no such snapshot. */
void model_load_companion(struct model *md);
void model_done(struct model *md);

/* Builds what the first screen does not need; the trees are expanded for
 * a screen of cols columns. */
void model_warm(struct model *md, int cols);

/* Switches the sample type (rows and tree order follow). */
void model_set_index(struct model *md, int idx);

/* Pushes or pops a filter and rebuilds everything; false with e filled when
 * the pattern does not compile (nothing changes then). */
bool model_push_filter(struct model *md, enum mt_filter_kind kind, const char *pattern,
		       const char *label, struct mt_err *e);
bool model_pop_filter(struct model *md);
/* A copy of the filter stack, to restore later (an undo). */
struct model_filters {
	struct model_filter *v;
	size_t n;
};
void model_filters_save(const struct model *md, struct model_filters *out);
/* Puts the saved stack back and rebuilds (nothing when it is the same);
 * the saved copy stays the caller's (model_filters_free). */
void model_filters_restore(struct model *md, const struct model_filters *saved);
void model_filters_free(struct model_filters *f);

/* The goroutine view's state filter: a tagfocus on the state label that
 * matches exactly state; replaces the state filter there was. */
bool model_set_state_filter(struct model *md, const char *state, struct mt_err *e);
/* The state of the state filter in the stack, or NULL. */
const char *model_state_filter(const struct model *md);
/* Removes the state filter; false when there was none. */
bool model_drop_state_filter(struct model *md);

/* A report of p (the model's profile, its base, or one derived from them)
 * under the model's filter stack, for sample type idx at granularity gran.
 * The caller owns r (mt_report_done). */
enum mt_status model_report(const struct model *md, const struct profile *p, int idx,
			    enum mt_granularity gran, struct mt_report *r,
			    struct mt_err *e);

/* The top-down and bottom-up trees (warming the model first if needed). */
struct calltree *model_tree(struct model *md, bool bottom_up);
/* The call graph of the nodes, every sample type (warming the model). */
const struct mt_graph *model_graph(struct model *md);

static inline const struct mt_nodes *model_nodes(const struct model *md)
{
	return &md->rep.nodes;
}

static inline const char *model_func_name(const struct model *md, uint32_t f)
{
	return f == MT_NONE ? "root" : mt_node_name(&md->rep.nodes, f);
}

/* Formats a value of the current sample type ("1.50MB", "12", "3.20s"). */
void model_fmt(const struct model *md, char *buf, size_t n, int64_t v);
/* Formats v as a percentage of the total ("12.34%"). */
void model_pct(const struct model *md, char *buf, size_t n, int64_t v);

#endif
