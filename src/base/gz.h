/* gz.h - the gzip layer under every reader: inflates gzip members (one or
 * many) within bounds, so a gzip bomb is an error, not an exhausted machine.
 *
 * Bounds: an absolute maximum (--max-inflate) and, by default, a ratio of
 * the compressed size. Real profiles inflate far less than 100 times:
 * measured, pprof protobuf 2-7x (bench/out/heap-1m.pb.gz: 1.9x), Go heap
 * and allocs texts 17-19x, goroutine dumps 4-16x (200,000 goroutines of
 * one stack: 15.6x), tcmalloc and jemalloc heaps 6x. Deflate reaches
 * about 1,000x only on runs of one byte, which is what bombs are made of. So
 * 100x leaves real input five times the room it needs and stops a bomb
 * after 1/10 of what it would inflate to. Anything up to MT_INFLATE_FLOOR
 * inflates whatever its ratio, so small inputs are never refused.
 *
 * The first GZ_HEAD_BYTES are inflated with zlib before the rest: a bound
 * exceeded there is reported at once, then a caller's check looks at the
 * first bytes (a stream of zeros is no profile: protobuf field 0 at byte 0)
 * and refuses the stream before the rest is inflated.
 */
#ifndef MT_GZ_H
#define MT_GZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define MT_DEFAULT_MAX_INFLATE ((size_t)4 << 30)
#define MT_INFLATE_RATIO 50
#define MT_INFLATE_FLOOR ((size_t)16 << 20)
/* Inflated first, checked against the bounds and then by the caller. */
#define GZ_HEAD_BYTES ((size_t)1 << 20)
/* Above every real profile: a larger trailer size does not size a buffer. */
#define GZ_HINT_RATIO 32

static inline bool gz_is_gzip(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Looks at the first inflated bytes (all of them when the stream is
 * shorter than GZ_HEAD_BYTES); an error refuses the stream. */
typedef enum mt_status (*gz_head_fn)(const uint8_t *head, size_t n, void *ctx,
				     struct mt_err *e);

struct gz_opts {
	size_t max;   /* inflated bytes at most */
	size_t ratio; /* and at most ratio per compressed byte (0: no such bound) */
	gz_head_fn head; /* may be NULL */
	void *ctx;
	/* in is a read-only file mapping: gzstream.c drops its pages once
	 * inflated (they read again from the file should they be needed). */
	bool in_mapped;
};

/* The most bytes in[0..n) may inflate to under o: the absolute bound or,
 * when smaller, the ratio's (*by_ratio then). */
size_t gz_bound(size_t n, const struct gz_opts *o, bool *by_ratio);

/* Inflates all gzip members of in[0..n) into a new buffer (*out, *outlen),
 * NUL-terminated, owned by the caller. The buffer grows from what was
 * inflated (the trailer's size is a hint, believed only when it is a
 * plausible multiple of n). Fails with MT_ERR_LIMIT past the bounds, with
 * the head check's error, and with MT_ERR_CORRUPT on bad or truncated data. */
enum mt_status gz_inflate_opts(const uint8_t *in, size_t n, const struct gz_opts *o,
			       uint8_t **out, size_t *outlen, struct mt_err *e);

/* The same with only an absolute bound of max bytes. */
enum mt_status gz_inflate(const uint8_t *in, size_t n, size_t max, uint8_t **out,
			  size_t *outlen, struct mt_err *e);

/* Inflates the start of a gzip stream that may be cut short (the first
 * bytes of a download): up to cap bytes into a new buffer *out (owned by
 * the caller, may be NULL when *got is 0). Fails only on data that is not
 * gzip or not deflate. */
enum mt_status gz_head(const uint8_t *in, size_t n, size_t cap, uint8_t **out, size_t *got,
		       struct mt_err *e);

#endif
