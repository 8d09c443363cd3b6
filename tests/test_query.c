/* test_query.c - the query engine and the viewer's models, linking the core
 * alone, against `go tool pprof` on tests/data/go/heap.pb.gz and heap2.pb.gz
 * (numbers from `go tool pprof -top -nodefraction=0 -unit=B` with the same
 * options), and the goroutine counts tests/go/leaky parked in
 * tests/data/go/goroutine-dump.txt (tests/tui/oracle/goroutine-dump.states). */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "harness.h"
#include "query/diffmodel.h"
#include "query/gmodel.h"
#include "query/model.h"
#include "query/query.h"
#include "query/tlmodel.h"
#include "read/reader.h"
#include "store/store.h"

#define H "tests/data/go/heap.pb.gz"
#define H2 "tests/data/go/heap2.pb.gz"

/* flat (cum) of the row named name in r, or -1. */
static int64_t row(const struct mt_report *r, const char *name, bool cum)
{
	for (size_t i = 0; i < r->top.n; i++)
		if (strcmp(mt_node_name(&r->nodes, r->top.rows[i].node), name) == 0)
			return cum ? r->top.rows[i].cum : r->top.rows[i].flat;
	return -1;
}

/* Checks a condition that the rest of a test depends on; its value. */
static bool check_ok(bool ok, const char *what, const struct mt_err *e)
{
	CHECK(ok);
	if (!ok)
		fprintf(stderr, "%s: %s\n", what, e->msg);
	return ok;
}
#define CHECK_OK(expr) check_ok((expr), #expr, &e)

static int64_t flat_sum(const struct mt_report *r)
{
	int64_t s = 0;
	for (size_t i = 0; i < r->top.n; i++)
		s += r->top.rows[i].flat;
	return s;
}

/* Loads ref under o and builds its report; false on failure. */
static bool report(const char *ref, const struct mt_query_opts *o, struct profile **p,
		   struct mt_report *r)
{
	struct mt_err e = {{0}};
	if (query_load(ref, o, p, NULL, NULL, &e) != MT_OK) {
		fprintf(stderr, "query_load %s: %s\n", ref, e.msg);
		return false;
	}
	if (mt_report_open(r, *p, o, &e) != MT_OK) {
		fprintf(stderr, "report %s: %s\n", ref, e.msg);
		profile_free(*p);
		return false;
	}
	return true;
}

static void test_engine(void)
{
	struct mt_query_opts o;
	struct profile *p;
	struct mt_report r;

	/* -focus='leakRound|buildTree': rows and pprof's total before focus. */
	mt_query_opts_init(&o);
	o.filter[MT_FILTER_FOCUS] = "leakRound|buildTree";
	if (report(H, &o, &p, &r)) {
		CHECK_EQ_INT(r.total, 28873767);
		CHECK_EQ_INT(flat_sum(&r), 28854809);
		CHECK_EQ_INT(row(&r, "main.(*leakyCache).add", true), 25341737);
		CHECK_EQ_INT(row(&r, "main.buildTree", false), 176087);
		CHECK_EQ_INT(r.nomatch, 0);
		mt_report_done(&r);
		profile_free(p);
	}

	/* -tagfocus=bytes=256b: (a numeric range) */
	mt_query_opts_init(&o);
	o.filter[MT_FILTER_TAGFOCUS] = "bytes=256b:";
	if (report(H, &o, &p, &r)) {
		CHECK_EQ_INT(flat_sum(&r), 22255465);
		CHECK_EQ_INT(row(&r, "main.newBuf", false), 14255096);
		CHECK_EQ_INT(row(&r, "main.(*leakyCache).add", true), 20104184);
		mt_report_done(&r);
		profile_free(p);
	}

	/* Filters stack: -focus=leakRound -tagfocus=bytes=256b: */
	mt_query_opts_init(&o);
	struct mt_filter stack[] = {{MT_FILTER_TAGFOCUS, "bytes=256b:"},
				    {MT_FILTER_FOCUS, "leakRound"}};
	struct mt_err e;
	if (query_load(H, &o, &p, NULL, NULL, &e) == MT_OK) {
		CHECK(mt_report_build(&r, p, 3, MT_GRAN_FUNCTIONS, false, stack, 2, &e) ==
		      MT_OK);
		CHECK_EQ_INT(row(&r, "main.leakRound", true), 22239874);
		CHECK_EQ_INT(flat_sum(&r), 22239874);
		/* A pattern that matches nothing says so (pprof's warning). */
		struct mt_filter none[] = {{MT_FILTER_FOCUS, "^nothing-here$"}};
		struct mt_report r2;
		CHECK(mt_report_build(&r2, p, 3, MT_GRAN_FUNCTIONS, false, none, 1, &e) ==
		      MT_OK);
		CHECK(r2.nomatch & (1u << MT_FILTER_FOCUS));
		CHECK_EQ_INT(r2.top.n, 0);
		mt_report_done(&r2);
		/* A bad regex is bad usage, naming the option. */
		struct mt_filter bad[] = {{MT_FILTER_HIDE, "(?:("}};
		CHECK(mt_report_build(&r2, p, 3, MT_GRAN_FUNCTIONS, false, bad, 1, &e) ==
		      MT_ERR_USAGE);
		CHECK(strstr(e.msg, "hide") != NULL);
		mt_report_done(&r);
		profile_free(p);
	}

	/* -base heap.pb.gz heap2.pb.gz, and with -normalize. */
	mt_query_opts_init(&o);
	o.base = H;
	if (report(H2, &o, &p, &r)) {
		CHECK_EQ_INT(r.total, 763185);
		CHECK_EQ_INT(row(&r, "main.newBuf", false), 645035);
		CHECK_EQ_INT(row(&r, "fmt.Sprintf", true), 37025);
		mt_report_done(&r);
		profile_free(p);
	}
	o.normalize = true;
	if (report(H2, &o, &p, &r)) {
		CHECK_EQ_INT(r.total, 1487070);
		CHECK_EQ_INT(row(&r, "main.(*leakyCache).add", false), -150621);
		CHECK_EQ_INT(row(&r, "main.(*leakyCache).add", true), -24153);
		mt_report_done(&r);
		profile_free(p);
	}

	/* -tagroot=bytes: label values become root frames. */
	mt_query_opts_init(&o);
	o.tagroot = "bytes";
	if (report(H, &o, &p, &r)) {
		CHECK_EQ_INT(row(&r, "448", true), 2622830);
		CHECK_EQ_INT(row(&r, "16", true), 1201295);
		mt_report_done(&r);
		profile_free(p);
	}

	/* References: "@N" is a snapshot, anything else a file. */
	int64_t id = 0;
	CHECK(query_snapshot_ref("@12", &id) && id == 12);
	CHECK(!query_snapshot_ref("12", &id));
	CHECK(!query_snapshot_ref("@0", &id));
	CHECK(!query_snapshot_ref("@1x", &id));
	mt_query_opts_init(&o);
	CHECK(query_load("tests/data/no-such-file", &o, &p, NULL, NULL, &e) != MT_OK);
	CHECK(strstr(e.msg, "tests/data/no-such-file") != NULL);
}

/* The viewer's model: the options' filters at the bottom of the stack, the
 * stack pushed and popped, the same numbers as the engine's report. */
static void test_model(void)
{
	struct mt_query_opts o;
	mt_query_opts_init(&o);
	o.filter[MT_FILTER_TAGFOCUS] = "bytes=256b:";
	struct model md;
	struct mt_err e;
	if (!CHECK_OK(model_load(&md, H, &o, &e)))
		return;
	CHECK_EQ_INT(md.filters.n, 1);
	CHECK_EQ_INT(flat_sum(&md.rep), 22255465);
	unsigned gen = md.generation;
	CHECK(model_push_filter(&md, MT_FILTER_FOCUS, "leakRound", "leakRound", &e));
	CHECK(md.generation != gen);
	CHECK_EQ_INT(row(&md.rep, "main.leakRound", true), 22239874);
	/* A bad pattern changes nothing. */
	CHECK(!model_push_filter(&md, MT_FILTER_IGNORE, "(", "(", &e));
	CHECK_EQ_INT(md.filters.n, 2);
	CHECK_EQ_INT(row(&md.rep, "main.leakRound", true), 22239874);
	/* Warm rows of every type, then switch type: alloc_space's rows. */
	model_warm(&md, 120);
	int alloc;
	CHECK(profile_sample_index(md.p, "alloc_space", &alloc, &e) == MT_OK);
	model_set_index(&md, alloc);
	CHECK(row(&md.rep, "main.leakRound", true) > 22239874);
	model_set_index(&md, 3);
	CHECK(model_pop_filter(&md));
	CHECK(model_pop_filter(&md));
	CHECK(!model_pop_filter(&md));
	CHECK_EQ_INT(md.rep.total, 28873767);
	CHECK_EQ_INT(flat_sum(&md.rep), 28873767);
	model_done(&md);
}

/* The diff of view 4: base and new under the stack, as `memtop diff`. */
static void test_diffmodel(void)
{
	struct mt_query_opts o;
	mt_query_opts_init(&o);
	struct model md;
	struct mt_err e;
	if (!CHECK_OK(model_load(&md, H2, &o, &e)))
		return;
	CHECK(model_load_base(&md, H, &e));
	struct diffmodel *dm = diffmodel_get(&md);
	CHECK(dm != NULL);
	if (!dm) {
		model_done(&md);
		return;
	}
	CHECK_EQ_INT(dm->d.base_total, 28873767);
	for (size_t i = 0; i < dm->d.n; i++) {
		const struct mt_diff_row *r = &dm->d.rows[i];
		if (strcmp(strtab_get(&dm->d.names, r->name), "main.newBuf") == 0)
			CHECK_EQ_INT(r->new_flat - r->base_flat, 645035); /* pprof -base */
		if (strcmp(strtab_get(&dm->d.names, r->name), "fmt.Sprintf") == 0)
			CHECK_EQ_INT(r->new_cum - r->base_cum, 37025);
	}
	diffmodel_set_normalized(&md, true);
	dm = diffmodel_get(&md);
	for (size_t i = 0; dm && i < dm->d.n; i++) {
		const struct mt_diff_row *r = &dm->d.rows[i];
		if (strcmp(strtab_get(&dm->d.names, r->name), "main.(*leakyCache).add") == 0)
			CHECK_EQ_INT(r->new_flat - r->base_flat, -150621); /* -normalize */
	}
	model_done(&md);
}

/* View 6's groups: the states the program parked its goroutines in. */
static void test_gmodel(void)
{
	struct mt_query_opts o;
	mt_query_opts_init(&o);
	struct model md;
	struct mt_err e;
	if (!CHECK_OK(model_load(&md, "tests/data/go/goroutine-dump.txt", &o, &e)))
		return;
	struct gmodel *gm = gmodel_get(&md, NULL);
	CHECK(gm != NULL);
	if (gm) {
		CHECK_EQ_INT(gm->total, 15);
		int64_t recv = 0, sema = 0;
		for (size_t i = 0; i < gm->states.n; i++) {
			if (!strcmp(gm->states.v[i].state, "chan receive"))
				recv = gm->states.v[i].count;
			if (!strcmp(gm->states.v[i].state, "semacquire"))
				sema = gm->states.v[i].count;
		}
		CHECK_EQ_INT(recv, 4);
		CHECK_EQ_INT(sema, 2);
		/* The state filter: only the 4 in chan receive are shown. */
		CHECK(model_set_state_filter(&md, "chan receive", &e));
		gm = gmodel_get(&md, NULL);
		CHECK(gm && gm->shown_total == 4);
		CHECK(model_state_filter(&md) && !strcmp(model_state_filter(&md), "chan receive"));
		CHECK(model_drop_state_filter(&md));
		gm = gmodel_get(&md, NULL);
		CHECK(gm && gm->shown_total == 15);
	}
	model_done(&md);
}

/* The timeline: two series whose sources are prefixes of each other stay
 * two, and each one's leak ranking is its own. */
static void test_tlmodel(void)
{
	char db[] = "/tmp/memtop-test-query-XXXXXX";
	int fd = mkstemp(db);
	if (fd >= 0)
		close(fd);
	unlink(db);
	struct store *s = NULL;
	struct mt_err e = {{0}};
	if (!CHECK_OK(store_open(&s, db, true, &e) == MT_OK))
		return;
	struct mt_limits lim = MT_LIMITS_DEFAULT;
	for (int i = 0; i < 8; i++) {
		char path[64], src[64];
		snprintf(path, sizeof path, "tests/data/go/heapseries/heap-%02d.pb.gz", i);
		snprintf(src, sizeof src, "http://svc:6060/x%s", i % 2 ? "2" : "");
		struct profile *p = NULL;
		uint8_t *raw = NULL;
		size_t n = 0;
		CHECK(mt_read_file(path, &raw, &n, lim.max_file, &e) == MT_OK);
		CHECK(reader_load_bytes(raw, n, &lim, &p, &e) == MT_OK);
		struct store_source ss = {.source = src, .kind = "heap",
					  .time_nanos = (int64_t)(i + 1) * 3600000000000LL,
					  .force_time = true, .raw = raw, .nraw = n};
		int64_t id;
		bool dup;
		CHECK(p && store_import(s, p, &ss, &id, &dup, &e) == MT_OK);
		profile_free(p);
		free(raw);
	}
	store_close(s);
	struct tlmodel tm = {0};
	if (CHECK_OK(tlmodel_open(&tm, db, &e))) {
		CHECK_EQ_INT(tm.series.n, 2);
		for (size_t i = 0; i < tm.series.n; i++) {
			CHECK_EQ_INT(tm.series.v[i].snaps.n, 4);
			const struct trend *t = tlmodel_trend(&tm, (uint32_t)i, "inuse_space",
							      MT_GRAN_FUNCTIONS);
			CHECK(t != NULL);
			if (t) {
				CHECK_EQ_STR(t->source, tm.series.v[i].key);
				CHECK_EQ_INT(t->nsnap, 4);
			}
		}
		tlmodel_done(&tm);
	}
	unlink(db);
	char wal[80];
	snprintf(wal, sizeof wal, "%s-wal", db);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", db);
	unlink(wal);
}

int main(void)
{
	test_engine();
	test_model();
	test_diffmodel();
	test_gmodel();
	test_tlmodel();
	TEST_MAIN_END();
}
