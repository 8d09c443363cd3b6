/* fleet.c - store references, their windows and one HTTP exchange with a
 * store (fleet.h). The stores' own protocols are pyroscope.c and parca.c. */
#include "collect/fleet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/timefmt.h"
#include "base/util.h"
#include "collect/collect.h"
#include "collect/parca.h"
#include "collect/pyroscope.h"

static const struct {
	const char *scheme;
	enum fleet_store store;
	bool tls;
	int port;
	int64_t window_ns; /* the store's default scrape interval */
} schemes[] = {
    {"pyroscope://", FLEET_PYROSCOPE, false, 4040, 15000000000LL},
    {"pyroscope+https://", FLEET_PYROSCOPE, true, 4040, 15000000000LL},
    {"parca://", FLEET_PARCA, false, 7070, 10000000000LL},
    {"parca+https://", FLEET_PARCA, true, 7070, 10000000000LL},
};

/* Short names: the type ids Go services' profiles get in each store. */
static const struct {
	const char *name, *pyroscope, *parca;
} short_types[] = {
    {"heap", "memory:inuse_space:bytes:space:bytes",
     "memory:inuse_space:bytes:space:bytes"},
    {"allocs", "memory:alloc_space:bytes:space:bytes",
     "memory:alloc_space:bytes:space:bytes:delta"},
    {"goroutine", "goroutine:goroutine:count:goroutine:count",
     "goroutine:goroutine:count:goroutine:count"},
    {"cpu", "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
     "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta"},
    {"mutex", "mutex:delay:nanoseconds:contentions:count",
     "mutex:delay:nanoseconds:contentions:count:delta"},
    {"block", "block:delay:nanoseconds:contentions:count",
     "block:delay:nanoseconds:contentions:count:delta"},
};

/* Times and durations of a reference stay below this (the year 2096), so
 * that no window's arithmetic overflows. */
#define MAX_TIME_NS 4000000000000000000LL

const char *fleet_store_name(enum fleet_store s)
{
	return s == FLEET_PARCA ? "parca" : "pyroscope";
}

/* The scheme entry ref starts with, or -1. */
static int scheme_of(const char *ref)
{
	for (size_t i = 0; ref && i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncmp(ref, schemes[i].scheme, strlen(schemes[i].scheme)) == 0)
			return (int)i;
	return -1;
}

bool fleet_is_ref(const char *ref) { return scheme_of(ref) >= 0; }

void fleet_ref_done(struct fleet_ref *r)
{
	for (size_t i = 0; i < r->nm; i++) {
		free(r->m[i].name);
		free(r->m[i].value);
	}
	free(r->m);
	free(r->base);
	free(r->type);
	free(r->selector);
	free(r->source);
	free(r->tenant);
	memset(r, 0, sizeof *r);
}

/* s[0..n) percent-decoded ('+' too, in a query value); NULL when an escape
 * is bad or decodes to NUL. */
static char *unescape(const char *s, size_t n, bool plus)
{
	char *o = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3 || mt_hex_digit(s[i + 1]) < 0 ||
			    mt_hex_digit(s[i + 2]) < 0 ||
			    (mt_hex_digit(s[i + 1]) | mt_hex_digit(s[i + 2])) == 0) {
				free(o);
				return NULL;
			}
			o[k++] = (char)(mt_hex_digit(s[i + 1]) << 4 |
					mt_hex_digit(s[i + 2]));
			i += 2;
		} else {
			o[k++] = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	o[k] = 0;
	return o;
}

char *fleet_query_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *o = xmalloc(3 * n + 1), *q = o;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c)) {
			*q++ = (char)c;
		} else {
			*q++ = '%';
			*q++ = hex[c >> 4];
			*q++ = hex[c & 15];
		}
	}
	*q = 0;
	return o;
}

static bool name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.'));
}

/* Parses the selector s ("{...}") into r's matchers. */
static enum mt_status parse_selector(const char *s, struct fleet_ref *r,
				     struct mt_err *e)
{
	size_t i = 0, n = strlen(s);
#define WS()                                                                           \
	while (i < n && (s[i] == ' ' || s[i] == '\t'))                                 \
	i++
	if (n < 2 || s[0] != '{')
		return mt_errf(e, MT_ERR_USAGE, "bad label selector \"%s\"", s);
	i = 1;
	VEC(struct fleet_matcher) v = {0};
	enum mt_status st = MT_OK;
	for (;;) {
		WS();
		if (i < n && s[i] == '}') {
			i++;
			break;
		}
		size_t a = i;
		while (i < n && name_char(s[i], i == a))
			i++;
		if (i == a) {
			st = mt_errf(
			    e, MT_ERR_USAGE,
			    "bad label selector: a label name expected at byte %zu", i);
			break;
		}
		struct fleet_matcher m = {.name = xstrndup(s + a, i - a)};
		WS();
		if (i + 1 < n && (s[i] == '!' || s[i] == '=') &&
		    (s[i + 1] == '~' || s[i + 1] == '=')) {
			if (s[i] == '=' && s[i + 1] == '=') {
				m.op[0] = '=';
				i++;
			} else {
				m.op[0] = s[i];
				m.op[1] = s[i + 1];
				i += 2;
			}
		} else if (i < n && s[i] == '=') {
			m.op[0] = '=';
			i++;
		} else {
			free(m.name);
			st = mt_errf(
			    e, MT_ERR_USAGE,
			    "bad label selector: =, !=, =~ or !~ expected at byte %zu",
			    i);
			break;
		}
		WS();
		if (i >= n || s[i] != '"') {
			free(m.name);
			st = mt_errf(
			    e, MT_ERR_USAGE,
			    "bad label selector: a quoted value expected at byte %zu",
			    i);
			break;
		}
		char *val = xmalloc(n - i + 1);
		size_t k = 0;
		for (i++; i < n && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			val[k++] = s[i];
		}
		val[k] = 0;
		if (i >= n) {
			free(m.name);
			free(val);
			st = mt_errf(e, MT_ERR_USAGE,
				     "bad label selector: unterminated value");
			break;
		}
		i++;
		m.value = val;
		VEC_PUSH(v, m);
		WS();
		if (i < n && s[i] == ',')
			i++;
		else if (!(i < n && s[i] == '}')) {
			st = mt_errf(
			    e, MT_ERR_USAGE,
			    "bad label selector: ',' or '}' expected at byte %zu", i);
			break;
		}
	}
#undef WS
	if (!st && i != n)
		st =
		    mt_errf(e, MT_ERR_USAGE, "bad label selector: bytes after its '}'");
	r->m = v.v;
	r->nm = v.n;
	return st;
}

/* The character at s (a percent escape of {, } or " read as it), and how
 * many bytes it takes. */
static char path_char(const char *s, size_t *len)
{
	*len = 1;
	if (s[0] == '%' && s[1] && s[2]) {
		static const char *const esc[][2] = {
		    {"7B", "{"}, {"7D", "}"}, {"22", "\""}};
		for (size_t k = 0; k < 3; k++)
			if (strncasecmp(s + 1, esc[k][0], 2) == 0) {
				*len = 3;
				return esc[k][1][0];
			}
	}
	return s[0];
}

/* Where the path of s ends: the first '?' or '#' outside braces and
 * quotes (a regular expression may hold either), escaped or not. */
static size_t path_end(const char *s)
{
	bool quoted = false;
	int depth = 0;
	size_t i = 0, len;
	for (; s[i]; i += len) {
		char c = path_char(s + i, &len);
		if (quoted) {
			if (c == '\\' && s[i + 1])
				len++;
			else if (c == '"')
				quoted = false;
		} else if (c == '"' && depth) {
			quoted = true;
		} else if (c == '{') {
			depth++;
		} else if (c == '}') {
			depth--;
		} else if (!depth && (c == '?' || c == '#')) {
			break;
		}
	}
	return i;
}

/* Host and port of the authority a[0..n); *out "host:port". */
static enum mt_status parse_authority(const char *a, size_t n, int port, char **out,
				      struct mt_err *e)
{
	size_t h = n;
	const char *colon = NULL;
	if (n && a[0] == '[') {
		const char *rb = memchr(a, ']', n);
		if (!rb)
			return mt_errf(e, MT_ERR_USAGE, "bad host (an unclosed '[')");
		h = (size_t)(rb - a) + 1;
		if (h < n && a[h] != ':')
			return mt_errf(e, MT_ERR_USAGE, "bad host");
		colon = h < n ? a + h : NULL;
	} else {
		colon = memchr(a, ':', n);
		if (colon)
			h = (size_t)(colon - a);
		for (size_t i = 0; i < h; i++)
			if (!name_char(a[i], false) && a[i] != '-')
				return mt_errf(e, MT_ERR_USAGE, "bad host name");
	}
	if (h == 0)
		return mt_errf(e, MT_ERR_USAGE, "no host");
	if (colon) {
		char *end;
		errno = 0;
		long p = strtol(colon + 1, &end, 10);
		if (errno || end != a + n || end == colon + 1 || p < 1 || p > 65535)
			return mt_errf(e, MT_ERR_USAGE, "bad port");
		port = (int)p;
	}
	char buf[320];
	if (h > 256)
		return mt_errf(e, MT_ERR_USAGE, "host name too long");
	snprintf(buf, sizeof buf, "%.*s:%d", (int)h, a, port);
	*out = xstrdup(buf);
	return MT_OK;
}

/* One parameter k=v of the reference into r. */
static enum mt_status set_param(struct fleet_ref *r, const char *k, const char *v,
				int64_t now_ns, const char **from, const char **until,
				const char **window, struct mt_err *e)
{
	if (strcmp(k, "from") == 0) {
		*from = v;
	} else if (strcmp(k, "until") == 0) {
		*until = v;
	} else if (strcmp(k, "window") == 0) {
		*window = v;
	} else if (strcmp(k, "step") == 0) {
		if (!timefmt_duration(v, &r->step_ns) || r->step_ns < 1000000 ||
		    r->step_ns > MAX_TIME_NS)
			return mt_errf(e, MT_ERR_USAGE,
				       "bad step \"%s\" (a duration: 15s, 5m, 1h)", v);
	} else if (strcmp(k, "tenant") == 0) {
		free(r->tenant);
		r->tenant = xstrdup(v);
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return mt_errf(e, MT_ERR_USAGE, "bad tenant");
	} else if (strcmp(k, "max_nodes") == 0) {
		char *end;
		errno = 0;
		long m = strtol(v, &end, 10);
		if (errno || *end || end == v || m < 1)
			return mt_errf(e, MT_ERR_USAGE, "bad max_nodes \"%s\"", v);
		r->max_nodes = m;
	} else {
		return mt_errf(
		    e, MT_ERR_USAGE,
		    "unknown parameter \"%s\" (from, until, step, window, tenant, "
		    "max_nodes)",
		    k);
	}
	(void)now_ns;
	return MT_OK;
}

enum mt_status fleet_parse(const char *ref, int64_t now_ns, struct fleet_ref *r,
			   struct mt_err *e)
{
	memset(r, 0, sizeof *r);
	int si = scheme_of(ref);
	if (si < 0)
		return mt_errf(e, MT_ERR_USAGE,
			       "not a store reference (pyroscope:// or parca://)");
	r->store = schemes[si].store;
	const char *a = ref + strlen(schemes[si].scheme);
	size_t an = strcspn(a, "/?#");
	char *hostport = NULL;
	enum mt_status st = parse_authority(a, an, schemes[si].port, &hostport, e);
	if (st)
		return st;
	char buf[400];
	snprintf(buf, sizeof buf, "%s://%s", schemes[si].tls ? "https" : "http",
		 hostport);
	r->base = xstrdup(buf);
	const char *p = a + an;
	size_t pe = path_end(p);
	char *path = unescape(p, pe, false);
	char *tail = NULL;
	const char *from = NULL, *until = NULL, *window = NULL;
	if (!path) {
		st = mt_errf(e, MT_ERR_USAGE, "bad percent escape in the path");
		goto out;
	}
	const char *q = path[0] == '/' ? path + 1 : path;
	size_t tn = strcspn(q, "{");
	for (size_t i = 0; i < tn; i++)
		if (!name_char(q[i], false) && q[i] != ':' && q[i] != '-') {
			st = mt_errf(e, MT_ERR_USAGE, "bad profile type \"%.*s\"",
				     (int)tn, q);
			goto out;
		}
	r->type = xstrndup(q, tn);
	for (size_t i = 0; i < sizeof short_types / sizeof short_types[0]; i++)
		if (strcmp(r->type, short_types[i].name) == 0) {
			free(r->type);
			r->type =
			    xstrdup(r->store == FLEET_PARCA ? short_types[i].parca
							    : short_types[i].pyroscope);
			break;
		}
	r->selector = xstrdup(q[tn] ? q + tn : "{}");
	if ((st = parse_selector(r->selector, r, e)))
		goto out;
	/* The parameters. */
	if (p[pe] == '?') {
		tail = xstrdup(p + pe + 1);
		char *h = strchr(tail, '#');
		if (h)
			*h = 0;
		for (char *s = tail, *next; s && *s; s = next) {
			next = strchr(s, '&');
			if (next)
				*next++ = 0;
			char *eq = strchr(s, '=');
			if (!eq) {
				st = mt_errf(e, MT_ERR_USAGE,
					     "parameter \"%s\" without a value", s);
				goto out;
			}
			*eq = 0;
			char *v = unescape(eq + 1, strlen(eq + 1), true);
			if (!v) {
				st = mt_errf(e, MT_ERR_USAGE,
					     "bad percent escape in %s=", s);
				goto out;
			}
			/* The values are kept in tail's place: v is never longer. */
			strcpy(eq + 1, v);
			free(v);
			if ((st = set_param(r, s, eq + 1, now_ns, &from, &until,
					    &window, e)))
				goto out;
		}
	}
	r->until_ns = now_ns;
	if (until && (!timefmt_parse(until, now_ns, &r->until_ns) || r->until_ns < 0 ||
		      r->until_ns > MAX_TIME_NS)) {
		st = mt_errf(
		    e, MT_ERR_USAGE,
		    "bad until \"%s\" (RFC 3339, Unix seconds, now, now-1h or -1h)",
		    until);
		goto out;
	}
	if (from) {
		if (!timefmt_parse(from, now_ns, &r->from_ns) || r->from_ns < 0 ||
		    r->from_ns > MAX_TIME_NS) {
			st = mt_errf(
			    e, MT_ERR_USAGE,
			    "bad from \"%s\" (RFC 3339, Unix seconds, now, now-1h or "
			    "-1h)",
			    from);
			goto out;
		}
		r->has_from = true;
		if (r->from_ns >= r->until_ns) {
			st = mt_errf(e, MT_ERR_USAGE, "from is not before until");
			goto out;
		}
	}
	r->window_ns = schemes[si].window_ns;
	if (r->step_ns && r->step_ns < r->window_ns)
		r->window_ns = r->step_ns;
	if (window && (!timefmt_duration(window, &r->window_ns) ||
		       r->window_ns < 1000000 || r->window_ns > MAX_TIME_NS)) {
		st = mt_errf(e, MT_ERR_USAGE, "bad window \"%s\" (a duration: 15s, 5m)",
			     window);
		goto out;
	}
	if (r->step_ns) {
		if (!r->has_from) {
			st = mt_errf(e, MT_ERR_USAGE, "step= needs from=");
			goto out;
		}
		if ((r->until_ns - r->from_ns) / r->step_ns > FLEET_MAX_WINDOWS) {
			st = mt_errf(
			    e, MT_ERR_USAGE,
			    "more than %d snapshots in that range (a longer step)",
			    FLEET_MAX_WINDOWS);
			goto out;
		}
		if ((r->until_ns - r->from_ns) / r->step_ns < 1) {
			st = mt_errf(e, MT_ERR_USAGE,
				     "no whole step between from and until");
			goto out;
		}
	}
	/* The series key: the reference without its range. */
	size_t sl = strlen(schemes[si].scheme) + strlen(hostport) + strlen(r->type) +
		    strlen(r->selector) + (r->tenant ? strlen(r->tenant) * 3 : 0) + 16;
	r->source = xmalloc(sl);
	char *te = r->tenant ? fleet_query_escape(r->tenant) : NULL;
	snprintf(r->source, sl, "%s%s/%s%s%s%s", schemes[si].scheme, hostport, r->type,
		 r->selector, te ? "?tenant=" : "", te ? te : "");
	free(te);
out:
	free(hostport);
	free(path);
	free(tail);
	if (st)
		fleet_ref_done(r);
	return st;
}

void fleet_windows(const struct fleet_ref *r, int64_t **start, int64_t **end, size_t *n)
{
	size_t k = r->step_ns ? (size_t)((r->until_ns - r->from_ns) / r->step_ns) : 1;
	*start = xcalloc(k + 1, sizeof **start);
	*end = xcalloc(k + 1, sizeof **end);
	*n = k;
	if (!r->step_ns) {
		(*end)[0] = r->until_ns;
		(*start)[0] = r->has_from ? r->from_ns : r->until_ns - r->window_ns;
		return;
	}
	for (size_t i = 0; i < k; i++) {
		(*end)[i] = r->from_ns + (int64_t)(i + 1) * r->step_ns;
		(*start)[i] = (*end)[i] - r->window_ns;
	}
}

enum mt_status fleet_http(const struct fleet_ref *r, const char *path, const void *post,
			  size_t npost, const char *content_type,
			  const struct mt_fetch_opts *o, uint8_t **body, size_t *n,
			  long *status, struct mt_err *e)
{
	if (status)
		*status = 0;
	*body = NULL;
	*n = 0;
	enum mt_status st = collect_global_init(e);
	if (st)
		return st;
	size_t ul = strlen(r->base) + strlen(path) + 1;
	char *url = xmalloc(ul);
	snprintf(url, ul, "%s%s", r->base, path);
	char ct[160], tenant[300];
	const char *h[6];
	size_t nh = 0;
	if (content_type) {
		snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
		h[nh++] = ct;
	}
	if (r->tenant) {
		snprintf(tenant, sizeof tenant, "X-Scope-OrgID: %.250s", r->tenant);
		h[nh++] = tenant;
	}
	if (post) {
		h[nh++] = "Expect:"; /* no 100-continue round trip */
		if (r->store == FLEET_PYROSCOPE)
			h[nh++] = "Connect-Protocol-Version: 1";
	}
	h[nh] = NULL;
	static const uint8_t empty[1];
	struct collect_req q = {.url = url,
				.kind = COLLECT_KIND_RAW,
				.timeout_ms = url_timeout_ms(o, 0),
				.post = post ? (npost ? post : empty) : NULL,
				.npost = npost,
				.headers = h};
	struct collect_opts co = {.max_body = o ? o->max_body : 0};
	collect_fetch_many(&q, 1, &co);
	free(url);
	collect_global_done();
	if (status)
		*status = q.status;
	if (q.st) {
		*e = q.e;
		return q.st;
	}
	*body = q.body;
	*n = q.n;
	return MT_OK;
}

void fleet_series_done(struct fleet_series *s)
{
	for (size_t i = 0; i < s->names.n; i++)
		free(s->names.v[i]);
	for (size_t i = 0; i < s->values.n; i++)
		free(s->values.v[i]);
	free(s->names.v);
	free(s->values.v);
	free(s->points.v);
	memset(s, 0, sizeof *s);
}

void fleet_listing_done(struct fleet_listing *l)
{
	for (size_t i = 0; i < l->series.n; i++)
		fleet_series_done(&l->series.v[i]);
	free(l->series.v);
	for (size_t i = 0; i < l->types.n; i++)
		free(l->types.v[i]);
	free(l->types.v);
	for (size_t i = 0; i < l->labels.n; i++) {
		for (size_t k = 0; k < l->labels.v[i].values.n; k++)
			free(l->labels.v[i].values.v[k]);
		free(l->labels.v[i].values.v);
		free(l->labels.v[i].name);
	}
	free(l->labels.v);
	memset(l, 0, sizeof *l);
}

enum mt_status fleet_merge(const struct fleet_ref *r, int64_t start_ns, int64_t end_ns,
			   const struct mt_fetch_opts *o, uint8_t **pprof, size_t *n,
			   struct mt_err *e)
{
	*pprof = NULL;
	*n = 0;
	if (!*r->type)
		return mt_errf(
		    e, MT_ERR_USAGE,
		    "no profile type in the reference (memtop ls %s lists them)",
		    r->base);
	return r->store == FLEET_PARCA
		   ? parca_merge(r, start_ns, end_ns, o, pprof, n, e)
		   : pyroscope_merge(r, start_ns, end_ns, o, pprof, n, e);
}

enum mt_status fleet_list(const struct fleet_ref *r, const struct mt_fetch_opts *o,
			  struct fleet_listing *l, struct mt_err *e)
{
	memset(l, 0, sizeof *l);
	enum mt_status st = r->store == FLEET_PARCA ? parca_list(r, o, l, e)
						    : pyroscope_list(r, o, l, e);
	if (st)
		fleet_listing_done(l);
	return st;
}

enum mt_status fleet_push(const struct fleet_ref *r, const struct fleet_pair *p,
			  size_t np, const uint8_t *raw, size_t n,
			  const struct mt_fetch_opts *o, struct mt_err *e)
{
	return r->store == FLEET_PARCA ? parca_push(r, p, np, raw, n, o, e)
				       : pyroscope_push(r, p, np, raw, n, o, e);
}
