/* collect.c - one HTTP GET of a pprof endpoint with libcurl. */
#include "collect/collect.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "base/gz.h"
#include "base/util.h"
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

/* The value of query parameter key in url, copied into buf ("" if absent). */
static bool query_param(const char *url, const char *key, char *buf, size_t n)
{
	const char *q = strchr(url, '?');
	size_t k = strlen(key);
	buf[0] = 0;
	while (q) {
		q++;
		if (strncmp(q, key, k) == 0 && q[k] == '=') {
			const char *v = q + k + 1;
			size_t len = strcspn(v, "&#");
			if (len >= n)
				len = n - 1;
			memcpy(buf, v, len);
			buf[len] = 0;
			return true;
		}
		q = strchr(q, '&');
	}
	return false;
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
	query_param(url, "debug", dbg, sizeof dbg);
	static const struct {
		const char *path, *kind;
	} kinds[] = {
		{"heap", "heap"},         {"allocs", "allocs"},
		{"goroutine", "goroutine"}, {"mutex", "mutex"},
		{"block", "block"},       {"profile", "cpu"},
		{"threadcreate", "threadcreate"},
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
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return mt_errf(e, MT_ERR_USAGE, "not an http or https URL");
	t->url = xstrdup(url);
	t->kind = collect_kind(url);
	char v[32];
	bool has_gc = query_param(url, "gc", v, sizeof v);
	if (o->gc && t->kind && strcmp(t->kind, "heap") == 0 && !has_gc) {
		size_t n = strlen(url);
		t->fetch_url = xmalloc(n + 8);
		size_t hash = strcspn(url, "#");
		memcpy(t->fetch_url, url, hash);
		strcpy(t->fetch_url + hash, strchr(url, '?') ? "&gc=1" : "?gc=1");
	} else {
		t->fetch_url = xstrdup(url);
	}
	if (t->kind && strcmp(t->kind, "cpu") == 0) {
		long secs = 30; /* net/http/pprof's default */
		if (query_param(url, "seconds", v, sizeof v) && *v)
			secs = atol(v);
		if (secs > 0 && secs < 86400)
			t->extra_ms = secs * 1000;
	}
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
	const char *kind; /* of the target */
	CURL *curl;
	size_t next_check; /* body size at which to look at its start again */
	bool checked, bad;
	struct mt_err err; /* why the start cannot be what was asked for */
};

/* Whether the start of the body can be what its kind is: a JSON object for
 * expvar, else a profile (inflated first if gzip). Sets *decided when it
 * can tell: an inflated start shorter than HEAD_BYTES waits for more. */
static bool head_ok(struct body *b, bool *decided)
{
	*decided = true;
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
	volatile int *stop = arg;
	return stop && *stop;
}

enum mt_status collect_fetch(struct collect_target *t, const struct collect_opts *o,
			     uint8_t **body, size_t *n, struct mt_err *e)
{
	CURL *c = t->curl;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct body b = {.max = o->max_body ? o->max_body : (size_t)1 << 30,
			 .kind = t->kind, .curl = c, .next_check = HEAD_BYTES};
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, t->fetch_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* The collector fetches only the URLs it was given: a redirect, which
	 * could lead to any other server, is reported, never followed. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "memtop/" MEMTOP_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	long tmo = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, tmo);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, tmo + t->extra_ms);
	if (o->max_body)
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	if (o->stop) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)o->stop);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	enum mt_status st = MT_OK;
	if (b.bad) {
		st = mt_errf(e, MT_ERR_FORMAT, "bad response (its first %zu bytes): %s", b.n,
			     b.err.msg);
	} else if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		st = mt_errf(e, MT_ERR_LIMIT, "response larger than %zu bytes (--max-body)",
			     b.max);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		st = mt_errf(e, MT_ERR_NET, "interrupted");
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		st = mt_errf(e, MT_ERR_NET, "timed out after %.1f s (--timeout)",
			     (double)(tmo + t->extra_ms) / 1000);
	} else if (rc != CURLE_OK) {
		st = mt_errf(e, MT_ERR_NET, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
	} else if (status >= 300 && status < 400) {
		char *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
		st = mt_errf(e, MT_ERR_NET,
			     "HTTP status %ld redirects to %s; memtop does not follow "
			     "redirects (give that URL instead)",
			     status, loc ? loc : "another URL");
	} else if (status >= 400 || status < 200) {
		/* Show the start of the server's explanation, on one line. */
		char msg[120] = "";
		size_t k = 0;
		for (size_t i = 0; i < b.n && k + 1 < sizeof msg; i++)
			msg[k++] = b.v[i] < 0x20 || b.v[i] == 0x7f ? ' ' : (char)b.v[i];
		msg[k] = 0;
		while (k && msg[k - 1] == ' ')
			msg[--k] = 0;
		st = mt_errf(e, MT_ERR_NET, "HTTP status %ld%s%s", status, *msg ? ": " : "",
			     msg);
	} else if (b.n == 0) {
		st = mt_errf(e, MT_ERR_FORMAT, "empty response");
	}
	if (st) {
		free(b.v);
		return st;
	}
	b.v[b.n] = 0;
	*body = b.v;
	*n = b.n;
	return MT_OK;
}
