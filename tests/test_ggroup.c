/* test_ggroup.c - goroutine groups of a profile (report/ggroup.h) and
 * across stored dumps (report/gseries.h).
 *
 * Oracles: tests/data/go/panic-expect.txt, written by tests/go/panicker
 * itself (the function that parked each group, its creator, count and
 * wait); the version dumps of tests/data/go/tracebacks and the small dumps
 * below, whose groups, names, lifetimes and counts are read off by hand.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "read/reader.h"
#include "report/ggroup.h"
#include "report/gseries.h"
#include "store/series.h"
#include "store/store.h"

static struct profile *load(const char *path)
{
	struct profile *p = NULL;
	struct mt_err e = {{0}};
	if (reader_load_file(path, NULL, &p, &e)) {
		fprintf(stderr, "  (%s: %s)\n", path, e.msg);
		CHECK(!"load");
		return profile_new();
	}
	return p;
}

static struct profile *from_text(const char *s)
{
	struct profile *p = NULL;
	struct mt_err e = {{0}};
	if (reader_load_bytes((const uint8_t *)s, strlen(s), NULL, &p, &e)) {
		fprintf(stderr, "  (%s)\n", e.msg);
		CHECK(!"parse");
		return profile_new();
	}
	return p;
}

/* The group named fn in state, or NULL. */
static const struct gg_group *named(const struct gg_set *s, const char *state,
				    const char *fn)
{
	for (size_t k = 0; k < s->groups.n; k++)
		if (strcmp(s->groups.v[k].state, state) == 0 &&
		    strcmp(gg_name(s, &s->groups.v[k]), fn) == 0)
			return &s->groups.v[k];
	return NULL;
}

static void check_named(const char *path, const char *state, const char *fn,
			int64_t count)
{
	struct profile *p = load(path);
	struct gg_set s;
	struct mt_err e;
	CHECK_EQ_INT(gg_build(&s, p, &e), MT_OK);
	const struct gg_group *g = named(&s, state, fn);
	if (!g)
		fprintf(stderr, "  (%s: no %s group named %s)\n", path, state, fn);
	CHECK(g != NULL);
	if (g)
		CHECK_EQ_INT(g->count, count);
	gg_done(&s);
	profile_free(p);
}

/* A group is named by its first frame outside the runtime and the
 * standard library's waiting machinery. */
static void test_names(void)
{
	const char *d = "tests/data/go/tracebacks/";
	char path[256];
#define P(f) (snprintf(path, sizeof path, "%s%s", d, f), path)
	check_named(P("go1.17.txt"), "semacquire", "main.locker", 1);
	check_named(P("go1.17.txt"), "chan receive", "main.worker", 2);
	check_named(P("go1.18.txt"), "IO wait", "main.readLoop", 2);
	check_named(P("go1.18.txt"), "sleep", "main.ticker", 1);
	check_named(P("go1.21.txt"), "chan receive", "main.parkForever", 2);
	check_named(P("go1.22.txt"), "sync.Mutex.Lock", "main.locker", 1);
	check_named(P("go1.22.txt"), "sync.WaitGroup.Wait", "main.waiter", 1);
	check_named(P("go1.22.txt"), "sync.RWMutex.RLock", "main.reader", 1);
	/* Only runtime frames: the outermost one that is not goexit. */
	check_named(P("go1.22.txt"), "force gc (idle)", "runtime.forcegchelper", 1);
	check_named(P("go1.24.txt"), "chan receive (synctest)",
		    "main.TestTimeout.func1", 2);
	check_named(P("go1.24.txt"), "synctest.Run", "main.TestTimeout", 1);
#undef P
	CHECK(gg_waiting_func("runtime.gopark"));
	CHECK(gg_waiting_func("runtime.chanrecv1"));
	CHECK(gg_waiting_func("sync.(*WaitGroup).Wait"));
	CHECK(gg_waiting_func("internal/poll.runtime_pollWait"));
	CHECK(gg_waiting_func("time.Sleep"));
	CHECK(!gg_waiting_func("runtime/pprof.writeGoroutineStacks"));
	CHECK(!gg_waiting_func("time.(*Ticker).Stop"));
	CHECK(!gg_waiting_func("example.com/internal/x.F"));

	/* A goroutine profile (no states): its stacks start in
	 * runtime.gopark; names are the program's functions. */
	struct profile *p = load("tests/data/go/goroutine.pb.gz");
	struct gg_set s;
	struct mt_err e;
	CHECK_EQ_INT(gg_build(&s, p, &e), MT_OK);
	CHECK_EQ_INT(s.total, 15);
	CHECK(!s.has_ids);
	CHECK(named(&s, "", "main.waitMutex") &&
	      named(&s, "", "main.waitMutex")->count == 2);
	CHECK(named(&s, "", "main.waitRecv") &&
	      named(&s, "", "main.waitRecv")->count == 4);
	for (size_t k = 0; k < s.groups.n; k++) {
		const char *n = gg_name(&s, &s.groups.v[k]);
		CHECK(strncmp(n, "runtime.", 8) != 0 && strncmp(n, "sync.", 5) != 0 &&
		      strncmp(n, "internal/", 9) != 0);
	}
	gg_done(&s);
	profile_free(p);

	/* Not goroutines. */
	p = load("tests/data/go/heap.pb.gz");
	CHECK_EQ_INT(gg_build(&s, p, &e), MT_ERR_FORMAT);
	gg_done(&s);
	profile_free(p);
}

/* tests/data/go/panic-dump.txt against panic-expect.txt (state, function,
 * creator, count, wait min, wait max, locked): one group each, named by
 * the function that parked it (the running goroutine by a closure of
 * main.main). */
static void test_panic_expect(void)
{
	struct profile *p = load("tests/data/go/panic-dump.txt");
	struct gg_set s;
	struct mt_err e;
	CHECK_EQ_INT(gg_build(&s, p, &e), MT_OK);
	CHECK(s.reason && strncmp(s.reason, "panic: first [recovered]", 24) == 0);
	CHECK(s.has_ids);
	uint8_t *exp;
	size_t en;
	CHECK_EQ_INT(
	    mt_read_file("tests/data/go/panic-expect.txt", &exp, &en, 1 << 20, &e),
	    MT_OK);
	int lines = 0;
	for (char *ln = strtok((char *)exp, "\n"); ln; ln = strtok(NULL, "\n")) {
		char *col[7] = {0};
		int ncol = 0;
		for (char *c = ln; ncol < 7;) {
			col[ncol++] = c;
			char *t = strchr(c, '\t');
			if (!t)
				break;
			*t = 0;
			c = t + 1;
		}
		if (ncol == 2) {
			CHECK_EQ_INT(s.total, atoi(col[1]));
			continue;
		}
		if (ncol != 7) {
			CHECK(!"bad line in panic-expect.txt");
			continue;
		}
		lines++;
		size_t hits = 0;
		for (size_t k = 0; k < s.groups.n; k++) {
			const struct gg_group *g = &s.groups.v[k];
			const char *n = gg_name(&s, g);
			size_t fl = strlen(col[1]);
			if (strcmp(g->state, col[0]) || strcmp(g->creator, col[2]) ||
			    (strcmp(n, col[1]) &&
			     !(strncmp(n, col[1], fl) == 0 && n[fl] == '.')))
				continue;
			hits++;
			CHECK_EQ_INT(g->count, atoi(col[3]));
			CHECK_EQ_INT(g->wait_min, atoi(col[4]));
			CHECK_EQ_INT(g->wait_max, atoi(col[5]));
			CHECK_EQ_INT(g->locked,
				     strcmp(col[6], "true") == 0 ? g->count : 0);
			CHECK_EQ_INT(g->nm, g->count);
		}
		if (hits != 1)
			fprintf(stderr, "  (%s %s by %s: %zu groups)\n", col[0], col[1],
				col[2], hits);
		CHECK_EQ_INT(hits, 1);
	}
	CHECK(lines >= 10);
	free(exp);
	gg_done(&s);
	profile_free(p);
}

/* A dump stored and loaded again has the same groups, ids, waits and
 * creators: the store keeps a dump's profile whole. */
static void test_roundtrip(void)
{
	const char *path = "tests/data/go/tracebacks/go1.21.txt";
	uint8_t *raw;
	size_t n;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(mt_read_file(path, &raw, &n, 1 << 20, &e), MT_OK);
	struct profile *p = load(path), *q = NULL;
	struct store *st = NULL;
	CHECK_EQ_INT(store_open(&st, ":memory:", true, &e), MT_OK);
	int64_t id = 0;
	bool dup;
	struct store_source src = {
	    .source = "/x/go1.21.txt", .time_nanos = 1, .raw = raw, .nraw = n};
	CHECK_EQ_INT(store_import(st, p, &src, &id, &dup, &e), MT_OK);
	CHECK_EQ_INT(store_load(st, id, &q, &e), MT_OK);
	store_close(st);
	struct gg_set a, b;
	CHECK_EQ_INT(gg_build(&a, p, &e), MT_OK);
	CHECK_EQ_INT(gg_build(&b, q ? q : p, &e), MT_OK);
	CHECK_EQ_INT(a.groups.n, b.groups.n);
	CHECK_EQ_INT(a.members.n, 4);
	CHECK_EQ_INT(b.members.n, a.members.n);
	for (size_t k = 0; k < a.groups.n && k < b.groups.n; k++) {
		const struct gg_group *x = &a.groups.v[k], *y = &b.groups.v[k];
		CHECK_EQ_INT(x->key, y->key);
		CHECK_EQ_INT(x->count, y->count);
		CHECK_EQ_STR(x->state, y->state);
		CHECK_EQ_STR(x->creator, y->creator);
		CHECK_EQ_STR(x->creator_file, y->creator_file);
		CHECK_EQ_INT(x->creator_line, y->creator_line);
		CHECK_EQ_INT(x->wait_min, y->wait_min);
		CHECK_EQ_INT(x->wait_max, y->wait_max);
		CHECK_EQ_INT(x->elided_frames, y->elided_frames);
		CHECK_EQ_STR(gg_name(&a, x), gg_name(&b, y));
		for (uint32_t i = 0; i < x->nm && i < y->nm; i++) {
			CHECK_EQ_INT(a.members.v[x->m0 + i].id,
				     b.members.v[y->m0 + i].id);
			CHECK_EQ_INT(a.members.v[x->m0 + i].creator_id,
				     b.members.v[y->m0 + i].creator_id);
			CHECK_EQ_INT(a.members.v[x->m0 + i].wait,
				     b.members.v[y->m0 + i].wait);
		}
	}
	/* By hand: 41 and 42 in one group (waits 30 and 29, creators 12 and
	 * 13), 43 elided with 120 frames. */
	const struct gg_group *g = named(&b, "chan receive", "main.parkForever");
	CHECK(g && g->count == 2 && g->wait_min == 29 && g->wait_max == 30);
	CHECK(g && strcmp(g->creator, "main.handler") == 0 && g->creator_line == 60 &&
	      strcmp(g->creator_file, "/src/app/handler.go") == 0);
	CHECK(g && b.members.v[g->m0].id == 41 && b.members.v[g->m0].creator_id == 12 &&
	      b.members.v[g->m0 + 1].creator_id == 13);
	g = named(&b, "select", "main.walk");
	CHECK(g && g->elided && g->elided_frames == 120 && g->elided_at == 2 &&
	      g->nf == 4);
	gg_done(&a);
	gg_done(&b);
	profile_free(p);
	profile_free(q);
	free(raw);
}

static void test_ignore_and_diff(void)
{
	char path[] = "/tmp/memtop-ignore-XXXXXX";
	int fd = mkstemp(path);
	const char *text =
	    "# known\n\nmain\\.recvWorker\n  top:^main\\.sendWorker$  \n";
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	struct gg_ignore ig;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(gg_ignore_load(&ig, path, NULL, &e), MT_OK);
	CHECK_EQ_INT(ig.any.n, 1);
	CHECK_EQ_INT(ig.top.n, 1);
	struct profile *p = load("tests/data/go/panic-dump.txt");
	struct gg_set s;
	CHECK_EQ_INT(gg_build(&s, p, &e), MT_OK);
	size_t ignored = 0;
	int64_t n = 0;
	for (size_t k = 0; k < s.groups.n; k++)
		if (gg_ignored(&ig, &s, &s.groups.v[k]))
			ignored++, n += s.groups.v[k].count;
	/* recvWorker: 6 by main.spawner and 5 by main.start; sendWorker 4. */
	CHECK_EQ_INT(ignored, 3);
	CHECK_EQ_INT(n, 15);
	gg_ignore_done(&ig);
	gg_done(&s);
	profile_free(p);
	FILE *f = fopen(path, "w");
	fputs("ok\n(unclosed\n", f);
	fclose(f);
	CHECK_EQ_INT(gg_ignore_load(&ig, path, NULL, &e), MT_ERR_USAGE);
	CHECK(strstr(e.msg, ":2: ") != NULL);
	unlink(path);

	static const char base_txt[] =
	    "goroutine 1 [running]:\nmain.main()\n\t/a/m.go:1 +0x1\n\n"
	    "goroutine 10 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
	    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
	    "goroutine 11 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
	    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
	    "goroutine 20 [select]:\nmain.s()\n\t/a/m.go:7 +0x1\n"
	    "created by main.main\n\t/a/m.go:2 +0x1\n";
	static const char new_txt[] =
	    "goroutine 1 [running]:\nmain.main()\n\t/a/m.go:1 +0x1\n\n"
	    "goroutine 10 [chan receive, 1 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
	    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
	    "goroutine 11 [chan receive, 1 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
	    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
	    "goroutine 12 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
	    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
	    "goroutine 30 [sleep]:\ntime.Sleep(0x1)\n\t/go/time.go:1 +0x1\nmain.z()\n"
	    "\t/a/m.go:8 +0x1\ncreated by main.main\n\t/a/m.go:3 +0x1\n";
	struct profile *bp = from_text(base_txt), *np = from_text(new_txt);
	struct gg_set bs, ns;
	CHECK_EQ_INT(gg_build(&bs, bp, &e), MT_OK);
	CHECK_EQ_INT(gg_build(&ns, np, &e), MT_OK);
	struct gg_diff d;
	gg_diff_build(&d, &bs, &ns);
	CHECK_EQ_INT(d.only_base, 1);
	CHECK_EQ_INT(d.only_new, 1);
	CHECK_EQ_INT(d.both, 2);
	CHECK_EQ_INT(d.base_total, 4);
	CHECK_EQ_INT(d.new_total, 5);
	CHECK_EQ_INT(d.rows.n, 4);
	/* By growth: park +1 (2 of its 3 the same goroutines), z +1 (new),
	 * main.main 0, s -1 (gone). */
	static const struct {
		const char *name;
		int64_t base, new_, kept;
	} want[] = {{"main.park", 2, 3, 2},
		    {"main.z", 0, 1, 0},
		    {"main.main", 1, 1, 1},
		    {"main.s", 1, 0, 0}};
	for (size_t i = 0; i < d.rows.n && i < 4; i++) {
		const struct gg_diff_row *r = &d.rows.v[i];
		const struct gg_group *g =
		    r->new_ != MT_NONE ? &ns.groups.v[r->new_] : &bs.groups.v[r->base];
		CHECK_EQ_STR(gg_name(r->new_ != MT_NONE ? &ns : &bs, g), want[i].name);
		CHECK_EQ_INT(r->base_count, want[i].base);
		CHECK_EQ_INT(r->new_count, want[i].new_);
		CHECK_EQ_INT(r->kept, want[i].kept);
	}
	gg_diff_done(&d);
	gg_done(&bs);
	gg_done(&ns);
	profile_free(bp);
	profile_free(np);
}

/* Four dumps of one program, an hour apart. main.park (created by main.h)
 * gains one goroutine a dump and never lets one go, except 11, which woke
 * and parked again before dump 4 (its wait went back from 2 to 0);
 * main.loop keeps one goroutine (20, then 21); goroutine 1 runs. */
static const char *const dumps[] = {
    "goroutine 1 [running]:\nmain.main()\n\t/a/m.go:1 +0x1\n\n"
    "goroutine 10 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 11 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 20 [select]:\nmain.loop()\n\t/a/m.go:7 +0x1\n"
    "created by main.main\n\t/a/m.go:2 +0x1\n",

    "goroutine 1 [running]:\nmain.main()\n\t/a/m.go:1 +0x1\n\n"
    "goroutine 10 [chan receive, 1 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 11 [chan receive, 1 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 12 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 20 [select]:\nmain.loop()\n\t/a/m.go:7 +0x1\n"
    "created by main.main\n\t/a/m.go:2 +0x1\n",

    "goroutine 1 [running]:\nmain.main()\n\t/a/m.go:1 +0x1\n\n"
    "goroutine 10 [chan receive, 2 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 11 [chan receive, 2 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 12 [chan receive, 1 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 13 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 20 [select]:\nmain.loop()\n\t/a/m.go:7 +0x1\n"
    "created by main.main\n\t/a/m.go:2 +0x1\n",

    "goroutine 1 [running]:\nmain.main()\n\t/a/m.go:1 +0x1\n\n"
    "goroutine 10 [chan receive, 3 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 11 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 12 [chan receive, 2 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 13 [chan receive, 1 minutes]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 14 [chan receive]:\nmain.park()\n\t/a/m.go:5 +0x1\n"
    "created by main.h in goroutine 1\n\t/a/m.go:9 +0x1\n\n"
    "goroutine 21 [select]:\nmain.loop()\n\t/a/m.go:7 +0x1\n"
    "created by main.main\n\t/a/m.go:2 +0x1\n",
};

/* The first-seen index of goroutine id in gs (whose cur is s). */
static int32_t first_of(const struct gs_series *gs, const struct gg_set *s, uint64_t id)
{
	for (size_t i = 0; i < s->members.n; i++)
		if (s->members.v[i].id == id)
			return gs->first[i];
	CHECK(!"no such goroutine");
	return -9;
}

static void test_series(void)
{
	struct store *st = NULL;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(store_open(&st, ":memory:", true, &e), MT_OK);
	int64_t ids[4];
	for (int i = 0; i < 4; i++) {
		struct profile *p = from_text(dumps[i]);
		char src[64];
		snprintf(src, sizeof src, "/srv/dumps/g-%d.txt", i);
		bool dup;
		struct store_source ss = {
		    .source = src,
		    .time_nanos = (int64_t)(1700000000 + 3600 * i) * 1000000000,
		    .force_time = true,
		    .raw = (const uint8_t *)dumps[i],
		    .nraw = strlen(dumps[i])};
		CHECK_EQ_INT(store_import(st, p, &ss, &ids[i], &dup, &e), MT_OK);
		profile_free(p);
	}
	struct store_list l;
	CHECK_EQ_INT(store_list(st, &l, &e), MT_OK);
	struct store_series *sv;
	size_t nsv;
	store_series_group(&l, NULL, NULL, &sv, &nsv);
	CHECK_EQ_INT(nsv, 1);
	CHECK_EQ_STR(sv[0].kind, "goroutine-dump");

	/* The newest dump's goroutines (leaks). */
	struct gs_series gs;
	struct gs_opts o = {0};
	CHECK_EQ_INT(gs_build(&gs, st, &sv[0], &o, &e), MT_OK);
	CHECK_EQ_INT(gs.nsnap, 4);
	CHECK(gs.has_ids);
	CHECK_EQ_INT(gs.totals[0], 4);
	CHECK_EQ_INT(gs.totals[3], 7);
	CHECK_EQ_INT(gs.set.groups.n, 3);
	const struct gg_group *park = named(&gs.set, "chan receive", "main.park");
	CHECK(park != NULL);
	if (park) {
		size_t k = (size_t)(park - gs.set.groups.v);
		static const int64_t c[] = {2, 3, 4, 5};
		for (int i = 0; i < 4; i++)
			CHECK_EQ_INT(gs.counts[k * 4 + i], c[i]);
		CHECK(gs.fit[k].leak);
		CHECK(gs.fit[k].slope_per_hour > 0.999 &&
		      gs.fit[k].slope_per_hour < 1.001);
		CHECK_EQ_INT(gs.order[0], k);
		/* 10 since dump 0; 12, 13 since 1, 2; 11 and 14 new. */
		CHECK_EQ_INT(gs.since_start[k], 1);
		CHECK_EQ_INT(gs.oldest[k], 0);
	}
	const struct gg_group *loop = named(&gs.set, "select", "main.loop");
	if (loop) {
		size_t k = (size_t)(loop - gs.set.groups.v);
		CHECK(!gs.fit[k].leak);
		/* 21 is new: the group has nothing older than the newest. */
		CHECK_EQ_INT(gs.since_start[k], 0);
		CHECK_EQ_INT(gs.oldest[k], 3);
	}
	CHECK(loop != NULL);
	CHECK_EQ_INT(gs.ncreators, 2);
	if (gs.ncreators) {
		CHECK_EQ_STR(gs.creators[0].name, "main.h");
		CHECK(gs.creators[0].fit.leak);
	}
	gs_done(&gs);

	/* Dump 4 as a file after the stored ones (the same goroutines). */
	struct profile *p4 = from_text(dumps[3]);
	struct gg_set s4;
	CHECK_EQ_INT(gg_build(&s4, p4, &e), MT_OK);
	o.cur = &s4;
	CHECK_EQ_INT(gs_build(&gs, st, &sv[0], &o, &e), MT_OK);
	CHECK_EQ_INT(gs.cur_index, 4);
	CHECK_EQ_INT(first_of(&gs, &s4, 10), 0);
	CHECK_EQ_INT(first_of(&gs, &s4, 11), 3);
	CHECK_EQ_INT(first_of(&gs, &s4, 12), 1);
	CHECK_EQ_INT(first_of(&gs, &s4, 13), 2);
	CHECK_EQ_INT(first_of(&gs, &s4, 14), 3);
	CHECK_EQ_INT(first_of(&gs, &s4, 21), 3);
	CHECK_EQ_INT(first_of(&gs, &s4, 1), 0);
	gs_done(&gs);
	gg_done(&s4);
	profile_free(p4);

	/* Dump 3 as stored snapshot: the window ends there. */
	struct profile *p3 = from_text(dumps[2]);
	struct gg_set s3;
	CHECK_EQ_INT(gg_build(&s3, p3, &e), MT_OK);
	o.cur = &s3;
	o.cur_id = ids[2];
	CHECK_EQ_INT(gs_build(&gs, st, &sv[0], &o, &e), MT_OK);
	CHECK_EQ_INT(gs.nsnap, 3);
	CHECK_EQ_INT(gs.cur_index, 2);
	CHECK_EQ_INT(first_of(&gs, &s3, 10), 0);
	CHECK_EQ_INT(first_of(&gs, &s3, 11), 0);
	CHECK_EQ_INT(first_of(&gs, &s3, 12), 1);
	CHECK_EQ_INT(first_of(&gs, &s3, 13), 2);
	CHECK_EQ_INT(first_of(&gs, &s3, 20), 0);
	gs_done(&gs);
	gg_done(&s3);
	profile_free(p3);

	store_series_free(sv, nsv);
	store_list_done(&l);
	store_close(st);
}

int main(void)
{
	test_names();
	test_panic_expect();
	test_roundtrip();
	test_ignore_and_diff();
	test_series();
	TEST_MAIN_END();
}
