/* cmd_leaks.c - `memtop leaks` (every stored series, a section each,
 * strongest growth first: functions and stacks of a heap or other profile
 * series, goroutine groups and their creators of a goroutine series) and
 * `memtop check` (exit 3 when a series grows past its threshold, for CI).
 * The rule that makes a series a leak is in trend.h; goroutine groups are
 * report/gseries.h's. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/sat.h"
#include "base/timefmt.h"
#include "collect/fleet.h"
#include "base/units.h"
#include "report/gseries.h"
#include "report/trend.h"
#include "store/metrics.h"
#include "store/series.h"
#include "store/store.h"
#include "cli.h"

/* Stacks listed after the functions (text and JSON). */
#define LEAKS_STACKS 10

/* The forms are timefmt.h's, shared with the stores' time ranges. */
bool cli_parse_duration(const char *s, int64_t *ns) { return timefmt_duration(s, ns); }

bool cli_parse_time(const char *s, int64_t *ns) { return timefmt_absolute(s, ns); }

static int leaks_run(struct cli *c);

/* ------------------------------------------------------------------ */
/* Every series of the selection                                       */

/* One section of the report. */
struct lseries {
	const struct store_series *se;
	bool gor;	     /* a goroutine series (gs), else functions (t) */
	struct trend t;
	struct gs_series g;
	bool ok;
	int klass;	     /* 0: growth is a leak (heap, goroutines); 1: the
			      * kind only adds up (allocs, mutex, block, cpu) */
	double strength;     /* leaked growth as a share of the newest total */
};

struct leaks {
	struct store_list l;
	struct store_series *sv;
	size_t nsv;
	struct lseries *v; /* in report order */
	size_t n;
	struct gg_ignore ig;
	bool have_ig;
};

/* Kinds whose values only add up over a process's life: growth there is
 * not a leak. */
static bool cumulative_kind(const char *kind)
{
	static const char *const k[] = {"allocs", "mutex", "block", "contention", "cpu"};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcmp(kind, k[i]) == 0)
			return true;
	return false;
}

/* Whether goroutine group g of series x is left out by --ignore-file. */
static bool gor_ignored(const struct leaks *L, const struct lseries *x, uint32_t g)
{
	return L->have_ig && gg_ignored(&L->ig, &x->g.set, &x->g.set.groups.v[g]);
}

static void strength(const struct leaks *L, struct lseries *x)
{
	double grew = 0, total = 1;
	if (x->gor) {
		const struct gs_series *g = &x->g;
		for (size_t k = 0; k < g->set.groups.n; k++)
			if (g->fit[k].leak && !gor_ignored(L, x, (uint32_t)k))
				grew += (double)(g->fit[k].last - g->fit[k].first);
		if (g->totals[g->nsnap - 1] > 1)
			total = (double)g->totals[g->nsnap - 1];
	} else {
		const struct trend *t = &x->t;
		for (size_t i = 0; i < t->nrows; i++)
			if (t->rows[i].flat.leak)
				grew += (double)(t->rows[i].flat.last - t->rows[i].flat.first);
		if (t->totals[t->nsnap - 1] > 1)
			total = (double)t->totals[t->nsnap - 1];
	}
	x->strength = grew / total;
}

/* Leaking series first (a kind where growth is a leak before one that only
 * adds up), the strongest first; then the rest in store_series_group's
 * order. */
static int cmp_lseries(const void *a, const void *b)
{
	const struct lseries *x = a, *y = b;
	bool gx = x->strength > 0, gy = y->strength > 0;
	if (gx != gy)
		return gx ? -1 : 1;
	if (gx && x->klass != y->klass)
		return x->klass < y->klass ? -1 : 1;
	if (gx && x->strength != y->strength)
		return x->strength > y->strength ? -1 : 1;
	return x->se < y->se ? -1 : x->se > y->se;
}

static void leaks_done(struct leaks *L)
{
	for (size_t i = 0; i < L->n; i++) {
		if (!L->v[i].ok)
			continue;
		if (L->v[i].gor)
			gs_done(&L->v[i].g);
		else
			trend_done(&L->v[i].t);
	}
	free(L->v);
	store_series_free(L->sv, L->nsv);
	store_list_done(&L->l);
	if (L->have_ig)
		gg_ignore_done(&L->ig);
	memset(L, 0, sizeof *L);
}

/* Builds every series the command line selects (--source, --kind, --since,
 * -i) from the open store s. Returns the exit status after printing the
 * error, except that no such snapshots leaves L->n 0 and *st
 * MT_ERR_NOTFOUND (e says why) for the caller to decide. */
static int open_leaks(struct cli *c, struct store *s, struct leaks *L, enum mt_status *st,
		      struct mt_err *e)
{
	memset(L, 0, sizeof *L);
	*st = MT_OK;
	int64_t since = 0;
	if (c->since && !cli_parse_duration(c->since, &since)) {
		cli_err(c->cmd, "bad --since \"%s\" (e.g. 90s, 30m, 12h, 7d)", c->since);
		return EXIT_USAGE;
	}
	if (c->ignore_file) {
		if (gg_ignore_load(&L->ig, c->ignore_file, &c->q.lim, e)) {
			cli_err("", "%s", e->msg);
			return EXIT_USAGE;
		}
		L->have_ig = true;
	}
	const char *db = c->q.db && *c->q.db ? c->q.db : c->cmd;
	if ((*st = store_list(s, &L->l, e))) {
		cli_err(db, "%s", e->msg);
		return EXIT_BAD;
	}
	store_series_group(&L->l, c->source, c->kind, &L->sv, &L->nsv);
	if (!L->nsv) {
		*st = mt_errf(e, MT_ERR_NOTFOUND, "no stored snapshots%s%s%s%s",
			      c->source || c->kind ? " of" : "", c->kind ? " kind " : "",
			      c->kind ? c->kind : "", c->source ? " from that source" : "");
		return EXIT_OK;
	}
	L->v = xcalloc(L->nsv, sizeof *L->v);
	struct mt_err first = {{0}};
	enum mt_status first_st = MT_OK;
	for (size_t i = 0; i < L->nsv; i++) {
		struct lseries *x = &L->v[L->n];
		const struct store_series *se = &L->sv[i];
		x->se = se;
		x->klass = cumulative_kind(se->kind);
		x->gor = gs_is_goroutine_kind(se->kind);
		enum mt_status r;
		struct mt_err le = {{0}};
		if (x->gor) {
			struct gs_opts o = {.since_ns = since};
			r = gs_build(&x->g, s, se, &o, &le);
		} else {
			struct trend_opts o = {.source = se->key, .kind = se->kind,
					       .sample_index = c->q.sample_index,
					       .gran = c->q.gran, .since_ns = since};
			r = trend_build(&x->t, s, &o, &le);
		}
		if (r) {
			/* -i names a type another kind has: that series is
			 * left out, unless none has it. */
			if (!first_st) {
				first_st = r;
				first = le;
			}
			if (r == MT_ERR_USAGE || r == MT_ERR_NOTFOUND)
				continue;
			cli_err(db, "%s", le.msg);
			return EXIT_BAD;
		}
		x->ok = true;
		strength(L, x);
		L->n++;
	}
	if (!L->n) {
		*e = first;
		*st = first_st;
		if (first_st != MT_ERR_NOTFOUND) {
			cli_err(db, "%s", e->msg);
			return first_st == MT_ERR_USAGE ? EXIT_USAGE : EXIT_BAD;
		}
		return EXIT_OK;
	}
	qsort(L->v, L->n, sizeof *L->v, cmp_lseries);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */

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


/* A goroutine group's name: its naming function, state and creator. */
static void gor_label(char *buf, size_t n, const struct gg_set *s, const struct gg_group *g)
{
	int k = snprintf(buf, n, "%s", gg_name(s, g));
	if (*g->state && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, " in %s", g->state);
	if (*g->creator && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ", created by %s", g->creator);
}

static void fmt_count(char *buf, size_t n, double v)
{
	if (fabs(v - llround(v)) < 0.005)
		snprintf(buf, n, "%lld", (long long)llround(v));
	else
		snprintf(buf, n, "%.2f", v);
}

static void print_fit_cells(const struct trend_fit *f)
{
	char a[32], b[32], s[32], g[16];
	fmt_count(a, sizeof a, (double)f->first);
	fmt_count(b, sizeof b, (double)f->last);
	fmt_count(s, sizeof s, f->slope_per_hour);
	if (f->first)
		snprintf(g, sizeof g, "%+.0f%%", f->growth_pct);
	else
		snprintf(g, sizeof g, "-");
	printf("%-4s %10s %10s %12s %5.2f %8s", f->leak ? "yes" : "", a, b, s, f->r2, g);
}

/* The id of snapshot index k of a goroutine series, or 0. */
static int64_t snap_id(const struct gs_series *g, int32_t k)
{
	return k >= 0 && (size_t)k < g->nsnap ? g->ids[k] : 0;
}

static void gor_text(struct cli *c, const struct leaks *L, const struct lseries *x)
{
	const struct gs_series *g = &x->g;
	size_t ng = g->set.groups.n;
	size_t nrows = c->q.nodecount ? (size_t)c->q.nodecount : ng;
	if (nrows > ng)
		nrows = ng;
	char span[32];
	mt_format_span(span, sizeof span,
		       g->nsnap ? mt_sat_sub(g->times[g->nsnap - 1], g->times[0]) : 0);
	printf("Source: %s\nKind: %s, %zu snapshots over %s, goroutines %" PRId64 " -> %" PRId64
	       "\n",
	       g->source, g->kind, g->nsnap, span, g->totals[0], g->totals[g->nsnap - 1]);
	printf("Goroutine groups (state, stack, creator), named by their first frame outside "
	       "the runtime%s\n",
	       g->has_ids ? "; stuck: goroutines there since the first snapshot" : "");
	printf("%-4s %10s %10s %12s %5s %8s %6s  %s\n", "leak", "first", "last", "slope/hour",
	       "R^2", "growth", g->has_ids ? "stuck" : "", "group");
	for (size_t i = 0; i < nrows; i++) {
		uint32_t k = g->order[i];
		const struct gg_group *gr = &g->set.groups.v[k];
		char name[600], st[24] = "";
		gor_label(name, sizeof name, &g->set, gr);
		struct trend_fit f = g->fit[k];
		bool ign = gor_ignored(L, x, k);
		if (ign)
			f.leak = false;
		print_fit_cells(&f);
		if (g->has_ids)
			snprintf(st, sizeof st, "%" PRId64, g->since_start[k]);
		printf(" %6s  %s%s\n", st, name, ign ? " (ignored)" : "");
	}
	if (g->ncreators) {
		printf("\nCreators (their groups summed):\n");
		for (size_t i = 0; i < g->ncreators && i < nrows; i++) {
			const struct gs_creator *cr = &g->creators[i];
			print_fit_cells(&cr->fit);
			printf(" %6s  %s (%zu group%s)\n", "", cr->name, cr->groups,
			       cr->groups == 1 ? "" : "s");
		}
	}
	bool any = false;
	for (size_t i = 0; i < ng && i < LEAKS_STACKS; i++) {
		uint32_t k = g->order[i];
		if (!g->fit[k].leak || gor_ignored(L, x, k))
			continue;
		const struct gg_group *gr = &g->set.groups.v[k];
		if (!any)
			printf("\nLeaking groups (leaf first):\n");
		any = true;
		printf("  %" PRId64 " -> %" PRId64, g->fit[k].first, g->fit[k].last);
		if (g->has_ids && g->oldest[k] >= 0)
			printf(", oldest there since @%" PRId64, snap_id(g, g->oldest[k]));
		printf(": ");
		for (uint32_t f = 0; f < gr->nf; f++)
			printf("%s%s", f ? " < " : "", g->set.frames.v[gr->f0 + f].func);
		if (*gr->creator)
			printf(" < created by %s", gr->creator);
		putchar('\n');
	}
}

static void gor_json(struct cli *c, const struct leaks *L, const struct lseries *x)
{
	const struct gs_series *g = &x->g;
	size_t ng = g->set.groups.n;
	size_t nrows = c->q.nodecount ? (size_t)c->q.nodecount : ng;
	if (nrows > ng)
		nrows = ng;
	printf("\"sample_type\": \"goroutine\", \"unit\": \"count\", \"snapshots\": %zu, "
	       "\"totals\": [",
	       g->nsnap);
	for (size_t i = 0; i < g->nsnap; i++)
		printf("%s%" PRId64, i ? ", " : "", g->totals[i]);
	printf("], \"rows\": [");
	for (size_t i = 0; i < nrows; i++) {
		uint32_t k = g->order[i];
		const struct gg_group *gr = &g->set.groups.v[k];
		bool ign = gor_ignored(L, x, k);
		struct trend_fit f = g->fit[k];
		if (ign)
			f.leak = false;
		printf("%s\n  {\"name\": ", i ? "," : "");
		mt_json_str(stdout, gg_name(&g->set, gr));
		printf(", \"state\": ");
		mt_json_str(stdout, gr->state);
		printf(", \"created_by\": ");
		mt_json_str(stdout, gr->creator);
		printf(", ");
		json_fit(stdout, "", &f);
		printf(", \"snapshots\": %zu, \"ignored\": %s", g->nsnap, ign ? "true" : "false");
		if (g->has_ids) {
			printf(", \"stuck\": %" PRId64 ", \"oldest_since\": ", g->since_start[k]);
			if (g->oldest[k] >= 0)
				printf("%" PRId64, snap_id(g, g->oldest[k]));
			else
				printf("null");
		}
		printf(", \"counts\": [");
		for (size_t j = 0; j < g->nsnap; j++)
			printf("%s%" PRId64, j ? ", " : "", g->counts[(size_t)k * g->nsnap + j]);
		printf("], \"frames\": [");
		for (uint32_t f2 = 0; f2 < gr->nf; f2++) {
			if (f2)
				printf(", ");
			mt_json_str(stdout, g->set.frames.v[gr->f0 + f2].func);
		}
		printf("]}");
	}
	printf("%s], \"creators\": [", nrows ? "\n" : "");
	for (size_t i = 0; i < g->ncreators; i++) {
		const struct gs_creator *cr = &g->creators[i];
		printf("%s\n  {\"name\": ", i ? "," : "");
		mt_json_str(stdout, cr->name);
		printf(", ");
		json_fit(stdout, "", &cr->fit);
		printf(", \"groups\": %zu}", cr->groups);
	}
	printf("%s]", g->ncreators ? "\n" : "");
}

static void trend_json(struct cli *c, const struct trend *t)
{
	size_t nrows = c->q.nodecount ? (size_t)c->q.nodecount : t->nrows;
	if (nrows > t->nrows)
		nrows = t->nrows;
	size_t nst = t->nstack_rows < LEAKS_STACKS ? t->nstack_rows : LEAKS_STACKS;
	printf("\"sample_type\": ");
	mt_json_str(stdout, t->sample_type);
	printf(", \"unit\": ");
	mt_json_str(stdout, t->unit);
	printf(", \"snapshots\": %zu, \"rows\": [", t->nsnap);
	for (size_t i = 0; i < nrows; i++) {
		const struct trend_row *r = &t->rows[i];
		printf("%s\n  {\"name\": ", i ? "," : "");
		mt_json_str(stdout, mt_node_name(&t->nodes, r->node));
		printf(", ");
		json_fit(stdout, "", &r->flat);
		printf(", ");
		json_fit(stdout, "cum_", &r->cum);
		printf(", \"snapshots\": %zu}", t->nsnap);
	}
	printf("%s], \"stacks\": [", nrows ? "\n" : "");
	for (size_t i = 0; i < nst; i++) {
		const struct trend_stack_row *r = &t->stack_rows[i];
		printf("%s\n  {\"frames\": [", i ? "," : "");
		print_stack(stdout, t, r->stack, ", ", true);
		printf("], ");
		json_fit(stdout, "", &r->fit);
		printf(", \"snapshots\": %zu}", t->nsnap);
	}
	printf("%s]", nst ? "\n" : "");
}

static void trend_text(struct cli *c, const struct trend *t)
{
	size_t nrows = c->q.nodecount ? (size_t)c->q.nodecount : t->nrows;
	if (nrows > t->nrows)
		nrows = t->nrows;
	size_t nst = t->nstack_rows < LEAKS_STACKS ? t->nstack_rows : LEAKS_STACKS;
	/* The slopes are per hour whatever the span: say what it was. */
	char span[32];
	mt_format_span(span, sizeof span,
		       t->nsnap ? mt_sat_sub(t->times[t->nsnap - 1], t->times[0]) : 0);
	printf("Source: %s\nKind: %s, type: %s, %zu snapshots over %s\n", t->source, t->kind,
	       t->sample_type, t->nsnap, span);
	printf("%-4s %10s %10s %12s %5s %8s %10s  %s\n", "leak", "first", "last",
	       "slope/hour", "R^2", "growth", "cum last", "name");
	for (size_t i = 0; i < nrows; i++) {
		const struct trend_row *r = &t->rows[i];
		char a[32], b[32], s[32], cl[32], g[16];
		fmt_value(a, sizeof a, c, t, (double)r->flat.first);
		fmt_value(b, sizeof b, c, t, (double)r->flat.last);
		fmt_value(s, sizeof s, c, t, r->flat.slope_per_hour);
		fmt_value(cl, sizeof cl, c, t, (double)r->cum.last);
		if (r->flat.first)
			snprintf(g, sizeof g, "%+.0f%%", r->flat.growth_pct);
		else
			snprintf(g, sizeof g, "-");
		printf("%-4s %10s %10s %12s %5.2f %8s %10s  %s\n", r->flat.leak ? "yes" : "", a,
		       b, s, r->flat.r2, g, cl, mt_node_name(&t->nodes, r->node));
	}
	size_t nleak = 0;
	for (size_t i = 0; i < nst && t->stack_rows[i].fit.leak; i++)
		nleak++;
	if (nleak)
		printf("\nLeaking stacks (leaf first):\n");
	for (size_t i = 0; i < nleak; i++) {
		const struct trend_stack_row *r = &t->stack_rows[i];
		char a[32], b[32], s[32];
		fmt_value(a, sizeof a, c, t, (double)r->fit.first);
		fmt_value(b, sizeof b, c, t, (double)r->fit.last);
		fmt_value(s, sizeof s, c, t, r->fit.slope_per_hour);
		printf("  %s -> %s (%s/hour, R^2 %.2f): ", a, b, s, r->fit.r2);
		print_stack(stdout, t, r->stack, " < ", false);
		putchar('\n');
	}
}

int cmd_leaks(struct cli *c)
{
	char *fleet_source = NULL;
	if (c->nargs == 1 && fleet_is_ref(c->args[0]) && !c->source) {
		/* A store's range: fetched into the database as a series,
		 * then ranked like any other. */
		int frc = cli_fetch_store_series(c, c->args[0], &fleet_source);
		if (frc)
			return frc;
		c->source = fleet_source;
		c->nargs = 0;
	}
	int rc = leaks_run(c);
	free(fleet_source);
	return rc;
}

/* memtop leaks over the stored series the options select. */
static int leaks_run(struct cli *c)
{
	if (c->nargs) {
		cli_err("leaks", "takes no arguments but a store's range (try memtop --help)");
		return EXIT_USAGE;
	}
	struct store *s = cli_store_open(c, false);
	if (!s)
		return EXIT_BAD;
	struct leaks L;
	enum mt_status st;
	struct mt_err e = {{0}};
	int rc = open_leaks(c, s, &L, &st, &e);
	if (rc) {
		leaks_done(&L);
		store_close(s);
		return rc;
	}
	/* The metrics stored beside the snapshots (expvar, /proc, gctrace)
	 * say more: the heap after GC, RSS outside the heap, goroutines. */
	struct finding *fs = NULL;
	size_t nf = 0;
	struct mt_err fe = {{0}};
	if (metrics_findings(s, NULL, &fs, &nf, &fe))
		nf = 0;
	store_close(s);
	if (!L.n && !nf) {
		cli_err(c->q.db && *c->q.db ? c->q.db : "leaks", "%s", e.msg);
		leaks_done(&L);
		return EXIT_BAD;
	}
	if (c->format == CLI_JSON) {
		printf("{\"series\": [");
		for (size_t i = 0; i < L.n; i++) {
			const struct lseries *x = &L.v[i];
			printf("%s\n {\"kind\": ", i ? "," : "");
			mt_json_str(stdout, x->se->kind);
			printf(", \"source\": ");
			mt_json_str(stdout, x->se->key);
			printf(", ");
			if (x->gor)
				gor_json(c, &L, x);
			else
				trend_json(c, &x->t);
			printf("}");
		}
		printf("%s], \"findings\": ", L.n ? "\n" : "");
		cli_print_findings_json(stdout, fs, nf);
		printf("}\n");
	} else {
		if (!L.n)
			printf("No stored snapshots of that kind or source.\n");
		else
			printf("Leak: last > first, R^2 >= %.1f, %.0f%% of steps rising, %d+ "
			       "snapshots; %zu series, strongest growth first\n",
			       TREND_MIN_R2, TREND_MIN_RISING * 100, TREND_MIN_SNAPSHOTS, L.n);
		for (size_t i = 0; i < L.n; i++) {
			putchar('\n');
			if (L.v[i].gor)
				gor_text(c, &L, &L.v[i]);
			else
				trend_text(c, &L.v[i].t);
		}
		cli_print_findings_text(stdout, fs, nf);
	}
	metrics_findings_free(fs, nf);
	leaks_done(&L);
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

/* A threshold of check: PCT% of the first value (of the first snapshot's
 * total for a row absent then), or an amount. */
struct limit {
	const char *arg;
	double pct, abs;
};

/* Whether a steady leak grew past lim. */
static bool over(const struct limit *lim, const struct trend_fit *f, int64_t total0)
{
	double grew = (double)(f->last - f->first);
	/* A row absent at first has no growth of its own to speak of: its
	 * percentage is of the first snapshot's total, so 16 bytes of a
	 * runtime timer do not fail a build. */
	double share = f->first ? f->growth_pct : total0 ? grew / (double)total0 * 100 : 100;
	/* A steady leak only: a spike or a sawtooth that ends high is not
	 * what fails a build. */
	return f->leak && (lim->pct >= 0 ? share > lim->pct : grew > lim->abs);
}

static size_t check_trend(struct cli *c, const struct limit *lim, const struct trend *t)
{
	size_t bad = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct trend_row *r = &t->rows[i];
		if (!over(lim, &r->flat, t->totals[0]))
			continue;
		if (!bad++)
			printf("memtop check: growth past %s across %zu snapshots of %s (%s, %s):\n",
			       lim->arg, t->nsnap, t->source, t->kind, t->sample_type);
		char a[32], b[32], s[32], g[16];
		fmt_value(a, sizeof a, c, t, (double)r->flat.first);
		fmt_value(b, sizeof b, c, t, (double)r->flat.last);
		fmt_value(s, sizeof s, c, t, r->flat.slope_per_hour);
		if (r->flat.first)
			snprintf(g, sizeof g, "%+.0f%%", r->flat.growth_pct);
		else
			snprintf(g, sizeof g, "new");
		printf("  %s: %s -> %s (%s, %s/hour, R^2 %.2f)\n",
		       mt_node_name(&t->nodes, r->node), a, b, g, s, r->flat.r2);
	}
	if (!bad)
		printf("memtop check: no function grew past %s across %zu snapshots of %s (%s)\n",
		       lim->arg, t->nsnap, t->source, t->kind);
	return bad;
}

static size_t check_gor(const struct leaks *L, const struct limit *lim,
			const struct lseries *x)
{
	const struct gs_series *g = &x->g;
	size_t bad = 0, ignored = 0;
	for (size_t i = 0; i < g->set.groups.n; i++) {
		uint32_t k = g->order[i];
		if (!over(lim, &g->fit[k], g->totals[0]))
			continue;
		if (gor_ignored(L, x, k)) {
			ignored++;
			continue;
		}
		const struct gg_group *gr = &g->set.groups.v[k];
		if (!bad++)
			printf("memtop check: goroutines grew past %s across %zu snapshots of %s "
			       "(%s):\n",
			       lim->arg, g->nsnap, g->source, g->kind);
		char name[600];
		gor_label(name, sizeof name, &g->set, gr);
		printf("  %s: %" PRId64 " -> %" PRId64 " (%s%.0f%s, %.2f/hour, R^2 %.2f)", name,
		       g->fit[k].first, g->fit[k].last, g->fit[k].first ? "+" : "",
		       g->fit[k].first ? g->fit[k].growth_pct : (double)g->fit[k].last,
		       g->fit[k].first ? "%" : " new", g->fit[k].slope_per_hour, g->fit[k].r2);
		if (g->has_ids && g->oldest[k] >= 0)
			printf(", %" PRId64 " stuck since @%" PRId64, g->since_start[k],
			       snap_id(g, g->oldest[k]));
		putchar('\n');
	}
	if (!bad)
		printf("memtop check: no goroutine group grew past %s across %zu snapshots of %s "
		       "(%s)%s\n",
		       lim->arg, g->nsnap, g->source, g->kind,
		       ignored ? ", leaving out the ignored ones" : "");
	else if (ignored)
		printf("  (%zu more left out by --ignore-file)\n", ignored);
	return bad;
}

int cmd_check(struct cli *c)
{
	struct limit heap = {c->max_growth, -1, -1}, gor = {c->max_gor_growth, -1, -1};
	if (c->nargs || (!c->max_growth && !c->max_gor_growth)) {
		cli_err("check", "expects --max-growth PCT%%|SIZE or --max-goroutines-growth "
				 "N|PCT%% (try memtop --help)");
		return EXIT_USAGE;
	}
	if (c->max_growth && !parse_growth(c->max_growth, &heap.pct, &heap.abs)) {
		cli_err("check", "bad --max-growth \"%s\" (e.g. 20%%, 10MB, 4096)",
			c->max_growth);
		return EXIT_USAGE;
	}
	char *end = NULL;
	if (c->max_gor_growth) {
		errno = 0;
		double v = strtod(c->max_gor_growth, &end);
		if (errno || end == c->max_gor_growth || v < 0 || (*end && strcmp(end, "%"))) {
			cli_err("check", "bad --max-goroutines-growth \"%s\" (e.g. 100, 50%%)",
				c->max_gor_growth);
			return EXIT_USAGE;
		}
		if (*end)
			gor.pct = v;
		else
			gor.abs = v;
	}
	struct store *s = cli_store_open(c, false);
	if (!s)
		return EXIT_BAD;
	struct leaks L;
	enum mt_status st;
	struct mt_err e = {{0}};
	int rc = open_leaks(c, s, &L, &st, &e);
	store_close(s);
	if (rc) {
		leaks_done(&L);
		return rc;
	}
	if (!L.n) {
		cli_err(c->q.db && *c->q.db ? c->q.db : "check", "%s", e.msg);
		leaks_done(&L);
		return EXIT_BAD;
	}
	size_t bad = 0, checked = 0;
	for (size_t i = 0; i < L.n; i++) {
		const struct lseries *x = &L.v[i];
		if (x->gor && gor.arg) {
			bad += check_gor(&L, &gor, x);
			checked++;
		} else if (!x->gor && heap.arg && (!x->klass || c->kind)) {
			/* Kinds that only add up (allocs, mutex, ...) grow by
			 * nature: checked when --kind names them. */
			bad += check_trend(c, &heap, &x->t);
			checked++;
		}
	}
	leaks_done(&L);
	if (!checked) {
		/* A CI job checking what was never stored is misconfigured. */
		cli_err(c->q.db && *c->q.db ? c->q.db : "check", "no stored %s series to check",
			heap.arg ? "profile" : "goroutine");
		return EXIT_BAD;
	}
	return bad ? EXIT_LEAK : EXIT_OK;
}
