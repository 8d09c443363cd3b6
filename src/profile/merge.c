/* merge.c - content-keyed merging of profiles.
 *
 * Every object is keyed by bytes that say what it is (a function by its
 * start line and names, a mapping by its rounded size, offset and build id or
 * file, a location by its address relative to its mapping and its lines, a
 * sample by its locations and labels), and a strtab serves as the dictionary
 * from keys to merged ids.
 */
#include "profile/merge.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "base/sat.h"

struct keybuf {
	uint8_t *b;
	size_t n, cap;
};

static void kb_add(struct keybuf *k, const void *p, size_t n)
{
	if (n == 0)
		return; /* p may be NULL; memcpy may not be given it */
	if (k->n + n > k->cap)
		xgrow((void **)&k->b, &k->cap, k->n + n, 1);
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void kb_str(struct keybuf *k, const struct profile *p, mt_str s)
{
	uint32_t len = (uint32_t)strtab_len(&p->strs, s);
	kb_add(k, &len, sizeof len);
	kb_add(k, profile_str(p, s), len);
}

/* Looks key up in dict; returns its id and whether it is new. */
static uint32_t dict_id(struct mt_strtab *dict, const struct keybuf *k, bool *isnew)
{
	size_t before = dict->n;
	mt_str id = strtab_intern(dict, (const char *)k->b, k->n);
	*isnew = dict->n != before;
	return id - 1; /* id 0 is the empty key, never used */
}

static mt_str rs(struct profile *dst, const struct profile *src, mt_str s)
{
	return strtab_intern(&dst->strs, profile_str(src, s), strtab_len(&src->strs, s));
}

static int cmp_labels(const void *a, const void *b, void *ctx)
{
	const struct profile *p = ctx;
	const struct mt_label *x = a, *y = b;
	int c = strcmp(profile_str(p, x->key), profile_str(p, y->key));
	if (c)
		return c;
	if (x->is_num != y->is_num)
		return x->is_num - y->is_num;
	if (!x->is_num)
		return strcmp(profile_str(p, x->str), profile_str(p, y->str));
	return x->num < y->num ? -1 : x->num > y->num;
}

static bool compatible(const struct profile *a, const struct profile *b)
{
	if (a->sample_types.n != b->sample_types.n)
		return false;
	for (size_t i = 0; i < a->sample_types.n; i++)
		if (strcmp(profile_str(a, a->sample_types.v[i].type),
			   profile_str(b, b->sample_types.v[i].type)) ||
		    strcmp(profile_str(a, a->sample_types.v[i].unit),
			   profile_str(b, b->sample_types.v[i].unit)))
			return false;
	return true;
}

enum mt_status profile_merge(struct profile *const *srcs, const int *scale,
			     const bool *diff_base, size_t n, struct profile **out,
			     struct mt_err *e)
{
	if (n == 0)
		return mt_errf(e, MT_ERR_USAGE, "nothing to merge");
	for (size_t i = 1; i < n; i++)
		if (!compatible(srcs[0], srcs[i]))
			return mt_errf(e, MT_ERR_USAGE,
				       "profiles have different sample types and "
				       "cannot be compared");
	const struct profile *p0 = srcs[0];
	struct profile *d = profile_new();
	d->format = p0->format;
	for (size_t i = 0; i < p0->sample_types.n; i++) {
		struct mt_value_type vt = {rs(d, p0, p0->sample_types.v[i].type),
					   rs(d, p0, p0->sample_types.v[i].unit)};
		VEC_PUSH(d->sample_types, vt);
	}
	d->default_sample_type = rs(d, p0, p0->default_sample_type);
	d->period_type.type = rs(d, p0, p0->period_type.type);
	d->period_type.unit = rs(d, p0, p0->period_type.unit);
	d->drop_frames = rs(d, p0, p0->drop_frames);
	d->keep_frames = rs(d, p0, p0->keep_frames);
	for (size_t i = 0; i < n; i++) {
		const struct profile *s = srcs[i];
		if (s->time_nanos && (!d->time_nanos || s->time_nanos < d->time_nanos))
			d->time_nanos = s->time_nanos;
		d->duration_nanos = mt_sat_add(d->duration_nanos, s->duration_nanos);
		if (s->period > d->period)
			d->period = s->period;
		for (size_t c = 0; c < s->comments.n; c++) {
			mt_str cs = rs(d, s, s->comments.v[c]);
			bool seen = false;
			for (size_t k = 0; k < d->comments.n; k++)
				seen |= d->comments.v[k] == cs;
			if (!seen)
				VEC_PUSH(d->comments, cs);
		}
	}

	struct mt_strtab fdict, mdict, ldict, sdict;
	strtab_init(&fdict);
	strtab_init(&mdict);
	strtab_init(&ldict);
	strtab_init(&sdict);
	struct keybuf k = {0};
	size_t nst = d->sample_types.n;
	/* The sum keeps exact estimates when a source has them (the others'
	 * values are exact as they are). */
	bool ex = false;
	for (size_t i = 0; i < n; i++)
		ex |= profile_has_exact(srcs[i]);
	VEC(uint32_t) locs = {0};
	VEC(struct mt_label) labs = {0};
	struct mt_label base_label = {
		.key = strtab_intern(&d->strs, "pprof::base", 11),
		.str = strtab_intern(&d->strs, "true", 4),
	};

	for (size_t si = 0; si < n; si++) {
		const struct profile *s = srcs[si];
		uint32_t *fmap = xmalloc((s->functions.n + 1) * sizeof *fmap);
		uint32_t *mmap = xmalloc((s->mappings.n + 1) * sizeof *mmap);
		uint32_t *lmap = xmalloc((s->locations.n + 1) * sizeof *lmap);
		bool isnew;
		for (size_t i = 0; i < s->functions.n; i++) {
			const struct mt_function *f = &s->functions.v[i];
			k.n = 0;
			kb_add(&k, &f->start_line, sizeof f->start_line);
			kb_str(&k, s, f->name);
			kb_str(&k, s, f->system_name);
			kb_str(&k, s, f->filename);
			fmap[i] = dict_id(&fdict, &k, &isnew);
			if (isnew) {
				struct mt_function nf = {
					.id = d->functions.n + 1,
					.name = rs(d, s, f->name),
					.system_name = rs(d, s, f->system_name),
					.filename = rs(d, s, f->filename),
					.start_line = f->start_line,
				};
				VEC_PUSH(d->functions, nf);
			}
		}
		for (size_t i = 0; i < s->mappings.n; i++) {
			const struct mt_mapping *m = &s->mappings.v[i];
			uint64_t size = m->limit - m->start;
			size = size + 0xfff;
			size -= size % 0x1000;
			k.n = 0;
			kb_add(&k, &size, sizeof size);
			kb_add(&k, &m->offset, sizeof m->offset);
			kb_str(&k, s, *profile_str(s, m->build_id) ? m->build_id : m->file);
			mmap[i] = dict_id(&mdict, &k, &isnew);
			if (isnew) {
				struct mt_mapping nm = *m;
				nm.id = d->mappings.n + 1;
				nm.file = rs(d, s, m->file);
				nm.build_id = rs(d, s, m->build_id);
				VEC_PUSH(d->mappings, nm);
			}
		}
		for (size_t i = 0; i < s->locations.n; i++) {
			const struct mt_location *l = &s->locations.v[i];
			uint64_t addr = l->address;
			uint32_t mid = MT_NONE;
			if (l->mapping != MT_NONE) {
				addr -= s->mappings.v[l->mapping].start;
				mid = mmap[l->mapping];
			}
			k.n = 0;
			kb_add(&k, &addr, sizeof addr);
			kb_add(&k, &mid, sizeof mid);
			uint8_t folded = l->is_folded;
			kb_add(&k, &folded, 1);
			for (uint32_t j = 0; j < l->nline; j++) {
				const struct mt_line *ln = &s->lines.v[l->line0 + j];
				uint32_t fid = ln->func == MT_NONE ? MT_NONE : fmap[ln->func];
				kb_add(&k, &fid, sizeof fid);
				kb_add(&k, &ln->line, sizeof ln->line);
			}
			lmap[i] = dict_id(&ldict, &k, &isnew);
			if (isnew) {
				struct mt_location nl = {
					.id = d->locations.n + 1,
					.address = l->address,
					.mapping = mid,
					.line0 = (uint32_t)d->lines.n,
					.nline = l->nline,
					.is_folded = l->is_folded,
				};
				for (uint32_t j = 0; j < l->nline; j++) {
					struct mt_line ln = s->lines.v[l->line0 + j];
					if (ln.func != MT_NONE)
						ln.func = fmap[ln.func];
					VEC_PUSH(d->lines, ln);
				}
				VEC_PUSH(d->locations, nl);
			}
		}
		for (size_t i = 0; i < s->samples.n; i++) {
			const struct mt_sample *sm = &s->samples.v[i];
			const int64_t *v = profile_values(s, i);
			bool zero = true;
			for (size_t t = 0; t < nst; t++)
				zero &= v[t] == 0 && profile_value_exact(s, i, t) == 0;
			if (zero)
				continue; /* pprof skips them */
			locs.n = 0;
			for (uint32_t j = 0; j < sm->nloc; j++)
				VEC_PUSH(locs, lmap[s->sample_locs.v[sm->loc0 + j]]);
			labs.n = 0;
			for (uint32_t j = 0; j < sm->nlabel; j++)
				VEC_PUSH(labs, s->labels.v[sm->label0 + j]);
			if (labs.n > 1) /* qsort wants a non-NULL array */
				qsort_r(labs.v, labs.n, sizeof *labs.v, cmp_labels,
					(void *)s);
			k.n = 0;
			uint32_t nl = sm->nloc;
			uint8_t isbase = diff_base && diff_base[si];
			kb_add(&k, &isbase, 1);
			kb_add(&k, &nl, sizeof nl);
			kb_add(&k, locs.v, locs.n * sizeof *locs.v);
			for (size_t j = 0; j < labs.n; j++) {
				kb_str(&k, s, labs.v[j].key);
				uint8_t isnum = labs.v[j].is_num;
				kb_add(&k, &isnum, 1);
				if (isnum) {
					kb_add(&k, &labs.v[j].num, sizeof labs.v[j].num);
					kb_str(&k, s, labs.v[j].unit);
				} else {
					kb_str(&k, s, labs.v[j].str);
				}
			}
			uint32_t sid = dict_id(&sdict, &k, &isnew);
			if (isnew) {
				struct mt_sample ns = {
					.loc0 = (uint32_t)d->sample_locs.n,
					.nloc = sm->nloc,
					.label0 = (uint32_t)d->labels.n,
					.nlabel = sm->nlabel,
				};
				for (size_t j = 0; j < locs.n; j++)
					VEC_PUSH(d->sample_locs, locs.v[j]);
				for (uint32_t j = 0; j < sm->nlabel; j++) {
					struct mt_label l = s->labels.v[sm->label0 + j];
					l.key = rs(d, s, l.key);
					l.str = rs(d, s, l.str);
					l.unit = rs(d, s, l.unit);
					VEC_PUSH(d->labels, l);
				}
				if (isbase) {
					VEC_PUSH(d->labels, base_label);
					ns.nlabel++;
				}
				VEC_PUSH(d->samples, ns);
				for (size_t t = 0; t < nst; t++) {
					VEC_PUSH(d->values, 0);
					if (ex)
						VEC_PUSH(d->exact, 0);
				}
			}
			int64_t *dv = VEC_AT(d->values, (size_t)sid * nst);
			for (size_t t = 0; t < nst; t++)
				dv[t] = mt_sat_add(dv[t], mt_sat_mul(v[t], scale[si]));
			for (size_t t = 0; ex && t < nst; t++)
				d->exact.v[(size_t)sid * nst + t] +=
					profile_value_exact(s, i, t) * scale[si];
		}
		free(fmap);
		free(mmap);
		free(lmap);
	}
	free(k.b);
	free(locs.v);
	free(labs.v);
	strtab_done(&fdict);
	strtab_done(&mdict);
	strtab_done(&ldict);
	strtab_done(&sdict);
	*out = d;
	return MT_OK;
}

void profile_normalize(struct profile *p, const struct profile *base)
{
	size_t nst = p->sample_types.n;
	if (nst != base->sample_types.n || nst == 0)
		return;
	double *ratio = xmalloc(nst * sizeof *ratio);
	bool all_ones = true;
	for (size_t t = 0; t < nst; t++) {
		/* pprof sums the values as they are, not their absolutes. */
		int64_t bt = 0, pt = 0;
		for (size_t s = 0; s < base->samples.n; s++)
			bt = mt_sat_add(bt, profile_values(base, s)[t]);
		for (size_t s = 0; s < p->samples.n; s++)
			pt = mt_sat_add(pt, profile_values(p, s)[t]);
		ratio[t] = pt != 0 ? (double)bt / (double)pt : 0;
		all_ones &= ratio[t] == 1;
	}
	if (all_ones) {
		free(ratio);
		return;
	}
	size_t keep = 0;
	bool ex = profile_has_exact(p);
	for (size_t s = 0; s < p->samples.n; s++) {
		int64_t *v = VEC_AT(p->values, s * nst);
		double *x = ex ? VEC_AT(p->exact, s * nst) : NULL;
		bool nonzero = false;
		for (size_t t = 0; t < nst; t++) {
			if (ratio[t] != 1)
				v[t] = mt_sat_from_double(round((double)v[t] * ratio[t]));
			if (x && ratio[t] != 1)
				x[t] *= ratio[t];
			nonzero |= v[t] != 0 || (x && x[t] != 0);
		}
		if (!nonzero)
			continue;
		if (keep != s) {
			p->samples.v[keep] = p->samples.v[s];
			memmove(p->values.v + keep * nst, v, nst * sizeof *v);
			if (x)
				memmove(p->exact.v + keep * nst, x, nst * sizeof *x);
		}
		keep++;
	}
	p->samples.n = keep;
	p->values.n = keep * nst;
	if (ex)
		p->exact.n = keep * nst;
	free(ratio);
}

enum mt_status profile_copy(const struct profile *p, struct profile **out, struct mt_err *e)
{
	struct profile *srcs[1] = {(struct profile *)p};
	int one = 1;
	return profile_merge(srcs, &one, NULL, 1, out, e);
}
