/* store_read.c - reading snapshots back: one profile with exactly the
 * numbers it was stored with, and the list of snapshots. Every BLOB is
 * decoded with bounds checks: a damaged database is an error, not a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

typedef VEC(mt_str) str_vec;
struct stk_range {
	uint32_t loc0, nloc;
};

/* A block of stacks as read: stack first + j at bytes + off[j] (its
 * length + 1, then its encoding). */
struct stk_block {
	int64_t first, n;
	uint8_t *bytes;
	size_t len;
	uint32_t *off;
};

/* The state of one load. */
struct ld {
	struct store *s;
	struct profile *p;
	struct idmap maps, funcs, locs, stacks; /* db id -> local index + 1 */
	VEC(struct stk_range) stk;
	VEC(struct stk_block) blocks; /* of stacks read, sorted by first id */
	int64_t snap;
	int64_t nsample; /* as the snapshot row says */
	struct mt_err *e;
};

static enum mt_status bad(struct ld *l, const char *what)
{
	return mt_errf(l->e, MT_ERR_CORRUPT, "snapshot @%lld: bad %s in the database",
		       (long long)l->snap, what);
}

static mt_str intern_col(struct profile *p, sqlite3_stmt *q, int col)
{
	const char *t = (const char *)sqlite3_column_text(q, col);
	return t ? strtab_intern(&p->strs, t, (size_t)sqlite3_column_bytes(q, col)) : 0;
}

/* Fetches the row of id with the cached statement `which` (sql), or sets
 * *st and returns NULL: a missing row means a damaged database. */
static sqlite3_stmt *row_by_id(struct ld *l, int which, const char *sql, int64_t id,
			       const char *what, enum mt_status *st)
{
	sqlite3_stmt *q = store_stmt(l->s, which, sql, l->e);
	if (!q) {
		*st = MT_ERR_DB;
		return NULL;
	}
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		*st = bad(l, what);
		return NULL;
	}
	return q;
}

/* Returns the local index of mapping id, reading it on first use. */
static uint32_t load_mapping(struct ld *l, int64_t id, enum mt_status *st)
{
	uint32_t v = im_get(&l->maps, id);
	if (v)
		return v - 1;
	sqlite3_stmt *q = row_by_id(l, ST_GET_MAP,
		"SELECT start, lim, off, flags, file, build_id FROM mapping WHERE id = ?",
		id, "mapping", st);
	if (!q)
		return 0;
	int64_t flags = sqlite3_column_int64(q, 3);
	struct mt_mapping m = {
		.id = (uint64_t)id,
		.start = (uint64_t)sqlite3_column_int64(q, 0),
		.limit = (uint64_t)sqlite3_column_int64(q, 1),
		.offset = (uint64_t)sqlite3_column_int64(q, 2),
		.file = intern_col(l->p, q, 4),
		.build_id = intern_col(l->p, q, 5),
		.has_functions = flags & 1,
		.has_filenames = flags >> 1 & 1,
		.has_line_numbers = flags >> 2 & 1,
		.has_inline_frames = flags >> 3 & 1,
	};
	sqlite3_reset(q);
	VEC_PUSH(l->p->mappings, m);
	im_put(&l->maps, id, (uint32_t)l->p->mappings.n);
	return (uint32_t)l->p->mappings.n - 1;
}

static uint32_t load_function(struct ld *l, int64_t id, enum mt_status *st)
{
	uint32_t v = im_get(&l->funcs, id);
	if (v)
		return v - 1;
	sqlite3_stmt *q = row_by_id(l, ST_GET_FUNC,
		"SELECT name, system_name, filename, start_line FROM function "
		"WHERE id = ?",
		id, "function", st);
	if (!q)
		return 0;
	struct mt_function f = {
		.id = (uint64_t)id,
		.name = intern_col(l->p, q, 0),
		.system_name = intern_col(l->p, q, 1),
		.filename = intern_col(l->p, q, 2),
		.start_line = sqlite3_column_int64(q, 3),
	};
	sqlite3_reset(q);
	VEC_PUSH(l->p->functions, f);
	im_put(&l->funcs, id, (uint32_t)l->p->functions.n);
	return (uint32_t)l->p->functions.n - 1;
}

static uint32_t load_location(struct ld *l, int64_t id, enum mt_status *st)
{
	uint32_t v = im_get(&l->locs, id);
	if (v)
		return v - 1;
	sqlite3_stmt *q = row_by_id(l, ST_GET_LOC,
		"SELECT mapping, address, folded, lines FROM location WHERE id = ?",
		id, "location", st);
	if (!q)
		return 0;
	int64_t map = sqlite3_column_int64(q, 0);
	struct mt_location loc = {
		.id = (uint64_t)id,
		.address = (uint64_t)sqlite3_column_int64(q, 1),
		.is_folded = sqlite3_column_int(q, 2) != 0,
		.mapping = MT_NONE,
	};
	/* Copy the lines: loading functions reuses other statements. */
	size_t n = (size_t)sqlite3_column_bytes(q, 3);
	uint8_t *b = xmalloc(n + 1);
	if (n)
		memcpy(b, sqlite3_column_blob(q, 3), n);
	sqlite3_reset(q);
	if (map && (loc.mapping = load_mapping(l, map, st), *st)) {
		free(b);
		return 0;
	}
	VEC(struct mt_line) lines = {0};
	struct cur c = cur_of(b, n);
	while (c.ok && c.p < c.end) {
		int64_t f = (int64_t)get_uv(&c);
		struct mt_line ln = {.func = MT_NONE, .line = get_sv(&c)};
		if (!c.ok)
			break;
		if (f && (ln.func = load_function(l, f, st), *st))
			break;
		VEC_PUSH(lines, ln);
	}
	free(b);
	if (!*st && !c.ok)
		*st = bad(l, "location lines");
	if (*st) {
		free(lines.v);
		return 0;
	}
	loc.line0 = (uint32_t)l->p->lines.n;
	loc.nline = (uint32_t)lines.n;
	for (size_t i = 0; i < lines.n; i++)
		VEC_PUSH(l->p->lines, lines.v[i]);
	free(lines.v);
	VEC_PUSH(l->p->locations, loc);
	im_put(&l->locs, id, (uint32_t)l->p->locations.n);
	return (uint32_t)l->p->locations.n - 1;
}

/* Reads the snapshot row into the profile's header fields. */
static enum mt_status load_header(struct ld *l, str_vec *strs)
{
	struct profile *p = l->p;
	sqlite3_stmt *q = store_stmt(l->s, ST_GET_SNAP,
		"SELECT format, sample_types, default_type, period_type, period_unit, "
		"period, time_nanos, duration_nanos, drop_frames, keep_frames, comments, "
		"mappings, strings, nsample FROM snapshot WHERE id = ?", l->e);
	if (!q)
		return MT_ERR_DB;
	sqlite3_bind_int64(q, 1, l->snap);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		return mt_errf(l->e, MT_ERR_NOTFOUND, "no snapshot @%lld in %s",
			       (long long)l->snap, store_path(l->s));
	if (rc != SQLITE_ROW)
		return store_dberr(l->s, l->e, "reading a snapshot");
	p->format = (enum mt_format)sqlite3_column_int(q, 0);
	l->nsample = sqlite3_column_int64(q, 13);
	VEC(mt_str) tmp = {0};
	struct {
		const uint8_t *b;
		size_t n;
	} col[13];
	for (int i = 0; i < 13; i++) {
		col[i].b = sqlite3_column_blob(q, i);
		col[i].n = (size_t)sqlite3_column_bytes(q, i);
	}
	bool ok = true;
	/* sample types: pairs of strings */
	{
		const uint8_t *b = col[1].b;
		size_t n = col[1].n, i = 0;
		while (ok && i < n) {
			const uint8_t *z = memchr(b + i, 0, n - i);
			if (!z) {
				ok = false;
				break;
			}
			VEC_PUSH(tmp, strtab_intern(&p->strs, (const char *)b + i,
						    (size_t)(z - b - i)));
			i = (size_t)(z - b) + 1;
		}
		if (tmp.n % 2)
			ok = false;
		for (size_t j = 0; ok && j + 1 < tmp.n; j += 2)
			VEC_PUSH(p->sample_types,
				 ((struct mt_value_type){tmp.v[j], tmp.v[j + 1]}));
		tmp.n = 0;
	}
	p->default_sample_type = intern_col(p, q, 2);
	p->period_type.type = intern_col(p, q, 3);
	p->period_type.unit = intern_col(p, q, 4);
	p->period = sqlite3_column_int64(q, 5);
	p->time_nanos = sqlite3_column_int64(q, 6);
	p->duration_nanos = sqlite3_column_int64(q, 7);
	p->drop_frames = intern_col(p, q, 8);
	p->keep_frames = intern_col(p, q, 9);
	for (size_t i = 0; ok && i < col[10].n;) {
		const uint8_t *z = memchr(col[10].b + i, 0, col[10].n - i);
		if (!z) {
			ok = false;
			break;
		}
		VEC_PUSH(p->comments, strtab_intern(&p->strs, (const char *)col[10].b + i,
						    (size_t)(z - col[10].b - i)));
		i = (size_t)(z - col[10].b) + 1;
	}
	for (size_t i = 0; ok && i < col[12].n;) {
		const uint8_t *z = memchr(col[12].b + i, 0, col[12].n - i);
		if (!z) {
			ok = false;
			break;
		}
		VEC_PUSH(*strs, strtab_intern(&p->strs, (const char *)col[12].b + i,
					      (size_t)(z - col[12].b - i)));
		i = (size_t)(z - col[12].b) + 1;
	}
	/* Copy the mapping ids: loading them reuses statements. */
	size_t nm = col[11].n;
	uint8_t *mb = xmalloc(nm + 1);
	if (nm)
		memcpy(mb, col[11].b, nm);
	sqlite3_reset(q);
	free(tmp.v);
	if (!ok) {
		free(mb);
		return bad(l, "snapshot strings");
	}
	struct cur c = cur_of(mb, nm);
	enum mt_status st = MT_OK;
	while (!st && c.ok && c.p < c.end) {
		int64_t id = (int64_t)get_uv(&c);
		if (c.ok)
			load_mapping(l, id, &st);
	}
	free(mb);
	if (!st && !c.ok)
		st = bad(l, "mapping list");
	return st;
}

/* Decodes one sample's stack (shared by every sample with the same stack). */
static enum mt_status load_stack(struct ld *l, int64_t id, const uint8_t *b, size_t n,
				 uint32_t *loc0, uint32_t *nloc)
{
	uint32_t v = im_get(&l->stacks, id);
	if (v) {
		*loc0 = l->stk.v[v - 1].loc0;
		*nloc = l->stk.v[v - 1].nloc;
		return MT_OK;
	}
	enum mt_status st = MT_OK;
	struct profile *p = l->p;
	size_t start = p->sample_locs.n;
	struct cur c = cur_of(b, n);
	while (c.ok && c.p < c.end) {
		int64_t lid = (int64_t)get_uv(&c);
		if (!c.ok)
			break;
		uint32_t li = load_location(l, lid, &st);
		if (st)
			return st;
		VEC_PUSH(p->sample_locs, li);
	}
	if (!c.ok)
		return bad(l, "stack");
	*loc0 = (uint32_t)start;
	*nloc = (uint32_t)(p->sample_locs.n - start);
	VEC_RESERVE(l->stk, l->stk.n + 1);
	l->stk.v[l->stk.n].loc0 = *loc0;
	l->stk.v[l->stk.n].nloc = *nloc;
	l->stk.n++;
	im_put(&l->stacks, id, (uint32_t)l->stk.n);
	return MT_OK;
}

/* Finds (reading it on first use) the block of stack id; NULL with *st
 * set when there is none or it is damaged. */
static struct stk_block *find_block(struct ld *l, int64_t id, enum mt_status *st)
{
	size_t lo = 0, hi = l->blocks.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->blocks.v[mid].first + l->blocks.v[mid].n <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->blocks.n && l->blocks.v[lo].first <= id &&
	    id - l->blocks.v[lo].first < l->blocks.v[lo].n)
		return &l->blocks.v[lo];
	sqlite3_stmt *q = store_stmt(l->s, ST_GET_STACK,
		"SELECT id, n, locs FROM stack WHERE id <= ? ORDER BY id DESC LIMIT 1", l->e);
	if (!q) {
		*st = MT_ERR_DB;
		return NULL;
	}
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		*st = rc == SQLITE_DONE ? bad(l, "stack id") : store_dberr(l->s, l->e, "reading stacks");
		sqlite3_reset(q);
		return NULL;
	}
	struct stk_block b = {.first = sqlite3_column_int64(q, 0), .n = sqlite3_column_int64(q, 1)};
	size_t len = (size_t)sqlite3_column_bytes(q, 2);
	/* The row SQLite found need not hold id in a crafted database (an id
	 * column that is no integer compares otherwise): checked here, with
	 * no sum that could overflow. */
	if (b.n <= 0 || b.n > STACK_BLOCK || b.first > INT64_MAX - STACK_BLOCK || id < b.first ||
	    id - b.first >= b.n) {
		sqlite3_reset(q);
		*st = bad(l, "stack id");
		return NULL;
	}
	b.bytes = xmalloc(len + 1);
	if (len)
		memcpy(b.bytes, sqlite3_column_blob(q, 2), len);
	sqlite3_reset(q);
	b.off = xmalloc((size_t)b.n * sizeof *b.off);
	struct cur c = cur_of(b.bytes, len);
	int64_t j = 0;
	const uint8_t *sp;
	size_t sn;
	bool live;
	for (const uint8_t *at = c.p; j < b.n && stack_next(&c, &sp, &sn, &live); j++) {
		b.off[j] = (uint32_t)(at - b.bytes);
		at = c.p;
	}
	if (!c.ok || j != b.n || c.p != c.end) {
		free(b.bytes);
		free(b.off);
		*st = bad(l, "stack block");
		return NULL;
	}
	b.len = len;
	/* The cache is searched as disjoint ranges in order: blocks that
	 * overlap (a damaged database) are refused, never cached. */
	if ((lo > 0 && l->blocks.v[lo - 1].first + l->blocks.v[lo - 1].n > b.first) ||
	    (lo < l->blocks.n && b.first + b.n > l->blocks.v[lo].first)) {
		free(b.bytes);
		free(b.off);
		*st = bad(l, "stack blocks (they overlap)");
		return NULL;
	}
	VEC_RESERVE(l->blocks, l->blocks.n + 1);
	memmove(l->blocks.v + lo + 1, l->blocks.v + lo, (l->blocks.n - lo) * sizeof b);
	l->blocks.v[lo] = b;
	l->blocks.n++;
	return &l->blocks.v[lo];
}

/* The locations of stack id, read and decoded on first use. */
static enum mt_status load_stack_id(struct ld *l, int64_t id, uint32_t *loc0,
				    uint32_t *nloc)
{
	uint32_t v = im_get(&l->stacks, id);
	if (v) {
		*loc0 = l->stk.v[v - 1].loc0;
		*nloc = l->stk.v[v - 1].nloc;
		return MT_OK;
	}
	enum mt_status st = MT_OK;
	struct stk_block *b = find_block(l, id, &st);
	if (!b)
		return st;
	/* Checked when the block was read: the length fits in the block. */
	struct cur c = {b->bytes + b->off[id - b->first], b->bytes + b->len, true};
	const uint8_t *sp;
	size_t n;
	bool live;
	if (!stack_next(&c, &sp, &n, &live) || !live)
		return bad(l, "stack id (a removed stack)");
	return load_stack(l, id, sp, n, loc0, nloc);
}

/* Decodes one chunk of n samples into the profile. */
static enum mt_status load_chunk(struct ld *l, size_t n, sqlite3_stmt *q,
				 const mt_str *strs, size_t nstrs)
{
	struct profile *p = l->p;
	size_t nst = p->sample_types.n;
	const uint8_t *sb = sqlite3_column_blob(q, 1), *vb = sqlite3_column_blob(q, 2),
		      *lb = sqlite3_column_blob(q, 3);
	struct cur cs = cur_of(sb, sqlite3_column_bytes(q, 1));
	struct cur cv = cur_of(vb, sqlite3_column_bytes(q, 2));
	struct cur cl = cur_of(lb, sqlite3_column_bytes(q, 3));
	/* Exact estimates: in every chunk of a snapshot or in none. */
	if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
		const uint8_t *xb = sqlite3_column_blob(q, 4);
		if ((size_t)sqlite3_column_bytes(q, 4) != n * nst * 8 ||
		    p->exact.n != p->values.n)
			return bad(l, "exact sample values");
		VEC_RESERVE(p->exact, p->exact.n + n * nst);
		for (size_t i = 0; i < n * nst; i++)
			p->exact.v[p->exact.n++] = get_f64(xb + 8 * i);
	} else if (p->exact.n) {
		return bad(l, "exact sample values");
	}
	VEC_RESERVE(p->values, p->values.n + n * nst);
	VEC_RESERVE(p->samples, p->samples.n + n);
	for (size_t i = 0; i < n; i++) {
		struct mt_sample sm = {0};
		int64_t sid = (int64_t)get_uv(&cs);
		if (!cs.ok)
			return bad(l, "sample stacks");
		enum mt_status st = load_stack_id(l, sid, &sm.loc0, &sm.nloc);
		if (st)
			return st;
		for (size_t j = 0; j < nst; j++)
			p->values.v[p->values.n + j] = get_sv(&cv);
		p->values.n += nst;
		if (!cv.ok)
			return bad(l, "sample values");
		sm.label0 = (uint32_t)p->labels.n;
		uint64_t nl = lb ? get_uv(&cl) : 0;
		for (uint64_t j = 0; cl.ok && j < nl; j++) {
			struct mt_label lab = {0};
			uint64_t k = get_uv(&cl);
			lab.is_num = get_uv(&cl) & 1;
			if (lab.is_num)
				lab.num = get_sv(&cl);
			uint64_t s2 = get_uv(&cl);
			if (!cl.ok || k >= nstrs || s2 >= nstrs) {
				cl.ok = false;
				break;
			}
			lab.key = strs[k];
			if (lab.is_num)
				lab.unit = strs[s2];
			else
				lab.str = strs[s2];
			VEC_PUSH(p->labels, lab);
		}
		if (!cl.ok)
			return bad(l, "sample labels");
		sm.nlabel = (uint32_t)(p->labels.n - sm.label0);
		VEC_PUSH(p->samples, sm);
	}
	if (cs.p != cs.end || cv.p != cv.end || cl.p != cl.end)
		return bad(l, "sample chunk");
	return MT_OK;
}

/* Reads the samples in their stored order, chunk by chunk; nsample is
 * what the snapshot row says it holds. */
static enum mt_status load_samples(struct ld *l, const mt_str *strs, size_t nstrs,
				   int64_t nsample)
{
	sqlite3_stmt *q = store_stmt(l->s, ST_GET_CHUNKS,
		"SELECT n, stacks, vals, labels, exact FROM chunk WHERE snapshot = ? "
		"ORDER BY seq", l->e);
	if (!q)
		return MT_ERR_DB;
	sqlite3_bind_int64(q, 1, l->snap);
	enum mt_status st = MT_OK;
	int rc;
	while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 0);
		if (n < 0 || nsample < 0 || n > nsample - (int64_t)l->p->samples.n)
			st = bad(l, "sample count");
		else
			st = load_chunk(l, (size_t)n, q, strs, nstrs);
	}
	if (!st && rc != SQLITE_DONE)
		st = store_dberr(l->s, l->e, "reading samples");
	if (!st && (int64_t)l->p->samples.n != nsample)
		st = bad(l, "sample count");
	sqlite3_reset(q);
	return st;
}

enum mt_status store_load(struct store *s, int64_t id, struct profile **out,
			  struct mt_err *e)
{
	struct ld l = {.s = s, .p = profile_new(), .snap = id, .e = e};
	str_vec strs = {0};
	/* One read transaction: a concurrent writer cannot tear the snapshot. */
	enum mt_status st = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
				    ? MT_OK
				    : store_dberr(s, e, "reading");
	if (!st)
		st = load_header(&l, &strs);
	if (!st)
		st = load_samples(&l, strs.v, strs.n, l.nsample);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (!st)
		st = profile_check(l.p, e);
	im_clear(&l.maps);
	im_clear(&l.funcs);
	im_clear(&l.locs);
	im_clear(&l.stacks);
	free(l.stk.v);
	for (size_t i = 0; i < l.blocks.n; i++) {
		free(l.blocks.v[i].bytes);
		free(l.blocks.v[i].off);
	}
	free(l.blocks.v);
	free(strs.v);
	if (st) {
		profile_free(l.p);
		return st;
	}
	*out = l.p;
	return MT_OK;
}

enum mt_status store_scan_values(struct store *s, int64_t id, int index,
				 void (*fn)(void *ctx, int64_t stack, int64_t value),
				 void *ctx, struct mt_err *e)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT c.n, c.stacks, c.vals, t.sample_types FROM chunk c "
				      "JOIN snapshot t ON t.id = c.snapshot WHERE c.snapshot = ? "
				      "ORDER BY c.seq", -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "reading samples");
	sqlite3_bind_int64(q, 1, id);
	enum mt_status st = MT_OK;
	int rc;
	while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 0);
		const uint8_t *tb = sqlite3_column_blob(q, 3);
		int64_t nst = 0;
		for (int k = 0; k < sqlite3_column_bytes(q, 3); k++)
			nst += tb[k] == 0;
		nst /= 2; /* type NUL unit NUL */
		const uint8_t *sb = sqlite3_column_blob(q, 1), *vb = sqlite3_column_blob(q, 2);
		struct cur cs = cur_of(sb, sqlite3_column_bytes(q, 1));
		struct cur cv = cur_of(vb, sqlite3_column_bytes(q, 2));
		if (index < 0 || index >= nst) {
			st = mt_errf(e, MT_ERR_USAGE, "snapshot @%lld has %lld sample types",
				     (long long)id, (long long)nst);
			break;
		}
		for (int64_t i = 0; i < n && cs.ok && cv.ok; i++) {
			int64_t stack = (int64_t)get_uv(&cs), v = 0;
			for (int64_t j = 0; j < nst; j++) {
				int64_t x = get_sv(&cv);
				if (j == index)
					v = x;
			}
			if (cs.ok && cv.ok)
				fn(ctx, stack, v);
		}
		if (!cs.ok || !cv.ok)
			st = mt_errf(e, MT_ERR_CORRUPT, "snapshot @%lld: bad samples in the "
				     "database", (long long)id);
	}
	if (!st && rc != SQLITE_DONE)
		st = store_dberr(s, e, "reading samples");
	sqlite3_finalize(q);
	return st;
}

enum mt_status store_scan_samples(struct store *s, int64_t id, int index,
				  const struct store_scan *fn, struct mt_err *e)
{
	sqlite3_stmt *q;
	enum mt_status st = MT_OK;
	/* The snapshot's label strings, as pointers into a copy of the BLOB. */
	if (sqlite3_prepare_v2(s->db, "SELECT strings, sample_types FROM snapshot WHERE id = ?",
			       -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "reading a snapshot");
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		return rc == SQLITE_DONE ? mt_errf(e, MT_ERR_NOTFOUND, "no snapshot @%lld in %s",
						   (long long)id, store_path(s))
					 : store_dberr(s, e, "reading a snapshot");
	}
	size_t nb = (size_t)sqlite3_column_bytes(q, 0);
	char *blob = xmalloc(nb + 1);
	if (nb)
		memcpy(blob, sqlite3_column_blob(q, 0), nb);
	blob[nb] = 0;
	int64_t nst = 0;
	const uint8_t *tb = sqlite3_column_blob(q, 1);
	for (int k = 0; k < sqlite3_column_bytes(q, 1); k++)
		nst += tb[k] == 0;
	nst /= 2; /* type NUL unit NUL */
	sqlite3_finalize(q);
	VEC(const char *) strs = {0};
	for (size_t i = 0; i < nb;) {
		const char *z = memchr(blob + i, 0, nb - i);
		if (!z)
			break;
		VEC_PUSH(strs, blob + i);
		i = (size_t)(z - blob) + 1;
	}
	if (!strs.n)
		VEC_PUSH(strs, "");
	if (index < 0 || index >= nst) {
		st = mt_errf(e, MT_ERR_USAGE, "snapshot @%lld has %lld sample types", (long long)id,
			     (long long)nst);
		goto out;
	}
	if (fn->strings)
		fn->strings(fn->ctx, strs.v, strs.n);
	if (sqlite3_prepare_v2(s->db, "SELECT n, stacks, vals, labels FROM chunk WHERE "
				      "snapshot = ? ORDER BY seq", -1, &q, NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "reading samples");
		goto out;
	}
	sqlite3_bind_int64(q, 1, id);
	VEC(struct store_label) lab = {0};
	while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 0);
		const uint8_t *sb = sqlite3_column_blob(q, 1), *vb = sqlite3_column_blob(q, 2),
			      *lb = sqlite3_column_blob(q, 3);
		struct cur cs = cur_of(sb, sqlite3_column_bytes(q, 1));
		struct cur cv = cur_of(vb, sqlite3_column_bytes(q, 2));
		struct cur cl = cur_of(lb, sqlite3_column_bytes(q, 3));
		for (int64_t i = 0; i < n && cs.ok && cv.ok && cl.ok; i++) {
			int64_t stack = (int64_t)get_uv(&cs), v = 0;
			for (int64_t j = 0; j < nst; j++) {
				int64_t x = get_sv(&cv);
				if (j == index)
					v = x;
			}
			uint64_t nl = lb ? get_uv(&cl) : 0;
			lab.n = 0;
			for (uint64_t j = 0; cl.ok && j < nl; j++) {
				struct store_label l = {0};
				uint64_t k = get_uv(&cl);
				l.is_num = get_uv(&cl) & 1;
				if (l.is_num)
					l.num = get_sv(&cl);
				uint64_t s2 = get_uv(&cl);
				if (!cl.ok || k >= strs.n || s2 >= strs.n) {
					cl.ok = false;
					break;
				}
				l.key = (uint32_t)k;
				if (l.is_num)
					l.unit = (uint32_t)s2;
				else
					l.str = (uint32_t)s2;
				VEC_PUSH(lab, l);
			}
			if (cs.ok && cv.ok && cl.ok)
				fn->sample(fn->ctx, stack, v, lab.v, lab.n);
		}
		if (!cs.ok || !cv.ok || !cl.ok)
			st = mt_errf(e, MT_ERR_CORRUPT, "snapshot @%lld: bad samples in the "
				     "database", (long long)id);
	}
	if (!st && rc != SQLITE_DONE)
		st = store_dberr(s, e, "reading samples");
	sqlite3_finalize(q);
	free(lab.v);
out:
	free(strs.v);
	free(blob);
	return st;
}

enum mt_status store_load_stacks(struct store *s, const int64_t *ids, size_t n,
				 struct profile **out, struct mt_err *e)
{
	struct ld l = {.s = s, .p = profile_new(), .snap = 0, .e = e};
	enum mt_status st = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
				    ? MT_OK
				    : store_dberr(s, e, "reading");
	VEC_RESERVE(l.p->samples, n);
	for (size_t i = 0; i < n && !st; i++) {
		struct mt_sample sm = {0};
		if (!(st = load_stack_id(&l, ids[i], &sm.loc0, &sm.nloc)))
			VEC_PUSH(l.p->samples, sm);
	}
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	im_clear(&l.maps);
	im_clear(&l.funcs);
	im_clear(&l.locs);
	im_clear(&l.stacks);
	free(l.stk.v);
	for (size_t i = 0; i < l.blocks.n; i++) {
		free(l.blocks.v[i].bytes);
		free(l.blocks.v[i].off);
	}
	free(l.blocks.v);
	if (st) {
		profile_free(l.p);
		return st;
	}
	*out = l.p;
	return MT_OK;
}

enum mt_status store_list(struct store *s, struct store_list *out, struct mt_err *e)
{
	sqlite3_stmt *q;
	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, kind, source, time, sample_types, default_type, "
			       "total, nsample FROM snapshot ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "listing snapshots");
	VEC(struct store_entry) v = {0};
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_entry en = {
			.id = sqlite3_column_int64(q, 0),
			.kind = xstrdup(col_str(q, 1)),
			.source = xstrdup(col_str(q, 2)),
			.time = sqlite3_column_int64(q, 3),
			.total = sqlite3_column_int64(q, 6),
			.nsample = sqlite3_column_int64(q, 7),
			.default_index = -1,
		};
		const char *b = sqlite3_column_blob(q, 4);
		size_t n = (size_t)sqlite3_column_bytes(q, 4);
		const char *def = (const char *)sqlite3_column_text(q, 5);
		for (size_t i = 0, k = 0; i < n; k++) {
			const char *z = memchr(b + i, 0, n - i);
			if (!z)
				break;
			if (k % 2 == 0) {
				en.types = xrealloc(en.types, (en.ntypes + 1) * sizeof *en.types);
				en.units = xrealloc(en.units, (en.ntypes + 1) * sizeof *en.units);
				en.types[en.ntypes] = xstrndup(b + i, (size_t)(z - b - i));
				en.units[en.ntypes] = xstrdup("");
				if (def && *def && strcmp(en.types[en.ntypes], def) == 0)
					en.default_index = (int)en.ntypes;
				en.ntypes++;
			} else {
				free(en.units[en.ntypes - 1]);
				en.units[en.ntypes - 1] = xstrndup(b + i, (size_t)(z - b - i));
			}
			i = (size_t)(z - b) + 1;
		}
		if (en.default_index < 0)
			en.default_index = (int)en.ntypes - 1;
		VEC_PUSH(v, en);
	}
	sqlite3_finalize(q);
	out->v = v.v;
	out->n = v.n;
	if (rc != SQLITE_DONE) {
		store_list_done(out);
		return store_dberr(s, e, "listing snapshots");
	}
	return MT_OK;
}

void store_list_done(struct store_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].kind);
		free(l->v[i].source);
		for (size_t j = 0; j < l->v[i].ntypes; j++) {
			free(l->v[i].types[j]);
			free(l->v[i].units[j]);
		}
		free(l->v[i].types);
		free(l->v[i].units);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
