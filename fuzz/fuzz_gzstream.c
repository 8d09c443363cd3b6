/* fuzz_gzstream.c - libFuzzer target for the gzip stream of
 * base/gzstream.c, differential: whatever the bytes, it must end as
 * gz_inflate_opts ends (the same status, message and inflated bytes), and
 * what it hands out before the end must be a prefix of those bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gzstream.h"

static void differ(const char *what)
{
	fprintf(stderr, "fuzz_gzstream: the stream and gz_inflate_opts differ: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	/* The first byte picks the bounds: small ones reach the limit paths. */
	struct gz_opts o = {.max = (size_t)16 << 20, .ratio = 100};
	if (n > 0) {
		if (data[0] & 1)
			o.max = (size_t)(data[0] >> 1) * 97;
		if (data[0] & 0x80)
			o.ratio = 0;
		data++;
		n--;
	}
	struct mt_err e1 = {{0}}, e2 = {{0}};
	uint8_t *want = NULL;
	size_t wantn = 0, have = 0, len = 0;
	bool done = false;
	enum mt_status st1 = gz_inflate_opts(data, n, &o, &want, &wantn, &e1);
	struct gz_stream *s = gzs_start(data, n, &o);
	if (!s) {
		if (gz_is_gzip(data, n))
			differ("no stream for gzip data");
		free(want);
		return 0;
	}
	const uint8_t *d = gzs_wait(s, 1, &have, &done);
	if (!st1 && (have > wantn || memcmp(d, want, have) != 0))
		differ("a prefix");
	enum mt_status st2 = gzs_finish(s, &len, &e2);
	if (st1 != st2 || (st1 && strcmp(e1.msg, e2.msg) != 0))
		differ("status or message");
	if (!st1 && (len != wantn || memcmp(d, want, len) != 0 || d[len] != 0))
		differ("bytes");
	gzs_free(s);
	free(want);
	return 0;
}
