/* test_pprof_read.c - the protobuf reader on a real profile (facts from
 * `go tool pprof -raw`) and on every kind of bad input the issue names:
 * each must fail with a clear message, never crash or run away. */
#include <stdlib.h>
#include <zlib.h>

#include "base/gz.h"
#include "harness.h"
#include "pbenc.h"
#include "read/pprof_read.h"
#include "read/reader.h"

static enum mt_status load(const void *d, size_t n, const struct mt_limits *lim,
			   struct mt_err *e)
{
	struct profile *p = NULL;
	/* readers want a NUL after the bytes */
	uint8_t *copy = malloc(n + 1);
	memcpy(copy, d, n);
	copy[n] = 0;
	enum mt_status st = reader_load_bytes(copy, n, lim, &p, e);
	free(copy);
	profile_free(p);
	return st;
}

static struct pb vt(uint64_t type, uint64_t unit)
{
	struct pb m = {0};
	pb_uint(&m, 1, type);
	pb_uint(&m, 2, unit);
	return m;
}

int main(void)
{
	struct mt_err e;
	struct profile *p = NULL;

	/* pprof's sample.cpu: `go tool pprof -raw` lists 76 samples, the
	 * first "2 20000000: 1 2 3 4", period 10000000, time 2017-09-29
	 * 20:57:59 UTC. */
	CHECK_EQ_INT(reader_load_file("../shared/fixtures/pprof-testdata/sample.cpu",
				      NULL, &p, &e), MT_OK);
	if (p) {
		CHECK_EQ_INT(p->samples.n, 76);
		CHECK_EQ_INT(p->sample_types.n, 2);
		CHECK_EQ_STR(profile_str(p, p->sample_types.v[1].type), "cpu");
		CHECK_EQ_INT(profile_values(p, 0)[0], 2);
		CHECK_EQ_INT(profile_values(p, 0)[1], 20000000);
		CHECK_EQ_INT(p->samples.v[0].nloc, 4);
		CHECK_EQ_INT(p->period, 10000000);
		CHECK_EQ_INT(p->time_nanos / 1000000000, 1506718679);
		CHECK_EQ_INT(profile_default_index(p), 1);
		int idx;
		CHECK_EQ_INT(profile_sample_index(p, "samples", &idx, &e), MT_OK);
		CHECK_EQ_INT(idx, 0);
		CHECK(profile_sample_index(p, "7", &idx, &e) == MT_ERR_USAGE);
		CHECK(strstr(e.msg, "[0..1]") != NULL);
		profile_free(p);
	}

	/* Empty and garbage input. */
	CHECK(load("", 0, NULL, &e) != MT_OK);
	CHECK(load("hello, world\n", 13, NULL, &e) == MT_ERR_FORMAT);

	/* A corrupt varint: a tag that never ends. */
	uint8_t bad[16];
	bad[0] = 0x0a;
	memset(bad + 1, 0xff, 12);
	CHECK(load(bad, 13, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "(at byte 1)") != NULL);

	/* A length past the end. */
	struct pb b = {0};
	pb_tag(&b, 2, 2);
	pb_varint(&b, 1000);
	b.b[b.n++] = 0;
	CHECK(load(b.b, b.n, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "only 1 left") != NULL);

	/* A string index out of range. */
	memset(&b, 0, sizeof b);
	struct pb t = vt(1, 99);
	pb_msg(&b, 1, &t);
	pb_str(&b, "");
	pb_str(&b, "space");
	CHECK(load(b.b, b.n, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "string 99") != NULL);

	/* A sample pointing at a location that does not exist. */
	memset(&b, 0, sizeof b);
	t = vt(1, 1);
	pb_msg(&b, 1, &t);
	struct pb s = {0};
	pb_uint(&s, 1, 7);
	pb_uint(&s, 2, 5);
	pb_msg(&b, 2, &s);
	pb_str(&b, "");
	pb_str(&b, "x");
	CHECK(load(b.b, b.n, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "location 7") != NULL);

	/* The wrong number of values for the sample types. */
	memset(&b, 0, sizeof b);
	t = vt(1, 1);
	pb_msg(&b, 1, &t);
	pb_msg(&b, 1, &t);
	memset(&s, 0, sizeof s);
	pb_uint(&s, 2, 5);
	pb_msg(&b, 2, &s);
	pb_str(&b, "");
	pb_str(&b, "x");
	CHECK(load(b.b, b.n, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "1 values, expected 2") != NULL);

	/* A function id used twice. */
	memset(&b, 0, sizeof b);
	struct pb f = {0};
	pb_uint(&f, 1, 3);
	pb_msg(&b, 5, &f);
	pb_msg(&b, 5, &f);
	pb_str(&b, "");
	CHECK(load(b.b, b.n, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "function id 3") != NULL);

	/* Truncations of a real profile at many points: never a crash, and
	 * an error for every cut before its string table is complete. */
	uint8_t *gz, *raw;
	size_t gzn, rawn;
	CHECK_EQ_INT(mt_read_file("tests/data/go/heap.pb.gz", &gz, &gzn, 0, &e), MT_OK);
	CHECK_EQ_INT(gz_inflate(gz, gzn, 1 << 30, &raw, &rawn, &e), MT_OK);
	int errors = 0, cuts = 0;
	for (size_t cut = 1; cut < rawn * 9 / 10; cut += 97, cuts++)
		errors += load(raw, cut, NULL, &e) != MT_OK;
	CHECK_EQ_INT(errors, cuts);
	/* A truncated gzip stream. */
	CHECK(load(gz, gzn / 2, NULL, &e) == MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "gzip") != NULL);
	free(raw);
	free(gz);

	/* A gzip bomb: 64 MiB of zeros in a few KiB, against a 1 MiB cap. */
	size_t big = 64u << 20;
	uint8_t *zeros = calloc(1, big), *bomb = malloc(1 << 20);
	z_stream z = {0};
	deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
	z.next_in = zeros;
	z.avail_in = (uInt)big;
	z.next_out = bomb;
	z.avail_out = 1 << 20;
	deflate(&z, Z_FINISH);
	size_t bombn = z.total_out;
	deflateEnd(&z);
	struct mt_limits lim = MT_LIMITS_DEFAULT;
	lim.max_inflate = 1 << 20;
	CHECK(load(bomb, bombn, &lim, &e) == MT_ERR_LIMIT);
	CHECK(strstr(e.msg, "--max-inflate") != NULL);
	free(zeros);
	free(bomb);

	TEST_MAIN_END();
}
