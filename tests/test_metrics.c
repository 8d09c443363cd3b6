/* test_metrics.c - series storage, the expvar JSON reader, the gctrace
 * parser, /proc figures and the findings. Expected numbers are read off the
 * input texts themselves (or computed by hand for the fitted lines). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read/expvar.h"
#include "read/gctrace.h"
#include "harness.h"
#include "store/metrics.h"
#include "collect/procstat.h"
#include "store/store.h"

#define S 1000000000LL

/* The value of the point named name in b, or NAN. */
static double batch_get(const struct metrics_batch *b, const char *name)
{
	for (size_t i = 0; i < b->v.n; i++)
		if (strcmp(metrics_batch_name(b, i), name) == 0)
			return b->v.v[i].value;
	return NAN;
}

static size_t batch_count(const struct metrics_batch *b, const char *name)
{
	size_t k = 0;
	for (size_t i = 0; i < b->v.n; i++)
		k += strcmp(metrics_batch_name(b, i), name) == 0;
	return k;
}

static void test_expvar(void)
{
	static const char doc[] =
		"{\n\"cmdline\": [\"/tmp/x\", \"-oracle\"],\n"
		"\"cache_ratio\": 0.25,\n"
		"\"goroutines\": 17,\n"
		"\"requests\": {\"vars\": 3, \"sub\": {\"deep\": -2e3}, \"name\": \"x\"},\n"
		"\"esc\\u00e9\\\"q\": 1,\n"
		"\"memstats\": {\"Alloc\":1048576,\"HeapInuse\":4202496,\"HeapObjects\":812,"
		"\"NumGC\":3,\"GCCPUFraction\":0.0012345678901234567,\"EnableGC\":true,"
		"\"PauseNs\":[1500,2500,3500,0,0],\"PauseEnd\":[1700000000000000000,"
		"1700000001000000000,1700000002000000000,0,0],"
		"\"BySize\":[{\"Size\":0,\"Mallocs\":0,\"Frees\":0}]}\n}\n";
	struct metrics_batch b = {0};
	struct mt_err e = {{0}};
	CHECK_EQ_INT(expvar_parse((const uint8_t *)doc, sizeof doc - 1, 42 * S, &b, &e), MT_OK);
	CHECK(batch_get(&b, "memstats.HeapInuse") == 4202496);
	CHECK(batch_get(&b, "memstats.Alloc") == 1048576);
	CHECK(batch_get(&b, "memstats.NumGC") == 3);
	CHECK(batch_get(&b, "memstats.GCCPUFraction") == 0.0012345678901234567);
	CHECK(batch_get(&b, "goroutines") == 17);
	CHECK(batch_get(&b, "cache_ratio") == 0.25);
	CHECK(batch_get(&b, "requests.vars") == 3);
	CHECK(batch_get(&b, "requests.sub.deep") == -2000);
	CHECK(batch_get(&b, "esc\xc3\xa9\"q") == 1);
	CHECK(isnan(batch_get(&b, "memstats.EnableGC")));
	CHECK(isnan(batch_get(&b, "requests.name")));
	CHECK(isnan(batch_get(&b, "memstats.BySize.Size")));
	/* Three pauses at the times they ended, the unused slots skipped. */
	CHECK_EQ_INT(batch_count(&b, "memstats.PauseNs"), 3);
	for (size_t i = 0; i < b.v.n; i++)
		if (strcmp(metrics_batch_name(&b, i), "memstats.PauseNs") == 0 &&
		    b.v.v[i].time == 1700000001000000000LL)
			CHECK(b.v.v[i].value == 2500);
	for (size_t i = 0; i < b.v.n; i++)
		if (strcmp(metrics_batch_name(&b, i), "memstats.HeapInuse") == 0)
			CHECK_EQ_INT(b.v.v[i].time, 42 * S);

	/* Every proper prefix of the document is bad JSON: an error, no points. */
	size_t errors = 0;
	for (size_t n = 0; n + 1 < sizeof doc - 1; n++) {
		struct metrics_batch t = {0};
		char *cut = xmalloc(n + 1);
		memcpy(cut, doc, n);
		cut[n] = 0;
		if (expvar_parse((const uint8_t *)cut, n, 0, &t, &e) != MT_OK && t.v.n == 0)
			errors++;
		free(cut);
		metrics_batch_done(&t);
	}
	/* Cut before its closing "}": every one of them. */
	CHECK_EQ_INT(errors, sizeof doc - 2);

	static const struct {
		const char *json, *msg;
	} bad[] = {
		{"", "value cut short"},
		{"[1, 2]", "not a JSON object"},
		{"{\"a\": 01}", "expected ',' or '}'"},
		{"{\"a\": 1,}", "expected a member name"},
		{"{\"a\": 1} x", "text after the JSON value"},
		{"{\"a\": tru}", "unexpected character"},
		{"{\"a\": \"\\x\"}", "bad escape"},
		{"{\"a\": 0x10}", "expected ',' or '}'"},
		{"{\"a\": \"s\"}", "no numbers"},
		{"{\"a\": 1e}", "bad number"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct metrics_batch t = {0};
		enum mt_status st = expvar_parse((const uint8_t *)bad[i].json,
						 strlen(bad[i].json), 0, &t, &e);
		CHECK(st != MT_OK);
		if (!strstr(e.msg, bad[i].msg))
			fprintf(stderr, "%s -> %s\n", bad[i].json, e.msg);
		CHECK(strstr(e.msg, bad[i].msg) != NULL);
		metrics_batch_done(&t);
	}
	/* Deep nesting is refused, not recursed into without bound. */
	char deep[4000];
	memset(deep, '[', sizeof deep);
	deep[0] = '{';
	struct metrics_batch t = {0};
	CHECK(expvar_parse((const uint8_t *)deep, sizeof deep, 0, &t, &e) != MT_OK);
	metrics_batch_done(&t);
	metrics_batch_done(&b);

	CHECK(expvar_is_url("http://127.0.0.1:8080/debug/vars"));
	CHECK(expvar_is_url("http://h/x/debug/vars/?a=1"));
	CHECK(!expvar_is_url("http://h/debug/pprof/heap"));
	CHECK(!expvar_is_url("http://h/debug/variables"));
}

static void test_gctrace(void)
{
	static const char l119[] = "gc 13 @2.892s 4%: 0.025+0.42+0.002 ms clock, "
				   "0.051+0/0.18/0.20+0.005 ms cpu, 28->29->16 MB, 30 MB goal, "
				   "1 MB stacks, 2 MB globals, 8 P (forced)";
	struct gctrace_line g;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(gctrace_parse_line(l119, strlen(l119), &g, &e), MT_OK);
	CHECK_EQ_INT(g.n, 13);
	CHECK(g.at_s == 2.892);
	CHECK(g.cpu_percent == 4);
	CHECK(g.clock_ms[0] == 0.025 && g.clock_ms[1] == 0.42 && g.clock_ms[2] == 0.002);
	CHECK(g.cpu_ms[0] == 0.051 && g.cpu_ms[1] == 0 && g.cpu_ms[2] == 0.18 &&
	      g.cpu_ms[3] == 0.20 && g.cpu_ms[4] == 0.005);
	CHECK_EQ_INT(g.heap_mb[0], 28);
	CHECK_EQ_INT(g.heap_mb[1], 29);
	CHECK_EQ_INT(g.heap_mb[2], 16);
	CHECK_EQ_INT(g.goal_mb, 30);
	CHECK_EQ_INT(g.stacks_mb, 1);
	CHECK_EQ_INT(g.globals_mb, 2);
	CHECK_EQ_INT(g.procs, 8);
	CHECK(g.forced);

	static const char old[] = "gc 1 @0.011s 3%: 0.014+1.1+0.004 ms clock, "
				  "0.029+0.35/0.62/0.18+0.008 ms cpu, 4->4->0 MB, 5 MB goal, 2 P";
	CHECK_EQ_INT(gctrace_parse_line(old, strlen(old), &g, &e), MT_OK);
	CHECK_EQ_INT(g.stacks_mb, -1);
	CHECK_EQ_INT(g.procs, 2);
	CHECK(!g.forced);

	static const char *const bad[] = {
		"gc 1 @0.011s 3%: 0.014+1.1 ms clock",
		"gc 1 @0.011s 3%: 0.014+1.1+0.004 ms clock, 0.029+0.35/0.62/0.18+0.008 ms cpu, "
		"4->4->0 MB, 5 MB goal, 2 P trailing",
		"gc x @1s",
		"gc 1 @s 3%:",
		"gc 1 @0.011s 99999999999999999999%: ",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(gctrace_parse_line(bad[i], strlen(bad[i]), &g, &e) != MT_OK);
	/* The column of the first problem. */
	gctrace_parse_line(bad[0], strlen(bad[0]), &g, &e);
	CHECK(strstr(e.msg, "column 27") != NULL);

	/* A log with the program's own output and one broken line among
	 * good ones: the good ones are read, the broken one reported. */
	char log[2048];
	snprintf(log, sizeof log, "starting\n%s\ngc 2 @0.5s 1%%: broken\n%s\nbye\n", old, l119);
	struct metrics_batch b = {0};
	size_t cycles, nbad;
	struct mt_err be = {{0}};
	CHECK(gctrace_detect((const uint8_t *)log, strlen(log)));
	CHECK(gctrace_last_at((const uint8_t *)log, strlen(log)) == 2.892);
	CHECK_EQ_INT(gctrace_parse((const uint8_t *)log, strlen(log), 100 * S, &b, &cycles,
				   &nbad, &be, &e),
		     MT_OK);
	CHECK_EQ_INT(cycles, 2);
	CHECK_EQ_INT(nbad, 1);
	CHECK(strstr(be.msg, "line 3:") != NULL);
	CHECK_EQ_INT(batch_count(&b, "gctrace.heap_live_mb"), 2);
	CHECK_EQ_INT(batch_count(&b, "gctrace.stacks_mb"), 1); /* the old line has none */
	for (size_t i = 0; i < b.v.n; i++) {
		const char *nm = metrics_batch_name(&b, i);
		if (b.v.v[i].time != 100 * S + 2892000000LL)
			continue;
		if (!strcmp(nm, "gctrace.pause_ms"))
			CHECK(fabs(b.v.v[i].value - 0.027) < 1e-12);
		if (!strcmp(nm, "gctrace.cpu_stw_ms"))
			CHECK(fabs(b.v.v[i].value - 0.056) < 1e-12);
		if (!strcmp(nm, "gctrace.heap_before_mb"))
			CHECK(b.v.v[i].value == 28);
	}
	metrics_batch_done(&b);
	CHECK(!gctrace_detect((const uint8_t *)"gc is fun\n", 10));
	CHECK_EQ_INT(gctrace_parse((const uint8_t *)"hello\n", 6, 0, &b, &cycles, &nbad, &be,
				   &e),
		     MT_ERR_FORMAT);
	metrics_batch_done(&b);
}

static void test_procstat(void)
{
	struct procstat ps;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(procstat_read(NULL, getpid(), &ps, &e), MT_OK);
	CHECK(ps.rss_bytes > 0);
	CHECK(ps.threads == 1);
	CHECK(ps.fds >= 3);
	/* A fake /proc: no VmRSS (a kernel thread), resident pages in statm. */
	char root[] = "/tmp/memtop-procXXXXXX";
	CHECK(mkdtemp(root) != NULL);
	char path[256];
	snprintf(path, sizeof path, "%s/77", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/77/status", root);
	FILE *f = fopen(path, "w");
	fputs("Name:\tkthread\nState:\tS (sleeping)\nThreads:\t5\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/77/statm", root);
	f = fopen(path, "w");
	fputs("100 25 3 1 0 20 0\n", f);
	fclose(f);
	CHECK_EQ_INT(procstat_read(root, 77, &ps, &e), MT_OK);
	CHECK_EQ_INT(ps.rss_bytes, 25 * sysconf(_SC_PAGESIZE));
	CHECK_EQ_INT(ps.threads, 5);
	CHECK_EQ_INT(ps.fds, -1);
	CHECK_EQ_INT(procstat_read(root, 78, &ps, &e), MT_ERR_NOTFOUND);
	/* A zombie is gone. */
	snprintf(path, sizeof path, "%s/77/status", root);
	f = fopen(path, "w");
	fputs("Name:\tz\nState:\tZ (zombie)\nThreads:\t1\n", f);
	fclose(f);
	CHECK_EQ_INT(procstat_read(root, 77, &ps, &e), MT_ERR_NOTFOUND);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	CHECK(system(cmd) == 0);
}

/* Adds n points of value a + slope * t (t in seconds, every step s) plus
 * an alternating wobble. */
static void series(struct metrics_batch *b, const char *name, int n, double step,
		   double a, double slope, double wobble)
{
	for (int i = 0; i < n; i++) {
		double t = i * step;
		metrics_batch_add(b, name, 1700000000 * S + (int64_t)(t * 1e9),
				  a + slope * t + (i % 2 ? wobble : -wobble));
	}
}

static const struct finding *find(const struct finding *v, size_t n, const char *kind,
				  const char *series_name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, kind) && !strcmp(v[i].series, series_name))
			return &v[i];
	return NULL;
}

static void test_store_and_findings(void)
{
	struct store *s;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(store_open(&s, ":memory:", true, &e), MT_OK);

	struct metrics_batch b = {0};
	/* 20 points, 10 s apart: heap +100,000 B/s exactly; RSS +1 MB/s with the
	 * heap above flat; goroutines +1/s; GC CPU 0.2 then 0.05. */
	series(&b, "memstats.HeapInuse", 20, 10, 50e6, 100000, 0);
	size_t added;
	CHECK_EQ_INT(metrics_store(s, "http://a/debug/vars", &b, &added, &e), MT_OK);
	CHECK_EQ_INT(added, 20);
	/* Storing the same moments again adds nothing. */
	CHECK_EQ_INT(metrics_store(s, "http://a/debug/vars", &b, &added, &e), MT_OK);
	CHECK_EQ_INT(added, 0);
	metrics_batch_done(&b);

	series(&b, "proc.rss_bytes", 20, 10, 100e6, 1048576, 0);
	series(&b, "proc.threads", 20, 10, 8, 0, 0);
	CHECK_EQ_INT(metrics_store(s, "pid:42", &b, &added, &e), MT_OK);
	CHECK_EQ_INT(added, 40);
	metrics_batch_done(&b);

	series(&b, "goroutines", 20, 10, 10, 1, 0.5);
	series(&b, "memstats.GCCPUFraction", 8, 10, 0.2, 0, 0.01);
	for (int i = 8; i < 20; i++)
		metrics_batch_add(&b, "memstats.GCCPUFraction", 1700000000 * S + i * 10 * S, 0.05);
	CHECK_EQ_INT(metrics_store(s, "http://b/debug/vars", &b, &added, &e), MT_OK);
	metrics_batch_done(&b);

	struct metrics_list l;
	CHECK_EQ_INT(metrics_read(s, "memstats.", NULL, &l, &e), MT_OK);
	CHECK_EQ_INT(l.n, 2); /* GCCPUFraction (b), HeapInuse (a): by name */
	if (l.n == 2) {
		CHECK_EQ_STR(l.v[0].name, "memstats.GCCPUFraction");
		CHECK_EQ_STR(l.v[1].name, "memstats.HeapInuse");
		CHECK_EQ_INT(l.v[1].n, 20);
		CHECK(l.v[1].v[19].value == 50e6 + 100000 * 190);
		CHECK_EQ_INT(l.v[1].v[19].time, 1700000190 * S);
	}
	metrics_list_done(&l);
	CHECK_EQ_INT(metrics_read(s, NULL, "pid:", &l, &e), MT_OK);
	CHECK_EQ_INT(l.n, 2);
	metrics_list_done(&l);
	CHECK_EQ_INT(metrics_read(s, "nope", NULL, &l, &e), MT_OK);
	CHECK_EQ_INT(l.n, 0);
	metrics_list_done(&l);

	struct finding *fv;
	size_t nf;
	CHECK_EQ_INT(metrics_findings(s, NULL, &fv, &nf, &e), MT_OK);
	const struct finding *h = find(fv, nf, "heap-rising", "memstats.HeapInuse");
	CHECK(h != NULL);
	if (h) {
		CHECK(fabs(h->slope_per_hour - 360000000) < 1e-3);
		CHECK(fabs(h->r2 - 1) < 1e-12);
		CHECK(fabs(h->first - 50e6) < 1e-3);
		CHECK(fabs(h->last - (50e6 + 19000000)) < 1e-3);
		CHECK_EQ_INT(h->points, 20);
		CHECK_EQ_INT(h->to - h->from, 190 * S);
		CHECK(strstr(h->text, "+343.3 MB per hour") != NULL);
	}
	/* RSS grew 190 MB while the heap grew 18 MB: outside the heap. */
	const struct finding *r = find(fv, nf, "rss-outside-heap", "proc.rss_bytes");
	CHECK(r != NULL);
	if (r)
		CHECK(fabs(r->slope_per_hour - 3600.0 * 1048576) < 1);
	CHECK(find(fv, nf, "goroutines-rising", "goroutines") != NULL);
	/* 0.2 for 70 s (8 points) is sustained; 0.05 is below 10%. */
	const struct finding *g = find(fv, nf, "gc-cpu-high", "memstats.GCCPUFraction");
	CHECK(g != NULL);
	if (g) {
		CHECK_EQ_INT(g->points, 8);
		CHECK(fabs(g->peak - 0.21) < 1e-12);
	}
	/* Flat thread count: nothing. Order: by kind. */
	CHECK(find(fv, nf, "heap-rising", "proc.threads") == NULL);
	CHECK_EQ_INT(nf, 4);
	for (size_t i = 1; i < nf; i++)
		CHECK(fv[i - 1].kind <= fv[i].kind);
	metrics_findings_free(fv, nf);
	store_close(s);

	/* A sawtooth without a trend, and a rising heap with RSS rising as
	 * much: neither a heap finding nor an outside-heap one. */
	CHECK_EQ_INT(store_open(&s, ":memory:", true, &e), MT_OK);
	series(&b, "memstats.HeapInuse", 30, 5, 80e6, 0, 20e6);
	CHECK_EQ_INT(metrics_store(s, "x", &b, &added, &e), MT_OK);
	metrics_batch_done(&b);
	series(&b, "gctrace.heap_live_mb", 30, 5, 10, 0.5, 0);
	series(&b, "proc.rss_bytes", 30, 5, 100e6, 0.5 * 1048576, 0);
	CHECK_EQ_INT(metrics_store(s, "y", &b, &added, &e), MT_OK);
	metrics_batch_done(&b);
	CHECK_EQ_INT(metrics_findings(s, NULL, &fv, &nf, &e), MT_OK);
	CHECK(find(fv, nf, "heap-rising", "memstats.HeapInuse") == NULL);
	CHECK(find(fv, nf, "heap-rising", "gctrace.heap_live_mb") != NULL);
	CHECK(find(fv, nf, "rss-outside-heap", "proc.rss_bytes") == NULL);
	metrics_findings_free(fv, nf);
	store_close(s);
}

static void test_fit(void)
{
	struct metrics_point p[] = {{0, 1}, {S, 3}, {2 * S, 5}, {3 * S, 7}};
	struct metrics_fit f;
	CHECK(metrics_fit(p, 4, &f));
	CHECK(fabs(f.slope - 2) < 1e-12 && fabs(f.a - 1) < 1e-12 && fabs(f.r2 - 1) < 1e-12);
	/* By hand: x = 0,1,2,3; y = 1,2,1,2 -> slope 0.2, r2 0.2. */
	struct metrics_point q[] = {{0, 1}, {S, 2}, {2 * S, 1}, {3 * S, 2}};
	CHECK(metrics_fit(q, 4, &f));
	CHECK(fabs(f.slope - 0.2) < 1e-12 && fabs(f.r2 - 0.2) < 1e-12);
	CHECK(!metrics_fit(p, 1, &f));
	struct metrics_point same[] = {{S, 1}, {S, 2}};
	CHECK(!metrics_fit(same, 2, &f));
}

int main(void)
{
	test_expvar();
	test_gctrace();
	test_procstat();
	test_fit();
	test_store_and_findings();
	TEST_MAIN_END();
}
