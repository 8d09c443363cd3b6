/* test_gzstream.c - the gzip stream inflated on a second thread says what
 * gz_inflate_opts says, byte for byte and error for error: plain, several
 * members, garbage after them, cut short, lying trailers, the bounds
 * (absolute, ratio so far), the head check before any byte is readable,
 * and a stream freed while it still inflates. */
#include <stdlib.h>

#include "base/gzstream.h"
#include "gzenc.h"
#include "harness.h"

static enum mt_status refuse_head(const uint8_t *h, size_t n, void *ctx, struct mt_err *e)
{
	(void)h;
	(void)n;
	return ctx ? mt_errf(e, MT_ERR_FORMAT, "refused by the head check") : MT_OK;
}

static int failures_before;

/* Inflates in[0..n) both ways; checks they agree. The stream is read in
 * steps of step bytes, as a decoder would. */
static void agree(const char *what, const uint8_t *in, size_t n, const struct gz_opts *o,
		  size_t step)
{
	struct mt_err e1 = {{0}}, e2 = {{0}};
	uint8_t *want = NULL;
	size_t wantn = 0;
	enum mt_status st1 = gz_inflate_opts(in, n, o, &want, &wantn, &e1);
	struct gz_stream *s = gzs_start(in, n, o);
	CHECK(s != NULL);
	if (!s) {
		free(want);
		return;
	}
	size_t have = 0, len = 0;
	bool done = false;
	const uint8_t *d = NULL;
	bool same = true;
	for (size_t at = step; !done; at += step) {
		d = gzs_wait(s, at, &have, &done);
		if (!done && have < at)
			same = false; /* returned early without the end */
		if (!st1 && have > wantn)
			same = false;
		else if (!st1 && memcmp(d, want, have) != 0)
			same = false;
	}
	enum mt_status st2 = gzs_finish(s, &len, &e2);
	CHECK_EQ_INT(st2, st1);
	if (st1) {
		CHECK_EQ_STR(e2.msg, e1.msg);
	} else {
		CHECK_EQ_INT(len, wantn);
		CHECK(memcmp(d, want, wantn) == 0 && d[wantn] == 0);
	}
	CHECK(same);
	if (th_failed != failures_before)
		fprintf(stderr, "  (in: %s)\n", what);
	failures_before = th_failed;
	gzs_free(s);
	free(want);
}

int main(void)
{
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
	struct gz_opts o = {.max = (size_t)1 << 30, .ratio = 100, .head = refuse_head};

	agree("plain", gz, gzn, &o, 4096);
	agree("plain, read at once", gz, gzn, &o, (size_t)64 << 20);
	o.ctx = &o;
	agree("head refused", gz, gzn, &o, 4096);
	o.ctx = NULL;

	for (int lie = 0; lie < 2; lie++) {
		uint32_t isize = lie ? 0xfffffff0u : 1000;
		memcpy(gz + gzn - 4, &isize, 4);
		agree(lie ? "trailer too large" : "trailer too small", gz, gzn, &o, 65536);
	}
	uint32_t real = (uint32_t)n;
	memcpy(gz + gzn - 4, &real, 4);

	size_t g2n = 2 * gzn + 3;
	uint8_t *g2 = malloc(g2n);
	memcpy(g2, gz, gzn);
	memcpy(g2 + gzn, gz, gzn);
	memcpy(g2 + 2 * gzn, "xyz", 3);
	agree("two members", g2, 2 * gzn, &o, 100000);
	agree("garbage after two members", g2, g2n, &o, 100000);
	agree("cut short", gz, gzn / 2, &o, 100000);
	agree("cut in the trailer", gz, gzn - 3, &o, 100000);
	uint8_t saved = gz[gzn / 2];
	gz[gzn / 2] ^= 0x55;
	agree("a corrupt byte", gz, gzn, &o, 100000);
	gz[gzn / 2] = saved;
	agree("empty member", (const uint8_t *)"\x1f\x8b", 2, &o, 1);

	struct gz_opts lim = {.max = 1000};
	agree("bound in the head", gz, gzn, &lim, 100);
	lim.max = n - 1;
	agree("bound one short", gz, gzn, &lim, 100000);
	lim.max = n;
	agree("bound just enough", gz, gzn, &lim, 100000);

	/* 64 MiB of one byte: stopped by the ratio so far; with only an
	 * absolute bound it inflates. */
	size_t big = (size_t)64 << 20;
	uint8_t *ones = malloc(big);
	memset(ones, 'a', big);
	size_t bn;
	uint8_t *bomb = gzip(ones, big, &bn);
	agree("bomb, ratio", bomb, bn, &(struct gz_opts){.max = (size_t)1 << 30, .ratio = 100},
	      (size_t)1 << 20);
	agree("bomb, no ratio", bomb, bn, &(struct gz_opts){.max = (size_t)1 << 30},
	      (size_t)1 << 20);

	/* Freed while inflating: the thread stops, nothing leaks. */
	struct gz_stream *s = gzs_start(bomb, bn, &(struct gz_opts){.max = (size_t)1 << 30});
	CHECK(s != NULL);
	gzs_free(s);
	CHECK(gzs_start((const uint8_t *)"plain", 5, &o) == NULL);

	free(ones);
	free(bomb);
	free(g2);
	free(gz);
	free(text);
	TEST_MAIN_END();
}
