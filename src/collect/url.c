/* url.c - go tool pprof's rules for profile references that are URLs, and
 * the round of requests a service's pprof root stands for. */
#include "collect/url.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The length of ref's scheme when it starts with one and a colon (Go's
 * getScheme: a letter, then letters, digits, '+', '-', '.'); 0 if not. */
static size_t scheme_len(const char *ref)
{
	for (size_t i = 0; ref[i]; i++) {
		char c = ref[i];
		if (is_alpha(c))
			continue;
		if (i > 0 && (is_digit(c) || c == '+' || c == '-' || c == '.'))
			continue;
		return c == ':' && i > 0 ? i : 0;
	}
	return 0;
}

/* Whether s[0..n) holds only characters of set (or letters and digits),
 * with '%' only before two hex digits. */
static bool chars_ok(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && !strchr(set, c))
			return false;
	}
	return true;
}

/* Whether a[0..n) is an authority url.Parse accepts with a host or a port:
 * [userinfo@]host[:port], host a name or address or [IPv6], the port all
 * digits. *host_at and *host_n locate the host (empty for ":6060"). */
static bool authority_ok(const char *a, size_t n, size_t *host_at, size_t *host_n)
{
	size_t at = 0;
	for (size_t i = n; i > 0; i--)
		if (a[i - 1] == '@') {
			at = i;
			break;
		}
	if (at && !chars_ok(a, at - 1, "-._:~!$&'()*+,;="))
		return false;
	const char *h = a + at;
	size_t hn = n - at, name = hn;
	if (hn && h[0] == '[') {
		const char *close = memchr(h, ']', hn);
		if (!close || !chars_ok(h + 1, (size_t)(close - h - 1), ":.%"))
			return false;
		name = (size_t)(close - h) + 1;
		if (name < hn && h[name] != ':')
			return false;
	} else {
		const char *colon = memchr(h, ':', hn);
		if (colon)
			name = (size_t)(colon - h);
		if (!chars_ok(h, name, "-._~!$&'()*+,;="))
			return false;
	}
	for (size_t i = name + 1; i < hn; i++)
		if (!is_digit(h[i]))
			return false;
	if (name == 0 && hn == 0)
		return false;
	*host_at = at;
	*host_n = name;
	return true;
}

/* Splits what follows "scheme://" at the end of the authority. */
static size_t authority_end(const char *s) { return strcspn(s, "/?#"); }

bool url_is_remote(const char *ref)
{
	if (!ref || !*ref || ref[0] == '/' || ref[0] == '@')
		return false;
	size_t sl = scheme_len(ref);
	if (sl && strncmp(ref + sl, "://", 3) == 0)
		return !(sl == 4 && strncmp(ref, "file", 4) == 0);
	if (sl == 4 && strncmp(ref, "file", 4) == 0)
		return false;
	/* No scheme with a host: Go parses "host:port/..." as a scheme and an
	 * opaque part, or fails on a colon in the first path segment; pprof
	 * then tries again with http:// in front. */
	size_t seg = strcspn(ref, "/?#");
	if (!memchr(ref, ':', seg))
		return false;
	size_t ha, hn;
	return authority_ok(ref, seg, &ha, &hn);
}

/* Where the "debug/pprof" of a root path ends, or 0: a root is "", "/",
 * or a path ending in /debug/pprof or /debug/pprof/. */
static bool root_path(const char *path, size_t n, size_t *keep)
{
	if (n == 0 || (n == 1 && path[0] == '/')) {
		*keep = 0;
		return true;
	}
	static const char tail[] = "/debug/pprof";
	size_t t = sizeof tail - 1, m = n;
	if (m && path[m - 1] == '/')
		m--;
	if (m >= t && memcmp(path + m - t, tail, t) == 0) {
		*keep = m;
		return true;
	}
	return false;
}

/* Where the value of query parameter key starts in url, and its length;
 * NULL when the parameter is not there. */
static const char *param_span(const char *url, const char *key, size_t *len)
{
	const char *q = strchr(url, '?');
	size_t k = strlen(key);
	while (q) {
		q++;
		if (strncmp(q, key, k) == 0 &&
		    (q[k] == '=' || q[k] == '&' || !q[k] || q[k] == '#')) {
			const char *v = q[k] == '=' ? q + k + 1 : q + k;
			*len = strcspn(v, "&#");
			return v;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

/* v[0..n) as Go's strconv.Atoi reads it (a sign, then decimal digits, any
 * number of leading zeros) into a positive 32-bit seconds count; false
 * for anything else, a number too long for a buffer included. */
static bool parse_seconds(const char *v, size_t n, long *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (v[i] == '+' || v[i] == '-'))
		neg = v[i++] == '-';
	if (i == n)
		return false;
	long x = 0;
	for (; i < n; i++) {
		if (!is_digit(v[i]))
			return false;
		x = x * 10 + (v[i] - '0');
		if (x > INT_MAX)
			return false;
	}
	if (neg || x == 0)
		return false;
	*out = x;
	return true;
}

enum mt_status url_parse(const char *ref, int seconds, struct mt_url *u,
			 struct mt_err *e)
{
	memset(u, 0, sizeof *u);
	if (!url_is_remote(ref))
		return mt_errf(e, MT_ERR_USAGE, "not a URL");
	const char *scheme = "http", *rest = ref;
	size_t sl = scheme_len(ref);
	if (sl && strncmp(ref + sl, "://", 3) == 0) {
		if (sl == 14 && strncmp(ref, "https+insecure", 14) == 0) {
			scheme = "https";
			u->insecure = true;
		} else if (sl == 5 && strncmp(ref, "https", 5) == 0) {
			scheme = "https";
		} else if (!(sl == 4 && strncmp(ref, "http", 4) == 0)) {
			return mt_errf(e, MT_ERR_USAGE,
				       "unsupported scheme \"%.*s\" (http or https)",
				       (int)sl, ref);
		}
		rest = ref + sl + 3;
	}
	size_t an = authority_end(rest), ha, hn;
	if (!authority_ok(rest, an, &ha, &hn))
		return mt_errf(e, MT_ERR_USAGE, "no host or a bad one in the URL");
	const char *path = rest + an;
	size_t pn = strcspn(path, "?#");
	const char *query = path[pn] == '?' ? path + pn + 1 : "";
	size_t qn = strcspn(query, "#");
	/* scheme://[userinfo@]host[:port]; an empty host is this machine, as
	 * Go dials it. */
	size_t cap = strlen(scheme) + an + pn + qn + 32;
	char *s = xmalloc(cap);
	snprintf(s, cap, "%s://%.*s%s%.*s%.*s%s%.*s", scheme, (int)ha, rest,
		 hn ? "" : "localhost", (int)(an - ha), rest + ha, (int)pn, path,
		 qn ? "?" : "", (int)qn, query);
	size_t keep;
	if (root_path(path, pn, &keep)) {
		u->root = true;
		size_t pc = strlen(scheme) + an + keep + 32;
		u->prefix = xmalloc(pc);
		snprintf(u->prefix, pc, "%s://%.*s%s%.*s%.*s/", scheme, (int)ha, rest,
			 hn ? "" : "localhost", (int)(an - ha), rest + ha,
			 keep ? (int)keep : 12, keep ? path : "/debug/pprof");
	}
	char v[32];
	if (seconds > 0) {
		snprintf(v, sizeof v, "%d", seconds);
		u->url = url_with_param(s, "seconds", v);
		free(s);
		u->seconds = seconds;
	} else {
		u->url = s;
		/* pprof reads seconds= as a 32-bit integer; anything else is
		 * left for the server to refuse. Read where it stands: a copy
		 * into a buffer would cut a long value into another number. */
		size_t vn;
		const char *sv = param_span(u->url, "seconds", &vn);
		long secs;
		if (sv && parse_seconds(sv, vn, &secs))
			u->seconds = secs;
	}
	return MT_OK;
}

void url_done(struct mt_url *u)
{
	free(u->url);
	free(u->prefix);
	memset(u, 0, sizeof *u);
}

bool url_param(const char *url, const char *key, char *buf, size_t n)
{
	size_t len;
	const char *v = param_span(url, key, &len);
	buf[0] = 0;
	if (!v)
		return false;
	if (len >= n)
		len = n - 1;
	memcpy(buf, v, len);
	buf[len] = 0;
	return true;
}

char *url_with_param(const char *url, const char *key, const char *value)
{
	size_t end = strcspn(url, "#"), k = strlen(key);
	size_t cap = end + k + strlen(value) + 4;
	char *out = xmalloc(cap);
	const char *q = memchr(url, '?', end);
	/* The first key=... (or bare key) is replaced in place. */
	for (const char *p = q; p && p < url + end;
	     p = memchr(p + 1, '&', (size_t)(url + end - p - 1))) {
		const char *name = p + 1;
		if (strncmp(name, key, k) != 0 ||
		    !(name[k] == '=' || name[k] == '&' || name + k == url + end))
			continue;
		size_t vend = (size_t)(name - url) + k;
		vend += strcspn(url + vend, "&#");
		if (vend > end)
			vend = end;
		snprintf(out, cap, "%.*s%s=%s%.*s", (int)(name - url), url, key, value,
			 (int)(end - vend), url + vend);
		return out;
	}
	snprintf(out, cap, "%.*s%c%s=%s", (int)end, url, q ? '&' : '?', key, value);
	return out;
}

long url_timeout_ms(const struct mt_fetch_opts *o, long seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (o && o->timeout > 0)
		return (long)ceil((o->timeout + (double)seconds) * 1000);
	/* pprof: seconds + seconds/2, else 60 s; its client adds 5 s. */
	return seconds > 0 ? seconds * 1000 + seconds * 500 + 5000 : 65000;
}

/* Whether the index page lists profile name (an <a href='NAME?...'> or
 * href="NAME"). */
static bool index_lists(const char *index, size_t n, const char *name)
{
	size_t k = strlen(name);
	for (const char *p = index; p && p < index + n;) {
		const char *h = memmem(p, (size_t)(index + n - p), "href=", 5);
		if (!h)
			break;
		h += 5;
		if (h < index + n && (*h == '\'' || *h == '"'))
			h++;
		if ((size_t)(index + n - h) > k && memcmp(h, name, k) == 0 &&
		    (h[k] == '?' || h[k] == '\'' || h[k] == '"'))
			return true;
		p = h;
	}
	return false;
}

/* Adds one request of the round. */
static void plan_add(struct url_plan *plan, const char *prefix, const char *name,
		     const char *kind, long seconds)
{
	size_t cap = strlen(prefix) + strlen(name) + 1;
	char *u = xmalloc(cap);
	snprintf(u, cap, "%s%s", prefix, name);
	if (seconds > 0) {
		char v[32];
		snprintf(v, sizeof v, "%ld", seconds);
		char *w = url_with_param(u, "seconds", v);
		free(u);
		u = w;
	}
	struct url_req r = {.url = u, .kind = kind, .seconds = seconds};
	VEC_PUSH(*plan, r);
}

void url_service_plan(const struct mt_url *u, const char *index, size_t n,
		      struct url_plan *plan)
{
	/* What net/http/pprof serves that memtop keeps; delta profiles where
	 * Go makes them (seconds and debug do not go together). */
	static const struct {
		const char *name, *kind;
		bool delta, listed_only;
	} profiles[] = {
	    {"heap", "heap", true, false},
	    {"allocs", "allocs", true, false},
	    {"goroutine?debug=2", "goroutine-dump", false, false},
	    {"mutex", "mutex", true, false},
	    {"block", "block", true, false},
	    {"goroutineleak", "goroutineleak", false, true},
	};
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)strcspn(profiles[i].name, "?"),
			 profiles[i].name);
		/* The heap is always asked for: it is what the round is for. */
		bool listed =
		    index ? index_lists(index, n, name) : !profiles[i].listed_only;
		if (!listed && strcmp(name, "heap") != 0)
			continue;
		plan_add(plan, u->prefix, profiles[i].name, profiles[i].kind,
			 profiles[i].delta ? u->seconds : 0);
	}
	/* expvar's /debug/vars beside /debug/pprof/. */
	size_t pl = strlen(u->prefix);
	static const char pp[] = "pprof/";
	if (pl >= sizeof pp - 1 && strcmp(u->prefix + pl - (sizeof pp - 1), pp) == 0) {
		char *vars = xmalloc(pl + 8);
		snprintf(vars, pl + 8, "%.*svars", (int)(pl - (sizeof pp - 1)),
			 u->prefix);
		struct url_req r = {.url = vars, .kind = "expvar", .optional = true};
		VEC_PUSH(*plan, r);
	}
}

void url_plan_done(struct url_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		free(plan->v[i].url);
	free(plan->v);
	memset(plan, 0, sizeof *plan);
}
