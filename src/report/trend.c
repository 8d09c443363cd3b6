/* trend.c - leak ranking across stored snapshots (see trend.h for the
 * rule). Each snapshot is read as (stack id, value) pairs; the distinct
 * stacks are decoded once into one profile, whose per-stack frames give
 * every function's flat (the leaf) and cum (once per stack). */
#include "report/trend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "base/u64map.h"
#include "base/util.h"
#include "store/series.h"

/* ------------------------------------------------------------------ */
/* Fitting                                                             */

void trend_fit(const int64_t *t, const int64_t *v, size_t n, struct trend_fit *f)
{
	memset(f, 0, sizeof *f);
	if (!n)
		return;
	f->first = v[0];
	f->last = v[n - 1];
	if (f->first)
		f->growth_pct = (double)mt_sat_sub(f->last, f->first) /
				(double)mt_sat_abs(f->first) * 100;
	/* Hours since the first snapshot keep the sums small and exact enough. */
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += (double)mt_sat_sub(t[i], t[0]) / 3.6e12;
		my += (double)v[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = (double)mt_sat_sub(t[i], t[0]) / 3.6e12 - mx;
		double dy = (double)v[i] - my;
		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	if (sxx > 0)
		f->slope_per_hour = sxy / sxx;
	if (sxx > 0 && syy > 0)
		f->r2 = sxy * sxy / (sxx * syy);
	size_t up = 0;
	for (size_t i = 1; i < n; i++)
		up += v[i] >= v[i - 1];
	f->rising = n > 1 ? (double)up / (double)(n - 1) : 0;
	f->leak = n >= TREND_MIN_SNAPSHOTS && f->last > f->first && f->slope_per_hour > 0 &&
		  f->r2 >= TREND_MIN_R2 && f->rising >= TREND_MIN_RISING;
}

/* ------------------------------------------------------------------ */
/* Choosing the snapshots                                              */


/* The sample type index of en that want names (a name or a number). */
static enum mt_status type_index(const struct store_entry *en, const char *want, int *index,
				 struct mt_err *e)
{
	if (!want || !*want) {
		*index = en->default_index;
		return *index >= 0 ? MT_OK
				   : mt_errf(e, MT_ERR_USAGE, "snapshot @%lld has no samples",
					     (long long)en->id);
	}
	char *end;
	long v = strtol(want, &end, 10);
	if (*end == 0 && end != want) {
		if (v < 0 || (size_t)v >= en->ntypes)
			return mt_errf(e, MT_ERR_USAGE, "sample index %s is outside the range "
				       "[0..%zu]", want, en->ntypes - 1);
		*index = (int)v;
		return MT_OK;
	}
	const char *noinuse = strncmp(want, "inuse_", 6) == 0 ? want + 6 : want;
	for (size_t i = 0; i < en->ntypes; i++)
		if (strcmp(en->types[i], want) == 0 || strcmp(en->types[i], noinuse) == 0) {
			*index = (int)i;
			return MT_OK;
		}
	return mt_errf(e, MT_ERR_USAGE, "no sample type \"%s\" in snapshot @%lld", want,
		       (long long)en->id);
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */

/* The distinct stacks of all snapshots, and each snapshot's value per
 * stack (summed over samples that share a stack). */
struct scan {
	struct mt_u64map dense; /* stack id -> index */
	VEC(int64_t) ids;
	VEC(int64_t) vals;  /* stacks x snapshots, grown as stacks appear */
	size_t nsnap, snap;
};

static void scan_add(void *ctx, int64_t stack, int64_t value)
{
	struct scan *sc = ctx;
	bool added;
	uint32_t *k = mt_u64map_put(&sc->dense, (uint64_t)stack, &added);
	if (added) {
		*k = (uint32_t)sc->ids.n;
		VEC_PUSH(sc->ids, stack);
		VEC_RESERVE(sc->vals, sc->vals.n + sc->nsnap);
		memset(sc->vals.v + sc->vals.n, 0, sc->nsnap * sizeof *sc->vals.v);
		sc->vals.n += sc->nsnap;
	}
	int64_t *at = &sc->vals.v[(size_t)*k * sc->nsnap + sc->snap];
	*at = mt_sat_add(*at, value);
}

/* Sorts leaks first, then by slope (steepest first), then by size. */
static int row_cmp(const void *a, const void *b, void *ctx)
{
	const struct trend *sort_ctx = ctx;
	const struct trend_row *x = a, *y = b;
	if (x->flat.leak != y->flat.leak)
		return x->flat.leak ? -1 : 1;
	if (x->flat.slope_per_hour != y->flat.slope_per_hour)
		return x->flat.slope_per_hour > y->flat.slope_per_hour ? -1 : 1;
	if (x->flat.last != y->flat.last)
		return x->flat.last > y->flat.last ? -1 : 1;
	if (x->cum.slope_per_hour != y->cum.slope_per_hour)
		return x->cum.slope_per_hour > y->cum.slope_per_hour ? -1 : 1;
	if (x->cum.last != y->cum.last)
		return x->cum.last > y->cum.last ? -1 : 1;
	return strcmp(mt_node_name(&sort_ctx->nodes, x->node),
		      mt_node_name(&sort_ctx->nodes, y->node));
}

static int stack_cmp(const void *a, const void *b)
{
	const struct trend_stack_row *x = a, *y = b;
	if (x->fit.leak != y->fit.leak)
		return x->fit.leak ? -1 : 1;
	if (x->fit.slope_per_hour != y->fit.slope_per_hour)
		return x->fit.slope_per_hour > y->fit.slope_per_hour ? -1 : 1;
	if (x->fit.last != y->fit.last)
		return x->fit.last > y->fit.last ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* Functions' flat and cum per snapshot from the stacks' values. */
static void aggregate(struct trend *t)
{
	size_t nn = t->nodes.n, ns = t->nsnap;
	t->flat = xcalloc(nn * ns + 1, sizeof *t->flat);
	t->cum = xcalloc(nn * ns + 1, sizeof *t->cum);
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(&t->nodes) + 1) * sizeof *fr);
	uint32_t *stamp = xcalloc(nn + 1, sizeof *stamp);
	for (size_t s = 0; s < t->stacks->samples.n; s++) {
		size_t k = mt_nodes_frames(&t->nodes, s, fr);
		if (!k)
			continue;
		const int64_t *v = t->svals + s * ns;
		int64_t *fl = t->flat + (size_t)fr[0].node * ns;
		for (size_t j = 0; j < ns; j++)
			fl[j] = mt_sat_add(fl[j], v[j]);
		for (size_t i = 0; i < k; i++) {
			uint32_t n = fr[i].node;
			if (stamp[n] == s + 1)
				continue;
			stamp[n] = (uint32_t)s + 1;
			int64_t *c = t->cum + (size_t)n * ns;
			for (size_t j = 0; j < ns; j++)
				c[j] = mt_sat_add(c[j], v[j]);
		}
	}
	free(fr);
	free(stamp);
}

enum mt_status trend_build(struct trend *t, struct store *s, const struct trend_opts *o,
			   struct mt_err *e)
{
	memset(t, 0, sizeof *t);
	struct store_list l;
	enum mt_status st = store_list(s, &l, e);
	if (st)
		return st;
	struct scan sc = {0};
	const struct store_entry **sel = xcalloc(l.n + 1, sizeof *sel);
	struct store_series *sv = NULL;
	size_t nsv = 0;
	/* The series o names, or the one with the most snapshots. */
	store_series_group(&l, o->source, o->kind, &sv, &nsv);
	if (!nsv) {
		st = mt_errf(e, MT_ERR_NOTFOUND, "no stored snapshots%s%s%s%s",
			     o->source || o->kind ? " of" : "", o->kind ? " kind " : "",
			     o->kind ? o->kind : "", o->source ? " from that source" : "");
		goto out;
	}
	const struct store_series *se = &sv[0];
	size_t n = se->n;
	memcpy(sel, se->snaps, n * sizeof *sel);
	int64_t newest = sel[n - 1]->time;
	size_t from = 0;
	if (o->since_ns > 0)
		while (from < n && sel[from]->time < mt_sat_sub(newest, o->since_ns))
			from++;
	int index = -1;
	if ((st = type_index(sel[n - 1], o->sample_index, &index, e)))
		goto out;
	const char *type = sel[n - 1]->types[index];
	/* Snapshots whose types differ (another program version) are left out. */
	size_t m = 0;
	for (size_t i = from; i < n; i++)
		if ((size_t)index < sel[i]->ntypes && strcmp(sel[i]->types[index], type) == 0)
			sel[m++] = sel[i];
	t->source = xstrdup(se->key);
	t->kind = xstrdup(se->kind);
	t->sample_type = xstrdup(type);
	t->unit = xstrdup(sel[m - 1]->units[index]);
	t->nsnap = m;
	t->ids = xmalloc(m * sizeof *t->ids);
	t->times = xmalloc(m * sizeof *t->times);
	sc.nsnap = m;
	for (size_t i = 0; i < m && !st; i++) {
		t->ids[i] = sel[i]->id;
		t->times[i] = sel[i]->time;
		sc.snap = i;
		st = store_scan_values(s, sel[i]->id, index, scan_add, &sc, e);
	}
	if (st || (st = store_load_stacks(s, sc.ids.v, sc.ids.n, &t->stacks, e)))
		goto out;
	t->svals = sc.vals.v;
	sc.vals.v = NULL;
	t->totals = xcalloc(m + 1, sizeof *t->totals);
	for (size_t k = 0; k < sc.ids.n; k++)
		for (size_t j = 0; j < m; j++)
			t->totals[j] = mt_sat_add(t->totals[j], mt_sat_abs(t->svals[k * m + j]));
	if ((st = mt_nodes_init(&t->nodes, t->stacks, o->gran, &(struct mt_filters){0}, e)))
		goto out;
	aggregate(t);

	/* Rows: every node with a value in some snapshot. */
	t->rows = xcalloc(t->nodes.n + 1, sizeof *t->rows);
	for (size_t nd = 0; nd < t->nodes.n; nd++) {
		const int64_t *fl = t->flat + nd * m, *cu = t->cum + nd * m;
		bool any = false;
		for (size_t j = 0; j < m && !any; j++)
			any = fl[j] || cu[j];
		if (!any)
			continue;
		struct trend_row *r = &t->rows[t->nrows++];
		r->node = (uint32_t)nd;
		r->flat_values = fl;
		trend_fit(t->times, fl, m, &r->flat);
		trend_fit(t->times, cu, m, &r->cum);
	}
	qsort_r(t->rows, t->nrows, sizeof *t->rows, row_cmp, t);
	t->stack_rows = xcalloc(t->stacks->samples.n + 1, sizeof *t->stack_rows);
	for (size_t k = 0; k < t->stacks->samples.n; k++) {
		struct trend_stack_row *r = &t->stack_rows[t->nstack_rows++];
		r->stack = k;
		trend_fit(t->times, t->svals + k * m, m, &r->fit);
	}
	qsort(t->stack_rows, t->nstack_rows, sizeof *t->stack_rows, stack_cmp);
out:
	mt_u64map_done(&sc.dense);
	free(sc.ids.v);
	free(sc.vals.v);
	free(sel);
	store_series_free(sv, nsv);
	store_list_done(&l);
	if (st)
		trend_done(t);
	return st;
}

void trend_done(struct trend *t)
{
	free(t->source);
	free(t->kind);
	free(t->sample_type);
	free(t->unit);
	free(t->ids);
	free(t->times);
	free(t->totals);
	if (t->stacks) {
		mt_nodes_done(&t->nodes);
		profile_free(t->stacks);
	}
	free(t->rows);
	free(t->stack_rows);
	free(t->flat);
	free(t->cum);
	free(t->svals);
	memset(t, 0, sizeof *t);
}
