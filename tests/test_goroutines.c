/* test_goroutines.c - the goroutine dump parser, grouping and profile view.
 *
 * Hand-written dumps follow the Go runtime's traceback format (traceback.go:
 * goroutineheader, printcreatedby, printAncestorTraceback); their expected
 * values are read off the input by hand. The real dumps are checked against
 * what the programs that wrote them say they parked (tests/data/go/README.md
 * for tests/go/leaky, panic-expect.txt written by tests/go/panicker itself).
 */
#include <stdlib.h>
#include <string.h>

#include "read/goroutines.h"
#include "harness.h"
#include "read/reader.h"

static enum mt_status parse(struct mt_goroutines *d, const char *s)
{
	struct mt_err e = {{0}};
	goroutines_init(d);
	enum mt_status st =
	    goroutines_parse(d, (const uint8_t *)s, strlen(s), NULL, &e);
	if (st)
		fprintf(stderr, "  (parse: %s)\n", e.msg);
	else
		goroutines_group(d);
	return st;
}

static const struct mt_gframe *frame(const struct mt_goroutines *d, size_t g, size_t i)
{
	return &d->frames.v[d->gs.v[g].frame0 + i];
}

static const char *fname(const struct mt_goroutines *d, size_t g, size_t i)
{
	return goroutines_str(d, frame(d, g, i)->func);
}

/* A Go >= 1.21 panic with every construct the parser knows. */
static const char modern[] =
    "some log line before the crash\n"
    "panic: boom [recovered]\n"
    "\tpanic: again\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47b3a5]\n"
    "\n"
    "goroutine 1 gp=0xc000002380 m=0 mp=0x5a4ea0 [running, locked to thread]:\n"
    "panic({0x4b9ea0?, 0x4f0688?})\n"
    "\t/usr/local/go/src/runtime/panic.go:770 +0x132 fp=0xc000068f50 sp=0xc000068ea0 "
    "pc=0x43a6b2\n"
    "main.main()\n"
    "\t/home/u/app/main.go:42 +0x1d\n"
    "\n"
    "goroutine 18 [chan receive, 12 minutes]:\r\n"
    "main.worker(0xc000012345, {0x4c1b2e, 0x5})\r\n"
    "\t/home/u/app/main.go:20 +0x30\r\n"
    "sync.(*Mutex).Lock(...)\r\n"
    "\t/usr/local/go/src/sync/mutex.go:90\r\n"
    "main.spawn.func1()\r\n"
    "\t/home/u/app/main.go:15 +0x55\r\n"
    "created by main.spawn in goroutine 5\r\n"
    "\t/home/u/app/main.go:14 +0x20\r\n"
    "[originating from goroutine 5]:\r\n"
    "main.spawn(...)\r\n"
    "\t/home/u/app/main.go:10 +0x10\r\n"
    "created by main.main\r\n"
    "\t/home/u/app/main.go:5 +0x08\r\n"
    "\r\n"
    "goroutine 19 [chan receive, 3 minutes, locked to thread]:\n"
    "main.worker(0xc000099999, {0x4c1b2e, 0x7})\n"
    "\t/home/u/app/main.go:20 +0x30\n"
    "sync.(*Mutex).Lock(...)\n"
    "\t/usr/local/go/src/sync/mutex.go:90\n"
    "main.spawn.func1()\n"
    "\t/home/u/app/main.go:15 +0x55\n"
    "created by main.spawn in goroutine 7\n"
    "\t/home/u/app/main.go:14 +0x20\n"
    "\n"
    "goroutine 20 [chan receive]:\n"
    "main.worker(0x1, {0x2, 0x3})\n"
    "\t/home/u/app/main.go:21 +0x30\n"
    "sync.(*Mutex).Lock(...)\n"
    "\t/usr/local/go/src/sync/mutex.go:90\n"
    "main.spawn.func1()\n"
    "\t/home/u/app/main.go:15 +0x55\n"
    "created by main.spawn in goroutine 7\n"
    "\t/home/u/app/main.go:14 +0x20\n"
    "\n"
    "goroutine 21 [select]:\n"
    "main.rec(0x3)\n"
    "\tC:/src/app/rec.go:8 +0x9\n"
    "main.rec(0x2)\n"
    "\tC:/src/app/rec.go:9 +0x9\n"
    "...additional frames elided...\n"
    "created by main.main\n"
    "\t/home/u/app/main.go:30 +0x11\n"
    "\n"
    "goroutine 22 [running]:\n"
    "\tgoroutine running on other thread; stack unavailable\n"
    "exit status 2\n";

static void test_modern(void)
{
	struct mt_goroutines d;
	CHECK_EQ_INT(parse(&d, modern), MT_OK);
	CHECK_EQ_INT(d.gs.n, 6);
	CHECK_EQ_INT(d.incomplete, 0);
	CHECK_EQ_STR(goroutines_str(&d, d.reason), "panic: boom [recovered]");

	const struct mt_goroutine *g = &d.gs.v[0];
	CHECK_EQ_INT(g->id, 1);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "running");
	CHECK(g->locked);
	CHECK_EQ_INT(g->nframe, 2);
	CHECK_EQ_STR(fname(&d, 0, 0), "panic");
	CHECK_EQ_STR(goroutines_str(&d, frame(&d, 0, 0)->file),
		     "/usr/local/go/src/runtime/panic.go");
	CHECK_EQ_INT(frame(&d, 0, 0)->line, 770);
	CHECK_EQ_INT(g->created_by, 0);

	g = &d.gs.v[1];
	CHECK_EQ_INT(g->id, 18);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "chan receive");
	CHECK_EQ_INT(g->wait_minutes, 12);
	CHECK(!g->locked);
	CHECK_EQ_INT(g->nframe, 3);
	CHECK_EQ_STR(fname(&d, 1, 0), "main.worker");
	CHECK_EQ_INT(frame(&d, 1, 0)->line, 20);
	const struct mt_gframe *f = frame(&d, 1, 0);
	CHECK(f->args_len == 29 &&
	      memcmp(d.args.v + f->args_off, "0xc000012345, {0x4c1b2e, 0x5}", 29) == 0);
	CHECK(!f->inlined);
	CHECK_EQ_STR(fname(&d, 1, 1), "sync.(*Mutex).Lock");
	CHECK(frame(&d, 1, 1)->inlined);
	CHECK_EQ_INT(frame(&d, 1, 1)->line, 90);
	CHECK_EQ_STR(goroutines_str(&d, g->created_by), "main.spawn");
	CHECK_EQ_STR(goroutines_str(&d, g->created_file), "/home/u/app/main.go");
	CHECK_EQ_INT(g->created_line, 14);
	CHECK(g->has_creator_id);
	CHECK_EQ_INT(g->creator_id, 5);
	CHECK_EQ_INT(g->nanc, 1);
	CHECK_EQ_INT(d.ancestors.v[g->anc0], 5);

	CHECK(d.gs.v[2].locked);
	CHECK_EQ_INT(d.gs.v[2].wait_minutes, 3);
	CHECK_EQ_INT(d.gs.v[2].creator_id, 7);
	CHECK_EQ_INT(d.gs.v[2].nanc, 0);

	g = &d.gs.v[4];
	CHECK_EQ_INT(g->id, 21);
	CHECK(g->elided);
	CHECK_EQ_STR(goroutines_str(&d, frame(&d, 4, 1)->file), "C:/src/app/rec.go");
	CHECK_EQ_INT(frame(&d, 4, 1)->line, 9);

	g = &d.gs.v[5];
	CHECK_EQ_INT(g->id, 22);
	CHECK_EQ_INT(g->nframe, 0);

	/* 18 and 19 differ in arguments, wait and lock only: one group; 20
	 * differs in a line number. */
	CHECK_EQ_INT(d.groups.n, 5);
	const struct mt_ggroup *grp = &d.groups.v[0];
	CHECK_EQ_INT(grp->count, 2);
	CHECK_EQ_INT(grp->wait_min, 3);
	CHECK_EQ_INT(grp->wait_max, 12);
	CHECK_EQ_INT(grp->locked, 1);
	CHECK_EQ_INT(grp->nids, 2);
	CHECK_EQ_INT(grp->ids[0], 18);
	CHECK_EQ_INT(grp->ids[1], 19);
	CHECK_EQ_INT(d.gs.v[1].group, 0);
	CHECK_EQ_INT(d.gs.v[2].group, 0);
	/* Ties of one: by state ("chan receive" < "running" < "select"), then
	 * the leaf frame, where a goroutine without frames comes first. */
	CHECK_EQ_INT(d.groups.v[1].ids[0], 20);
	CHECK_EQ_STR(goroutines_str(&d, d.gs.v[d.groups.v[2].first].state), "running");
	CHECK_EQ_STR(goroutines_str(&d, d.gs.v[d.groups.v[3].first].state), "running");
	CHECK_EQ_INT(d.groups.v[2].ids[0], 22); /* no frames sorts first */
	CHECK_EQ_INT(d.groups.v[3].ids[0], 1);
	CHECK_EQ_INT(d.groups.v[4].ids[0], 21);
	goroutines_done(&d);
}

/* Before Go 1.21: "created by F" without the creator's id. */
static void test_old_style(void)
{
	struct mt_goroutines d;
	CHECK_EQ_INT(parse(&d, "goroutine 7 [IO wait, 1440 minutes]:\n"
			       "internal/poll.runtime_pollWait(0x7f, 0x72)\n"
			       "\t/usr/lib/go/src/runtime/netpoll.go:305 +0x89\n"
			       "created by net/http.(*Server).Serve\n"
			       "\t/usr/lib/go/src/net/http/server.go:3102 +0x4db\n"
			       "\n"
			       "goroutine 8 [IO wait]:\n"
			       "internal/poll.runtime_pollWait(0x7e, 0x72)\n"
			       "\t/usr/lib/go/src/runtime/netpoll.go:305 +0x89\n"
			       "created by net/http.(*Server).Serve\n"
			       "\t/usr/lib/go/src/net/http/server.go:3102 +0x4db\n"
			       "\n"
			       "goroutine 9 [IO wait]:\n"
			       "internal/poll.runtime_pollWait(0x7e, 0x72)\n"
			       "\t/usr/lib/go/src/runtime/netpoll.go:305 +0x89\n"
			       "created by main.other\n"
			       "\t/usr/lib/go/src/net/http/server.go:3102 +0x4db\n"),
		     MT_OK);
	CHECK_EQ_INT(d.gs.n, 3);
	CHECK(!d.gs.v[0].has_creator_id);
	CHECK_EQ_STR(goroutines_str(&d, d.gs.v[0].created_by),
		     "net/http.(*Server).Serve");
	CHECK_EQ_INT(d.gs.v[0].wait_minutes, 1440);
	CHECK_EQ_INT(d.groups.n, 2); /* another creator is another group */
	CHECK_EQ_INT(d.groups.v[0].count, 2);
	CHECK_EQ_INT(d.groups.v[0].wait_min, 0);
	CHECK_EQ_INT(d.groups.v[0].wait_max, 1440);
	goroutines_done(&d);
}

static void test_truncated(void)
{
	struct mt_goroutines d;
	static const char two[] = "goroutine 1 [running]:\n"
				  "main.main()\n"
				  "\t/a/main.go:5 +0x1d\n"
				  "\n"
				  "goroutine 2 [select]:\n"
				  "main.loop(0x1)\n"
				  "\t/a/main.go:200 +0x1d\n";
	/* Every cut inside the second goroutine leaves goroutine 1 alone, never
	 * a wrong line number (":20" of ":200"), until the offset shows. */
	size_t len = strlen(two), h2 = (size_t)(strstr(two, "goroutine 2") - two);
	size_t hl = h2 + strlen("goroutine 2 [select]:");
	for (size_t cut = h2 + 1; cut <= len; cut++) {
		struct mt_err e;
		goroutines_init(&d);
		enum mt_status st =
		    goroutines_parse(&d, (const uint8_t *)two, cut, NULL, &e);
		CHECK_EQ_INT(st, MT_OK);
		if (cut >= len - 3) {
			CHECK_EQ_INT(d.gs.n, 2);
			CHECK_EQ_INT(d.incomplete, 0);
			CHECK_EQ_INT(d.frames.v[1].line, 200);
		} else {
			CHECK_EQ_INT(d.gs.n, 1);
			CHECK_EQ_INT(d.incomplete, cut > hl ? 1 : 0);
		}
		goroutines_done(&d);
	}
	/* Cut inside the only goroutine: an error, not an empty result. */
	struct mt_err e;
	goroutines_init(&d);
	CHECK_EQ_INT(goroutines_parse(&d, (const uint8_t *)two, 30, NULL, &e),
		     MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "truncated") != NULL);
	goroutines_done(&d);
}

static enum mt_status parse_err(const char *s, struct mt_err *e)
{
	struct mt_goroutines d;
	goroutines_init(&d);
	enum mt_status st =
	    goroutines_parse(&d, (const uint8_t *)s, strlen(s), NULL, e);
	goroutines_done(&d);
	return st;
}

static void test_bad_input(void)
{
	struct mt_err e;
	CHECK_EQ_INT(parse_err("", &e), MT_ERR_FORMAT);
	CHECK_EQ_INT(parse_err("hello\nworld\n\x01\x02\xff", &e), MT_ERR_FORMAT);
	CHECK_EQ_INT(parse_err("goroutine 99999999999999999999 "
			       "[running]:\nmain.main()\n\t/a.go:1 +0x1\n",
			       &e),
		     MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "at byte 0") != NULL);
	CHECK_EQ_INT(parse_err("goroutine 1 [chan receive, 99999999999999999999 "
			       "minutes]:\nmain.main()\n\t/a.go:1 +0x1\n",
			       &e),
		     MT_ERR_CORRUPT);
	CHECK_EQ_INT(
	    parse_err("goroutine 1 "
		      "[running]:\nmain.main()\n\t/a.go:99999999999999999999 +0x1\n",
		      &e),
	    MT_ERR_CORRUPT);
	CHECK_EQ_INT(parse_err("goroutine 1 [running]:\n\t/a.go:12 +0x1\n", &e),
		     MT_ERR_CORRUPT);
	CHECK(strstr(e.msg, "at byte 23") != NULL);
	CHECK_EQ_INT(
	    parse_err("goroutine 1 [running]:\nmain.f()\nmain.main()\n\t/a.go:1 +0x1\n",
		      &e),
	    MT_ERR_CORRUPT);
	CHECK_EQ_INT(
	    parse_err("goroutine 1 [running]:\nmain.f()\n\tno line here\n", &e),
	    MT_ERR_CORRUPT);
	CHECK_EQ_INT(parse_err("goroutine 1 [running]:\n(0x1)\n\t/a.go:1 +0x1\n", &e),
		     MT_ERR_CORRUPT);
	/* The goroutine limit holds. */
	struct mt_goroutines d;
	struct mt_limits lim = MT_LIMITS_DEFAULT;
	lim.max_goroutines = 1;
	goroutines_init(&d);
	const char *two = "goroutine 1 [a]:\n\ngoroutine 2 [b]:\n";
	CHECK_EQ_INT(goroutines_parse(&d, (const uint8_t *)two, strlen(two), &lim, &e),
		     MT_ERR_LIMIT);
	goroutines_done(&d);
}

/* The label of key k of sample i: its string, or its number in *num. */
static const char *label(const struct profile *p, size_t i, const char *k, int64_t *num)
{
	const struct mt_sample *s = &p->samples.v[i];
	for (uint32_t j = 0; j < s->nlabel; j++) {
		const struct mt_label *l = &p->labels.v[s->label0 + j];
		if (strcmp(profile_str(p, l->key), k) == 0) {
			if (num)
				*num = l->num;
			return l->is_num ? "#" : profile_str(p, l->str);
		}
	}
	return NULL;
}

/* The profile of a dump keeps everything: a sample per goroutine in dump
 * order, each group's stack once, ids, states, waits, locks, creators (with
 * their location and id), ancestors and elision in labels, the panic line
 * in a comment. Read off `modern` by hand. */
static void test_profile(void)
{
	struct profile *p = NULL;
	struct mt_err e = {{0}};
	CHECK_EQ_INT(reader_load_bytes((const uint8_t *)modern + 31,
				       strlen(modern) - 31, NULL, &p, &e),
		     MT_OK);
	if (!p) {
		fprintf(stderr, "  (%s)\n", e.msg);
		return;
	}
	CHECK_EQ_INT(p->format, MT_FMT_GOROUTINE_DUMP);
	CHECK_EQ_STR(profile_kind(p), "goroutine");
	CHECK_EQ_INT(p->sample_types.n, 1);
	CHECK_EQ_STR(profile_str(p, p->sample_types.v[0].type), "goroutine");
	CHECK_EQ_STR(profile_str(p, p->sample_types.v[0].unit), "count");
	/* Goroutines 1, 18, 19, 20, 21, 22. */
	CHECK_EQ_INT(p->samples.n, 6);
	static const int64_t ids[] = {1, 18, 19, 20, 21, 22};
	for (size_t i = 0; i < p->samples.n && i < 6; i++) {
		int64_t id = -1;
		CHECK_EQ_STR(label(p, i, "goid", &id), "#");
		CHECK_EQ_INT(id, ids[i]);
		CHECK_EQ_INT(p->values.v[i], 1);
	}
	CHECK_EQ_INT(p->comments.n, 1);
	if (p->comments.n)
		CHECK_EQ_STR(profile_str(p, p->comments.v[0]), "panic: boom [recovered]");
	/* Goroutine 18: 3 frames in 2 locations, Lock inlined into
	 * main.spawn.func1. */
	const struct mt_sample *s = &p->samples.v[1];
	CHECK_EQ_INT(s->nloc, 2);
	const struct mt_location *l = &p->locations.v[p->sample_locs.v[s->loc0 + 1]];
	CHECK_EQ_INT(l->nline, 2);
	CHECK_EQ_STR(profile_str(p, p->functions.v[p->lines.v[l->line0].func].name),
		     "sync.(*Mutex).Lock");
	CHECK_EQ_STR(profile_str(p, p->functions.v[p->lines.v[l->line0 + 1].func].name),
		     "main.spawn.func1");
	CHECK_EQ_INT(p->lines.v[l->line0 + 1].line, 15);
	int64_t v = -1;
	CHECK_EQ_STR(label(p, 1, "state", NULL), "chan receive");
	CHECK_EQ_STR(label(p, 1, "wait", &v), "#");
	CHECK_EQ_INT(v, 12);
	CHECK_EQ_STR(label(p, 1, "created_by", NULL), "main.spawn");
	CHECK_EQ_STR(label(p, 1, "created_at", NULL), "/home/u/app/main.go:14");
	CHECK_EQ_STR(label(p, 1, "creator", &v), "#");
	CHECK_EQ_INT(v, 5);
	CHECK_EQ_STR(label(p, 1, "ancestor", &v), "#");
	CHECK_EQ_INT(v, 5);
	CHECK(!label(p, 1, "locked", NULL));
	/* Goroutine 19: the same stack, shared; locked, creator 7. */
	CHECK_EQ_INT(p->samples.v[2].loc0, s->loc0);
	CHECK_EQ_STR(label(p, 2, "locked", NULL), "true");
	CHECK_EQ_STR(label(p, 2, "creator", &v), "#");
	CHECK_EQ_INT(v, 7);
	CHECK(!label(p, 2, "ancestor", NULL));
	/* Goroutine 20 (line 21): another group, the same Lock+func1
	 * location; no wait shown. */
	CHECK(p->samples.v[3].loc0 != s->loc0);
	CHECK_EQ_INT(p->sample_locs.v[p->samples.v[3].loc0 + 1], p->sample_locs.v[s->loc0 + 1]);
	CHECK(!label(p, 3, "wait", NULL));
	/* Goroutine 21: two frames, then "...additional frames elided...". */
	CHECK_EQ_STR(label(p, 4, "elided", &v), "#");
	CHECK_EQ_INT(v, 2);
	CHECK(!label(p, 4, "elided_frames", NULL));
	CHECK_EQ_STR(label(p, 4, "created_at", NULL), "/home/u/app/main.go:30");
	CHECK(!label(p, 4, "creator", NULL));
	/* Goroutine 1 (locked, running) and 22 (no stack): no creator. */
	CHECK_EQ_STR(label(p, 0, "locked", NULL), "true");
	CHECK(!label(p, 0, "created_by", NULL));
	CHECK_EQ_INT(p->samples.v[5].nloc, 0);
	CHECK_EQ_STR(label(p, 5, "state", NULL), "running");
	profile_free(p);
}

/* Dumps written from the runtime's printing code of each Go version
 * (tests/data/go/tracebacks/goVERSION.txt; each file says what it
 * follows), with their values read off by hand. */
static void parse_file(struct mt_goroutines *d, const char *path)
{
	uint8_t *data = NULL;
	size_t n = 0;
	struct mt_err e = {{0}};
	goroutines_init(d);
	CHECK_EQ_INT(mt_read_file(path, &data, &n, 1 << 20, &e), MT_OK);
	enum mt_status st = goroutines_parse(d, data, n, NULL, &e);
	if (st)
		fprintf(stderr, "  (%s: %s)\n", path, e.msg);
	CHECK_EQ_INT(st, MT_OK);
	goroutines_group(d);
	free(data);
}

static const struct mt_goroutine *by_id(const struct mt_goroutines *d, uint64_t id)
{
	for (size_t i = 0; i < d->gs.n; i++)
		if (d->gs.v[i].id == id)
			return &d->gs.v[i];
	CHECK(!"no such goroutine");
	static const struct mt_goroutine none = {0};
	return &none;
}

static void test_tracebacks(void)
{
	struct mt_goroutines d;
	const struct mt_goroutine *g;
	/* Go 1.17: "(scan)" is not part of the state; raw-word arguments. */
	parse_file(&d, "tests/data/go/tracebacks/go1.17.txt");
	CHECK_EQ_INT(d.gs.n, 5);
	CHECK_EQ_INT(d.groups.n, 4);
	CHECK_EQ_INT(d.groups.v[0].count, 2);
	CHECK_EQ_INT(d.groups.v[0].wait_min, 5);
	CHECK_EQ_INT(d.groups.v[0].wait_max, 7);
	g = by_id(&d, 7);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "chan receive");
	g = by_id(&d, 8);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "semacquire");
	CHECK(g->locked);
	CHECK_EQ_INT(g->wait_minutes, 2);
	CHECK_EQ_INT(g->nframe, 4);
	CHECK(d.frames.v[g->frame0 + 2].inlined);
	g = by_id(&d, 9);
	CHECK(g->elided);
	CHECK_EQ_INT(g->elided_at, 3);
	CHECK_EQ_INT(g->elided_n, 0);
	CHECK(!g->has_creator_id);
	goroutines_done(&d);

	/* Go 1.18: "?" and "..." in arguments; a creator location without
	 * "+0x" is the same go statement. */
	parse_file(&d, "tests/data/go/tracebacks/go1.18.txt");
	CHECK_EQ_INT(d.gs.n, 4);
	CHECK_EQ_INT(d.groups.n, 3);
	CHECK_EQ_INT(d.groups.v[0].count, 2);
	g = by_id(&d, 19);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "IO wait");
	CHECK_EQ_INT(g->nframe, 7);
	CHECK_EQ_STR(goroutines_str(&d, d.frames.v[g->frame0 + 6].func), "main.readLoop");
	CHECK_EQ_INT(g->created_line, 14);
	g = by_id(&d, 20);
	CHECK_EQ_STR(goroutines_str(&d, d.frames.v[g->frame0 + 1].func), "main.ticker");
	CHECK(d.frames.v[g->frame0 + 1].inlined);
	goroutines_done(&d);

	/* Go 1.20: a panic; generic functions print "[...]". */
	parse_file(&d, "tests/data/go/tracebacks/go1.20.txt");
	CHECK_EQ_INT(d.gs.n, 3);
	CHECK(d.reason && strcmp(goroutines_str(&d, d.reason), "panic: boom [recovered]") == 0);
	g = by_id(&d, 1);
	CHECK_EQ_STR(goroutines_str(&d, d.frames.v[g->frame0 + 1].func), "main.cache[...].get");
	g = by_id(&d, 34);
	CHECK_EQ_STR(goroutines_str(&d, g->created_by), "main.start[...]");
	CHECK_EQ_INT(d.groups.v[0].count, 2);
	goroutines_done(&d);

	/* Go 1.21: creator ids, ancestors, "...N frames elided..." between
	 * the inner and the outer frames. */
	parse_file(&d, "tests/data/go/tracebacks/go1.21.txt");
	CHECK_EQ_INT(d.gs.n, 4);
	g = by_id(&d, 41);
	CHECK(g->has_creator_id);
	CHECK_EQ_INT(g->creator_id, 12);
	CHECK_EQ_INT(g->nanc, 1);
	CHECK_EQ_INT(d.ancestors.v[g->anc0], 12);
	CHECK_EQ_INT(g->nframe, 1);
	CHECK_EQ_INT(by_id(&d, 42)->creator_id, 13);
	CHECK_EQ_INT(by_id(&d, 41)->group, by_id(&d, 42)->group);
	g = by_id(&d, 43);
	CHECK(g->elided);
	CHECK_EQ_INT(g->elided_at, 2);
	CHECK_EQ_INT(g->elided_n, 120);
	CHECK_EQ_INT(g->nframe, 4);
	CHECK_EQ_STR(goroutines_str(&d, d.frames.v[g->frame0 + 3].func), "main.start.func2");
	CHECK_EQ_INT(g->creator_id, 1);
	goroutines_done(&d);

	/* Go 1.22: gp=, m=, mp= (m=nil) in headers, fp= sp= pc= after
	 * locations, the sync wait reasons. */
	parse_file(&d, "tests/data/go/tracebacks/go1.22.txt");
	CHECK_EQ_INT(d.gs.n, 5);
	CHECK_EQ_INT(d.groups.n, 5);
	g = by_id(&d, 1);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "running");
	CHECK_EQ_INT(g->nframe, 4);
	CHECK_EQ_INT(d.frames.v[g->frame0 + 2].line, 271);
	g = by_id(&d, 21);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "sync.Mutex.Lock");
	CHECK_EQ_INT(g->wait_minutes, 2);
	/* gopark, goparkunlock, semacquire1, runtime_SemacquireMutex,
	 * lockSlow, Lock, locker, gowrap1, goexit */
	CHECK_EQ_INT(g->nframe, 9);
	CHECK_EQ_STR(goroutines_str(&d, by_id(&d, 22)->state), "sync.WaitGroup.Wait");
	g = by_id(&d, 23);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "sync.RWMutex.RLock");
	CHECK(g->locked);
	CHECK_EQ_STR(goroutines_str(&d, by_id(&d, 2)->state), "force gc (idle)");
	goroutines_done(&d);

	/* Go 1.22 fatal error: gp= on the thrower, "runtime stack:" skipped. */
	parse_file(&d, "tests/data/go/tracebacks/go1.22-fatal.txt");
	CHECK_EQ_INT(d.gs.n, 2);
	CHECK(d.reason && strcmp(goroutines_str(&d, d.reason),
				 "fatal error: unexpected signal during runtime execution") == 0);
	g = by_id(&d, 1);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "syscall");
	CHECK_EQ_INT(g->nframe, 3);
	g = by_id(&d, 5);
	CHECK_EQ_INT(g->nframe, 0);
	CHECK_EQ_STR(goroutines_str(&d, g->created_by), "main.start");
	CHECK_EQ_INT(g->creator_id, 1);
	goroutines_done(&d);

	/* Go 1.24: ", synctest group N". */
	parse_file(&d, "tests/data/go/tracebacks/go1.24.txt");
	CHECK_EQ_INT(d.gs.n, 3);
	g = by_id(&d, 7);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "chan receive (synctest)");
	CHECK_EQ_INT(g->synctest, 6);
	CHECK_EQ_INT(by_id(&d, 7)->group, by_id(&d, 8)->group);
	g = by_id(&d, 6);
	CHECK_EQ_STR(goroutines_str(&d, g->state), "synctest.Run");
	CHECK_EQ_INT(g->wait_minutes, 1);
	CHECK(g->locked);
	CHECK_EQ_INT(g->synctest, 0);
	goroutines_done(&d);
}

/* tests/data/go/README.md: leaky parks 4 chan receive (one created by
 * parkGoroutines.func1), 2 chan send, 1 select, 2 semacquire, 1
 * sync.Cond.Wait, 1 sleep, 2 IO wait, 1 select (no cases), and goroutine 1
 * runs: 15 in all. */
static void test_real_dump(void)
{
	uint8_t *data;
	size_t n;
	struct mt_err e;
	CHECK_EQ_INT(
	    mt_read_file("tests/data/go/goroutine-dump.txt", &data, &n, 1 << 24, &e),
	    MT_OK);
	struct mt_goroutines d;
	goroutines_init(&d);
	CHECK_EQ_INT(goroutines_parse(&d, data, n, NULL, &e), MT_OK);
	goroutines_group(&d);
	CHECK_EQ_INT(d.gs.n, 15);
	static const struct {
		const char *state;
		int count;
	} want[] = {{"chan receive", 4}, {"chan send", 2},	   {"select", 1},
		    {"semacquire", 2},	 {"sync.Cond.Wait", 1},	   {"sleep", 1},
		    {"IO wait", 2},	 {"select (no cases)", 1}, {"running", 1}};
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		int got = 0;
		for (size_t i = 0; i < d.gs.n; i++)
			got += strcmp(goroutines_str(&d, d.gs.v[i].state),
				      want[w].state) == 0;
		CHECK_EQ_INT(got, want[w].count);
	}
	/* chan receive: 3 from parkGoroutines + 1 from parkGoroutines.func1. */
	CHECK_EQ_INT(d.groups.v[0].count, 3);
	CHECK_EQ_STR(goroutines_str(&d, d.gs.v[d.groups.v[0].first].created_by),
		     "main.parkGoroutines");
	CHECK_EQ_INT(d.groups.n, 11);
	goroutines_done(&d);
	free(data);
}

/* tests/data/go/panic-dump.txt against tests/data/go/panic-expect.txt, both
 * written by tests/go/panicker. */
static void test_panic_dump(void)
{
	uint8_t *data, *exp;
	size_t n, en;
	struct mt_err e;
	CHECK_EQ_INT(
	    mt_read_file("tests/data/go/panic-dump.txt", &data, &n, 1 << 24, &e),
	    MT_OK);
	CHECK_EQ_INT(
	    mt_read_file("tests/data/go/panic-expect.txt", &exp, &en, 1 << 20, &e),
	    MT_OK);
	struct mt_goroutines d;
	goroutines_init(&d);
	CHECK_EQ_INT(goroutines_parse(&d, data, n, NULL, &e), MT_OK);
	goroutines_group(&d);
	CHECK(d.reason && strncmp(goroutines_str(&d, d.reason),
				  "panic: first [recovered]", 24) == 0);
	int lines = 0;
	for (char *ln = strtok((char *)exp, "\n"); ln; ln = strtok(NULL, "\n")) {
		/* state, function, creator, count, wait_min, wait_max, locked;
		 * or "total", N. */
		char *col[7];
		int ncol = 0;
		for (char *c = ln; ncol < 7;) {
			col[ncol++] = c;
			char *t = strchr(c, '\t');
			if (!t)
				break;
			*t = 0;
			c = t + 1;
		}
		if (ncol == 2 && strcmp(col[0], "total") == 0) {
			CHECK_EQ_INT(d.gs.n, atoi(col[1]));
			continue;
		}
		if (ncol != 7) {
			CHECK(!"bad line in panic-expect.txt");
			continue;
		}
		const char *state = col[0], *fn = col[1], *creator = col[2];
		const char *locked = col[6];
		int count = atoi(col[3]), wmin = atoi(col[4]), wmax = atoi(col[5]);
		lines++;
		/* The groups with this state and creator that have fn on their
		 * stack must hold exactly the goroutines the program started. */
		size_t got = 0, ngroups = 0, nlocked = 0;
		int64_t gmin = INT64_MAX, gmax = -1;
		for (size_t k = 0; k < d.groups.n; k++) {
			const struct mt_ggroup *grp = &d.groups.v[k];
			const struct mt_goroutine *g = &d.gs.v[grp->first];
			if (strcmp(goroutines_str(&d, g->state), state) ||
			    strcmp(goroutines_str(&d, g->created_by), creator))
				continue;
			bool has = false;
			for (uint32_t i = 0; i < g->nframe; i++)
				has |= strcmp(goroutines_str(
						  &d, d.frames.v[g->frame0 + i].func),
					      fn) == 0;
			if (!has)
				continue;
			got += grp->count, ngroups++, nlocked += grp->locked;
			gmin = grp->wait_min < gmin ? grp->wait_min : gmin;
			gmax = grp->wait_max > gmax ? grp->wait_max : gmax;
		}
		if ((int)got != count)
			fprintf(stderr, "  %s %s by %s\n", state, fn, creator);
		CHECK_EQ_INT(got, count);
		CHECK_EQ_INT(ngroups, 1);
		CHECK_EQ_INT(gmin, wmin);
		CHECK_EQ_INT(gmax, wmax);
		CHECK_EQ_INT(nlocked, strcmp(locked, "true") == 0 ? count : 0);
	}
	CHECK(lines >= 10);
	goroutines_done(&d);
	free(data);
	free(exp);
}

int main(void)
{
	test_modern();
	test_old_style();
	test_truncated();
	test_bad_input();
	test_profile();
	test_tracebacks();
	test_real_dump();
	test_panic_dump();
	TEST_MAIN_END();
}
