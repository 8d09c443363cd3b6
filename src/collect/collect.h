/* collect.h - fetching profiles from live services: pprof HTTP endpoints
 * (net/http/pprof) over libcurl, with a timeout and a size cap, so that one
 * bad target can neither hang the collector nor make it allocate without
 * bound. The loop, its clocks, retries and printing are the caller's (src/cli/, or the
 * query engine's src/query/fetch.c, which fetches many at once).
 *
 * Ownership: a struct collect_target owns its URLs and its connection; a
 * fetched body belongs to the caller (free).
 */
#ifndef MT_COLLECT_H
#define MT_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

struct mt_progress;

struct collect_opts {
	long timeout_ms;  /* per request, beyond the profile's own seconds */
	size_t max_body;  /* bytes; 0: MT_FETCH_MAX_BODY */
	bool gc;          /* add gc=1 to heap requests */
	int seconds;      /* > 0: seconds= on every URL (delta profiles) */
	volatile int *stop; /* when set to non-zero, a transfer gives up */
	/* bytes received (MT_PHASE_FETCH); its cancel flag stops the
	 * transfers as stop does. May be NULL. */
	struct mt_progress *progress;
};

struct collect_target {
	char *url;        /* as given, normalized by pprof's rules (url.h) */
	char *fetch_url;  /* what is requested (gc=1 added) */
	const char *kind; /* snapshot kind from the URL path, NULL: from content */
	long extra_ms;    /* the profile's own seconds (seconds=, or a CPU profile's) */
	bool insecure;    /* https+insecure */
	void *curl;       /* kept between rounds for keep-alive */
};

/* Initialises libcurl once per process. */
enum mt_status collect_global_init(struct mt_err *e);
void collect_global_done(void);

/* The snapshot kind an endpoint serves, from its path and query: heap,
 * allocs, goroutine, goroutine-dump (debug=2), mutex, block, cpu
 * (profile), threadcreate; "expvar" for /debug/vars (series, not a
 * snapshot); NULL when the path does not say. */
const char *collect_kind(const char *url);

/* Prepares a target for url (http or https, or host:port/... as go tool
 * pprof reads it). */
enum mt_status collect_target_init(struct collect_target *t, const char *url,
				   const struct collect_opts *o, struct mt_err *e);
void collect_target_done(struct collect_target *t);

/* Fetches the target once. On success the caller owns *body (NUL-terminated
 * at (*body)[*n]); any failure (refused, timeout, HTTP status >= 400, a body
 * cut short or past max_body) is one line in e. */
enum mt_status collect_fetch(struct collect_target *t, const struct collect_opts *o,
			     uint8_t **body, size_t *n, struct mt_err *e);

/* Targets fetched side by side, each started when its own clock says
 * (the collector: one URL's slow round never holds back another's).
 * A target is in at most one transfer at a time. */
struct collect_multi;

struct collect_multi *collect_multi_new(void);
/* Stops and drops the transfers still running. */
void collect_multi_free(struct collect_multi *m);

/* Starts fetching t (not already in m) with o's bounds; returns at once.
 * o->stop and o->progress are those of the first start. */
enum mt_status collect_multi_start(struct collect_multi *m, struct collect_target *t,
				   const struct collect_opts *o, struct mt_err *e);

/* The number of transfers running. */
size_t collect_multi_running(const struct collect_multi *m);

/* Moves the transfers on for up to wait_ms (returning sooner when one
 * ends) and hands back one that has ended, or NULL: its outcome is *st
 * and e, as collect_fetch's, and on success the caller owns *body. */
struct collect_target *collect_multi_next(struct collect_multi *m, long wait_ms,
					  uint8_t **body, size_t *n, enum mt_status *st,
					  struct mt_err *e);

/* One request of collect_fetch_many. */
/* The kind of an index page (the pprof root): not checked as a profile. */
#define COLLECT_KIND_INDEX "index"
/* The kind of a profile store's answer (collect/fleet.h): not checked
 * here, its own reader decides. */
#define COLLECT_KIND_RAW "raw"

struct collect_req {
	const char *url;   /* borrowed */
	const char *kind;  /* collect_kind's, or COLLECT_KIND_INDEX; NULL: a profile.
			    * A body whose start cannot be it is refused early. */
	long timeout_ms;   /* the whole request (url_timeout_ms) */
	bool insecure;
	/* Non-NULL: a POST of post[0..npost) (borrowed), else a GET. */
	const uint8_t *post;
	size_t npost;
	/* NULL-terminated "Name: value" lines sent along (borrowed), or NULL. */
	const char *const *headers;
	/* results */
	enum mt_status st; /* MT_OK, or e says what went wrong */
	struct mt_err e;
	uint8_t *body;     /* owned by the caller then; NUL-terminated at [n] */
	size_t n;
	long status;       /* HTTP status, 0 when none came */
	int64_t fetched;   /* ns since the epoch, when the response ended */
};

/* Fetches r[0..n) at once, each within its time bound and o's body
 * limit; every request gets its own outcome, as collect_fetch's. */
void collect_fetch_many(struct collect_req *r, size_t n, const struct collect_opts *o);

#endif
