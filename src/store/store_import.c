/* store_import.c - importing a profile as a snapshot: its mappings,
 * functions, locations and stacks deduplicated against what the database
 * holds (caches filled once per connection while no other one writes),
 * its samples in chunks, all in one transaction. */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile/nodes.h"
#include "base/sha256.h"
#include "store/store_int.h"

static enum mt_status fill_caches(struct store *s, struct mt_err *e)
{
	static const char *const sql[] = {
		"SELECT id, start, lim, off, flags, file, build_id FROM mapping",
		"SELECT id, start_line, name, system_name, filename FROM function",
		"SELECT id, mapping, address, folded, lines FROM location",
		"SELECT id, n, locs FROM stack",
	};
	struct keymap *maps[] = {&s->maps, &s->funcs, &s->locs};
	mt_bytes k = {0};
	for (int t = 0; t < 4; t++) {
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(s->db, sql[t], -1, &q, NULL) != SQLITE_OK) {
			free(k.v);
			return store_dberr(s, e, "reading the database");
		}
		int rc;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			k.n = 0;
			if (t == 3) {
				int64_t id = sqlite3_column_int64(q, 0), n = sqlite3_column_int64(q, 1);
				const uint8_t *b = sqlite3_column_blob(q, 2), *sp;
				struct cur c = cur_of(b, sqlite3_column_bytes(q, 2));
				size_t len;
				bool live;
				int64_t j = 0;
				for (; stack_next(&c, &sp, &len, &live); j++)
					if (live)
						hm_add(&s->stacks, mt_hash(sp, len, STACK_SEED1),
						       mt_hash(sp, len, STACK_SEED2), id + j);
				if (!c.ok || j != n) {
					sqlite3_finalize(q);
					free(k.v);
					return mt_errf(e, MT_ERR_CORRUPT, "stacks @%lld: bad encoding "
						       "in the database", (long long)id);
				}
				continue;
			}
			if (t == 0) {
				for (int c = 1; c <= 4; c++)
					put_uv(&k, (uint64_t)sqlite3_column_int64(q, c));
				put_str(&k, col_str(q, 5));
				put_str(&k, col_str(q, 6));
			} else if (t == 1) {
				put_sv(&k, sqlite3_column_int64(q, 1));
				for (int c = 2; c <= 4; c++)
					put_str(&k, col_str(q, c));
			} else {
				put_uv(&k, (uint64_t)sqlite3_column_int64(q, 1));
				put_uv(&k, (uint64_t)sqlite3_column_int64(q, 2));
				put_uv(&k, (uint64_t)sqlite3_column_int64(q, 3));
				size_t n = (size_t)sqlite3_column_bytes(q, 4);
				VEC_RESERVE(k, k.n + n);
				if (n)
					memcpy(k.v + k.n, sqlite3_column_blob(q, 4), n);
				k.n += n;
			}
			km_add(maps[t], k.v, k.n, mt_hash(k.v, k.n, 0),
			       sqlite3_column_int64(q, 0));
		}
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE) {
			free(k.v);
			return store_dberr(s, e, "reading the database");
		}
	}
	free(k.v);
	s->cached = true;
	return MT_OK;
}

/* The state of one import. */
struct imp {
	struct store *s;
	const struct profile *p;
	int64_t *map_ids, *func_ids, *loc_ids; /* per profile index, 0 = not yet */
	mt_bytes k, blob, sk; /* scratch keys; sk: the stack */
	/* the block of new stacks: ids nb_first .. nb_first + nb_n - 1 */
	int64_t nb_first;
	size_t nb_n;
	mt_bytes nb_locs;
	struct mt_err *e;
};

/* Binds text that may hold any bytes but NUL. */
static void bind_str(sqlite3_stmt *q, int i, const char *s)
{
	sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
}

/* Runs an INSERT and returns the new rowid, or 0 after setting e. */
static int64_t insert(struct store *s, sqlite3_stmt *q, struct mt_err *e)
{
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_dberr(s, e, "writing the database");
		return 0;
	}
	return sqlite3_last_insert_rowid(s->db);
}

static int64_t mapping_id(struct imp *m, uint32_t i)
{
	if (m->map_ids[i])
		return m->map_ids[i];
	const struct profile *p = m->p;
	const struct mt_mapping *mp = &p->mappings.v[i];
	uint64_t flags = (uint64_t)mp->has_functions | (uint64_t)mp->has_filenames << 1 |
			 (uint64_t)mp->has_line_numbers << 2 |
			 (uint64_t)mp->has_inline_frames << 3;
	m->k.n = 0;
	put_uv(&m->k, mp->start);
	put_uv(&m->k, mp->limit);
	put_uv(&m->k, mp->offset);
	put_uv(&m->k, flags);
	put_str(&m->k, profile_str(p, mp->file));
	put_str(&m->k, profile_str(p, mp->build_id));
	uint64_t h = mt_hash(m->k.v, m->k.n, 0);
	int64_t id = km_find(&m->s->maps, m->k.v, m->k.n, h);
	if (!id) {
		sqlite3_stmt *q = store_stmt(m->s, ST_INS_MAP,
			"INSERT INTO mapping (start, lim, off, flags, file, build_id) "
			"VALUES (?, ?, ?, ?, ?, ?)", m->e);
		if (!q)
			return 0;
		sqlite3_bind_int64(q, 1, (int64_t)mp->start);
		sqlite3_bind_int64(q, 2, (int64_t)mp->limit);
		sqlite3_bind_int64(q, 3, (int64_t)mp->offset);
		sqlite3_bind_int64(q, 4, (int64_t)flags);
		bind_str(q, 5, profile_str(p, mp->file));
		bind_str(q, 6, profile_str(p, mp->build_id));
		if (!(id = insert(m->s, q, m->e)))
			return 0;
		km_add(&m->s->maps, m->k.v, m->k.n, h, id);
	}
	return m->map_ids[i] = id;
}

static int64_t function_id(struct imp *m, uint32_t i)
{
	if (m->func_ids[i])
		return m->func_ids[i];
	const struct profile *p = m->p;
	const struct mt_function *f = &p->functions.v[i];
	m->k.n = 0;
	put_sv(&m->k, f->start_line);
	put_str(&m->k, profile_str(p, f->name));
	put_str(&m->k, profile_str(p, f->system_name));
	put_str(&m->k, profile_str(p, f->filename));
	uint64_t h = mt_hash(m->k.v, m->k.n, 0);
	int64_t id = km_find(&m->s->funcs, m->k.v, m->k.n, h);
	if (!id) {
		sqlite3_stmt *q = store_stmt(m->s, ST_INS_FUNC,
			"INSERT INTO function (start_line, name, system_name, filename) "
			"VALUES (?, ?, ?, ?)", m->e);
		if (!q)
			return 0;
		sqlite3_bind_int64(q, 1, f->start_line);
		bind_str(q, 2, profile_str(p, f->name));
		bind_str(q, 3, profile_str(p, f->system_name));
		bind_str(q, 4, profile_str(p, f->filename));
		if (!(id = insert(m->s, q, m->e)))
			return 0;
		km_add(&m->s->funcs, m->k.v, m->k.n, h, id);
	}
	return m->func_ids[i] = id;
}

static int64_t location_id(struct imp *m, uint32_t i)
{
	if (m->loc_ids[i])
		return m->loc_ids[i];
	const struct profile *p = m->p;
	const struct mt_location *l = &p->locations.v[i];
	int64_t map = l->mapping == MT_NONE ? 0 : mapping_id(m, l->mapping);
	if (l->mapping != MT_NONE && !map)
		return 0;
	m->blob.n = 0;
	for (uint32_t j = 0; j < l->nline; j++) {
		const struct mt_line *ln = &p->lines.v[l->line0 + j];
		int64_t f = 0;
		if (ln->func != MT_NONE && !(f = function_id(m, ln->func)))
			return 0;
		put_uv(&m->blob, (uint64_t)f);
		put_sv(&m->blob, ln->line);
	}
	m->k.n = 0;
	put_uv(&m->k, (uint64_t)map);
	put_uv(&m->k, l->address);
	put_uv(&m->k, l->is_folded);
	VEC_RESERVE(m->k, m->k.n + m->blob.n);
	if (m->blob.n)
		memcpy(m->k.v + m->k.n, m->blob.v, m->blob.n);
	m->k.n += m->blob.n;
	uint64_t h = mt_hash(m->k.v, m->k.n, 0);
	int64_t id = km_find(&m->s->locs, m->k.v, m->k.n, h);
	if (!id) {
		sqlite3_stmt *q = store_stmt(m->s, ST_INS_LOC,
			"INSERT INTO location (mapping, address, folded, lines) "
			"VALUES (?, ?, ?, ?)", m->e);
		if (!q)
			return 0;
		if (map)
			sqlite3_bind_int64(q, 1, map);
		sqlite3_bind_int64(q, 2, (int64_t)l->address);
		sqlite3_bind_int(q, 3, l->is_folded);
		sqlite3_bind_blob(q, 4, m->blob.n ? (const void *)m->blob.v : "", (int)m->blob.n,
				  SQLITE_STATIC);
		if (!(id = insert(m->s, q, m->e)))
			return 0;
		km_add(&m->s->locs, m->k.v, m->k.n, h, id);
	}
	return m->loc_ids[i] = id;
}

/* Writes the stacks this import added since the last flush as one row. */
static enum mt_status flush_stacks(struct imp *m)
{
	if (!m->nb_n)
		return MT_OK;
	sqlite3_stmt *q = store_stmt(m->s, ST_INS_STACK,
				     "INSERT INTO stack (id, n, locs) VALUES (?, ?, ?)", m->e);
	if (!q)
		return MT_ERR_DB;
	sqlite3_bind_int64(q, 1, m->nb_first);
	sqlite3_bind_int64(q, 2, (int64_t)m->nb_n);
	sqlite3_bind_blob(q, 3, m->nb_locs.v, (int)m->nb_locs.n, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_dberr(m->s, m->e, "writing stacks");
	m->nb_first += (int64_t)m->nb_n;
	m->nb_n = m->nb_locs.n = 0;
	return MT_OK;
}

/* The id of the stack whose encoding is m->sk: known stacks are found by
 * their two hashes in memory; a new one joins the block being written. */
static int64_t stack_id(struct imp *m)
{
	uint64_t h1 = mt_hash(m->sk.v, m->sk.n, STACK_SEED1);
	uint64_t h2 = mt_hash(m->sk.v, m->sk.n, STACK_SEED2);
	int64_t id = hm_find(&m->s->stacks, h1, h2);
	if (id)
		return id;
	if (m->nb_n == STACK_BLOCK && flush_stacks(m))
		return 0;
	id = m->nb_first + (int64_t)m->nb_n++;
	put_uv(&m->nb_locs, m->sk.n + 1);
	VEC_RESERVE(m->nb_locs, m->nb_locs.n + m->sk.n);
	if (m->sk.n)
		memcpy(m->nb_locs.v + m->nb_locs.n, m->sk.v, m->sk.n);
	m->nb_locs.n += m->sk.n;
	hm_add(&m->s->stacks, h1, h2, id);
	return id;
}

/* Writes the snapshot row; label strings are collected before, into strs. */
static int64_t insert_snapshot(struct imp *m, const struct store_source *src,
			       const char *hash, const mt_bytes *strs)
{
	const struct profile *p = m->p;
	mt_bytes types = {0}, comments = {0}, maps = {0};
	for (size_t i = 0; i < p->sample_types.n; i++) {
		put_str(&types, profile_str(p, p->sample_types.v[i].type));
		put_str(&types, profile_str(p, p->sample_types.v[i].unit));
	}
	for (size_t i = 0; i < p->comments.n; i++)
		put_str(&comments, profile_str(p, p->comments.v[i]));
	int64_t id = 0;
	for (size_t i = 0; i < p->mappings.n; i++) {
		int64_t mid = mapping_id(m, (uint32_t)i);
		if (!mid)
			goto out;
		put_uv(&maps, (uint64_t)mid);
	}
	int di = profile_default_index(p);
	int64_t total = di >= 0 ? mt_profile_total(p, di) : 0;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t stored = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	int64_t t = src->force_time && src->time_nanos ? src->time_nanos
		    : p->time_nanos			  ? p->time_nanos
		    : src->time_nanos			  ? src->time_nanos
							  : stored;
	const char *kind = src->kind && *src->kind ? src->kind
						    : store_guess_kind(p, src->source);
	sqlite3_stmt *q = store_stmt(m->s, ST_INS_SNAP,
		"INSERT INTO snapshot (hash, source, kind, format, time, stored, "
		"sample_types, default_type, period_type, period_unit, period, "
		"time_nanos, duration_nanos, drop_frames, keep_frames, comments, "
		"mappings, strings, nsample, total) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", m->e);
	if (!q)
		goto out;
	static const char empty[] = "";
#define BLOB(i, b) sqlite3_bind_blob(q, i, (b)->n ? (const void *)(b)->v : empty, \
				     (int)(b)->n, SQLITE_STATIC)
	bind_str(q, 1, hash);
	bind_str(q, 2, src->source ? src->source : "");
	bind_str(q, 3, kind);
	sqlite3_bind_int(q, 4, (int)p->format);
	sqlite3_bind_int64(q, 5, t);
	sqlite3_bind_int64(q, 6, stored);
	BLOB(7, &types);
	bind_str(q, 8, profile_str(p, p->default_sample_type));
	bind_str(q, 9, profile_str(p, p->period_type.type));
	bind_str(q, 10, profile_str(p, p->period_type.unit));
	sqlite3_bind_int64(q, 11, p->period);
	sqlite3_bind_int64(q, 12, p->time_nanos);
	sqlite3_bind_int64(q, 13, p->duration_nanos);
	bind_str(q, 14, profile_str(p, p->drop_frames));
	bind_str(q, 15, profile_str(p, p->keep_frames));
	BLOB(16, &comments);
	BLOB(17, &maps);
	BLOB(18, strs);
	sqlite3_bind_int64(q, 19, (int64_t)p->samples.n);
	sqlite3_bind_int64(q, 20, total);
#undef BLOB
	id = insert(m->s, q, m->e);
out:
	free(types.v);
	free(comments.v);
	free(maps.v);
	return id;
}

/* Label strings of the snapshot: a local index per profile string used. */
static uint32_t label_str(uint32_t *lmap, uint32_t *nstr, mt_bytes *strs,
			  const struct profile *p, mt_str s)
{
	if (!s)
		return 0;
	if (!lmap[s]) {
		lmap[s] = ++*nstr;
		put_str(strs, profile_str(p, s));
	}
	return lmap[s];
}

/* Writes one chunk row of snapshot snap (exact NULL: none). */
static enum mt_status insert_chunk(struct imp *m, int64_t snap, int64_t seq, size_t n,
				   const mt_bytes *stacks, const mt_bytes *vals,
				   const mt_bytes *labels, bool has_labels,
				   const mt_bytes *exact)
{
	sqlite3_stmt *q = store_stmt(m->s, ST_INS_CHUNK,
		"INSERT INTO chunk (snapshot, seq, n, stacks, vals, labels, exact) "
		"VALUES (?, ?, ?, ?, ?, ?, ?)", m->e);
	if (!q)
		return MT_ERR_DB;
	static const char empty[] = "";
	sqlite3_bind_int64(q, 1, snap);
	sqlite3_bind_int64(q, 2, seq);
	sqlite3_bind_int64(q, 3, (int64_t)n);
	sqlite3_bind_blob(q, 4, stacks->n ? (const void *)stacks->v : empty,
			  (int)stacks->n, SQLITE_STATIC);
	sqlite3_bind_blob(q, 5, vals->n ? (const void *)vals->v : empty, (int)vals->n,
			  SQLITE_STATIC);
	if (has_labels)
		sqlite3_bind_blob(q, 6, labels->v, (int)labels->n, SQLITE_STATIC);
	if (exact)
		sqlite3_bind_blob(q, 7, exact->n ? (const void *)exact->v : empty,
				  (int)exact->n, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_dberr(m->s, m->e, "writing samples");
	return MT_OK;
}

/* Writes the samples of snapshot snap in chunks of CHUNK_SAMPLES; lmap
 * gives each label string's index in the snapshot's strings. */
static enum mt_status insert_samples(struct imp *m, int64_t snap, const uint32_t *lmap)
{
	const struct profile *p = m->p;
	size_t nst = p->sample_types.n;
	mt_bytes stacks = {0}, vals = {0}, labels = {0}, exact = {0};
	bool ex = profile_has_exact(p);
	enum mt_status st = MT_OK;
	bool has_labels = false;
	int64_t seq = 0;
	size_t n = 0;
	for (size_t i = 0; i < p->samples.n && !st; i++) {
		const struct mt_sample *sm = &p->samples.v[i];
		m->sk.n = 0;
		for (uint32_t j = 0; j < sm->nloc; j++) {
			int64_t l = location_id(m, p->sample_locs.v[sm->loc0 + j]);
			if (!l) {
				st = MT_ERR_DB;
				break;
			}
			put_uv(&m->sk, (uint64_t)l);
		}
		int64_t stack = st ? 0 : stack_id(m);
		if (!stack) {
			st = MT_ERR_DB;
			break;
		}
		put_uv(&stacks, (uint64_t)stack);
		const int64_t *v = profile_values(p, i);
		for (size_t j = 0; j < nst; j++)
			put_sv(&vals, v[j]);
		for (size_t j = 0; ex && j < nst; j++)
			put_f64(&exact, p->exact.v[i * nst + j]);
		put_uv(&labels, sm->nlabel);
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *lb = &p->labels.v[sm->label0 + j];
			put_uv(&labels, lmap[lb->key]);
			put_uv(&labels, lb->is_num);
			if (lb->is_num) {
				put_sv(&labels, lb->num);
				put_uv(&labels, lmap[lb->unit]);
			} else {
				put_uv(&labels, lmap[lb->str]);
			}
		}
		has_labels |= sm->nlabel > 0;
		if (++n == CHUNK_SAMPLES || i + 1 == p->samples.n) {
			st = insert_chunk(m, snap, seq++, n, &stacks, &vals, &labels,
					  has_labels, ex ? &exact : NULL);
			n = stacks.n = vals.n = labels.n = exact.n = 0;
			has_labels = false;
		}
	}
	free(stacks.v);
	free(vals.v);
	free(labels.v);
	free(exact.v);
	return st;
}

/* The id the next new stack gets: one past the last block's. */
static enum mt_status next_stack_id(struct store *s, int64_t *id, struct mt_err *e)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT id + n FROM stack ORDER BY id DESC LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "reading stacks");
	int rc = sqlite3_step(q);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 1;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, e, "reading stacks");
	return MT_OK;
}

/* Looks for a snapshot with this content hash; 0 if none. */
static int64_t find_hash(struct store *s, const char *hash, struct mt_err *e,
			 enum mt_status *st)
{
	sqlite3_stmt *q = store_stmt(s, ST_SNAP_BY_HASH,
				     "SELECT id FROM snapshot WHERE hash = ?", e);
	*st = MT_OK;
	if (!q) {
		*st = MT_ERR_DB;
		return 0;
	}
	bind_str(q, 1, hash);
	int rc = sqlite3_step(q);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		*st = store_dberr(s, e, "reading snapshots");
	sqlite3_reset(q);
	return id;
}

enum mt_status store_find_bytes(struct store *s, const uint8_t *raw, size_t n, int64_t *id,
				struct mt_err *e)
{
	char hash[65];
	mt_sha256_hex(raw ? (const void *)raw : "", raw ? n : 0, hash);
	enum mt_status st;
	*id = find_hash(s, hash, e, &st);
	return st;
}

enum mt_status store_import(struct store *s, const struct profile *p,
			    const struct store_source *src, int64_t *id, bool *dup,
			    struct mt_err *e)
{
	char hash[65];
	mt_sha256_hex(src->raw ? (const void *)src->raw : "", src->raw ? src->nraw : 0,
		      hash);
	*dup = false;
	*id = 0;
	enum mt_status st = store_exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	int64_t dv = store_data_version(s);
	if (dv != s->data_version) {
		store_drop_caches(s);
		s->data_version = dv;
	}
	int64_t old = find_hash(s, hash, e, &st);
	if (st || old) {
		store_rollback(s);
		*id = old;
		*dup = old != 0;
		return st;
	}
	if (!s->cached && (st = fill_caches(s, e))) {
		store_rollback(s);
		store_drop_caches(s);
		return st;
	}

	/* Label strings first: they go into the snapshot row. lmap[0] stays 0
	 * (the empty string) for a label without unit. */
	uint32_t *lmap = xcalloc(p->strs.n ? p->strs.n : 1, sizeof *lmap);
	uint32_t nstr = 0;
	mt_bytes strs = {0};
	put_str(&strs, "");
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct mt_sample *sm = &p->samples.v[i];
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *lb = &p->labels.v[sm->label0 + j];
			label_str(lmap, &nstr, &strs, p, lb->key);
			label_str(lmap, &nstr, &strs, p, lb->is_num ? lb->unit : lb->str);
		}
	}

	/* A big snapshot's new stacks span many pages: a cache that holds them
	 * all spares SQLite writing a page out and reading it back. */
	bool big = p->samples.n > CHUNK_SAMPLES;
	if (big)
		sqlite3_exec(s->db, "PRAGMA cache_size = -" IMPORT_CACHE_KB, NULL, NULL, NULL);
	struct imp m = {.s = s, .p = p, .e = e};
	m.map_ids = xcalloc(p->mappings.n + 1, sizeof *m.map_ids);
	m.func_ids = xcalloc(p->functions.n + 1, sizeof *m.func_ids);
	m.loc_ids = xcalloc(p->locations.n + 1, sizeof *m.loc_ids);
	int64_t snap = next_stack_id(s, &m.nb_first, e) ? 0
							: insert_snapshot(&m, src, hash, &strs);
	st = snap ? insert_samples(&m, snap, lmap) : MT_ERR_DB;
	if (!st)
		st = flush_stacks(&m);
	if (!st)
		st = store_exec(s, "COMMIT", e);
	if (st) {
		store_rollback(s);
		store_drop_caches(s);
	} else {
		*id = snap;
	}
	if (big)
		sqlite3_exec(s->db, "PRAGMA cache_size = -" CACHE_KB, NULL, NULL, NULL);
	free(m.map_ids);
	free(m.func_ids);
	free(m.loc_ids);
	free(m.k.v);
	free(m.blob.v);
	free(m.sk.v);
	free(m.nb_locs.v);
	free(strs.v);
	free(lmap);
	return st;
}

/* ------------------------------------------------------------------ */
/* Removing                                                            */

/* Deletes the rows of snapshot id; *found tells whether there was one. */
