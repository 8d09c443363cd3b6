/* gseries.c - goroutine groups across stored snapshots, their fits and the
 * lifetimes of one dump's goroutines (gseries.h). */
#include "report/gseries.h"

#include <stdlib.h>
#include <string.h>

#include "base/u64map.h"
#include "base/util.h"
#include "read/goroutines.h"

bool gs_is_goroutine_kind(const char *kind)
{
	return strcmp(kind, "goroutine") == 0 || strcmp(kind, "goroutine-dump") == 0;
}

/* A group as the store has it: a stack id, and the labels that split it. */
struct rg {
	int64_t stack;
	mt_str state, creator; /* in gs->strs */
	bool elided;
	uint32_t set; /* its group in gs->set once the stacks are decoded */
};

/* One goroutine of one snapshot. */
struct ent {
	uint64_t id;
	uint32_t rg;
	int32_t wait;
};

struct scan {
	struct gs_series *gs;
	size_t snap, nsnap;
	/* the snapshot's label keys (UINT32_MAX: absent) and strings */
	uint32_t k_id, k_state, k_creator, k_wait, k_elided;
	const char *const *strs;
	mt_str *smap; /* snapshot string -> gs->strs, MT_NONE until used */
	size_t nstrs;
	VEC(struct rg) rgs;
	VEC(uint64_t) rh;
	uint32_t *slots; /* rg + 1 */
	size_t nslots;
	VEC(int64_t) vals; /* rgs x nsnap */
	VEC(struct ent) ents;
	size_t *ent0; /* per snapshot: its first entry; ent0[nsnap] the end */
};

static void scan_strings(void *ctx, const char *const *strs, size_t n)
{
	struct scan *sc = ctx;
	sc->strs = strs;
	sc->nstrs = n;
	free(sc->smap);
	sc->smap = xmalloc((n + 1) * sizeof *sc->smap);
	memset(sc->smap, 0xff, (n + 1) * sizeof *sc->smap);
	sc->k_id = sc->k_state = sc->k_creator = sc->k_wait = sc->k_elided = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		const char *s = strs[i];
		if (strcmp(s, GOR_L_ID) == 0)
			sc->k_id = (uint32_t)i;
		else if (strcmp(s, GOR_L_STATE) == 0)
			sc->k_state = (uint32_t)i;
		else if (strcmp(s, GOR_L_CREATED_BY) == 0)
			sc->k_creator = (uint32_t)i;
		else if (strcmp(s, GOR_L_WAIT) == 0)
			sc->k_wait = (uint32_t)i;
		else if (strcmp(s, GOR_L_ELIDED) == 0)
			sc->k_elided = (uint32_t)i;
	}
}

static mt_str map_str(struct scan *sc, uint32_t i)
{
	if (sc->smap[i] == MT_NONE)
		sc->smap[i] =
		    strtab_intern(&sc->gs->strs, sc->strs[i], strlen(sc->strs[i]));
	return sc->smap[i];
}

static uint64_t rg_hash(const struct rg *r)
{
	return mt_hash_u64(
	    mt_hash_u64((uint64_t)r->stack) ^
	    ((uint64_t)r->state << 33 | (uint64_t)r->creator << 1 | r->elided));
}

/* The raw group of r, added when new. */
static uint32_t rg_index(struct scan *sc, const struct rg *r)
{
	uint64_t h = rg_hash(r);
	if ((sc->rgs.n + 1) * 2 > sc->nslots) {
		free(sc->slots);
		sc->nslots = sc->nslots ? sc->nslots * 2 : 256;
		sc->slots = xcalloc(sc->nslots, sizeof *sc->slots);
		for (size_t g = 0; g < sc->rgs.n; g++) {
			size_t t = sc->rh.v[g] & (sc->nslots - 1);
			while (sc->slots[t])
				t = (t + 1) & (sc->nslots - 1);
			sc->slots[t] = (uint32_t)g + 1;
		}
	}
	size_t t = h & (sc->nslots - 1);
	for (; sc->slots[t]; t = (t + 1) & (sc->nslots - 1)) {
		const struct rg *o = &sc->rgs.v[sc->slots[t] - 1];
		if (sc->rh.v[sc->slots[t] - 1] == h && o->stack == r->stack &&
		    o->state == r->state && o->creator == r->creator &&
		    o->elided == r->elided)
			return sc->slots[t] - 1;
	}
	VEC_PUSH(sc->rgs, *r);
	VEC_PUSH(sc->rh, h);
	sc->slots[t] = (uint32_t)sc->rgs.n;
	VEC_RESERVE(sc->vals, sc->vals.n + sc->nsnap);
	memset(sc->vals.v + sc->vals.n, 0, sc->nsnap * sizeof *sc->vals.v);
	sc->vals.n += sc->nsnap;
	return (uint32_t)sc->rgs.n - 1;
}

static void scan_sample(void *ctx, int64_t stack, int64_t value,
			const struct store_label *l, size_t nl)
{
	struct scan *sc = ctx;
	struct rg r = {.stack = stack};
	bool has_id = false;
	uint64_t id = 0;
	int64_t wait = 0;
	for (size_t i = 0; i < nl; i++) {
		uint32_t k = l[i].key;
		if (l[i].is_num) {
			if (k == sc->k_id)
				id = (uint64_t)l[i].num, has_id = true;
			else if (k == sc->k_wait)
				wait = l[i].num;
			else if (k == sc->k_elided)
				r.elided = true;
		} else if (k == sc->k_state) {
			r.state = map_str(sc, l[i].str);
		} else if (k == sc->k_creator) {
			r.creator = map_str(sc, l[i].str);
		}
	}
	uint32_t g = rg_index(sc, &r);
	sc->vals.v[(size_t)g * sc->nsnap + sc->snap] += value;
	if (has_id) {
		struct ent en = {id, g, wait > INT32_MAX ? INT32_MAX : (int32_t)wait};
		VEC_PUSH(sc->ents, en);
	}
}

/* Growth order: leaks first, then the steepest slope, then the largest. */
static int cmp_fit(const struct trend_fit *x, const struct trend_fit *y)
{
	if (x->leak != y->leak)
		return x->leak ? -1 : 1;
	if (x->slope_per_hour != y->slope_per_hour)
		return x->slope_per_hour > y->slope_per_hour ? -1 : 1;
	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return 0;
}

static int cmp_order(const void *a, const void *b, void *ctx)
{
	const struct gs_series *gs = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = cmp_fit(&gs->fit[x], &gs->fit[y]);
	return c ? c : (x < y ? -1 : x > y);
}

static int cmp_creator(const void *a, const void *b)
{
	const struct gs_creator *x = a, *y = b;
	int c = cmp_fit(&x->fit, &y->fit);
	return c ? c : strcmp(x->name, y->name);
}

/* The snapshots of se in the window of o, by capture time. */
static size_t window(const struct store_series *se, const struct gs_opts *o,
		     size_t *from)
{
	size_t n = se->n;
	if (o->cur_id > 0)
		for (size_t i = 0; i < se->n; i++)
			if (se->snaps[i]->id == o->cur_id)
				n = i + 1;
	size_t f = 0;
	if (o->since_ns > 0 && n)
		while (f < n &&
		       se->snaps[f]->time < se->snaps[n - 1]->time - o->since_ns)
			f++;
	if (o->max_snaps && n - f > o->max_snaps)
		f = n - o->max_snaps;
	*from = f;
	return n - f;
}

/* Run of one followed goroutine through the snapshots. */
struct run {
	int32_t first, last, wait;
	uint64_t key;
};

/* Lifetimes: for each goroutine of cur (ids, keys, waits), the first
 * snapshot of its unbroken run ending just before cur_index. */
static void lifetimes(struct gs_series *gs, struct scan *sc, const uint64_t *cid,
		      const uint64_t *ckey, const int32_t *cwait, size_t ncur)
{
	struct mt_u64map at = {0}; /* id + 1 -> cur index + 1 */
	bool added;
	for (size_t j = 0; j < ncur; j++) {
		uint32_t *v = mt_u64map_put(&at, cid[j] + 1, &added);
		*v = (uint32_t)j + 1; /* a repeated id: the last one wins */
	}
	struct run *r = xmalloc((ncur + 1) * sizeof *r);
	for (size_t j = 0; j < ncur; j++)
		r[j] = (struct run){.first = -2, .last = -2};
	for (size_t i = 0; i < gs->cur_index && i < gs->nsnap; i++) {
		for (size_t k = sc->ent0[i]; k < sc->ent0[i + 1]; k++) {
			const struct ent *en = &sc->ents.v[k];
			uint32_t *v = mt_u64map_get(&at, en->id + 1);
			if (!v)
				continue;
			struct run *x = &r[*v - 1];
			uint64_t key = gs->set.groups.v[sc->rgs.v[en->rg].set].key;
			if (x->last == (int32_t)i - 1 && x->key == key &&
			    en->wait >= x->wait)
				x->last = (int32_t)i;
			else
				x->first = x->last = (int32_t)i;
			x->key = key;
			x->wait = en->wait;
		}
	}
	gs->ncur = ncur;
	gs->first = xmalloc((ncur + 1) * sizeof *gs->first);
	for (size_t j = 0; j < ncur; j++) {
		const struct run *x = &r[j];
		bool cont = x->last == (int32_t)gs->cur_index - 1 &&
			    x->key == ckey[j] && cwait[j] >= x->wait;
		gs->first[j] = cont ? x->first : (int32_t)gs->cur_index;
	}
	free(r);
	mt_u64map_done(&at);
}

enum mt_status gs_build(struct gs_series *gs, struct store *s,
			const struct store_series *se, const struct gs_opts *o,
			struct mt_err *e)
{
	memset(gs, 0, sizeof *gs);
	strtab_init(&gs->strs);
	gg_init(&gs->set);
	size_t from, m = window(se, o, &from);
	if (!m) {
		gs_done(gs);
		return mt_errf(e, MT_ERR_NOTFOUND,
			       "no stored goroutine snapshots in that window");
	}
	gs->source = xstrdup(se->key);
	gs->kind = xstrdup(se->kind);
	gs->nsnap = m;
	gs->ids = xmalloc(m * sizeof *gs->ids);
	gs->times = xmalloc(m * sizeof *gs->times);
	gs->totals = xcalloc(m, sizeof *gs->totals);
	struct scan sc = {.gs = gs, .nsnap = m};
	sc.ent0 = xcalloc(m + 1, sizeof *sc.ent0);
	struct store_scan fn = {
	    .ctx = &sc, .strings = scan_strings, .sample = scan_sample};
	enum mt_status st = MT_OK;
	bool stored = o->cur_id > 0 && se->snaps[from + m - 1]->id == o->cur_id;
	/* cur's own goroutines come from cur when only lifetimes are asked. */
	size_t nscan = o->lifetimes_only && o->cur && stored ? m - 1 : m;
	for (size_t i = 0; i < m && !st; i++) {
		const struct store_entry *en = se->snaps[from + i];
		gs->ids[i] = en->id;
		gs->times[i] = en->time;
		sc.snap = i;
		sc.ent0[i] = sc.ents.n;
		if (i < nscan)
			st = store_scan_samples(s, en->id, 0, &fn, e);
	}
	sc.ent0[m] = sc.ents.n;
	int64_t *sids = NULL;
	if (st)
		goto out;
	gs->has_ids = sc.ents.n > 0 || (nscan < m && o->cur->has_ids);

	/* The distinct stacks, decoded once. */
	struct mt_u64map sk = {0};
	VEC(int64_t) stacks = {0};
	bool added;
	for (size_t g = 0; g < sc.rgs.n; g++) {
		uint32_t *v =
		    mt_u64map_put(&sk, (uint64_t)sc.rgs.v[g].stack + 1, &added);
		if (added) {
			*v = (uint32_t)stacks.n;
			VEC_PUSH(stacks, sc.rgs.v[g].stack);
		}
	}
	sids = stacks.v;
	st = store_load_stacks(s, stacks.v, stacks.n, &gs->stacks, e);
	if (st) {
		mt_u64map_done(&sk);
		goto out;
	}
	/* Raw groups into groups by key (two stacks of the same frames are
	 * one group). Strings are taken once every one is interned. */
	struct mt_u64map bykey = {0};
	for (size_t g = 0; g < sc.rgs.n; g++) {
		struct rg *r = &sc.rgs.v[g];
		struct gg_group g0 = {.state = strtab_get(&gs->strs, r->state),
				      .creator = strtab_get(&gs->strs, r->creator),
				      .creator_file = "",
				      .elided = r->elided,
				      .first = g};
		size_t f0 = gs->set.frames.n;
		gg_add_group(&gs->set, gs->stacks,
			     *mt_u64map_get(&sk, (uint64_t)r->stack + 1), g0);
		struct gg_group *added_g = &gs->set.groups.v[gs->set.groups.n - 1];
		added_g->key = gg_key(&gs->set, added_g);
		uint32_t *v = mt_u64map_put(&bykey, added_g->key | 1, &added);
		if (added) {
			*v = (uint32_t)gs->set.groups.n - 1;
		} else {
			gs->set.groups.n--;
			gs->set.frames.n = f0;
		}
		r->set = *v;
	}
	mt_u64map_done(&sk);
	size_t ng = gs->set.groups.n;
	/* Counts per group, then the groups sorted (gg_finish) and the rows
	 * moved along by key. */
	int64_t *counts = xcalloc(ng * m + 1, sizeof *counts);
	for (size_t g = 0; g < sc.rgs.n; g++)
		for (size_t i = 0; i < m; i++)
			counts[(size_t)sc.rgs.v[g].set * m + i] += sc.vals.v[g * m + i];
	for (size_t g = 0; g < ng; g++) {
		gs->set.groups.v[g].count = counts[g * m + m - 1];
		for (size_t i = 0; i < m; i++)
			gs->totals[i] += counts[g * m + i];
	}
	gg_finish(&gs->set);
	gs->counts = xcalloc(ng * m + 1, sizeof *gs->counts);
	uint32_t *newpos = xmalloc((ng + 1) * sizeof *newpos);
	for (size_t g = 0; g < ng; g++) {
		uint32_t *v = mt_u64map_get(&bykey, gs->set.groups.v[g].key | 1);
		newpos[*v] = (uint32_t)g;
	}
	for (size_t g = 0; g < ng; g++)
		memcpy(gs->counts + (size_t)newpos[g] * m, counts + g * m,
		       m * sizeof *counts);
	for (size_t g = 0; g < sc.rgs.n; g++)
		sc.rgs.v[g].set = newpos[sc.rgs.v[g].set];
	free(newpos);
	free(counts);
	mt_u64map_done(&bykey);

	if (o->lifetimes_only)
		goto lives;
	/* Fits, and the growth order. */
	gs->fit = xcalloc(ng + 1, sizeof *gs->fit);
	gs->order = xmalloc((ng + 1) * sizeof *gs->order);
	for (size_t g = 0; g < ng; g++) {
		trend_fit(gs->times, gs->counts + g * m, m, &gs->fit[g]);
		/* Goroutines without a frame (a profile may catch one being
		 * created) name no code: nothing to call a leak. */
		if (!gs->set.groups.v[g].nf)
			gs->fit[g].leak = false;
		gs->order[g] = (uint32_t)g;
	}
	if (ng > 1)
		qsort_r(gs->order, ng, sizeof *gs->order, cmp_order, gs);

	/* Creators: the groups' counts summed per creator function. */
	VEC(struct gs_creator) cr = {0};
	for (size_t g = 0; g < ng; g++) {
		const char *c = gs->set.groups.v[g].creator;
		if (!*c)
			continue;
		size_t k = 0;
		while (k < cr.n && strcmp(cr.v[k].name, c) != 0)
			k++;
		if (k == cr.n) {
			struct gs_creator x = {.name = c,
					       .counts = xcalloc(m, sizeof(int64_t))};
			VEC_PUSH(cr, x);
		}
		cr.v[k].groups++;
		for (size_t i = 0; i < m; i++)
			cr.v[k].counts[i] += gs->counts[g * m + i];
	}
	for (size_t k = 0; k < cr.n; k++)
		trend_fit(gs->times, cr.v[k].counts, m, &cr.v[k].fit);
	if (cr.n > 1)
		qsort(cr.v, cr.n, sizeof *cr.v, cmp_creator);
	gs->creators = cr.v;
	gs->ncreators = cr.n;

lives:
	/* Lifetimes. */
	if (gs->has_ids && o->cur) {
		const struct gg_set *c = o->cur;
		size_t nc = c->members.n;
		uint64_t *cid = xmalloc((nc + 1) * sizeof *cid),
			 *ckey = xmalloc((nc + 1) * 8);
		int32_t *cw = xmalloc((nc + 1) * sizeof *cw);
		for (size_t g = 0; g < c->groups.n; g++) {
			const struct gg_group *gr = &c->groups.v[g];
			for (uint32_t i = 0; i < gr->nm; i++) {
				const struct gg_member *mb = &c->members.v[gr->m0 + i];
				cid[gr->m0 + i] = mb->id;
				ckey[gr->m0 + i] = gr->key;
				cw[gr->m0 + i] = mb->wait > INT32_MAX
						     ? INT32_MAX
						     : (int32_t)mb->wait;
			}
		}
		gs->cur_index = stored ? m - 1 : m;
		lifetimes(gs, &sc, cid, ckey, cw, nc);
		free(cid);
		free(ckey);
		free(cw);
	} else if (gs->has_ids) {
		/* The newest snapshot's goroutines. */
		size_t a = sc.ent0[m - 1], nc = sc.ent0[m] - a;
		uint64_t *cid = xmalloc((nc + 1) * sizeof *cid),
			 *ckey = xmalloc((nc + 1) * 8);
		int32_t *cw = xmalloc((nc + 1) * sizeof *cw);
		gs->cur_group = xmalloc((nc + 1) * sizeof *gs->cur_group);
		for (size_t j = 0; j < nc; j++) {
			const struct ent *en = &sc.ents.v[a + j];
			cid[j] = en->id;
			gs->cur_group[j] = sc.rgs.v[en->rg].set;
			ckey[j] = gs->set.groups.v[gs->cur_group[j]].key;
			cw[j] = en->wait;
		}
		gs->cur_index = m - 1;
		lifetimes(gs, &sc, cid, ckey, cw, nc);
		gs->oldest = xmalloc((ng + 1) * sizeof *gs->oldest);
		gs->since_start = xcalloc(ng + 1, sizeof *gs->since_start);
		for (size_t g = 0; g < ng; g++)
			gs->oldest[g] = -1;
		for (size_t j = 0; j < nc; j++) {
			uint32_t g = gs->cur_group[j];
			if (gs->oldest[g] < 0 || gs->first[j] < gs->oldest[g])
				gs->oldest[g] = gs->first[j];
			gs->since_start[g] += gs->first[j] == 0;
		}
		free(cid);
		free(ckey);
		free(cw);
	}
out:
	free(sids);
	free(sc.smap);
	free(sc.rgs.v);
	free(sc.rh.v);
	free(sc.slots);
	free(sc.vals.v);
	free(sc.ents.v);
	free(sc.ent0);
	if (st)
		gs_done(gs);
	return st;
}

void gs_done(struct gs_series *gs)
{
	free(gs->source);
	free(gs->kind);
	free(gs->ids);
	free(gs->times);
	free(gs->totals);
	gg_done(&gs->set);
	if (gs->stacks)
		profile_free(gs->stacks);
	strtab_done(&gs->strs);
	free(gs->counts);
	free(gs->fit);
	free(gs->order);
	for (size_t k = 0; k < gs->ncreators; k++)
		free(gs->creators[k].counts);
	free(gs->creators);
	free(gs->first);
	free(gs->cur_group);
	free(gs->oldest);
	free(gs->since_start);
	memset(gs, 0, sizeof *gs);
}
