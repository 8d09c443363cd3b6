/* model.h - what the views show: one loaded profile, its nodes under the
 * active filters, the top rows of the current sample type, and the call trees
 * (built once per filter set and reused by every view).
 *
 * Ownership: the model owns the profile and everything derived from it. Views
 * borrow function ids and tree node ids; both change when the filters change,
 * so the engine reopens the views then (model->generation counts rebuilds).
 */
#ifndef MT_UI_MODEL_H
#define MT_UI_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "report/calltree.h"
#include "base/limits.h"
#include "profile/nodes.h"
#include "profile/profile.h"
#include "report/top.h"

/* FILTER_LABEL keeps the samples with a string label key=value (exact),
 * like pprof's -tagfocus: the goroutine view's state filter. */
enum filter_kind { FILTER_FOCUS, FILTER_IGNORE, FILTER_HIDE, FILTER_LABEL };

struct filter {
	enum filter_kind kind;
	char *pattern; /* a regex, pprof semantics; FILTER_LABEL: "key=value" */
	char *label;   /* what the status bar shows */
};

struct diffmodel;
struct gmodel;

struct model {
	const char *path, *name; /* name: the file's base name */
	/* p_all is the profile as loaded; p is p_all, or (under sample
	 * filters: labels, and every focus but the newest, which stack) a
	 * copy without the samples they drop. Totals are p_all's, as pprof's
	 * are before focus and tagfocus. */
	struct profile *p, *p_all;
	/* The diff base (memtop BASE NEW), or NULL; base_name its label. */
	struct profile *base;
	const char *base_name;
	/* Where a stored snapshot came from (@ID): its store and id, 0 for
	 * a file. */
	const char *db;
	int64_t snap_id;
	int64_t base_id; /* the base's snapshot id, 0 for a file or none */
	char snap_name[24], base_snap_name[24]; /* "@N" of model_load_snapshots */
	const struct mt_limits *lim;
	/* Built by the views that need them (view_diff.c, view_gor.c). */
	struct diffmodel *diff;
	struct gmodel *gor;
	const char *kind;
	enum mt_granularity gran;
	int idx;          /* sample type */
	const char *unit; /* sample unit of idx */
	int64_t total;    /* pprof's total for idx */
	unsigned generation;

	VEC(struct filter) filters;
	struct mt_regex *re[3];
	struct mt_nodes nodes;

	/* Rows of every function with a non-zero flat or cum for idx, in
	 * pprof's flat order. */
	struct mt_top top;

	/* Built after the first screen (model_warm): frames, totals for every
	 * sample type, and the trees (lazily expanded). */
	bool warm;
	struct ct_frames frames;
	int64_t *flat, *cum; /* nodes.n * nst */
	struct mt_top *tops; /* per sample type, sorted by flat */
	struct calltree td, bu;
	bool bu_ok;
};

/* Loads path (a file, or @ID from the store db); on failure fills e and
 * returns false. */
bool model_load(struct model *md, const char *path, const char *db,
		const char *sample_index, enum mt_granularity gran,
		const struct mt_limits *lim, struct mt_err *e);
/* Loads a diff base (a file or @ID); false with e filled when it cannot be
 * read or has other sample types. */
bool model_load_base(struct model *md, const char *path, const struct mt_limits *lim,
		     struct mt_err *e);
/* Replaces the profile by stored snapshot id of md->db, and the diff base
 * by snapshot base_id (0: none), keeping the filters and, where the new
 * profile has it, the sample type (the timeline, view 5, opens snapshots
 * this way). False with e filled and the model unchanged when one cannot be
 * read or the two have other sample types. */
bool model_load_snapshots(struct model *md, int64_t id, int64_t base_id,
			  struct mt_err *e);
/* Reads a profile argument: a file, or @ID from the store db. The caller
 * owns *out. */
bool model_read_profile(const char *path, const char *db, const struct mt_limits *lim,
			struct profile **out, int64_t *snap_id, struct mt_err *e);

/* A copy of src without the samples the sample filters drop (label
 * filters, every focus but the newest), or NULL when there are no such
 * filters. The caller owns the copy. */
struct profile *model_subset(struct model *md, const struct profile *src);

/* Whether a goroutine view filter on label key is in the stack; its value. */
const char *model_label_filter(const struct model *md, const char *key);
void model_done(struct model *md);

/* Builds what the first screen does not need; the trees are expanded for
 * a screen of cols columns. */
void model_warm(struct model *md, int cols);

/* Switches the sample type (rows and tree order follow). */
void model_set_index(struct model *md, int idx);

/* Pushes or pops a filter and rebuilds everything; false with e filled when
 * the pattern does not compile (nothing changes then). */
bool model_push_filter(struct model *md, enum filter_kind kind, const char *pattern,
		       const char *label, struct mt_err *e);
bool model_pop_filter(struct model *md);
/* Removes the label filters on key (wherever they are in the stack) and
 * rebuilds; false when there were none. */
bool model_drop_label_filters(struct model *md, const char *key);

/* The top-down and bottom-up trees (warming the model first if needed). */
struct calltree *model_tree(struct model *md, bool bottom_up);

static inline const char *model_func_name(const struct model *md, uint32_t f)
{
	return f == MT_NONE ? "root" : mt_node_name(&md->nodes, f);
}

/* Formats a value of the current sample type ("1.50MB", "12", "3.20s"). */
void model_fmt(const struct model *md, char *buf, size_t n, int64_t v);
/* Formats v as a percentage of the total ("12.34%"). */
void model_pct(const struct model *md, char *buf, size_t n, int64_t v);


#endif
