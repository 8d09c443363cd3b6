/* model.c - a viewer session's profile: the query engine's prepared
 * profile, the filter stack and the report under it, and what the other
 * screens build once from it. */
#include "query/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "base/units.h"
#include "profile/merge.h"
#include "query/diffmodel.h"
#include "query/gmodel.h"
#include "store/store.h"

/* The filter stack as the engine takes it. */
static struct mt_filter *stack_of(const struct model *md)
{
	struct mt_filter *f = xmalloc((md->filters.n + 1) * sizeof *f);
	for (size_t i = 0; i < md->filters.n; i++)
		f[i] = (struct mt_filter){md->filters.v[i].kind, md->filters.v[i].pattern};
	return f;
}

enum mt_status model_report(const struct model *md, const struct profile *p, int idx,
			    enum mt_granularity gran, struct mt_report *r,
			    struct mt_err *e)
{
	struct mt_filter *f = stack_of(md);
	enum mt_status st = mt_report_build(r, p, idx, gran, md->q->mean, f, md->filters.n, e);
	free(f);
	return st;
}

/* Drops everything model_build and model_warm made. */
static void model_unbuild(struct model *md)
{
	if (md->bu_ok)
		calltree_done(&md->bu);
	if (md->graph_ok)
		mt_graph_done(&md->graph);
	if (md->warm) {
		calltree_done(&md->td);
		ct_frames_done(&md->frames);
		for (size_t i = 0; i < md->p->sample_types.n; i++)
			mt_top_done(&md->tops[i]);
		free(md->tops);
		md->tops = NULL;
	}
	md->warm = md->bu_ok = md->graph_ok = false;
	mt_report_done(&md->rep);
}

/* The rows as the options trim them (-n, --nodefraction, --cum), as
 * `memtop top` trims its own. */
/* The rows' "(inline)" marks, as memtop top's (mt_report_inline_labels):
 * from the graph of every node when nothing was trimmed. */
static void mark_inline(struct model *md)
{
	md->marks_serial++;
	if (md->rep.trimmed) {
		mt_report_inline_labels(&md->rep);
		return;
	}
	if (!md->graph_ok) {
		mt_graph_build(&md->graph, &md->rep.nodes);
		md->graph_ok = true;
	}
	mt_top_inline_labels_graph(&md->rep.top, md->rep.nodes.n, &md->graph, md->rep.index,
				   mt_report_edge_cutoff(&md->rep, 0.001));
}

static void model_trim(struct model *md)
{
	mt_report_trim(&md->rep, md->q->nodefraction, md->q->nodecount, md->q->cum);
	md->total = md->rep.total; /* pprof's, with --mean the mean's */
	/* The inline marks need the call graph: on the first load, built
	 * after the first screen (model_warm); then kept for every type. */
	if (!md->marks_later)
		mark_inline(md);
}

/* Builds the report under the current filters. */
static bool model_build(struct model *md, struct mt_err *e)
{
	if (model_report(md, md->p, md->idx, md->gran, &md->rep, e))
		return false;
	model_trim(md);
	md->generation++;
	return true;
}

static void model_set_unit(struct model *md)
{
	md->unit = profile_str(md->p, md->p->sample_types.v[md->idx].unit);
	md->total = mt_profile_total(md->p, md->idx);
}

static void base_name_of(const char *path, const char **name)
{
	const char *b = strrchr(path, '/');
	*name = b && b[1] ? b + 1 : path;
}

/* A URL's name on the status bar: its host:port and the profile's name
 * ("127.0.0.1:6060 heap"), so that two replicas side by side differ. */
static void url_name_of(const char *url, char *buf, size_t n)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	size_t hl = strcspn(h, "/?#");
	const char *path = h + hl, *end = path + strcspn(path, "?#");
	const char *last = end;
	while (last > path && last[-1] == '/')
		last--;
	const char *seg = last;
	while (seg > path && seg[-1] != '/')
		seg--;
	if (seg < last && strncmp(path, "/debug/pprof/", 13) == 0)
		snprintf(buf, n, "%.*s %.*s", (int)hl, h, (int)(last - seg), seg);
	else
		snprintf(buf, n, "%.*s", (int)(end - h), h);
}

static void name_of(const char *ref, char *buf, size_t n, const char **name)
{
	if (query_is_url(ref)) {
		url_name_of(ref, buf, n);
		*name = buf;
	} else {
		base_name_of(ref, name);
	}
}

/* Pushes a filter without rebuilding. */
static void filter_add(struct model *md, enum mt_filter_kind kind, const char *pattern,
		       const char *label, const char *state)
{
	struct model_filter f = {kind, xstrdup(pattern), xstrdup(label),
				 state ? xstrdup(state) : NULL};
	VEC_PUSH(md->filters, f);
}

static void filter_free(struct model_filter *f)
{
	free(f->pattern);
	free(f->label);
	free(f->state);
}

bool model_load(struct model *md, const char *ref, const struct mt_query_opts *q,
		struct mt_err *e)
{
	memset(md, 0, sizeof *md);
	md->path = ref;
	md->q = q;
	md->lim = &q->lim;
	name_of(ref, md->url_name, sizeof md->url_name, &md->name);
	md->gran = q->gran;
	int64_t id = 0;
	if (query_load(ref, q, &md->p, &id, &md->warnings, e)) {
		model_done(md);
		return false;
	}
	/* @ID, or the snapshot a URL was stored as. */
	md->snap_id = id;
	/* The options' filters are the bottom of the stack: shown on the
	 * status bar, popped with Esc like the ones pushed later. */
	for (int k = 0; k < MT_FILTER_COUNT; k++) {
		const char *pat = q->filter[k];
		if (!pat || !*pat)
			continue;
		filter_add(md, (enum mt_filter_kind)k, pat, pat, NULL);
	}
	md->marks_later = true;
	bool built = !profile_sample_index(md->p, q->sample_index, &md->idx, e) &&
		     (model_set_unit(md), model_build(md, e));
	md->marks_later = false;
	if (!built) {
		model_done(md);
		return false;
	}
	md->kind = profile_kind(md->p);
	model_load_companion(md);
	return true;
}

/* Whether b has the sample types of p (a diff needs the same ones). */
static bool same_types(const struct profile *b, const struct profile *p)
{
	bool same = b->sample_types.n == p->sample_types.n;
	for (size_t i = 0; same && i < p->sample_types.n; i++)
		same = strcmp(profile_str(b, b->sample_types.v[i].type),
			      profile_str(p, p->sample_types.v[i].type)) == 0;
	return same;
}

bool model_load_base(struct model *md, const char *ref, struct mt_err *e)
{
	struct profile *b = NULL;
	int64_t id = 0;
	if (query_read(ref, md->q, &b, &id, &md->warnings, e))
		return false;
	if (!same_types(b, md->p)) {
		mt_errf(e, MT_ERR_FORMAT, "has other sample types than %s", md->name);
		profile_free(b);
		return false;
	}
	md->base = b;
	md->base_id = id;
	name_of(ref, md->base_url_name, sizeof md->base_url_name, &md->base_name);
	return true;
}

void model_done(struct model *md)
{
	diffmodel_free(md->diff);
	gmodel_free(md->gor);
	if (md->p)
		model_unbuild(md);
	profile_free(md->p);
	profile_free(md->base);
	profile_free(md->gor_p);
	for (size_t i = 0; i < md->filters.n; i++)
		filter_free(&md->filters.v[i]);
	free(md->filters.v);
	mt_warnings_done(&md->warnings);
	memset(md, 0, sizeof *md);
}

/* Copies the prepared rows of the current sample type into the report. */
static void rows_select(struct model *md)
{
	const struct mt_top *src = &md->tops[md->idx];
	struct mt_top *t = &md->rep.top;
	t->rows = xrealloc(t->rows, (src->n + 1) * sizeof *t->rows);
	memcpy(t->rows, src->rows, src->n * sizeof *src->rows);
	t->n = src->n;
	t->total = src->total;
	t->flat_sum = src->flat_sum;
	md->rep.index = md->idx;
	md->rep.total = src->total;
	/* pprof's edge cutoff is of this type's flat total. */
	md->rep.flat_total = 0;
	for (size_t i = 0; i < t->n; i++)
		md->rep.flat_total = mt_sat_add(md->rep.flat_total, t->rows[i].raw_flat);
	model_trim(md);
}

void model_warm(struct model *md, int cols)
{
	if (md->warm)
		return;
	size_t nst = md->p->sample_types.n;
	/* The frames of every sample, collected once: the trees' and the
	 * rows' of every sample type (one walk: 's' switches at once). */
	ct_frames_init(&md->frames, &md->rep.nodes);
	md->tops = xcalloc(nst, sizeof *md->tops);
	mt_top_build_types_frames(md->tops, &md->rep.nodes, 0, (int)nst, md->q->mean ? 0 : -1,
				  md->frames.fr, md->frames.off);
	for (size_t i = 0; i < nst; i++)
		mt_top_sort(&md->tops[i], &md->rep.nodes, MT_SORT_FLAT);
	calltree_init(&md->td, &md->frames, false, md->idx);
	/* What a full-width flame graph shows: frames of a cell or more. */
	int64_t min = md->total / (cols > 0 ? cols : 120);
	calltree_expand_min(&md->td, CT_ROOT, md->idx, min > 0 ? min : 1, 512);
	md->warm = true;
	mark_inline(md);
	/* The callers tree's first level costs a pass over all samples:
	 * pay it here rather than on the key that asks for it. */
	model_tree(md, true);
}

struct calltree *model_tree(struct model *md, bool bottom_up)
{
	model_warm(md, 120);
	if (!bottom_up)
		return &md->td;
	if (!md->bu_ok) {
		calltree_init(&md->bu, &md->frames, true, md->idx);
		calltree_expand(&md->bu, CT_ROOT);
		md->bu_ok = true;
	}
	return &md->bu;
}

const struct mt_graph *model_graph(struct model *md)
{
	model_warm(md, 120);
	if (!md->graph_ok) {
		mt_graph_build(&md->graph, &md->rep.nodes);
		md->graph_ok = true;
	}
	return &md->graph;
}

void model_set_index(struct model *md, int idx)
{
	if (idx < 0 || (size_t)idx >= md->p->sample_types.n || idx == md->idx)
		return;
	md->idx = idx;
	model_set_unit(md);
	if (md->warm) {
		rows_select(md);
		calltree_sort(&md->td, idx);
		if (md->bu_ok)
			calltree_sort(&md->bu, idx);
	} else {
		mt_report_set_index(&md->rep, idx);
		model_trim(md);
	}
}

/* Rebuilds the report (and what was warm) under the current filters. */
static bool model_refilter(struct model *md, struct mt_err *e)
{
	/* A pattern that does not compile changes nothing. */
	struct mt_report probe;
	if (model_report(md, md->p, md->idx, md->gran, &probe, e))
		return false;
	bool warm = md->warm;
	model_unbuild(md);
	md->rep = probe;
	model_trim(md);
	md->generation++;
	if (warm)
		model_warm(md, 120);
	return true;
}

/* Replaces the profiles by np (and nb, NULL: none), both consumed: keeps
 * the filters and, where np has it, the sample type by name. False (the
 * model unchanged, np and nb freed) when np has none of them. */
static bool replace_profiles(struct model *md, struct profile *np, struct profile *nb,
			     struct mt_err *e)
{
	/* The sample type by name: heap snapshots keep showing inuse_space. */
	int idx = -1;
	const char *want = profile_str(md->p, md->p->sample_types.v[md->idx].type);
	for (size_t i = 0; i < np->sample_types.n; i++)
		if (strcmp(profile_str(np, np->sample_types.v[i].type), want) == 0)
			idx = (int)i;
	if (idx < 0 && profile_sample_index(np, NULL, &idx, e)) {
		profile_free(np);
		profile_free(nb);
		return false;
	}
	/* Everything derived from the old profiles goes: the views reopen on
	 * the new generation. */
	diffmodel_free(md->diff);
	gmodel_free(md->gor);
	md->diff = NULL;
	md->gor = NULL;
	model_unbuild(md);
	profile_free(md->p);
	profile_free(md->base);
	md->p = np;
	md->base = nb;
	md->idx = idx;
	md->kind = profile_kind(np);
	model_set_unit(md);
	if (model_build(md, e))
		return true;
	/* A filter that no longer compiles cannot happen (it did before);
	 * without filters the model is whole again. */
	for (size_t i = 0; i < md->filters.n; i++)
		filter_free(&md->filters.v[i]);
	md->filters.n = 0;
	struct mt_err ignored;
	model_build(md, &ignored);
	return true;
}

bool model_load_snapshots(struct model *md, int64_t id, int64_t base_id,
			  struct mt_err *e)
{
	struct profile *np = NULL, *nb = NULL;
	char ref[32];
	snprintf(ref, sizeof ref, "@%lld", (long long)id);
	enum mt_status st = query_read(ref, md->q, &np, NULL, &md->warnings, e);
	if (st == MT_OK && base_id) {
		snprintf(ref, sizeof ref, "@%lld", (long long)base_id);
		st = query_read(ref, md->q, &nb, NULL, &md->warnings, e);
	}
	if (st == MT_OK && nb && !same_types(nb, np))
		st = mt_errf(e, MT_ERR_FORMAT, "@%lld has other sample types than @%lld",
			     (long long)base_id, (long long)id);
	if (st) {
		profile_free(np);
		profile_free(nb);
		return false;
	}
	if (!replace_profiles(md, np, nb, e))
		return false;
	md->snap_id = id;
	md->base_id = base_id;
	snprintf(md->snap_name, sizeof md->snap_name, "@%lld", (long long)id);
	snprintf(md->base_snap_name, sizeof md->base_snap_name, "@%lld", (long long)base_id);
	md->path = md->name = md->snap_name;
	md->base_name = nb ? md->base_snap_name : NULL;
	model_load_companion(md);
	return true;
}

bool model_replace_live(struct model *md, struct profile *np, struct profile *nb,
			int64_t id, const char *base_name, struct mt_err *e)
{
	if (nb && !same_types(nb, np)) {
		mt_errf(e, MT_ERR_FORMAT, "the service's profile changed its sample types");
		profile_free(np);
		profile_free(nb);
		return false;
	}
	if (!replace_profiles(md, np, nb, e))
		return false;
	md->snap_id = id;
	md->base_name = nb ? base_name : NULL;
	model_load_companion(md);
	return true;
}

void model_load_companion(struct model *md)
{
	profile_free(md->gor_p);
	md->gor_p = NULL;
	md->gor_id = 0;
	if (!md->snap_id || gmodel_is_goroutines(md->p))
		return;
	struct store *s = NULL;
	struct store_list l = {0};
	struct mt_err e;
	if (store_open(&s, md->q->db, false, &e))
		return;
	int64_t best = 0;
	if (!store_list(s, &l, &e)) {
		const struct store_entry *en = NULL;
		for (size_t i = 0; i < l.n && !en; i++)
			if (l.v[i].id == md->snap_id)
				en = &l.v[i];
		const char *at = en && en->source ? strstr(en->source, "/debug/pprof/") : NULL;
		size_t plen = at ? (size_t)(at - en->source) + strlen("/debug/pprof/") : 0;
		for (size_t i = 0; at && i < l.n; i++) {
			const struct store_entry *g = &l.v[i];
			int64_t dt = mt_sat_sub(g->time, en->time);
			if (g->kind && strcmp(g->kind, "goroutine-dump") == 0 && g->source &&
			    strncmp(g->source, en->source, plen) == 0 && dt <= 5000000000 &&
			    dt >= -5000000000 && g->id > best)
				best = g->id;
		}
		store_list_done(&l);
	}
	store_close(s);
	if (!best)
		return;
	char ref[32];
	snprintf(ref, sizeof ref, "@%lld", (long long)best);
	if (query_read(ref, md->q, &md->gor_p, NULL, NULL, &e) == MT_OK)
		md->gor_id = best;
}

bool model_push_filter(struct model *md, enum mt_filter_kind kind, const char *pattern,
		       const char *label, struct mt_err *e)
{
	filter_add(md, kind, pattern, label, NULL);
	if (model_refilter(md, e))
		return true;
	filter_free(&md->filters.v[--md->filters.n]);
	return false;
}

bool model_pop_filter(struct model *md)
{
	if (!md->filters.n)
		return false;
	filter_free(&md->filters.v[--md->filters.n]);
	struct mt_err e;
	model_refilter(md, &e);
	return true;
}

static void filter_copy(struct model_filter *to, const struct model_filter *from)
{
	to->kind = from->kind;
	to->pattern = xstrdup(from->pattern);
	to->label = xstrdup(from->label);
	to->state = from->state ? xstrdup(from->state) : NULL;
}

void model_filters_save(const struct model *md, struct model_filters *out)
{
	out->n = md->filters.n;
	out->v = xcalloc(out->n + 1, sizeof *out->v);
	for (size_t i = 0; i < out->n; i++)
		filter_copy(&out->v[i], &md->filters.v[i]);
}

/* Whether two filters are the same. */
static bool filter_same(const struct model_filter *a, const struct model_filter *b)
{
	return a->kind == b->kind && !strcmp(a->pattern, b->pattern) &&
	       !a->state == !b->state && (!a->state || !strcmp(a->state, b->state));
}

void model_filters_restore(struct model *md, const struct model_filters *saved)
{
	bool same = saved->n == md->filters.n;
	for (size_t i = 0; same && i < saved->n; i++)
		same = filter_same(&saved->v[i], &md->filters.v[i]);
	if (same)
		return;
	for (size_t i = 0; i < md->filters.n; i++)
		filter_free(&md->filters.v[i]);
	md->filters.n = 0;
	for (size_t i = 0; i < saved->n; i++) {
		struct model_filter f;
		filter_copy(&f, &saved->v[i]);
		VEC_PUSH(md->filters, f);
	}
	struct mt_err e;
	model_refilter(md, &e); /* they built before: they build again */
}

void model_filters_free(struct model_filters *f)
{
	for (size_t i = 0; i < f->n; i++)
		filter_free(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* Writes regex metacharacters of s escaped, anchored: "^(?:...)$". */
static char *exact_regex(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(2 * n + 16), *o = out;
	o += sprintf(o, "^(?:");
	for (size_t i = 0; i < n; i++) {
		if (strchr("\\^$.|?*+()[]{}", s[i]))
			*o++ = '\\';
		*o++ = s[i];
	}
	sprintf(o, ")$");
	return out;
}

const char *model_state_filter(const struct model *md)
{
	for (size_t i = md->filters.n; i-- > 0;)
		if (md->filters.v[i].state)
			return md->filters.v[i].state;
	return NULL;
}

/* Drops the state filters without rebuilding; whether there were any. */
static bool drop_state(struct model *md)
{
	size_t k = 0;
	bool any = false;
	for (size_t i = 0; i < md->filters.n; i++) {
		if (md->filters.v[i].state) {
			filter_free(&md->filters.v[i]);
			any = true;
			continue;
		}
		md->filters.v[k++] = md->filters.v[i];
	}
	md->filters.n = k;
	return any;
}

bool model_drop_state_filter(struct model *md)
{
	if (!drop_state(md))
		return false;
	struct mt_err e;
	model_refilter(md, &e);
	return true;
}

bool model_set_state_filter(struct model *md, const char *state, struct mt_err *e)
{
	drop_state(md);
	char *re = exact_regex(state);
	size_t n = strlen(re) + 8;
	char *pat = xmalloc(n), label[300];
	snprintf(pat, n, "state=%s", re);
	snprintf(label, sizeof label, "state=%s", state);
	filter_add(md, MT_FILTER_TAGFOCUS, pat, label, state);
	free(re);
	free(pat);
	if (model_refilter(md, e))
		return true;
	drop_state(md);
	struct mt_err ignored;
	model_refilter(md, &ignored);
	return false;
}

void model_fmt(const struct model *md, char *buf, size_t n, int64_t v)
{
	mt_scaled_label(buf, n, v, md->unit, md->q && md->q->unit ? md->q->unit : "auto");
}

void model_pct(const struct model *md, char *buf, size_t n, int64_t v)
{
	mt_percentage_short(buf, n, v, md->total);
}
