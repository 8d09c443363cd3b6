/* diffmodel.c - the two sides of a diff under the model's filters, their
 * join by name, peek on both, and the call tree of both. */
#include "diffmodel.h"

#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "profile/merge.h"

static void dm_clear(struct diffmodel *dm)
{
	if (dm->tree_ok) {
		calltree_done(&dm->ct);
		ct_frames_done(&dm->cf);
		mt_nodes_done(&dm->cn);
		profile_free(dm->cp);
	}
	if (dm->frames_ok) {
		ct_frames_done(&dm->bf);
		ct_frames_done(&dm->nf);
	}
	if (dm->built) {
		mt_diff_done(&dm->d);
		mt_top_done(&dm->bt);
		mt_top_done(&dm->nt);
		mt_nodes_done(&dm->bn);
		mt_nodes_done(&dm->nn);
	}
	if (dm->bp_own)
		profile_free(dm->bp);
	if (dm->np_own)
		profile_free(dm->np);
	bool norm = dm->normalized;
	unsigned serial = dm->serial;
	memset(dm, 0, sizeof *dm);
	dm->normalized = norm;
	dm->serial = serial;
}

void diffmodel_free(struct diffmodel *dm)
{
	if (!dm)
		return;
	dm_clear(dm);
	free(dm);
}

/* A copy of p through pprof's merge (same numbers), or NULL. */
static struct profile *copy_profile(const struct profile *p)
{
	struct profile *srcs[1] = {(struct profile *)p}, *out = NULL;
	int scale[1] = {1};
	struct mt_err e;
	return profile_merge(srcs, scale, NULL, 1, &out, &e) ? NULL : out;
}

/* Builds the joined table: each side's nodes under the model's filters. */
static bool dm_build(struct diffmodel *dm, struct model *md)
{
	dm->bp = model_subset(md, md->base);
	dm->bp_own = dm->bp != NULL;
	if (!dm->bp)
		dm->bp = md->base;
	int64_t new_total = md->total;
	if (dm->normalized) {
		/* pprof normalizes the whole profile, then filters. */
		struct profile *n = copy_profile(md->p_all);
		if (!n)
			return false;
		profile_normalize(n, md->base);
		new_total = mt_profile_total(n, md->idx);
		dm->np = model_subset(md, n);
		if (dm->np)
			profile_free(n);
		else
			dm->np = n;
		dm->np_own = true;
	} else {
		dm->np = md->p;
	}
	struct mt_filters f = {.focus = md->re[FILTER_FOCUS],
			       .ignore = md->re[FILTER_IGNORE],
			       .hide = md->re[FILTER_HIDE]};
	struct mt_err e;
	if (mt_nodes_init(&dm->bn, dm->bp, md->gran, &f, &e))
		return false;
	if (mt_nodes_init(&dm->nn, dm->np, md->gran, &f, &e)) {
		mt_nodes_done(&dm->bn);
		return false;
	}
	mt_top_build(&dm->bt, &dm->bn, md->idx);
	mt_top_build(&dm->nt, &dm->nn, md->idx);
	mt_diff_build(&dm->d, &dm->bn, &dm->bt, &dm->nn, &dm->nt);
	dm->d.base_total = mt_profile_total(md->base, md->idx);
	dm->d.new_total = new_total;
	dm->built = true;
	dm->generation = md->generation;
	dm->idx = md->idx;
	dm->serial++;
	return true;
}

struct diffmodel *diffmodel_get(struct model *md)
{
	if (!md->base)
		return NULL;
	if (!md->diff)
		md->diff = xcalloc(1, sizeof *md->diff);
	struct diffmodel *dm = md->diff;
	if (dm->built && dm->generation == md->generation && dm->idx == md->idx)
		return dm;
	dm_clear(dm);
	if (!dm_build(dm, md)) {
		dm_clear(dm);
		return NULL;
	}
	return dm;
}

void diffmodel_set_normalized(struct model *md, bool on)
{
	if (!md->diff)
		md->diff = xcalloc(1, sizeof *md->diff);
	if (md->diff->normalized == on)
		return;
	dm_clear(md->diff);
	md->diff->normalized = on;
}

void diffmodel_frames(struct diffmodel *dm)
{
	if (dm->frames_ok)
		return;
	ct_frames_init(&dm->bf, &dm->bn);
	ct_frames_init(&dm->nf, &dm->nn);
	dm->frames_ok = true;
}

/* ---- peek on both sides -------------------------------------------- */

typedef VEC(struct diff_edge) edge_vec;

static int64_t abs64(int64_t v) { return mt_sat_abs(v); }

static int cmp_edge(const void *x, const void *y)
{
	const struct diff_edge *a = x, *b = y;
	int64_t da = abs64(mt_sat_sub(a->new_, a->base));
	int64_t db = abs64(mt_sat_sub(b->new_, b->base));
	if (da != db)
		return da > db ? -1 : 1;
	if (abs64(a->new_) != abs64(b->new_))
		return abs64(a->new_) > abs64(b->new_) ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Adds one side's edges into the joined list (by name). */
static void join_edges(edge_vec *out, const struct mt_nodes *m, const struct ct_edge *e,
		       size_t n, bool is_new)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = mt_node_name(m, e[i].func);
		size_t k = 0;
		while (k < out->n && strcmp(out->v[k].name, name) != 0)
			k++;
		if (k == out->n) {
			struct diff_edge de = {.name = name};
			VEC_PUSH(*out, de);
		}
		if (is_new)
			out->v[k].new_ = mt_sat_add(out->v[k].new_, e[i].weight);
		else
			out->v[k].base = mt_sat_add(out->v[k].base, e[i].weight);
	}
}

/* The node of name in m, or MT_NONE. */
static uint32_t node_of(const struct mt_nodes *m, const char *name)
{
	mt_str s = strtab_find(&m->names, name, strlen(name));
	return s == (mt_str)-1 || s == 0 ? MT_NONE : (uint32_t)(s - 1);
}

void diffmodel_peek(struct diffmodel *dm, const char *name, int64_t self[4],
		    struct diff_edge **in, size_t *nin, struct diff_edge **out,
		    size_t *nout)
{
	diffmodel_frames(dm);
	edge_vec vi = {0}, vo = {0};
	memset(self, 0, 4 * sizeof *self);
	for (int side = 0; side < 2; side++) {
		const struct mt_nodes *m = side ? &dm->nn : &dm->bn;
		const struct ct_frames *f = side ? &dm->nf : &dm->bf;
		const struct mt_top *t = side ? &dm->nt : &dm->bt;
		uint32_t fn = node_of(m, name);
		if (fn == MT_NONE)
			continue;
		for (size_t i = 0; i < t->n; i++)
			if (t->rows[i].node == fn) {
				self[side] = t->rows[i].flat;
				self[2 + side] = t->rows[i].cum;
			}
		struct ct_edge *ci, *co;
		size_t ni, no;
		ct_frames_peek(f, fn, dm->idx, &ci, &ni, &co, &no);
		join_edges(&vi, m, ci, ni, side);
		join_edges(&vo, m, co, no, side);
		free(ci);
		free(co);
	}
	if (vi.n)
		qsort(vi.v, vi.n, sizeof *vi.v, cmp_edge);
	if (vo.n)
		qsort(vo.v, vo.n, sizeof *vo.v, cmp_edge);
	*in = vi.v, *nin = vi.n;
	*out = vo.v, *nout = vo.n;
}

/* ---- the tree of both sides ---------------------------------------- */

struct calltree *diffmodel_tree(struct diffmodel *dm, struct model *md)
{
	if (dm->tree_ok)
		return &dm->ct;
	/* Both sides in one profile; the base's samples carry pprof::base. */
	struct profile *srcs[2] = {dm->np, dm->bp};
	int scale[2] = {1, 1};
	bool isbase[2] = {false, true};
	struct mt_err e;
	struct profile *cp = NULL;
	if (profile_merge(srcs, scale, isbase, 2, &cp, &e))
		return NULL;
	mt_str bkey = strtab_find(&cp->strs, "pprof::base", 11);
	size_t ost = cp->sample_types.n, ns = cp->samples.n;
	mt_str unit = cp->sample_types.v[md->idx].unit;
	int64_t *vals = xmalloc((ns ? ns : 1) * 3 * sizeof *vals);
	for (size_t s = 0; s < ns; s++) {
		const struct mt_sample *sm = &cp->samples.v[s];
		bool base = false;
		for (uint32_t j = 0; j < sm->nlabel && bkey != (mt_str)-1; j++)
			base |= cp->labels.v[sm->label0 + j].key == bkey;
		int64_t v = cp->values.v[s * ost + (size_t)md->idx];
		vals[s * 3 + DT_BASE] = base ? v : 0;
		vals[s * 3 + DT_NEW] = base ? 0 : v;
		vals[s * 3 + DT_BOTH] = v;
	}
	free(cp->values.v);
	cp->values.v = vals;
	cp->values.n = cp->values.cap = ns * 3;
	static const char *names[3] = {"base", "new", "both"};
	cp->sample_types.n = 0;
	for (int i = 0; i < 3; i++) {
		struct mt_value_type vt = {
		    strtab_intern(&cp->strs, names[i], strlen(names[i])), unit};
		VEC_PUSH(cp->sample_types, vt);
	}
	struct mt_filters f = {.focus = md->re[FILTER_FOCUS],
			       .ignore = md->re[FILTER_IGNORE],
			       .hide = md->re[FILTER_HIDE]};
	if (mt_nodes_init(&dm->cn, cp, md->gran, &f, &e)) {
		profile_free(cp);
		return NULL;
	}
	dm->cp = cp;
	ct_frames_init(&dm->cf, &dm->cn);
	calltree_init(&dm->ct, &dm->cf, false, DT_BOTH);
	calltree_expand(&dm->ct, CT_ROOT);
	dm->tree_ok = true;
	return &dm->ct;
}
