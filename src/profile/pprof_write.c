/* pprof_write.c - a profile.proto encoder. Ids are written as index + 1,
 * strings in the order of the profile's own table (id 0 is ""). */
#include "profile/pprof_write.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

struct wbuf {
	uint8_t *b;
	size_t n, cap;
};

static void w_reserve(struct wbuf *w, size_t more)
{
	if (w->n + more > w->cap)
		xgrow((void **)&w->b, &w->cap, w->n + more, 1);
}

static void w_varint(struct wbuf *w, uint64_t v)
{
	w_reserve(w, 10);
	while (v >= 0x80) {
		w->b[w->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	w->b[w->n++] = (uint8_t)v;
}

static void w_tag(struct wbuf *w, uint32_t field, int wt)
{
	w_varint(w, (uint64_t)field << 3 | (uint64_t)wt);
}

static void w_uint(struct wbuf *w, uint32_t field, uint64_t v)
{
	if (!v)
		return; /* proto3 default */
	w_tag(w, field, 0);
	w_varint(w, v);
}

static void w_bytes(struct wbuf *w, uint32_t field, const void *p, size_t n)
{
	w_tag(w, field, 2);
	w_varint(w, n);
	w_reserve(w, n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* Writes sub as a length-delimited field and empties it for reuse. */
static void w_msg(struct wbuf *w, uint32_t field, struct wbuf *sub)
{
	w_bytes(w, field, sub->b, sub->n);
	sub->n = 0;
}

static void value_type(struct wbuf *w, struct wbuf *sub, uint32_t field,
		       const struct mt_value_type *vt)
{
	w_uint(sub, 1, vt->type);
	w_uint(sub, 2, vt->unit);
	w_msg(w, field, sub);
}

enum mt_status pprof_write(const struct profile *p, bool gzip, uint8_t **out,
			   size_t *outn, struct mt_err *e)
{
	struct wbuf w = {0}, sub = {0}, inner = {0};
	size_t nst = p->sample_types.n;
	for (size_t i = 0; i < nst; i++)
		value_type(&w, &sub, 1, &p->sample_types.v[i]);
	for (size_t s = 0; s < p->samples.n; s++) {
		const struct mt_sample *sm = &p->samples.v[s];
		for (uint32_t j = 0; j < sm->nloc; j++)
			w_varint(&inner, (uint64_t)p->sample_locs.v[sm->loc0 + j] + 1);
		w_msg(&sub, 1, &inner);
		const int64_t *v = profile_values(p, s);
		for (size_t t = 0; t < nst; t++)
			w_varint(&inner, (uint64_t)v[t]);
		w_msg(&sub, 2, &inner);
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *l = &p->labels.v[sm->label0 + j];
			struct wbuf lab = {0};
			w_uint(&lab, 1, l->key);
			if (l->is_num) {
				w_uint(&lab, 3, (uint64_t)l->num);
				w_uint(&lab, 4, l->unit);
			} else {
				w_uint(&lab, 2, l->str);
			}
			w_msg(&sub, 3, &lab);
			free(lab.b);
		}
		w_msg(&w, 2, &sub);
	}
	for (size_t i = 0; i < p->mappings.n; i++) {
		const struct mt_mapping *m = &p->mappings.v[i];
		w_uint(&sub, 1, i + 1);
		w_uint(&sub, 2, m->start);
		w_uint(&sub, 3, m->limit);
		w_uint(&sub, 4, m->offset);
		w_uint(&sub, 5, m->file);
		w_uint(&sub, 6, m->build_id);
		w_uint(&sub, 7, m->has_functions);
		w_uint(&sub, 8, m->has_filenames);
		w_uint(&sub, 9, m->has_line_numbers);
		w_uint(&sub, 10, m->has_inline_frames);
		w_msg(&w, 3, &sub);
	}
	for (size_t i = 0; i < p->locations.n; i++) {
		const struct mt_location *l = &p->locations.v[i];
		w_uint(&sub, 1, i + 1);
		if (l->mapping != MT_NONE)
			w_uint(&sub, 2, (uint64_t)l->mapping + 1);
		w_uint(&sub, 3, l->address);
		for (uint32_t j = 0; j < l->nline; j++) {
			const struct mt_line *ln = &p->lines.v[l->line0 + j];
			if (ln->func != MT_NONE)
				w_uint(&inner, 1, (uint64_t)ln->func + 1);
			w_uint(&inner, 2, (uint64_t)ln->line);
			w_msg(&sub, 4, &inner);
		}
		w_uint(&sub, 5, l->is_folded);
		w_msg(&w, 4, &sub);
	}
	for (size_t i = 0; i < p->functions.n; i++) {
		const struct mt_function *f = &p->functions.v[i];
		w_uint(&sub, 1, i + 1);
		w_uint(&sub, 2, f->name);
		w_uint(&sub, 3, f->system_name);
		w_uint(&sub, 4, f->filename);
		w_uint(&sub, 5, (uint64_t)f->start_line);
		w_msg(&w, 5, &sub);
	}
	for (size_t i = 0; i < p->strs.n; i++)
		w_bytes(&w, 6, profile_str(p, (mt_str)i), strtab_len(&p->strs, (mt_str)i));
	w_uint(&w, 7, p->drop_frames);
	w_uint(&w, 8, p->keep_frames);
	w_uint(&w, 9, (uint64_t)p->time_nanos);
	w_uint(&w, 10, (uint64_t)p->duration_nanos);
	if (p->period_type.type || p->period_type.unit)
		value_type(&w, &sub, 11, &p->period_type);
	w_uint(&w, 12, (uint64_t)p->period);
	for (size_t i = 0; i < p->comments.n; i++)
		w_uint(&w, 13, p->comments.v[i]);
	w_uint(&w, 14, p->default_sample_type);
	free(sub.b);
	free(inner.b);
	if (!gzip) {
		*out = w.b ? w.b : xmalloc(1);
		*outn = w.n;
		return MT_OK;
	}
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	if (!c) {
		free(w.b);
		return mt_errf(e, MT_ERR_NOMEM, "out of memory");
	}
	size_t bound = libdeflate_gzip_compress_bound(c, w.n);
	uint8_t *z = xmalloc(bound);
	size_t zn = libdeflate_gzip_compress(c, w.b, w.n, z, bound);
	libdeflate_free_compressor(c);
	free(w.b);
	if (!zn) {
		free(z);
		return mt_errf(e, MT_ERR_NOMEM, "gzip compression failed");
	}
	*out = z;
	*outn = zn;
	return MT_OK;
}
