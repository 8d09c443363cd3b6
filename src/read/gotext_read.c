/* gotext_read.c - the legacy texts whose grammar pprof's legacy parser
 * knows: `heap profile:` (Go's debug=1 heap and allocs, gperftools heap,
 * growthz), Go's goroutine/threadcreate counts, and contention profiles (Go's
 * mutex and block debug=1, gperftools contentionz).
 *
 * A sample line is followed by its `#` lines in Go's texts; the sample is
 * kept pending until the next sample line (or the end) so that its frames
 * and labels are known when it is appended.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "read/legacy_int.h"

/* The sample waiting for its `#` lines. */
struct pending {
	int64_t v[4];
	const char *at;
	bool have;
};

static enum mt_status flush(struct lb *b, struct pending *pd)
{
	if (!pd->have)
		return MT_OK;
	pd->have = false;
	return lb_sample(b, pd->v, pd->at);
}

/* A `#` line: part of the pending sample, or a comment. */
static enum mt_status hash_line(struct lb *b, struct pending *pd, const struct span *l)
{
	if (!pd->have)
		return MT_OK;
	return lb_hash_line(b, l);
}

/* Expects c at p after optional blanks; returns the position after it. */
static const char *expect(const char *p, const char *e, char c)
{
	p = skip_ws(p, e);
	return p && p < e && *p == c ? p + 1 : NULL;
}

/* ------------------------------------------------------------------ */
/* heap profile:                                                       */

struct heap_hdr {
	int64_t period;
	bool v2, has_alloc;
};

/* `heap profile: A: B [C: D] @ KIND[/RATE]`, with pprof's reading of it. */
static enum mt_status heap_header(struct lb *b, const struct span *l,
				  struct heap_hdr *h)
{
	const char *p = l->s + strlen("heap profile:"), *e = l->e;
	const char *num[4][2];
	for (int i = 0; i < 4; i++) {
		if (i == 2 && !(p = expect(p, e, '[')))
			goto bad;
		p = skip_ws(p, e);
		num[i][0] = p;
		int64_t v;
		if (!(p = parse_i64(p, e, false, &v)))
			goto bad;
		num[i][1] = p;
		if (i % 2 == 0 && !(p = expect(p, e, ':')))
			goto bad;
	}
	if (!(p = expect(p, e, ']')) || !(p = expect(p, e, '@')))
		goto bad;
	p = skip_ws(p, e);
	const char *k = p;
	while (p < e && (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
		p++;
	size_t kn = (size_t)(p - k);
	int64_t rate = 0;
	if (p < e && *p == '/')
		p++;
	if (p < e && *p >= '0' && *p <= '9' && !(p = parse_i64(p, e, false, &rate)))
		goto bad;
#define KIND(w) (kn == strlen(w) && memcmp(k, w, kn) == 0)
	memset(h, 0, sizeof *h);
	if (kn >= 4 && memcmp(k, "heap", 4) == 0) {
		/* Allocation totals that differ from the in-use ones (and are
		 * not zero) mean the profile records both. */
		size_t l0 = (size_t)(num[0][1] - num[0][0]), l2 = (size_t)(num[2][1] - num[2][0]);
		size_t l1 = (size_t)(num[1][1] - num[1][0]), l3 = (size_t)(num[3][1] - num[3][0]);
		bool z2 = l2 == 1 && num[2][0][0] == '0', z3 = l3 == 1 && num[3][0][0] == '0';
		h->has_alloc = ((l2 != l0 || memcmp(num[2][0], num[0][0], l0)) && !z2) ||
			       ((l3 != l1 || memcmp(num[3][0], num[1][0], l1)) && !z3);
		if (KIND("heapz_v2") || KIND("heap_v2")) {
			h->v2 = true;
			h->period = rate;
		} else if (KIND("heapprofile")) {
			h->period = 1;
		} else if (KIND("heap")) {
			/* Go writes twice its MemProfileRate here. */
			h->v2 = true;
			h->period = rate / 2;
		} else {
			return lb_fail(b, k, "unknown heap profile kind \"%.*s\"", (int)kn, k);
		}
	} else if ((kn >= 6 && memcmp(k, "growth", 6) == 0) ||
		   (kn >= 13 && memcmp(k, "fragmentation", 13) == 0)) {
		h->period = 1;
	} else {
		return lb_fail(b, k, "unknown heap profile kind \"%.*s\"", (int)kn, k);
	}
#undef KIND
	return MT_OK;
bad:
	return lb_fail(b, p ? p : l->s, "malformed heap profile header");
}

/* One (count, size) pair of a heap sample, unsampled; blocksize is the
 * average size of the last non-empty pair, as pprof labels it. */
static enum mt_status heap_pair(struct lb *b, const struct heap_hdr *h, int64_t c,
				int64_t s, int64_t *out, int64_t *blocksize,
				const char *at, const char *what)
{
	if (c == 0 && s != 0)
		return lb_fail(b, at, "%s count was 0 but %s bytes was %lld", what, what,
			       (long long)s);
	if (c != 0) {
		*blocksize = (c == -1 && s == INT64_MIN) ? 0 : s / c;
		if (h->v2 && !legacy_scale_heap(&c, &s, h->period))
			return lb_fail(b, at, "%s value out of range after unsampling", what);
	}
	out[0] = c;
	out[1] = s;
	return MT_OK;
}

/* `N: B [N: B] @ addrs` */
static enum mt_status heap_sample(struct lb *b, const struct heap_hdr *h,
				  const struct span *l, struct pending *pd)
{
	const char *p = l->s, *e = l->e;
	int64_t v[4];
	enum mt_status st;
	for (int i = 0; i < 4; i++) {
		if (i == 2 && !(p = expect(p, e, '[')))
			goto bad;
		p = skip_ws(p, e);
		if (!(p = parse_i64(p, e, i < 2, &v[i])))
			goto bad;
		if (i % 2 == 0 && !(p = expect(p, e, ':')))
			goto bad;
	}
	if (!(p = expect(p, e, ']')) || !(p = expect(p, e, '@')))
		goto bad;
	if ((st = lb_parse_addrs(b, p, e)))
		return st;
	int64_t bs = 0;
	int64_t *out = pd->v;
	if (h->has_alloc) {
		if ((st = heap_pair(b, h, v[2], v[3], out, &bs, l->s, "allocation")))
			return st;
		out += 2;
	}
	if ((st = heap_pair(b, h, v[0], v[1], out, &bs, l->s, "inuse")))
		return st;
	struct mt_label lab = {.key = strtab_intern(&b->p->strs, "bytes", 5),
			       .num = bs, .is_num = true};
	VEC_PUSH(b->lbls, lab);
	pd->at = l->s;
	pd->have = true;
	return MT_OK;
bad:
	return lb_fail(b, p ? p : l->s, "malformed heap sample");
}

static enum mt_status heap_run(struct lb *b)
{
	struct span l = {0};
	struct heap_hdr h;
	enum mt_status st;
	do {
		if (!lb_next_line(b, &l))
			return lb_fail(b, b->end, "no heap profile header");
	} while (l.s == l.e);
	if (!span_prefix(&l, "heap profile:"))
		return lb_fail(b, l.s, "no heap profile header");
	if ((st = heap_header(b, &l, &h)))
		return st;
	static const char *const four[] = {"alloc_objects", "count", "alloc_space", "bytes",
					   "inuse_objects", "count", "inuse_space", "bytes"};
	static const char *const two[] = {"objects", "count", "space", "bytes"};
	if (h.has_alloc)
		lb_types(b, four, 4);
	else
		lb_types(b, two, 2);
	lb_period(b, "space", "bytes", h.period);

	struct pending pd = {0};
	l.s = NULL;
	struct span cur;
	while (lb_next_line(b, &cur)) {
		if (cur.s == cur.e)
			continue;
		if (*cur.s == '#') {
			if ((st = hash_line(b, &pd, &cur)))
				return st;
			continue;
		}
		if ((st = flush(b, &pd)))
			return st;
		if (lb_is_map_sentinel(&cur)) {
			l = cur;
			break;
		}
		if ((st = heap_sample(b, &h, &cur, &pd)))
			return st;
	}
	if ((st = flush(b, &pd)))
		return st;
	if (l.s && (st = lb_additional_sections(b, &l)))
		return st;
	return MT_OK;
}

/* ------------------------------------------------------------------ */
/* goroutine / threadcreate counts                                     */

static enum mt_status count_run(struct lb *b)
{
	struct span l;
	enum mt_status st;
	do {
		if (!lb_next_line(b, &l))
			return lb_fail(b, b->end, "no count profile header");
	} while (l.s == l.e || *l.s == '#');
	/* NAME profile: total N */
	const char *p = l.s, *e = l.e;
	while (p < e && *p != ' ' && *p != '\t')
		p++;
	size_t tn = (size_t)(p - l.s);
	int64_t total;
	p = skip_ws(p, e);
	if (!tn || e - p < 15 || memcmp(p, "profile: total ", 15) != 0 ||
	    parse_i64(p + 15, e, false, &total) != e)
		return lb_fail(b, l.s, "malformed count profile header");
	char type[64];
	snprintf(type, sizeof type, "%.*s", (int)(tn < 63 ? tn : 63), l.s);
	const char *const types[] = {type, "count"};
	lb_types(b, types, 1);
	lb_period(b, type, "count", 1);

	struct pending pd = {0};
	struct span stop = {0};
	while (lb_next_line(b, &l)) {
		if (l.s == l.e)
			continue;
		if (*l.s == '#') {
			if ((st = hash_line(b, &pd, &l)))
				return st;
			continue;
		}
		if ((st = flush(b, &pd)))
			return st;
		if (span_prefix(&l, "---")) {
			stop = l;
			break;
		}
		/* N @ addrs */
		p = l.s;
		if (!(p = parse_i64(p, l.e, false, &pd.v[0])) || !(p = expect(p, l.e, '@')))
			return lb_fail(b, l.s, "malformed count sample");
		if ((st = lb_parse_addrs(b, p, l.e)))
			return st;
		pd.at = l.s;
		pd.have = true;
	}
	if ((st = flush(b, &pd)))
		return st;
	if (stop.s && (st = lb_additional_sections(b, &stop)))
		return st;
	return MT_OK;
}

/* ------------------------------------------------------------------ */
/* contention                                                          */

/* An attribute value, as Go's ParseInt(s, 0, 64) reads what the profilers
 * write. */
static bool attr_int(const char *p, const char *e, int64_t *v)
{
	return parse_go_int(p, e, v);
}

static enum mt_status contention_sample(struct lb *b, const struct span *l,
					int64_t period, int64_t cpu_hz,
					struct pending *pd)
{
	const char *p = l->s, *e = l->e;
	int64_t cycles, count;
	enum mt_status st;
	if (!(p = parse_i64(p, e, false, &cycles)))
		goto bad;
	p = skip_ws(p, e);
	if (!(p = parse_i64(p, e, false, &count)) || !(p = expect(p, e, '@')))
		goto bad;
	if ((st = lb_parse_addrs(b, p, e)))
		return st;
	if (period > 0) {
		if (cpu_hz > 0) {
			double ghz = (double)cpu_hz / 1e9;
			double d = (double)cycles * (double)period / ghz;
			if (!(d < 9.2e18))
				return lb_fail(b, l->s, "delay out of range");
			cycles = (int64_t)d;
		}
		if (__builtin_mul_overflow(count, period, &count))
			return lb_fail(b, l->s, "contention count out of range");
	}
	pd->v[0] = count;
	pd->v[1] = cycles;
	pd->at = l->s;
	pd->have = true;
	return MT_OK;
bad:
	return lb_fail(b, p ? p : l->s, "malformed contention sample");
}

static enum mt_status contention_run(struct lb *b)
{
	struct span l;
	enum mt_status st;
	do {
		if (!lb_next_line(b, &l))
			return lb_fail(b, b->end, "no contention profile header");
	} while (l.s == l.e);
	if (!span_prefix(&l, "--- contentionz ") && !span_prefix(&l, "--- mutex:") &&
	    !span_prefix(&l, "--- contention:"))
		return lb_fail(b, l.s, "no contention profile header");
	static const char *const types[] = {"contentions", "count", "delay", "nanoseconds"};
	lb_types(b, types, 2);
	int64_t period = 1, cpu_hz = 0;

	/* `key = value` attributes until the first line without '='. */
	bool more;
	while ((more = lb_next_line(b, &l))) {
		if (l.s == l.e || *l.s == '#')
			continue;
		if (span_prefix(&l, "---"))
			break;
		const char *eq = memchr(l.s, '=', (size_t)(l.e - l.s));
		if (!eq)
			break;
		const char *ke = eq, *v = skip_ws(eq + 1, l.e);
		while (ke > l.s && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		size_t kn = (size_t)(ke - l.s);
#define KEY(k) (kn == strlen(k) && memcmp(l.s, k, kn) == 0)
		int64_t x;
		if (KEY("discarded samples"))
			continue;
		if (!(KEY("cycles/second") || KEY("sampling period") || KEY("ms since reset")))
			return lb_fail(b, l.s, "unsupported contention attribute \"%.*s\"",
				       (int)(kn < 60 ? kn : 60), l.s);
		if (!attr_int(v, l.e, &x))
			return lb_fail(b, v, "bad value of \"%.*s\"", (int)kn, l.s);
		if (KEY("cycles/second"))
			cpu_hz = x;
		else if (KEY("sampling period"))
			period = x;
		else if (__builtin_mul_overflow(x, 1000000, &b->p->duration_nanos))
			return lb_fail(b, v, "duration out of range");
#undef KEY
	}
	lb_period(b, "contentions", "count", period);

	struct pending pd = {0};
	struct span stop = {0};
	for (; more; more = lb_next_line(b, &l)) {
		if (l.s == l.e)
			continue;
		if (*l.s == '#') {
			if ((st = hash_line(b, &pd, &l)))
				return st;
			continue;
		}
		if ((st = flush(b, &pd)))
			return st;
		if (span_prefix(&l, "---")) {
			stop = l;
			break;
		}
		if ((st = contention_sample(b, &l, period, cpu_hz, &pd)))
			return st;
	}
	if ((st = flush(b, &pd)))
		return st;
	if (stop.s && (st = lb_additional_sections(b, &stop)))
		return st;
	return MT_OK;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

typedef enum mt_status (*run_fn)(struct lb *b);

static enum mt_status run(run_fn fn, enum mt_format fmt, const uint8_t *data,
			  size_t n, struct profile *p, const struct mt_limits *lim,
			  struct mt_err *e)
{
	struct lb b;
	lb_init(&b, data, n, p, lim, e);
	enum mt_status st = fn(&b);
	if (!st)
		st = lb_finish(&b, fmt);
	lb_done(&b);
	return st;
}

enum mt_status legacy_parse_heap(const uint8_t *data, size_t n, struct profile *p,
				 const struct mt_limits *lim, struct mt_err *e)
{
	/* Go's own header says `@ heap/R`; anything else is gperftools'. */
	const char *nl = memchr(data, '\n', n);
	size_t hn = nl ? (size_t)(nl - (const char *)data) : n;
	bool go = false;
	for (size_t i = 0; i + 7 <= hn; i++)
		if (memcmp(data + i, "@ heap/", 7) == 0)
			go = true;
	return run(heap_run, go ? MT_FMT_GO_HEAP_TEXT : MT_FMT_TCMALLOC_HEAP, data, n,
		   p, lim, e);
}

enum mt_status legacy_parse_count(const uint8_t *data, size_t n, struct profile *p,
				  const struct mt_limits *lim, struct mt_err *e)
{
	return run(count_run, MT_FMT_GO_COUNT_TEXT, data, n, p, lim, e);
}

enum mt_status legacy_parse_contention(const uint8_t *data, size_t n,
				       struct profile *p, const struct mt_limits *lim,
				       struct mt_err *e)
{
	bool cz = n >= 15 && memmem(data, n < 64 ? n : 64, "--- contentionz", 15);
	return run(contention_run, cz ? MT_FMT_CONTENTIONZ : MT_FMT_GO_CONTENTION_TEXT,
		   data, n, p, lim, e);
}
