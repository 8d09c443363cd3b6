/* labels.c - the label list of a report: one row per key and value. */
#include "report/labels.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "base/u64map.h"
#include "profile/tags.h"

static int cmp_row(const void *x, const void *y)
{
	const struct mt_label_row *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (!a->value != !b->value)
		return a->value ? -1 : 1;
	if (a->value)
		return strcmp(a->value, b->value);
	return a->num < b->num ? -1 : a->num > b->num;
}

void mt_labels_build(struct mt_labels *out, const struct mt_nodes *m, int idx)
{
	const struct profile *p = m->p;
	memset(out, 0, sizeof *out);
	VEC(struct mt_label_row) rows = {0};
	struct mt_u64map at = {0}; /* (key, value or number) -> row + 1 */
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	size_t nst = p->sample_types.n;
	const char **units = mt_label_units(p);
	for (size_t s = 0; s < p->samples.n; s++) {
		if (mt_nodes_frames(m, s, fr) == 0)
			continue;
		int64_t w = p->values.v[s * nst + (size_t)idx];
		w = mt_sat_abs(w);
		out->total = mt_sat_add(out->total, w);
		const struct mt_sample *sm = &p->samples.v[s];
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *l = &p->labels.v[sm->label0 + j];
			uint64_t key = l->is_num ? mt_hash_u64((uint64_t)l->num) ^ l->key
						 : mt_pair_key(l->key, l->str);
			key = key * 2 + l->is_num;
			bool added;
			uint32_t *slot = mt_u64map_put(&at, key, &added);
			if (added) {
				struct mt_label_row r = {
					.key = profile_str(p, l->key),
					.value = l->is_num ? NULL : profile_str(p, l->str),
					.num = l->num,
					.unit = l->is_num && units[l->key] ? units[l->key] : "",
				};
				VEC_PUSH(rows, r);
				*slot = (uint32_t)rows.n;
			}
			struct mt_label_row *r = &rows.v[*slot - 1];
			/* A hash of a number may collide: then it is a new row. */
			if (l->is_num && r->num != l->num) {
				struct mt_label_row nr = *r;
				nr.num = l->num;
				nr.weight = nr.samples = 0;
				VEC_PUSH(rows, nr);
				r = &rows.v[rows.n - 1];
			}
			r->weight = mt_sat_add(r->weight, w);
			r->samples++;
		}
	}
	free(fr);
	free(units);
	mt_u64map_done(&at);
	if (rows.n > 1)
		qsort(rows.v, rows.n, sizeof *rows.v, cmp_row);
	out->v = rows.v;
	out->n = rows.n;
}

void mt_labels_done(struct mt_labels *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

void mt_label_filter(char *buf, size_t n, const struct mt_label_row *row)
{
	size_t k = (size_t)snprintf(buf, n, "%s=", row->key);
	if (k >= n)
		return;
	if (!row->value) {
		/* pprof scales both sides to the filter's unit: the label's
		 * own (inferred) unit when it is a word, as pprof reads one. */
		bool word = *row->unit != 0;
		for (const char *u = row->unit; *u; u++)
			word &= (*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z');
		snprintf(buf + k, n - k, "%" PRId64 "%s", row->num, word ? row->unit : "");
		return;
	}
	k += (size_t)snprintf(buf + k, n - k, "^(?:");
	for (const char *s = row->value; *s && k + 8 < n; s++) {
		if (*s == ',') { /* pprof splits a tag filter at commas */
			k += (size_t)snprintf(buf + k, n - k, "\\x2c");
			continue;
		}
		if (strchr("\\^$.|?*+()[]{}", *s))
			buf[k++] = '\\';
		buf[k++] = *s;
	}
	snprintf(buf + k, n > k ? n - k : 0, ")$");
}
