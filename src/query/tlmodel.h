/* tlmodel.h - what the timeline (view 5) shows: the snapshots stored in a
 * database in capture order, grouped in series (store/series.h: one rule
 * for the timeline, leaks and the goroutine counts), each snapshot's total,
 * the metrics series worth a chart (heap, RSS, goroutines, GC), the findings
 * of metrics_findings, and the leak ranking (trend_build) of one series.
 *
 * The database is polled cheaply: the file and its WAL are stat'ed, and only
 * when one changed (a collector imported) is the list read again.
 *
 * Ownership: a tlmodel owns its store connection, the snapshot list, the
 * metrics and the trend; the views borrow all of them until the next
 * tlmodel_poll that returns true (or tlmodel_trend for another series).
 */
#ifndef MT_UI_TLMODEL_H
#define MT_UI_TLMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/metrics.h"
#include "store/store.h"
#include "report/trend.h"

/* One stored snapshot, in capture order. */
struct tl_snap {
	const struct store_entry *en; /* into the list */
	uint32_t series;
	int64_t total; /* of type idx below (the timeline's sample type) */
	int type;      /* index into en->types of the total, -1: none */
};

/* Snapshots of one kind from one source (URL, or a directory of files). */
struct tl_series {
	char *key; /* the URL or the directory (store/series.h) */
	const char *kind;
	const struct store_entry *first; /* its first snapshot read */
	VEC(uint32_t) snaps; /* indices into tlmodel.snaps, oldest first */
	int64_t *totals;     /* snaps.n totals, for the sparkline */
};

/* A metrics series drawn as a chart. */
struct tl_chart {
	const char *title;		 /* "HeapInuse", "RSS", ... */
	const char *unit;		 /* "bytes", "MB", "%", "fraction", "" */
	const struct metrics_series *se; /* into the metrics list */
	double lo, hi;
};

struct tl_stamp {
	int64_t mtime;
	off_t size;
	bool exists;
};

struct tlmodel {
	struct store *s;
	char *path;
	struct tl_stamp stamp[2]; /* the file and its -wal */
	struct store_list list;
	VEC(struct tl_snap) snaps; /* by capture time, then id */
	VEC(struct tl_series) series;
	struct metrics_list ml;
	VEC(struct tl_chart) charts;
	struct finding *findings;
	size_t nfindings;
	char type[128];	    /* sample type the totals are of ("": each default) */
	int64_t tmin, tmax; /* the time axis: snapshots and metrics points */
	unsigned serial;    /* counts reloads */
	/* the trend of one series and type, built on demand */
	bool trend_ok;
	uint32_t trend_series;
	char trend_type[128];
	struct trend tr;
	char trend_err[600];
};

/* Opens db (NULL: the default database) and reads it; false with e filled
 * when it cannot be opened. */
bool tlmodel_open(struct tlmodel *tm, const char *db, struct mt_err *e);
void tlmodel_done(struct tlmodel *tm);

/* Reads the database again when its files changed since the last read;
 * true when it did (the snapshots, charts and trend may have changed). */
bool tlmodel_poll(struct tlmodel *tm);

/* Totals of sample type name where a snapshot has it (its default type
 * where it does not). */
void tlmodel_set_type(struct tlmodel *tm, const char *name);

/* The snapshot index of id, or -1. */
ptrdiff_t tlmodel_find(const struct tlmodel *tm, int64_t id);

/* The leak ranking of series si in sample type name (or the default type
 * when the series does not have it); NULL with why in tm->trend_err. */
const struct trend *tlmodel_trend(struct tlmodel *tm, uint32_t si, const char *name,
				  enum mt_granularity gran);

/* The value of a chart's series nearest to time t (ns). */
double tl_chart_at(const struct tl_chart *c, int64_t t);

/* Formats a chart value in its unit ("12.3MB", "35MB", "4.2%", "118"). */
void tl_fmt_value(char *buf, size_t n, double v, const char *unit);

#endif
