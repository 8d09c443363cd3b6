/* metrics.c - storing and reading time series beside the snapshots, and the
 * findings `memtop leaks` draws from them. */
#include "store/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "store/store.h"
#include "store/store_int.h" /* the connection; series live in the same file */

#define NS_PER_S 1000000000.0
#define MIB 1048576.0

/* ------------------------------------------------------------------ */
/* Batches                                                             */

void metrics_batch_done(struct metrics_batch *b)
{
	free(b->v.v);
	free(b->names.v);
	memset(b, 0, sizeof *b);
}

bool metrics_batch_add(struct metrics_batch *b, const char *name, int64_t time,
		       double value)
{
	size_t max = b->max ? b->max : 1000000;
	if (b->v.n >= max || !isfinite(value)) {
		b->full |= b->v.n >= max;
		return false;
	}
	/* Names repeat (one per series): reuse the last copy when it matches. */
	uint32_t off = UINT32_MAX;
	for (size_t i = b->v.n, k = 0; i-- > 0 && k < 64; k++)
		if (strcmp(b->names.v + b->v.v[i].name, name) == 0) {
			off = b->v.v[i].name;
			break;
		}
	if (off == UINT32_MAX) {
		size_t len = strlen(name) + 1;
		if (b->names.n + len > UINT32_MAX) {
			b->full = true;
			return false;
		}
		VEC_RESERVE(b->names, b->names.n + len);
		memcpy(b->names.v + b->names.n, name, len);
		off = (uint32_t)b->names.n;
		b->names.n += len;
	}
	struct metrics_sample sm = {.name = off, .time = time, .value = value};
	VEC_PUSH(b->v, sm);
	return true;
}

/* ------------------------------------------------------------------ */
/* Storing                                                             */

static enum mt_status exec(struct store *s, const char *sql, struct mt_err *e)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(s, e, sql);
	return MT_OK;
}

/* The id of series (name, source), made when it is new; 0 after setting e. */
static int64_t series_id(struct store *s, sqlite3_stmt *find, sqlite3_stmt *ins,
			 const char *name, const char *source, struct mt_err *e)
{
	sqlite3_reset(find);
	sqlite3_bind_text(find, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(find, 2, source, -1, SQLITE_STATIC);
	int rc = sqlite3_step(find);
	if (rc == SQLITE_ROW)
		return sqlite3_column_int64(find, 0);
	if (rc != SQLITE_DONE) {
		store_dberr(s, e, "reading series");
		return 0;
	}
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, source, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_dberr(s, e, "writing series");
		return 0;
	}
	return sqlite3_last_insert_rowid(s->db);
}

enum mt_status metrics_store(struct store *s, const char *source,
			     const struct metrics_batch *b, size_t *added,
			     struct mt_err *e)
{
	sqlite3_stmt *find = NULL, *ins = NULL, *put = NULL;
	VEC(struct {
		uint32_t name;
		int64_t id;
	}) ids = {0};
	size_t n = 0;
	enum mt_status st = exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM series WHERE name = ? AND source = ?",
			       -1, &find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO series (name, source) VALUES (?, ?)", -1,
			       &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO point (series, time, value) "
				      "VALUES (?, ?, ?)",
			       -1, &put, NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "preparing a statement");
		goto out;
	}
	for (size_t i = 0; i < b->v.n; i++) {
		const struct metrics_sample *sm = &b->v.v[i];
		int64_t id = 0;
		for (size_t k = ids.n; k-- > 0;)
			if (ids.v[k].name == sm->name) {
				id = ids.v[k].id;
				break;
			}
		if (!id) {
			id = series_id(s, find, ins, b->names.v + sm->name, source, e);
			if (!id) {
				st = MT_ERR_DB;
				goto out;
			}
			VEC_RESERVE(ids, ids.n + 1);
			ids.v[ids.n].name = sm->name;
			ids.v[ids.n++].id = id;
		}
		sqlite3_reset(put);
		sqlite3_bind_int64(put, 1, id);
		sqlite3_bind_int64(put, 2, sm->time);
		sqlite3_bind_double(put, 3, sm->value);
		if (sqlite3_step(put) != SQLITE_DONE) {
			st = store_dberr(s, e, "writing points");
			goto out;
		}
		n += (size_t)sqlite3_changes(s->db);
	}
out:
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(put);
	free(ids.v);
	if (!st)
		st = exec(s, "COMMIT", e);
	if (st && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (added)
		*added = st ? 0 : n;
	return st;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* Whether a stored name matches the --series argument. */
static bool name_matches(const char *name, const char *want)
{
	if (!want)
		return true;
	size_t n = strlen(want);
	if (n && want[n - 1] == '*')
		return strncmp(name, want, n - 1) == 0;
	if (n && want[n - 1] == '.')
		return strncmp(name, want, n) == 0;
	return strcmp(name, want) == 0;
}

enum mt_status metrics_read(struct store *s, const char *name, const char *source,
			    struct metrics_list *out, struct mt_err *e)
{
	sqlite3_stmt *q = NULL, *pts = NULL;
	VEC(struct metrics_series) v = {0};
	VEC(int64_t) ids = {0};
	enum mt_status st = MT_OK;
	memset(out, 0, sizeof *out);
	/* One read transaction: the collector may be writing. */
	if ((st = exec(s, "BEGIN", e)))
		return st;
	if (sqlite3_prepare_v2(s->db, "SELECT id, name, source FROM series "
				      "ORDER BY name, source",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT time, value FROM point WHERE series = ? "
				      "ORDER BY time",
			       -1, &pts, NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "reading series");
		goto out;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *nm = (const char *)sqlite3_column_text(q, 1);
		const char *src = (const char *)sqlite3_column_text(q, 2);
		if (!nm || !src || !name_matches(nm, name) ||
		    (source && !strstr(src, source)))
			continue;
		struct metrics_series se = {.name = xstrdup(nm), .source = xstrdup(src)};
		VEC_PUSH(v, se);
		VEC_PUSH(ids, sqlite3_column_int64(q, 0));
	}
	if (rc != SQLITE_DONE) {
		st = store_dberr(s, e, "reading series");
		goto out;
	}
	for (size_t i = 0; i < v.n; i++) {
		VEC(struct metrics_point) p = {0};
		sqlite3_reset(pts);
		sqlite3_bind_int64(pts, 1, ids.v[i]);
		while ((rc = sqlite3_step(pts)) == SQLITE_ROW) {
			struct metrics_point pt = {.time = sqlite3_column_int64(pts, 0),
						   .value = sqlite3_column_double(pts, 1)};
			VEC_PUSH(p, pt);
		}
		v.v[i].v = p.v;
		v.v[i].n = p.n;
		if (rc != SQLITE_DONE) {
			st = store_dberr(s, e, "reading points");
			goto out;
		}
	}
out:
	sqlite3_finalize(q);
	sqlite3_finalize(pts);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	free(ids.v);
	out->v = v.v;
	out->n = v.n;
	if (st)
		metrics_list_done(out);
	return st;
}

void metrics_list_done(struct metrics_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].source);
		free(l->v[i].v);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------ */
/* Fitting                                                             */

bool metrics_fit(const struct metrics_point *v, size_t n, struct metrics_fit *f)
{
	if (n < 2 || v[n - 1].time == v[0].time)
		return false;
	/* Seconds from the first point keep the sums well conditioned. */
	double st = 0, sv = 0;
	for (size_t i = 0; i < n; i++) {
		st += (double)mt_sat_sub(v[i].time, v[0].time) / NS_PER_S;
		sv += v[i].value;
	}
	double mt = st / (double)n, mv = sv / (double)n, stt = 0, stv = 0, svv = 0;
	for (size_t i = 0; i < n; i++) {
		double dt = (double)mt_sat_sub(v[i].time, v[0].time) / NS_PER_S - mt;
		double dv = v[i].value - mv;
		stt += dt * dt;
		stv += dt * dv;
		svv += dv * dv;
	}
	if (stt <= 0)
		return false;
	f->t0 = v[0].time;
	f->slope = stv / stt;
	f->a = mv - f->slope * mt;
	f->r2 = svv > 0 ? stv * stv / (stt * svv) : 0;
	return true;
}

static double fit_at(const struct metrics_fit *f, int64_t t)
{
	return f->a + f->slope * ((double)mt_sat_sub(t, f->t0) / NS_PER_S);
}

/* ------------------------------------------------------------------ */
/* Findings                                                            */

/* The unit of a series, from its name. */
static const char *series_unit(const char *name)
{
	static const char *const bytes[] = {
		"memstats.HeapAlloc", "memstats.HeapInuse", "memstats.HeapIdle",
		"memstats.HeapSys", "memstats.HeapReleased", "memstats.Sys",
		"memstats.NextGC", "memstats.StackInuse", "memstats.StackSys",
		"memstats.TotalAlloc", "memstats.Alloc", "proc.rss_bytes",
	};
	for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++)
		if (strcmp(name, bytes[i]) == 0)
			return "bytes";
	size_t n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, "_mb") == 0)
		return "MB";
	if (strstr(name, "oroutine"))
		return "goroutines";
	if (strcmp(name, "gctrace.gc_cpu_percent") == 0)
		return "%";
	return "";
}

/* A value in its unit for a sentence: bytes as MB (pprof's 2^20). */
static void fmt_value(char *buf, size_t n, double v, const char *unit)
{
	if (strcmp(unit, "bytes") == 0)
		snprintf(buf, n, "%.1f MB", v / MIB);
	else if (strcmp(unit, "MB") == 0)
		snprintf(buf, n, "%.1f MB", v);
	else if (strcmp(unit, "%") == 0)
		snprintf(buf, n, "%.1f%%", v);
	else if (*unit)
		snprintf(buf, n, "%.0f %s", v, unit);
	else
		snprintf(buf, n, "%g", v);
}

static void fmt_span(char *buf, size_t n, int64_t ns)
{
	int64_t s = ns / 1000000000;
	if (s < 60)
		snprintf(buf, n, "%.1fs", (double)ns / NS_PER_S);
	else if (s < 3600)
		snprintf(buf, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600),
			 (long long)(s / 60 % 60));
}

typedef VEC(struct finding) finding_vec;

/* Whether a series rises steadily; fills the numbers of a finding. */
static bool rising(const struct metrics_series *se, const struct metrics_find_opts *o,
		   struct finding *f)
{
	struct metrics_fit fit;
	if (se->n < o->min_points || !metrics_fit(se->v, se->n, &fit))
		return false;
	int64_t from = se->v[0].time, to = se->v[se->n - 1].time;
	double first = fit_at(&fit, from), last = fit_at(&fit, to);
	double base = fabs(first) > 0 ? fabs(first) : fabs(se->v[0].value);
	if (!(fit.slope > 0) || fit.r2 < o->min_r2 || last - first < o->min_growth * base)
		return false;
	*f = (struct finding){.series = se->name, .source = se->source, .from = from,
			      .to = to, .points = se->n, .first = first, .last = last,
			      .slope_per_hour = fit.slope * 3600, .r2 = fit.r2};
	return true;
}

/* Gives a finding its owned strings and sentence, and keeps it. */
static void keep(finding_vec *out, struct finding f, const char *what, const char *extra)
{
	const char *unit = series_unit(f.series);
	char a[48], b[48], rate[48], span[32], text[1024];
	fmt_value(a, sizeof a, f.first, unit);
	fmt_value(b, sizeof b, f.last, unit);
	fmt_value(rate, sizeof rate, f.slope_per_hour, unit);
	fmt_span(span, sizeof span, mt_sat_sub(f.to, f.from));
	if (f.kind == FINDING_GC_CPU_HIGH) {
		char peak[48];
		fmt_value(peak, sizeof peak, f.peak, unit);
		snprintf(text, sizeof text, "%s: %s (%s) stayed above %s for %s (%zu points), "
			 "from %s to %s, peak %s",
			 what, f.series, f.source, extra, span, f.points, a, b, peak);
	} else {
		snprintf(text, sizeof text, "%s: %s (%s) grew from %s to %s over %s (%zu points), "
			 "%s%s per hour fitted, R\xc2\xb2 %.2f%s",
			 what, f.series, f.source, a, b, span, f.points,
			 f.slope_per_hour >= 0 ? "+" : "", rate, f.r2, extra ? extra : "");
	}
	f.series = xstrdup(f.series);
	f.source = xstrdup(f.source);
	f.unit = xstrdup(unit);
	f.text = xstrdup(text);
	VEC_PUSH(*out, f);
}

static bool is_heap(const char *name)
{
	return strcmp(name, "memstats.HeapInuse") == 0 ||
	       strcmp(name, "gctrace.heap_live_mb") == 0;
}

/* Growth in bytes of a heap series over [from, to], fitted; false if it
 * has too few points there. */
static bool heap_growth(const struct metrics_series *se, int64_t from, int64_t to,
			double *grow)
{
	size_t i = 0, j = se->n;
	while (i < se->n && se->v[i].time < from)
		i++;
	while (j > i && se->v[j - 1].time > to)
		j--;
	struct metrics_fit fit;
	if (j - i < 2 || !metrics_fit(se->v + i, j - i, &fit))
		return false;
	double scale = strcmp(se->name, "gctrace.heap_live_mb") == 0 ? MIB : 1;
	*grow = (fit_at(&fit, to) - fit_at(&fit, from)) * scale;
	return true;
}

/* The longest run of consecutive points above limit. */
static bool sustained(const struct metrics_series *se, double scale,
		      const struct metrics_find_opts *o, struct finding *f)
{
	size_t best0 = 0, best1 = 0;
	for (size_t i = 0; i < se->n;) {
		if (!(se->v[i].value * scale > o->gc_cpu)) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < se->n && se->v[j].value * scale > o->gc_cpu)
			j++;
		if (mt_sat_sub(se->v[j - 1].time, se->v[i].time) >
		    (best1 > best0 ? mt_sat_sub(se->v[best1 - 1].time, se->v[best0].time)
				   : -1)) {
			best0 = i;
			best1 = j;
		}
		i = j;
	}
	if (best1 - best0 < 3 ||
	    mt_sat_sub(se->v[best1 - 1].time, se->v[best0].time) < o->sustained_ns)
		return false;
	double peak = se->v[best0].value;
	for (size_t i = best0; i < best1; i++)
		if (se->v[i].value > peak)
			peak = se->v[i].value;
	*f = (struct finding){.series = se->name, .source = se->source,
			      .from = se->v[best0].time, .to = se->v[best1 - 1].time,
			      .points = best1 - best0, .first = se->v[best0].value,
			      .last = se->v[best1 - 1].value, .peak = peak};
	return true;
}

enum mt_status metrics_findings(struct store *s, const struct metrics_find_opts *o,
				struct finding **out, size_t *n, struct mt_err *e)
{
	static const struct metrics_find_opts def = METRICS_FIND_DEFAULT;
	struct metrics_list l;
	finding_vec v = {0};
	*out = NULL;
	*n = 0;
	if (!o)
		o = &def;
	enum mt_status st = metrics_read(s, NULL, NULL, &l, e);
	if (st)
		return st;
	for (size_t i = 0; i < l.n; i++) {
		const struct metrics_series *se = &l.v[i];
		struct finding f;
		if (is_heap(se->name) && rising(se, o, &f)) {
			f.kind = FINDING_HEAP_RISING;
			f.name = "heap-rising";
			keep(&v, f, "heap in use rising steadily", NULL);
		} else if (strcmp(se->name, "proc.rss_bytes") == 0 && rising(se, o, &f)) {
			/* Flat: every Go heap series over the same span grew by
			 * less than flat_ratio of what RSS grew. */
			double rss_grow = f.last - f.first, worst = -1, g;
			const char *which = NULL;
			for (size_t k = 0; k < l.n; k++)
				if (is_heap(l.v[k].name) &&
				    heap_growth(&l.v[k], f.from, f.to, &g) && g > worst) {
					worst = g;
					which = l.v[k].name;
				}
			if (!which || worst >= o->flat_ratio * rss_grow)
				continue;
			char extra[160];
			snprintf(extra, sizeof extra, "; the Go heap (%s) grew %.1f MB over the "
				 "same span: memory outside the Go heap", which, worst / MIB);
			f.kind = FINDING_RSS_OUTSIDE_HEAP;
			f.name = "rss-outside-heap";
			keep(&v, f, "RSS rising while the Go heap is flat", extra);
		} else if (strstr(se->name, "oroutine") && rising(se, o, &f) &&
			   f.last - f.first >= 5) {
			f.kind = FINDING_GOROUTINES_RISING;
			f.name = "goroutines-rising";
			keep(&v, f, "goroutine count rising", NULL);
		} else if (strcmp(se->name, "memstats.GCCPUFraction") == 0 ||
			   strcmp(se->name, "gctrace.gc_cpu_percent") == 0) {
			bool pct = se->name[0] == 'g';
			if (!sustained(se, pct ? 0.01 : 1, o, &f))
				continue;
			char lim[32];
			snprintf(lim, sizeof lim, pct ? "%.0f%%" : "%.2f", o->gc_cpu * (pct ? 100 : 1));
			f.kind = FINDING_GC_CPU_HIGH;
			f.name = "gc-cpu-high";
			keep(&v, f, "GC CPU high", lim);
		}
	}
	metrics_list_done(&l);
	/* Most telling first: by kind (stable, so by series name within one). */
	for (size_t i = 1; i < v.n; i++)
		for (size_t j = i; j > 0 && v.v[j].kind < v.v[j - 1].kind; j--) {
			struct finding t = v.v[j];
			v.v[j] = v.v[j - 1];
			v.v[j - 1] = t;
		}
	*out = v.v;
	*n = v.n;
	return MT_OK;
}

void metrics_findings_free(struct finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].series);
		free(f[i].source);
		free(f[i].unit);
		free(f[i].text);
	}
	free(f);
}
