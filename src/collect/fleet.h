/* fleet.h - profile references that name a query of a continuous-profiling
 * store, and what the two stores' protocol files (pyroscope.c, parca.c)
 * share: the reference, its windows, one HTTP exchange.
 *
 *   pyroscope://HOST[:PORT]/PROFILETYPE{SELECTOR}?PARAMS   (port 4040)
 *   parca://HOST[:PORT]/QUERY?PARAMS                       (port 7070)
 *
 * ("+https" after either scheme: over TLS.) PROFILETYPE is a store's type
 * id, `memory:inuse_space:bytes:space:bytes` (Parca's may end in `:delta`),
 * or one of the short names heap, allocs, goroutine, cpu, mutex, block;
 * SELECTOR is a Prometheus-style label selector, `{service_name="api",
 * pod=~"api-.*"}` (the store evaluates it). The path may be
 * percent-encoded. PARAMS:
 *   from=T, until=T  the range (T: RFC 3339, Unix seconds, now, now-1h,
 *                    -1h); until defaults to now
 *   step=D           a series: one snapshot every D from `from` to `until`
 *   window=D         what one snapshot merges: the D before its time
 *                    (default: one scrape interval, 15s for Pyroscope,
 *                    10s for Parca; with step, at most the step). Without
 *                    step and with from=, the window is [from, until].
 *   tenant=ID        X-Scope-OrgID (Pyroscope's multi-tenant servers)
 *   max_nodes=N      Pyroscope's max_nodes (default: all)
 * A reference without a path names the store itself (`memtop ls`,
 * `collect --push`); a push takes its labels from an equality selector:
 * `pyroscope://HOST/{service_name="api",env="prod"}`.
 *
 * Ownership: a struct fleet_ref owns its strings (fleet_ref_done).
 */
#ifndef MT_FLEET_H
#define MT_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "base/util.h"
#include "collect/url.h"

enum fleet_store { FLEET_PYROSCOPE, FLEET_PARCA };

/* One matcher of a label selector. */
struct fleet_matcher {
	char *name, *value; /* value decoded from its quotes */
	char op[3];	    /* "=", "!=", "=~", "!~" */
};

#define FLEET_MAX_WINDOWS 1000

struct fleet_ref {
	enum fleet_store store;
	char *base;	/* http[s]://host:port, no trailing slash */
	char *type;	/* the profile type (short names expanded), "" if none */
	char *selector; /* "{...}" as given (decoded), "{}" if none */
	struct fleet_matcher *m;
	size_t nm;
	char *source; /* the series key: the reference without its range */
	char *tenant; /* NULL: none */
	int64_t from_ns, until_ns, step_ns, window_ns;
	bool has_from;
	long max_nodes; /* 0: none */
};

/* Whether ref names a store (pyroscope:// or parca://, either +https). */
bool fleet_is_ref(const char *ref);

/* Parses ref with now_ns as the present. MT_ERR_USAGE with a line saying
 * what is wrong (an unknown parameter, a bad time, a bad selector, a
 * range of more than FLEET_MAX_WINDOWS windows). */
enum mt_status fleet_parse(const char *ref, int64_t now_ns, struct fleet_ref *r,
			   struct mt_err *e);
void fleet_ref_done(struct fleet_ref *r);

/* The store's name ("pyroscope", "parca"). */
const char *fleet_store_name(enum fleet_store s);

/* The snapshots r asks for: *n windows, [start[i], end[i]) in ns, oldest
 * first; the caller frees both arrays. */
void fleet_windows(const struct fleet_ref *r, int64_t **start, int64_t **end,
		   size_t *n);

/* One HTTP exchange with the store of r: POST of post[0..npost) with
 * content_type when post is not NULL, else GET; path starts with '/'.
 * Within o's time and body bounds (a response of another status than 2xx
 * is an error quoting its start; *status, which may be NULL, gets the
 * HTTP status, 0 when none came). On success the caller owns *body
 * (NUL-terminated at [*n]). Errors are one line without the URL. */
enum mt_status fleet_http(const struct fleet_ref *r, const char *path, const void *post,
			  size_t npost, const char *content_type,
			  const struct mt_fetch_opts *o, uint8_t **body, size_t *n,
			  long *status, struct mt_err *e);

/* What a store holds: its profile types and its labels with their values. */
struct fleet_label {
	char *name;
	VEC(char *) values;
};

/* One series of a store: its labels and the total of each step. */
struct fleet_point {
	int64_t time_ns;
	double value;
};

struct fleet_series {
	VEC(char *) names;
	VEC(char *) values; /* values.v[i] is the value of names.v[i] */
	VEC(struct fleet_point) points;
};

struct fleet_listing {
	VEC(char *) types;
	VEC(struct fleet_label) labels;
	/* With a profile type and from= in the reference: each series' total
	 * per step (step=, else the window) over the range. */
	VEC(struct fleet_series) series;
};

void fleet_series_done(struct fleet_series *s);

void fleet_listing_done(struct fleet_listing *l);

/* One label of a push. */
struct fleet_pair {
	const char *name, *value;
};

/* The merged profile of r over [start_ns, end_ns) as the store hands it
 * (pprof, gzipped or not); the caller owns *pprof. An empty answer (no
 * profile in the window) is MT_ERR_NOTFOUND. */
enum mt_status fleet_merge(const struct fleet_ref *r, int64_t start_ns, int64_t end_ns,
			   const struct mt_fetch_opts *o, uint8_t **pprof, size_t *n,
			   struct mt_err *e);

/* Lists the profile types and labels of the store of r (over r's range
 * when it has from=, else what the store keeps at hand), and with a type
 * and from= its series (Pyroscope's SelectSeries grouped by every label,
 * Parca's QueryRange). */
enum mt_status fleet_list(const struct fleet_ref *r, const struct mt_fetch_opts *o,
			  struct fleet_listing *l, struct mt_err *e);

/* Sends the pprof bytes raw[0..n) to the store of r with labels p[0..np). */
enum mt_status fleet_push(const struct fleet_ref *r, const struct fleet_pair *p,
			  size_t np, const uint8_t *raw, size_t n,
			  const struct mt_fetch_opts *o, struct mt_err *e);

/* Percent-encodes s for a URL's query value; the caller owns the result. */
char *fleet_query_escape(const char *s);

#endif
