/* trend.h - growth across stored snapshots: which functions and stacks
 * leak. The snapshots of one series (store/series.h) are scanned as stack
 * ids and
 * values (stacks are shared by every snapshot, so each is decoded once),
 * and every function's flat and cum over capture time is fitted by least
 * squares.
 *
 * A series is a leak when it grows steadily (trend_fit below):
 *   - at least TREND_MIN_SNAPSHOTS snapshots,
 *   - last > first and a positive slope,
 *   - R^2 of the fit >= TREND_MIN_R2 (0.8): a one-off spike or a sawtooth
 *     fits a line badly,
 *   - at least TREND_MIN_RISING (75%) of the steps between consecutive
 *     snapshots do not go down.
 *
 * Ownership: a struct trend owns everything it points to, including the
 * profile of its stacks; row names are borrowed from t->nodes and live as
 * long as t.
 */
#ifndef MT_TREND_H
#define MT_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/nodes.h"
#include "base/status.h"
#include "store/store.h"

#define TREND_MIN_SNAPSHOTS 3
#define TREND_MIN_R2 0.8
#define TREND_MIN_RISING 0.75

struct trend_opts {
	const char *source;       /* names the series (store_series_named); NULL: any */
	const char *kind;         /* NULL: any */
	const char *sample_index; /* name or number; NULL: the default type */
	int64_t since_ns;         /* > 0: only snapshots captured within this
				   * long before the newest one */
	enum mt_granularity gran;
};

/* A least-squares line through one series of values over time. */
struct trend_fit {
	int64_t first, last;
	double slope_per_hour;
	double r2;          /* 0 when the values or the times are all equal */
	double rising;      /* share of steps that do not go down */
	double growth_pct;  /* (last - first) / first * 100; 0 when first is 0 */
	bool leak;          /* the rule above */
};

struct trend_row {
	uint32_t node;              /* function (or file, line...) in t->nodes */
	struct trend_fit flat, cum;
	const int64_t *flat_values; /* per snapshot, into t */
};

struct trend_stack_row {
	size_t stack;               /* sample index in t->stacks */
	struct trend_fit fit;
};

struct trend {
	char *source, *kind, *sample_type, *unit;
	size_t nsnap;
	int64_t *ids, *times; /* per snapshot, by capture time */
	int64_t *totals;      /* per snapshot: pprof's total (sum of |value|) */
	struct profile *stacks;
	struct mt_nodes nodes;
	struct trend_row *rows; /* leaks first, each part by flat slope, steepest first */
	size_t nrows;
	struct trend_stack_row *stack_rows; /* the same order */
	size_t nstack_rows;
	int64_t *flat, *cum, *svals; /* nodes x snapshots, stacks x snapshots */
};

/* Fits values v[0..n) at times t[0..n) (ns) and applies the leak rule. */
void trend_fit(const int64_t *t, const int64_t *v, size_t n, struct trend_fit *out);

/* Builds the trend of the snapshots o selects. When o names no source or
 * kind, the source and kind with the most snapshots are taken. No
 * snapshots at all is MT_ERR_NOTFOUND. */
enum mt_status trend_build(struct trend *t, struct store *s, const struct trend_opts *o,
			   struct mt_err *e);
void trend_done(struct trend *t);

#endif
