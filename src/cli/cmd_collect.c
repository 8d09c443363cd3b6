/* cmd_collect.c - `memtop collect`: scrapes pprof endpoints every interval
 * into the store. One bad target never stops the others: its failure is one
 * line on stderr and it is tried again next round; each URL has a clock of
 * its own, and a slow one never delays another's rounds. SIGINT and SIGTERM let
 * the current write finish, then the collector exits 0. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/collect.h"
#include "read/reader.h"
#include "store/store.h"
#include "cli.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t now_ns(int clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Seconds as a positive number ("0.5", "10"); false if it is not one. */
static bool parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		return false;
	*out = v;
	return true;
}

/* --retain: a count ("100") or an age ("90s", "30m", "12h", "7d"). */
static bool parse_retain(const char *s, int64_t *keep, int64_t *age_ns)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v <= 0)
		return false;
	static const struct {
		char suffix;
		int64_t ns;
	} units[] = {{'s', 1000000000LL}, {'m', 60000000000LL},
		     {'h', 3600000000000LL}, {'d', 86400000000000LL}};
	if (!*end) {
		*keep = v;
		return true;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (end[0] == units[i].suffix && !end[1] && v < INT64_MAX / units[i].ns) {
			*age_ns = v * units[i].ns;
			return true;
		}
	return false;
}

/* Parses and stores what target t answered (fetched at ns since the epoch),
 * and pushes it to --push's store (*pushed when that worked); prints one
 * line either way. Takes body. */
static bool store_body(struct cli *c, struct store *s, struct collect_target *t,
		       uint8_t *body, size_t n, int64_t fetched, struct cli_push *push,
		       bool *pushed)
{
	struct mt_err e = {{0}};
	struct profile *p = NULL;
	if (t->kind && strcmp(t->kind, "expvar") == 0) {
		bool ok = cli_collect_expvar(s, t->url, body, n, fetched);
		*pushed = true; /* metrics stay here */
		free(body);
		return ok;
	}
	if (reader_load_bytes(body, n, &c->q.lim, &p, &e)) {
		cli_err(t->url, "bad response (%zu bytes): %s", n, e.msg);
		free(body);
		return false;
	}
	const char *kind = t->kind;
	/* A debug=1 text or a dump served from an unusual path: trust content. */
	if (!kind || (p->format == MT_FMT_GOROUTINE_DUMP) !=
			     (strcmp(kind, "goroutine-dump") == 0))
		kind = store_guess_kind(p, t->url);
	/* The store gets what was scraped, byte for byte. */
	if (push && cli_push_send(c, push, t->url, kind, p, body, n))
		*pushed = true;
	struct store_source src = {.source = t->url, .kind = kind,
				   .time_nanos = fetched, .raw = body, .nraw = n};
	int64_t id;
	bool dup;
	bool ok = store_import(s, p, &src, &id, &dup, &e) == MT_OK;
	if (!ok)
		cli_err(t->url, "%s", e.msg);
	else if (dup)
		printf("%" PRId64 "\t%s\t%s\t(unchanged: already stored)\n", id, kind, t->url);
	else
		printf("%" PRId64 "\t%s\t%s\n", id, kind, t->url);
	fflush(stdout);
	profile_free(p);
	free(body);
	return ok;
}

/* --retain after a snapshot or a round of pids was stored. */
static void prune(struct store *s, int64_t keep, int64_t age)
{
	struct mt_err e = {{0}};
	size_t removed;
	int64_t before = age ? now_ns(CLOCK_REALTIME) - age : 0;
	if ((keep || age) && !stop_flag && store_prune(s, keep, before, &removed, &e))
		cli_err(store_path(s), "pruning: %s", e.msg);
}

/* The clock of one URL (or of the round of pids): when its next round is
 * due, how many it has had, whether one is running. */
struct clock {
	int64_t due, rounds, fetched;
	bool busy;
};

/* Whether clock k has rounds left of count (0: for ever). */
static bool rounds_left(const struct clock *k, int64_t count)
{
	return count == 0 || k->rounds < count;
}

/* A round begins on clock k at now: the next is an interval after this
 * one's due time, or at once when that has passed (a round longer than the
 * interval), never a burst to catch up. */
static void clock_tick(struct clock *k, int64_t now, int64_t interval)
{
	k->rounds++;
	k->due += interval;
	if (k->due < now)
		k->due = now;
}

int cmd_collect(struct cli *c)
{
	double interval = 10, timeout = 30; /* a round must not wait for ever */
	int64_t count = 0, keep = 0, age = 0;
	struct collect_opts o = {.gc = c->q.fetch.gc, .max_body = c->q.fetch.max_body,
				 .seconds = c->q.fetch.seconds, .stop = &stop_flag};
	if (c->watch)
		return cli_watch(c);
	if (c->nargs < 1 && !c->npids) {
		cli_err("collect", "expects one or more URLs or --pid (try memtop --help)");
		return EXIT_USAGE;
	}
	if (c->interval && !parse_seconds(c->interval, &interval)) {
		cli_err("collect", "bad --interval \"%s\" (seconds)", c->interval);
		return EXIT_USAGE;
	}
	if (c->q.fetch.timeout > 0)
		timeout = c->q.fetch.timeout;
	if (c->count) {
		char *end;
		count = strtoll(c->count, &end, 10);
		if (*end || end == c->count || count < 0) {
			cli_err("collect", "bad --count \"%s\"", c->count);
			return EXIT_USAGE;
		}
	}
	if (c->retain && !parse_retain(c->retain, &keep, &age)) {
		cli_err("collect", "bad --retain \"%s\" (a count, or an age like 90s, "
			"30m, 12h, 7d)", c->retain);
		return EXIT_USAGE;
	}
	o.timeout_ms = (long)ceil(timeout * 1000);

	struct mt_err e = {{0}};
	struct collect_target *t = xcalloc((size_t)c->nargs, sizeof *t);
	bool *ok = xcalloc((size_t)c->nargs + 1, sizeof *ok);
	bool *pushed = xcalloc((size_t)c->nargs + 1, sizeof *pushed);
	struct cli_push *push = NULL;
	bool pid_ok[64] = {0}, pid_gone[64] = {0};
	int rc = EXIT_USAGE, ninit = 0;
	struct store *s = NULL;
	if (collect_global_init(&e)) {
		cli_err("collect", "%s", e.msg);
		rc = EXIT_BAD;
		goto out;
	}
	for (; ninit < c->nargs; ninit++)
		if (collect_target_init(&t[ninit], c->args[ninit], &o, &e)) {
			cli_err(c->args[ninit], "%s", e.msg);
			goto out;
		}
	if (!(push = cli_push_open(c, &rc)) && rc)
		goto out;
	rc = EXIT_BAD;
	if (!(s = cli_store_open(c, true)))
		goto out;

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Each URL runs on a clock of its own, its transfer beside the
	 * others' (curl multi): a URL that stalls until its --timeout holds
	 * back no other URL's rounds. The pids have one clock together. */
	int64_t step = (int64_t)(interval * 1e9), start = now_ns(CLOCK_MONOTONIC);
	struct clock *k = xcalloc((size_t)c->nargs + 1, sizeof *k), pk = {.due = start};
	for (int i = 0; i < c->nargs; i++)
		k[i].due = start;
	struct collect_multi *cm = collect_multi_new();
	while (!stop_flag) {
		int64_t now = now_ns(CLOCK_MONOTONIC), wake = INT64_MAX;
		bool more = false;
		for (int i = 0; i < c->nargs && !stop_flag; i++) {
			if (k[i].busy) {
				more = true;
				continue;
			}
			if (!rounds_left(&k[i], count))
				continue;
			more = true;
			if (now < k[i].due) {
				wake = k[i].due < wake ? k[i].due : wake;
				continue;
			}
			clock_tick(&k[i], now, step);
			k[i].fetched = now_ns(CLOCK_REALTIME);
			if (collect_multi_start(cm, &t[i], &o, &e)) {
				cli_err(t[i].url, "%s", e.msg);
				continue;
			}
			k[i].busy = true;
		}
		if (c->npids && rounds_left(&pk, count)) {
			more = true;
			if (now >= pk.due) {
				clock_tick(&pk, now, step);
				/* A process that exits is reported once; the rest
				 * goes on. */
				for (int i = 0; i < c->npids && !stop_flag; i++)
					if (!pid_gone[i] &&
					    cli_collect_pid(s, c->pids[i], &pid_gone[i]))
						pid_ok[i] = true;
				prune(s, keep, age);
				continue;
			}
			wake = pk.due < wake ? pk.due : wake;
		}
		if (!more || stop_flag)
			break;
		/* Until the next clock is due or a transfer ends; a signal is
		 * seen within 100 ms. */
		now = now_ns(CLOCK_MONOTONIC);
		long wait = wake == INT64_MAX ? 100 : (long)((wake - now + 999999) / 1000000);
		wait = wait < 0 ? 0 : wait > 100 ? 100 : wait;
		uint8_t *body;
		size_t n;
		enum mt_status st;
		struct collect_target *done;
		while ((done = collect_multi_next(cm, wait, &body, &n, &st, &e))) {
			wait = 0;
			int i = (int)(done - t);
			k[i].busy = false;
			if (st) {
				if (!stop_flag)
					cli_err(done->url, "%s", e.msg);
				continue;
			}
			if (store_body(c, s, done, body, n, k[i].fetched, push, &pushed[i])) {
				ok[i] = true;
				prune(s, keep, age);
			}
		}
	}
	collect_multi_free(cm);
	free(k);
	rc = EXIT_OK;
	if (!stop_flag) {
		for (int i = 0; i < c->nargs; i++) {
			if (!ok[i]) {
				cli_err(t[i].url, "no profile was collected");
				rc = EXIT_BAD;
			} else if (push && !pushed[i]) {
				cli_err(t[i].url, "no profile was pushed to %s", c->push);
				rc = EXIT_BAD;
			}
		}
	}
	if (!stop_flag)
		for (int i = 0; i < c->npids; i++)
			if (!pid_ok[i]) {
				cli_err("collect", "pid:%d: nothing was collected", c->pids[i]);
				rc = EXIT_BAD;
			}
out:
	for (int i = 0; i < ninit; i++)
		collect_target_done(&t[i]);
	free(t);
	free(ok);
	free(pushed);
	cli_push_close(push);
	store_close(s);
	collect_global_done();
	return rc;
}
