/* gz.c - gzip inflation: zlib for the head of a stream and wherever the
 * trailer cannot be trusted, libdeflate for the rest.
 *
 * libdeflate inflates a whole member in one call and is about twice as fast
 * as zlib here (bench/inflate.sh), but it needs the output size up front,
 * which the gzip trailer gives modulo 2^32. The trailer is four bytes anyone
 * can write, and a stream cut short ends in four arbitrary ones (a 45 MB
 * profile cut in the middle claimed 3.7 GB): it is believed only up to
 * GZ_HINT_RATIO times the input and within the bounds. Otherwise, and
 * whenever libdeflate fails, zlib inflates into a buffer that grows from
 * what it has inflated, and says precisely what is wrong.
 */
#include "base/gz.h"

#include <libdeflate.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/util.h"

/* zlib is given at most this much input per call (its counts are 32-bit). */
#define ZLIB_CHUNK ((size_t)1 << 30)
/* ... and makes at most this much output per call, so that the ratio is
 * checked often. */
#define ZLIB_OUT_STEP ((size_t)1 << 20)

/* How an inflation with zlib ended. */
enum zend { ZE_DONE, ZE_FULL, ZE_OVER, ZE_RATIO, ZE_BAD, ZE_CUT, ZE_GARBAGE, ZE_NOMEM };

/* A buffer growing with what was inflated into it. */
struct zout {
	uint8_t *v;
	size_t n, cap;
};

/* Inflates the gzip members of in[0..n) with zlib, appending to o, which
 * grows from first bytes by doubling, never past limit + 1 bytes: more is
 * ZE_OVER. With ratio, past MT_INFLATE_FLOOR bytes the output may not
 * outgrow ratio times the input read so far (ZE_RATIO): a bomb stops as
 * soon as it shows what it is, not when the whole input's bound is
 * reached. With stop, ends with ZE_FULL once o holds stop bytes. *at is
 * where the data went wrong (or how much was read). */
static enum zend z_inflate(const uint8_t *in, size_t n, size_t limit, size_t ratio,
			   size_t stop, size_t first, struct zout *o, size_t *at)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return ZE_NOMEM;
	size_t top = limit < SIZE_MAX - 1 ? limit + 1 : SIZE_MAX - 1;
	if (stop && stop < top)
		top = stop;
	size_t fed = 0;
	enum zend end = ZE_DONE;
	for (;;) {
		if (z.avail_in == 0 && fed < n) {
			size_t k = n - fed < ZLIB_CHUNK ? n - fed : ZLIB_CHUNK;
			z.next_in = (Bytef *)(in + fed);
			z.avail_in = (uInt)k;
			fed += k;
		}
		if (o->n == o->cap) {
			if (o->cap >= top) {
				end = o->n > limit ? ZE_OVER : ZE_FULL;
				break;
			}
			size_t c = o->cap ? o->cap * 2 : first;
			if (c <= o->cap || c > top)
				c = top;
			o->v = xrealloc(o->v, c);
			o->cap = c;
		}
		size_t room = o->cap - o->n;
		uInt avail = room < ZLIB_OUT_STEP ? (uInt)room : (uInt)ZLIB_OUT_STEP;
		z.next_out = o->v + o->n;
		z.avail_out = avail;
		int rc = inflate(&z, Z_NO_FLUSH);
		o->n += avail - z.avail_out;
		size_t pos = fed - z.avail_in;
		if (o->n > limit) {
			end = ZE_OVER;
			break;
		}
		if (ratio && o->n > MT_INFLATE_FLOOR && o->n / ratio > pos) {
			*at = pos;
			end = ZE_RATIO;
			break;
		}
		if (rc == Z_STREAM_END) {
			if (pos == n)
				break;
			if (!gz_is_gzip(in + pos, n - pos)) {
				*at = pos;
				end = ZE_GARBAGE;
				break;
			}
			inflateReset(&z);
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			*at = pos;
			end = rc == Z_MEM_ERROR ? ZE_NOMEM : ZE_BAD;
			break;
		}
		if (z.avail_out > 0 && z.avail_in == 0 && fed == n) {
			*at = n;
			end = ZE_CUT;
			break;
		}
	}
	inflateEnd(&z);
	return end;
}

/* The error of an inflation that ended badly. */
static enum mt_status zfail(enum zend end, size_t at, size_t limit, const struct gz_opts *o,
			    bool by_ratio, struct mt_err *e)
{
	switch (end) {
	case ZE_RATIO:
		return mt_errf(e, MT_ERR_LIMIT,
			       "inflated size exceeds %zu times the compressed size "
			       "(within its first %zu bytes), more than any real profile "
			       "inflates (a gzip bomb?; --max-inflate BYTES sets the limit)",
			       o->ratio, at);
	case ZE_OVER:
		if (by_ratio)
			return mt_errf(e, MT_ERR_LIMIT,
				       "inflated size exceeds %zu bytes, %zu times the "
				       "compressed size, more than any real profile inflates "
				       "(a gzip bomb?; --max-inflate BYTES sets the limit)",
				       limit, o->ratio);
		return mt_errf(e, MT_ERR_LIMIT,
			       "inflated size exceeds the limit of %zu bytes (--max-inflate)",
			       limit);
	case ZE_GARBAGE:
		return mt_errf(e, MT_ERR_CORRUPT, "garbage after gzip data (at byte %zu)", at);
	case ZE_CUT:
		return mt_errf(e, MT_ERR_CORRUPT, "truncated gzip data (it ends at byte %zu)",
			       at);
	case ZE_NOMEM:
		return mt_errf(e, MT_ERR_NOMEM, "out of memory");
	default:
		return mt_errf(e, MT_ERR_CORRUPT, "corrupt gzip data (at byte %zu)", at);
	}
}

/* Hands o over NUL-terminated. */
static enum mt_status finish(struct zout *o, uint8_t **out, size_t *outlen)
{
	if (o->n == o->cap)
		o->v = xrealloc(o->v, o->n + 1);
	o->v[o->n] = 0;
	*out = o->v;
	*outlen = o->n;
	return MT_OK;
}

size_t gz_bound(size_t n, const struct gz_opts *o, bool *by_ratio)
{
	size_t limit = o->max;
	*by_ratio = false;
	if (o->ratio) {
		size_t rel = n > SIZE_MAX / o->ratio ? SIZE_MAX : n * o->ratio;
		if (rel < MT_INFLATE_FLOOR)
			rel = MT_INFLATE_FLOOR;
		if (rel < limit) {
			limit = rel;
			*by_ratio = true;
		}
	}
	return limit;
}

enum mt_status gz_inflate_opts(const uint8_t *in, size_t n, const struct gz_opts *o,
			       uint8_t **out, size_t *outlen, struct mt_err *e)
{
	size_t at = 0;
	bool by_ratio;
	size_t limit = gz_bound(n, o, &by_ratio);
	if (!gz_is_gzip(in, n))
		return mt_errf(e, MT_ERR_CORRUPT, "not gzip data (at byte 0)");

	/* The head: bounds exceeded early are reported at once, then the
	 * caller refuses what cannot be a profile before the rest costs
	 * anything. A stream that ends within it is done. */
	struct zout z = {0};
	enum zend end =
	    z_inflate(in, n, limit, o->ratio, GZ_HEAD_BYTES + 1, (size_t)64 << 10, &z, &at);
	enum mt_status st = MT_OK;
	if (end != ZE_DONE && end != ZE_FULL)
		st = zfail(end, at, limit, o, by_ratio, e);
	else if (o->head)
		st = o->head(z.v, z.n, o->ctx, e);
	if (st || end == ZE_DONE) {
		if (st)
			free(z.v);
		return st ? st : finish(&z, out, outlen);
	}
	free(z.v);
	z = (struct zout){0};

	/* The rest, from the start: libdeflate into a buffer of the trailer's
	 * size if that is plausible. */
	uint32_t isize = 0;
	if (n >= 18)
		memcpy(&isize, in + n - 4, 4); /* little-endian, as gzip */
	if (isize > 0 && isize <= limit && (uint64_t)isize / GZ_HINT_RATIO <= n) {
		uint8_t *buf = malloc((size_t)isize + 1);
		struct libdeflate_decompressor *d = buf ? libdeflate_alloc_decompressor() : NULL;
		if (d) {
			size_t used = 0, got = 0;
			enum libdeflate_result r = libdeflate_gzip_decompress_ex(
			    d, in, n, buf, isize, &used, &got);
			libdeflate_free_decompressor(d);
			if (r == LIBDEFLATE_SUCCESS) {
				z = (struct zout){buf, got, (size_t)isize + 1};
				if (used == n)
					return finish(&z, out, outlen);
				/* More members: zlib appends them. */
				if (!gz_is_gzip(in + used, n - used)) {
					end = ZE_GARBAGE;
					at = used;
				} else {
					end = z_inflate(in + used, n - used, limit, 0, 0, 0,
							&z, &at);
					at += used;
				}
				if (end == ZE_DONE)
					return finish(&z, out, outlen);
				free(z.v);
				return zfail(end, at, limit, o, by_ratio, e);
			}
		}
		free(buf);
	}
	/* zlib, growing from what it inflated: a lying trailer costs time,
	 * never memory it did not need. */
	size_t first = n < SIZE_MAX / 4 ? n * 4 : SIZE_MAX;
	if (first < ((size_t)64 << 10))
		first = (size_t)64 << 10;
	end = z_inflate(in, n, limit, o->ratio, 0, first, &z, &at);
	if (end == ZE_DONE)
		return finish(&z, out, outlen);
	free(z.v);
	return zfail(end, at, limit, o, by_ratio, e);
}

enum mt_status gz_inflate(const uint8_t *in, size_t n, size_t max, uint8_t **out,
			  size_t *outlen, struct mt_err *e)
{
	return gz_inflate_opts(in, n, &(struct gz_opts){.max = max}, out, outlen, e);
}

enum mt_status gz_head(const uint8_t *in, size_t n, size_t cap, uint8_t **out, size_t *got,
		       struct mt_err *e)
{
	struct zout z = {0};
	size_t at = 0;
	*out = NULL;
	*got = 0;
	if (!gz_is_gzip(in, n))
		return mt_errf(e, MT_ERR_CORRUPT, "not gzip data (at byte 0)");
	enum zend end = z_inflate(in, n, cap, 0, cap, cap < 65536 ? cap : 65536, &z, &at);
	if (end == ZE_BAD || end == ZE_GARBAGE || end == ZE_NOMEM) {
		free(z.v);
		return zfail(end, at, cap, &(struct gz_opts){.max = cap}, false, e);
	}
	*out = z.v;
	*got = z.n;
	return MT_OK;
}
