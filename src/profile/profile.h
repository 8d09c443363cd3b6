/* profile.h - the in-memory profile model every reader fills and every view
 * reads.
 *
 * Ownership: a struct profile owns all of its arrays and its string table.
 * Functions, locations and samples refer to each other by index into the
 * arrays of the same profile (never by pointer), and to strings by mt_str in
 * p->strs. Views and aggregations borrow a profile and must not outlive it.
 *
 * Frames are leaf first: a sample's locations run from the leaf to the root,
 * and a location's lines from the innermost inlined function to the function
 * it was inlined into (as in profile.proto).
 */
#ifndef MT_PROFILE_H
#define MT_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "base/strtab.h"
#include "base/util.h"

#define MT_NONE UINT32_MAX

enum mt_format {
	MT_FMT_UNKNOWN,
	MT_FMT_PPROF,       /* profile.proto, gzip or raw */
	MT_FMT_GO_HEAP_TEXT,
	MT_FMT_GO_COUNT_TEXT, /* goroutine / threadcreate debug=1 */
	MT_FMT_GO_CONTENTION_TEXT,
	MT_FMT_GOROUTINE_DUMP,
	MT_FMT_TCMALLOC_HEAP,
	MT_FMT_JEMALLOC_HEAP,
	MT_FMT_CONTENTIONZ,
	/* Appended, never reordered: the store keeps these numbers. */
	MT_FMT_GPERF_CPU,       /* gperftools' binary CPU profile */
	MT_FMT_THREADZ,         /* `--- threadz` / `--- Thread` stack dumps */
	MT_FMT_JAVA_CPU,        /* the binary CPU profile with Java frames */
	MT_FMT_JAVA_HEAP,       /* `--- heapz 1 ---` */
	MT_FMT_JAVA_CONTENTION, /* `--- contentionz 1 ---` with `format = java` */
};

struct mt_value_type {
	mt_str type, unit;
};

struct mt_mapping {
	uint64_t id, start, limit, offset;
	mt_str file, build_id;
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

struct mt_function {
	uint64_t id;
	mt_str name, system_name, filename;
	int64_t start_line;
};

struct mt_line {
	uint32_t func; /* index into functions, or MT_NONE */
	int64_t line;
};

struct mt_location {
	uint64_t id;
	uint64_t address;
	uint32_t mapping;      /* index into mappings, or MT_NONE */
	uint32_t line0, nline; /* lines[line0 .. line0+nline), leaf first */
	bool is_folded;
};

/* A label: string when str != 0 or num_unit == 0 and is_num is false. */
struct mt_label {
	int64_t num;
	mt_str key, str, unit;
	bool is_num; /* last: 24 bytes a label, not 32 (one a sample in heaps) */
};

struct mt_sample {
	uint32_t loc0, nloc;     /* sample_locs[loc0 .. loc0+nloc), leaf first */
	uint32_t label0, nlabel; /* labels[label0 .. label0+nlabel) */
};

struct profile {
	struct mt_strtab strs;
	enum mt_format format;

	VEC(struct mt_value_type) sample_types;
	mt_str default_sample_type;
	struct mt_value_type period_type;
	int64_t period;
	int64_t time_nanos, duration_nanos;
	mt_str drop_frames, keep_frames;
	VEC(mt_str) comments;

	VEC(struct mt_mapping) mappings;
	VEC(struct mt_function) functions;
	VEC(struct mt_line) lines;
	VEC(struct mt_location) locations;
	VEC(struct mt_sample) samples;
	VEC(uint32_t) sample_locs; /* location indices */
	VEC(int64_t) values;       /* samples.n * sample_types.n, row-major */
	/* Empty, or the shape of values: the estimates a reader truncated to
	 * values when they are not whole numbers (jemalloc's unsampled
	 * counts and bytes). values keep pprof's truncation per sample, for
	 * everything that takes a sample's value alone (protobuf export,
	 * folded stacks); sums over samples (totals, flat, cum, edges) add
	 * these and truncate once, as jeprof does: see profile_sum. */
	VEC(double) exact;
	VEC(struct mt_label) labels;
};

struct profile *profile_new(void);
void profile_free(struct profile *p);

static inline const char *profile_str(const struct profile *p, mt_str s)
{
	return strtab_get(&p->strs, s);
}

static inline const int64_t *profile_values(const struct profile *p, size_t sample)
{
	return p->values.v + sample * p->sample_types.n;
}

/* Whether the samples carry exact estimates beside their values. */
static inline bool profile_has_exact(const struct profile *p)
{
	return p->exact.n != 0;
}

/* Value t of sample s as sums take it: the exact estimate when there is
 * one, else the value. */
static inline double profile_value_exact(const struct profile *p, size_t s, size_t t)
{
	size_t i = s * p->sample_types.n + t;
	return p->exact.n ? p->exact.v[i] : (double)p->values.v[i];
}

/* A sum of exact estimates as a whole number: truncated toward zero once
 * (jeprof prints its floating-point sums with %d), clamped to int64. */
int64_t profile_sum(double x);

/* The sample index pprof picks when none is asked for: default_sample_type if
 * it names one, else the last type. -1 when the profile has no sample types. */
int profile_default_index(const struct profile *p);

/* Resolves a sample index given by name or number, with pprof's rules
 * (numbers in range; names, also without an "inuse_" prefix). NULL or "" means
 * the default. */
enum mt_status profile_sample_index(const struct profile *p, const char *want,
				    int *index, struct mt_err *e);

/* Removes frames matched by drop_frames (and not keep_frames), like pprof's
 * RemoveUninteresting: applied once after reading. */
enum mt_status profile_prune(struct profile *p, struct mt_err *e);

/* Checks internal references (what a reader produced must hold together). */
enum mt_status profile_check(const struct profile *p, struct mt_err *e);

/* A short name of the profile's kind, guessed from its sample types:
 * "heap", "allocs", "goroutine", "goroutineleak", "threadcreate",
 * "contention" (mutex and block look alike), "cpu", or "profile". */
const char *profile_kind(const struct profile *p);

#endif
