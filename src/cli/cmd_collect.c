/* cmd_collect.c - `memtop collect`: scrapes pprof endpoints every interval
 * into the store. One bad target never stops the others: its failure is one
 * line on stderr and it is tried again next round. SIGINT and SIGTERM let
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

/* Sleeps until the monotonic deadline or a signal. */
static void sleep_until(int64_t deadline)
{
	while (!stop_flag) {
		int64_t left = deadline - now_ns(CLOCK_MONOTONIC);
		if (left <= 0)
			return;
		struct timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
		nanosleep(&ts, NULL);
	}
}

/* Fetches, parses and stores one target; prints one line either way. */
static bool scrape(struct cli *c, struct store *s, struct collect_target *t,
		   const struct collect_opts *o, struct cli_push *push, bool *pushed)
{
	uint8_t *body = NULL;
	size_t n = 0;
	struct mt_err e = {{0}};
	struct profile *p = NULL;
	int64_t fetched = now_ns(CLOCK_REALTIME);
	if (collect_fetch(t, o, &body, &n, &e)) {
		if (!stop_flag)
			cli_err(t->url, "%s", e.msg);
		return false;
	}
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

	int64_t next = now_ns(CLOCK_MONOTONIC);
	for (int64_t round = 0; !stop_flag && (count == 0 || round < count); round++) {
		if (round)
			sleep_until(next);
		next += (int64_t)(interval * 1e9);
		for (int i = 0; i < c->nargs && !stop_flag; i++)
			if (scrape(c, s, &t[i], &o, push, &pushed[i]))
				ok[i] = true;
		/* A process that exits is reported once; the rest goes on. */
		for (int i = 0; i < c->npids && !stop_flag; i++)
			if (!pid_gone[i] && cli_collect_pid(s, c->pids[i], &pid_gone[i]))
				pid_ok[i] = true;
		if ((keep || age) && !stop_flag) {
			size_t removed;
			int64_t before = age ? now_ns(CLOCK_REALTIME) - age : 0;
			if (store_prune(s, keep, before, &removed, &e))
				cli_err(store_path(s), "pruning: %s", e.msg);
		}
	}
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
