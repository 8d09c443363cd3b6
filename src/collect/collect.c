/* collect.c - HTTP GETs of pprof endpoints with libcurl: one target at a time
 * for the collector, or many at once for the query engine (a URL, or the
 * round of a service's root), each bounded in time and size. */
#include "collect/collect.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/gz.h"
#include "base/progress.h"
#include "base/util.h"
#include "collect/url.h"
#include "read/expvar.h"
#include "read/reader.h"

/* The start of a body that decides whether it can be what was asked for. */
#define HEAD_BYTES ((size_t)64 << 10)

enum mt_status collect_global_init(struct mt_err *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return mt_errf(e, MT_ERR_NET, "cannot initialise libcurl");
	return MT_OK;
}

void collect_global_done(void)
{
	curl_global_cleanup();
}

const char *collect_kind(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	if (!p)
		return NULL;
	if (expvar_is_url(url))
		return "expvar";
	size_t end = strcspn(p, "?#");
	while (end > 1 && p[end - 1] == '/')
		end--;
	const char *last = p;
	for (size_t i = 0; i < end; i++)
		if (p[i] == '/')
			last = p + i + 1;
	size_t n = (size_t)(p + end - last);
	char dbg[16];
	url_param(url, "debug", dbg, sizeof dbg);
	static const struct {
		const char *path, *kind;
	} kinds[] = {
		{"heap", "heap"},         {"allocs", "allocs"},
		{"goroutine", "goroutine"}, {"mutex", "mutex"},
		{"block", "block"},       {"profile", "cpu"},
		{"threadcreate", "threadcreate"}, {"goroutineleak", "goroutineleak"},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strlen(kinds[i].path) != n || strncmp(last, kinds[i].path, n) != 0)
			continue;
		if (strcmp(kinds[i].kind, "goroutine") == 0 && atoi(dbg) >= 2)
			return "goroutine-dump";
		return kinds[i].kind;
	}
	return NULL;
}

enum mt_status collect_target_init(struct collect_target *t, const char *url,
				   const struct collect_opts *o, struct mt_err *e)
{
	memset(t, 0, sizeof *t);
	struct mt_url u;
	if (!url_is_remote(url))
		return mt_errf(e, MT_ERR_USAGE, "not an http or https URL");
	enum mt_status st = url_parse(url, o->seconds, &u, e);
	if (st)
		return st;
	t->url = u.url;
	u.url = NULL;
	t->insecure = u.insecure;
	t->kind = collect_kind(t->url);
	char v[32];
	bool has_gc = url_param(t->url, "gc", v, sizeof v);
	if (o->gc && t->kind && strcmp(t->kind, "heap") == 0 && !has_gc)
		t->fetch_url = url_with_param(t->url, "gc", "1");
	else
		t->fetch_url = xstrdup(t->url);
	/* The request lasts the profile's own seconds on top of the timeout:
	 * a delta profile's seconds=, or a CPU profile's (30 by default in
	 * net/http/pprof). */
	long secs = u.seconds;
	if (!secs && t->kind && strcmp(t->kind, "cpu") == 0)
		secs = 30;
	if (secs > 0 && secs < 86400)
		t->extra_ms = secs * 1000;
	url_done(&u);
	if (!(t->curl = curl_easy_init())) {
		collect_target_done(t);
		return mt_errf(e, MT_ERR_NOMEM, "cannot create a libcurl handle");
	}
	return MT_OK;
}

void collect_target_done(struct collect_target *t)
{
	if (t->curl)
		curl_easy_cleanup(t->curl);
	free(t->url);
	free(t->fetch_url);
	memset(t, 0, sizeof *t);
}

/* The growing response body. */
struct body {
	uint8_t *v;
	size_t n, cap, max;
	bool too_big;
	struct xfer *x;   /* shared by the transfers of one call */
	const char *kind; /* what was asked for (collect_kind), NULL: a profile */
	CURL *curl;
	size_t next_check; /* body size at which to look at its start again */
	bool checked, bad;
	struct mt_err err; /* why the start cannot be what was asked for */
};

/* What every transfer of one call shares: the stop flags and the bytes
 * received so far, for a progress watcher. */
struct xfer {
	volatile int *stop;
	struct mt_progress *pg;
	size_t received;
};

static bool xfer_stopped(const struct xfer *x)
{
	return (x->stop && *x->stop) || mt_progress_cancelled(x->pg);
}

/* Whether the start of the body can be what its kind is: a JSON object for
 * expvar, anything for an index page, else a profile (inflated first if
 * gzip). Sets *decided when it can tell: an inflated start shorter than
 * HEAD_BYTES waits for more. */
static bool head_ok(struct body *b, bool *decided)
{
	*decided = true;
	if (b->kind && (strcmp(b->kind, COLLECT_KIND_INDEX) == 0 ||
			strcmp(b->kind, COLLECT_KIND_RAW) == 0))
		return true;
	if (b->kind && strcmp(b->kind, "expvar") == 0) {
		size_t i = 0;
		while (i < b->n && (b->v[i] == ' ' || b->v[i] == '\t' || b->v[i] == '\n' ||
				    b->v[i] == '\r'))
			i++;
		if (i < b->n && b->v[i] != '{') {
			mt_errf(&b->err, MT_ERR_FORMAT, "not expvar JSON (no object at byte %zu)",
				i);
			return false;
		}
		*decided = i < b->n;
		return true;
	}
	if (!gz_is_gzip(b->v, b->n))
		return reader_check_head(b->v, b->n, &b->err) == MT_OK;
	uint8_t *h;
	size_t hn;
	if (gz_head(b->v, b->n, HEAD_BYTES, &h, &hn, &b->err))
		return false;
	*decided = hn >= HEAD_BYTES;
	bool ok = !*decided || reader_check_head(h, hn, &b->err) == MT_OK;
	free(h);
	return ok;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	if (n > b->max - b->n) {
		b->too_big = true;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (b->n + n + 1 > b->cap) {
		/* Doubling, but never past the bound: an endless body stops
		 * at max bytes, not at the next power of two above it. */
		size_t top = b->max < SIZE_MAX ? b->max + 1 : SIZE_MAX;
		size_t c = b->cap > 4096 ? b->cap : 4096;
		while (c < b->n + n + 1)
			c = c > top / 2 ? top : c * 2;
		b->v = xrealloc(b->v, c);
		b->cap = c;
	}
	memcpy(b->v + b->n, ptr, n);
	b->n += n;
	b->x->received += n;
	if (mt_progress_at(b->x->pg, b->x->received))
		return 0;
	/* A body that cannot be a profile is refused from its first bytes,
	 * before the rest of it is downloaded. */
	if (!b->checked && b->n >= b->next_check) {
		long status = 0;
		curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &status);
		bool decided = true;
		/* An error page is reported as such, by its status. */
		if (status >= 200 && status < 300 && !head_ok(b, &decided)) {
			b->bad = true;
			return 0;
		}
		b->checked = decided;
		b->next_check = b->n * 2;
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	return xfer_stopped(arg);
}

/* Sets up c to GET url into b within timeout_ms. */
static void setup(CURL *c, const char *url, const char *kind, bool insecure, long timeout_ms,
		  size_t max_body, struct body *b, char *errbuf, struct xfer *x)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Only the URLs given are fetched: a redirect, which could lead to
	 * any other server, is reported, never followed. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "memtop/" MEMTOP_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	/* A Content-Length past the cap fails before any byte is kept. */
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
	if (insecure) {
		/* https+insecure://, as pprof: no certificate check. */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	b->max = max_body;
	b->x = x;
	b->kind = kind;
	b->curl = c;
	b->next_check = HEAD_BYTES;
}

/* The outcome of a finished transfer as one line in e; on success *out
 * and *n get the body (NUL-terminated), otherwise it is freed. */
static enum mt_status finish(CURL *c, CURLcode rc, struct body *b, const char *errbuf,
			     long timeout_ms, const struct xfer *x, uint8_t **out, size_t *n,
			     long *status_out, struct mt_err *e)
{
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status_out)
		*status_out = status;
	enum mt_status st = MT_OK;
	if (b->bad) {
		st = mt_errf(e, MT_ERR_FORMAT, "bad response (its first %zu bytes): %s", b->n,
			     b->err.msg);
	} else if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		st = mt_errf(e, MT_ERR_LIMIT, "response larger than %zu bytes (--max-body)",
			     b->max);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK ||
		   (rc == CURLE_WRITE_ERROR && xfer_stopped(x))) {
		st = mt_errf(e, MT_ERR_CANCELLED, "interrupted");
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		st = mt_errf(e, MT_ERR_NET, "timed out after %.1f s (--timeout)",
			     (double)timeout_ms / 1000);
	} else if (rc != CURLE_OK) {
		st = mt_errf(e, MT_ERR_NET, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
	} else if (status >= 300 && status < 400) {
		char *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
		st = mt_errf(e, MT_ERR_NET,
			     "HTTP status %ld redirects to %.200s; memtop does not follow "
			     "redirects (give that URL instead)",
			     status, loc ? loc : "another URL");
	} else if (status >= 400 || status < 200) {
		/* Show the start of the server's explanation, on one line. */
		char msg[120] = "";
		size_t k = 0;
		for (size_t i = 0; i < b->n && k + 1 < sizeof msg; i++)
			msg[k++] = b->v[i] < 0x20 || b->v[i] == 0x7f ? ' ' : (char)b->v[i];
		msg[k] = 0;
		while (k && msg[k - 1] == ' ')
			msg[--k] = 0;
		st = mt_errf(e, MT_ERR_NET, "HTTP status %ld%s%s", status, *msg ? ": " : "",
			     msg);
	} else if (b->n == 0 && !(b->kind && strcmp(b->kind, COLLECT_KIND_RAW) == 0)) {
		st = mt_errf(e, MT_ERR_FORMAT, "empty response");
	}
	if (st) {
		free(b->v);
		memset(b, 0, sizeof *b);
		return st;
	}
	if (!b->v)
		b->v = xcalloc(1, 1); /* an empty answer of a store */
	b->v[b->n] = 0;
	*out = b->v;
	*n = b->n;
	return MT_OK;
}

static size_t max_body_of(const struct collect_opts *o)
{
	return o->max_body ? o->max_body : MT_FETCH_MAX_BODY;
}

enum mt_status collect_fetch(struct collect_target *t, const struct collect_opts *o,
			     uint8_t **body, size_t *n, struct mt_err *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = {.stop = o->stop, .pg = o->progress};
	struct body b = {0};
	long tmo = (o->timeout_ms > 0 ? o->timeout_ms : 30000) + t->extra_ms;
	setup(t->curl, t->fetch_url, t->kind, t->insecure, tmo, max_body_of(o), &b, errbuf, &x);
	CURLcode rc = curl_easy_perform(t->curl);
	return finish(t->curl, rc, &b, errbuf, tmo, &x, body, n, NULL, e);
}

/* ------------------------------------------------------------------ */
/* Targets side by side, each on its own clock                          */

struct multi_xfer {
	struct collect_target *t;
	struct body b;
	char errbuf[CURL_ERROR_SIZE];
	long tmo;
};

struct collect_multi {
	CURLM *m;
	struct xfer x; /* shared by every transfer, as collect_fetch_many's */
	bool x_set;
	VEC(struct multi_xfer *) v; /* running; each allocated: curl keeps &b */
};

struct collect_multi *collect_multi_new(void)
{
	struct collect_multi *m = xcalloc(1, sizeof *m);
	m->m = curl_multi_init();
	return m;
}

void collect_multi_free(struct collect_multi *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->v.n; i++) {
		struct multi_xfer *mx = m->v.v[i];
		if (m->m)
			curl_multi_remove_handle(m->m, mx->t->curl);
		free(mx->b.v);
		free(mx);
	}
	free(m->v.v);
	if (m->m)
		curl_multi_cleanup(m->m);
	free(m);
}

enum mt_status collect_multi_start(struct collect_multi *m, struct collect_target *t,
				   const struct collect_opts *o, struct mt_err *e)
{
	if (!m->m)
		return mt_errf(e, MT_ERR_NOMEM, "cannot create a libcurl multi handle");
	if (!m->x_set) {
		m->x = (struct xfer){.stop = o->stop, .pg = o->progress};
		m->x_set = true;
	}
	struct multi_xfer *mx = xcalloc(1, sizeof *mx);
	mx->t = t;
	mx->tmo = (o->timeout_ms > 0 ? o->timeout_ms : 30000) + t->extra_ms;
	setup(t->curl, t->fetch_url, t->kind, t->insecure, mx->tmo, max_body_of(o), &mx->b,
	      mx->errbuf, &m->x);
	if (curl_multi_add_handle(m->m, t->curl) != CURLM_OK) {
		free(mx);
		return mt_errf(e, MT_ERR_NET, "cannot start the transfer");
	}
	VEC_PUSH(m->v, mx);
	return MT_OK;
}

size_t collect_multi_running(const struct collect_multi *m)
{
	return m->v.n;
}

/* The transfer of m that has ended, from curl's messages, or NULL. */
static struct collect_target *multi_done(struct collect_multi *m, uint8_t **body, size_t *n,
					 enum mt_status *st, struct mt_err *e)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m->m, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		size_t i = 0;
		while (i < m->v.n && m->v.v[i]->t->curl != msg->easy_handle)
			i++;
		if (i == m->v.n)
			continue;
		struct multi_xfer *mx = m->v.v[i];
		CURLcode rc = msg->data.result;
		curl_multi_remove_handle(m->m, mx->t->curl);
		m->v.v[i] = m->v.v[--m->v.n];
		struct collect_target *t = mx->t;
		*body = NULL;
		*n = 0;
		*st = finish(t->curl, rc, &mx->b, mx->errbuf, mx->tmo, &m->x, body, n, NULL, e);
		free(mx);
		return t;
	}
	return NULL;
}

struct collect_target *collect_multi_next(struct collect_multi *m, long wait_ms,
					  uint8_t **body, size_t *n, enum mt_status *st,
					  struct mt_err *e)
{
	if (!m->m)
		return NULL;
	int running;
	curl_multi_perform(m->m, &running);
	struct collect_target *t = multi_done(m, body, n, st, e);
	if (t)
		return t;
	/* Waits even with nothing running: the caller's clock. */
	if (wait_ms > 0)
		curl_multi_poll(m->m, NULL, 0, (int)wait_ms, NULL);
	curl_multi_perform(m->m, &running);
	return multi_done(m, body, n, st, e);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void collect_fetch_many(struct collect_req *r, size_t n, const struct collect_opts *o)
{
	struct xfer x = {.stop = o->stop, .pg = o->progress};
	CURLM *m = curl_multi_init();
	CURL **c = xcalloc(n + 1, sizeof *c);
	struct body *b = xcalloc(n + 1, sizeof *b);
	char(*errbuf)[CURL_ERROR_SIZE] = xcalloc(n + 1, sizeof *errbuf);
	bool *done = xcalloc(n + 1, sizeof *done);
	struct curl_slist **hdr = xcalloc(n + 1, sizeof *hdr);
	mt_progress_phase(o->progress, MT_PHASE_FETCH, 0);
	for (size_t i = 0; i < n; i++) {
		r[i].body = NULL;
		r[i].n = 0;
		r[i].status = 0;
		r[i].st = MT_OK;
		r[i].e.msg[0] = 0;
		if (!m || !(c[i] = curl_easy_init())) {
			r[i].st = mt_errf(&r[i].e, MT_ERR_NOMEM, "cannot create a libcurl handle");
			done[i] = true;
			continue;
		}
		long tmo = r[i].timeout_ms > 0 ? r[i].timeout_ms : 65000;
		setup(c[i], r[i].url, r[i].kind, r[i].insecure, tmo, max_body_of(o), &b[i],
		      errbuf[i], &x);
		curl_easy_setopt(c[i], CURLOPT_PRIVATE, (void *)&r[i]);
		if (r[i].post) {
			curl_easy_setopt(c[i], CURLOPT_POST, 1L);
			curl_easy_setopt(c[i], CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)r[i].npost);
			curl_easy_setopt(c[i], CURLOPT_POSTFIELDS, (const char *)r[i].post);
		}
		for (size_t k = 0; r[i].headers && r[i].headers[k]; k++)
			hdr[i] = curl_slist_append(hdr[i], r[i].headers[k]);
		if (hdr[i])
			curl_easy_setopt(c[i], CURLOPT_HTTPHEADER, hdr[i]);
		curl_multi_add_handle(m, c[i]);
	}
	int running = m ? 1 : 0;
	while (running) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			size_t i = 0;
			while (i < n && c[i] != msg->easy_handle)
				i++;
			if (i == n || done[i])
				continue;
			done[i] = true;
			long tmo = r[i].timeout_ms > 0 ? r[i].timeout_ms : 65000;
			r[i].st = finish(c[i], msg->data.result, &b[i], errbuf[i], tmo, &x,
					 &r[i].body, &r[i].n, &r[i].status, &r[i].e);
			r[i].fetched = now_ns();
		}
		if (running && !xfer_stopped(&x))
			curl_multi_poll(m, NULL, 0, 100, NULL);
		if (xfer_stopped(&x))
			break;
	}
	for (size_t i = 0; i < n; i++) {
		if (!done[i]) {
			free(b[i].v);
			r[i].st = mt_errf(&r[i].e, MT_ERR_CANCELLED, "interrupted");
		}
		if (c[i]) {
			if (m)
				curl_multi_remove_handle(m, c[i]);
			curl_easy_cleanup(c[i]);
		}
		curl_slist_free_all(hdr[i]);
	}
	if (m)
		curl_multi_cleanup(m);
	free(c);
	free(b);
	free(errbuf);
	free(done);
	free(hdr);
}
