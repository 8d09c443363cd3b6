/* url.h - profile references that name a live service, read by go tool
 * pprof's rules (its driver's adjustURL): `http://host:port/debug/pprof/heap`,
 * or `host:port/...` without a scheme (http), with `seconds=` set from
 * --seconds and the request's time bound growing with it. A URL without a
 * profile path (`host:6060`, `.../debug/pprof/`) names the service's pprof
 * root: url_service_plan turns it into one round of requests for what the
 * service offers.
 *
 * Ownership: a struct mt_url owns its strings (url_done); a struct
 * url_plan owns its requests' URLs (url_plan_done).
 */
#ifndef MT_URL_H
#define MT_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "base/util.h"

/* How URLs are fetched; one set of options for every command. */
struct mt_fetch_opts {
	int seconds; /* --seconds: delta profiles; 0: the URL's own seconds= */
	double
	    timeout; /* --timeout: seconds beyond the profile's own; 0: pprof's rule */
	size_t max_body; /* --max-body: bytes; 0: MT_FETCH_MAX_BODY */
	bool gc;	 /* --gc: gc=1 on heap requests */
};

#define MT_FETCH_MAX_BODY ((size_t)128 << 20)

/* A profile reference that is a URL, normalized. */
struct mt_url {
	char *url;     /* scheme://host:port/path?query, seconds applied, no fragment */
	char *prefix;  /* for a root: scheme://host:port/.../debug/pprof/ */
	bool root;     /* no profile path: the service's pprof root */
	bool insecure; /* https+insecure: no certificate check, as pprof */
	long seconds;  /* the URL's seconds= after --seconds (0: none) */
};

/* Whether ref names a remote profile by pprof's rule (a scheme with a
 * host, or host:port... without one); false for a file path. */
bool url_is_remote(const char *ref);

/* Reads ref as a URL with seconds (> 0: set as seconds=, replacing the
 * URL's own). MT_ERR_USAGE when it is not one or cannot be fetched (an
 * http scheme without a host, an unsupported scheme). */
enum mt_status url_parse(const char *ref, int seconds, struct mt_url *u,
			 struct mt_err *e);
void url_done(struct mt_url *u);

/* The value of query parameter key in url into buf ("" when absent);
 * whether it is there. */
bool url_param(const char *url, const char *key, char *buf, size_t n);

/* url with key=value set (replacing the first key=... there, else added);
 * the caller owns the result. */
char *url_with_param(const char *url, const char *key, const char *value);

/* The time bound of one request, in ms: --timeout beyond the profile's
 * own seconds, else pprof's (60 s, or 1.5 x seconds) with its 5 s of
 * grace. */
long url_timeout_ms(const struct mt_fetch_opts *o, long seconds);

/* One request of a service round. */
struct url_req {
	char *url;
	const char
	    *kind;     /* snapshot kind (static): heap, goroutine-dump, expvar, ... */
	long seconds;  /* its seconds= (0: none) */
	bool optional; /* absent is no failure (/debug/vars) */
};

struct url_plan {
	struct url_req *v;
	size_t n, cap;
};

/* The round for root u: heap, allocs, mutex and block (each with u's
 * seconds: Go's delta profiles), the goroutine dump (debug=2),
 * goroutineleak when the index lists it (Go 1.26), and /debug/vars (when
 * present). index[0..n) is the pprof index page: only what it lists is
 * asked for, the heap always; NULL (unread): the standard profiles. */
void url_service_plan(const struct mt_url *u, const char *index, size_t n,
		      struct url_plan *plan);
void url_plan_done(struct url_plan *plan);

#endif
