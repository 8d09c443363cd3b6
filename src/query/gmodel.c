/* gmodel.c - goroutine groups for view 6, from the model's profile alone
 * (report/ggroup.h), with their counts and lifetimes across stored
 * snapshots of the same series (report/gseries.h). */
#include "query/gmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/gseries.h"
#include "store/series.h"
#include "base/sat.h"
#include "store/store.h"

bool gmodel_is_goroutines(const struct profile *p)
{
	return gg_is_goroutines(p);
}

static void gm_clear(struct gmodel *gm)
{
	for (size_t i = 0; i < gm->groups.n; i++) {
		free(gm->groups.v[i].series);
		free(gm->groups.v[i].since);
	}
	free(gm->groups.v);
	free(gm->states.v);
	free(gm->snap_time);
	free(gm->snap_id);
	if (gm->diff) {
		gg_diff_done(&gm->diff->d);
		gg_done(&gm->diff->base);
		free(gm->diff->rows.v);
		free(gm->diff);
	}
	if (gm->set_ok)
		gg_done(&gm->set);
	memset(gm, 0, sizeof *gm);
}

void gmodel_free(struct gmodel *gm)
{
	if (!gm)
		return;
	gm_clear(gm);
	free(gm);
}

/* The view's groups and states from the set. */
static void from_set(struct gmodel *gm)
{
	const struct gg_set *s = &gm->set;
	gm->reason = s->reason;
	gm->total = s->total;
	for (size_t k = 0; k < s->groups.n; k++) {
		const struct gg_group *g = &s->groups.v[k];
		struct gm_group v = {
		    .gi = (uint32_t)k,
		    .state = *g->state ? g->state : "profile",
		    .creator = g->creator,
		    .creator_file = g->creator_file,
		    .creator_line = g->creator_line,
		    .count = g->count,
		    .wait_min = g->wait_min,
		    .wait_max = g->wait_max,
		    .locked = g->locked,
		    .elided = g->elided,
		    .f0 = g->f0,
		    .nf = g->nf,
		    .top = g->name,
		    .m0 = g->m0,
		    .nm = g->nm,
		    .key = g->key,
		    .oldest = -1,
		};
		VEC_PUSH(gm->groups, v);
	}
	for (size_t i = 0; i < s->states.n; i++) {
		struct gm_state st = {*s->states.v[i].state ? s->states.v[i].state : "profile",
				      s->states.v[i].count, s->states.v[i].groups};
		VEC_PUSH(gm->states, st);
	}
}

/* ---- counts and lifetimes across stored snapshots ------------------------ */

#define GM_MAX_SNAPS 120

/* Fills each group's series, and its goroutines' lifetimes, from the
 * stored snapshots of the open one's series (the newest GM_MAX_SNAPS up
 * to it), when there are two or more. */
static void load_series(struct gmodel *gm, struct model *md)
{
	struct store *s = NULL;
	struct store_list l = {0};
	struct mt_err e;
	int64_t id = gg_is_goroutines(md->p) ? md->snap_id : md->gor_id;
	if (!id || store_open(&s, md->q->db, false, &e))
		return;
	if (store_list(s, &l, &e)) {
		store_close(s);
		return;
	}
	struct store_series *sv = NULL;
	size_t nsv = 0;
	store_series_group(&l, NULL, NULL, &sv, &nsv);
	const struct store_series *se = store_series_of(sv, nsv, id);
	struct gs_series gs;
	struct gs_opts o = {.max_snaps = GM_MAX_SNAPS, .cur = &gm->set, .cur_id = id};
	if (se && se->n >= 2 && gs_is_goroutine_kind(se->kind) &&
	    gs_build(&gs, s, se, &o, &e) == MT_OK) {
		if (gs.nsnap >= 2) {
			size_t m = gs.nsnap;
			gm->nsnap = m;
			gm->cur_index = gs.cur_index;
			gm->snap_time = xmalloc(m * sizeof *gm->snap_time);
			gm->snap_id = xmalloc(m * sizeof *gm->snap_id);
			memcpy(gm->snap_time, gs.times, m * sizeof *gm->snap_time);
			memcpy(gm->snap_id, gs.ids, m * sizeof *gm->snap_id);
			gm->lifetimes = gs.first != NULL;
			for (size_t g = 0; g < gm->groups.n; g++) {
				struct gm_group *gr = &gm->groups.v[g];
				gr->series = xcalloc(m, sizeof *gr->series);
				for (size_t k = 0; k < gs.set.groups.n; k++)
					if (gs.set.groups.v[k].key == gr->key)
						memcpy(gr->series, gs.counts + k * m,
						       m * sizeof *gr->series);
				bool up = true;
				for (size_t k = 1; k < m; k++)
					up &= gr->series[k] >= gr->series[k - 1];
				gr->growth = gr->series[m - 1] - gr->series[0];
				gr->only_grows = up && gr->growth > 0;
				if (!gm->lifetimes)
					continue;
				/* since[k]: there since snapshot k or before. */
				gr->since = xcalloc(m + 1, sizeof *gr->since);
				for (uint32_t i = 0; i < gr->nm; i++) {
					int32_t f = gs.first[gr->m0 + i];
					if ((size_t)f < gs.cur_index)
						gr->since[f]++;
					if ((size_t)f < gs.cur_index &&
					    (gr->oldest < 0 || f < gr->oldest))
						gr->oldest = f;
				}
				for (size_t k = 1; k < m; k++)
					gr->since[k] += gr->since[k - 1];
			}
		}
		gs_done(&gs);
	}
	store_series_free(sv, nsv);
	store_list_done(&l);
	store_close(s);
}

/* ---- filters ---------------------------------------------------------- */

/* Marks the groups that pass the model's filters: a state filter, every
 * focus (a frame matches each) and ignore (no frame matches), by the one
 * goroutine focus rule (gg_match). */
static void apply_filters(struct gmodel *gm, const struct model *md)
{
	const char *state = model_state_filter(md);
	struct mt_regex **re = xcalloc(md->filters.n + 1, sizeof *re);
	for (size_t i = 0; i < md->filters.n; i++) {
		struct mt_err e;
		const struct model_filter *f = &md->filters.v[i];
		if (f->kind == MT_FILTER_FOCUS || f->kind == MT_FILTER_IGNORE)
			mt_regex_compile(&re[i], f->pattern, false, &e);
	}
	gm->shown_total = 0;
	gm->nshown = 0;
	for (size_t k = 0; k < gm->groups.n; k++) {
		struct gm_group *g = &gm->groups.v[k];
		const struct gg_group *sg = &gm->set.groups.v[g->gi];
		bool ok = !state || strcmp(state, g->state) == 0;
		for (size_t i = 0; ok && i < md->filters.n; i++)
			if (re[i])
				ok = gg_match(&gm->set, sg, re[i]) ==
				     (md->filters.v[i].kind == MT_FILTER_FOCUS);
		g->shown = ok;
		if (ok) {
			gm->shown_total = mt_sat_add(gm->shown_total, g->count);
			gm->nshown++;
		}
	}
	for (size_t i = 0; i < md->filters.n; i++)
		mt_regex_free(re[i]);
	free(re);
}

/* The diff rows whose group (the new side's, else the base's) passes the
 * filters of apply_filters. */
static void diff_rows(struct gmodel *gm, const struct model *md, struct mt_regex **re)
{
	struct gm_diff *g = gm->diff;
	const char *state = model_state_filter(md);
	g->rows.n = 0;
	for (size_t i = 0; i < g->d.rows.n; i++) {
		const struct gg_diff_row *r = &g->d.rows.v[i];
		const struct gg_set *s = r->new_ != MT_NONE ? &gm->set : &g->base;
		const struct gg_group *sg = &s->groups.v[r->new_ != MT_NONE ? r->new_ : r->base];
		const char *st = *sg->state ? sg->state : "profile";
		bool ok = !state || strcmp(state, st) == 0;
		for (size_t k = 0; ok && k < md->filters.n; k++)
			if (re[k])
				ok = gg_match(s, sg, re[k]) ==
				     (md->filters.v[k].kind == MT_FILTER_FOCUS);
		if (ok)
			VEC_PUSH(g->rows, (uint32_t)i);
	}
}

const struct gm_diff *gmodel_diff(struct model *md)
{
	struct gmodel *gm = gmodel_get(md, NULL);
	if (!gm || !md->base || md->base->format != MT_FMT_GOROUTINE_DUMP ||
	    md->p->format != MT_FMT_GOROUTINE_DUMP)
		return NULL;
	if (!gm->diff) {
		struct mt_err e;
		gm->diff = xcalloc(1, sizeof *gm->diff);
		gg_build(&gm->diff->base, md->base, &e);
		gg_diff_build(&gm->diff->d, &gm->diff->base, &gm->set);
	}
	struct mt_regex **re = xcalloc(md->filters.n + 1, sizeof *re);
	for (size_t i = 0; i < md->filters.n; i++) {
		struct mt_err e;
		const struct model_filter *f = &md->filters.v[i];
		if (f->kind == MT_FILTER_FOCUS || f->kind == MT_FILTER_IGNORE)
			mt_regex_compile(&re[i], f->pattern, false, &e);
	}
	diff_rows(gm, md, re);
	for (size_t i = 0; i < md->filters.n; i++)
		mt_regex_free(re[i]);
	free(re);
	return gm->diff;
}

struct gmodel *gmodel_get(struct model *md, const struct mt_limits *lim)
{
	if (!md->gor)
		md->gor = xcalloc(1, sizeof *md->gor);
	struct gmodel *gm = md->gor;
	if (gm->groups.n && gm->generation == md->generation)
		return gm;
	if (gm->groups.n || gm->err[0]) {
		/* Only the filters changed: the groups stay. */
		if (gm->groups.n) {
			apply_filters(gm, md);
			gm->generation = md->generation;
			return gm;
		}
		return NULL;
	}
	gm_clear(gm);
	gm->generation = md->generation;
	struct mt_err e = {{0}};
	/* A heap of a service round: the goroutine dump of the same round. */
	const struct profile *gp = gg_is_goroutines(md->p) ? md->p : md->gor_p;
	if (!gp) {
		snprintf(gm->err, sizeof gm->err, "this is a %s profile, not goroutines",
			 md->kind);
		return NULL;
	}
	if (gg_build(&gm->set, gp, &e)) {
		snprintf(gm->err, sizeof gm->err, "%.190s", e.msg);
		return NULL;
	}
	gm->set_ok = true;
	from_set(gm);
	if (!gm->groups.n) {
		snprintf(gm->err, sizeof gm->err, "no goroutines in this input");
		return NULL;
	}
	load_series(gm, md);
	apply_filters(gm, md);
	return gm;
}
