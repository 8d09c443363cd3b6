/* legacy_cpu.c - gperftools' binary CPU profiles (C++, and the Java agent's
 * variant) and threadz stack dumps, as pprof's legacy parser reads them.
 *
 * A CPU profile is a sequence of words of 32 or 64 bits in the writer's
 * byte order, which pprof finds by trying each for a valid header:
 *
 *   0, 3, 0 (C++) or 1 (Java), sampling period in microseconds, 0
 *   count, depth, pc1 .. pcN        <- one per stack, leaf first
 *   0, 1, 0                         <- the end
 *
 * then text: a /proc/PID/maps (C++) or the location section of a Java
 * profile (java_read.c). The leaf is the interrupted PC and every caller a
 * return address; pprof drops the signal handler's frames (a second frame
 * shared by nearly every stack) and leaf PCs recorded twice.
 *
 * A threadz dump lists threads with the addresses of their stacks (any
 * `0x...` on a line counts, `creator:` lines included), then a memory map:
 *
 *   --- threadz 1 ---
 *   --- Thread 7f794ab90940 (name: main/14748) stack: ---
 *     PC:  0x00bc8f1c: helper(arg *)
 *     0x0040be31: main
 *   --- Thread 7f7948978700 (name: thread3/14759) stack: ---
 *     [same as previous thread]      <- one more for the stack before
 *   --- Memory map: ---
 */
#include <stdlib.h>
#include <string.h>

#include "read/legacy_int.h"

/* ------------------------------------------------------------------ */
/* Words                                                               */

struct words {
	const uint8_t *d;
	size_t n, at;
	unsigned size; /* 4 or 8 */
	bool big;
};

/* The next word, or false when fewer than a word's bytes are left. */
static bool word(struct words *w, uint64_t *v)
{
	if (w->n - w->at < w->size)
		return false;
	const uint8_t *p = w->d + w->at;
	uint64_t x = 0;
	for (unsigned i = 0; i < w->size; i++)
		x |= (uint64_t)p[w->big ? w->size - 1 - i : i] << (8 * i);
	w->at += w->size;
	*v = x;
	return true;
}

/* pprof's header check, in its order of word formats (32-bit little and
 * big endian, then 64-bit): w is left after the header; 0 when none fits,
 * else 1 for C++ and 2 for Java. */
static int cpu_header(const uint8_t *d, size_t n, struct words *w, uint64_t *period)
{
	static const struct {
		unsigned size;
		bool big;
	} forms[] = {{4, false}, {4, true}, {8, false}, {8, true}};
	for (size_t f = 0; f < 4; f++) {
		*w = (struct words){
		    .d = d, .n = n, .size = forms[f].size, .big = forms[f].big};
		uint64_t h[5];
		bool ok = true;
		for (int i = 0; i < 5 && ok; i++)
			ok = word(w, &h[i]);
		if (ok && h[0] == 0 && h[1] == 3 && h[2] <= 1 && h[3] > 0 &&
		    h[4] == 0) {
			*period = h[3];
			return (int)h[2] + 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Binary CPU profiles                                                 */

/* Removes frame k of sample s. */
static void drop_frame(struct profile *p, struct mt_sample *s, uint32_t k)
{
	uint32_t *v = VEC_AT(p->sample_locs, s->loc0);
	memmove(v + k, v + k + 1, (s->nloc - k - 1) * sizeof *v);
	s->nloc--;
}

static uint64_t frame_addr(const struct profile *p, const struct mt_sample *s,
			   uint32_t k)
{
	return p->locations.v[p->sample_locs.v[s->loc0 + k]].address;
}

/* pprof's cpuProfile heuristic: a second frame shared by all but one in 32
 * stacks is the signal handler's, dropped from every stack; twice. */
static void drop_handler_frames(struct profile *p)
{
	size_t margin = p->samples.n / 32;
	uint32_t *count = xcalloc(p->locations.n + 1, sizeof *count);
	for (int iter = 0; iter < 2; iter++) {
		memset(count, 0, p->locations.n * sizeof *count);
		for (size_t i = 0; i < p->samples.n; i++) {
			const struct mt_sample *s = &p->samples.v[i];
			if (s->nloc > 1)
				count[p->sample_locs.v[s->loc0 + 1]]++;
		}
		/* Locations are unique per address, and at most one address
		 * can reach the bar (two would need more stacks than exist). */
		size_t hit = SIZE_MAX;
		for (size_t li = 0; li < p->locations.n && hit == SIZE_MAX; li++)
			if (count[li] && count[li] >= p->samples.n - margin)
				hit = li;
		if (hit == SIZE_MAX)
			continue;
		for (size_t i = 0; i < p->samples.n; i++) {
			struct mt_sample *s = &p->samples.v[i];
			if (s->nloc > 1 && p->sample_locs.v[s->loc0 + 1] == hit)
				drop_frame(p, s, 1);
		}
	}
	free(count);
}

/* pprof's remapLocationIDs: keeps the locations samples use, numbered in
 * order of first use. */
static void keep_used_locations(struct profile *p)
{
	uint32_t *to = xmalloc((p->locations.n + 1) * sizeof *to);
	memset(to, 0xff, (p->locations.n + 1) * sizeof *to);
	size_t k = 0;
	struct mt_location *kept = xmalloc((p->locations.n + 1) * sizeof *kept);
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct mt_sample *s = &p->samples.v[i];
		for (uint32_t j = 0; j < s->nloc; j++) {
			uint32_t *l = &p->sample_locs.v[s->loc0 + j];
			if (to[*l] == MT_NONE) {
				to[*l] = (uint32_t)k;
				kept[k] = p->locations.v[*l];
				kept[k].id = k + 1;
				k++;
			}
			*l = to[*l];
		}
	}
	if (k)
		memcpy(p->locations.v, kept, k * sizeof *kept);
	p->locations.n = k;
	free(kept);
	free(to);
}

/* pprof's cleanupDuplicateLocations: a leaf PC recorded twice, once as if
 * a return address (one less), keeps only the leaf. */
static void drop_duplicate_leaves(struct profile *p)
{
	for (size_t i = 0; i < p->samples.n; i++) {
		struct mt_sample *s = &p->samples.v[i];
		if (s->nloc > 1 && frame_addr(p, s, 0) == frame_addr(p, s, 1) + 1)
			drop_frame(p, s, 1);
	}
}

static enum mt_status cpu_run(struct lb *b, bool *java)
{
	struct words w;
	uint64_t us;
	int kind =
	    cpu_header((const uint8_t *)b->base, (size_t)(b->end - b->base), &w, &us);
	if (!kind)
		return lb_fail(b, b->base, "no CPU profile header");
	*java = kind == 2;
	int64_t period;
	if (us > INT64_MAX / 1000)
		return lb_fail(b, b->base, "sampling period out of range");
	period = (int64_t)us * 1000;
	static const char *const types[] = {"samples", "count", "cpu", "nanoseconds"};
	lb_types(b, types, 2);
	lb_period(b, "cpu", "nanoseconds", period);
	/* The leaf is where the signal came; Java's numbers are ids. */
	b->adjust_from = *java ? SIZE_MAX : 1;
	enum mt_status st;
	while (w.at < w.n) {
		const char *at = b->base + w.at;
		uint64_t count, depth, a = 0;
		if (!word(&w, &count) || !word(&w, &depth))
			return lb_fail(b, at, "truncated CPU profile sample");
		if (depth > (w.n - w.at) / w.size)
			return lb_fail(
			    b, at, "stack of %llu frames past the end of the profile",
			    (unsigned long long)depth);
		if (depth > b->lim->max_frames)
			return lb_fail(
			    b, at, "more than %zu frames in a sample (--max-frames)",
			    b->lim->max_frames);
		b->addrs.n = 0;
		for (uint64_t i = 0; i < depth; i++) {
			word(&w, &a);
			VEC_PUSH(b->addrs, a);
		}
		if (count == 0 && depth == 1 && b->addrs.v[0] == 0) {
			b->addrs.n = 0;
			break; /* the end of the samples */
		}
		int64_t v[2];
		if (count > INT64_MAX ||
		    __builtin_mul_overflow((int64_t)count, period, &v[1]))
			return lb_fail(b, at, "sample count out of range");
		v[0] = (int64_t)count;
		if ((st = lb_sample(b, v, at)))
			return st;
	}
	b->cur = b->base + w.at;
	if (*java)
		return MT_OK;
	drop_handler_frames(b->p);
	keep_used_locations(b->p);
	return lb_parse_maps(b);
}

enum mt_status legacy_parse_cpu(const uint8_t *data, size_t n, struct profile *p,
				const struct mt_limits *lim, struct mt_err *e)
{
	struct lb b;
	lb_init(&b, data, n, p, lim, e);
	bool java = false;
	enum mt_status st = cpu_run(&b, &java);
	if (!st && java)
		st = java_finish(&b, MT_FMT_JAVA_CPU);
	else if (!st) {
		st = lb_finish(&b, MT_FMT_GPERF_CPU);
		drop_duplicate_leaves(p);
	}
	lb_done(&b);
	return st;
}

/* ------------------------------------------------------------------ */
/* threadz                                                             */

static bool digits_at(const char **p, const char *e, bool hex)
{
	const char *s = *p;
	while (*p < e && ((**p >= '0' && **p <= '9') ||
			  (hex && ((**p | 32) >= 'a' && (**p | 32) <= 'f'))))
		(*p)++;
	return *p > s;
}

/* pprof's `--- threadz \d+ ---`, anywhere in the line. */
static bool threadz_header(const char *s, const char *e)
{
	for (const char *p = s; (p = memmem(p, (size_t)(e - p), "--- threadz ", 12));
	     p++) {
		const char *q = p + 12;
		if (digits_at(&q, e, false) && e - q >= 4 && memcmp(q, " ---", 4) == 0)
			return true;
	}
	return false;
}

/* pprof's `--- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: ---`,
 * anywhere in the line. */
static bool thread_header(const char *s, const char *e)
{
	static const char tail[] = ") stack: ---";
	for (const char *p = s; (p = memmem(p, (size_t)(e - p), "--- Thread ", 11));
	     p++) {
		const char *q = p + 11;
		if (!digits_at(&q, e, true) || e - q < 8 ||
		    memcmp(q, " (name: ", 8) != 0)
			continue;
		q += 8;
		/* Some `/digits) stack: ---` after the name. */
		for (const char *t = q; (t = memmem(t, (size_t)(e - t), tail, 12));
		     t++) {
			const char *d = t;
			while (d > q && d[-1] >= '0' && d[-1] <= '9')
				d--;
			if (d < t && d > q && d[-1] == '/')
				return true;
		}
	}
	return false;
}

/* Whether the line of span l starts in its first column. */
static bool unindented(const struct lb *b, const struct span *l)
{
	return l->s == b->base || l->s[-1] == '\n';
}

/* The addresses of one thread, up to the line that ends it (a `---` line,
 * or the end: then *last is whatever was read last). */
static enum mt_status thread_stack(struct lb *b, struct span *last, bool *same)
{
	struct span l;
	enum mt_status st;
	*same = false;
	b->addrs.n = 0;
	*last = (struct span){b->end, b->end};
	while (lb_next_line(b, &l)) {
		*last = l;
		if (l.s == l.e)
			continue;
		if (span_prefix(&l, "---"))
			break;
		if (span_contains(&l, "same as previous thread")) {
			*same = true;
			continue;
		}
		if ((st = lb_hex_numbers(b, l.s, l.e)))
			return st;
	}
	if (*same)
		b->addrs.n = 0;
	return MT_OK;
}

static enum mt_status threadz_run(struct lb *b)
{
	struct span l;
	enum mt_status st;
	do {
		if (!lb_next_line(b, &l))
			return lb_fail(b, b->end, "no threadz header");
	} while (l.s == l.e || *l.s == '#');
	if (threadz_header(l.s, l.e)) {
		/* Comments up to the first thread (or a memory map). */
		struct span n;
		while (lb_next_line(b, &n)) {
			l = n;
			if (lb_is_map_sentinel(&l) ||
			    (unindented(b, &l) && *l.s == '-'))
				break;
		}
	} else if (!thread_header(l.s, l.e)) {
		return lb_fail(b, l.s, "no threadz header");
	}
	static const char *const types[] = {"thread", "count"};
	lb_types(b, types, 1);
	lb_period(b, "thread", "count", 1);
	b->adjust_from = 1; /* the leaf is the thread's PC */
	struct profile *p = b->p;
	while (!lb_is_map_sentinel(&l)) {
		if (span_prefix(&l, "---- no stack trace for"))
			break;
		if (!thread_header(l.s, l.e))
			return lb_fail(b, l.s, "expected a `--- Thread` line");
		bool same;
		const char *at = l.s;
		if ((st = thread_stack(b, &l, &same)))
			return st;
		if (b->addrs.n == 0) {
			/* Same as the thread before: one more of its stack. */
			if (p->samples.n) {
				int64_t *v =
				    &p->values
					 .v[(p->samples.n - 1) * p->sample_types.n];
				if (*v == INT64_MAX)
					return lb_fail(b, at,
						       "thread count out of range");
				(*v)++;
			}
			continue;
		}
		int64_t one = 1;
		if ((st = lb_sample(b, &one, at)))
			return st;
	}
	return lb_additional_sections(b, &l);
}

enum mt_status legacy_parse_thread(const uint8_t *data, size_t n, struct profile *p,
				   const struct mt_limits *lim, struct mt_err *e)
{
	struct lb b;
	lb_init(&b, data, n, p, lim, e);
	enum mt_status st = threadz_run(&b);
	if (!st) {
		st = lb_finish(&b, MT_FMT_THREADZ);
		drop_duplicate_leaves(p);
	}
	lb_done(&b);
	return st;
}

/* ------------------------------------------------------------------ */
/* Detection                                                           */

enum mt_format legacy_detect(const uint8_t *d, size_t n)
{
	struct words w;
	uint64_t period;
	int cpu = cpu_header(d, n, &w, &period);
	if (cpu)
		return cpu == 2 ? MT_FMT_JAVA_CPU : MT_FMT_GPERF_CPU;
	enum mt_format f = java_detect(d, n);
	if (f != MT_FMT_UNKNOWN)
		return f;
	/* threadz: the first line that is neither blank nor a comment. */
	const char *s = (const char *)d, *end = s + n;
	while (s < end) {
		const char *le = memchr(s, '\n', (size_t)(end - s));
		if (!le)
			le = end;
		const char *a = s, *z = le;
		while (a < z && (*a == ' ' || *a == '\t' || *a == '\r'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\r'))
			z--;
		if (a < z && *a != '#')
			return threadz_header(a, z) || thread_header(a, z)
				   ? MT_FMT_THREADZ
				   : MT_FMT_UNKNOWN;
		s = le + 1;
	}
	return MT_FMT_UNKNOWN;
}
