/* gmodel.h - what the goroutine view (view 6) shows: the goroutine groups
 * of the model's profile (report/ggroup.h: a dump's by state, stack and
 * creator, a goroutine profile's by stack, whose state is not known:
 * "profile"), built from the profile alone; a summary per state of the
 * whole input; and, when the input is a stored snapshot, each group's count
 * across the stored goroutine snapshots of its series and, for dumps, how
 * long its goroutines have been there (report/gseries.h: "stuck since").
 *
 * With a diff base that is a dump too (memtop BASE NEW), view 4 compares
 * the two: groups only in the base, only in the new, in both (gm_diff).
 *
 * Ownership: the model owns its gmodel (model->gor). Strings are borrowed
 * from the model's profile and the gmodel's set, and are valid until the
 * next gmodel_get that rebuilds.
 */
#ifndef MT_UI_GMODEL_H
#define MT_UI_GMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "query/model.h"
#include "report/ggroup.h"

struct gm_group {
	uint32_t gi;	   /* the group in the set */
	const char *state; /* "profile" for a goroutine profile's groups */
	const char *creator, *creator_file; /* "" when unknown */
	int64_t creator_line;
	int64_t count, wait_min, wait_max; /* minutes; 0 when not shown */
	size_t locked;
	bool elided;
	uint32_t f0, nf; /* set.frames[f0 .. f0+nf), leaf first */
	uint32_t top;	 /* the frame that names the group (gg_name) */
	uint32_t m0, nm; /* set.members[m0 .. m0+nm): ids, waits (dumps) */
	uint64_t key;	 /* the same group in other snapshots */
	int64_t *series; /* nsnap counts over the stored snapshots, or NULL */
	int64_t growth;	 /* last - first of series */
	bool only_grows; /* never shrinks and grew: a leak */
	/* Lifetimes (a stored dump in a series of two or more): since[k] is
	 * how many of its goroutines have been there since stored snapshot k
	 * (k < cur_index), without a break; oldest is the earliest k of one
	 * of them, -1 when all are new. */
	int64_t *since;
	int32_t oldest;
	bool shown; /* passes the model's filters */
};

struct gm_state {
	const char *state;
	int64_t count;
	uint32_t groups;
};

/* Two dumps compared (view 4): the base's groups and the rows of their
 * diff that pass the model's filters, by growth. */
struct gm_diff {
	struct gg_set base;
	struct gg_diff d;
	VEC(uint32_t) rows; /* indices into d.rows */
};

struct gmodel {
	unsigned generation;
	struct gm_diff *diff; /* or NULL: built by gmodel_diff */
	struct gg_set set;
	bool set_ok;
	VEC(struct gm_group) groups; /* largest first */
	VEC(struct gm_state) states; /* of the whole input, largest first */
	int64_t total;		     /* goroutines in the input */
	int64_t shown_total;	     /* in the groups that pass the filters */
	size_t nshown;
	const char *reason; /* panic line of a dump, or NULL */
	/* stored snapshots of the same series up to the open one, oldest
	 * first */
	size_t nsnap;
	int64_t *snap_time, *snap_id;
	size_t cur_index; /* the open snapshot's index among them */
	bool lifetimes;	  /* since and oldest are known */
	char err[200];	  /* why the input has no goroutines */
};

/* The model's goroutine groups, rebuilt when the filters changed; NULL
 * (with why in md->gor->err) when the input is not goroutines. */
struct gmodel *gmodel_get(struct model *md, const struct mt_limits *lim);
void gmodel_free(struct gmodel *gm);

/* The model's two dumps compared (its base and its profile), rebuilt with
 * the groups; NULL when the model has no base or either is not a dump. */
const struct gm_diff *gmodel_diff(struct model *md);

/* Whether a profile holds goroutines (a dump, or a goroutine profile). */
bool gmodel_is_goroutines(const struct profile *p);

#endif
