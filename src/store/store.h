/* store.h - snapshots kept in one SQLite file (schema: data/schema.sql).
 *
 * Functions, locations, mappings and stacks are stored once and shared by
 * every snapshot, so a diff or a trend scans shared stack ids instead of
 * parsing files again. Each import is one transaction: a crash leaves all of
 * a snapshot or none of it. The file is in WAL mode, so readers (the TUI)
 * keep reading while a writer (the collector) imports.
 *
 * Ownership: a struct store owns its SQLite connection and its caches; a
 * profile returned by store_load belongs to the caller (profile_free), and so
 * does a store_list (store_list_done).
 */
#ifndef MT_STORE_H
#define MT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"
#include "base/status.h"

struct store;

/* Where a snapshot came from, given to store_import. */
struct store_source {
	const char *source;   /* file path or URL */
	const char *kind;     /* NULL or "": guessed (store_guess_kind) */
	int64_t time_nanos;   /* capture time when the profile carries none */
	bool force_time;      /* time_nanos even when the profile has a time */
	const uint8_t *raw;   /* the bytes as read or fetched: the content hash */
	size_t nraw;
};

/* One line of store_list. Strings belong to the list. */
struct store_entry {
	int64_t id;
	char *kind, *source;
	int64_t time;         /* capture time, ns since the epoch */
	char **types;         /* ntypes sample type names */
	char **units;         /* and their units */
	size_t ntypes;
	int default_index;    /* into types, -1 when there are none */
	int64_t total;        /* pprof's total of the default sample type */
	int64_t nsample;
};

struct store_list {
	struct store_entry *v;
	size_t n;
};

/* The database memtop uses when none is named: $MEMTOP_DB, else
 * $XDG_DATA_HOME/memtop/memtop.db, else ~/.local/share/memtop/memtop.db.
 * The caller owns *path. */
enum mt_status store_default_path(char **path, struct mt_err *e);

/* Opens (path NULL: the default) a database; ":memory:" is a private one.
 * With create, a missing file and its directory are made (file mode 0600);
 * without, a missing file is MT_ERR_NOTFOUND. Brings an older schema up to
 * date. */
enum mt_status store_open(struct store **out, const char *path, bool create,
			  struct mt_err *e);
void store_close(struct store *s);
/* The path the store was opened with. */
const char *store_path(const struct store *s);

/* A snapshot kind from a profile and its source: "heap", "allocs",
 * "goroutine", "goroutine-dump", "mutex", "block", "cpu", "threadcreate", or
 * what profile_kind says. */
const char *store_guess_kind(const struct profile *p, const char *source);

/* Stores p as one snapshot in one transaction and sets *id. When the same
 * bytes were stored before, nothing is added, *dup is true and *id is the
 * snapshot that holds them. */
enum mt_status store_import(struct store *s, const struct profile *p,
			    const struct store_source *src, int64_t *id, bool *dup,
			    struct mt_err *e);

/* The snapshot holding exactly the bytes raw[0..n), or *id = 0: what
 * store_import would find, without parsing the profile first. */
enum mt_status store_find_bytes(struct store *s, const uint8_t *raw, size_t n, int64_t *id,
				struct mt_err *e);

/* Reads snapshot id back with exactly the numbers it was stored with. The
 * caller owns *out. */
enum mt_status store_load(struct store *s, int64_t id, struct profile **out,
			  struct mt_err *e);

/* Reads the samples of snapshot id in their order: calls fn with each
 * sample's stack id and its value of sample type index (which must be
 * below the snapshot's number of sample types). For scans over many
 * snapshots that share stacks (trends), without building profiles. */
enum mt_status store_scan_values(struct store *s, int64_t id, int index,
				 void (*fn)(void *ctx, int64_t stack, int64_t value),
				 void *ctx, struct mt_err *e);

/* One label of store_scan_samples: key and str index the snapshot's label
 * strings (given to the strings callback); str is 0 for a number. */
struct store_label {
	uint32_t key, str, unit;
	int64_t num;
	bool is_num;
};

/* What store_scan_samples calls: strings once per snapshot, before its
 * samples, with its label strings (index 0 is ""); sample with each
 * sample's stack id, its value of the sample type asked for, and its
 * labels (borrowed for the call). */
struct store_scan {
	void *ctx;
	void (*strings)(void *ctx, const char *const *strs, size_t n);
	void (*sample)(void *ctx, int64_t stack, int64_t value, const struct store_label *l,
		       size_t nl);
};

/* store_scan_values with the samples' labels: for scans of goroutine
 * dumps, whose labels hold each goroutine's id, state and creator. */
enum mt_status store_scan_samples(struct store *s, int64_t id, int index,
				  const struct store_scan *fn, struct mt_err *e);

/* A profile with one sample per stack of ids[0..n) (sample i is stack
 * ids[i]), with its locations, functions and mappings, and no sample types
 * or values. The caller owns *out. */
enum mt_status store_load_stacks(struct store *s, const int64_t *ids, size_t n,
				 struct profile **out, struct mt_err *e);

/* Lists every snapshot, oldest id first. */
enum mt_status store_list(struct store *s, struct store_list *out, struct mt_err *e);
void store_list_done(struct store_list *l);

/* Removes snapshot id (MT_ERR_NOTFOUND if there is none), then whatever
 * no remaining snapshot uses. */
enum mt_status store_remove(struct store *s, int64_t id, struct mt_err *e);

/* Removes snapshots beyond the newest keep (0: no count limit) and those
 * captured before not_before (0: no age limit), then what nothing uses;
 * *removed counts the snapshots. */
enum mt_status store_prune(struct store *s, int64_t keep, int64_t not_before,
			   size_t *removed, struct mt_err *e);

#endif
