/* gmodel.h - what the goroutine view (view 6) shows: goroutines grouped by
 * state, stack and creator, from a goroutine dump (debug=2, panic output),
 * or from a goroutine profile (samples grouped by stack; its state is not
 * known: "profile"); a summary per state of the whole input; and, when the
 * input is a stored snapshot, each group's count across the stored
 * goroutine snapshots of the same source.
 *
 * Ownership: the model owns its gmodel (model->gor). Strings are borrowed
 * from the dump (owned here) or the model's profile, and are valid until the
 * next gmodel_get that rebuilds.
 */
#ifndef MT_UI_GMODEL_H
#define MT_UI_GMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "read/goroutines.h"
#include "query/model.h"

struct gm_frame {
	const char *func, *file;
	int64_t line;
	bool inl;
};

struct gm_group {
	const char *state;
	const char *creator, *creator_file; /* "" when unknown */
	int64_t creator_line;
	int64_t count, wait_min, wait_max; /* minutes; 0 when not shown */
	size_t locked;
	bool elided;
	uint32_t f0, nf; /* frames[f0 .. f0+nf), leaf first */
	uint32_t top;    /* the frame shown as the top one: the first outside
			  * package runtime (a profile's stacks start in
			  * runtime.gopark), 0 when all are in it */
	uint64_t ids[MT_GROUP_IDS];
	uint32_t nids;
	uint64_t key;	 /* state and frames: the same group in other snapshots */
	int64_t *series; /* nsnap counts over the stored snapshots, or NULL */
	int64_t growth;	 /* last - first of series */
	bool only_grows; /* never shrinks and grew: a leak */
	bool shown;	 /* passes the model's filters */
};

struct gm_state {
	const char *state;
	int64_t count;
	uint32_t groups;
};

struct gmodel {
	unsigned generation;
	bool from_dump;
	bool dump_ok;
	struct mt_goroutines d;
	VEC(struct gm_group) groups; /* largest first */
	VEC(struct gm_frame) frames;
	VEC(struct gm_state) states; /* of the whole input, largest first */
	int64_t total;		     /* goroutines in the input */
	int64_t shown_total;	     /* in the groups that pass the filters */
	size_t nshown;
	const char *reason; /* panic line of a dump, or NULL */
	/* stored snapshots of the same source, oldest first */
	size_t nsnap;
	int64_t *snap_time;
	char err[200]; /* why the input has no goroutines */
};

/* The model's goroutine groups, rebuilt when the filters changed; NULL
 * (with why in md->gor->err) when the input is not goroutines. */
struct gmodel *gmodel_get(struct model *md, const struct mt_limits *lim);
void gmodel_free(struct gmodel *gm);

/* Whether a profile holds goroutines (a dump, or a goroutine profile). */
bool gmodel_is_goroutines(const struct profile *p);

#endif
