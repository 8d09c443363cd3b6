/* cli.c - helpers shared by the subcommands: errors, loading, JSON. */
#include "cli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/units.h"

void cli_err(const char *what, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (what && *what)
		fprintf(stderr, "memtop: %s: ", what);
	else
		fprintf(stderr, "memtop: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Whether msg was printed before by this process: a diff or --base
 * symbolizes two profiles against the same binaries, and a warning about
 * one of them is given once. */
static bool warned_before(const char *msg)
{
	static VEC(uint64_t) seen;
	uint64_t h = mt_hash(msg, strlen(msg), 19);
	for (size_t i = 0; i < seen.n; i++)
		if (seen.v[i] == h)
			return true;
	VEC_PUSH(seen, h);
	return false;
}

/* Prints the warnings a query gathered (each once) and drops them.
 * pprof's own warnings of a filter ("TagRoot expression matched no
 * samples") go out as pprof words them, like those of cli_report_open. */
void cli_print_warnings(struct mt_warnings *w)
{
	static const char pprof_tail[] = " expression matched no samples";
	for (size_t i = 0; i < w->v.n; i++) {
		const char *m = w->v.v[i];
		size_t n = strlen(m), t = sizeof pprof_tail - 1;
		bool pprof = n > t && strcmp(m + n - t, pprof_tail) == 0;
		if (!warned_before(m))
			cli_err(pprof ? "" : "warning", "%s", m);
	}
	mt_warnings_done(w);
	memset(w, 0, sizeof *w);
}

struct profile *cli_load(struct cli *c, const char *arg)
{
	struct profile *p = NULL;
	struct mt_err e = {{0}};
	struct mt_warnings w = {0};
	enum mt_status st = query_read(arg, &c->q, &p, NULL, &w, &e);
	cli_print_warnings(&w);
	if (st) {
		cli_err("", "%s", e.msg[0] ? e.msg : mt_status_str(st));
		return NULL;
	}
	return p;
}

struct profile *cli_load_compared(struct cli *c, const char *arg)
{
	struct profile *p = NULL;
	struct mt_err e = {{0}};
	struct mt_warnings w = {0};
	enum mt_status st = query_load(arg, &c->q, &p, NULL, &w, &e);
	cli_print_warnings(&w);
	if (st) {
		cli_err("", "%s", e.msg[0] ? e.msg : mt_status_str(st));
		return NULL;
	}
	return p;
}

int cli_report_open(struct cli *c, const struct profile *p, const char *what,
		    struct mt_report *r)
{
	struct mt_err e = {{0}};
	enum mt_status st = mt_report_open(r, p, &c->q, &e);
	if (st) {
		cli_err(st == MT_ERR_USAGE ? "" : what, "%s", e.msg[0] ? e.msg : mt_status_str(st));
		return st == MT_ERR_USAGE ? EXIT_USAGE : EXIT_BAD;
	}
	/* pprof's warnings, on stderr; the report goes on. */
	static const char *const pprof_names[] = {
#define MT_X(k, opt, pprof) [k] = pprof,
		MT_FILTER_LIST(MT_X)
#undef MT_X
	};
	for (int k = 0; k < MT_FILTER_COUNT; k++)
		if (r->nomatch & (1u << k))
			cli_err("", "%s expression matched no samples", pprof_names[k]);
	return EXIT_OK;
}

void cli_report_close(struct mt_report *r)
{
	mt_report_done(r);
}

/* Go's "Jan 2, 2006 at 3:04pm (MST)" in local time. */
static void go_time(char *buf, size_t n, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	if (nanos < 0 && nanos % 1000000000)
		t--;
	struct tm tm;
	localtime_r(&t, &tm);
	static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int h = tm.tm_hour % 12;
	char zone[64];
	strftime(zone, sizeof zone, "%Z", &tm);
	snprintf(buf, n, "%s %d, %d at %d:%02d%s (%s)", mon[tm.tm_mon], tm.tm_mday,
		 tm.tm_year + 1900, h ? h : 12, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
		 zone);
}

void cli_print_profile_labels(FILE *f, const struct profile *p, const char *stype,
			      const char *sunit, const char *outunit, int64_t total)
{
	if (p->mappings.n) {
		const char *file = profile_str(p, p->mappings.v[0].file);
		if (*file) {
			const char *b = strrchr(file, '/');
			fprintf(f, "File: %s\n", b && b[1] ? b + 1 : file);
		}
		const char *bid = profile_str(p, p->mappings.v[0].build_id);
		if (*bid)
			fprintf(f, "Build ID: %s\n", bid);
	}
	for (size_t i = 0; i < p->comments.n; i++) {
		const char *s = profile_str(p, p->comments.v[i]);
		if (s[0] != '#')
			fprintf(f, "%s\n", s);
	}
	fprintf(f, "Type: %s\n", stype);
	if (p->time_nanos) {
		char tb[128];
		go_time(tb, sizeof tb, p->time_nanos);
		fprintf(f, "Time: %s\n", tb);
	}
	if (p->duration_nanos) {
		char d[64], t[64], ratio[32] = "";
		mt_scaled_label(d, sizeof d, p->duration_nanos, "nanoseconds", "auto");
		mt_scaled_label(t, sizeof t, total, sunit, outunit);
		const char *u;
		double ns = mt_scale(total, sunit, "nanoseconds", &u);
		if (strcmp(u, "ns") == 0 && ns != 0) {
			char pct[16];
			mt_percentage(pct, sizeof pct, (int64_t)ns, p->duration_nanos);
			snprintf(ratio, sizeof ratio, "(%s)", pct);
		}
		fprintf(f, "Duration: %s, Total samples = %s %s\n", d, t, ratio);
	}
}

void cli_print_header(FILE *f, const struct cli *c, const struct profile *p,
		      const char *stype, const char *sunit, const char *outunit,
		      int64_t total)
{
	cli_print_profile_labels(f, p, stype, sunit, outunit, total);
	bool any = false;
	for (int k = 0; k < MT_FILTER_COUNT; k++) {
		const char *v = c->q.filter[k];
		if (!v || !*v)
			continue;
		if (!any)
			fprintf(f, "Active filters:\n");
		any = true;
		fprintf(f, "   %s=%.80s%s\n", mt_filter_name((enum mt_filter_kind)k), v,
			strlen(v) > 80 ? "\xe2\x80\xa6" : "");
	}
}

void cli_sample_type(const struct cli *c, const struct profile *p, int index, char *buf,
		     size_t n)
{
	const char *t = profile_str(p, p->sample_types.v[index].type);
	snprintf(buf, n, "%s%s", c->q.mean ? "mean_" : "", t);
}

const char *cli_report_unit(const struct cli *c, const struct mt_report *r)
{
	const struct mt_top *t = &r->top;
	const char *unit = c->q.unit ? c->q.unit : "minimum";
	if (strcmp(unit, "minimum") || !t->n)
		return unit;
	int64_t *mins = xmalloc(t->n * sizeof *mins);
	for (size_t i = 0; i < t->n; i++)
		mins[i] = t->rows[i].flat ? t->rows[i].flat : t->rows[i].cum;
	const struct profile *p = r->p;
	unit = mt_select_unit(mins, t->n, t->total, profile_str(p, p->sample_types.v[r->index].unit));
	free(mins);
	return unit;
}

void cli_print_shown(FILE *f, const struct mt_report *r, const char *sunit,
		     const char *outunit)
{
	const struct mt_top *t = &r->top;
	char a[64], b[64], pc[16];
	mt_scaled_label(a, sizeof a, t->flat_sum, sunit, outunit);
	mt_scaled_label(b, sizeof b, t->total, sunit, outunit);
	mt_percentage(pc, sizeof pc, t->flat_sum, t->total);
	fprintf(f, "Showing nodes accounting for %s, %s of %s total\n", a, pc + strspn(pc, " "),
		b);
	if (t->total == 0)
		return;
	if (r->dropped) {
		mt_scaled_label(a, sizeof a, r->cutoff, sunit, outunit);
		fprintf(f, "Dropped %zu node%s (cum <= %s)\n", r->dropped,
			r->dropped > 1 ? "s" : "", a);
	}
	if (t->n > 0 && t->n < r->untrimmed)
		fprintf(f, "Showing top %zu nodes out of %zu\n", t->n, r->untrimmed);
}

/* RFC 3339 in UTC, with the fraction of a second when there is one. */
void cli_rfc3339(char *buf, size_t n, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	int64_t frac = nanos % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac) {
		char f[16];
		snprintf(f, sizeof f, ".%09" PRId64, frac);
		size_t l = strlen(f);
		while (l > 1 && f[l - 1] == '0')
			f[--l] = 0;
		snprintf(buf + k, n - k, "%sZ", f);
	} else {
		snprintf(buf + k, n - k, "Z");
	}
}

