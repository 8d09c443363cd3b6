/* diffmodel.c - the two sides of a diff under the model's filters, their
 * join by name, peek on both, and the call tree of both. */
#include "query/diffmodel.h"

#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "profile/merge.h"

static void dm_clear(struct diffmodel *dm)
{
	if (dm->tree_ok) {
		calltree_done(&dm->ct);
		ct_frames_done(&dm->cf);
		mt_report_done(&dm->cr);
		profile_free(dm->cp);
	}
	if (dm->graphs_ok) {
		mt_graph_done(&dm->bg);
		mt_graph_done(&dm->ng);
	}
	if (dm->built) {
		mt_diff_done(&dm->d);
		mt_report_done(&dm->br);
		mt_report_done(&dm->nr);
	}
	profile_free(dm->np_norm);
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

/* The NEW side: the model's profile, or a normalized copy of it. */
const struct profile *diffmodel_new_side(const struct diffmodel *dm, const struct model *md)
{
	return dm->np_norm ? dm->np_norm : md->p;
}

/* Builds the joined table: each side's report under the model's filters,
 * joined by name as `memtop diff` joins them. */
static bool dm_build(struct diffmodel *dm, struct model *md)
{
	if (dm->normalized) {
		/* pprof normalizes the whole profile, then filters. */
		struct mt_err e;
		if (profile_copy(md->p, &dm->np_norm, &e))
			return false;
		profile_normalize(dm->np_norm, md->base);
	}
	struct mt_err e;
	if (model_report(md, md->base, md->idx, md->gran, &dm->br, &e))
		return false;
	if (model_report(md, diffmodel_new_side(dm, md), md->idx, md->gran, &dm->nr, &e)) {
		mt_report_done(&dm->br);
		return false;
	}
	mt_diff_build(&dm->d, &dm->br.nodes, &dm->br.top, &dm->nr.nodes, &dm->nr.top);
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

void diffmodel_graphs(struct diffmodel *dm)
{
	if (dm->graphs_ok)
		return;
	mt_graph_build(&dm->bg, &dm->br.nodes);
	mt_graph_build(&dm->ng, &dm->nr.nodes);
	dm->graphs_ok = true;
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

/* Adds one side's callers (in) or callees of fn into the joined list (by
 * name), from the side's call graph. */
static void join_edges(edge_vec *out, const struct mt_graph *g, const struct mt_nodes *m,
		       uint32_t fn, bool in, int idx, bool is_new)
{
	const uint32_t *ids = in ? g->in : g->out, *at = in ? g->in0 : g->out0;
	for (uint32_t k = at[fn]; k < at[fn + 1]; k++) {
		uint32_t e = ids[k];
		int64_t w = mt_edge_weight(g, e, idx);
		if (!w)
			continue;
		const char *name = mt_node_name(m, in ? g->e[e].src : g->e[e].dst);
		size_t j = 0;
		while (j < out->n && strcmp(out->v[j].name, name) != 0)
			j++;
		if (j == out->n) {
			struct diff_edge de = {.name = name};
			VEC_PUSH(*out, de);
		}
		if (is_new)
			out->v[j].new_ = mt_sat_add(out->v[j].new_, w);
		else
			out->v[j].base = mt_sat_add(out->v[j].base, w);
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
	diffmodel_graphs(dm);
	edge_vec vi = {0}, vo = {0};
	memset(self, 0, 4 * sizeof *self);
	for (int side = 0; side < 2; side++) {
		const struct mt_report *r = side ? &dm->nr : &dm->br;
		const struct mt_graph *g = side ? &dm->ng : &dm->bg;
		uint32_t fn = node_of(&r->nodes, name);
		if (fn == MT_NONE)
			continue;
		for (size_t i = 0; i < r->top.n; i++)
			if (r->top.rows[i].node == fn) {
				self[side] = r->top.rows[i].flat;
				self[2 + side] = r->top.rows[i].cum;
			}
		join_edges(&vi, g, &r->nodes, fn, true, dm->idx, side);
		join_edges(&vo, g, &r->nodes, fn, false, dm->idx, side);
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
	struct profile *srcs[2] = {(struct profile *)diffmodel_new_side(dm, md), md->base};
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
	if (model_report(md, cp, DT_BOTH, md->gran, &dm->cr, &e)) {
		profile_free(cp);
		return NULL;
	}
	dm->cp = cp;
	ct_frames_init(&dm->cf, &dm->cr.nodes);
	calltree_init(&dm->ct, &dm->cf, false, DT_BOTH);
	calltree_expand(&dm->ct, CT_ROOT);
	dm->tree_ok = true;
	return &dm->ct;
}
