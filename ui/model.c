/* model.c - loading a profile and deriving what the views show. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/reader.h"
#include "../src/units.h"

/* Builds nodes and the top rows under the current filters. */
static bool model_build(struct model *md, struct mt_err *e)
{
	struct mt_filters f = {.focus = md->re[FILTER_FOCUS],
			       .ignore = md->re[FILTER_IGNORE],
			       .hide = md->re[FILTER_HIDE]};
	if (mt_nodes_init(&md->nodes, md->p, md->gran, &f, e))
		return false;
	mt_top_build(&md->top, &md->nodes, md->idx);
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
	md->total = mt_profile_total(md->p, md->idx);
}

bool model_load(struct model *md, const char *path, const char *sample_index,
		enum mt_granularity gran, const struct mt_limits *lim,
		struct mt_err *e)
{
	memset(md, 0, sizeof *md);
	md->path = path;
	const char *b = strrchr(path, '/');
	md->name = b && b[1] ? b + 1 : path;
	md->gran = gran;
	if (reader_load_file(path, lim, &md->p, e))
		return false;
	if (md->p->sample_types.n == 0) {
		mt_errf(e, MT_ERR_FORMAT, "profile has no sample types");
		profile_free(md->p);
		md->p = NULL;
		return false;
	}
	if (profile_sample_index(md->p, sample_index, &md->idx, e) ||
	    !(model_set_unit(md), model_build(md, e))) {
		profile_free(md->p);
		md->p = NULL;
		return false;
	}
	md->kind = profile_kind(md->p);
	return true;
}

void model_done(struct model *md)
{
	if (!md->p)
		return;
	model_unbuild(md);
	for (size_t i = 0; i < md->filters.n; i++) {
		free(md->filters.v[i].pattern);
		free(md->filters.v[i].label);
	}
	free(md->filters.v);
	for (int i = 0; i < 3; i++)
		mt_regex_free(md->re[i]);
	profile_free(md->p);
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
		t->flat_sum += fl;
	}
	t->n = k;
	t->total = md->frames.total[idx];
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
		mt_top_sort(&md->top, &md->nodes, MT_SORT_FLAT);
	}
}

/* Compiles the filters of one kind into one regex: the newest focus (a
 * focus narrows to one function at a time), every ignore and hide. */
static bool compile_kind(struct model *md, enum filter_kind kind,
			 struct mt_regex **out, struct mt_err *e)
{
	VEC(char) pat = {0};
	*out = NULL;
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
	if (!model_build(md, e))
		return false;
	if (warm)
		model_warm(md, 120);
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

void model_fmt(const struct model *md, char *buf, size_t n, int64_t v)
{
	mt_scaled_label(buf, n, v, md->unit, "auto");
}

void model_pct(const struct model *md, char *buf, size_t n, int64_t v)
{
	mt_percentage(buf, n, v, md->total);
}
