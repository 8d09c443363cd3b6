/* gmodel.c - goroutine groups for view 6, from a dump or a profile, with
 * their counts across stored snapshots of the same source. */
#include "query/gmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gz.h"
#include "store/series.h"
#include "base/sat.h"
#include "store/store.h"

bool gmodel_is_goroutines(const struct profile *p)
{
	if (p->format == MT_FMT_GOROUTINE_DUMP)
		return true;
	return p->sample_types.n == 1 &&
	       strcmp(profile_str(p, p->sample_types.v[0].type), "goroutine") == 0;
}

static void gm_clear(struct gmodel *gm)
{
	for (size_t i = 0; i < gm->groups.n; i++)
		free(gm->groups.v[i].series);
	free(gm->groups.v);
	free(gm->frames.v);
	free(gm->states.v);
	free(gm->snap_time);
	if (gm->dump_ok)
		goroutines_done(&gm->d);
	memset(gm, 0, sizeof *gm);
}

void gmodel_free(struct gmodel *gm)
{
	if (!gm)
		return;
	gm_clear(gm);
	free(gm);
}

/* Hash of a group's identity: state and frames (function, file, line). */
static uint64_t group_key(const struct gmodel *gm, const struct gm_group *g)
{
	uint64_t h = mt_hash(g->state, strlen(g->state), 0x676f72);
	for (uint32_t i = 0; i < g->nf; i++) {
		const struct gm_frame *f = &gm->frames.v[g->f0 + i];
		h = mt_hash(f->func, strlen(f->func), h);
		h = mt_hash(f->file, strlen(f->file), h);
		h = mt_hash_u64(h ^ (uint64_t)f->line);
	}
	return h;
}

/* ---- from a dump ----------------------------------------------------- */

static bool from_dump(struct gmodel *gm, const char *path, const struct mt_limits *lim)
{
	uint8_t *data = NULL, *raw = NULL;
	size_t n = 0, rawn = 0;
	struct mt_err e = {{0}};
	goroutines_init(&gm->d);
	gm->dump_ok = true;
	const uint8_t *in;
	if (mt_read_file(path, &data, &n, lim->max_file, &e))
		goto fail;
	in = data;
	if (gz_is_gzip(in, n)) {
		if (goroutines_inflate(in, n, lim, &raw, &rawn, &e))
			goto fail;
		in = raw, n = rawn;
	}
	if (goroutines_parse(&gm->d, in, n, lim, &e))
		goto fail;
	free(data);
	free(raw);
	goroutines_group(&gm->d);
	struct mt_goroutines *d = &gm->d;
	gm->reason = d->reason ? goroutines_str(d, d->reason) : NULL;
	for (size_t k = 0; k < d->groups.n; k++) {
		const struct mt_ggroup *grp = &d->groups.v[k];
		const struct mt_goroutine *gr = &d->gs.v[grp->first];
		struct gm_group g = {
		    .state = goroutines_str(d, gr->state),
		    .creator = goroutines_str(d, gr->created_by),
		    .creator_file = goroutines_str(d, gr->created_file),
		    .creator_line = gr->created_line,
		    .count = (int64_t)grp->count,
		    .wait_min = grp->wait_min,
		    .wait_max = grp->wait_max,
		    .locked = grp->locked,
		    .elided = gr->elided,
		    .f0 = (uint32_t)gm->frames.n,
		    .nf = gr->nframe,
		    .nids = grp->nids,
		};
		memcpy(g.ids, grp->ids, sizeof g.ids);
		for (uint32_t i = 0; i < gr->nframe; i++) {
			const struct mt_gframe *f = &d->frames.v[gr->frame0 + i];
			struct gm_frame gf = {goroutines_str(d, f->func),
					      goroutines_str(d, f->file), f->line,
					      f->inlined};
			VEC_PUSH(gm->frames, gf);
		}
		VEC_PUSH(gm->groups, g);
	}
	return true;
fail:
	free(data);
	free(raw);
	snprintf(gm->err, sizeof gm->err, "%.190s", e.msg);
	return false;
}

/* ---- from a profile -------------------------------------------------- */

static const char *label_of(const struct profile *p, size_t s, const char *key)
{
	const struct mt_sample *sm = &p->samples.v[s];
	for (uint32_t j = 0; j < sm->nlabel; j++) {
		const struct mt_label *l = &p->labels.v[sm->label0 + j];
		if (!l->is_num && strcmp(profile_str(p, l->key), key) == 0)
			return profile_str(p, l->str);
	}
	return NULL;
}

static int cmp_group(const void *x, const void *y)
{
	const struct gm_group *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	int c = strcmp(a->state, b->state);
	return c ? c : (a->key < b->key ? -1 : a->key > b->key);
}

/* Groups the samples of p by state label and stack (their values added):
 * a goroutine profile has one sample per distinct stack and label set. */
static void groups_of_profile(struct gmodel *gm, const struct profile *p)
{
	for (size_t s = 0; s < p->samples.n; s++) {
		const struct mt_sample *sm = &p->samples.v[s];
		const char *state = label_of(p, s, "state");
		struct gm_group g = {.state = state ? state : "profile",
				     .creator = "",
				     .creator_file = "",
				     .count = profile_values(p, s)[0],
				     .f0 = (uint32_t)gm->frames.n};
		const char *w = label_of(p, s, "wait");
		long long a = 0, b = 0;
		if (w && sscanf(w, "%lld-%lld", &a, &b) == 2)
			g.wait_min = a, g.wait_max = b;
		else if (w && sscanf(w, "%lld", &a) == 1)
			g.wait_min = g.wait_max = a;
		for (uint32_t i = 0; i < sm->nloc; i++) {
			const struct mt_location *loc =
			    &p->locations.v[p->sample_locs.v[sm->loc0 + i]];
			for (uint32_t j = 0; j < loc->nline; j++) {
				const struct mt_line *ln = &p->lines.v[loc->line0 + j];
				const struct mt_function *fn =
				    ln->func == MT_NONE ? NULL
							: &p->functions.v[ln->func];
				struct gm_frame f = {
				    fn ? profile_str(p, fn->name) : "?",
				    fn ? profile_str(p, fn->filename) : "", ln->line,
				    j + 1 < loc->nline};
				VEC_PUSH(gm->frames, f);
			}
		}
		g.nf = (uint32_t)(gm->frames.n - g.f0);
		g.key = group_key(gm, &g);
		size_t k = 0;
		while (k < gm->groups.n && gm->groups.v[k].key != g.key)
			k++;
		if (k < gm->groups.n) {
			/* frames stay unused */
			gm->groups.v[k].count = mt_sat_add(gm->groups.v[k].count, g.count);
			gm->frames.n = g.f0;
		} else {
			VEC_PUSH(gm->groups, g);
		}
	}
	if (gm->groups.n)
		qsort(gm->groups.v, gm->groups.n, sizeof *gm->groups.v, cmp_group);
}

/* ---- counts across stored snapshots ------------------------------------ */

static int cmp_entry_time(const void *x, const void *y)
{
	const struct store_entry *a = *(const struct store_entry *const *)x,
				 *b = *(const struct store_entry *const *)y;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

#define GM_MAX_SNAPS 120

/* Fills each group's series from the stored snapshots of the open one's
 * source and kind (the newest GM_MAX_SNAPS), when there are two or more. */
static void load_series(struct gmodel *gm, struct model *md)
{
	struct store *s = NULL;
	struct store_list l = {0};
	struct mt_err e;
	if (!md->snap_id || store_open(&s, md->q->db, false, &e))
		return;
	if (store_list(s, &l, &e)) {
		store_close(s);
		return;
	}
	const struct store_entry *me = NULL;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id == md->snap_id)
			me = &l.v[i];
	const struct store_entry **sel = xmalloc((l.n + 1) * sizeof *sel);
	size_t n = 0;
	for (size_t i = 0; me && i < l.n; i++)
		if (store_same_series(&l.v[i], me))
			sel[n++] = &l.v[i];
	if (n >= 2) {
		qsort(sel, n, sizeof *sel, cmp_entry_time);
		size_t from = n > GM_MAX_SNAPS ? n - GM_MAX_SNAPS : 0;
		gm->nsnap = n - from;
		gm->snap_time = xcalloc(gm->nsnap, sizeof *gm->snap_time);
		for (size_t g = 0; g < gm->groups.n; g++)
			gm->groups.v[g].series = xcalloc(gm->nsnap, sizeof(int64_t));
		for (size_t k = 0; k < gm->nsnap; k++) {
			const struct store_entry *en = sel[from + k];
			gm->snap_time[k] = en->time;
			struct profile *p = NULL;
			if (store_load(s, en->id, &p, &e))
				continue;
			struct gmodel tmp = {0};
			groups_of_profile(&tmp, p);
			for (size_t a = 0; a < tmp.groups.n; a++)
				for (size_t g = 0; g < gm->groups.n; g++)
					if (gm->groups.v[g].key == tmp.groups.v[a].key)
						gm->groups.v[g].series[k] +=
						    tmp.groups.v[a].count;
			gm_clear(&tmp);
			profile_free(p);
		}
		for (size_t g = 0; g < gm->groups.n; g++) {
			struct gm_group *gr = &gm->groups.v[g];
			bool up = true;
			for (size_t k = 1; k < gm->nsnap; k++)
				up &= gr->series[k] >= gr->series[k - 1];
			gr->growth = gr->series[gm->nsnap - 1] - gr->series[0];
			gr->only_grows = up && gr->growth > 0;
		}
	}
	free(sel);
	store_list_done(&l);
	store_close(s);
}

/* ---- filters ---------------------------------------------------------- */

/* pprof's focus on a goroutine's own stack, as `memtop goroutines --focus`
 * has it: a frame's function or file matches. */
static bool any_frame(const struct gmodel *gm, const struct gm_group *g,
		      const struct mt_regex *re)
{
	for (uint32_t i = 0; i < g->nf; i++) {
		const char *f = gm->frames.v[g->f0 + i].func;
		const char *file = gm->frames.v[g->f0 + i].file;
		if (mt_regex_match(re, f, strlen(f)) ||
		    (file && mt_regex_match(re, file, strlen(file))))
			return true;
	}
	return false;
}

/* Marks the groups that pass the model's filters: a state filter, every
 * focus (a frame matches each) and ignore (no frame matches). */
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
		bool ok = !state || strcmp(state, g->state) == 0;
		for (size_t i = 0; ok && i < md->filters.n; i++)
			if (re[i])
				ok = any_frame(gm, g, re[i]) ==
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

static int cmp_state(const void *x, const void *y)
{
	const struct gm_state *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->state, b->state);
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
	if (!gmodel_is_goroutines(md->p)) {
		snprintf(gm->err, sizeof gm->err,
			 "this is a %s profile, not goroutines", md->kind);
		return NULL;
	}
	/* A dump fetched from a URL and not stored: its profile is what
	 * there is to read. */
	if (md->p->format == MT_FMT_GOROUTINE_DUMP && !md->snap_id && !query_is_url(md->path)) {
		gm->from_dump = true;
		if (!from_dump(gm, md->path, lim ? lim : md->lim))
			return NULL;
		for (size_t k = 0; k < gm->groups.n; k++)
			gm->groups.v[k].key = group_key(gm, &gm->groups.v[k]);
	} else {
		groups_of_profile(gm, md->p);
	}
	if (!gm->groups.n) {
		snprintf(gm->err, sizeof gm->err, "no goroutines in this input");
		return NULL;
	}
	for (size_t k = 0; k < gm->groups.n; k++) {
		const struct gm_group *g = &gm->groups.v[k];
		gm->total = mt_sat_add(gm->total, g->count);
		size_t i = 0;
		while (i < gm->states.n && strcmp(gm->states.v[i].state, g->state) != 0)
			i++;
		if (i == gm->states.n) {
			struct gm_state st = {g->state, 0, 0};
			VEC_PUSH(gm->states, st);
		}
		gm->states.v[i].count = mt_sat_add(gm->states.v[i].count, g->count);
		gm->states.v[i].groups++;
	}
	qsort(gm->states.v, gm->states.n, sizeof *gm->states.v, cmp_state);
	for (size_t k = 0; k < gm->groups.n; k++) {
		struct gm_group *g = &gm->groups.v[k];
		g->top = 0;
		while (g->top < g->nf &&
		       strncmp(gm->frames.v[g->f0 + g->top].func, "runtime.", 8) == 0)
			g->top++;
		if (g->top == g->nf)
			g->top = 0;
	}
	load_series(gm, md);
	apply_filters(gm, md);
	return gm;
}
