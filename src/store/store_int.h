/* store_int.h - the store's private parts, shared by store*.c only: the
 * compact encodings of its BLOBs (varints, zigzag numbers), the in-memory
 * maps that dedupe functions, locations, mappings and stacks against the
 * database, and the open store itself. */
#ifndef MT_STORE_INT_H
#define MT_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "base/status.h"
#include "base/util.h"

typedef VEC(uint8_t) mt_bytes;

static inline void put_uv(mt_bytes *b, uint64_t v)
{
	VEC_RESERVE(*b, b->n + 10);
	while (v >= 0x80) {
		b->v[b->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->v[b->n++] = (uint8_t)v;
}

static inline void put_sv(mt_bytes *b, int64_t v)
{
	put_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A double as 8 bytes of IEEE 754, little endian (the chunk's exact
 * values). */
static inline void put_f64(mt_bytes *b, double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	VEC_RESERVE(*b, b->n + 8);
	for (int i = 0; i < 8; i++)
		b->v[b->n++] = (uint8_t)(u >> (8 * i));
}

static inline double get_f64(const uint8_t *p)
{
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)p[i] << (8 * i);
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

static inline void put_str(mt_bytes *b, const char *s)
{
	size_t n = strlen(s) + 1;
	VEC_RESERVE(*b, b->n + n);
	memcpy(b->v + b->n, s, n);
	b->n += n;
}

/* A cursor over an encoded BLOB; ok turns false on the first bad read and
 * stays false, so a decoder checks once at the end. */
struct cur {
	const uint8_t *p, *end;
	bool ok;
};

/* Column i of q's row as text; "" for a NULL, which a damaged or crafted
 * database may hold where the schema says NOT NULL. */
static inline const char *col_str(sqlite3_stmt *q, int i)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	return t ? t : "";
}

/* A cursor over b[0..n); SQLite gives NULL for an empty BLOB, and NULL + 0
 * is undefined. */
static inline struct cur cur_of(const uint8_t *b, size_t n)
{
	struct cur c = {b, b ? b + n : b, true};
	return c;
}

static inline uint64_t get_uv(struct cur *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->ok = false;
			return 0;
		}
		uint8_t x = *c->p++;
		v |= (uint64_t)(x & 0x7f) << shift;
		if (!(x & 0x80))
			return v;
	}
	c->ok = false;
	return 0;
}

static inline int64_t get_sv(struct cur *c)
{
	uint64_t u = get_uv(c);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Byte strings to row ids, open addressing. */
struct keymap {
	struct km_slot {
		uint64_t hash;
		size_t off;
		uint32_t len;
		int64_t id; /* 0 = empty slot */
	} *slots;
	size_t nslots, n;
	mt_bytes arena;
};

void km_clear(struct keymap *m);
/* The id stored for key k[0..n) with hash h, or 0. */
int64_t km_find(const struct keymap *m, const void *k, size_t n, uint64_t h);
void km_add(struct keymap *m, const void *k, size_t n, uint64_t h, int64_t id);

/* Pairs of 64-bit hashes (a stack's, see data/schema.sql) to ids; the
 * first id added for a pair wins. 24 bytes a slot and no key arena: a
 * million stacks cost one cache miss each. */
struct hashmap {
	struct hm_slot {
		uint64_t h1, h2;
		int64_t id; /* 0 = empty slot */
	} *slots;
	size_t nslots, n;
};

void hm_clear(struct hashmap *m);
int64_t hm_find(const struct hashmap *m, uint64_t h1, uint64_t h2);
void hm_add(struct hashmap *m, uint64_t h1, uint64_t h2, int64_t id);

/* Stack ids per row of the stack table (data/schema.sql). */
#define STACK_BLOCK 65536
/* The seeds of a stack's two hashes. */
#define STACK_SEED1 0x5eedULL
#define STACK_SEED2 0x9e3779b97f4a7c15ULL

/* Walks the stacks of a block: stack_next gives each one's encoding
 * (removed: false in *live), false at the end or on damage (c->ok). */
static inline bool stack_next(struct cur *c, const uint8_t **p, size_t *n, bool *live)
{
	if (!c->ok || c->p >= c->end)
		return false;
	uint64_t len = get_uv(c);
	if (!c->ok || (len && len - 1 > (uint64_t)(c->end - c->p))) {
		c->ok = false;
		return false;
	}
	*live = len != 0;
	*n = len ? (size_t)(len - 1) : 0;
	*p = c->p;
	c->p += *n;
	return true;
}

/* Row ids to small indices (0 = absent, so callers store index + 1). */
struct idmap {
	struct im_slot {
		int64_t key;
		uint32_t val;
	} *slots;
	size_t nslots, n;
};

void im_clear(struct idmap *m);
uint32_t im_get(const struct idmap *m, int64_t key);
void im_put(struct idmap *m, int64_t key, uint32_t val);

/* Slots of the prepared statements. */
enum store_st {
	ST_SNAP_BY_HASH,
	ST_INS_MAP,
	ST_INS_FUNC,
	ST_INS_LOC,
	ST_FIND_STACK,
	ST_GET_STACK,
	ST_INS_STACK,
	ST_INS_SNAP,
	ST_INS_CHUNK,
	ST_GET_SNAP,
	ST_GET_MAP,
	ST_GET_LOC,
	ST_GET_FUNC,
	ST_GET_CHUNKS,
	ST_DEL_CHUNKS,
	ST_DEL_SNAP,
	ST_COUNT
};

/* The open store: its connection, prepared statements, and the dedupe
 * caches, valid while data_version says no other connection wrote. */
struct store {
	sqlite3 *db;
	char *path;
	bool cached;          /* caches hold every mapping, function, location,
			       * and the hash of every stack */
	int64_t data_version; /* of the database when the caches were filled */
	struct keymap maps, funcs, locs;
	struct hashmap stacks;
	sqlite3_stmt *st[ST_COUNT];
};

/* Formats the connection's last error as "what: message". */
enum mt_status store_dberr(struct store *s, struct mt_err *e, const char *what);
/* Prepares (once) statement slot i with sql. */
sqlite3_stmt *store_stmt(struct store *s, int i, const char *sql, struct mt_err *e);
/* Runs sql (no rows); errors name its first words. */
enum mt_status store_exec(struct store *s, const char *sql, struct mt_err *e);
/* Rolls back the open transaction, if any. */
void store_rollback(struct store *s);
/* Forgets the dedupe caches: after a rollback, a removal, or another
 * connection's write, the ids they hold may be wrong. */
void store_drop_caches(struct store *s);
/* PRAGMA data_version: changes when another connection wrote. */
int64_t store_data_version(struct store *s);

/* Samples per chunk row: big enough that a row costs little per sample,
 * small enough that a reader decodes a chunk in cache. */
#define CHUNK_SAMPLES 65536
/* The page cache in KiB: everyday, and while importing a big snapshot. */
#define CACHE_KB "65536"
#define IMPORT_CACHE_KB "524288"

#endif
