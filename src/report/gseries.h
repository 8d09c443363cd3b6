/* gseries.h - goroutine groups across the stored snapshots of one series
 * (store/series.h): each group's count per snapshot and its fit by the leak
 * rule of trend.h, the same summed per creator, and the lifetimes of one
 * dump's goroutines: since which stored dump each has been there without a
 * break.
 *
 * Groups are report/ggroup.h's (state, stack, creator, elision), so a group
 * of a stored dump, of a dump file and of the viewer's input is one group
 * when its key is. A goroutine is there without a break since dump k when
 * every dump from k on holds it: the same id, in the same group, with a
 * wait that never went back (a goroutine that woke up and parked again in
 * the same place is a new wait). Goroutine profiles (no ids) have counts
 * and fits, no lifetimes.
 *
 * The snapshots are scanned as stack ids and labels (store_scan_samples);
 * the stacks, shared by every snapshot, are decoded once.
 *
 * Ownership: a struct gs_series owns everything it points to; the strings
 * of its groups live in its stacks profile and its string table, as long as
 * it does.
 */
#ifndef MT_GSERIES_H
#define MT_GSERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "report/ggroup.h"
#include "report/trend.h"
#include "store/series.h"
#include "store/store.h"

struct gs_opts {
	int64_t since_ns; /* > 0: only snapshots captured within this long
			   * before the newest one of the window */
	size_t max_snaps; /* > 0: only the newest max_snaps */
	/* The dump whose goroutines to follow back (its members), or NULL:
	 * the newest snapshot of the window. */
	const struct gg_set *cur;
	/* cur's snapshot when it is one of the series: the window ends
	 * there; 0: cur comes after every stored snapshot. */
	int64_t cur_id;
	/* Only cur's lifetimes (goroutines --since): cur's own snapshot is
	 * not scanned again, and counts, fits and creators are left empty. */
	bool lifetimes_only;
};

/* Counts summed per creator function. */
struct gs_creator {
	const char *name;
	int64_t *counts; /* per snapshot, into the series */
	struct trend_fit fit;
	size_t groups;
};

struct gs_series {
	char *source, *kind;
	size_t nsnap;
	int64_t *ids, *times; /* per snapshot, by capture time */
	int64_t *totals;      /* goroutines per snapshot */
	struct profile *stacks;
	struct mt_strtab strs;
	/* Every group of the window, largest in the newest snapshot first;
	 * count is that of the newest. */
	struct gg_set set;
	int64_t *counts;	     /* set.groups.n x nsnap */
	struct trend_fit *fit;	     /* per group */
	uint32_t *order;	     /* groups by growth: leaks first, then slope */
	struct gs_creator *creators; /* by growth */
	size_t ncreators;
	bool has_ids; /* dumps: lifetimes below */

	/* Lifetimes of cur's goroutines (gs_opts.cur's members, in member
	 * order; else the newest snapshot's, with their groups in cur_group). */
	size_t ncur;
	int32_t *first;	     /* per goroutine: the snapshot index since which
			      * it has been there; cur_index when it is new */
	uint32_t *cur_group; /* per goroutine of the newest: its group, or NULL */
	size_t cur_index;    /* cur's index, or nsnap when it is not stored */
	/* Per group, of the newest snapshot's goroutines (cur NULL): the
	 * earliest first (-1 when none) and how many since snapshot 0. */
	int32_t *oldest;
	int64_t *since_start;
};

/* Builds the goroutine series of the snapshots of se (borrowed). An empty
 * window is MT_ERR_NOTFOUND. */
enum mt_status gs_build(struct gs_series *gs, struct store *s,
			const struct store_series *se, const struct gs_opts *o,
			struct mt_err *e);
void gs_done(struct gs_series *gs);

/* Whether a snapshot kind holds goroutines ("goroutine", "goroutine-dump"). */
bool gs_is_goroutine_kind(const char *kind);

#endif
