/* diff.c - joining two top tables by name, and pprof's normalization. */
#include "report/diff.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"

static void add(struct mt_diff *d, const struct mt_nodes *m, const struct mt_top *t,
		bool is_new, size_t *cap)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct mt_top_row *r = &t->rows[i];
		const char *name = mt_node_name(m, r->node);
		size_t before = d->names.n;
		mt_str id = strtab_intern(&d->names, name, strlen(name));
		if (d->names.n != before) {
			if (d->n == *cap)
				xgrow((void **)&d->rows, cap, d->n + 1, sizeof *d->rows);
			d->rows[d->n++] = (struct mt_diff_row){.name = id};
		}
		/* ids are dense in order of first appearance: row id - 1 */
		struct mt_diff_row *dr = &d->rows[id - 1];
		if (is_new) {
			dr->new_flat = mt_sat_add(dr->new_flat, r->flat);
			dr->new_cum = mt_sat_add(dr->new_cum, r->cum);
		} else {
			dr->base_flat = mt_sat_add(dr->base_flat, r->flat);
			dr->base_cum = mt_sat_add(dr->base_cum, r->cum);
		}
	}
}

void mt_diff_build(struct mt_diff *d, const struct mt_nodes *bm,
		   const struct mt_top *bt, const struct mt_nodes *nm,
		   const struct mt_top *nt)
{
	memset(d, 0, sizeof *d);
	strtab_init(&d->names);
	size_t cap = 0;
	add(d, bm, bt, false, &cap);
	add(d, nm, nt, true, &cap);
	d->base_total = bt->total;
	d->new_total = nt->total;
}

static int by_name(const struct mt_diff_row *a, const struct mt_diff_row *b,
		   const struct mt_diff *d)
{
	return strcmp(strtab_get(&d->names, a->name), strtab_get(&d->names, b->name));
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;
}

static int cmp_growth(const void *x, const void *y, void *d)
{
	const struct mt_diff_row *a = x, *b = y;
	int c = cmp_i64(mt_sat_sub(a->new_flat, a->base_flat),
			mt_sat_sub(b->new_flat, b->base_flat));
	if (!c)
		c = cmp_i64(mt_sat_sub(a->new_cum, a->base_cum), mt_sat_sub(b->new_cum, b->base_cum));
	return c ? c : by_name(a, b, d);
}

static int cmp_cum(const void *x, const void *y, void *d)
{
	const struct mt_diff_row *a = x, *b = y;
	int c = cmp_i64(mt_sat_sub(a->new_cum, a->base_cum),
			mt_sat_sub(b->new_cum, b->base_cum));
	if (!c)
		c = cmp_i64(mt_sat_sub(a->new_flat, a->base_flat),
			    mt_sat_sub(b->new_flat, b->base_flat));
	return c ? c : by_name(a, b, d);
}

static int cmp_flat(const void *x, const void *y, void *d)
{
	const struct mt_diff_row *a = x, *b = y;
	int c = cmp_i64(a->new_flat, b->new_flat);
	return c ? c : by_name(a, b, d);
}

void mt_diff_sort(struct mt_diff *d, enum mt_diff_sort by)
{
	if (d->n < 2)
		return; /* also: qsort may not be given a NULL array */
	qsort_r(d->rows, d->n, sizeof *d->rows,
		by == MT_DIFF_CUM ? cmp_cum : by == MT_DIFF_FLAT ? cmp_flat : cmp_growth, d);
}

void mt_diff_done(struct mt_diff *d)
{
	strtab_done(&d->names);
	free(d->rows);
	memset(d, 0, sizeof *d);
}

