/* gzenc.h - gzip for the tests of the gzip layer (zlib, level 6). */
#ifndef MT_TEST_GZENC_H
#define MT_TEST_GZENC_H

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

/* gzip of d[0..n) into a new buffer of *out bytes. */
static uint8_t *gzip(const uint8_t *d, size_t n, size_t *out)
{
	size_t cap = compressBound((uLong)n) + 64;
	uint8_t *b = malloc(cap);
	z_stream z = {0};
	deflateInit2(&z, 6, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)d;
	z.avail_in = (uInt)n;
	z.next_out = b;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*out = z.total_out;
	deflateEnd(&z);
	return b;
}

#endif
