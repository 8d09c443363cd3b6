/* pprof_read.c - a one-pass decoder of profile.proto into the flat arrays of
 * struct profile.
 *
 * Speed matters here (1M-sample heaps): nothing is allocated per sample or per
 * frame, values and location ids go straight into preallocated arrays, and
 * strings are kept as slices of the input until the end, when each is
 * interned once. References (ids, string indexes) are stored raw during the
 * pass and resolved afterwards, since the string table and the locations come
 * after the samples in what Go writes.
 */
#include "read/pprof_read.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gzstream.h"
#include "base/limits.h"
#include "base/progress.h"

const struct mt_limits mt_limits_default = MT_LIMITS_DEFAULT;

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

struct slice {
	uint32_t off, len;
};

struct rd {
	const uint8_t *base, *end;
	struct profile *p;
	const struct mt_limits *lim;
	struct mt_err *e;
	VEC(struct slice) strs;
	size_t nvalues_seen;   /* values before sample types were known */
	int late_types;        /* a sample came before its sample types */
	/* Decoding while src inflates: end is what it has inflated so far
	 * (the bytes never move), src_done once that is all. */
	struct gz_stream *src;
	bool src_done;
	size_t pinned;   /* bytes below this hold strings (slices of them) */
	size_t released; /* bytes given back to the stream up to here */
};

/* Bytes decoded between two gzs_release calls. */
#define RELEASE_STEP ((size_t)4 << 20)

#define FAIL(r, at, ...)                                                        \
	fail_at((r), (at), __VA_ARGS__)

static enum mt_status fail_at(struct rd *r, const uint8_t *at, const char *fmt,
			      ...) __attribute__((format(printf, 3, 4)));

static enum mt_status fail_at(struct rd *r, const uint8_t *at, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mt_errf(r->e, MT_ERR_CORRUPT, "%s (at byte %zu)", msg,
		       (size_t)(at - r->base));
}

/* Reads a varint; returns the new position or NULL when it runs past end or
 * over 10 bytes. */
static inline const uint8_t *varint(const uint8_t *p, const uint8_t *end,
				    uint64_t *v)
{
	if (p < end && *p < 0x80) {
		*v = *p;
		return p + 1;
	}
	uint64_t x = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (p >= end)
			return NULL;
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

/* One field header: tag and, for WT_LEN, its bounded payload. */
struct field {
	uint32_t num;
	int wt;
	uint64_t v;                  /* varint / fixed value */
	const uint8_t *data, *dend; /* payload of WT_LEN */
	const uint8_t *at;           /* where the field starts */
};

static enum mt_status next_field(struct rd *r, const uint8_t **pp,
				 const uint8_t *end, struct field *f)
{
	const uint8_t *p = *pp;
	uint64_t tag;
	memset(f, 0, sizeof *f);
	f->at = p;
	if (!(p = varint(p, end, &tag)))
		return FAIL(r, f->at, "truncated or corrupt field tag");
	f->num = (uint32_t)(tag >> 3);
	f->wt = (int)(tag & 7);
	if ((tag >> 3) == 0 || (tag >> 3) > UINT32_MAX)
		return FAIL(r, f->at, "invalid field number %" PRIu64, tag >> 3);
	switch (f->wt) {
	case WT_VARINT:
		if (!(p = varint(p, end, &f->v)))
			return FAIL(r, f->at, "truncated or corrupt varint");
		break;
	case WT_I64:
		if (end - p < 8)
			return FAIL(r, f->at, "truncated fixed64 field");
		memcpy(&f->v, p, 8);
		p += 8;
		break;
	case WT_I32: {
		uint32_t v32;
		if (end - p < 4)
			return FAIL(r, f->at, "truncated fixed32 field");
		memcpy(&v32, p, 4);
		f->v = v32;
		p += 4;
		break;
	}
	case WT_LEN: {
		uint64_t len;
		const uint8_t *lenat = p;
		if (!(p = varint(p, end, &len)))
			return FAIL(r, lenat, "truncated or corrupt length");
		if (len > (uint64_t)(end - p))
			return FAIL(r, f->at,
				    "field %u claims %" PRIu64 " bytes, only %zu left",
				    f->num, len, (size_t)(end - p));
		f->data = p;
		f->dend = p + len;
		p += len;
		break;
	}
	default:
		return FAIL(r, f->at, "unsupported wire type %d", f->wt);
	}
	*pp = p;
	return MT_OK;
}

/* A string index, checked to fit; resolved against the table later. */
static enum mt_status str_ref(struct rd *r, const struct field *f, mt_str *out)
{
	if (f->wt != WT_VARINT)
		return FAIL(r, f->at, "string index with wire type %d", f->wt);
	if (f->v >= UINT32_MAX)
		return FAIL(r, f->at, "string index %" PRIu64 " out of range", f->v);
	*out = (mt_str)f->v;
	return MT_OK;
}

static enum mt_status id_ref(struct rd *r, const struct field *f, uint64_t *out)
{
	if (f->wt != WT_VARINT)
		return FAIL(r, f->at, "id with wire type %d", f->wt);
	*out = f->v;
	return MT_OK;
}

static enum mt_status value_type(struct rd *r, const struct field *outer,
				 struct mt_value_type *vt)
{
	const uint8_t *p = outer->data;
	struct field f;
	enum mt_status st;
	memset(vt, 0, sizeof *vt);
	while (p < outer->dend) {
		if ((st = next_field(r, &p, outer->dend, &f)))
			return st;
		if (f.num == 1 && (st = str_ref(r, &f, &vt->type)))
			return st;
		if (f.num == 2 && (st = str_ref(r, &f, &vt->unit)))
			return st;
	}
	return MT_OK;
}

/* Appends the location ids of a packed field (or one unpacked id) to
 * sample_locs, narrowed to 32 bits. */
static enum mt_status packed_ids(struct rd *r, const struct field *f,
				 size_t *count)
{
	__typeof__(r->p->sample_locs) *out = &r->p->sample_locs;
	if (f->wt == WT_VARINT) {
		if (f->v >= UINT32_MAX)
			return FAIL(r, f->at, "location id %" PRIu64 " is too large",
				    f->v);
		VEC_PUSH(*out, (uint32_t)f->v);
		(*count)++;
		return MT_OK;
	}
	if (f->wt != WT_LEN)
		return FAIL(r, f->at, "location ids with wire type %d", f->wt);
	VEC_RESERVE(*out, out->n + (size_t)(f->dend - f->data));
	const uint8_t *p = f->data;
	uint32_t *dst = out->v + out->n;
	size_t k = 0;
	while (p < f->dend) {
		uint64_t v;
		if (*p < 0x80) {
			v = *p++;
		} else if (!(p = varint(p, f->dend, &v))) {
			return FAIL(r, f->at, "corrupt packed location ids");
		}
		if (v >= UINT32_MAX)
			return FAIL(r, f->at, "location id %" PRIu64 " is too large", v);
		dst[k++] = (uint32_t)v;
	}
	out->n += k;
	*count += k;
	return MT_OK;
}

static enum mt_status packed_values(struct rd *r, const struct field *f,
				    size_t *count)
{
	struct profile *p = r->p;
	if (f->wt == WT_VARINT) {
		VEC_PUSH(p->values, (int64_t)f->v);
		(*count)++;
		return MT_OK;
	}
	if (f->wt != WT_LEN)
		return FAIL(r, f->at, "sample values with wire type %d", f->wt);
	VEC_RESERVE(p->values, p->values.n + (size_t)(f->dend - f->data) + 1);
	const uint8_t *q = f->data;
	int64_t *dst = p->values.v + p->values.n;
	size_t k = 0;
	while (q < f->dend) {
		uint64_t v;
		if (!(q = varint(q, f->dend, &v)))
			return FAIL(r, f->at, "corrupt packed sample values");
		dst[k++] = (int64_t)v;
	}
	p->values.n += k;
	*count += k;
	return MT_OK;
}

static enum mt_status label(struct rd *r, const struct field *outer)
{
	struct mt_label l = {0};
	const uint8_t *p = outer->data;
	struct field f;
	enum mt_status st;
	while (p < outer->dend) {
		if ((st = next_field(r, &p, outer->dend, &f)))
			return st;
		switch (f.num) {
		case 1:
			st = str_ref(r, &f, &l.key);
			break;
		case 2:
			st = str_ref(r, &f, &l.str);
			break;
		case 3:
			l.num = (int64_t)f.v;
			break;
		case 4:
			st = str_ref(r, &f, &l.unit);
			break;
		}
		if (st)
			return st;
	}
	l.is_num = l.str == 0; /* pprof: a label without a string is numeric */
	VEC_PUSH(r->p->labels, l);
	return MT_OK;
}

static enum mt_status sample(struct rd *r, const struct field *outer)
{
	struct profile *p = r->p;
	struct mt_sample s = {.loc0 = (uint32_t)p->sample_locs.n,
			      .label0 = (uint32_t)p->labels.n};
	size_t nloc = 0, nval = 0;
	const uint8_t *q = outer->data;
	struct field f;
	enum mt_status st;
	if (p->samples.n >= r->lim->max_samples)
		return mt_errf(r->e, MT_ERR_LIMIT,
			       "more than %zu samples (--max-samples%s) (at byte %zu)",
			       r->lim->max_samples, mt_limit_sized_note(r->lim->samples_by_input),
			       (size_t)(outer->at - r->base));
	while (q < outer->dend) {
		if ((st = next_field(r, &q, outer->dend, &f)))
			return st;
		switch (f.num) {
		case 1:
			st = packed_ids(r, &f, &nloc);
			break;
		case 2:
			st = packed_values(r, &f, &nval);
			break;
		case 3:
			if (f.wt != WT_LEN)
				return FAIL(r, f.at, "label with wire type %d", f.wt);
			st = label(r, &f);
			break;
		}
		if (st)
			return st;
	}
	if (nloc > r->lim->max_frames)
		return mt_errf(r->e, MT_ERR_LIMIT,
			       "sample with %zu frames, over the limit of %zu "
			       "(--max-frames) (at byte %zu)",
			       nloc, r->lim->max_frames, (size_t)(outer->at - r->base));
	if (p->sample_locs.n > UINT32_MAX || p->labels.n > UINT32_MAX)
		return mt_errf(r->e, MT_ERR_LIMIT, "too many frames in one profile");
	if (p->sample_types.n == 0) {
		r->late_types = 1;
	} else if (!r->late_types && nval != p->sample_types.n) {
		return FAIL(r, outer->at, "sample has %zu values, expected %zu",
			    nval, p->sample_types.n);
	}
	s.nloc = (uint32_t)nloc;
	s.nlabel = (uint32_t)(p->labels.n - s.label0);
	VEC_PUSH(p->samples, s);
	return MT_OK;
}

static enum mt_status mapping(struct rd *r, const struct field *outer)
{
	struct mt_mapping m = {0};
	const uint8_t *q = outer->data;
	struct field f;
	enum mt_status st = MT_OK;
	while (q < outer->dend) {
		if ((st = next_field(r, &q, outer->dend, &f)))
			return st;
		switch (f.num) {
		case 1: st = id_ref(r, &f, &m.id); break;
		case 2: m.start = f.v; break;
		case 3: m.limit = f.v; break;
		case 4: m.offset = f.v; break;
		case 5: st = str_ref(r, &f, &m.file); break;
		case 6: st = str_ref(r, &f, &m.build_id); break;
		case 7: m.has_functions = f.v != 0; break;
		case 8: m.has_filenames = f.v != 0; break;
		case 9: m.has_line_numbers = f.v != 0; break;
		case 10: m.has_inline_frames = f.v != 0; break;
		}
		if (st)
			return st;
	}
	VEC_PUSH(r->p->mappings, m);
	return MT_OK;
}

static enum mt_status location(struct rd *r, const struct field *outer)
{
	struct profile *p = r->p;
	struct mt_location l = {.line0 = (uint32_t)p->lines.n};
	uint64_t mapping_id = 0;
	const uint8_t *q = outer->data;
	struct field f;
	enum mt_status st = MT_OK;
	while (q < outer->dend) {
		if ((st = next_field(r, &q, outer->dend, &f)))
			return st;
		switch (f.num) {
		case 1: st = id_ref(r, &f, &l.id); break;
		case 2: st = id_ref(r, &f, &mapping_id); break;
		case 3: l.address = f.v; break;
		case 4: {
			if (f.wt != WT_LEN)
				return FAIL(r, f.at, "line with wire type %d", f.wt);
			struct mt_line ln = {.func = 0, .line = 0};
			uint64_t fid = 0;
			const uint8_t *z = f.data;
			struct field g;
			while (z < f.dend) {
				if ((st = next_field(r, &z, f.dend, &g)))
					return st;
				if (g.num == 1 && (st = id_ref(r, &g, &fid)))
					return st;
				if (g.num == 2)
					ln.line = (int64_t)g.v;
			}
			if (fid >= UINT32_MAX)
				return FAIL(r, f.at, "function id %" PRIu64 " is too large",
					    fid);
			ln.func = (uint32_t)fid; /* an id until resolved */
			VEC_PUSH(p->lines, ln);
			break;
		}
		case 5: l.is_folded = f.v != 0; break;
		}
		if (st)
			return st;
	}
	if (mapping_id >= UINT32_MAX)
		return FAIL(r, outer->at, "mapping id %" PRIu64 " is too large",
			    mapping_id);
	l.mapping = (uint32_t)mapping_id; /* an id until resolved */
	l.nline = (uint32_t)(p->lines.n - l.line0);
	VEC_PUSH(p->locations, l);
	return MT_OK;
}

static enum mt_status function(struct rd *r, const struct field *outer)
{
	struct mt_function fn = {0};
	const uint8_t *q = outer->data;
	struct field f;
	enum mt_status st = MT_OK;
	while (q < outer->dend) {
		if ((st = next_field(r, &q, outer->dend, &f)))
			return st;
		switch (f.num) {
		case 1: st = id_ref(r, &f, &fn.id); break;
		case 2: st = str_ref(r, &f, &fn.name); break;
		case 3: st = str_ref(r, &f, &fn.system_name); break;
		case 4: st = str_ref(r, &f, &fn.filename); break;
		case 5: fn.start_line = (int64_t)f.v; break;
		}
		if (st)
			return st;
	}
	VEC_PUSH(r->p->functions, fn);
	return MT_OK;
}

static enum mt_status comments(struct rd *r, const struct field *f)
{
	if (f->wt == WT_VARINT) {
		if (f->v >= UINT32_MAX)
			return FAIL(r, f->at, "comment string index out of range");
		VEC_PUSH(r->p->comments, (mt_str)f->v);
		return MT_OK;
	}
	const uint8_t *q = f->data;
	while (q < f->dend) {
		uint64_t v;
		if (!(q = varint(q, f->dend, &v)) || v >= UINT32_MAX)
			return FAIL(r, f->at, "corrupt comment string indexes");
		VEC_PUSH(r->p->comments, (mt_str)v);
	}
	return MT_OK;
}

/* ---- resolving references after the pass ---- */

/* Maps ids to indexes: a direct table when ids are dense (as Go writes them),
 * else a hash table. */
struct idmap {
	uint32_t *direct; /* direct[id] = index + 1 */
	size_t ndirect;
	uint64_t *keys;
	uint32_t *vals; /* index + 1 */
	size_t nslots;
};

static void idmap_done(struct idmap *m)
{
	free(m->direct);
	free(m->keys);
	free(m->vals);
}

/* Builds the map of n ids (read by get(i)); returns the position of a
 * duplicate or zero id in *bad, or SIZE_MAX when all are fine. */
static void idmap_build(struct idmap *m, size_t n, uint64_t (*get)(const void *, size_t),
			const void *arr, size_t *bad)
{
	memset(m, 0, sizeof *m);
	*bad = SIZE_MAX;
	uint64_t maxid = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t id = get(arr, i);
		if (id > maxid)
			maxid = id;
	}
	if (maxid <= 4 * (uint64_t)n + 64) {
		m->ndirect = (size_t)maxid + 1;
		m->direct = xcalloc(m->ndirect, sizeof *m->direct);
		for (size_t i = 0; i < n; i++) {
			uint64_t id = get(arr, i);
			if (id == 0 || m->direct[id]) {
				*bad = i;
				return;
			}
			m->direct[id] = (uint32_t)i + 1;
		}
		return;
	}
	size_t ns = 16;
	while (ns < n * 2)
		ns *= 2;
	m->nslots = ns;
	m->keys = xcalloc(ns, sizeof *m->keys);
	m->vals = xcalloc(ns, sizeof *m->vals);
	for (size_t i = 0; i < n; i++) {
		uint64_t id = get(arr, i);
		if (id == 0) {
			*bad = i;
			return;
		}
		size_t s = mt_hash_u64(id) & (ns - 1);
		while (m->vals[s]) {
			if (m->keys[s] == id) {
				*bad = i;
				return;
			}
			s = (s + 1) & (ns - 1);
		}
		m->keys[s] = id;
		m->vals[s] = (uint32_t)i + 1;
	}
}

/* Index of id, or MT_NONE. */
static inline uint32_t idmap_get(const struct idmap *m, uint64_t id)
{
	if (m->direct)
		return id < m->ndirect ? m->direct[id] - 1 : MT_NONE;
	if (!m->nslots || id == 0)
		return MT_NONE;
	size_t s = mt_hash_u64(id) & (m->nslots - 1);
	while (m->vals[s]) {
		if (m->keys[s] == id)
			return m->vals[s] - 1;
		s = (s + 1) & (m->nslots - 1);
	}
	return MT_NONE;
}

static uint64_t get_map_id(const void *a, size_t i) { return ((const struct mt_mapping *)a)[i].id; }
static uint64_t get_fn_id(const void *a, size_t i) { return ((const struct mt_function *)a)[i].id; }
static uint64_t get_loc_id(const void *a, size_t i) { return ((const struct mt_location *)a)[i].id; }

struct strmap {
	mt_str *map;
	size_t n;
};

static enum mt_status rstr(struct rd *r, const struct strmap *sm, mt_str *s,
			   const char *what)
{
	if (*s >= sm->n)
		return mt_errf(r->e, MT_ERR_CORRUPT,
			       "%s refers to string %u, but the string table has %zu",
			       what, *s, sm->n);
	*s = sm->map[*s];
	return MT_OK;
}

static enum mt_status resolve(struct rd *r)
{
	struct profile *p = r->p;
	enum mt_status st = MT_OK;
	struct strmap sm = {0};
	struct idmap mm = {0}, fm = {0}, lm = {0};
	size_t bad;

	if (r->strs.n == 0 || r->strs.v[0].len != 0)
		return mt_errf(r->e, MT_ERR_CORRUPT,
			       "string table is missing or does not start with \"\"");
	sm.n = r->strs.n;
	sm.map = xmalloc(sm.n * sizeof *sm.map);
	for (size_t i = 0; i < sm.n; i++)
		sm.map[i] = strtab_intern(&p->strs, (const char *)r->base + r->strs.v[i].off,
					  r->strs.v[i].len);

#define RS(field, what)                                                        \
	do {                                                                   \
		if ((st = rstr(r, &sm, &(field), what)))                       \
			goto out;                                              \
	} while (0)
	for (size_t i = 0; i < p->sample_types.n; i++) {
		RS(p->sample_types.v[i].type, "a sample type");
		RS(p->sample_types.v[i].unit, "a sample type");
	}
	RS(p->period_type.type, "the period type");
	RS(p->period_type.unit, "the period type");
	RS(p->default_sample_type, "default_sample_type");
	RS(p->drop_frames, "drop_frames");
	RS(p->keep_frames, "keep_frames");
	for (size_t i = 0; i < p->comments.n; i++)
		RS(p->comments.v[i], "a comment");
	for (size_t i = 0; i < p->labels.n; i++) {
		RS(p->labels.v[i].key, "a label");
		RS(p->labels.v[i].str, "a label");
		RS(p->labels.v[i].unit, "a label");
	}
	for (size_t i = 0; i < p->mappings.n; i++) {
		RS(p->mappings.v[i].file, "a mapping");
		RS(p->mappings.v[i].build_id, "a mapping");
	}
	for (size_t i = 0; i < p->functions.n; i++) {
		RS(p->functions.v[i].name, "a function");
		RS(p->functions.v[i].system_name, "a function");
		RS(p->functions.v[i].filename, "a function");
	}
#undef RS

	idmap_build(&mm, p->mappings.n, get_map_id, p->mappings.v, &bad);
	if (bad != SIZE_MAX) {
		st = mt_errf(r->e, MT_ERR_CORRUPT, "mapping id %" PRIu64 " is zero or repeated",
			     p->mappings.v[bad].id);
		goto out;
	}
	idmap_build(&fm, p->functions.n, get_fn_id, p->functions.v, &bad);
	if (bad != SIZE_MAX) {
		st = mt_errf(r->e, MT_ERR_CORRUPT, "function id %" PRIu64 " is zero or repeated",
			     p->functions.v[bad].id);
		goto out;
	}
	idmap_build(&lm, p->locations.n, get_loc_id, p->locations.v, &bad);
	if (bad != SIZE_MAX) {
		st = mt_errf(r->e, MT_ERR_CORRUPT, "location id %" PRIu64 " is zero or repeated",
			     p->locations.v[bad].id);
		goto out;
	}
	for (size_t i = 0; i < p->locations.n; i++) {
		struct mt_location *l = &p->locations.v[i];
		if (l->mapping) {
			uint32_t mi = idmap_get(&mm, l->mapping);
			if (mi == MT_NONE) {
				st = mt_errf(r->e, MT_ERR_CORRUPT,
					     "location %" PRIu64 " refers to mapping %u, "
					     "which does not exist", l->id, l->mapping);
				goto out;
			}
			l->mapping = mi;
		} else {
			l->mapping = MT_NONE;
		}
	}
	for (size_t i = 0; i < p->lines.n; i++) {
		struct mt_line *ln = &p->lines.v[i];
		if (ln->func) {
			uint32_t fi = idmap_get(&fm, ln->func);
			if (fi == MT_NONE) {
				st = mt_errf(r->e, MT_ERR_CORRUPT,
					     "a line refers to function %u, which does not exist",
					     ln->func);
				goto out;
			}
			ln->func = fi;
		} else {
			ln->func = MT_NONE;
		}
	}
	uint32_t *locs = p->sample_locs.v;
	for (size_t i = 0; i < p->sample_locs.n; i++) {
		uint32_t li = idmap_get(&lm, locs[i]);
		if (li == MT_NONE) {
			size_t si = 0;
			while (si + 1 < p->samples.n && p->samples.v[si + 1].loc0 <= i)
				si++;
			st = mt_errf(r->e, MT_ERR_CORRUPT,
				     "sample %zu refers to location %u, which does not exist",
				     si, locs[i]);
			goto out;
		}
		locs[i] = li;
	}
out:
	free(sm.map);
	idmap_done(&mm);
	idmap_done(&fm);
	idmap_done(&lm);
	return st;
}

/* With a stream: waits until end covers want bytes past q, or all there
 * will be. */
static void more(struct rd *r, const uint8_t *q, uint64_t want)
{
	if (!r->src || r->src_done)
		return;
	size_t off = (size_t)(q - r->base);
	size_t need = want > SIZE_MAX - off ? SIZE_MAX : off + (size_t)want;
	if ((size_t)(r->end - r->base) >= need)
		return;
	size_t have;
	bool done;
	gzs_wait(r->src, need, &have, &done);
	r->end = r->base + have;
	r->src_done = done;
}

/* With a stream: makes the whole top-level field at q readable (its
 * header, then its payload as long as the header says), or all there is. */
static void more_field(struct rd *r, const uint8_t *q)
{
	uint64_t tag, len;
	more(r, q, 20); /* a tag and a length: two varints of 10 bytes at most */
	const uint8_t *h = q < r->end ? varint(q, r->end, &tag) : NULL;
	if (h && (tag & 7) == WT_LEN && (h = varint(h, r->end, &len)))
		more(r, h, len);
}

/* The one pass over the top-level fields. */
static enum mt_status parse(struct rd *r, size_t n)
{
	const uint8_t *data = r->base, *q = data;
	struct profile *p = r->p;
	struct mt_err *e = r->e;
	struct field f;
	enum mt_status st = MT_OK;
	p->format = MT_FMT_PPROF;
	more(r, q, 1);
	if (r->end == data)
		return mt_errf(e, MT_ERR_FORMAT, "empty file");
	/* A heap profile has about one sample per 60-100 bytes; reserving a
	 * little avoids most regrowth. Only up to 16 MiB each: memory
	 * reserved is memory committed where malloc fills what it hands out
	 * (MALLOC_PERTURB_), and a hostile input's bytes are no promise of
	 * samples (past that, doubling is a cheap mremap). */
	size_t want_s = n / 128 + 16, want_l = n / 4 + 64;
	VEC_RESERVE(p->samples, want_s < ((size_t)1 << 20) ? want_s : ((size_t)1 << 20));
	VEC_RESERVE(p->sample_locs, want_l < ((size_t)1 << 22) ? want_l : ((size_t)1 << 22));
	struct mt_progress *pg = r->lim->progress;
	const uint8_t *mark = data + MT_PROGRESS_STEP;
	for (;;) {
		/* Decoded bytes are needed no more, but for the strings. */
		size_t off = (size_t)(q - data);
		if (r->src && off >= r->released + RELEASE_STEP) {
			gzs_release(r->src, r->pinned > r->released ? r->pinned : r->released, off);
			r->released = off;
		}
		more_field(r, q);
		if (q >= r->end)
			break;
		if (pg && q >= mark) {
			mark = q + MT_PROGRESS_STEP;
			if (mt_progress_at(pg, (size_t)(q - data))) {
				st = mt_errf(e, MT_ERR_CANCELLED, "cancelled");
				goto out;
			}
		}
		if ((st = next_field(r, &q, r->end, &f)))
			goto out;
		switch (f.num) {
		case 1: {
			struct mt_value_type vt;
			if (f.wt != WT_LEN) {
				st = FAIL(r, f.at, "sample type with wire type %d", f.wt);
				goto out;
			}
			if ((st = value_type(r, &f, &vt)))
				goto out;
			VEC_PUSH(p->sample_types, vt);
			break;
		}
		case 2:
		case 3:
		case 4:
		case 5:
			if (f.wt != WT_LEN) {
				st = FAIL(r, f.at, "message field %u with wire type %d",
					  f.num, f.wt);
				goto out;
			}
			st = f.num == 2   ? sample(r, &f)
			     : f.num == 3 ? mapping(r, &f)
			     : f.num == 4 ? location(r, &f)
					  : function(r, &f);
			if (st)
				goto out;
			break;
		case 6: {
			if (f.wt != WT_LEN) {
				st = FAIL(r, f.at, "string with wire type %d", f.wt);
				goto out;
			}
			size_t len = (size_t)(f.dend - f.data);
			if (len > r->lim->max_string) {
				st = mt_err_long_string(e, len, r->lim->max_string,
							(size_t)(f.at - data));
				goto out;
			}
			struct slice s = {(uint32_t)(f.data - data), (uint32_t)len};
			if ((size_t)(f.data - data) > UINT32_MAX) {
				st = mt_errf(e, MT_ERR_LIMIT, "string table beyond 4 GiB");
				goto out;
			}
			VEC_PUSH(r->strs, s);
			r->pinned = (size_t)(f.dend - data);
			break;
		}
		case 7: st = str_ref(r, &f, &p->drop_frames); break;
		case 8: st = str_ref(r, &f, &p->keep_frames); break;
		case 9: p->time_nanos = (int64_t)f.v; break;
		case 10: p->duration_nanos = (int64_t)f.v; break;
		case 11:
			if (f.wt != WT_LEN) {
				st = FAIL(r, f.at, "period type with wire type %d", f.wt);
				goto out;
			}
			st = value_type(r, &f, &p->period_type);
			break;
		case 12: p->period = (int64_t)f.v; break;
		case 13: st = comments(r, &f); break;
		case 14: st = str_ref(r, &f, &p->default_sample_type); break;
		}
		if (st)
			goto out;
	}
	if (r->late_types && p->values.n != p->samples.n * p->sample_types.n) {
		st = mt_errf(e, MT_ERR_CORRUPT,
			     "samples have %zu values in all, expected %zu x %zu",
			     p->values.n, p->samples.n, p->sample_types.n);
		goto out;
	}
	if (p->samples.n && p->sample_types.n == 0) {
		st = mt_errf(e, MT_ERR_CORRUPT, "samples but no sample types");
		goto out;
	}
	st = resolve(r);
out:
	return st;
}

enum mt_status pprof_parse(const uint8_t *data, size_t n, struct profile *p,
			   const struct mt_limits *lim, struct mt_err *e)
{
	struct rd r = {.base = data, .end = data + n, .p = p, .e = e,
		       .lim = lim ? lim : &mt_limits_default};
	enum mt_status st = parse(&r, n);
	free(r.strs.v);
	return st;
}

enum mt_status pprof_parse_stream(struct gz_stream *s, struct profile *p,
				  const struct mt_limits *lim, struct mt_err *e)
{
	size_t have;
	bool done;
	const uint8_t *base = gzs_wait(s, 0, &have, &done);
	struct rd r = {.base = base, .end = base + have, .p = p, .e = e,
		       .lim = lim ? lim : &mt_limits_default, .src = s, .src_done = done};
	enum mt_status st = parse(&r, gzs_size_hint(s));
	free(r.strs.v);
	/* As if inflated first: an error of the gzip stream comes before
	 * what the decoder found in the bytes it had. */
	if (st != MT_ERR_CANCELLED) {
		struct mt_err ge = {{0}};
		enum mt_status gs = gzs_finish(s, &have, &ge);
		if (gs) {
			*e = ge;
			st = gs;
		}
	}
	return st;
}

int pprof_sniff(const uint8_t *data, size_t n)
{
	/* A profile starts with a field of the Profile message, most often
	 * sample_type (1), with the wire type that field has. Only the tag is
	 * checked: a corrupt length is the reader's to report, with its
	 * position. */
	if (n < 2)
		return 0;
	uint64_t tag;
	if (!varint(data, data + n, &tag))
		return 0;
	uint64_t num = tag >> 3, wt = tag & 7;
	if (num < 1 || num > 14)
		return 0;
	bool len_field = num <= 6 || num == 11 || num == 13;
	if (len_field ? wt != WT_LEN : wt != WT_VARINT)
		return 0;
	/* Text that happens to start like a tag is text: a real profile has
	 * control bytes (tags, small varints) within its first bytes. */
	size_t k = n < 64 ? n : 64;
	for (size_t i = 0; i < k; i++)
		if ((data[i] < 0x20 && data[i] != '\n' && data[i] != '\t' &&
		     data[i] != '\r') || data[i] > 0x7e)
			return 1;
	return 0;
}
