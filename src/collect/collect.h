/* collect.h - fetching profiles from live services: pprof HTTP endpoints
 * (net/http/pprof) over libcurl, with a timeout and a size cap, so that one
 * bad target can neither hang the collector nor make it allocate without
 * bound. The loop, retries and printing are the caller's (src/cli/).
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

struct collect_opts {
	long timeout_ms;  /* per request, beyond a CPU profile's seconds */
	size_t max_body;  /* bytes */
	bool gc;          /* add gc=1 to heap requests */
	volatile int *stop; /* when set to non-zero, a transfer gives up */
};

struct collect_target {
	char *url;        /* as given */
	char *fetch_url;  /* what is requested (gc=1 added) */
	const char *kind; /* snapshot kind from the URL path, NULL: from content */
	long extra_ms;    /* a CPU profile's own seconds */
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

/* Prepares a target for url (http or https). */
enum mt_status collect_target_init(struct collect_target *t, const char *url,
				   const struct collect_opts *o, struct mt_err *e);
void collect_target_done(struct collect_target *t);

/* Fetches the target once. On success the caller owns *body (NUL-terminated
 * at (*body)[*n]); any failure (refused, timeout, HTTP status >= 400, a body
 * cut short or past max_body) is one line in e. */
enum mt_status collect_fetch(struct collect_target *t, const struct collect_opts *o,
			     uint8_t **body, size_t *n, struct mt_err *e);

#endif
