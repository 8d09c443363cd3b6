/* fetch.c - profile references that are URLs: fetched by go tool pprof's
 * rules (collect/url.h) with bounded time and memory, read, and kept as
 * snapshots in the store, so nothing fetched is lost. A service's root
 * stands for one round of every profile it offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"
#include "collect/url.h"
#include "query/query.h"
#include "read/expvar.h"
#include "read/reader.h"
#include "store/metrics.h"
#include "store/store.h"

/* One response on its way to the store. */
struct got {
	const char *url;  /* what was asked for (borrowed); the stored source */
	char *fetch_url;  /* with gc=1 added */
	const char *kind; /* from the URL; NULL: from the content */
	bool optional;	  /* absence is no news (/debug/vars) */
	long seconds;
	struct collect_req r;
	struct profile *p;
	int64_t id;
};

/* "URL: msg" into e. */
static enum mt_status blame_url(struct mt_err *e, enum mt_status st, const char *url,
				const char *msg)
{
	char m[sizeof e->msg];
	snprintf(m, sizeof m, "%s", msg);
	return mt_errf(e, st, "%s: %s", url, m);
}

/* The URL a request fetches: gc=1 on a heap with --gc, as collect does. */
static char *fetch_url_of(const char *url, const char *kind,
			  const struct mt_query_opts *o)
{
	char v[16];
	if (o->fetch.gc && kind && strcmp(kind, "heap") == 0 &&
	    !url_param(url, "gc", v, sizeof v))
		return url_with_param(url, "gc", "1");
	return xstrdup(url);
}

/* Fetches g[0..n) at once. */
static void fetch_all(struct got *g, size_t n, const struct mt_query_opts *o)
{
	struct collect_req *r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++) {
		g[i].fetch_url = fetch_url_of(g[i].url, g[i].kind, o);
		long secs = g[i].seconds;
		if (!secs && g[i].kind && strcmp(g[i].kind, "cpu") == 0)
			secs = 30; /* net/http/pprof's default */
		r[i] =
		    (struct collect_req){.url = g[i].fetch_url,
					 .kind = g[i].kind,
					 .timeout_ms = url_timeout_ms(&o->fetch, secs),
					 .insecure = g[i].r.insecure};
	}
	struct collect_opts co = {.max_body = o->fetch.max_body,
				  .progress = o->lim.progress};
	collect_fetch_many(r, n, &co);
	for (size_t i = 0; i < n; i++)
		g[i].r = r[i];
	free(r);
}

/* Reads each response and stores what came in the database of o (not
 * ":memory:"); a failure to store is a warning. */
static void read_and_store(struct got *g, size_t n, size_t want,
			   const struct mt_query_opts *o, struct mt_warnings *w)
{
	struct store *s = NULL;
	struct mt_err e = {{0}};
	bool keep = !(o->db && strcmp(o->db, ":memory:") == 0);
	for (size_t i = 0; i < n; i++) {
		struct collect_req *r = &g[i].r;
		if (r->st)
			continue;
		if (keep && !s && store_open(&s, o->db, true, &e)) {
			mt_warnf(w, "not stored in the database: %s", e.msg);
			keep = false;
		}
		if (g[i].kind && strcmp(g[i].kind, "expvar") == 0) {
			struct metrics_batch b = {0};
			if (expvar_parse(r->body, r->n, r->fetched, &b, &e))
				mt_warnf(w, "%s: bad response (%zu bytes): %s", g[i].url,
				     r->n, e.msg);
			else if (s && metrics_store(s, g[i].url, &b, NULL, &e))
				mt_warnf(w, "%s: not stored in the database: %s", g[i].url,
				     e.msg);
			metrics_batch_done(&b);
			continue;
		}
		struct mt_limits lim = o->lim;
		if (i != want)
			lim.progress = NULL; /* the bar follows the profile shown */
		enum mt_status rs = reader_load_bytes(r->body, r->n, &lim, &g[i].p, &e);
		if (rs) {
			char m[sizeof e.msg];
			snprintf(m, sizeof m, "%s", e.msg);
			r->st =
			    mt_errf(&r->e, rs, "bad response (%zu bytes): %s", r->n, m);
			continue;
		}
		const char *kind = g[i].kind;
		/* A debug=1 text or a dump from an unusual path: the content
		 * says (as collect decides). */
		if (!kind || (g[i].p->format == MT_FMT_GOROUTINE_DUMP) !=
				 (strcmp(kind, "goroutine-dump") == 0))
			kind = store_guess_kind(g[i].p, g[i].url);
		g[i].kind = kind;
		if (!s)
			continue;
		struct store_source src = {.source = g[i].url,
					   .kind = kind,
					   .time_nanos = r->fetched,
					   .raw = r->body,
					   .nraw = r->n};
		bool dup;
		if (store_import(s, g[i].p, &src, &g[i].id, &dup, &e)) {
			mt_warnf(w, "%s: not stored in the database: %s", g[i].url, e.msg);
			g[i].id = 0;
		}
	}
	store_close(s);
}

/* Fetches the index page of root u: the body, or NULL when the service
 * answered without one (the standard profiles are asked for then). A
 * service that cannot be reached fails here, once. */
static enum mt_status fetch_index(const struct mt_url *u, const struct mt_query_opts *o,
				  uint8_t **body, size_t *n, struct mt_err *e)
{
	struct collect_req r = {.url = u->prefix,
				.kind = COLLECT_KIND_INDEX,
				.timeout_ms = url_timeout_ms(&o->fetch, 0),
				.insecure = u->insecure};
	struct collect_opts co = {.max_body = o->fetch.max_body,
				  .progress = o->lim.progress};
	*body = NULL;
	*n = 0;
	collect_fetch_many(&r, 1, &co);
	if (r.st == MT_OK) {
		*body = r.body;
		*n = r.n;
		return MT_OK;
	}
	if (r.status >= 300 && r.st != MT_ERR_CANCELLED)
		return MT_OK;
	return blame_url(e, r.st, u->prefix, r.e.msg);
}

enum mt_status query_fetch(const char *ref, const struct mt_query_opts *o,
			   struct profile **out, uint8_t **raw, size_t *nraw,
			   int64_t *snap_id, struct mt_warnings *w, struct mt_err *e)
{
	struct mt_url u;
	*out = NULL;
	if (raw)
		*raw = NULL, *nraw = 0;
	if (snap_id)
		*snap_id = 0;
	enum mt_status st = url_parse(ref, o->fetch.seconds, &u, e);
	if (st) {
		char m[sizeof e->msg];
		snprintf(m, sizeof m, "%s", e->msg);
		return mt_errf(e, st, "%s: %s", ref, m);
	}
	const char *want =
	    o->service_kind && *o->service_kind ? o->service_kind : "heap";
	struct url_plan plan = {0};
	char *single = NULL;
	struct got *g = NULL;
	size_t n = 0, pick = 0;
	if ((st = collect_global_init(e)))
		goto out;
	if (u.root) {
		uint8_t *index = NULL;
		size_t in = 0;
		if ((st = fetch_index(&u, o, &index, &in, e)))
			goto out;
		url_service_plan(&u, (const char *)index, in, &plan);
		free(index);
		n = plan.n;
		g = xcalloc(n + 1, sizeof *g);
		for (size_t i = 0; i < n; i++) {
			g[i] = (struct got){.url = plan.v[i].url,
					    .kind = plan.v[i].kind,
					    .optional = plan.v[i].optional,
					    .seconds = plan.v[i].seconds};
			g[i].r.insecure = u.insecure;
		}
		pick = n;
		for (size_t i = 0; i < n; i++)
			if (strcmp(g[i].kind, want) == 0)
				pick = i;
		if (pick == n) {
			st = mt_errf(e, MT_ERR_NOTFOUND,
				     "%s: the service offers no %s profile", u.prefix,
				     want);
			goto out;
		}
	} else {
		const char *kind = collect_kind(u.url);
		char v[16];
		/* `memtop goroutines` reads dumps: a goroutine URL without
		 * debug= is asked for one. */
		if (strcmp(want, "goroutine-dump") == 0 && kind &&
		    strcmp(kind, "goroutine") == 0 &&
		    !url_param(u.url, "debug", v, sizeof v)) {
			single = url_with_param(u.url, "debug", "2");
			kind = "goroutine-dump";
		}
		n = 1;
		g = xcalloc(2, sizeof *g);
		g[0] = (struct got){
		    .url = single ? single : u.url, .kind = kind, .seconds = u.seconds};
		g[0].r.insecure = u.insecure;
	}
	fetch_all(g, n, o);
	read_and_store(g, n, pick, o, w);
	for (size_t i = 0; i < n; i++) {
		struct collect_req *r = &g[i].r;
		if (!r->st || i == pick)
			continue;
		if (g[i].optional && (r->status == 404 || r->st == MT_ERR_FORMAT))
			continue; /* no /debug/vars: nothing to say */
		if (r->st != MT_ERR_CANCELLED)
			mt_warnf(w, "%s: %s", g[i].url, r->e.msg);
	}
	if (g[pick].r.st) {
		st = blame_url(e, g[pick].r.st, g[pick].url, g[pick].r.e.msg);
		goto out;
	}
	*out = g[pick].p;
	g[pick].p = NULL;
	if (snap_id)
		*snap_id = g[pick].id;
	if (raw) {
		*raw = g[pick].r.body;
		*nraw = g[pick].r.n;
		g[pick].r.body = NULL;
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(g[i].fetch_url);
		free(g[i].r.body);
		profile_free(g[i].p);
	}
	free(g);
	free(single);
	url_plan_done(&plan);
	url_done(&u);
	collect_global_done();
	return st;
}
