/* store.c - opening the database, the schema and its migrations, importing
 * snapshots, and removing them with whatever nothing uses any more. Reading
 * back is in store_read.c. */
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

#include "profile/nodes.h"
#include "base/sha256.h"
#include "store/store_int.h"

#include "schema_sql.h" /* store_schema_sql, generated from data/schema.sql */

#define SCHEMA_VERSION 4
/* PRAGMA application_id of memtop's databases: "mtop" (data/schema.sql). */
#define APPLICATION_ID 0x6d746f70
#define BUSY_MS 10000
/* Samples per chunk row: big enough that a row costs little per sample,
 * small enough that a reader decodes a chunk in cache. */
#define CHUNK_SAMPLES 65536
/* The page cache in KiB: everyday, and while importing a big snapshot. */
#define CACHE_KB "65536"
#define IMPORT_CACHE_KB "524288"

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

static enum mt_status exec(struct store *s, const char *sql, struct mt_err *e)
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
	hm_clear(&s->stacks);
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

/* Schema 1 -> 2, stacks: a row per stack becomes blocks of consecutive
 * ids (the ids stay: chunks name them), gaps left by removed stacks
 * filled with empty ones. */
static enum mt_status migrate_stacks_to_blocks(struct store *s, struct mt_err *e)
{
	enum mt_status st;
	sqlite3_stmt *q = NULL, *ins = NULL;
	mt_bytes enc = {0};
	if ((st = exec(s, "ALTER TABLE stack RENAME TO stack_v1;"
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
		st = exec(s, "DROP TABLE stack_v1", e);
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
	if ((st = exec(s, "CREATE TABLE chunk (snapshot INTEGER NOT NULL, "
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
	else if (!(st = exec(s, "DROP TABLE sample", e)))
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
	/* No memtop ever wrote a negative version: a damaged header. */
	if (v < 0) {
		st = mt_errf(e, MT_ERR_CORRUPT, "the database is damaged (schema version %lld)",
			     (long long)v);
		goto fail;
	}
	/* A memtop database from before application_id: stamped now. */
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", APPLICATION_ID);
	if (stamp && (st = exec(s, sql, e)))
		goto fail;
	if (v == SCHEMA_VERSION)
		return exec(s, "COMMIT", e);
	if (v == 0 && (st = exec(s, store_schema_sql, e)))
		goto fail;
	for (int64_t i = v ? v - 1 : SCHEMA_VERSION; i + 1 < SCHEMA_VERSION; i++) {
		const struct migration *mg = &migrations[i];
		if ((mg->sql && (st = exec(s, mg->sql, e))) || (mg->fn && (st = mg->fn(s, e))))
			goto fail;
	}
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
	bool stamp;
	if ((st = check_owner(s, &stamp, e)))
		goto fail;
	if (!mem && (st = exec(s, "PRAGMA journal_mode = WAL", e)))
		goto fail;
	if ((st = exec(s, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -" CACHE_KB ";"
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
		st = exec(s, "COMMIT", e);
	if (st) {
		rollback(s);
		drop_caches(s);
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
	drop_caches(s);
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
