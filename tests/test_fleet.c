/* test_fleet.c - profile store references (src/collect/fleet.c) and the
 * small readers under them (src/base: pb, json, base64, timefmt). The
 * expected values are worked out by hand from the reference grammar in
 * collect/fleet.h, the protobuf encoding rules (varints of 7 bits, least
 * significant first; tag = field << 3 | wire type), RFC 4648's test vectors
 * and RFC 8259. */
#include <stdlib.h>

#include "base/base64.h"
#include "base/json.h"
#include "base/pb.h"
#include "base/timefmt.h"
#include "collect/fleet.h"
#include "collect/parca.h"
#include "collect/pyroscope.h"
#include "harness.h"

#define S (1000000000LL)
#define NOW (1700000000LL * S)

static void test_ref_basic(void)
{
	struct fleet_ref r;
	struct mt_err e;
	CHECK(fleet_is_ref("pyroscope://h"));
	CHECK(fleet_is_ref("parca+https://h:1/x"));
	CHECK(!fleet_is_ref("http://h:4040/"));
	CHECK(!fleet_is_ref("pyroscope:/h"));
	CHECK(!fleet_is_ref("/tmp/pyroscope://x"));

	CHECK_EQ_INT(
	    fleet_parse("pyroscope://example.com/memory:inuse_space:bytes:space:bytes"
			"{service_name=\"api\", pod=~\"api-.*\"}",
			NOW, &r, &e),
	    MT_OK);
	CHECK_EQ_INT(r.store, FLEET_PYROSCOPE);
	CHECK_EQ_STR(r.base, "http://example.com:4040");
	CHECK_EQ_STR(r.type, "memory:inuse_space:bytes:space:bytes");
	CHECK_EQ_STR(r.selector, "{service_name=\"api\", pod=~\"api-.*\"}");
	CHECK_EQ_INT(r.nm, 2);
	CHECK_EQ_STR(r.m[1].name, "pod");
	CHECK_EQ_STR(r.m[1].op, "=~");
	CHECK_EQ_STR(r.m[1].value, "api-.*");
	CHECK_EQ_STR(r.source,
		     "pyroscope://example.com:4040/memory:inuse_space:bytes:space:"
		     "bytes{service_name=\"api\", pod=~\"api-.*\"}");
	/* No from: one scrape interval (15 s) before now. */
	CHECK(!r.has_from);
	CHECK_EQ_INT(r.until_ns, NOW);
	CHECK_EQ_INT(r.window_ns, 15 * S);
	int64_t *a, *b;
	size_t n;
	fleet_windows(&r, &a, &b, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(a[0], NOW - 15 * S);
	CHECK_EQ_INT(b[0], NOW);
	free(a);
	free(b);
	fleet_ref_done(&r);

	/* Parca, TLS, a short name, percent escapes, a regex holding '?'. */
	CHECK_EQ_INT(
	    fleet_parse("parca+https://[::1]:7171/allocs%7Bjob%3D%22x%22,a=~\"b?\"}"
			"?from=-1h&until=now-30m&tenant=t%201",
			NOW, &r, &e),
	    MT_OK);
	CHECK_EQ_INT(r.store, FLEET_PARCA);
	CHECK_EQ_STR(r.base, "https://[::1]:7171");
	CHECK_EQ_STR(r.type, "memory:alloc_space:bytes:space:bytes:delta");
	CHECK_EQ_STR(r.selector, "{job=\"x\",a=~\"b?\"}");
	CHECK_EQ_STR(r.tenant, "t 1");
	CHECK_EQ_INT(r.from_ns, NOW - 3600 * S);
	CHECK_EQ_INT(r.until_ns, NOW - 1800 * S);
	/* With from= and no step, the window is the whole range. */
	fleet_windows(&r, &a, &b, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(a[0], NOW - 3600 * S);
	CHECK_EQ_INT(b[0], NOW - 1800 * S);
	free(a);
	free(b);
	CHECK_EQ_STR(r.source,
		     "parca+https://[::1]:7171/memory:alloc_space:bytes:space:"
		     "bytes:delta{job=\"x\",a=~\"b?\"}?tenant=t%201");
	fleet_ref_done(&r);

	/* A bare store, for ls and --push. */
	CHECK_EQ_INT(fleet_parse("parca://h", NOW, &r, &e), MT_OK);
	CHECK_EQ_STR(r.base, "http://h:7070");
	CHECK_EQ_STR(r.type, "");
	CHECK_EQ_STR(r.selector, "{}");
	CHECK_EQ_INT(r.window_ns, 10 * S);
	fleet_ref_done(&r);
}

static void test_ref_series(void)
{
	struct fleet_ref r;
	struct mt_err e;
	/* 1 h in 5 m steps: 12 snapshots, each the 15 s before its time. */
	CHECK_EQ_INT(fleet_parse("pyroscope://h:1/heap?from=2023-11-14T22:13:20Z&until="
				 "1700003600&step=5m",
				 NOW, &r, &e),
		     MT_OK);
	CHECK_EQ_INT(r.from_ns, NOW);
	int64_t *a, *b;
	size_t n;
	fleet_windows(&r, &a, &b, &n);
	CHECK_EQ_INT(n, 12);
	CHECK_EQ_INT(b[0], NOW + 300 * S);
	CHECK_EQ_INT(a[0], NOW + 285 * S);
	CHECK_EQ_INT(b[11], NOW + 3600 * S);
	free(a);
	free(b);
	fleet_ref_done(&r);
	/* A step shorter than the scrape interval makes the window. */
	CHECK_EQ_INT(fleet_parse("pyroscope://h/heap?from=-1m&step=5s", NOW, &r, &e),
		     MT_OK);
	CHECK_EQ_INT(r.window_ns, 5 * S);
	fleet_ref_done(&r);
	CHECK_EQ_INT(
	    fleet_parse("pyroscope://h/heap?from=-1m&step=15s&window=1m", NOW, &r, &e),
	    MT_OK);
	CHECK_EQ_INT(r.window_ns, 60 * S);
	fleet_ref_done(&r);
}

/* Whether ref fails to parse with a message containing want. */
static bool refused(const char *ref, const char *want)
{
	struct fleet_ref r;
	struct mt_err e = {{0}};
	if (fleet_parse(ref, NOW, &r, &e) == MT_OK) {
		fleet_ref_done(&r);
		return false;
	}
	if (!strstr(e.msg, want))
		fprintf(stderr, "%s: \"%s\" lacks \"%s\"\n", ref, e.msg, want);
	return strstr(e.msg, want) != NULL;
}

static void test_ref_errors(void)
{
	CHECK(refused("pyroscope://", "no host"));
	CHECK(refused("pyroscope://h:0/heap", "bad port"));
	CHECK(refused("pyroscope://h:65536/heap", "bad port"));
	CHECK(refused("pyroscope://h:x/heap", "bad port"));
	CHECK(refused("pyroscope://h$/heap", "bad host"));
	CHECK(refused("pyroscope://h/he ap", "bad profile type"));
	CHECK(refused("pyroscope://h/heap{a=b}", "quoted value"));
	CHECK(refused("pyroscope://h/heap{a=\"b\"", "',' or '}'"));
	CHECK(refused("pyroscope://h/heap{a=\"b}", "unterminated"));
	CHECK(refused("pyroscope://h/heap{=\"b\"}", "label name"));
	CHECK(refused("pyroscope://h/heap{a<\"b\"}", "=, !=, =~ or !~"));
	CHECK(refused("pyroscope://h/heap{a=\"b\"}x", "after its '}'"));
	CHECK(refused("pyroscope://h/heap%zz", "percent"));
	CHECK(refused("pyroscope://h/heap%00", "percent"));
	CHECK(refused("pyroscope://h/heap?foo=1", "unknown parameter \"foo\""));
	CHECK(refused("pyroscope://h/heap?from", "without a value"));
	CHECK(refused("pyroscope://h/heap?from=yesterday", "bad from"));
	CHECK(refused("pyroscope://h/heap?until=-", "bad until"));
	CHECK(refused("pyroscope://h/heap?from=now&until=-1h", "not before"));
	CHECK(refused("pyroscope://h/heap?step=1m", "needs from"));
	CHECK(refused("pyroscope://h/heap?from=-1h&step=0", "bad step"));
	CHECK(refused("pyroscope://h/heap?from=-1h&step=1s", "more than 1000"));
	CHECK(refused("pyroscope://h/heap?from=-10s&step=1m", "no whole step"));
	CHECK(refused("pyroscope://h/heap?window=0", "bad window"));
	CHECK(refused("pyroscope://h/heap?max_nodes=-3", "max_nodes"));
	CHECK(refused("http://h/heap", "not a store"));
}

static void test_pb(void)
{
	struct pb_buf b = {0};
	pb_put_uint(&b, 1, 150);
	pb_put_str(&b, 2, "testing");
	pb_put_bytes(&b, 3, NULL, 0);
	/* 150 = 0x96 0x01; field 2 string: 0x12 len 7. */
	static const uint8_t want[] = {0x08, 0x96, 0x01, 0x12, 7,   't',  'e',
				       's',  't',  'i',	 'n',  'g', 0x1a, 0};
	CHECK_EQ_INT(b.n, sizeof want);
	CHECK(b.n == sizeof want && memcmp(b.v, want, sizeof want) == 0);
	struct pb_reader r;
	struct pb_field f;
	struct mt_err e;
	pb_reader_init(&r, b.v, b.n);
	CHECK_EQ_INT(pb_next(&r, &f, &e), 1);
	CHECK(f.num == 1 && f.wt == PB_VARINT && f.v == 150);
	CHECK_EQ_INT(pb_next(&r, &f, &e), 1);
	CHECK(f.num == 2 && f.n == 7 && memcmp(f.p, "testing", 7) == 0);
	CHECK_EQ_INT(pb_next(&r, &f, &e), 1);
	CHECK(f.num == 3 && f.n == 0);
	CHECK_EQ_INT(pb_next(&r, &f, &e), 0);
	/* A length past the end, a varint cut short, field 0. */
	static const uint8_t bad1[] = {0x12, 9, 'x'}, bad2[] = {0x08, 0x96},
			     bad3[] = {0x00, 1};
	pb_reader_init(&r, bad1, sizeof bad1);
	CHECK_EQ_INT(pb_next(&r, &f, &e), -1);
	pb_reader_init(&r, bad2, sizeof bad2);
	CHECK_EQ_INT(pb_next(&r, &f, &e), -1);
	pb_reader_init(&r, bad3, sizeof bad3);
	CHECK_EQ_INT(pb_next(&r, &f, &e), -1);
	pb_reader_init(&r, NULL, 0);
	CHECK_EQ_INT(pb_next(&r, &f, &e), 0);
	pb_buf_done(&b);
}

static void test_base64(void)
{
	/* RFC 4648, section 10. */
	static const char *const v[][2] = {{"", ""},
					   {"f", "Zg=="},
					   {"fo", "Zm8="},
					   {"foo", "Zm9v"},
					   {"foob", "Zm9vYg=="},
					   {"fooba", "Zm9vYmE="},
					   {"foobar", "Zm9vYmFy"}};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *s = base64_encode((const uint8_t *)v[i][0], strlen(v[i][0]));
		CHECK_EQ_STR(s, v[i][1]);
		free(s);
		uint8_t *d;
		size_t n;
		struct mt_err e;
		CHECK_EQ_INT(base64_decode(v[i][1], strlen(v[i][1]), &d, &n, &e),
			     MT_OK);
		CHECK(n == strlen(v[i][0]) && memcmp(d, v[i][0], n) == 0);
		free(d);
	}
	uint8_t *d;
	size_t n;
	struct mt_err e;
	CHECK_EQ_INT(base64_decode("Zm9v!", 5, &d, &n, &e), MT_ERR_FORMAT);
	CHECK_EQ_INT(base64_decode("Z", 1, &d, &n, &e), MT_ERR_FORMAT);
	CHECK_EQ_INT(base64_decode("Zm9=v", 5, &d, &n, &e), MT_ERR_FORMAT);
}

static void test_json(void)
{
	struct json_doc d;
	struct mt_err e;
	const char *s = "{\"a\": [1, -2.5e1, true, null], \"b\": {\"c\": "
			"\"x\\u00e9\\ud83d\\ude00\\n\"}, "
			"\"\": {}}";
	CHECK_EQ_INT(json_parse(s, strlen(s), 0, &d, &e), MT_OK);
	int32_t a = json_get(&d, 0, "a");
	CHECK(a >= 0 && d.v[a].type == JSON_ARR);
	int32_t k = d.v[a].first;
	CHECK(d.v[k].type == JSON_NUM && d.v[k].num == 1);
	k = d.v[k].next;
	CHECK(d.v[k].type == JSON_NUM && d.v[k].num == -25);
	k = d.v[k].next;
	CHECK(d.v[k].type == JSON_BOOL && d.v[k].num == 1);
	k = d.v[k].next;
	CHECK(d.v[k].type == JSON_NULL && d.v[k].next == -1);
	int32_t b = json_get(&d, 0, "b");
	CHECK_EQ_STR(json_get_str(&d, b, "c"), "x\xc3\xa9\xf0\x9f\x98\x80\n");
	CHECK(json_get(&d, 0, "") >= 0 && d.v[json_get(&d, 0, "")].first == -1);
	CHECK_EQ_INT(json_get(&d, 0, "zz"), -1);
	json_doc_done(&d);
	static const char *const bad[] = {
	    "",	    "{",	"[1,]", "{\"a\" 1}", "[1 2]", "01x", "\"\\x\"", "\"a",
	    "[1]]", "{\"a\":}", "tru",	"\"\x01\"",  "-",     "1.",  "1e"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum mt_status st = json_parse(bad[i], strlen(bad[i]), 0, &d, &e);
		if (st == MT_OK)
			fprintf(stderr, "accepted bad JSON %s\n", bad[i]);
		CHECK(st == MT_ERR_FORMAT);
	}
	/* Depth and node bounds. */
	char deep[600];
	memset(deep, '[', sizeof deep);
	CHECK_EQ_INT(json_parse(deep, sizeof deep, 0, &d, &e), MT_ERR_FORMAT);
	CHECK(strstr(e.msg, "deeply") != NULL);
	CHECK_EQ_INT(json_parse("[1,2,3]", 7, 3, &d, &e), MT_ERR_LIMIT);
	CHECK_EQ_INT(json_parse("[1,2,3]", 7, 4, &d, &e), MT_OK);
	json_doc_done(&d);
}

static void test_timefmt(void)
{
	int64_t t;
	CHECK(timefmt_parse("now", NOW, &t) && t == NOW);
	CHECK(timefmt_parse("-90s", NOW, &t) && t == NOW - 90 * S);
	CHECK(timefmt_parse("now-1.5h", NOW, &t) && t == NOW - 5400 * S);
	CHECK(timefmt_parse("now+1d", NOW, &t) && t == NOW + 86400 * S);
	CHECK(timefmt_parse("1700000000", 0, &t) && t == NOW);
	CHECK(timefmt_parse("2023-11-15T00:13:20+02:00", 0, &t) && t == NOW);
	CHECK(timefmt_parse("2023-11-14T22:13:20.5Z", 0, &t) && t == NOW + S / 2);
	CHECK(!timefmt_parse("now-", NOW, &t));
	CHECK(!timefmt_parse("2023-11-14", NOW, &t));
	/* Nanoseconds since 1970 end in 2262: later years are refused. */
	CHECK(!timefmt_parse("8757-01-01T00:00:00Z", NOW, &t));
	CHECK(timefmt_parse("2255-01-01T00:00:00Z", NOW, &t) && t == 8993721600LL * S);
	char buf[48];
	timefmt_rfc3339(NOW, buf, sizeof buf);
	CHECK_EQ_STR(buf, "2023-11-14T22:13:20Z");
	timefmt_rfc3339(NOW + 1000000, buf, sizeof buf);
	CHECK_EQ_STR(buf, "2023-11-14T22:13:20.001000000Z");
}

static void test_answers(void)
{
	struct mt_err e;
	/* SelectMergeStacktracesResponse{pprof: {profile: "PP"}} */
	static const uint8_t smr[] = {0x2a, 4, 0x0a, 2, 'P', 'P'};
	bool has;
	const uint8_t *p;
	size_t n;
	CHECK_EQ_INT(pyroscope_decode_stacktraces(smr, sizeof smr, &has, &p, &n, &e),
		     MT_OK);
	CHECK(has && n == 2 && memcmp(p, "PP", 2) == 0);
	/* A flame graph (field 1): no pprof. */
	static const uint8_t fg[] = {0x0a, 0};
	CHECK_EQ_INT(pyroscope_decode_stacktraces(fg, sizeof fg, &has, &p, &n, &e),
		     MT_OK);
	CHECK(!has);
	static const uint8_t cut[] = {0x2a, 4, 0x0a, 7, 'P'};
	CHECK_EQ_INT(pyroscope_decode_stacktraces(cut, sizeof cut, &has, &p, &n, &e),
		     MT_ERR_CORRUPT);
	/* ProfileTypesResponse{profile_types: [{ID: "a:b"}, {name: "x"}]} */
	static const uint8_t pt[] = {0x0a, 5,	 0x0a, 3,    'a', ':',
				     'b',  0x0a, 3,    0x12, 1,	  'x'};
	char **v = NULL;
	size_t nv = 0;
	CHECK_EQ_INT(pyroscope_decode_strings(pt, sizeof pt, true, &v, &nv, &e), MT_OK);
	CHECK(nv == 1 && strcmp(v[0], "a:b") == 0);
	free(v[0]);
	free(v);
	/* Parca */
	uint8_t *pp;
	const char *q = "{\"pprof\": \"UFA=\", \"total\": \"3\"}";
	CHECK_EQ_INT(parca_decode_query(q, strlen(q), &pp, &n, &e), MT_OK);
	CHECK(n == 2 && memcmp(pp, "PP", 2) == 0);
	free(pp);
	q = "{\"pprof\": 3}";
	CHECK_EQ_INT(parca_decode_query(q, strlen(q), &pp, &n, &e), MT_ERR_FORMAT);
	q = "{\"types\": [{\"name\": \"memory\", \"sampleType\": \"alloc_space\", "
	    "\"sampleUnit\": \"bytes\", \"periodType\": \"space\", \"periodUnit\": "
	    "\"bytes\", \"delta\": true}]}";
	v = NULL;
	nv = 0;
	CHECK_EQ_INT(parca_decode_strings(q, strlen(q), NULL, &v, &nv, &e), MT_OK);
	CHECK(nv == 1 &&
	      strcmp(v[0], "memory:alloc_space:bytes:space:bytes:delta") == 0);
	free(v[0]);
	free(v);
	/* SelectSeriesResponse{series: [{labels: [{pod: a}], points:
	 * [{value: 2.5, timestamp: 1000}]}]}; 2.5 is 0x4004000000000000. */
	static const uint8_t ss[] = {0x0a, 24, 0x0a, 8,	   0x0a, 3,    'p',  'o', 'd',
				     0x12, 1,  'a',  0x12, 12,	 0x09, 0,    0,	  0,
				     0,	   0,  0,    0x04, 0x40, 0x10, 0xe8, 0x07};
	struct fleet_listing l = {0};
	CHECK_EQ_INT(pyroscope_decode_series(ss, sizeof ss, &l, &e), MT_OK);
	CHECK(l.series.n == 1 && l.series.v[0].names.n == 1 &&
	      strcmp(l.series.v[0].names.v[0], "pod") == 0 &&
	      strcmp(l.series.v[0].values.v[0], "a") == 0 &&
	      l.series.v[0].points.n == 1 && l.series.v[0].points.v[0].value == 2.5 &&
	      l.series.v[0].points.v[0].time_ns == 1000000000LL);
	fleet_listing_done(&l);
	q = "{\"series\": [{\"labelset\": {\"labels\": [{\"name\": \"job\", \"value\": "
	    "\"x\"}]}, \"samples\": [{\"timestamp\": \"2023-11-14T22:13:20Z\", "
	    "\"value\": "
	    "\"42\"}]}]}";
	CHECK_EQ_INT(parca_decode_series(q, strlen(q), &l, &e), MT_OK);
	CHECK(l.series.n == 1 && l.series.v[0].points.n == 1 &&
	      l.series.v[0].points.v[0].value == 42 &&
	      l.series.v[0].points.v[0].time_ns == NOW);
	fleet_listing_done(&l);
	q = "{\"series\": [{\"samples\": [{\"value\": \"4x\"}]}]}";
	CHECK_EQ_INT(parca_decode_series(q, strlen(q), &l, &e), MT_ERR_FORMAT);
	fleet_listing_done(&l);
	q = "{\"labelNames\": [\"a\", 1]}";
	v = NULL;
	nv = 0;
	CHECK_EQ_INT(parca_decode_strings(q, strlen(q), "labelNames", &v, &nv, &e),
		     MT_ERR_FORMAT);
	for (size_t i = 0; i < nv; i++)
		free(v[i]);
	free(v);
}

int main(void)
{
	test_ref_basic();
	test_ref_series();
	test_ref_errors();
	test_pb();
	test_base64();
	test_json();
	test_timefmt();
	test_answers();
	TEST_MAIN_END();
}
