/* cheap_read.c - jemalloc's heap profile dumps (`heap_v2/R`), which pprof's
 * Go parser does not read and jeprof does:
 *
 *   heap_v2/524288
 *     t*: 28106: 56637512 [0: 0]        <- totals of the whole process
 *     t0: ...                           <- per thread, ignored
 *   @ 0x7f... 0x55...                   <- a stack, leaf first
 *     t*: 13: 6688 [0: 0]               <- its in-use [allocated] count: bytes
 *     t3: 12: 6496 [0: 0]
 *   MAPPED_LIBRARIES:
 *   55d626917000-55d626918000 r--p 00000000 fe:00 10954080  /path/binary
 *
 * Values are the `t*:` lines, unsampled as jeprof does (rate R), with
 * pprof's sample types and address adjustment, so jemalloc and tcmalloc
 * profiles look alike to everything downstream. jeprof keeps the estimates
 * in floating point and truncates only the sums it prints: the profile keeps
 * them too (p->exact), beside the values truncated per sample.
 */
#include <math.h>
#include <string.h>

#include "read/legacy_int.h"

/* `t*: A: B [C: D]` after the `t*:`; fills v[0..3]. */
static const char *thread_counts(const char *p, const char *e, int64_t *v)
{
	for (int i = 0; i < 4 && p; i++) {
		p = skip_ws(p, e);
		if (i == 2) {
			if (p >= e || *p != '[')
				return NULL;
			p = skip_ws(p + 1, e);
		}
		if (!(p = parse_i64(p, e, false, &v[i])))
			return NULL;
		p = skip_ws(p, e);
		if (i % 2 == 0) {
			if (p >= e || *p != ':')
				return NULL;
			p++;
		}
	}
	if (!p || p >= e || *p != ']')
		return NULL;
	return skip_ws(p + 1, e) == e ? e : NULL;
}

/* One (count, bytes) pair unsampled as jeprof unsamples heap_v2 dumps
 * (AdjustSamples, version 2: divided by the probability 1-exp(-avg/rate) of
 * a block of the average size being sampled): the estimates go to ex, their
 * truncations (what pprof's formula gives) to out. */
static enum mt_status je_pair(struct lb *b, int64_t c, int64_t s, int64_t rate,
			      int64_t *out, double *ex, int64_t *bs, const char *at)
{
	if (c == 0 && s != 0)
		return lb_fail(b, at, "count was 0 but bytes was %lld", (long long)s);
	double ec = (double)c, es = (double)s;
	if (c != 0) {
		*bs = s / c;
		if (s == 0) {
			ec = es = 0; /* nothing sampled to scale (pprof's rule) */
		} else if (rate > 0) {
			double scale = 1 / (1 - exp(-(es / ec) / (double)rate));
			ec *= scale;
			es *= scale;
		}
		if (!(ec < 9.2e18 && es < 9.2e18))
			return lb_fail(b, at, "value out of range after unsampling");
	}
	out[0] = (int64_t)ec;
	out[1] = (int64_t)es;
	ex[0] = ec;
	ex[1] = es;
	return MT_OK;
}

static enum mt_status je_run(struct lb *b)
{
	struct span l;
	enum mt_status st;
	do {
		if (!lb_next_line(b, &l))
			return lb_fail(b, b->end, "no heap_v2 header");
	} while (l.s == l.e);
	int64_t rate;
	if (!span_prefix(&l, "heap_v2/") ||
	    parse_i64(l.s + 8, l.e, false, &rate) != l.e)
		return lb_fail(b, l.s, "malformed heap_v2 header");

	/* The first t*: line holds the totals, which say whether the dump
	 * records allocations besides what is in use. */
	int64_t tot[4];
	do {
		if (!lb_next_line(b, &l))
			return lb_fail(b, b->end, "no totals line");
	} while (l.s == l.e);
	if (!span_prefix(&l, "t*:") || !thread_counts(l.s + 3, l.e, tot))
		return lb_fail(b, l.s, "malformed totals line");
	bool has_alloc = (tot[2] != tot[0] && tot[2] != 0) || (tot[3] != tot[1] && tot[3] != 0);
	static const char *const four[] = {"alloc_objects", "count", "alloc_space", "bytes",
					   "inuse_objects", "count", "inuse_space", "bytes"};
	static const char *const two[] = {"objects", "count", "space", "bytes"};
	if (has_alloc)
		lb_types(b, four, 4);
	else
		lb_types(b, two, 2);
	lb_period(b, "space", "bytes", rate);

	const char *stack_at = NULL; /* a stack waiting for its t*: line */
	bool sentinel = false;
	while (lb_next_line(b, &l)) {
		if (l.s == l.e)
			continue;
		if (lb_is_map_sentinel(&l)) {
			sentinel = true;
			break;
		}
		if (*l.s == '@') {
			if (stack_at)
				return lb_fail(b, stack_at, "stack without a t*: line");
			if ((st = lb_parse_addrs(b, l.s + 1, l.e)))
				return st;
			stack_at = l.s;
			continue;
		}
		if (span_prefix(&l, "t*:")) {
			int64_t v[4], out[4], bs = 0;
			double ex[4];
			if (!thread_counts(l.s + 3, l.e, v))
				return lb_fail(b, l.s, "malformed t*: line");
			if (!stack_at)
				return lb_fail(b, l.s, "t*: line without a stack");
			size_t k = 0;
			if (has_alloc) {
				st = je_pair(b, v[2], v[3], rate, out, ex, &bs, l.s);
				if (st)
					return st;
				k = 2;
			}
			st = je_pair(b, v[0], v[1], rate, out + k, ex + k, &bs, l.s);
			if (st)
				return st;
			struct mt_label lab = {.key = strtab_intern(&b->p->strs, "bytes", 5),
					       .num = bs, .is_num = true};
			VEC_PUSH(b->lbls, lab);
			if ((st = lb_sample(b, out, stack_at)))
				return st;
			for (size_t i = 0; i < k + 2; i++)
				VEC_PUSH(b->p->exact, ex[i]);
			stack_at = NULL;
			continue;
		}
		if (*l.s == 't') {
			int64_t v[4];
			const char *p = l.s + 1;
			while (p < l.e && *p >= '0' && *p <= '9')
				p++;
			if (p == l.s + 1 || p >= l.e || *p != ':' ||
			    !thread_counts(p + 1, l.e, v))
				return lb_fail(b, l.s, "malformed thread line");
			continue;
		}
		return lb_fail(b, l.s, "unexpected line in a jemalloc heap profile");
	}
	if (stack_at)
		return lb_fail(b, stack_at, "stack without a t*: line");
	if (sentinel && (st = lb_parse_maps(b)))
		return st;
	return MT_OK;
}

enum mt_status legacy_parse_jemalloc(const uint8_t *data, size_t n, struct profile *p,
				     const struct mt_limits *lim, struct mt_err *e)
{
	struct lb b;
	lb_init(&b, data, n, p, lim, e);
	enum mt_status st = je_run(&b);
	if (!st)
		st = lb_finish(&b, MT_FMT_JEMALLOC_HEAP);
	lb_done(&b);
	return st;
}
