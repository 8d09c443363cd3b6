/* store.c - opening the database, the schema and its migrations, importing
 * snapshots, and removing them with whatever nothing uses any more. Reading
 * back is in store_read.c. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nodes.h"
#include "sha256.h"
#include "store_int.h"

#include "schema_sql.h" /* store_schema_sql, generated from data/schema.sql */

#define SCHEMA_VERSION 1
#define BUSY_MS 10000

/* Forward migrations: migrations[v] brings schema version v + 1 up to
 * v + 2. Version 1 is data/schema.sql itself; nothing to migrate yet. */
static const char *const migrations[] = {NULL};

/* ------------------------------------------------------------------ */
/* Errors, statements, transactions                                    */

enum mt_status store_dberr(struct store *s, struct mt_err *e, const char *what)
{
	int code = sqlite3_errcode(s->db);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return mt_errf(e, MT_ERR_DB, "%s: the database is locked by another "
			       "writer (gave up after %d s)", what, BUSY_MS / 1000);
	if (code == SQLITE_NOTADB)
		return mt_errf(e, MT_ERR_DB, "not a memtop database (%s)",
			       sqlite3_errmsg(s->db));
	if (code == SQLITE_CORRUPT)
		return mt_errf(e, MT_ERR_CORRUPT, "%s: the database is damaged (%s)",
			       what, sqlite3_errmsg(s->db));
	return mt_errf(e, MT_ERR_DB, "%s: %s", what, sqlite3_errmsg(s->db));
}

sqlite3_stmt *store_stmt(struct store *s, int i, const char *sql, struct mt_err *e)
{
	if (!s->st[i] && sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
					    &s->st[i], NULL) != SQLITE_OK) {
		store_dberr(s, e, "preparing a statement");
		return NULL;
	}
	sqlite3_reset(s->st[i]);
	sqlite3_clear_bindings(s->st[i]);
	return s->st[i];
}

static enum mt_status exec(struct store *s, const char *sql, struct mt_err *e)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(s, e, sql);
	return MT_OK;
}

static void rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Forgets the dedupe caches: after a rollback, a removal, or another
 * connection's write, the ids they hold may be wrong. */
static void drop_caches(struct store *s)
{
	km_clear(&s->maps);
	km_clear(&s->funcs);
	km_clear(&s->locs);
	km_clear(&s->stacks);
	s->cached = false;
}

static int64_t data_version(struct store *s)
{
	sqlite3_stmt *q;
	int64_t v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */

enum mt_status store_default_path(char **path, struct mt_err *e)
{
	const char *env = getenv("MEMTOP_DB");
	if (env && *env) {
		*path = xstrdup(env);
		return MT_OK;
	}
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char buf[4096];
	if (xdg && *xdg == '/')
		snprintf(buf, sizeof buf, "%s/memtop/memtop.db", xdg);
	else if (home && *home)
		snprintf(buf, sizeof buf, "%s/.local/share/memtop/memtop.db", home);
	else
		return mt_errf(e, MT_ERR_USAGE, "no database: set --db, $MEMTOP_DB "
			       "or $HOME");
	*path = xstrdup(buf);
	return MT_OK;
}

/* mkdir -p of the directory that holds path. */
static enum mt_status make_parent(const char *path, struct mt_err *e)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		free(dir);
		return MT_OK;
	}
	*slash = 0;
	for (char *p = dir + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;
			*p = 0;
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				enum mt_status st = mt_errf(e, MT_ERR_IO, "%s: %s", dir,
							    strerror(errno));
				free(dir);
				return st;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(dir);
	return MT_OK;
}

/* Creates the schema in an empty database, or brings an older one up to
 * date, in one transaction. */
static enum mt_status migrate(struct store *s, struct mt_err *e)
{
	enum mt_status st;
	sqlite3_stmt *q;
	int64_t v = 0;
	if ((st = exec(s, "BEGIN IMMEDIATE", e)))
		return st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "reading the schema version");
		goto fail;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (v > SCHEMA_VERSION) {
		st = mt_errf(e, MT_ERR_DB, "the database has schema version %lld; this "
			     "memtop knows up to %d (upgrade memtop)", (long long)v,
			     SCHEMA_VERSION);
		goto fail;
	}
	if (v == SCHEMA_VERSION)
		return exec(s, "COMMIT", e);
	if (v == 0 && (st = exec(s, store_schema_sql, e)))
		goto fail;
	for (int64_t i = v ? v - 1 : 0; i + 1 < SCHEMA_VERSION; i++)
		if (migrations[i] && (st = exec(s, migrations[i], e)))
			goto fail;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
	if ((st = exec(s, sql, e)))
		goto fail;
	return exec(s, "COMMIT", e);
fail:
	rollback(s);
	return st;
}

enum mt_status store_open(struct store **out, const char *path, bool create,
			  struct mt_err *e)
{
	char *def = NULL;
	enum mt_status st;
	if (!path || !*path) {
		if ((st = store_default_path(&def, e)))
			return st;
		path = def;
	}
	bool mem = strcmp(path, ":memory:") == 0;
	if (!mem) {
		struct stat sb;
		if (stat(path, &sb) != 0) {
			if (!create) {
				st = mt_errf(e, MT_ERR_NOTFOUND, "%s: no such database", path);
				free(def);
				return st;
			}
			if ((st = make_parent(path, e))) {
				free(def);
				return st;
			}
			/* SQLite would create it 0644; snapshots can hold secrets. */
			int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
			if (fd < 0) {
				st = mt_errf(e, MT_ERR_IO, "%s: %s", path, strerror(errno));
				free(def);
				return st;
			}
			close(fd);
		}
	}
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	free(def);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    (create || mem ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		st = s->db ? store_dberr(s, e, s->path)
			   : mt_errf(e, MT_ERR_NOMEM, "out of memory");
		store_close(s);
		return st;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	sqlite3_extended_result_codes(s->db, 0);
	if (!mem && (st = exec(s, "PRAGMA journal_mode = WAL", e)))
		goto fail;
	if ((st = exec(s, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;"
		       "PRAGMA foreign_keys = OFF", e)) ||
	    (st = migrate(s, e)))
		goto fail;
	*out = s;
	return MT_OK;
fail:
	store_close(s);
	return st;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	drop_caches(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/* ------------------------------------------------------------------ */
/* Importing                                                           */

const char *store_guess_kind(const struct profile *p, const char *source)
{
	if (p->format == MT_FMT_GOROUTINE_DUMP)
		return "goroutine-dump";
	const char *k = profile_kind(p);
	if (strcmp(k, "contention") != 0)
		return k;
	/* Go writes mutex and block profiles alike: only the source tells. */
	const char *base = source ? strrchr(source, '/') : NULL;
	base = base ? base + 1 : source ? source : "";
	if (strstr(base, "mutex"))
		return "mutex";
	if (strstr(base, "block"))
		return "block";
	return k;
}

/* Loads every mapping, function and location into the dedupe caches, and
 * the hash of every stack (8 bytes each, read once per connection). */
static enum mt_status fill_caches(struct store *s, struct mt_err *e)
{
	static const char *const sql[] = {
		"SELECT id, start, lim, off, flags, file, build_id FROM mapping",
		"SELECT id, start_line, name, system_name, filename FROM function",
		"SELECT id, mapping, address, folded, lines FROM location",
		"SELECT id, hash FROM stack",
	};
	struct keymap *maps[] = {&s->maps, &s->funcs, &s->locs, &s->stacks};
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
				uint64_t h = (uint64_t)sqlite3_column_int64(q, 1);
				km_add(&s->stacks, &h, sizeof h, h, sqlite3_column_int64(q, 0));
				continue;
			}
			if (t == 0) {
				for (int c = 1; c <= 4; c++)
					put_uv(&k, (uint64_t)sqlite3_column_int64(q, c));
				put_str(&k, (const char *)sqlite3_column_text(q, 5));
				put_str(&k, (const char *)sqlite3_column_text(q, 6));
			} else if (t == 1) {
				put_sv(&k, sqlite3_column_int64(q, 1));
				for (int c = 2; c <= 4; c++)
					put_str(&k, (const char *)sqlite3_column_text(q, c));
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

/* Whether stack id holds exactly the encoding m->sk. */
static bool stack_is(struct imp *m, int64_t id, bool *err)
{
	sqlite3_stmt *q = store_stmt(m->s, ST_GET_STACK,
				     "SELECT locs FROM stack WHERE id = ?", m->e);
	if (!q) {
		*err = true;
		return false;
	}
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	bool same = rc == SQLITE_ROW &&
		    (size_t)sqlite3_column_bytes(q, 0) == m->sk.n &&
		    (m->sk.n == 0 || memcmp(sqlite3_column_blob(q, 0), m->sk.v, m->sk.n) == 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(m->s, m->e, "reading stacks");
		*err = true;
	}
	sqlite3_reset(q);
	return same;
}

/* The id of the stack whose encoding is m->sk: the in-memory table knows
 * the hash of every stored stack, and the row confirms the content. Only
 * a 64-bit hash collision costs a scan. */
static int64_t stack_id(struct imp *m)
{
	struct store *s = m->s;
	uint64_t h = mt_hash(m->sk.v, m->sk.n, 0x5eed);
	int64_t id = km_find(&s->stacks, &h, sizeof h, h);
	bool err = false;
	if (id && stack_is(m, id, &err))
		return id;
	if (err)
		return 0;
	if (id) {
		sqlite3_stmt *q = store_stmt(s, ST_FIND_STACK,
					     "SELECT id, locs FROM stack WHERE hash = ?", m->e);
		if (!q)
			return 0;
		sqlite3_bind_int64(q, 1, (int64_t)h);
		int rc;
		id = 0;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			if ((size_t)sqlite3_column_bytes(q, 1) == m->sk.n &&
			    (m->sk.n == 0 ||
			     memcmp(sqlite3_column_blob(q, 1), m->sk.v, m->sk.n) == 0)) {
				id = sqlite3_column_int64(q, 0);
				break;
			}
		}
		sqlite3_reset(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_dberr(s, m->e, "reading stacks");
			return 0;
		}
		if (id)
			return id;
	}
	sqlite3_stmt *q = store_stmt(s, ST_INS_STACK,
				     "INSERT INTO stack (hash, locs) VALUES (?, ?)", m->e);
	if (!q)
		return 0;
	sqlite3_bind_int64(q, 1, (int64_t)h);
	sqlite3_bind_blob(q, 2, m->sk.n ? (const void *)m->sk.v : "", (int)m->sk.n,
			  SQLITE_STATIC);
	if (!(id = insert(s, q, m->e)))
		return 0;
	km_add(&s->stacks, &h, sizeof h, h, id);
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
	int64_t t = p->time_nanos ? p->time_nanos : src->time_nanos ? src->time_nanos : stored;
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

/* Writes the samples of snapshot id, leaf-first stacks as location ids. */
static enum mt_status insert_samples(struct imp *m, int64_t snap,
				     const uint8_t *labels, const size_t *label_off)
{
	const struct profile *p = m->p;
	size_t nst = p->sample_types.n;
	sqlite3_stmt *q = store_stmt(m->s, ST_INS_SAMPLE,
		"INSERT INTO sample (snapshot, idx, stack, vals, labels) "
		"VALUES (?, ?, ?, ?, ?)", m->e);
	if (!q)
		return MT_ERR_DB;
	mt_bytes vals = {0};
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct mt_sample *sm = &p->samples.v[i];
		m->sk.n = 0;
		for (uint32_t j = 0; j < sm->nloc; j++) {
			int64_t l = location_id(m, p->sample_locs.v[sm->loc0 + j]);
			if (!l)
				goto fail;
			put_uv(&m->sk, (uint64_t)l);
		}
		int64_t stack = stack_id(m);
		if (!stack)
			goto fail;
		vals.n = 0;
		const int64_t *v = profile_values(p, i);
		for (size_t j = 0; j < nst; j++)
			put_sv(&vals, v[j]);
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, snap);
		sqlite3_bind_int64(q, 2, (int64_t)i);
		sqlite3_bind_int64(q, 3, stack);
		sqlite3_bind_blob(q, 4, vals.n ? (const void *)vals.v : "", (int)vals.n,
				  SQLITE_STATIC);
		if (label_off[i + 1] > label_off[i])
			sqlite3_bind_blob(q, 5, labels + label_off[i],
					  (int)(label_off[i + 1] - label_off[i]),
					  SQLITE_STATIC);
		else
			sqlite3_bind_null(q, 5);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_dberr(m->s, m->e, "writing samples");
			goto fail;
		}
	}
	free(vals.v);
	return MT_OK;
fail:
	free(vals.v);
	return MT_ERR_DB;
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

enum mt_status store_import(struct store *s, const struct profile *p,
			    const struct store_source *src, int64_t *id, bool *dup,
			    struct mt_err *e)
{
	char hash[65];
	mt_sha256_hex(src->raw ? (const void *)src->raw : "", src->raw ? src->nraw : 0,
		      hash);
	*dup = false;
	*id = 0;
	enum mt_status st = exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	int64_t dv = data_version(s);
	if (dv != s->data_version) {
		drop_caches(s);
		s->data_version = dv;
	}
	int64_t old = find_hash(s, hash, e, &st);
	if (st || old) {
		rollback(s);
		*id = old;
		*dup = old != 0;
		return st;
	}
	if (!s->cached && (st = fill_caches(s, e))) {
		rollback(s);
		drop_caches(s);
		return st;
	}

	/* Labels first: their strings go into the snapshot row. */
	uint32_t *lmap = xcalloc(p->strs.n ? p->strs.n : 1, sizeof *lmap);
	uint32_t nstr = 0;
	mt_bytes strs = {0}, labels = {0};
	put_str(&strs, "");
	size_t *label_off = xmalloc((p->samples.n + 1) * sizeof *label_off);
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct mt_sample *sm = &p->samples.v[i];
		label_off[i] = labels.n;
		if (!sm->nlabel)
			continue;
		put_uv(&labels, sm->nlabel);
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *lb = &p->labels.v[sm->label0 + j];
			put_uv(&labels, label_str(lmap, &nstr, &strs, p, lb->key));
			put_uv(&labels, lb->is_num);
			if (lb->is_num) {
				put_sv(&labels, lb->num);
				put_uv(&labels, label_str(lmap, &nstr, &strs, p, lb->unit));
			} else {
				put_uv(&labels, label_str(lmap, &nstr, &strs, p, lb->str));
			}
		}
	}
	label_off[p->samples.n] = labels.n;
	free(lmap);

	struct imp m = {.s = s, .p = p, .e = e};
	m.map_ids = xcalloc(p->mappings.n + 1, sizeof *m.map_ids);
	m.func_ids = xcalloc(p->functions.n + 1, sizeof *m.func_ids);
	m.loc_ids = xcalloc(p->locations.n + 1, sizeof *m.loc_ids);
	int64_t snap = insert_snapshot(&m, src, hash, &strs);
	st = snap ? insert_samples(&m, snap, labels.v, label_off) : MT_ERR_DB;
	if (!st)
		st = exec(s, "COMMIT", e);
	if (st) {
		rollback(s);
		drop_caches(s);
	} else {
		*id = snap;
	}
	free(m.map_ids);
	free(m.func_ids);
	free(m.loc_ids);
	free(m.k.v);
	free(m.blob.v);
	free(m.sk.v);
	free(strs.v);
	free(labels.v);
	free(label_off);
	return st;
}

/* ------------------------------------------------------------------ */
/* Removing                                                            */

/* Deletes the rows of snapshot id; *found tells whether there was one. */
static enum mt_status delete_snapshot(struct store *s, int64_t id, bool *found,
				      struct mt_err *e)
{
	sqlite3_stmt *q = store_stmt(s, ST_DEL_SAMPLES,
				     "DELETE FROM sample WHERE snapshot = ?", e);
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
		struct cur c = {b, b + sqlite3_column_bytes(q, 0), true};
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

/* Garbage collection inside the caller's transaction. */
static enum mt_status gc_locked(struct store *s, struct mt_err *e)
{
	enum mt_status st;
	struct mark locs = {0}, funcs = {0}, maps = {0};
	drop_caches(s);
	if ((st = exec(s, "DELETE FROM stack WHERE id NOT IN "
			  "(SELECT DISTINCT stack FROM sample)", e)))
		return st;
	if ((st = mark_init(s, &locs, "location", e)) ||
	    (st = mark_blobs(s, &locs, "SELECT locs FROM stack", 1, NULL, e)) ||
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
	free(locs.bits);
	free(funcs.bits);
	free(maps.bits);
	return st;
}

enum mt_status store_gc(struct store *s, struct mt_err *e)
{
	enum mt_status st = exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	if (!(st = gc_locked(s, e)))
		st = exec(s, "COMMIT", e);
	if (st)
		rollback(s);
	drop_caches(s);
	return st;
}

enum mt_status store_remove(struct store *s, int64_t id, struct mt_err *e)
{
	bool found = false;
	enum mt_status st = exec(s, "BEGIN IMMEDIATE", e);
	if (st)
		return st;
	if (!(st = delete_snapshot(s, id, &found, e)) && !found)
		st = mt_errf(e, MT_ERR_NOTFOUND, "no snapshot @%lld", (long long)id);
	if (!st)
		st = gc_locked(s, e);
	if (!st)
		st = exec(s, "COMMIT", e);
	if (st)
		rollback(s);
	drop_caches(s);
	return st;
}

enum mt_status store_prune(struct store *s, int64_t keep, int64_t not_before,
			   size_t *removed, struct mt_err *e)
{
	*removed = 0;
	enum mt_status st = exec(s, "BEGIN IMMEDIATE", e);
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
		st = exec(s, "COMMIT", e);
out:
	if (st)
		rollback(s);
	else
		*removed = ids.n;
	if (ids.n)
		drop_caches(s);
	free(ids.v);
	return st;
}
