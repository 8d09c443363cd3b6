/* cmd_leaks.c - `memtop leaks` (functions and stacks ranked by growth
 * across stored snapshots) and `memtop check` (exit 3 when one grows past a
 * threshold, for CI). The rule that makes a series a leak is in trend.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/metrics.h"
#include "store/store.h"
#include "report/trend.h"
#include "base/units.h"
#include "cli.h"

/* Stacks listed after the functions (text and JSON). */
#define LEAKS_STACKS 10

/* Parses "90s", "30m", "12h", "7d" (or plain seconds) into nanoseconds. */
bool cli_parse_duration(const char *s, int64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return false;
	double mul = 1e9;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60e9, end++;
	else if (*end == 'h')
		mul = 3600e9, end++;
	else if (*end == 'd')
		mul = 86400e9, end++;
	if (*end || v * mul > 9e18)
		return false;
	*ns = (int64_t)(v * mul);
	return true;
}

bool cli_parse_time(const char *s, int64_t *ns)
{
	char *end;
	errno = 0;
	long long secs = strtoll(s, &end, 10);
	if (!errno && end != s && *end == 0) {
		if (secs < 0 || secs > 9000000000LL)
			return false;
		*ns = secs * 1000000000LL;
		return true;
	}
	int Y, M, D, h, m, sec, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &used) != 6 ||
	    used != 19 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return false;
	const char *p = s + used;
	int64_t frac = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (!digits)
			return false;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == '+' || *p == '-') {
		int oh, om, u = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &u) != 2 || u != 5 || p[6])
			return false;
		off = (p[0] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	} else if ((*p != 'Z' && *p != 'z') || p[1]) {
		return false;
	}
	/* Days from the civil date (proleptic Gregorian), no time zone tables. */
	int y = Y - (M <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	*ns = ((days * 86400 + h * 3600 + m * 60 + sec) - off) * 1000000000LL + frac;
	return true;
}

/* Opens the store and builds the trend of the command line's selection.
 * Returns the exit status after printing the error, except that a store
 * with no such snapshots leaves *st MT_ERR_NOTFOUND (e says why), *s open
 * and t empty, for the caller to decide. */
static int open_trend(struct cli *c, struct trend *t, struct store **s, enum mt_status *st,
		      struct mt_err *e)
{
	struct trend_opts o = {.source = c->source, .kind = c->kind,
			       .sample_index = c->q.sample_index, .gran = c->q.gran};
	memset(t, 0, sizeof *t);
	*st = MT_OK;
	if (c->since && !cli_parse_duration(c->since, &o.since_ns)) {
		cli_err(c->cmd, "bad --since \"%s\" (e.g. 90s, 30m, 12h, 7d)", c->since);
		return EXIT_USAGE;
	}
	if (!(*s = cli_store_open(c, false)))
		return EXIT_BAD;
	*st = trend_build(t, *s, &o, e);
	if (*st && *st != MT_ERR_NOTFOUND) {
		cli_err(c->q.db && *c->q.db ? c->q.db : c->cmd, "%s", e->msg);
		store_close(*s);
		*s = NULL;
		return *st == MT_ERR_USAGE ? EXIT_USAGE : EXIT_BAD;
	}
	return EXIT_OK;
}

static void print_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.6g", x);
	else
		fputs("null", f);
}

static void json_fit(FILE *f, const char *pre, const struct trend_fit *x)
{
	fprintf(f, "\"%sfirst\": %" PRId64 ", \"%slast\": %" PRId64 ", \"%sslope_per_hour\": ",
		pre, x->first, pre, x->last, pre);
	print_num(f, x->slope_per_hour);
	fprintf(f, ", \"%sr2\": ", pre);
	print_num(f, x->r2);
	fprintf(f, ", \"%sgrowth_pct\": ", pre);
	if (x->first)
		print_num(f, x->growth_pct);
	else
		fputs("null", f);
	fprintf(f, ", \"%sleak\": %s", pre, x->leak ? "true" : "false");
}

/* Frame names of stack k, leaf first, separated by sep. */
static void print_stack(FILE *f, const struct trend *t, size_t k, const char *sep, bool json)
{
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(&t->nodes) + 1) * sizeof *fr);
	size_t n = mt_nodes_frames(&t->nodes, k, fr);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(sep, f);
		if (json)
			mt_json_str(f, mt_node_name(&t->nodes, fr[i].node));
		else
			fputs(mt_node_name(&t->nodes, fr[i].node), f);
	}
	free(fr);
}

static void fmt_value(char *buf, size_t n, struct cli *c, const struct trend *t, double v)
{
	mt_scaled_label(buf, n, (int64_t)llround(v), t->unit, c->q.unit ? c->q.unit : "auto");
}

int cmd_leaks(struct cli *c)
{
	if (c->nargs) {
		cli_err("leaks", "takes no arguments (try memtop --help)");
		return EXIT_USAGE;
	}
	struct trend t;
	struct store *s;
	enum mt_status st;
	struct mt_err e = {{0}};
	int rc = open_trend(c, &t, &s, &st, &e);
	if (rc)
		return rc;
	/* The metrics stored beside the snapshots (expvar, /proc, gctrace)
	 * say more: the heap after GC, RSS outside the heap, goroutines. */
	struct finding *fs = NULL;
	size_t nf = 0;
	struct mt_err fe = {{0}};
	if (metrics_findings(s, NULL, &fs, &nf, &fe))
		nf = 0;
	store_close(s);
	if (st) { /* no snapshots: the findings alone, if any */
		if (!nf) {
			cli_err(c->q.db && *c->q.db ? c->q.db : "leaks", "%s", e.msg);
			return EXIT_BAD;
		}
		if (c->format == CLI_JSON) {
			printf("{\"rows\": [], \"stacks\": [], \"findings\": ");
			cli_print_findings_json(stdout, fs, nf);
			printf("}\n");
		} else {
			printf("No stored snapshots of that kind or source.\n");
			cli_print_findings_text(stdout, fs, nf);
		}
		metrics_findings_free(fs, nf);
		return EXIT_OK;
	}
	size_t nrows = c->q.nodecount ? (size_t)c->q.nodecount : t.nrows;
	if (nrows > t.nrows)
		nrows = t.nrows;
	size_t nst = t.nstack_rows < LEAKS_STACKS ? t.nstack_rows : LEAKS_STACKS;
	if (c->format == CLI_JSON) {
		printf("{\"source\": ");
		mt_json_str(stdout, t.source);
		printf(", \"kind\": ");
		mt_json_str(stdout, t.kind);
		printf(", \"sample_type\": ");
		mt_json_str(stdout, t.sample_type);
		printf(", \"unit\": ");
		mt_json_str(stdout, t.unit);
		printf(", \"snapshots\": %zu, \"rows\": [", t.nsnap);
		for (size_t i = 0; i < nrows; i++) {
			const struct trend_row *r = &t.rows[i];
			printf("%s\n  {\"name\": ", i ? "," : "");
			mt_json_str(stdout, mt_node_name(&t.nodes, r->node));
			printf(", ");
			json_fit(stdout, "", &r->flat);
			printf(", ");
			json_fit(stdout, "cum_", &r->cum);
			printf(", \"snapshots\": %zu}", t.nsnap);
		}
		printf("%s], \"stacks\": [", nrows ? "\n" : "");
		for (size_t i = 0; i < nst; i++) {
			const struct trend_stack_row *r = &t.stack_rows[i];
			printf("%s\n  {\"frames\": [", i ? "," : "");
			print_stack(stdout, &t, r->stack, ", ", true);
			printf("], ");
			json_fit(stdout, "", &r->fit);
			printf(", \"snapshots\": %zu}", t.nsnap);
		}
		printf("%s], \"findings\": ", nst ? "\n" : "");
		cli_print_findings_json(stdout, fs, nf);
		printf("}\n");
	} else {
		printf("Source: %s\nKind: %s, type: %s, %zu snapshots\n", t.source, t.kind,
		       t.sample_type, t.nsnap);
		printf("Leak: last > first, R^2 >= %.1f, %.0f%% of steps rising, %d+ snapshots\n",
		       TREND_MIN_R2, TREND_MIN_RISING * 100, TREND_MIN_SNAPSHOTS);
		printf("%-4s %10s %10s %12s %5s %8s %10s  %s\n", "leak", "first", "last",
		       "slope/hour", "R^2", "growth", "cum last", "name");
		for (size_t i = 0; i < nrows; i++) {
			const struct trend_row *r = &t.rows[i];
			char a[32], b[32], s[32], cl[32], g[16];
			fmt_value(a, sizeof a, c, &t, (double)r->flat.first);
			fmt_value(b, sizeof b, c, &t, (double)r->flat.last);
			fmt_value(s, sizeof s, c, &t, r->flat.slope_per_hour);
			fmt_value(cl, sizeof cl, c, &t, (double)r->cum.last);
			if (r->flat.first)
				snprintf(g, sizeof g, "%+.0f%%", r->flat.growth_pct);
			else
				snprintf(g, sizeof g, "-");
			printf("%-4s %10s %10s %12s %5.2f %8s %10s  %s\n", r->flat.leak ? "yes" : "",
			       a, b, s, r->flat.r2, g, cl, mt_node_name(&t.nodes, r->node));
		}
		size_t nleak = 0;
		for (size_t i = 0; i < nst && t.stack_rows[i].fit.leak; i++)
			nleak++;
		if (nleak)
			printf("\nLeaking stacks (leaf first):\n");
		for (size_t i = 0; i < nleak; i++) {
			const struct trend_stack_row *r = &t.stack_rows[i];
			char a[32], b[32], s[32];
			fmt_value(a, sizeof a, c, &t, (double)r->fit.first);
			fmt_value(b, sizeof b, c, &t, (double)r->fit.last);
			fmt_value(s, sizeof s, c, &t, r->fit.slope_per_hour);
			printf("  %s -> %s (%s/hour, R^2 %.2f): ", a, b, s, r->fit.r2);
			print_stack(stdout, &t, r->stack, " < ", false);
			putchar('\n');
		}
		cli_print_findings_text(stdout, fs, nf);
	}
	metrics_findings_free(fs, nf);
	trend_done(&t);
	return EXIT_OK;
}

/* Parses --max-growth: "25%" (of the first value; of the first snapshot's
 * total for a function absent then) or an amount in the
 * sample type's unit ("4096", or bytes as pprof writes them: "512kB",
 * "10MB", powers of 1024). */
static bool parse_growth(const char *s, double *pct, double *abs)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return false;
	*pct = -1;
	*abs = -1;
	if (strcmp(end, "%") == 0) {
		*pct = v;
		return true;
	}
	/* pprof's memory units: powers of 1024, any case. */
	static const struct {
		const char *suffix;
		double mul;
	} units[] = {
		{"", 1},
		{"b", 1},
		{"kb", 1024.0},
		{"mb", 1048576.0},
		{"gb", 1073741824.0},
		{"tb", 1099511627776.0},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(end, units[i].suffix) == 0) {
			*abs = v * units[i].mul;
			return true;
		}
	return false;
}

int cmd_check(struct cli *c)
{
	double pct, abs;
	if (c->nargs || !c->max_growth) {
		cli_err("check", "expects --max-growth PCT%%|SIZE (try memtop --help)");
		return EXIT_USAGE;
	}
	if (!parse_growth(c->max_growth, &pct, &abs)) {
		cli_err("check", "bad --max-growth \"%s\" (e.g. 20%%, 10MB, 4096)",
			c->max_growth);
		return EXIT_USAGE;
	}
	struct trend t;
	struct store *s;
	enum mt_status st;
	struct mt_err e = {{0}};
	int rc = open_trend(c, &t, &s, &st, &e);
	if (rc)
		return rc;
	store_close(s);
	if (st) {
		cli_err(c->q.db && *c->q.db ? c->q.db : "check", "%s", e.msg);
		return EXIT_BAD;
	}
	size_t bad = 0;
	for (size_t i = 0; i < t.nrows; i++) {
		const struct trend_row *r = &t.rows[i];
		double grew = (double)(r->flat.last - r->flat.first);
		/* A function absent at first has no growth of its own to speak
		 * of: its percentage is of the first snapshot's total, so 16
		 * bytes of a runtime timer do not fail a build. */
		double share = r->flat.first ? r->flat.growth_pct
			       : t.totals[0]  ? grew / (double)t.totals[0] * 100
					      : 100;
		/* A steady leak only: a spike or a sawtooth that ends high is not
		 * what fails a build. */
		bool over = r->flat.leak && (pct >= 0 ? share > pct : grew > abs);
		if (!over)
			continue;
		if (!bad++)
			printf("memtop check: growth past %s across %zu snapshots of %s (%s, %s):\n",
			       c->max_growth, t.nsnap, t.source, t.kind, t.sample_type);
		char a[32], b[32], s[32], g[16];
		fmt_value(a, sizeof a, c, &t, (double)r->flat.first);
		fmt_value(b, sizeof b, c, &t, (double)r->flat.last);
		fmt_value(s, sizeof s, c, &t, r->flat.slope_per_hour);
		if (r->flat.first)
			snprintf(g, sizeof g, "%+.0f%%", r->flat.growth_pct);
		else
			snprintf(g, sizeof g, "new");
		printf("  %s: %s -> %s (%s, %s/hour, R^2 %.2f)\n",
		       mt_node_name(&t.nodes, r->node), a, b, g, s, r->flat.r2);
	}
	if (!bad)
		printf("memtop check: no function grew past %s across %zu snapshots of %s\n",
		       c->max_growth, t.nsnap, t.source);
	trend_done(&t);
	return bad ? EXIT_LEAK : EXIT_OK;
}
