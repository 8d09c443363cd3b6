/* util.h - allocation that never returns NULL, growable arrays, hashing.
 *
 * Out of memory is not a condition memtop recovers from: xmalloc and friends
 * call mt_oom_hook (the UI sets it to restore the terminal) and abort with a
 * message.
 */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

extern void (*mt_oom_hook)(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (an array of elements of size elsz with capacity *cap) to hold at
 * least need elements, at least doubling. */
void xgrow(void **p, size_t *cap, size_t need, size_t elsz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable array of T: `VEC(int) v = {0}; VEC_PUSH(v, 3); free(v.v);` */
#define VEC(T)                                                                 \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}
#define VEC_RESERVE(vec, need)                                                 \
	do {                                                                   \
		if ((need) > (vec).cap)                                        \
			xgrow((void **)&(vec).v, &(vec).cap, (need),           \
			      sizeof *(vec).v);                                \
	} while (0)
#define VEC_PUSH(vec, x)                                                       \
	do {                                                                   \
		VEC_RESERVE(vec, (vec).n + 1);                                 \
		(vec).v[(vec).n++] = (x);                                      \
	} while (0)

/* &vec.v[i] for a slice that starts at i (possibly empty): a vector that
 * never grew has v NULL, and NULL + i is undefined even for i == 0. */
#define VEC_AT(vec, i) ((vec).v ? (vec).v + (i) : (vec).v)
/* The value of a hexadecimal digit, or -1. */
static inline int mt_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A fast 64-bit hash of bytes (not cryptographic). */
uint64_t mt_hash(const void *p, size_t n, uint64_t seed);

static inline uint64_t mt_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Reads a whole file into a malloc'd buffer; NUL-terminated for text readers. */
#include "base/status.h"
enum mt_status mt_read_file(const char *path, uint8_t **data, size_t *len,
			    size_t max, struct mt_err *e);
/* The same, reporting bytes read to pg (may be NULL) and stopping with
 * MT_ERR_CANCELLED when pg is cancelled, also while a pipe has no data. */
struct mt_progress;
enum mt_status mt_read_file_progress(const char *path, uint8_t **data, size_t *len,
				     size_t max, struct mt_progress *pg,
				     struct mt_err *e);

/* Go's filepath.Clean: "//", "." and "dir/.." folded, lexically. The
 * caller owns the result. */
char *mt_path_clean(const char *path);

/* Writes s as a JSON string literal to f: quotes, backslashes and control
 * characters escaped, and each byte that is not part of valid UTF-8 as
 * U+FFFD (as Go's encoding/json does), so the output is valid JSON. */
void mt_json_str(FILE *f, const char *s);
/* The same into out, which has room for 6 * strlen(s) + 3 bytes; returns
 * the length written (out is NUL-terminated). */
size_t mt_json_quote(char *out, const char *s);

#endif
