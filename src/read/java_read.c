/* java_read.c - the Java profiles pprof's legacy parser reads: `--- heapz 1
 * ---` and `--- contentionz 1 ---` texts with `format = java`, and the
 * location section they share with the binary Java CPU profile
 * (legacy_cpu.c):
 *
 *   --- heapz 1 ---
 *   format = java
 *   resolution = bytes                       <- the unit of the second type
 *             7048     1 @ 0x00000003 0x00000004
 *                                              <- size, count @ location ids
 *    0x00000003 com.example.function003 (Source003.java:103)
 *
 * Values come size (or delay) first and count second, the reverse of the
 * other legacy texts. Heap samples are unsampled at Java's fixed 512 KiB
 * rate, contention samples multiplied by the sampling period. The numbers
 * after `@` name entries of the location section, they are no code
 * addresses: as in pprof, no location keeps one.
 */
#include <stdio.h>
#include <string.h>

#include "base/u64map.h"
#include "read/legacy_int.h"

/* pprof's javaHeapzSamplingRate. */
#define JAVA_HEAPZ_RATE 524288

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Go's \s (RE2): ASCII blanks. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static struct span trim(const char *s, const char *e)
{
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	return (struct span){s, e};
}

static bool span_is(const struct span *s, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(s->e - s->s) == n && memcmp(s->s, w, n) == 0;
}

/* pprof's `([\w ]+)=([\w ]+)`, unanchored: the first run of word characters
 * and blanks that is followed by '=' and a word character or blank. */
static bool java_attribute(const char *s, const char *e, struct span *k, struct span *v)
{
	const char *p = s;
	while (p < e) {
		const char *r = p;
		while (p < e && (is_word(*p) || *p == ' '))
			p++;
		if (p > r && p + 1 < e && *p == '=' && (is_word(p[1]) || p[1] == ' ')) {
			const char *q = p + 1;
			while (q < e && (is_word(*q) || *q == ' '))
				q++;
			*k = trim(r, p);
			*v = trim(p + 1, q);
			return true;
		}
		if (p == r)
			p++;
	}
	return false;
}

/* pprof's ` *(\d+) +(\d+) +@ +([ x0-9a-f]*)`, unanchored. A match that
 * starts inside a run of digits goes on as one from the run's first digit
 * would, so one start per run is tried and the scan stays linear. */
static bool java_sample_match(const char *s, const char *e, struct span *a,
			      struct span *c, struct span *ids)
{
	const char *i = s;
	while (i < e) {
		if (!is_digit(*i)) {
			i++;
			continue;
		}
		const char *q = i;
		while (q < e && is_digit(*q))
			q++;
		const char *t = q;
		while (t < e && *t == ' ')
			t++;
		if (t > q && t < e && is_digit(*t)) {
			const char *u = t;
			while (u < e && is_digit(*u))
				u++;
			const char *w = u;
			while (w < e && *w == ' ')
				w++;
			if (w > u && w < e && *w == '@' && w + 1 < e && w[1] == ' ') {
				const char *z = w + 1;
				while (z < e &&
				       (*z == ' ' || *z == 'x' || is_digit(*z) ||
					(*z >= 'a' && *z <= 'f')))
					z++;
				*a = (struct span){i, q};
				*c = (struct span){t, u};
				*ids = (struct span){w + 1, z};
				return true;
			}
		}
		i = q;
	}
	return false;
}

/* Go's filepath.Base. */
static struct span path_base(const char *s, const char *e)
{
	static const char dot[] = ".", slash[] = "/";
	if (s == e)
		return (struct span){dot, dot + 1};
	while (e > s && e[-1] == '/')
		e--;
	const char *b = e;
	while (b > s && b[-1] != '/')
		b--;
	if (b == e)
		return (struct span){slash, slash + 1};
	return (struct span){b, e};
}

/* Splits the text after a location's id as pprof does: `name (file:line)`,
 * `name (path/lib.so)` (the file is the path's base name), a JIT stub, or a
 * name alone ("GC", "VM"). */
static void java_frame(const char *s, const char *e, struct span *name,
		       struct span *file, int64_t *line)
{
	*line = 0;
	*file = (struct span){e, e};
	*name = (struct span){s, e};
	if (e - s >= 4 && e[-1] == ')') {
		/* `^(.*)\s+\((.+):(-?\d+)\)$`: the digits before ')', an
		 * optional '-', then the ':' that ends the file. */
		const char *d = e - 1;
		while (d > s && is_digit(d[-1]))
			d--;
		const char *colon = NULL;
		if (d < e - 1) {
			const char *m = d > s && d[-1] == '-' ? d - 1 : d;
			if (m > s && m[-1] == ':')
				colon = m - 1;
		}
		/* The greedy name: the last '(' after a blank that leaves a
		 * file of at least one byte. */
		for (const char *o = colon && colon - s >= 2 ? colon - 2 : s; o > s;
		     o--) {
			if (*o != '(' || !is_space(o[-1]))
				continue;
			*name = (struct span){s, o - 1};
			*file = (struct span){o + 1, colon};
			int64_t n;
			if (parse_i64(colon + 1, e - 1, true, &n) == e - 1 && n > 0)
				*line = n;
			return;
		}
		/* `^(.*)\s+\((.*)\)$` */
		for (const char *o = e - 2; o > s; o--) {
			if (*o != '(' || !is_space(o[-1]))
				continue;
			*name = (struct span){s, o - 1};
			*file = path_base(o + 1, e - 1);
			return;
		}
	}
	if (memmem(s, (size_t)(e - s), "generated stub/JIT", 18)) {
		static const char stub[] = "STUB";
		*name = (struct span){stub, stub + 4};
	}
}

/* A Java location line `0xID rest`; false for any other line. */
static bool java_location_line(const struct span *l, uint64_t *id, const char **hex,
			       struct span *rest)
{
	const char *p = l->s, *e = l->e;
	if (e - p < 3 || p[0] != '0' || p[1] != 'x')
		return false;
	const char *h = p + 2, *he = h;
	while (he < e &&
	       ((*he >= '0' && *he <= '9') || ((*he | 32) >= 'a' && (*he | 32) <= 'f')))
		he++;
	if (he == h || he >= e || !is_space(*he))
		return false;
	*hex = h;
	*id = 0;
	const char *q = he;
	while (q < e && is_space(*q))
		q++;
	*rest = (struct span){q, e};
	/* pprof fails the whole profile on an id too large: report it. */
	if (!parse_hex(h, he, id))
		*hex = NULL;
	return true;
}

enum mt_status java_finish(struct lb *b, enum mt_format fmt)
{
	struct profile *p = b->p;
	struct mt_u64map by_id = {0}, by_name = {0};
	enum mt_status st = MT_OK;
	uint32_t top_loc = MT_NONE; /* the id 2^64-1, which has no map key */
	for (size_t i = 0; i < p->locations.n; i++) {
		uint64_t a = p->locations.v[i].address;
		bool added;
		if (a == UINT64_MAX)
			top_loc = (uint32_t)i;
		else
			*mt_u64map_put(&by_id, a + 1, &added) = (uint32_t)i;
	}
	struct span l;
	while (lb_next_line(b, &l)) {
		uint64_t id;
		const char *hex;
		struct span rest, name, file;
		if (l.s == l.e || !java_location_line(&l, &id, &hex, &rest))
			continue;
		if (!hex) {
			st = lb_fail(b, l.s, "location id out of range");
			break;
		}
		uint32_t *at = id == UINT64_MAX ? NULL : mt_u64map_get(&by_id, id + 1);
		uint32_t li = at ? *at : id == UINT64_MAX ? top_loc : MT_NONE;
		if (li == MT_NONE)
			continue; /* no sample uses it */
		int64_t line;
		java_frame(rest.s, rest.e, &name, &file, &line);
		if ((size_t)(name.e - name.s) > b->lim->max_string ||
		    (size_t)(file.e - file.s) > b->lim->max_string) {
			st =
			    lb_fail(b, l.s, "name longer than %zu bytes (--max-string)",
				    b->lim->max_string);
			break;
		}
		/* Functions by name: the first file given for a name stays. */
		mt_str ns = strtab_intern(&p->strs, name.s, (size_t)(name.e - name.s));
		bool added;
		uint32_t *fi = mt_u64map_put(&by_name, (uint64_t)ns + 1, &added);
		if (added) {
			struct mt_function f = {
			    .id = p->functions.n + 1,
			    .name = ns,
			    .system_name = ns,
			    .filename = strtab_intern(&p->strs, file.s,
						      (size_t)(file.e - file.s))};
			*fi = (uint32_t)p->functions.n;
			VEC_PUSH(p->functions, f);
		}
		struct mt_line ln = {.func = *fi, .line = line};
		struct mt_location *loc = &p->locations.v[li];
		loc->line0 = (uint32_t)p->lines.n;
		loc->nline = 1;
		loc->address = 0; /* named: no mapping wanted */
		VEC_PUSH(p->lines, ln);
	}
	mt_u64map_done(&by_id);
	mt_u64map_done(&by_name);
	if (!st)
		st = lb_finish(b, fmt);
	/* pprof's Aggregate(..., address=false): ids are no addresses. */
	for (size_t i = 0; i < p->locations.n; i++)
		p->locations.v[i].address = 0;
	return st;
}

/* Whether a '\n' follows: pprof's header and sample loops only see lines
 * that end in one. */
static bool full_line_ahead(const struct lb *b)
{
	return b->cur < b->end && memchr(b->cur, '\n', (size_t)(b->end - b->cur));
}

/* The `key = value` lines after the header. */
static enum mt_status java_header(struct lb *b, bool heap)
{
	struct profile *p = b->p;
	bool typed = false;
	while (full_line_ahead(b)) {
		const char *save = b->cur;
		struct span l, k, v;
		lb_next_line(b, &l);
		if (l.s == l.e)
			continue;
		if (!java_attribute(l.s, l.e, &k, &v)) {
			b->cur = save;
			break;
		}
		if (span_is(&k, "format")) {
			if (!span_is(&v, "java"))
				return lb_fail(
				    b, v.s, "Java profile of format \"%.*s\"",
				    (int)(v.e - v.s < 40 ? v.e - v.s : 40), v.s);
		} else if (span_is(&k, "resolution")) {
			if ((size_t)(v.e - v.s) > b->lim->max_string)
				return lb_fail(b, v.s,
					       "resolution longer than %zu bytes",
					       b->lim->max_string);
			char unit[256];
			snprintf(unit, sizeof unit, "%.*s",
				 (int)(v.e - v.s < 255 ? v.e - v.s : 255), v.s);
			const char *const ht[] = {"inuse_objects", "count",
						  "inuse_space", unit};
			const char *const ct[] = {"contentions", "count", "delay",
						  unit};
			p->sample_types.n = 0;
			lb_types(b, heap ? ht : ct, 2);
			typed = true;
		} else if (!heap && span_is(&k, "sampling period")) {
			int64_t x;
			if (!parse_go_int(v.s, v.e, &x))
				return lb_fail(b, v.s, "bad sampling period");
			lb_period(b, "contentions", "count", x);
		} else if (!heap && span_is(&k, "ms since reset")) {
			int64_t x;
			if (!parse_go_int(v.s, v.e, &x) ||
			    __builtin_mul_overflow(x, 1000000, &p->duration_nanos))
				return lb_fail(b, v.s, "bad ms since reset");
		} else {
			return lb_fail(b, k.s,
				       "unsupported Java profile attribute \"%.*s\"",
				       (int)(k.e - k.s < 60 ? k.e - k.s : 60), k.s);
		}
	}
	if (!typed)
		return lb_fail(b, b->cur,
			       "Java profile without a resolution attribute");
	return MT_OK;
}

/* Sample lines `A B @ ids` up to the first line that is not one. */
static enum mt_status java_samples(struct lb *b, bool heap)
{
	enum mt_status st;
	b->adjust_from = SIZE_MAX; /* ids, not return addresses */
	while (full_line_ahead(b)) {
		const char *save = b->cur;
		struct span l, a, c, ids;
		lb_next_line(b, &l);
		if (l.s == l.e)
			continue;
		if (!java_sample_match(l.s, l.e, &a, &c, &ids)) {
			b->cur = save;
			break;
		}
		int64_t v[2];
		if (!parse_go_int(c.s, c.e, &v[0]) || !parse_go_int(a.s, a.e, &v[1]))
			return lb_fail(b, l.s, "malformed Java sample");
		if ((st = lb_hex_numbers(b, ids.s, ids.e)))
			return st;
		if (heap) {
			if (v[0] == 0)
				return lb_fail(b, l.s, "Java heap sample of count 0");
			struct mt_label lab = {
			    .key = strtab_intern(&b->p->strs, "bytes", 5),
			    .num = v[1] / v[0],
			    .is_num = true};
			VEC_PUSH(b->lbls, lab);
			if (!legacy_scale_heap(&v[0], &v[1], JAVA_HEAPZ_RATE))
				return lb_fail(b, l.s,
					       "value out of range after unsampling");
		} else if (b->p->period) {
			if (__builtin_mul_overflow(v[0], b->p->period, &v[0]) ||
			    __builtin_mul_overflow(v[1], b->p->period, &v[1]))
				return lb_fail(b, l.s, "contention value out of range");
		}
		if ((st = lb_sample(b, v, l.s)))
			return st;
	}
	return MT_OK;
}

enum mt_status legacy_parse_java(const uint8_t *data, size_t n, struct profile *p,
				 const struct mt_limits *lim, struct mt_err *e)
{
	struct lb b;
	lb_init(&b, data, n, p, lim, e);
	struct span l;
	enum mt_status st = MT_OK;
	bool heap = false;
	if (!full_line_ahead(&b) || !lb_next_line(&b, &l))
		st = lb_fail(&b, b.base, "no Java profile header");
	else if (span_is(&l, "--- heapz 1 ---"))
		heap = true;
	else if (!span_is(&l, "--- contentionz 1 ---"))
		st = lb_fail(&b, l.s, "no Java profile header");
	if (!st)
		st = java_header(&b, heap);
	if (!st)
		st = java_samples(&b, heap);
	if (!st)
		st = java_finish(&b, heap ? MT_FMT_JAVA_HEAP : MT_FMT_JAVA_CONTENTION);
	lb_done(&b);
	return st;
}

enum mt_format java_detect(const uint8_t *d, size_t n)
{
	const char *s = (const char *)d, *end = s + n;
	const char *nl = memchr(s, '\n', n);
	if (!nl)
		return MT_FMT_UNKNOWN;
	struct span h = trim(s, nl);
	if (span_is(&h, "--- heapz 1 ---"))
		return MT_FMT_JAVA_HEAP;
	if (!span_is(&h, "--- contentionz 1 ---"))
		return MT_FMT_UNKNOWN;
	/* gperftools writes the same header; pprof's C++ reader gives up at a
	 * `format` or `resolution` attribute, which only Java writes. */
	for (const char *p = nl + 1; p < end;) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		if (!le)
			le = end;
		struct span l = trim(p, le);
		p = le + 1;
		if (l.s == l.e || *l.s == '#')
			continue;
		const char *eq = memchr(l.s, '=', (size_t)(l.e - l.s));
		if (!eq || span_prefix(&l, "---"))
			break;
		struct span k = trim(l.s, eq);
		if (span_is(&k, "format") || span_is(&k, "resolution"))
			return MT_FMT_JAVA_CONTENTION;
	}
	return MT_FMT_UNKNOWN;
}
