/* store.c - opening the database, the schema and its migrations, and the
 * helpers the other parts share. Importing is in store_import.c, removing in
 * store_remove.c, reading back in store_read.c. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"

#include "schema_sql.h" /* store_schema_sql, generated from data/schema.sql */

#define SCHEMA_VERSION 4
/* PRAGMA application_id of memtop's databases: "mtop" (data/schema.sql). */
#define APPLICATION_ID 0x6d746f70
#define BUSY_MS 10000

static enum mt_status migrate_samples_to_chunks(struct store *s, struct mt_err *e);

/* Forward migrations: migrations[v - 1] brings schema version v up to
 * v + 1, by SQL or by a function when BLOBs must be re-encoded. A new
 * database gets data/schema.sql, which is always the newest version. */
static const struct migration {
	const char *sql;
	enum mt_status (*fn)(struct store *s, struct mt_err *e);
} migrations[SCHEMA_VERSION - 1] = {
	[0] = {.fn = migrate_samples_to_chunks}, /* 1 -> 2: sample rows -> chunks */
	/* 2 -> 3: time series beside the snapshots (src/metrics.c), as in
	 * data/schema.sql. */
	[1] = {.sql = "CREATE TABLE series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
		      "source TEXT NOT NULL, UNIQUE (name, source));"
		      "CREATE TABLE point (series INTEGER NOT NULL, time INTEGER NOT NULL, "
		      "value REAL NOT NULL, PRIMARY KEY (series, time)) WITHOUT ROWID;"},
	/* 3 -> 4: the exact estimates beside a chunk's values (jemalloc). */
	[2] = {.sql = "ALTER TABLE chunk ADD COLUMN exact BLOB;"},
};

/* ------------------------------------------------------------------ */
/* Errors, statements, transactions                                    */

enum mt_status store_dberr(struct store *s, struct mt_err *e, const char *what)
{
	int code = sqlite3_errcode(s->db);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return mt_errf(e, MT_ERR_DB, "%s: the database %s is locked by another "
			       "writer (gave up after %d s)", what, s->path, BUSY_MS / 1000);
	if (code == SQLITE_NOTADB)
		return mt_errf(e, MT_ERR_DB, "not a memtop database (%s)",
			       sqlite3_errmsg(s->db));
	if (code == SQLITE_CORRUPT)
		return mt_errf(e, MT_ERR_CORRUPT, "%s: the database is damaged (%s)",
			       what, sqlite3_errmsg(s->db));
	/* SQLite's "disk I/O error" with the system's reason: a full disk, a
	 * file size limit (ulimit -f: EFBIG), a read-only file system. */
	int sys = sqlite3_system_errno(s->db);
	bool io = code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN;
	if (io && sys)
		return mt_errf(e, MT_ERR_DB, "%s: %s (%s)", what, sqlite3_errmsg(s->db),
			       strerror(sys));
	/* A write cut short at the limit sets no errno. */
	struct rlimit fsize;
	if (io && getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY)
		return mt_errf(e, MT_ERR_DB, "%s: %s (the file size limit, ulimit -f, is "
			       "%llu bytes)", what, sqlite3_errmsg(s->db),
			       (unsigned long long)fsize.rlim_cur);
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

enum mt_status store_exec(struct store *s, const char *sql, struct mt_err *e)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		/* The statement's first words, not the whole schema. */
		char what[64];
		snprintf(what, sizeof what, "running \"%.*s\"", (int)strcspn(sql, "(;\n"),
			 sql);
		return store_dberr(s, e, what);
	}
	return MT_OK;
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Forgets the dedupe caches: after a rollback, a removal, or another
 * connection's write, the ids they hold may be wrong. */
void store_drop_caches(struct store *s)
{
	km_clear(&s->maps);
	km_clear(&s->funcs);
	km_clear(&s->locs);
	hm_clear(&s->stacks);
	s->cached = false;
}

int64_t store_data_version(struct store *s)
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

/* Schema 1 -> 2, stacks: a row per stack becomes blocks of consecutive
 * ids (the ids stay: chunks name them), gaps left by removed stacks
 * filled with empty ones. */
static enum mt_status migrate_stacks_to_blocks(struct store *s, struct mt_err *e)
{
	enum mt_status st;
	sqlite3_stmt *q = NULL, *ins = NULL;
	mt_bytes enc = {0};
	if ((st = store_exec(s, "ALTER TABLE stack RENAME TO stack_v1;"
			  "CREATE TABLE stack (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, "
			  "locs BLOB NOT NULL)", e)))
		return st;
	if (sqlite3_prepare_v2(s->db, "SELECT id, locs FROM stack_v1 ORDER BY id", -1, &q,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO stack (id, n, locs) VALUES (?, ?, ?)", -1,
			       &ins, NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "migrating stacks");
		goto out;
	}
	int64_t first = 0, n = 0;
	int rc;
	for (;;) {
		rc = sqlite3_step(q);
		int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		if (n && (rc != SQLITE_ROW || id - first >= STACK_BLOCK)) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, first);
			sqlite3_bind_int64(ins, 2, n);
			sqlite3_bind_blob(ins, 3, enc.v, (int)enc.n, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				st = store_dberr(s, e, "migrating stacks");
				goto out;
			}
			n = enc.n = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		if (!n)
			first = id;
		for (; first + n < id; n++) /* a removed stack */
			put_uv(&enc, 0);
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		put_uv(&enc, len + 1);
		VEC_RESERVE(enc, enc.n + len);
		if (len)
			memcpy(enc.v + enc.n, sqlite3_column_blob(q, 1), len);
		enc.n += len;
		n++;
	}
	if (rc != SQLITE_DONE)
		st = store_dberr(s, e, "migrating stacks");
	else
		st = store_exec(s, "DROP TABLE stack_v1", e);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	free(enc.v);
	return st;
}

/* Schema 1 -> 2: re-encodes each snapshot's sample rows as chunk rows, and
 * the stacks as blocks.
 * The per-sample encodings of version 1 are those of a chunk, so a chunk is
 * the concatenation of its samples' bytes (a count of 0 for no labels). */
static enum mt_status migrate_samples_to_chunks(struct store *s, struct mt_err *e)
{
	enum mt_status st;
	sqlite3_stmt *q = NULL, *ins = NULL;
	mt_bytes stacks = {0}, vals = {0}, labels = {0};
	if ((st = store_exec(s, "CREATE TABLE chunk (snapshot INTEGER NOT NULL, "
			  "seq INTEGER NOT NULL, n INTEGER NOT NULL, stacks BLOB NOT NULL, "
			  "vals BLOB NOT NULL, labels BLOB, PRIMARY KEY (snapshot, seq))", e)))
		return st;
	if (sqlite3_prepare_v2(s->db, "SELECT snapshot, stack, vals, labels FROM sample "
				      "ORDER BY snapshot, idx", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO chunk (snapshot, seq, n, stacks, vals, "
				      "labels) VALUES (?, ?, ?, ?, ?, ?)", -1, &ins,
			       NULL) != SQLITE_OK) {
		st = store_dberr(s, e, "migrating samples");
		goto out;
	}
	int64_t snap = 0, seq = 0;
	size_t n = 0;
	bool has_labels = false;
	int rc;
	for (;;) {
		rc = sqlite3_step(q);
		int64_t next = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		if (n && (rc != SQLITE_ROW || next != snap || n == CHUNK_SAMPLES)) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, snap);
			sqlite3_bind_int64(ins, 2, seq++);
			sqlite3_bind_int64(ins, 3, (int64_t)n);
			sqlite3_bind_blob(ins, 4, stacks.v, (int)stacks.n, SQLITE_STATIC);
			sqlite3_bind_blob(ins, 5, vals.n ? (const void *)vals.v : "",
					  (int)vals.n, SQLITE_STATIC);
			if (has_labels)
				sqlite3_bind_blob(ins, 6, labels.v, (int)labels.n, SQLITE_STATIC);
			else
				sqlite3_bind_null(ins, 6);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				st = store_dberr(s, e, "migrating samples");
				goto out;
			}
			n = stacks.n = vals.n = labels.n = 0;
			has_labels = false;
		}
		if (rc != SQLITE_ROW)
			break;
		if (next != snap)
			seq = 0;
		snap = next;
		put_uv(&stacks, (uint64_t)sqlite3_column_int64(q, 1));
		size_t nv = (size_t)sqlite3_column_bytes(q, 2);
		VEC_RESERVE(vals, vals.n + nv);
		if (nv)
			memcpy(vals.v + vals.n, sqlite3_column_blob(q, 2), nv);
		vals.n += nv;
		size_t nl = (size_t)sqlite3_column_bytes(q, 3);
		if (nl) {
			VEC_RESERVE(labels, labels.n + nl);
			memcpy(labels.v + labels.n, sqlite3_column_blob(q, 3), nl);
			labels.n += nl;
			has_labels = true;
		} else {
			put_uv(&labels, 0);
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		st = store_dberr(s, e, "migrating samples");
	else if (!(st = store_exec(s, "DROP TABLE sample", e)))
		st = migrate_stacks_to_blocks(s, e);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	free(stacks.v);
	free(vals.v);
	free(labels.v);
	return st;
}

/* An integer a query returns, or -1. */
static int64_t query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Whether the database is memtop's to use, before anything is written to
 * it: empty, stamped with memtop's application_id, or a memtop database
 * from before the stamp (a schema version and memtop's tables; *stamp is
 * set). Anything else belongs to someone else and is left as it is. */
static enum mt_status check_owner(struct store *s, bool *stamp, struct mt_err *e)
{
	*stamp = false;
	int64_t app = query_int(s, "PRAGMA application_id");
	if (app == APPLICATION_ID)
		return MT_OK;
	int64_t objects = query_int(s, "SELECT count(*) FROM sqlite_master");
	if (objects < 0)
		return store_dberr(s, e, "reading the schema");
	int64_t version = query_int(s, "PRAGMA user_version");
	if (app == 0 && objects == 0 && version == 0)
		return MT_OK;
	int64_t ours = query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
				    "AND name IN ('mapping', 'function', 'location', "
				    "'stack', 'snapshot')");
	if (app == 0 && version > 0 && ours == 5) {
		*stamp = true;
		return MT_OK;
	}
	if (app != 0)
		return mt_errf(e, MT_ERR_DB, "not a memtop database (its application_id "
			       "%#llx is another program's); left unchanged",
			       (unsigned long long)app);
	return mt_errf(e, MT_ERR_DB, "not a memtop database (its tables are another "
		       "program's); left unchanged");
}

/* Creates the schema in an empty database, or brings an older one up to
 * date, in one transaction. */
static enum mt_status migrate(struct store *s, bool stamp, struct mt_err *e)
{
	enum mt_status st;
	sqlite3_stmt *q;
	int64_t v = 0;
	/* An up-to-date database needs no write lock: a reader opening it
	 * while a writer imports must not wait for the writer. */
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (v == SCHEMA_VERSION && !stamp)
		return MT_OK;
	v = 0;
	if ((st = store_exec(s, "BEGIN IMMEDIATE", e)))
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
	/* No memtop ever wrote a negative version: a damaged header. */
	if (v < 0) {
		st = mt_errf(e, MT_ERR_CORRUPT, "the database is damaged (schema version %lld)",
			     (long long)v);
		goto fail;
	}
	/* A memtop database from before application_id: stamped now. */
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", APPLICATION_ID);
	if (stamp && (st = store_exec(s, sql, e)))
		goto fail;
	if (v == SCHEMA_VERSION)
		return store_exec(s, "COMMIT", e);
	if (v == 0 && (st = store_exec(s, store_schema_sql, e)))
		goto fail;
	for (int64_t i = v ? v - 1 : SCHEMA_VERSION; i + 1 < SCHEMA_VERSION; i++) {
		const struct migration *mg = &migrations[i];
		if ((mg->sql && (st = store_exec(s, mg->sql, e))) || (mg->fn && (st = mg->fn(s, e))))
			goto fail;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
	if ((st = store_exec(s, sql, e)))
		goto fail;
	return store_exec(s, "COMMIT", e);
fail:
	store_rollback(s);
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
	bool stamp;
	if ((st = check_owner(s, &stamp, e)))
		goto fail;
	if (!mem && (st = store_exec(s, "PRAGMA journal_mode = WAL", e)))
		goto fail;
	if ((st = store_exec(s, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -" CACHE_KB ";"
		       "PRAGMA foreign_keys = OFF", e)) ||
	    (st = migrate(s, stamp, e)))
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
	store_drop_caches(s);
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
