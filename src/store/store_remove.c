/* store_remove.c - removing snapshots (rm, --retain) and, in the same
 * transaction, whatever only they used: a mark-and-sweep over stacks,
 * locations, functions, mappings and strings. */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

static enum mt_status delete_snapshot(struct store *s, int64_t id, bool *found,
				      struct mt_err *e)
{
	sqlite3_stmt *q = store_stmt(s, ST_DEL_CHUNKS,
				     "DELETE FROM chunk WHERE snapshot = ?", e);
	if (!q)
		return MT_ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_dberr(s, e, "removing samples");
	if (!(q = store_stmt(s, ST_DEL_SNAP, "DELETE FROM snapshot WHERE id = ?", e)))
		return MT_ERR_DB;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_dberr(s, e, "removing a snapshot");
	*found = sqlite3_changes(s->db) > 0;
	return MT_OK;
}

/* A set of row ids as a bitmap over 1..max. */
struct mark {
	uint8_t *bits;
	int64_t max;
};

static void mark_set(struct mark *m, int64_t id)
{
	if (id > 0 && id <= m->max)
		m->bits[id >> 3] |= (uint8_t)(1u << (id & 7));
}

static bool mark_has(const struct mark *m, int64_t id)
{
	return id > 0 && id <= m->max && (m->bits[id >> 3] >> (id & 7) & 1);
}

static enum mt_status mark_init(struct store *s, struct mark *m, const char *table,
				struct mt_err *e)
{
	char sql[96];
	sqlite3_stmt *q;
	snprintf(sql, sizeof sql, "SELECT max(id) FROM %s", table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "collecting garbage");
	m->max = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	if (m->max < 0 || m->max > ((int64_t)1 << 40))
		return mt_errf(e, MT_ERR_CORRUPT, "%s ids are out of range", table);
	m->bits = xcalloc((size_t)(m->max >> 3) + 1, 1);
	return MT_OK;
}

/* Marks the varint ids of column col of every row of sql. */
static enum mt_status mark_blobs(struct store *s, struct mark *m, const char *sql,
				 int stride, struct mark *also, struct mt_err *e)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "collecting garbage");
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *b = sqlite3_column_blob(q, 0);
		struct cur c = cur_of(b, sqlite3_column_bytes(q, 0));
		while (c.ok && c.p < c.end) {
			mark_set(m, (int64_t)get_uv(&c));
			for (int k = 1; k < stride; k++)
				get_uv(&c);
		}
		if (also && sqlite3_column_type(q, 1) == SQLITE_INTEGER)
			mark_set(also, sqlite3_column_int64(q, 1));
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? MT_OK : store_dberr(s, e, "collecting garbage");
}

/* Deletes the rows of table whose id is not marked. */
static enum mt_status sweep(struct store *s, const struct mark *m, const char *table,
			    struct mt_err *e)
{
	char sql[96];
	sqlite3_stmt *q, *d;
	VEC(int64_t) dead = {0};
	snprintf(sql, sizeof sql, "SELECT id FROM %s", table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_dberr(s, e, "collecting garbage");
	while (sqlite3_step(q) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		if (!mark_has(m, id))
			VEC_PUSH(dead, id);
	}
	sqlite3_finalize(q);
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?", table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &d, NULL) != SQLITE_OK) {
		free(dead.v);
		return store_dberr(s, e, "collecting garbage");
	}
	enum mt_status st = MT_OK;
	for (size_t i = 0; i < dead.n && !st; i++) {
		sqlite3_reset(d);
		sqlite3_bind_int64(d, 1, dead.v[i]);
		if (sqlite3_step(d) != SQLITE_DONE)
			st = store_dberr(s, e, "collecting garbage");
	}
	sqlite3_finalize(d);
	free(dead.v);
	return st;
}

/* Empties the stacks that are not marked used (ids stay: later stacks keep
 * theirs), deletes blocks left with none, and marks the locations of the
 * stacks that remain. */
static enum mt_status sweep_stacks(struct store *s, const struct mark *used,
				   struct mark *locs, struct mt_err *e)
{
	sqlite3_stmt *q = NULL, *up = NULL, *del = NULL;
	enum mt_status st = MT_OK;
	VEC(int64_t) dead = {0};
	VEC(int64_t) changed = {0};
	VEC(mt_bytes) rows = {0};
	if (sqlite3_prepare_v2(s->db, "SELECT id, n, locs FROM stack", -1, &q,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE stack SET locs = ? WHERE id = ?", -1, &up,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM stack WHERE id = ?", -1, &del,
			       NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "collecting garbage");
		goto out;
	}
	/* Changes wait until the scan is over. */
	int rc;
	while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0), n = sqlite3_column_int64(q, 1);
		const uint8_t *b = sqlite3_column_blob(q, 2), *sp;
		struct cur c = cur_of(b, sqlite3_column_bytes(q, 2));
		mt_bytes enc = {0};
		size_t live = 0, emptied = 0, len;
		bool was;
		int64_t j = 0;
		for (; stack_next(&c, &sp, &len, &was); j++) {
			if (!mark_has(used, id + j)) {
				emptied += was;
				put_uv(&enc, 0);
				continue;
			}
			live++;
			put_uv(&enc, len + 1);
			VEC_RESERVE(enc, enc.n + len);
			if (len)
				memcpy(enc.v + enc.n, sp, len);
			enc.n += len;
			struct cur lc = cur_of(sp, len);
			while (lc.ok && lc.p < lc.end)
				mark_set(locs, (int64_t)get_uv(&lc));
		}
		if (!c.ok || j != n) {
			free(enc.v);
			st = mt_errf(e, MT_ERR_CORRUPT, "stacks @%lld: bad encoding in the "
				     "database", (long long)id);
			break;
		}
		if (!live) {
			VEC_PUSH(dead, id);
			free(enc.v);
		} else if (emptied) {
			VEC_PUSH(changed, id);
			VEC_PUSH(rows, enc);
		} else {
			free(enc.v);
		}
	}
	if (!st && rc != SQLITE_DONE)
		st = store_dberr(s, e, "collecting garbage");
	sqlite3_reset(q);
	for (size_t i = 0; i < dead.n && !st; i++) {
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, dead.v[i]);
		if (sqlite3_step(del) != SQLITE_DONE)
			st = store_dberr(s, e, "collecting garbage");
	}
	for (size_t i = 0; i < changed.n && !st; i++) {
		sqlite3_reset(up);
		sqlite3_bind_blob(up, 1, rows.v[i].v, (int)rows.v[i].n, SQLITE_STATIC);
		sqlite3_bind_int64(up, 2, changed.v[i]);
		if (sqlite3_step(up) != SQLITE_DONE)
			st = store_dberr(s, e, "collecting garbage");
	}
out:
	for (size_t i = 0; i < rows.n; i++)
		free(rows.v[i].v);
	free(rows.v);
	free(dead.v);
	free(changed.v);
	sqlite3_finalize(q);
	sqlite3_finalize(up);
	sqlite3_finalize(del);
	return st;
}

/* Garbage collection inside the caller's transaction. */
static enum mt_status gc_locked(struct store *s, struct mt_err *e)
{
	enum mt_status st;
	struct mark stacks = {0}, locs = {0}, funcs = {0}, maps = {0};
	store_drop_caches(s);
	if ((st = mark_init(s, &stacks, "(SELECT id + n - 1 AS id FROM stack)", e)) ||
	    (st = mark_blobs(s, &stacks, "SELECT stacks FROM chunk", 1, NULL, e)) ||
	    (st = mark_init(s, &locs, "location", e)) ||
	    (st = sweep_stacks(s, &stacks, &locs, e)) ||
	    (st = sweep(s, &locs, "location", e)) ||
	    (st = mark_init(s, &funcs, "function", e)) ||
	    (st = mark_init(s, &maps, "mapping", e)) ||
	    (st = mark_blobs(s, &funcs, "SELECT lines, mapping FROM location", 2, &maps,
			     e)) ||
	    (st = mark_blobs(s, &maps, "SELECT mappings FROM snapshot", 1, NULL, e)) ||
	    (st = sweep(s, &funcs, "function", e)) ||
	    (st = sweep(s, &maps, "mapping", e)))
		goto out;
out:
	free(stacks.bits);
	free(locs.bits);
	free(funcs.bits);
	free(maps.bits);
	return st;
}

enum mt_status store_remove(struct store *s, int64_t id, struct mt_err *e)
{
	bool found = false;
	enum mt_status st = store_exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	if (!(st = delete_snapshot(s, id, &found, e)) && !found)
		st = mt_errf(e, MT_ERR_NOTFOUND, "no snapshot @%lld", (long long)id);
	if (!st)
		st = gc_locked(s, e);
	if (!st)
		st = store_exec(s, "COMMIT", e);
	if (st)
		store_rollback(s);
	store_drop_caches(s);
	return st;
}

enum mt_status store_prune(struct store *s, int64_t keep, int64_t not_before,
			   size_t *removed, struct mt_err *e)
{
	*removed = 0;
	enum mt_status st = store_exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	sqlite3_stmt *q;
	VEC(int64_t) ids = {0};
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id FROM snapshot WHERE (?1 > 0 AND id NOT IN "
			       "(SELECT id FROM snapshot ORDER BY id DESC LIMIT ?1)) "
			       "OR time < ?2",
			       -1, &q, NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "pruning");
		goto out;
	}
	sqlite3_bind_int64(q, 1, keep);
	sqlite3_bind_int64(q, 2, not_before);
	while (sqlite3_step(q) == SQLITE_ROW)
		VEC_PUSH(ids, sqlite3_column_int64(q, 0));
	sqlite3_finalize(q);
	for (size_t i = 0; i < ids.n && !st; i++) {
		bool found;
		st = delete_snapshot(s, ids.v[i], &found, e);
	}
	if (!st && ids.n)
		st = gc_locked(s, e);
	if (!st)
		st = store_exec(s, "COMMIT", e);
out:
	if (st)
		store_rollback(s);
	else
		*removed = ids.n;
	if (ids.n)
		store_drop_caches(s);
	free(ids.v);
	return st;
}
