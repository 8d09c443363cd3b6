/* metrics.h - time series stored beside the snapshots: expvar memstats,
 * /proc figures of a process, and gctrace cycles, one series per (name,
 * source), points (time, value) in the same SQLite file as the profiles
 * (tables series and point, schema version 2 in data/schema.sql). And the
 * findings `memtop leaks` reports from them: heap rising after GC, RSS
 * rising outside the Go heap, goroutines rising, GC CPU above 10%.
 *
 * Ownership: a metrics_batch owns copies of its names; a metrics_list and
 * its series, names and points belong to the caller (metrics_list_done);
 * so do findings (metrics_findings_free).
 */
#ifndef MT_METRICS_H
#define MT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "base/util.h"

struct store;

/* One value of a series at a time (ns since the epoch). Values are doubles:
 * integers up to 2^53 are exact. */
struct metrics_point {
	int64_t time;
	double value;
};

struct metrics_sample {
	uint32_t name; /* offset into the batch's names */
	int64_t time;
	double value;
};

/* Points not yet stored, read from one source (a scrape, a log). */
struct metrics_batch {
	VEC(struct metrics_sample) v;
	VEC(char) names; /* NUL-terminated names, back to back */
	size_t max;      /* refuse more points than this (0: 1,000,000) */
	bool full;       /* a point was refused */
};

void metrics_batch_done(struct metrics_batch *b);
/* Adds one point; false (and b->full) past b->max. */
bool metrics_batch_add(struct metrics_batch *b, const char *name, int64_t time,
		       double value);
/* The name of point i. */
static inline const char *metrics_batch_name(const struct metrics_batch *b, size_t i)
{
	return b->names.v + b->v.v[i].name;
}

/* Stores the points of b under source in one transaction; a point at a time
 * its series already has is kept as it was (re-importing a log adds
 * nothing). *added counts new points (may be NULL). */
enum mt_status metrics_store(struct store *s, const char *source,
			     const struct metrics_batch *b, size_t *added,
			     struct mt_err *e);

struct metrics_series {
	char *name, *source;
	struct metrics_point *v; /* oldest first */
	size_t n;
};

struct metrics_list {
	struct metrics_series *v; /* by name, then source */
	size_t n;
};

/* Reads the stored series whose name is name (NULL: all; a name ending in
 * '.' or '*' matches the prefix before it) and whose source contains source
 * (NULL: any). */
enum mt_status metrics_read(struct store *s, const char *name, const char *source,
			    struct metrics_list *out, struct mt_err *e);
void metrics_list_done(struct metrics_list *l);

/* A least-squares line through points: value = a + slope * (t - t0) with t
 * in seconds, and its coefficient of determination (1 when every point is
 * on the line; 0 when the line explains nothing or the values are flat). */
struct metrics_fit {
	double a, slope, r2;
	int64_t t0;
};

/* Fits v[0..n); false with fewer than 2 points or no time span. */
bool metrics_fit(const struct metrics_point *v, size_t n, struct metrics_fit *f);

enum finding_kind {
	FINDING_HEAP_RISING,     /* heap in use rising steadily after GC */
	FINDING_RSS_OUTSIDE_HEAP, /* RSS rising while the Go heap is flat */
	FINDING_GOROUTINES_RISING,
	FINDING_GC_CPU_HIGH,     /* GC CPU above 10% for a sustained period */
};

/* What a finding saw, over which span, with its numbers. */
struct finding {
	enum finding_kind kind;
	const char *name;    /* "heap-rising", ... (static) */
	char *series;        /* the series it is about */
	char *source;
	int64_t from, to;    /* the span, ns since the epoch */
	size_t points;       /* how many points the span holds */
	double first, last;  /* fitted (rising) or observed (GC CPU) values */
	double slope_per_hour; /* fitted, in the series' unit per hour */
	double r2;
	double peak;         /* GC CPU: the highest value in the span */
	char *unit;          /* "bytes", "MB", "goroutines", "%" */
	char *text;          /* one sentence saying all of the above */
};

/* Thresholds of the findings; metrics_findings(s, NULL, ...) uses the
 * defaults of METRICS_FIND_DEFAULT. */
struct metrics_find_opts {
	size_t min_points;    /* a rising series needs this many points */
	double min_r2;        /* and a line this good */
	double min_growth;    /* and to grow by this fraction of its start */
	double flat_ratio;    /* RSS: the heap grew by less than this fraction
			       * of what RSS grew over the same span */
	double gc_cpu;        /* GC CPU fraction above which it is high */
	int64_t sustained_ns; /* for at least this long */
};

#define METRICS_FIND_DEFAULT                                                   \
	{                                                                      \
		.min_points = 4, .min_r2 = 0.8, .min_growth = 0.05,            \
		.flat_ratio = 0.25, .gc_cpu = 0.10,                           \
		.sustained_ns = 30 * (int64_t)1000000000,                      \
	}

/* Checks the stored series and returns what holds, most telling first.
 * The caller owns *out (metrics_findings_free). */
enum mt_status metrics_findings(struct store *s, const struct metrics_find_opts *o,
				struct finding **out, size_t *n, struct mt_err *e);
void metrics_findings_free(struct finding *f, size_t n);

#endif
