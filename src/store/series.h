/* series.h - the one rule of what a series is, for `memtop leaks`,
 * `memtop check`, the timeline and the goroutine counts across snapshots.
 *
 * A series is the snapshots of one kind from one source: the URL a
 * collector scraped, or for files the directory they were written to (a
 * program writing heap-1.pb.gz, heap-2.pb.gz, ... into one directory). The
 * source is compared exactly: "/x" and "/x2" are two series.
 *
 * Ownership: a struct store_series borrows the entries of the store_list
 * it was grouped from (which must outlive it) and owns its key and array.
 */
#ifndef MT_SERIES_H
#define MT_SERIES_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

struct store_series {
	char *key;        /* the URL, or the files' directory */
	const char *kind; /* borrowed from the entries */
	const struct store_entry **snaps; /* by capture time, then id */
	size_t n;
};

/* The series key of a source: how many of its leading bytes name the
 * series (the whole URL; a file's directory). */
size_t store_series_key_len(const char *source);

/* Whether a and b are snapshots of one series. */
bool store_same_series(const struct store_entry *a, const struct store_entry *b);

/* Whether en's series is the one a user named with --source S: S is its
 * key, its key with a trailing '/', or the source of one of its snapshots. */
bool store_series_named(const struct store_entry *en, const char *s);

/* Groups the entries of l that pass (source == NULL or named by source,
 * kind == NULL or equal) into series, the one with the most snapshots
 * first (ties: the newest snapshot first). The caller frees the array
 * with store_series_free. */
void store_series_group(const struct store_list *l, const char *source, const char *kind,
			struct store_series **out, size_t *n);
void store_series_free(struct store_series *v, size_t n);

/* The series in v[0..n) that holds snapshot id, or NULL. */
const struct store_series *store_series_of(const struct store_series *v, size_t n,
					   int64_t id);

#endif
