/* tlmodel.c - the timeline's data: snapshots, series, charts, findings and
 * the leak ranking, read from the store and polled for news. */
#include "query/tlmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/sat.h"
#include "base/units.h"
#include "store/series.h"

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static uint32_t series_of(struct tlmodel *tm, const struct store_entry *en)
{
	for (size_t i = 0; i < tm->series.n; i++)
		if (store_same_series(tm->series.v[i].first, en))
			return (uint32_t)i;
	struct tl_series se = {.key = xstrndup(en->source, store_series_key_len(en->source)),
			       .kind = en->kind, .first = en};
	VEC_PUSH(tm->series, se);
	return (uint32_t)(tm->series.n - 1);
}

static int snap_cmp(const void *a, const void *b)
{
	const struct tl_snap *x = a, *y = b;
	if (x->en->time != y->en->time)
		return x->en->time < y->en->time ? -1 : 1;
	return x->en->id < y->en->id ? -1 : x->en->id > y->en->id;
}

/* The metrics worth a chart in a leak hunt, in the order they are drawn. */
static const struct {
	const char *name, *title, *unit;
} chart_names[] = {
    {"memstats.HeapInuse", "HeapInuse", "bytes"},
    {"memstats.HeapAlloc", "HeapAlloc", "bytes"},
    {"proc.rss_bytes", "RSS", "bytes"},
    {"*oroutine", "goroutines", ""},
    {"gctrace.heap_live_mb", "heap live (gc)", "MB"},
    {"memstats.GCCPUFraction", "GC CPU", "fraction"},
    {"gctrace.gc_cpu_percent", "GC CPU (gc)", "%"},
};

static bool chart_match(const char *pattern, const char *name)
{
	if (pattern[0] == '*')
		return strstr(name, pattern + 1) != NULL;
	return strcmp(pattern, name) == 0;
}

static void pick_charts(struct tlmodel *tm)
{
	tm->charts.n = 0;
	for (size_t k = 0; k < sizeof chart_names / sizeof chart_names[0]; k++) {
		for (size_t i = 0; i < tm->ml.n; i++) {
			const struct metrics_series *se = &tm->ml.v[i];
			if (!se->n || !chart_match(chart_names[k].name, se->name))
				continue;
			struct tl_chart c = {.title = chart_names[k].title,
					     .unit = chart_names[k].unit,
					     .se = se,
					     .lo = se->v[0].value,
					     .hi = se->v[0].value};
			for (size_t j = 0; j < se->n; j++) {
				c.lo = fmin(c.lo, se->v[j].value);
				c.hi = fmax(c.hi, se->v[j].value);
			}
			VEC_PUSH(tm->charts, c);
		}
	}
}

static void drop_trend(struct tlmodel *tm)
{
	if (tm->trend_ok)
		trend_done(&tm->tr);
	tm->trend_ok = false;
	tm->trend_err[0] = 0;
	tm->trend_type[0] = 0;
}

static void drop_data(struct tlmodel *tm)
{
	drop_trend(tm);
	for (size_t i = 0; i < tm->series.n; i++) {
		free(tm->series.v[i].key);
		free(tm->series.v[i].snaps.v);
		free(tm->series.v[i].totals);
	}
	tm->series.n = 0;
	tm->snaps.n = 0;
	tm->charts.n = 0;
	store_list_done(&tm->list);
	metrics_list_done(&tm->ml);
	metrics_findings_free(tm->findings, tm->nfindings);
	tm->findings = NULL;
	tm->nfindings = 0;
}

/* The sum of |value| of sample type index over a snapshot: pprof's total. */
static void add_abs(void *ctx, int64_t stack, int64_t value)
{
	(void)stack;
	*(int64_t *)ctx = mt_sat_add(*(int64_t *)ctx, mt_sat_abs(value));
}

/* Each snapshot's total of tm->type (stored for the default type, summed
 * from the samples for another), and the series' sparklines. */
static void compute_totals(struct tlmodel *tm)
{
	for (size_t i = 0; i < tm->snaps.n; i++) {
		struct tl_snap *sn = &tm->snaps.v[i];
		const struct store_entry *en = sn->en;
		sn->type = en->default_index;
		sn->total = en->total;
		for (size_t k = 0; tm->type[0] && k < en->ntypes; k++)
			if (strcmp(en->types[k], tm->type) == 0)
				sn->type = (int)k;
		if (sn->type >= 0 && sn->type != en->default_index) {
			int64_t sum = 0;
			struct mt_err e;
			if (store_scan_values(tm->s, en->id, sn->type, add_abs, &sum,
					      &e) == MT_OK)
				sn->total = sum;
			else
				sn->type = en->default_index;
		}
	}
	for (size_t i = 0; i < tm->series.n; i++) {
		struct tl_series *se = &tm->series.v[i];
		free(se->totals);
		se->totals = xmalloc((se->snaps.n + 1) * sizeof *se->totals);
		for (size_t j = 0; j < se->snaps.n; j++)
			se->totals[j] = tm->snaps.v[se->snaps.v[j]].total;
	}
}

/* Reads everything from the store (after a change). */
static void reload(struct tlmodel *tm)
{
	struct mt_err e;
	drop_data(tm);
	tm->serial++;
	if (store_list(tm->s, &tm->list, &e) != MT_OK)
		memset(&tm->list, 0, sizeof tm->list);
	for (size_t i = 0; i < tm->list.n; i++) {
		struct tl_snap sn = {.en = &tm->list.v[i]};
		VEC_PUSH(tm->snaps, sn);
	}
	if (tm->snaps.n)
		qsort(tm->snaps.v, tm->snaps.n, sizeof *tm->snaps.v, snap_cmp);
	for (size_t i = 0; i < tm->snaps.n; i++) {
		uint32_t si = series_of(tm, tm->snaps.v[i].en);
		tm->snaps.v[i].series = si;
		VEC_PUSH(tm->series.v[si].snaps, (uint32_t)i);
	}
	compute_totals(tm);
	if (metrics_read(tm->s, NULL, NULL, &tm->ml, &e) != MT_OK)
		memset(&tm->ml, 0, sizeof tm->ml);
	pick_charts(tm);
	if (metrics_findings(tm->s, NULL, &tm->findings, &tm->nfindings, &e) != MT_OK) {
		tm->findings = NULL;
		tm->nfindings = 0;
	}
	/* The axis: every snapshot and every charted point. */
	bool any = false;
	tm->tmin = tm->tmax = 0;
	for (size_t i = 0; i < tm->snaps.n; i++) {
		int64_t t = tm->snaps.v[i].en->time;
		tm->tmin = !any || t < tm->tmin ? t : tm->tmin;
		tm->tmax = !any || t > tm->tmax ? t : tm->tmax;
		any = true;
	}
	for (size_t i = 0; i < tm->charts.n; i++) {
		const struct metrics_series *se = tm->charts.v[i].se;
		int64_t a = se->v[0].time, b = se->v[se->n - 1].time;
		tm->tmin = !any || a < tm->tmin ? a : tm->tmin;
		tm->tmax = !any || b > tm->tmax ? b : tm->tmax;
		any = true;
	}
}

/* The size and time of the database file and its WAL. */
static void read_stamps(const char *path, struct tl_stamp st[2])
{
	char wal[4200];
	snprintf(wal, sizeof wal, "%s-wal", path);
	const char *p[2] = {path, wal};
	for (int i = 0; i < 2; i++) {
		struct stat sb;
		memset(&st[i], 0, sizeof st[i]);
		if (stat(p[i], &sb) == 0) {
			st[i].exists = true;
			st[i].size = sb.st_size;
			st[i].mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
				      sb.st_mtim.tv_nsec;
		}
	}
}

bool tlmodel_open(struct tlmodel *tm, const char *db, struct mt_err *e)
{
	memset(tm, 0, sizeof *tm);
	if (store_open(&tm->s, db, false, e))
		return false;
	tm->path = xstrdup(store_path(tm->s));
	read_stamps(tm->path, tm->stamp);
	reload(tm);
	return true;
}

void tlmodel_done(struct tlmodel *tm)
{
	drop_data(tm);
	free(tm->series.v);
	free(tm->snaps.v);
	free(tm->charts.v);
	free(tm->path);
	if (tm->s)
		store_close(tm->s);
	memset(tm, 0, sizeof *tm);
}

bool tlmodel_poll(struct tlmodel *tm)
{
	struct tl_stamp now[2];
	read_stamps(tm->path, now);
	if (memcmp(now, tm->stamp, sizeof now) == 0)
		return false;
	memcpy(tm->stamp, now, sizeof now);
	reload(tm);
	return true;
}

void tlmodel_set_type(struct tlmodel *tm, const char *name)
{
	if (strcmp(tm->type, name) == 0)
		return;
	snprintf(tm->type, sizeof tm->type, "%s", name);
	compute_totals(tm);
}

ptrdiff_t tlmodel_find(const struct tlmodel *tm, int64_t id)
{
	for (size_t i = 0; i < tm->snaps.n; i++)
		if (tm->snaps.v[i].en->id == id)
			return (ptrdiff_t)i;
	return -1;
}

const struct trend *tlmodel_trend(struct tlmodel *tm, uint32_t si, const char *name,
				  enum mt_granularity gran)
{
	if (si >= tm->series.n)
		return NULL;
	const struct tl_series *se = &tm->series.v[si];
	const struct store_entry *last = tm->snaps.v[se->snaps.v[se->snaps.n - 1]].en;
	const char *type = NULL;
	for (size_t k = 0; name && k < last->ntypes; k++)
		if (strcmp(last->types[k], name) == 0)
			type = name;
	const char *want = type ? type : "";
	if ((tm->trend_ok || tm->trend_err[0]) && tm->trend_series == si &&
	    strcmp(tm->trend_type, want) == 0)
		return tm->trend_ok ? &tm->tr : NULL;
	drop_trend(tm);
	tm->trend_series = si;
	snprintf(tm->trend_type, sizeof tm->trend_type, "%s", want);
	struct trend_opts o = {
	    .source = se->key, .kind = se->kind, .sample_index = type, .gran = gran};
	struct mt_err e = {{0}};
	if (trend_build(&tm->tr, tm->s, &o, &e) == MT_OK) {
		tm->trend_ok = true;
		return &tm->tr;
	}
	snprintf(tm->trend_err, sizeof tm->trend_err, "%s",
		 e.msg[0] ? e.msg : "no ranking");
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

double tl_chart_at(const struct tl_chart *c, int64_t t)
{
	const struct metrics_point *v = c->se->v;
	size_t lo = 0, hi = c->se->n; /* first point at or after t */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].time < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->se->n)
		return v[lo - 1].value;
	if (lo > 0 && mt_sat_sub(t, v[lo - 1].time) <= mt_sat_sub(v[lo].time, t))
		return v[lo - 1].value;
	return v[lo].value;
}

void tl_fmt_value(char *buf, size_t n, double v, const char *unit)
{
	if (strcmp(unit, "bytes") == 0)
		mt_scaled_label(buf, n, mt_sat_from_double(round(v)), "bytes", "auto");
	else if (strcmp(unit, "fraction") == 0)
		snprintf(buf, n, "%.2f%%", v * 100);
	else if (strcmp(unit, "%") == 0)
		snprintf(buf, n, "%.4g%%", v);
	else
		snprintf(buf, n, "%.4g%s", v, unit);
}
