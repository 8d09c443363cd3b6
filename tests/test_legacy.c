/* test_legacy.c - the legacy text readers against pprof's own fixtures (each
 * NAME.string beside them is pprof's dump of its parse: sample types, period,
 * unsampled values, location addresses, mappings), against facts of the real
 * Go texts in tests/data/go, and on bad input. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "read/legacy_read.h"
#include "read/reader.h"

#define FIX "../shared/fixtures/pprof-testdata/"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = 0;
	fclose(f);
	return s;
}

/* One sample of a .string dump. */
struct xs {
	int64_t v[4];
	int nv;
	uint32_t loc[512];
	int nloc;
	int64_t bytes; /* -1 when no bytes label */
};

/* Compares a profile with pprof's Profile.String() dump of the same file. */
static void check_dump(const char *name)
{
	char path[256], spath[256];
	snprintf(path, sizeof path, FIX "%s", name);
	snprintf(spath, sizeof spath, FIX "%s.string", name);
	char *want = slurp(spath);
	CHECK(want != NULL);
	if (!want)
		return;
	struct profile *p = NULL;
	struct mt_err e = {""};
	enum mt_status st = reader_load_file(path, NULL, &p, &e);
	if (st) {
		fprintf(stderr, "%s: %s\n", name, e.msg);
		CHECK_EQ_INT(st, MT_OK);
		free(want);
		return;
	}
	static struct xs xs[4096];
	int nxs = 0, ntypes = 0, nlocs = 0, nmaps = 0;
	static uint64_t loc_addr[4096];
	static int loc_map[4096];
	/* Java's named locations: function, file, line (name "" when none) */
	static char loc_fn[4096][64], loc_file[4096][64];
	static long loc_line[4096];
	char types[512] = "";
	enum { HEAD, SAMPLES, LOCS, MAPS } sec = HEAD;
	for (char *line = strtok(want, "\n"); line; line = strtok(NULL, "\n")) {
		char a[128], b[128];
		long long x;
		if (sscanf(line, "PeriodType: %127s %127s", a, b) == 2) {
			CHECK_EQ_STR(profile_str(p, p->period_type.type), a);
			CHECK_EQ_STR(profile_str(p, p->period_type.unit), b);
		} else if (sscanf(line, "Period: %lld", &x) == 1) {
			CHECK_EQ_INT(p->period, x);
		} else if (strcmp(line, "Samples:") == 0) {
			sec = SAMPLES;
		} else if (strcmp(line, "Locations") == 0) {
			sec = LOCS;
		} else if (strcmp(line, "Mappings") == 0) {
			sec = MAPS;
		} else if (sec == SAMPLES && !types[0]) {
			snprintf(types, sizeof types, "%s", line);
			for (char *t = types; *t; t++)
				ntypes += *t == '/';
		} else if (sec == SAMPLES && strstr(line, "bytes:[")) {
			if (nxs)
				xs[nxs - 1].bytes = strtoll(strstr(line, "[") + 1, NULL, 10);
		} else if (sec == SAMPLES && strchr(line, ':') && nxs < 4096) {
			struct xs *s = &xs[nxs++];
			char *q = line;
			s->nv = 0;
			s->nloc = 0;
			s->bytes = -1;
			while (s->nv < ntypes && s->nv < 4)
				s->v[s->nv++] = strtoll(q, &q, 10);
			q = strchr(q, ':') + 1;
			for (;;) {
				char *r;
				long v = strtol(q, &r, 10);
				if (r == q || s->nloc >= 512)
					break;
				s->loc[s->nloc++] = (uint32_t)v;
				q = r;
			}
		} else if (sec == LOCS && nlocs < 4096) {
			unsigned long long addr;
			int id, m;
			char fn[64], fl[64];
			if (sscanf(line, " %d: 0x%llx M=%d", &id, &addr, &m) == 3 && id == nlocs + 1) {
				loc_fn[nlocs][0] = 0;
				loc_addr[nlocs] = addr;
				loc_map[nlocs++] = m;
			} else if (sscanf(line, " %d: 0x%llx %63s %63s s=0", &id, &addr, fn, fl) ==
					   4 &&
				   id == nlocs + 1) {
				/* `name file:line:column`, no mapping */
				char *c2 = strrchr(fl, ':');
				*c2 = 0;
				char *c1 = strrchr(fl, ':');
				*c1 = 0;
				snprintf(loc_fn[nlocs], sizeof loc_fn[0], "%s", fn);
				snprintf(loc_file[nlocs], sizeof loc_file[0], "%s", fl);
				loc_line[nlocs] = strtol(c1 + 1, NULL, 10);
				loc_addr[nlocs] = addr;
				loc_map[nlocs++] = 0;
			}
		} else if (sec == MAPS) {
			unsigned long long s0, l0, o0;
			int id;
			char file[256] = "";
			if (sscanf(line, "%d: 0x%llx/0x%llx/0x%llx %255s", &id, &s0, &l0, &o0,
				   file) >= 4) {
				nmaps++;
				if ((size_t)id <= p->mappings.n) {
					const struct mt_mapping *m = &p->mappings.v[id - 1];
					CHECK_EQ_INT(m->start, s0);
					CHECK_EQ_INT(m->limit, l0);
					CHECK_EQ_INT(m->offset, o0);
					CHECK_EQ_STR(profile_str(p, m->file), file);
				}
			}
		}
	}
	/* sample types: "alloc_objects/count alloc_space/bytes ..." */
	char built[512] = "";
	for (size_t i = 0; i < p->sample_types.n; i++) {
		size_t k = strlen(built);
		snprintf(built + k, sizeof built - k, "%s%s/%s", i ? " " : "",
			 profile_str(p, p->sample_types.v[i].type),
			 profile_str(p, p->sample_types.v[i].unit));
	}
	CHECK_EQ_STR(built, types);
	CHECK_EQ_INT(p->samples.n, nxs);
	CHECK_EQ_INT(p->mappings.n, nmaps);
	int bad = 0;
	for (int i = 0; i < nxs && (size_t)i < p->samples.n; i++) {
		const struct mt_sample *s = &p->samples.v[i];
		const int64_t *v = profile_values(p, (size_t)i);
		for (int k = 0; k < xs[i].nv; k++)
			bad += v[k] != xs[i].v[k];
		bad += (int)s->nloc != xs[i].nloc;
		for (int k = 0; k < xs[i].nloc && (uint32_t)k < s->nloc; k++) {
			uint32_t id = xs[i].loc[k];
			const struct mt_location *l = &p->locations.v[p->sample_locs.v[s->loc0 + k]];
			bad += id < 1 || (int)id > nlocs || l->address != loc_addr[id - 1] ||
			       l->mapping + 1 != (uint32_t)loc_map[id - 1];
			if (id >= 1 && (int)id <= nlocs && loc_fn[id - 1][0]) {
				const struct mt_line *ln = &p->lines.v[l->line0];
				const struct mt_function *f = &p->functions.v[ln->func];
				bad += l->nline != 1 ||
				       strcmp(profile_str(p, f->name), loc_fn[id - 1]) != 0 ||
				       strcmp(profile_str(p, f->filename), loc_file[id - 1]) != 0 ||
				       ln->line != loc_line[id - 1];
			}
		}
		if (xs[i].bytes >= 0) {
			bool found = false;
			for (uint32_t k = 0; k < s->nlabel; k++) {
				const struct mt_label *lb = &p->labels.v[s->label0 + k];
				if (lb->is_num && strcmp(profile_str(p, lb->key), "bytes") == 0)
					found = lb->num == xs[i].bytes;
			}
			bad += !found;
		}
		if (bad && bad < 3)
			fprintf(stderr, "%s: sample %d differs\n", name, i);
	}
	CHECK_EQ_INT(bad, 0);
	printf("%s: %d samples, %d locations, %d mappings compared\n", name, nxs, nlocs,
	       nmaps);
	profile_free(p);
	free(want);
}

static struct profile *load(const char *path)
{
	struct profile *p = NULL;
	struct mt_err e = {""};
	if (reader_load_file(path, NULL, &p, &e)) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		return NULL;
	}
	return p;
}

/* Facts of tests/data/go/heap.txt read off the file itself. */
static void check_go_heap(void)
{
	struct profile *p = load("tests/data/go/heap.txt");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ_INT(p->format, MT_FMT_GO_HEAP_TEXT);
	CHECK_EQ_INT(p->sample_types.n, 4);
	CHECK_EQ_INT(p->period, 512); /* heap/1024 */
	/* First record: 1: 5849088 [1: 5849088], a 5849088-byte block sampled
	 * with certainty 1-exp(-5849088/512): scale 1. */
	const int64_t *v = profile_values(p, 0);
	CHECK_EQ_INT(v[0], 1);
	CHECK_EQ_INT(v[1], 5849088);
	CHECK_EQ_INT(v[3], 5849088);
	/* Second: 3204: 1435392, avg 448 B; scale 1/(1-exp(-448/512)). */
	v = profile_values(p, 1);
	int64_t c = 3204, s = 1435392;
	CHECK(legacy_scale_heap(&c, &s, 512));
	CHECK_EQ_INT(v[2], c);
	CHECK_EQ_INT(v[3], s);
	CHECK_EQ_INT(c, 5494); /* 3204 / (1 - e^-0.875) = 3204 / 0.583138 = 5494.4 */
	/* main.newBuf is inlined into main.(*leakyCache).add: one location,
	 * two lines, innermost first. */
	const struct mt_sample *sm = &p->samples.v[1];
	const struct mt_location *l = &p->locations.v[p->sample_locs.v[sm->loc0]];
	CHECK_EQ_INT(l->nline, 2);
	if (l->nline == 2) {
		const struct mt_line *ln = &p->lines.v[l->line0];
		CHECK_EQ_STR(profile_str(p, p->functions.v[ln[0].func].name), "main.newBuf");
		CHECK_EQ_INT(ln[0].line, 53);
		CHECK_EQ_STR(profile_str(p, p->functions.v[ln[1].func].name),
			     "main.(*leakyCache).add");
		CHECK_EQ_STR(profile_str(p, p->functions.v[ln[1].func].filename),
			     "/work/main/tests/go/leaky/main.go");
		CHECK_EQ_INT(ln[1].line, 60);
	}
	CHECK(strstr(profile_str(p, p->drop_frames), "runtime\\..*") != NULL);
	profile_free(p);
}

static void check_go_goroutine(void)
{
	struct profile *p = load("tests/data/go/goroutine.txt");
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ_STR(profile_str(p, p->sample_types.v[0].type), "goroutine");
	int64_t total = 0;
	int labelled = 0;
	for (size_t i = 0; i < p->samples.n; i++) {
		total += profile_values(p, i)[0];
		const struct mt_sample *s = &p->samples.v[i];
		for (uint32_t k = 0; k < s->nlabel; k++) {
			const struct mt_label *lb = &p->labels.v[s->label0 + k];
			if (strcmp(profile_str(p, lb->key), "role") == 0 &&
			    strcmp(profile_str(p, lb->str), "parked") == 0)
				labelled += (int)profile_values(p, i)[0];
		}
	}
	CHECK_EQ_INT(total, 15);
	CHECK_EQ_INT(labelled, 1);
	profile_free(p);

	/* threadcreate: `5 @` with a `#	0x0` line is an empty stack. */
	p = load("tests/data/go/threadcreate.txt");
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(p->samples.n, 2);
		CHECK_EQ_INT(p->samples.v[0].nloc, 0);
		CHECK_EQ_INT(profile_values(p, 0)[0], 5);
		CHECK_EQ_INT(p->samples.v[1].nloc, 4);
		profile_free(p);
	}
	/* mutex: cycles converted at cycles/second=2596151879, period 1 */
	p = load("tests/data/go/mutex.txt");
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(profile_values(p, 0)[0], 97);
		CHECK_EQ_INT(profile_values(p, 0)[1],
			     (int64_t)(2591761952.0 * 1.0 / (2596151879.0 / 1e9)));
		profile_free(p);
	}
}

/* Bad input fails with a one-line message naming a byte, never crashes. */
static void check_bad(const char *what, const char *text, const char *expect)
{
	struct profile *p = NULL;
	struct mt_err e = {""};
	enum mt_status st = reader_load_bytes((const uint8_t *)text, strlen(text), NULL,
					      &p, &e);
	CHECK(st != MT_OK);
	if (st == MT_OK) {
		fprintf(stderr, "%s: accepted\n", what);
		profile_free(p);
		return;
	}
	CHECK(strchr(e.msg, '\n') == NULL);
	if (expect && !strstr(e.msg, expect)) {
		fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", what, e.msg, expect);
		CHECK(0);
	}
}

/* The same for binary input. */
static void check_bad_bin(const char *what, const void *data, size_t n, const char *expect)
{
	struct profile *p = NULL;
	struct mt_err e = {""};
	uint8_t *copy = malloc(n + 1);
	memcpy(copy, data, n);
	copy[n] = 0;
	enum mt_status st = reader_load_bytes(copy, n, NULL, &p, &e);
	free(copy);
	CHECK(st != MT_OK);
	if (st == MT_OK) {
		fprintf(stderr, "%s: accepted\n", what);
		profile_free(p);
		return;
	}
	if (expect && !strstr(e.msg, expect)) {
		fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", what, e.msg, expect);
		CHECK(0);
	}
}

static void check_bad_inputs(void)
{
	check_bad("garbage heap", "heap profile: 1: 2 [3: 4] @ heap/1024\nfoo bar\n",
		  "malformed heap sample (at byte");
	check_bad("truncated header", "heap profile: 1: 2 [3:", "malformed heap profile header");
	check_bad("unknown kind", "heap profile: 1: 2 [3: 4] @ heapish/3\n", "unknown heap");
	check_bad("huge count",
		  "heap profile: 1: 2 [3: 4] @ heap/1024\n"
		  "99999999999999999999: 1 [1: 1] @ 0x1\n",
		  "malformed heap sample");
	check_bad("count 0 bytes not",
		  "heap profile: 1: 2 [3: 4] @ heap/1024\n0: 10 [0: 0] @ 0x1\n",
		  "inuse count was 0");
	check_bad("scale overflow",
		  "heap profile: 1: 2 [3: 4] @ heap_v2/9223372036854775807\n"
		  "9223372036854775807: 1 [0: 0] @ 0x1\n",
		  "out of range");
	check_bad("bad address",
		  "heap profile: 1: 2 [3: 4] @ heap/1024\n1: 2 [3: 4] @ 0x1 0xzz\n",
		  "malformed stack addresses");
	check_bad("address overflow",
		  "goroutine profile: total 1\n1 @ 0x11112222333344445\n",
		  "malformed stack addresses");
	check_bad("bad count", "goroutine profile: total 1\nx @ 0x1\n",
		  "malformed count sample");
	check_bad("bad labels",
		  "goroutine profile: total 1\n1 @ 0x1\n# labels: {\"a\":\n",
		  "malformed labels");
	check_bad("bad frame", "goroutine profile: total 1\n1 @ 0x1\n#\t0xqq\tmain.f\n",
		  "bad address in frame");
	check_bad("contention overflow",
		  "--- mutex:\ncycles/second=1\nsampling period=9223372036854775807\n"
		  "1 2 @ 0x1\n",
		  "out of range");
	check_bad("contention attr", "--- mutex:\nformat=java\n", "unsupported");
	check_bad("jemalloc stack alone", "heap_v2/4096\n t*: 1: 2 [0: 0]\n@ 0x1\n",
		  "stack without");
	check_bad("jemalloc garbage", "heap_v2/4096\n t*: 1: 2 [0: 0]\nzzz\n",
		  "unexpected line");
	check_bad("jemalloc header", "heap_v2/x\n", "malformed heap_v2 header");
	check_bad("thread without header",
		  "--- threadz 1 ---\n--- Thread 1 (name: a/1) stack: ---\n  0x1\nzzz\n",
		  "expected a `--- Thread` line");
	check_bad("thread address overflow",
		  "--- Thread 1 (name: a/1) stack: ---\n  0x11112222333344445\n",
		  "beyond 64 bits");
	check_bad("java heap count 0",
		  "--- heapz 1 ---\nformat = java\nresolution = bytes\n  10 0 @ 0x1\n",
		  "count 0");
	check_bad("java without resolution", "--- heapz 1 ---\nformat = java\n  10 1 @ 0x1\n",
		  "without a resolution");
	check_bad("java other format", "--- heapz 1 ---\nformat = cpp\n", "format \"cpp\"");
	check_bad("java attribute", "--- contentionz 1 ---\nformat = java\nfoo = 1\n",
		  "unsupported Java profile attribute \"foo\"");
	check_bad("java octal", "--- heapz 1 ---\nresolution = bytes\n  19 09 @ 0x1\n",
		  "malformed Java sample");
	check_bad("java id overflow",
		  "--- heapz 1 ---\nresolution = bytes\n  19 1 @ 0x1\n"
		  " 0x11112222333344445 f (a.java:1)\n",
		  "location id out of range");
	check_bad("java contention overflow",
		  "--- contentionz 1 ---\nresolution = microseconds\n"
		  "sampling period = 0x7fffffffffffffff\n  2 1 @ 0x1\n",
		  "out of range");
	/* Binary CPU profiles: 32-bit little-endian words. */
	static const uint32_t trunc_cpu[] = {0, 3, 0, 10000, 0, 1, 5, 0x401000};
	check_bad_bin("cpu stack past the end", trunc_cpu, sizeof trunc_cpu,
		      "past the end");
	static const uint32_t half_cpu[] = {0, 3, 0, 10000, 0, 1};
	check_bad_bin("cpu truncated", half_cpu, sizeof half_cpu, "truncated CPU profile");
	static const uint32_t huge_cpu[] = {0, 3, 0, 0xffffffff, 0, 0xffffffff, 1, 0x401000};
	check_bad_bin("cpu value overflow", huge_cpu, sizeof huge_cpu, NULL);

	/* Empty stacks, CRLF and missing trailing newline are fine. */
	struct profile *p = NULL;
	struct mt_err e = {""};
	const char *ok = "heap profile: 1: 2 [1: 2] @ heapprofile\r\n1: 2 [1: 2] @\r\n";
	CHECK_EQ_INT(reader_load_bytes((const uint8_t *)ok, strlen(ok), NULL, &p, &e), MT_OK);
	if (p) {
		CHECK_EQ_INT(p->format, MT_FMT_TCMALLOC_HEAP);
		CHECK_EQ_INT(p->samples.n, 1);
		profile_free(p);
	}
}

static void check_detect(void)
{
#define D(s) reader_detect((const uint8_t *)(s), strlen(s))
	CHECK_EQ_INT(D("heap profile: 1: 2 [3: 4] @ heap/1024\n"), MT_FMT_GO_HEAP_TEXT);
	CHECK_EQ_INT(D("heap profile: 1: 2 [3: 4] @ heapprofile\n"), MT_FMT_TCMALLOC_HEAP);
	CHECK_EQ_INT(D("heap profile: 1: 2 [3: 4] @ heap_v2/524288\n"), MT_FMT_TCMALLOC_HEAP);
	CHECK_EQ_INT(D("heap profile: 1: 2 [3: 4] @ heapprofile\n@ heap/1\n"),
		     MT_FMT_TCMALLOC_HEAP);
	CHECK_EQ_INT(D("heap_v2/4096\n  t*: 1: 2 [0: 0]\n"), MT_FMT_JEMALLOC_HEAP);
	CHECK_EQ_INT(D("--- contentionz 1 ---\n"), MT_FMT_CONTENTIONZ);
	CHECK_EQ_INT(D("--- mutex:\n"), MT_FMT_GO_CONTENTION_TEXT);
	CHECK_EQ_INT(D("threadcreate profile: total 1\n"), MT_FMT_GO_COUNT_TEXT);
	/* Java writes gperftools' contentionz header, with attributes of its own. */
	CHECK_EQ_INT(D("--- contentionz 1 ---\nformat = java\n"), MT_FMT_JAVA_CONTENTION);
	CHECK_EQ_INT(D("--- contentionz 1 ---\ncycles/second = 1\nresolution = us\n"),
		     MT_FMT_JAVA_CONTENTION);
	CHECK_EQ_INT(D("--- contentionz 1 ---\ncycles/second = 1\n1 2 @ 0x1\nformat = x\n"),
		     MT_FMT_CONTENTIONZ);
	CHECK_EQ_INT(D("--- mutex:\nformat=java\n"), MT_FMT_GO_CONTENTION_TEXT);
	CHECK_EQ_INT(D("--- heapz 1 ---\n"), MT_FMT_JAVA_HEAP);
	CHECK_EQ_INT(D("--- heapz 1 ---"), MT_FMT_UNKNOWN); /* pprof wants a newline */
	CHECK_EQ_INT(D("# comment\n\n--- threadz 1 ---\n"), MT_FMT_THREADZ);
	CHECK_EQ_INT(D("--- Thread 7f0a (name: main/1/2) stack: ---\n"), MT_FMT_THREADZ);
	CHECK_EQ_INT(D("--- Thread 7f0a (name: main) stack: ---\n"), MT_FMT_UNKNOWN);
#undef D
	/* Binary CPU profiles: the header words 0 3 0|1 period 0 in each of
	 * the four word formats pprof tries. */
	static const uint8_t le32[20] = {0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 100};
	static const uint8_t be32[20] = {0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 100};
	static const uint8_t le64[40] = {[8] = 3, [24] = 100};
	static const uint8_t be64[40] = {[15] = 3, [23] = 1, [31] = 100};
	static const uint8_t bad[20] = {0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 100};
	CHECK_EQ_INT(reader_detect(le32, sizeof le32), MT_FMT_GPERF_CPU);
	CHECK_EQ_INT(reader_detect(be32, sizeof be32), MT_FMT_JAVA_CPU);
	CHECK_EQ_INT(reader_detect(le64, sizeof le64), MT_FMT_GPERF_CPU);
	CHECK_EQ_INT(reader_detect(be64, sizeof be64), MT_FMT_JAVA_CPU);
	CHECK_EQ_INT(reader_detect(bad, sizeof bad), MT_FMT_UNKNOWN);
	CHECK_EQ_INT(reader_detect(le64, 36), MT_FMT_UNKNOWN); /* a word short */
#undef D
}

int main(void)
{
	check_dump("gobench.heap");
	check_dump("cppbench.heap");
	check_dump("cppbench.growth");
	check_dump("cppbench.contention");
	check_dump("go.godoc.thread");
	check_dump("cppbench.cpu");
	check_dump("go.crc32.cpu");
	check_dump("gobench.cpu");
	check_dump("cppbench.thread");
	check_dump("cppbench.thread.all");
	check_dump("cppbench.thread.none");
	check_dump("java.cpu");
	check_dump("java.heap");
	check_dump("java.contention");
	check_go_heap();
	check_go_goroutine();
	check_bad_inputs();
	check_detect();
	TEST_MAIN_END();
}
