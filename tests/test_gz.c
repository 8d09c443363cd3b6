/* test_gz.c - the gzip layer's paths: libdeflate sized by a plausible
 * trailer, zlib when the trailer lies or the stream has several members,
 * the bounds (absolute, ratio of the whole, ratio so far), the head check,
 * and the errors of cut and corrupt streams. */
#include <stdlib.h>

#include "base/gz.h"
#include "gzenc.h"
#include "harness.h"

static int heads;
static size_t head_len;

static enum mt_status count_head(const uint8_t *h, size_t n, void *ctx, struct mt_err *e)
{
	heads++;
	head_len = n;
	return ctx ? mt_errf(e, MT_ERR_FORMAT, "refused by the head check") : MT_OK;
}

int main(void)
{
	struct mt_err e;
	uint8_t *out;
	size_t outn;

	/* Text that compresses about 10x, 3 MiB of it. */
	size_t n = (size_t)3 << 20;
	uint8_t *text = malloc(n);
	uint32_t x = 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		text[i] = (uint8_t)("abcdefgh\n"[(x >> 16) % 9]);
	}
	size_t gzn;
	uint8_t *gz = gzip(text, n, &gzn);

	/* The plain case, with the head check seeing the first MiB and one byte. */
	struct gz_opts o = {.max = (size_t)1 << 30, .ratio = 100, .head = count_head};
	CHECK_EQ_INT(gz_inflate_opts(gz, gzn, &o, &out, &outn, &e), MT_OK);
	CHECK_EQ_INT(outn, n);
	CHECK(memcmp(out, text, n) == 0 && out[n] == 0);
	CHECK_EQ_INT(heads, 1);
	CHECK_EQ_INT(head_len, GZ_HEAD_BYTES + 1);
	free(out);

	/* The head check refuses before the rest is inflated. */
	o.ctx = &o;
	CHECK_EQ_INT(gz_inflate_opts(gz, gzn, &o, &out, &outn, &e), MT_ERR_FORMAT);
	CHECK(strstr(e.msg, "refused by the head check") != NULL);
	o.ctx = NULL;

	/* A trailer that lies (too small, too large): zlib, same bytes. */
	for (int lie = 0; lie < 2; lie++) {
		uint32_t isize = lie ? 0xfffffff0u : 1000;
		memcpy(gz + gzn - 4, &isize, 4);
		CHECK_EQ_INT(gz_inflate(gz, gzn, (size_t)1 << 30, &out, &outn, &e), MT_ERR_CORRUPT);
		CHECK(strstr(e.msg, "corrupt gzip data") != NULL);
	}
	uint32_t real = (uint32_t)n;
	memcpy(gz + gzn - 4, &real, 4);

	/* Two members, and garbage after them. */
	size_t g2n = 2 * gzn + 3;
	uint8_t *g2 = malloc(g2n);
	memcpy(g2, gz, gzn);
	memcpy(g2 + gzn, gz, gzn);
	memcpy(g2 + 2 * gzn, "xyz", 3);
	CHECK_EQ_INT(gz_inflate(g2, 2 * gzn, (size_t)1 << 30, &out, &outn, &e), MT_OK);
	CHECK_EQ_INT(outn, 2 * n);
	CHECK(memcmp(out + n, text, n) == 0);
	free(out);
	CHECK_EQ_INT(gz_inflate(g2, g2n, (size_t)1 << 30, &out, &outn, &e), MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "garbage after gzip data") != NULL);

	/* Cut short: an error naming the truncation, whatever the last bytes. */
	CHECK_EQ_INT(gz_inflate(gz, gzn / 2, (size_t)1 << 30, &out, &outn, &e), MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "truncated gzip data") != NULL);

	/* The absolute bound, inside and past the head. */
	CHECK_EQ_INT(gz_inflate(gz, gzn, 1000, &out, &outn, &e), MT_ERR_LIMIT);
	CHECK(strstr(e.msg, "limit of 1000 bytes (--max-inflate)") != NULL);
	CHECK_EQ_INT(gz_inflate(gz, gzn, n - 1, &out, &outn, &e), MT_ERR_LIMIT);
	CHECK_EQ_INT(gz_inflate(gz, gzn, n, &out, &outn, &e), MT_OK);
	free(out);

	/* 64 MiB of one byte: past MT_INFLATE_FLOOR at ~1000x, stopped by the
	 * ratio so far; with only an absolute bound it inflates. */
	size_t big = (size_t)64 << 20;
	uint8_t *ones = malloc(big);
	memset(ones, 'a', big);
	size_t bn;
	uint8_t *bomb = gzip(ones, big, &bn);
	o = (struct gz_opts){.max = (size_t)1 << 30, .ratio = 100};
	CHECK_EQ_INT(gz_inflate_opts(bomb, bn, &o, &out, &outn, &e), MT_ERR_LIMIT);
	CHECK(strstr(e.msg, "100 times the compressed size") != NULL);
	CHECK_EQ_INT(gz_inflate(bomb, bn, (size_t)1 << 30, &out, &outn, &e), MT_OK);
	CHECK_EQ_INT(outn, big);
	free(out);

	/* The start of a download: what the first bytes inflate to. */
	uint8_t *h;
	size_t hn;
	CHECK_EQ_INT(gz_head(gz, gzn / 3, 65536, &h, &hn, &e), MT_OK);
	CHECK_EQ_INT(hn, 65536);
	CHECK(memcmp(h, text, hn) == 0);
	free(h);
	CHECK_EQ_INT(gz_head(gz, 30, 65536, &h, &hn, &e), MT_OK);
	CHECK(hn < 65536 && memcmp(h, text, hn) == 0);
	free(h);
	CHECK(gz_head((const uint8_t *)"plain", 5, 65536, &h, &hn, &e) != MT_OK);

	free(ones);
	free(bomb);
	free(g2);
	free(gz);
	free(text);
	TEST_MAIN_END();
}
