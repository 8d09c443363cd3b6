/* gz.c - gzip inflation with libdeflate.
 *
 * libdeflate inflates a whole member in one call and is about twice as fast as
 * zlib here (bench/inflate.sh); it needs the output size up front, which the
 * gzip trailer gives modulo 2^32. We trust it as a first guess and grow on
 * "insufficient space" up to the cap, so a lying trailer costs time, not
 * correctness.
 */
#include "base/gz.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

enum mt_status gz_inflate(const uint8_t *in, size_t n, size_t max, uint8_t **out,
			  size_t *outlen, struct mt_err *e)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (!d)
		return mt_errf(e, MT_ERR_NOMEM, "out of memory");
	uint8_t *buf = NULL;
	size_t cap = 0, used = 0, pos = 0;
	enum mt_status st = MT_OK;
	while (pos < n) {
		if (!gz_is_gzip(in + pos, n - pos)) {
			st = mt_errf(e, MT_ERR_CORRUPT,
				     "garbage after gzip data (at byte %zu)", pos);
			break;
		}
		const uint8_t *m = in + pos;
		size_t mlen = n - pos;
		/* The trailer of this member is unknown until it is inflated; for
		 * a single member it is the last 4 bytes of the input. */
		uint32_t isize = 0;
		if (mlen >= 4)
			memcpy(&isize, in + n - 4, 4);
		size_t want = isize ? (size_t)isize : mlen * 4;
		if (want > max)
			want = max;
		for (;;) {
			if (used + want + 1 > cap) {
				cap = used + want + 1;
				buf = xrealloc(buf, cap);
			}
			size_t in_used = 0, got = 0;
			enum libdeflate_result r = libdeflate_gzip_decompress_ex(
				d, m, mlen, buf + used, want, &in_used, &got);
			if (r == LIBDEFLATE_SUCCESS) {
				used += got;
				pos += in_used;
				break;
			}
			if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
				if (used + want >= max) {
					st = mt_errf(e, MT_ERR_LIMIT,
						     "inflated size exceeds the limit of %zu "
						     "bytes (--max-inflate)",
						     max);
					goto out;
				}
				want = want * 2 > max - used ? max - used : want * 2;
				continue;
			}
			st = mt_errf(e, MT_ERR_CORRUPT,
				     "%s gzip data (at byte %zu)",
				     r == LIBDEFLATE_SHORT_OUTPUT ? "short" : "corrupt or truncated",
				     pos);
			goto out;
		}
	}
out:
	libdeflate_free_decompressor(d);
	if (st) {
		free(buf);
		return st;
	}
	if (!buf)
		buf = xmalloc(1);
	buf[used] = 0;
	*out = buf;
	*outlen = used;
	return MT_OK;
}
