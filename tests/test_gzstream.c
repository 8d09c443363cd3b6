/* test_gzstream.c - the gzip stream inflated on a second thread says what
 * gz_inflate_opts says, byte for byte and error for error: plain, several
 * members, garbage after them, cut short, lying trailers, the bounds
 * (absolute, ratio so far), the head check before any byte is readable,
 * and a stream freed while it still inflates. A big profile.proto decoded
 * as it inflates (its decoded bytes given back as it goes, strings at both
 * ends kept) equals the same bytes read whole. */
#include <stdlib.h>

#include "base/gzstream.h"
#include "gzenc.h"
#include "harness.h"
#include "pbenc.h"
#include "read/reader.h"

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

/* Appends the bytes of m to b (a growing buffer). */
static void add(uint8_t **b, size_t *n, size_t *cap, const struct pb *m)
{
	if (*n + m->n > *cap) {
		*cap = (*n + m->n) * 2;
		*b = realloc(*b, *cap);
	}
	memcpy(*b + *n, m->b, m->n);
	*n += m->n;
}

/* Appends m as field of b. */
static void put(uint8_t **b, size_t *n, size_t *cap, uint32_t field, const struct pb *m)
{
	static struct pb f;
	f.n = 0;
	pb_msg(&f, field, m);
	add(b, n, cap, &f);
}

/* Appends string s of the string table to b. */
static void put_str(uint8_t **b, size_t *n, size_t *cap, const char *s)
{
	static struct pb f;
	f.n = 0;
	pb_str(&f, s);
	add(b, n, cap, &f);
}

#define NSAMPLES 700000

/* A heap-like profile of about 9 MB: some strings first, a million
 * samples, then the locations, the functions and the other strings. */
static void big_profile(void)
{
	size_t n = 0, cap = 1 << 20;
	uint8_t *b = malloc(cap);
	static struct pb m;
	pb_uint(&m, 1, 1);
	pb_uint(&m, 2, 2);
	put(&b, &n, &cap, 1, &m);
	const char *first[] = {"", "space", "bytes"};
	for (int i = 0; i < 3; i++)
		put_str(&b, &n, &cap, first[i]);
	static struct pb smp, ids;
	for (uint32_t i = 0; i < NSAMPLES; i++) {
		smp.n = ids.n = 0;
		pb_varint(&ids, 1 + i % 3);
		pb_varint(&ids, 1 + (i / 3) % 3);
		pb_varint(&ids, 1 + (i / 9) % 3);
		pb_bytes(&smp, 1, ids.b, ids.n);
		pb_uint(&smp, 2, i);
		put(&b, &n, &cap, 2, &smp);
	}
	for (uint32_t id = 1; id <= 3; id++) {
		static struct pb loc, line, fn;
		loc.n = line.n = fn.n = 0;
		pb_uint(&line, 1, id);
		pb_uint(&loc, 1, id);
		pb_msg(&loc, 4, &line);
		put(&b, &n, &cap, 4, &loc);
		pb_uint(&fn, 1, id);
		pb_uint(&fn, 2, 2 + id);
		put(&b, &n, &cap, 5, &fn);
	}
	const char *last[] = {"main.a", "main.b", "main.c"};
	for (int i = 0; i < 3; i++)
		put_str(&b, &n, &cap, last[i]);
	b = realloc(b, n + 1);
	b[n] = 0;
	size_t gzn;
	uint8_t *gz = gzip(b, n, &gzn);
	struct profile *whole = NULL, *streamed = NULL;
	struct mt_err e;
	CHECK_EQ_INT(reader_load_bytes(b, n, NULL, &whole, &e), MT_OK);
	CHECK_EQ_INT(reader_load_bytes(gz, gzn, NULL, &streamed, &e), MT_OK);
	if (whole && streamed) {
		CHECK_EQ_INT(streamed->samples.n, NSAMPLES);
		CHECK_EQ_INT(streamed->sample_locs.n, whole->sample_locs.n);
		CHECK(memcmp(streamed->sample_locs.v, whole->sample_locs.v,
			     whole->sample_locs.n * sizeof *whole->sample_locs.v) == 0);
		CHECK(memcmp(streamed->values.v, whole->values.v,
			     whole->values.n * sizeof *whole->values.v) == 0);
		CHECK_EQ_STR(profile_str(streamed, streamed->sample_types.v[0].type), "space");
		CHECK_EQ_INT(streamed->functions.n, 3);
		for (size_t i = 0; i < 3; i++)
			CHECK_EQ_STR(profile_str(streamed, streamed->functions.v[i].name),
				     last[i]);
	}
	profile_free(whole);
	profile_free(streamed);
	free(gz);
	free(b);
}

int main(void)
{
	big_profile();

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
