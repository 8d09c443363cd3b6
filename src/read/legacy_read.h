/* legacy_read.h - readers of the profiles that predate profile.proto: Go's
 * debug=1 texts (heap, goroutine/threadcreate counts, mutex/block
 * contention), gperftools/tcmalloc heap, contentionz and binary CPU profiles,
 * threadz dumps, Java heapz/contentionz/CPU profiles, and jemalloc heap_v2
 * dumps.
 *
 * Semantics follow pprof's legacy parser (unsampling, period, sample types,
 * address adjustment, memory maps, drop_frames). Where a Go text carries `#`
 * frame lines, frames (with inlined calls) come from them and need no binary;
 * otherwise locations are addresses with mappings, left to symbolization.
 *
 * Every parser fills a fresh profile from data[0..n) (NUL-terminated at
 * data[n]); on failure the profile holds partial data the caller frees and e
 * says what is wrong and at which byte.
 */
#ifndef MT_LEGACY_READ_H
#define MT_LEGACY_READ_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "profile/profile.h"

/* `heap profile: ...` texts: Go's `@ heap/R`, gperftools' `@ heapprofile`,
 * `@ heap_v2/R`, `@ heapz_v2/R`, `@ growthz`, `@ fragmentationz`. */
enum mt_status legacy_parse_heap(const uint8_t *data, size_t n, struct profile *p,
				 const struct mt_limits *lim, struct mt_err *e);

/* `goroutine profile: total N` and `threadcreate profile: total N`. */
enum mt_status legacy_parse_count(const uint8_t *data, size_t n,
				  struct profile *p, const struct mt_limits *lim,
				  struct mt_err *e);

/* `--- mutex:`, `--- contention:` (Go) and `--- contentionz` (gperftools). */
enum mt_status legacy_parse_contention(const uint8_t *data, size_t n,
				       struct profile *p,
				       const struct mt_limits *lim,
				       struct mt_err *e);

/* jemalloc's `heap_v2/R` dumps with `t*:` and `tN:` lines. */
enum mt_status legacy_parse_jemalloc(const uint8_t *data, size_t n,
				     struct profile *p,
				     const struct mt_limits *lim,
				     struct mt_err *e);

/* gperftools' binary CPU profiles, C++ (MT_FMT_GPERF_CPU) or Java
 * (MT_FMT_JAVA_CPU): 32- or 64-bit words of either byte order, then a memory
 * map or Java's location section. */
enum mt_status legacy_parse_cpu(const uint8_t *data, size_t n, struct profile *p,
				const struct mt_limits *lim, struct mt_err *e);

/* `--- threadz N ---` / `--- Thread ...` stack dumps: one sample per
 * distinct thread stack, counted in threads. */
enum mt_status legacy_parse_thread(const uint8_t *data, size_t n,
				   struct profile *p, const struct mt_limits *lim,
				   struct mt_err *e);

/* Java's `--- heapz 1 ---` and `--- contentionz 1 ---` texts. */
enum mt_status legacy_parse_java(const uint8_t *data, size_t n, struct profile *p,
				 const struct mt_limits *lim, struct mt_err *e);

/* The legacy formats found by more than a first-line prefix: binary CPU
 * profiles (their header words), threadz dumps (after comment lines), Java
 * texts (a contentionz header is Java's only with a Java attribute).
 * MT_FMT_UNKNOWN for anything else. */
enum mt_format legacy_detect(const uint8_t *data, size_t n);

/* pprof's unsampling of one (count, size) pair of a heap_v2-style profile
 * with average sampling rate `rate`: divides by the probability
 * 1-exp(-avg/rate) of a block of average size being sampled, truncating to
 * integers as pprof does. Fails (returns false) when the result does not fit
 * an int64. */
bool legacy_scale_heap(int64_t *count, int64_t *size, int64_t rate);

#endif
