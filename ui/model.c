/* model.c - loading a profile and deriving what the views show. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/merge.h"
#include "read/reader.h"
#include "store/store.h"
#include "base/sat.h"
#include "base/units.h"
#include "diffmodel.h"
#include "gmodel.h"

/* Builds nodes and the top rows under the current filters. */
static bool model_build(struct model *md, struct mt_err *e)
{
	struct mt_filters f = {.focus = md->re[FILTER_FOCUS],
			       .ignore = md->re[FILTER_IGNORE],
			       .hide = md->re[FILTER_HIDE]};
	if (mt_nodes_init(&md->nodes, md->p, md->gran, &f, e))
		return false;
	mt_top_build(&md->top, &md->nodes, md->idx);
	md->top.total = md->total;
	mt_top_sort(&md->top, &md->nodes, MT_SORT_FLAT);
	md->generation++;
	return true;
}

/* Drops everything model_build and model_warm made. */
static void model_unbuild(struct model *md)
{
	if (md->bu_ok)
		calltree_done(&md->bu);
	if (md->warm) {
		calltree_done(&md->td);
		ct_frames_done(&md->frames);
		free(md->flat);
		free(md->cum);
		for (size_t i = 0; i < md->p->sample_types.n; i++)
			mt_top_done(&md->tops[i]);
		free(md->tops);
		md->tops = NULL;
	}
	md->warm = md->bu_ok = false;
	md->flat = md->cum = NULL;
	mt_top_done(&md->top);
	mt_nodes_done(&md->nodes);
}

static void model_set_unit(struct model *md)
{
	md->unit = profile_str(md->p, md->p->sample_types.v[md->idx].unit);
	md->total = mt_profile_total(md->p_all, md->idx);
}

/* "@N" -> N. */
static bool snapshot_id(const char *arg, int64_t *id)
{
	char *end;
	if (arg[0] != '@' || !arg[1])
		return false;
	long long v = strtoll(arg + 1, &end, 10);
	if (*end || v <= 0)
		return false;
	*id = v;
	return true;
}

bool model_read_profile(const char *path, const char *db, const struct mt_limits *lim,
			struct profile **out, int64_t *snap_id, struct mt_err *e)
{
	int64_t id = 0;
	*out = NULL;
	if (snap_id)
		*snap_id = 0;
	if (!snapshot_id(path, &id))
		return reader_load_file(path, lim, out, e) == MT_OK;
	struct store *s = NULL;
	if (store_open(&s, db, false, e))
		return false;
	enum mt_status st = store_load(s, id, out, e);
	store_close(s);
	if (st == MT_OK && snap_id)
		*snap_id = id;
	return st == MT_OK;
}

bool model_load(struct model *md, const char *path, const char *db,
		const char *sample_index, enum mt_granularity gran,
		const struct mt_limits *lim, struct mt_err *e)
{
	memset(md, 0, sizeof *md);
	md->path = path;
	md->db = db;
	md->lim = lim;
	const char *b = strrchr(path, '/');
	md->name = b && b[1] ? b + 1 : path;
	md->gran = gran;
	if (!model_read_profile(path, db, lim, &md->p_all, &md->snap_id, e))
		return false;
	md->p = md->p_all;
	if (md->p->sample_types.n == 0) {
		mt_errf(e, MT_ERR_FORMAT, "profile has no sample types");
		profile_free(md->p);
		md->p = md->p_all = NULL;
		return false;
	}
	if (profile_sample_index(md->p, sample_index, &md->idx, e) ||
	    !(model_set_unit(md), model_build(md, e))) {
		profile_free(md->p);
		md->p = md->p_all = NULL;
		return false;
	}
	md->kind = profile_kind(md->p);
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

bool model_load_base(struct model *md, const char *path, const struct mt_limits *lim,
		     struct mt_err *e)
{
	struct profile *b = NULL;
	int64_t id = 0;
	if (!model_read_profile(path, md->db, lim, &b, &id, e))
		return false;
	if (!same_types(b, md->p_all)) {
		mt_errf(e, MT_ERR_FORMAT, "has other sample types than %s", md->name);
		profile_free(b);
		return false;
	}
	md->base = b;
	md->base_id = id;
	const char *s = strrchr(path, '/');
	md->base_name = s && s[1] ? s + 1 : path;
	return true;
}

void model_done(struct model *md)
{
	if (!md->p)
		return;
	diffmodel_free(md->diff);
	gmodel_free(md->gor);
	model_unbuild(md);
	if (md->p != md->p_all)
		profile_free(md->p);
	profile_free(md->base);
	for (size_t i = 0; i < md->filters.n; i++) {
		free(md->filters.v[i].pattern);
		free(md->filters.v[i].label);
	}
	free(md->filters.v);
	for (int i = 0; i < 3; i++)
		mt_regex_free(md->re[i]);
	profile_free(md->p_all);
	memset(md, 0, sizeof *md);
}

/* The sorted top rows of sample type idx from the totals. */
static void rows_from_totals(struct model *md, int idx, struct mt_top *t)
{
	size_t nst = md->p->sample_types.n, k = 0;
	t->rows = xmalloc((md->nodes.n ? md->nodes.n : 1) * sizeof *t->rows);
	t->flat_sum = 0;
	for (size_t f = 0; f < md->nodes.n; f++) {
		int64_t fl = md->flat[f * nst + idx], cu = md->cum[f * nst + idx];
		if (!fl && !cu)
			continue;
		t->rows[k++] = (struct mt_top_row){.node = (uint32_t)f, .flat = fl, .cum = cu,
						    .raw_flat = fl, .raw_cum = cu};
		t->flat_sum = mt_sat_add(t->flat_sum, fl);
	}
	t->n = k;
	t->total = mt_profile_total(md->p_all, idx);
	mt_top_sort(t, &md->nodes, MT_SORT_FLAT);
}

/* Copies the prepared rows of the current sample type into md->top. */
static void rows_select(struct model *md)
{
	const struct mt_top *src = &md->tops[md->idx];
	md->top.rows = xrealloc(md->top.rows, (src->n + 1) * sizeof *md->top.rows);
	memcpy(md->top.rows, src->rows, src->n * sizeof *src->rows);
	md->top.n = src->n;
	md->top.total = src->total;
	md->top.flat_sum = src->flat_sum;
}

void model_warm(struct model *md, int cols)
{
	if (md->warm)
		return;
	size_t nst = md->p->sample_types.n;
	ct_frames_init(&md->frames, &md->nodes);
	md->flat = xmalloc((md->nodes.n ? md->nodes.n : 1) * nst * sizeof *md->flat);
	md->cum = xmalloc((md->nodes.n ? md->nodes.n : 1) * nst * sizeof *md->cum);
	ct_frames_totals(&md->frames, md->flat, md->cum);
	calltree_init(&md->td, &md->frames, false, md->idx);
	/* What a full-width flame graph shows: frames of a cell or more. */
	int64_t min = md->total / (cols > 0 ? cols : 120);
	calltree_expand_min(&md->td, CT_ROOT, md->idx, min > 0 ? min : 1, 512);
	md->tops = xcalloc(nst, sizeof *md->tops);
	for (size_t i = 0; i < nst; i++)
		rows_from_totals(md, (int)i, &md->tops[i]);
	md->warm = true;
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
		mt_top_done(&md->top);
		mt_top_build(&md->top, &md->nodes, idx);
		md->top.total = md->total;
		mt_top_sort(&md->top, &md->nodes, MT_SORT_FLAT);
	}
}

/* The newest focus filter, or -1. */
static ptrdiff_t last_focus(const struct model *md)
{
	for (size_t i = md->filters.n; i-- > 0;)
		if (md->filters.v[i].kind == FILTER_FOCUS)
			return (ptrdiff_t)i;
	return -1;
}

/* Whether sample s has the string label "key=value" given as kv. */
static bool has_label(const struct profile *p, size_t s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return false;
	size_t kl = (size_t)(eq - kv);
	const struct mt_sample *sm = &p->samples.v[s];
	for (uint32_t j = 0; j < sm->nlabel; j++) {
		const struct mt_label *l = &p->labels.v[sm->label0 + j];
		if (l->is_num)
			continue;
		const char *k = profile_str(p, l->key);
		if (strlen(k) == kl && memcmp(k, kv, kl) == 0 &&
		    strcmp(profile_str(p, l->str), eq + 1) == 0)
			return true;
	}
	return false;
}

struct profile *model_subset(struct model *md, const struct profile *src)
{
	ptrdiff_t lf = last_focus(md);
	bool any = false;
	for (size_t i = 0; i < md->filters.n; i++)
		any |= md->filters.v[i].kind == FILTER_LABEL ||
		       (md->filters.v[i].kind == FILTER_FOCUS && (ptrdiff_t)i != lf);
	if (!any)
		return NULL;
	/* A copy through pprof's merge of one profile: same numbers. */
	struct profile *srcs[1] = {(struct profile *)src}, *p = NULL;
	int scale[1] = {1};
	struct mt_err e;
	if (profile_merge(srcs, scale, NULL, 1, &p, &e))
		return NULL;
	size_t ns = p->samples.n, nst = p->sample_types.n;
	uint8_t *keep = xmalloc(ns ? ns : 1);
	memset(keep, 1, ns ? ns : 1);
	for (size_t i = 0; i < md->filters.n; i++) {
		const struct filter *f = &md->filters.v[i];
		if (f->kind == FILTER_LABEL) {
			for (size_t s = 0; s < ns; s++)
				keep[s] &= has_label(p, s, f->pattern);
			continue;
		}
		if (f->kind != FILTER_FOCUS || (ptrdiff_t)i == lf)
			continue;
		/* An older focus: pprof's focus on its own, per sample. */
		struct mt_regex *re = NULL;
		struct mt_nodes m;
		if (mt_regex_compile(&re, f->pattern, false, &e))
			continue;
		struct mt_filters flt = {.focus = re};
		if (mt_nodes_init(&m, p, md->gran, &flt, &e) == MT_OK) {
			struct mt_frame *buf =
				xmalloc((mt_nodes_max_frames(&m) + 1) * sizeof *buf);
			for (size_t s = 0; s < ns; s++)
				if (keep[s] && mt_nodes_frames(&m, s, buf) == 0)
					keep[s] = 0;
			free(buf);
			mt_nodes_done(&m);
		}
		mt_regex_free(re);
	}
	size_t k = 0;
	for (size_t s = 0; s < ns; s++) {
		if (!keep[s])
			continue;
		if (k != s) {
			p->samples.v[k] = p->samples.v[s];
			memmove(p->values.v + k * nst, p->values.v + s * nst,
				nst * sizeof *p->values.v);
		}
		k++;
	}
	p->samples.n = k;
	p->values.n = k * nst;
	free(keep);
	return p;
}

const char *model_label_filter(const struct model *md, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = md->filters.n; i-- > 0;) {
		const struct filter *f = &md->filters.v[i];
		if (f->kind == FILTER_LABEL && strncmp(f->pattern, key, kl) == 0 &&
		    f->pattern[kl] == '=')
			return f->pattern + kl + 1;
	}
	return NULL;
}

/* Compiles the filters of one kind into one regex: the newest focus (older
 * ones are sample filters, see model_subset, so focuses stack), every
 * ignore and hide. */
static bool compile_kind(struct model *md, enum filter_kind kind,
			 struct mt_regex **out, struct mt_err *e)
{
	VEC(char) pat = {0};
	*out = NULL;
	if (kind == FILTER_LABEL)
		return true;
	for (size_t i = 0; i < md->filters.n; i++) {
		const struct filter *f = &md->filters.v[i];
		if (f->kind != kind)
			continue;
		if (kind == FILTER_FOCUS)
			pat.n = 0;
		size_t l = strlen(f->pattern);
		VEC_RESERVE(pat, pat.n + l + 8);
		pat.n += (size_t)sprintf(pat.v + pat.n, "%s(?:%s)", pat.n ? "|" : "",
					 f->pattern);
	}
	if (!pat.n)
		return true;
	bool ok = mt_regex_compile(out, pat.v, false, e) == MT_OK;
	free(pat.v);
	return ok;
}

/* Recompiles the filter regexes and rebuilds the model. */
static bool model_refilter(struct model *md, struct mt_err *e)
{
	struct mt_regex *re[3] = {0};
	for (int k = 0; k < 3; k++) {
		if (!compile_kind(md, (enum filter_kind)k, &re[k], e)) {
			for (int j = 0; j < k; j++)
				mt_regex_free(re[j]);
			return false;
		}
	}
	bool warm = md->warm;
	model_unbuild(md);
	for (int k = 0; k < 3; k++) {
		mt_regex_free(md->re[k]);
		md->re[k] = re[k];
	}
	if (md->p != md->p_all)
		profile_free(md->p);
	md->p = model_subset(md, md->p_all);
	if (!md->p)
		md->p = md->p_all;
	if (!model_build(md, e))
		return false;
	if (warm)
		model_warm(md, 120);
	return true;
}

bool model_load_snapshots(struct model *md, int64_t id, int64_t base_id,
			  struct mt_err *e)
{
	struct profile *np = NULL, *nb = NULL;
	struct store *s = NULL;
	if (store_open(&s, md->db, false, e))
		return false;
	enum mt_status st = store_load(s, id, &np, e);
	if (st == MT_OK && base_id)
		st = store_load(s, base_id, &nb, e);
	store_close(s);
	if (st == MT_OK && np->sample_types.n == 0)
		st = mt_errf(e, MT_ERR_FORMAT, "snapshot @%lld has no sample types",
			     (long long)id);
	if (st == MT_OK && nb && !same_types(nb, np))
		st = mt_errf(e, MT_ERR_FORMAT, "@%lld has other sample types than @%lld",
			     (long long)base_id, (long long)id);
	/* The sample type by name: heap snapshots keep showing inuse_space. */
	int idx = -1;
	const char *want = profile_str(md->p_all, md->p_all->sample_types.v[md->idx].type);
	for (size_t i = 0; st == MT_OK && i < np->sample_types.n; i++)
		if (strcmp(profile_str(np, np->sample_types.v[i].type), want) == 0)
			idx = (int)i;
	if (st == MT_OK && idx < 0)
		st = profile_sample_index(np, NULL, &idx, e);
	if (st) {
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
	if (md->p != md->p_all)
		profile_free(md->p);
	profile_free(md->p_all);
	profile_free(md->base);
	md->p = md->p_all = np;
	md->base = nb;
	md->snap_id = id;
	md->base_id = base_id;
	snprintf(md->snap_name, sizeof md->snap_name, "@%lld", (long long)id);
	snprintf(md->base_snap_name, sizeof md->base_snap_name, "@%lld", (long long)base_id);
	md->path = md->name = md->snap_name;
	md->base_name = nb ? md->base_snap_name : NULL;
	md->idx = idx;
	md->kind = profile_kind(np);
	model_set_unit(md);
	if (model_refilter(md, e))
		return true;
	/* A filter that no longer compiles cannot happen (it did before);
	 * without filters the model is whole again. */
	for (size_t i = 0; i < md->filters.n; i++) {
		free(md->filters.v[i].pattern);
		free(md->filters.v[i].label);
	}
	md->filters.n = 0;
	struct mt_err ignored;
	model_refilter(md, &ignored);
	return true;
}

bool model_push_filter(struct model *md, enum filter_kind kind, const char *pattern,
		       const char *label, struct mt_err *e)
{
	struct filter f = {kind, xstrdup(pattern), xstrdup(label)};
	VEC_PUSH(md->filters, f);
	if (model_refilter(md, e))
		return true;
	md->filters.n--;
	free(f.pattern);
	free(f.label);
	struct mt_err ignored;
	model_refilter(md, &ignored);
	return false;
}

bool model_pop_filter(struct model *md)
{
	if (!md->filters.n)
		return false;
	struct filter *f = &md->filters.v[--md->filters.n];
	free(f->pattern);
	free(f->label);
	struct mt_err e;
	model_refilter(md, &e);
	return true;
}

bool model_drop_label_filters(struct model *md, const char *key)
{
	size_t kl = strlen(key), k = 0;
	bool any = false;
	for (size_t i = 0; i < md->filters.n; i++) {
		struct filter *f = &md->filters.v[i];
		if (f->kind == FILTER_LABEL && strncmp(f->pattern, key, kl) == 0 &&
		    f->pattern[kl] == '=') {
			free(f->pattern);
			free(f->label);
			any = true;
			continue;
		}
		md->filters.v[k++] = *f;
	}
	md->filters.n = k;
	if (any) {
		struct mt_err e;
		model_refilter(md, &e);
	}
	return any;
}

void model_fmt(const struct model *md, char *buf, size_t n, int64_t v)
{
	mt_scaled_label(buf, n, v, md->unit, "auto");
}

void model_pct(const struct model *md, char *buf, size_t n, int64_t v)
{
	mt_percentage(buf, n, v, md->total);
}
