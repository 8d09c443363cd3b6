/* legacy_read.c - what every legacy text reader shares: line and number
 * scanning, `#` frame lines, interning of functions and locations, samples
 * (memory maps and pprof's mapping heuristics are in legacy_maps.c).
 *
 * The parsers of the individual formats are in gotext_read.c (the `heap
 * profile:`, count and contention texts of Go and gperftools) and
 * cheap_read.c (jemalloc). They drive the builder declared in legacy_int.h.
 */
#include "read/legacy_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/progress.h"

/* ------------------------------------------------------------------ */
/* Errors, lines and numbers                                           */

enum mt_status lb_fail(struct lb *b, const char *at, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t off = at && at >= b->base && at <= b->end ? (size_t)(at - b->base) : 0;
	return mt_errf(b->e, MT_ERR_CORRUPT, "%s (at byte %zu)", msg, off);
}

bool lb_next_line(struct lb *b, struct span *l)
{
	if (b->cur >= b->end)
		return false;
	const char *s = b->cur;
	const char *nl = memchr(s, '\n', (size_t)(b->end - s));
	const char *e = nl ? nl : b->end;
	b->cur = nl ? nl + 1 : b->end;
	/* Watched loads hear of each MB crossed; a cancel ends the text here
	 * and the reader turns that into MT_ERR_CANCELLED. */
	struct mt_progress *pg = b->lim->progress;
	if (pg && (size_t)(s - b->base) >> 20 != (size_t)(b->cur - b->base) >> 20 &&
	    mt_progress_at(pg, (size_t)(b->cur - b->base))) {
		b->cur = b->end;
		return false;
	}
	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	l->s = s;
	l->e = e;
	return true;
}

bool span_prefix(const struct span *l, const char *pfx)
{
	size_t k = strlen(pfx);
	return (size_t)(l->e - l->s) >= k && memcmp(l->s, pfx, k) == 0;
}

bool span_contains(const struct span *l, const char *needle)
{
	size_t k = strlen(needle), n = (size_t)(l->e - l->s);
	if (k > n)
		return false;
	for (const char *p = l->s; (p = memchr(p, needle[0], (size_t)(l->e - k + 1 - p)));
	     p++)
		if (memcmp(p, needle, k) == 0)
			return true;
	return false;
}

const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

const char *parse_i64(const char *p, const char *e, bool sign, int64_t *v)
{
	bool neg = false;
	if (sign && p < e && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= e || *p < '0' || *p > '9')
		return NULL;
	uint64_t x = 0;
	while (p < e && *p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p++ - '0');
		if (x > (UINT64_MAX - d) / 10)
			return NULL;
		x = x * 10 + d;
	}
	if (x > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return NULL;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return p;
}

const char *parse_hex(const char *p, const char *e, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = p;
	for (; p < e; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (x >> 60)
			return NULL;
		x = x << 4 | (uint64_t)d;
	}
	if (p == s)
		return NULL;
	*v = x;
	return p;
}

/* Go's underscoreOK: underscores only between digits (or after a base
 * prefix), never last. */
static bool go_underscores_ok(const char *p, const char *e)
{
	char saw = '^';
	if (p < e && (*p == '+' || *p == '-'))
		p++;
	bool hex = false;
	if (e - p >= 2 && p[0] == '0' &&
	    ((p[1] | 32) == 'b' || (p[1] | 32) == 'o' || (p[1] | 32) == 'x')) {
		hex = (p[1] | 32) == 'x';
		saw = '0';
		p += 2;
	}
	for (; p < e; p++) {
		char c = *p, l = (char)(c | 32);
		if ((c >= '0' && c <= '9') || (hex && l >= 'a' && l <= 'f')) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

bool parse_go_int(const char *p, const char *e, int64_t *v)
{
	const char *s0 = p;
	bool neg = false;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p >= e)
		return false;
	unsigned base = 10;
	if (*p == '0') {
		char l = e - p >= 3 ? (char)(p[1] | 32) : 0;
		base = l == 'b' ? 2 : l == 'x' ? 16 : 8;
		p += l == 'b' || l == 'o' || l == 'x' ? 2 : 1;
	}
	bool unders = false;
	uint64_t x = 0;
	for (; p < e; p++) {
		unsigned d;
		char c = *p, l = (char)(c | 32);
		if (c == '_') { /* checked as a whole below */
			unders = true;
			continue;
		}
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (l >= 'a' && l <= 'z')
			d = (unsigned)(l - 'a') + 10;
		else
			return false;
		if (d >= base || x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	if (unders && !go_underscores_ok(s0, e))
		return false;
	if (x > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

enum mt_status lb_parse_addrs(struct lb *b, const char *p, const char *e)
{
	const char *at = p;
	b->addrs.n = 0;
	for (;;) {
		p = skip_ws(p, e);
		if (p >= e)
			return MT_OK;
		uint64_t a;
		const char *q;
		if (e - p < 3 || p[0] != '0' || p[1] != 'x' ||
		    !(q = parse_hex(p + 2, e, &a)) || (q < e && *q != ' ' && *q != '\t'))
			return lb_fail(b, at, "malformed stack addresses");
		if (b->addrs.n >= b->lim->max_frames)
			return lb_fail(b, at, "more than %zu frames in a sample (--max-frames)",
				       b->lim->max_frames);
		VEC_PUSH(b->addrs, a);
		p = q;
	}
}

enum mt_status lb_hex_numbers(struct lb *b, const char *p, const char *e)
{
	for (const char *s = p; e - s >= 3; s++) {
		if (s[0] != '0' || s[1] != 'x')
			continue;
		const char *q = s + 2;
		while (q < e && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
			q++;
		if (q == s + 2)
			continue;
		uint64_t a;
		if (parse_hex(s + 2, q, &a) != q)
			return lb_fail(b, s, "address %.*s beyond 64 bits",
				       (int)(q - s < 40 ? q - s : 40), s);
		if (b->addrs.n >= b->lim->max_frames)
			return lb_fail(b, s, "more than %zu frames in a sample "
					     "(--max-frames)", b->lim->max_frames);
		VEC_PUSH(b->addrs, a);
		s = q - 1;
	}
	return MT_OK;
}

bool legacy_scale_heap(int64_t *count, int64_t *size, int64_t rate)
{
	if (*count == 0 || *size == 0) {
		*count = *size = 0;
		return true;
	}
	if (rate <= 1)
		return true;
	double avg = (double)*size / (double)*count;
	double scale = 1 / (1 - exp(-avg / (double)rate));
	double c = (double)*count * scale, s = (double)*size * scale;
	/* Go converts out-of-range floats to garbage; refuse them instead. */
	if (!(c > -9.2e18 && c < 9.2e18 && s > -9.2e18 && s < 9.2e18))
		return false;
	*count = (int64_t)c;
	*size = (int64_t)s;
	return true;
}

/* ------------------------------------------------------------------ */
/* Builder lifetime                                                    */

void lb_init(struct lb *b, const uint8_t *data, size_t n, struct profile *p,
	     const struct mt_limits *lim, struct mt_err *e)
{
	memset(b, 0, sizeof *b);
	b->p = p;
	b->lim = lim ? lim : &mt_limits_default;
	b->e = e;
	b->base = b->cur = (const char *)data;
	b->end = (const char *)data + n;
}

void lb_done(struct lb *b)
{
	free(b->lslots);
	free(b->lhash.v);
	free(b->fslots);
	free(b->fhash.v);
	free(b->cache_mem);
	free(b->addrs.v);
	free(b->frames.v);
	free(b->lbls.v);
	free(b->lines.v);
	free(b->locs.v);
}

void lb_types(struct lb *b, const char *const *types, size_t n)
{
	for (size_t i = 0; i + 1 < 2 * n; i += 2) {
		struct mt_value_type t = {
			strtab_intern(&b->p->strs, types[i], strlen(types[i])),
			strtab_intern(&b->p->strs, types[i + 1], strlen(types[i + 1])),
		};
		VEC_PUSH(b->p->sample_types, t);
	}
}

void lb_period(struct lb *b, const char *type, const char *unit, int64_t period)
{
	b->p->period_type.type = strtab_intern(&b->p->strs, type, strlen(type));
	b->p->period_type.unit = strtab_intern(&b->p->strs, unit, strlen(unit));
	b->p->period = period;
}

/* ------------------------------------------------------------------ */
/* Functions and locations                                             */

/* Doubles an open-addressing table of ids (id + 1 per slot, 0 empty),
 * reinserting every id by its stored hash. */
static void table_grow(uint32_t **slots, size_t *nslots, const uint64_t *hash,
		       size_t n)
{
	size_t ns = *nslots ? *nslots * 2 : 1024;
	uint32_t *s = xcalloc(ns, sizeof *s);
	for (size_t i = 0; i < n; i++) {
		size_t j = hash[i] & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(*slots);
	*slots = s;
	*nslots = ns;
}

static uint32_t lb_func(struct lb *b, const char *name, size_t nn,
			const char *file, size_t nf)
{
	struct profile *p = b->p;
	mt_str ns = strtab_intern(&p->strs, name, nn);
	mt_str fs = strtab_intern(&p->strs, file, nf);
	uint64_t h = mt_hash_u64((uint64_t)ns << 32 | fs);
	if (2 * (p->functions.n + 1) > b->nfslots)
		table_grow(&b->fslots, &b->nfslots, b->fhash.v, p->functions.n);
	size_t mask = b->nfslots - 1, j = h & mask;
	for (; b->fslots[j]; j = (j + 1) & mask) {
		uint32_t i = b->fslots[j] - 1;
		if (b->fhash.v[i] == h && p->functions.v[i].name == ns &&
		    p->functions.v[i].filename == fs)
			return i;
	}
	struct mt_function f = {.id = p->functions.n + 1, .name = ns,
				.system_name = ns, .filename = fs};
	uint32_t i = (uint32_t)p->functions.n;
	VEC_PUSH(p->functions, f);
	VEC_PUSH(b->fhash, h);
	b->fslots[j] = i + 1;
	return i;
}

/* The cache slot of a frame line's text (hash h, len bytes): its entry, or
 * the empty slot where it belongs. */
static struct cache_ent *cache_slot(struct lb *b, uint64_t h, uint64_t len)
{
	size_t mask = b->ncache - 1, j = h & mask;
	while (b->cache[j].hash && (b->cache[j].hash != h || b->cache[j].len != len))
		j = (j + 1) & mask;
	return &b->cache[j];
}

/* Rehashes the table into nn slots (a power of two, more than twice the
 * entries in use). */
static void cache_reserve(struct lb *b, size_t nn)
{
	struct cache_ent *old = b->cache;
	void *old_mem = b->cache_mem;
	size_t on = b->ncache;
	/* One spare entry to align the table on a cache line. */
	b->cache_mem = xcalloc(nn + 1, sizeof *old);
	b->cache = (struct cache_ent *)(((uintptr_t)b->cache_mem + 63) & ~(uintptr_t)63);
	b->ncache = nn;
	for (size_t i = 0; i < on; i++)
		if (old[i].hash)
			*cache_slot(b, old[i].hash, old[i].len) = old[i];
	free(old_mem);
}

static uint32_t lb_loc(struct lb *b, uint64_t addr, const struct mt_line *ln,
		       uint32_t nl)
{
	struct profile *p = b->p;
	uint64_t h = mt_hash_u64(addr + nl);
	for (uint32_t i = 0; i < nl; i++)
		h = mt_hash_u64(h ^ ((uint64_t)ln[i].func << 32) ^ (uint64_t)ln[i].line);
	if (2 * (p->locations.n + 1) > b->nlslots)
		table_grow(&b->lslots, &b->nlslots, b->lhash.v, p->locations.n);
	size_t mask = b->nlslots - 1, j = h & mask;
	for (; b->lslots[j]; j = (j + 1) & mask) {
		uint32_t i = b->lslots[j] - 1;
		const struct mt_location *l = &p->locations.v[i];
		if (b->lhash.v[i] != h || l->address != addr || l->nline != nl)
			continue;
		uint32_t k = 0;
		while (k < nl && p->lines.v[l->line0 + k].func == ln[k].func &&
		       p->lines.v[l->line0 + k].line == ln[k].line)
			k++;
		if (k == nl)
			return i;
	}
	struct mt_location loc = {.id = p->locations.n + 1, .address = addr,
				  .mapping = MT_NONE,
				  .line0 = (uint32_t)p->lines.n, .nline = nl};
	VEC_RESERVE(p->lines, p->lines.n + nl);
	if (nl) /* ln and lines.v may be NULL then */
		memcpy(p->lines.v + p->lines.n, ln, nl * sizeof *ln);
	p->lines.n += nl;
	uint32_t i = (uint32_t)p->locations.n;
	VEC_PUSH(p->locations, loc);
	VEC_PUSH(b->lhash, h);
	b->lslots[j] = i + 1;
	return i;
}

/* Whether `#` frame k is inlined into frame k+1: Go before 1.21 gives each
 * inlined call its own PC but the entry of the physical function, newer Go
 * repeats the PC. */
static bool inlined_into(const struct frame *a, const struct frame *c)
{
	if (a->func == MT_NONE || c->func == MT_NONE)
		return false;
	if (a->addr == c->addr)
		return true;
	return a->has_entry && c->has_entry && a->entry == c->entry && a->name != c->name;
}

/* Parses the text of a `#` frame line not seen before into its cache
 * entry c (hash and len already set). */
static enum mt_status frame_parse(struct lb *b, const char *p, const char *e,
				  struct cache_ent *c)
{
	const char *q = parse_hex(p + 2, e, &c->addr);
	if (!q || (q < e && *q != ' ' && *q != '\t'))
		return lb_fail(b, p, "bad address in frame line");
	c->func = c->loc = MT_NONE;
	p = skip_ws(q, e);
	if (p >= e)
		return MT_OK;
	/* name+0xOFF, then file:line; tabs separate them. */
	const char *ne = memchr(p, '\t', (size_t)(e - p));
	if (!ne)
		ne = memchr(p, ' ', (size_t)(e - p));
	if (!ne)
		ne = e;
	const char *name = p;
	size_t nname = (size_t)(ne - p);
	for (const char *s = ne - 1; s > p + 2; s--) {
		if (s[-2] == '+' && s[-1] == '0' && s[0] == 'x') {
			uint64_t off;
			if (parse_hex(s + 1, ne, &off) == ne) {
				nname = (size_t)(s - 2 - p);
				c->entry = c->addr - off;
				c->has_entry = true;
			}
			break;
		}
	}
	const char *fs = skip_ws(ne, e), *fe = e, *d = e;
	while (d > fs && d[-1] >= '0' && d[-1] <= '9')
		d--;
	if (d > fs && d < e && d[-1] == ':' && parse_i64(d, e, false, &c->line))
		fe = d - 1;
	else
		c->line = 0;
	size_t nfile = (size_t)(fe - fs);
	if (nname > b->lim->max_string || nfile > b->lim->max_string)
		return lb_fail(b, p, "name longer than %zu bytes (--max-string)",
			       b->lim->max_string);
	c->func = lb_func(b, name, nname, fs, nfile);
	c->name = b->p->functions.v[c->func].name;
	return MT_OK;
}

/* Finds (or parses and adds) the cache entry of each `#` line of a sample
 * and copies it into the frame; the table is grown first, for all of them,
 * so that no entry moves while they are read. */
static enum mt_status resolve_frames(struct lb *b, struct frame *f, size_t nf)
{
	while (2 * (b->nused + nf) > b->ncache)
		cache_reserve(b, b->ncache ? b->ncache * 2 : 1024);
	for (size_t i = 0; i < nf; i++) {
		struct cache_ent *c = cache_slot(b, f[i].hash, f[i].len);
		if (!c->hash) {
			struct cache_ent n = {.hash = f[i].hash, .len = f[i].len};
			enum mt_status st = frame_parse(b, f[i].text,
							f[i].text + f[i].len, &n);
			if (st)
				return st;
			*c = n;
			b->nused++;
		}
		f[i].addr = c->addr;
		f[i].entry = c->entry;
		f[i].line = c->line;
		f[i].func = c->func;
		f[i].name = c->name;
		f[i].has_entry = c->has_entry;
	}
	return MT_OK;
}

enum mt_status lb_sample(struct lb *b, const int64_t *vals, const char *at)
{
	struct profile *p = b->p;
	if (p->samples.n >= b->lim->max_samples)
		return lb_fail(b, at, "more than %zu samples (--max-samples%s)",
			       b->lim->max_samples,
			       mt_limit_sized_note(b->lim->samples_by_input));
	b->locs.n = 0;
	if (b->addrs.n && b->frames.n) {
		/* Frames from the `#` lines, inlined calls grouped. */
		struct frame *f = b->frames.v;
		size_t nf = b->frames.n;
		enum mt_status st = resolve_frames(b, f, nf);
		if (st)
			return st;
		for (size_t i = 0; i < nf;) {
			size_t j = i + 1;
			uint32_t loc;
			if (f[i].func == MT_NONE) {
				loc = lb_loc(b, f[i].addr, NULL, 0);
			} else if (j == nf || !inlined_into(&f[i], &f[j])) {
				/* Just resolved, so in the CPU cache. */
				struct cache_ent *c = cache_slot(b, f[i].hash, f[i].len);
				if (c->loc == MT_NONE) {
					struct mt_line ln = {f[i].func, f[i].line};
					c->loc = lb_loc(b, f[i].addr, &ln, 1);
				}
				loc = c->loc;
			} else {
				b->lines.n = 0;
				for (;;) {
					struct mt_line ln = {f[j - 1].func, f[j - 1].line};
					VEC_PUSH(b->lines, ln);
					if (j == nf || !inlined_into(&f[j - 1], &f[j]))
						break;
					j++;
				}
				loc = lb_loc(b, f[i].addr, b->lines.v, (uint32_t)b->lines.n);
			}
			if (f[i].func != MT_NONE)
				b->any_named = true;
			VEC_PUSH(b->locs, loc);
			i = j;
		}
	} else {
		/* Return addresses: step back onto the call, as pprof does. */
		for (size_t i = 0; i < b->addrs.n; i++) {
			uint64_t a = b->addrs.v[i] - (i >= b->adjust_from);
			VEC_PUSH(b->locs, lb_loc(b, a, NULL, 0));
		}
	}
	if (b->locs.n > b->lim->max_frames)
		return lb_fail(b, at, "more than %zu frames in a sample (--max-frames)",
			       b->lim->max_frames);
	struct mt_sample s = {.loc0 = (uint32_t)p->sample_locs.n,
			      .nloc = (uint32_t)b->locs.n,
			      .label0 = (uint32_t)p->labels.n,
			      .nlabel = (uint32_t)b->lbls.n};
	VEC_RESERVE(p->sample_locs, p->sample_locs.n + b->locs.n);
	if (b->locs.n) /* both may be NULL then */
		memcpy(p->sample_locs.v + p->sample_locs.n, b->locs.v,
		       b->locs.n * sizeof *b->locs.v);
	p->sample_locs.n += b->locs.n;
	for (size_t i = 0; i < b->lbls.n; i++)
		VEC_PUSH(p->labels, b->lbls.v[i]);
	size_t nt = p->sample_types.n;
	VEC_RESERVE(p->values, p->values.n + nt);
	memcpy(p->values.v + p->values.n, vals, nt * sizeof *vals);
	p->values.n += nt;
	VEC_PUSH(p->samples, s);
	b->addrs.n = b->frames.n = b->lbls.n = 0;
	return MT_OK;
}

/* ------------------------------------------------------------------ */
/* `#` lines: frames and labels                                        */

/* Reads a Go-quoted string ("..." with backslash escapes) at p into a
 * scratch buffer; returns the position after it or NULL. */
static const char *parse_quoted(const char *p, const char *e, char **buf,
				size_t *len, size_t *cap)
{
	*len = 0;
	if (p >= e || *p != '"')
		return NULL;
	for (p++; p < e && *p != '"'; p++) {
		char c = *p;
		if (c == '\\') {
			if (++p >= e)
				return NULL;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case 'x': {
				uint64_t v;
				if (e - p < 3 || parse_hex(p + 1, p + 3, &v) != p + 3)
					return NULL;
				c = (char)v;
				p += 2;
				break;
			}
			default: c = *p; break; /* \\ \" and the rest kept */
			}
		}
		if (*len + 1 >= *cap)
			xgrow((void **)buf, cap, *len + 2, 1);
		(*buf)[(*len)++] = c;
	}
	return p < e ? p + 1 : NULL;
}

/* `# labels: {"k":"v", ...}` as Go's text writer prints them. */
static enum mt_status lb_labels(struct lb *b, const char *p, const char *e)
{
	struct profile *p_ = b->p;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	enum mt_status st = MT_OK;
	p = skip_ws(p, e);
	if (p >= e || *p++ != '{')
		goto bad;
	p = skip_ws(p, e);
	while (p < e && *p != '}') {
		struct mt_label l = {0};
		if (!(p = parse_quoted(p, e, &buf, &len, &cap)))
			goto bad;
		if (len > b->lim->max_string)
			goto long_;
		l.key = strtab_intern(&p_->strs, buf ? buf : "", len);
		p = skip_ws(p, e);
		if (p >= e || *p++ != ':')
			goto bad;
		p = skip_ws(p, e);
		if (!(p = parse_quoted(p, e, &buf, &len, &cap)))
			goto bad;
		if (len > b->lim->max_string)
			goto long_;
		l.str = strtab_intern(&p_->strs, buf ? buf : "", len);
		VEC_PUSH(b->lbls, l);
		p = skip_ws(p, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	if (p >= e)
		goto bad;
	free(buf);
	return st;
bad:
	free(buf);
	return lb_fail(b, p, "malformed labels line");
long_:
	free(buf);
	return lb_fail(b, p, "label longer than %zu bytes (--max-string)",
		       b->lim->max_string);
}

enum mt_status lb_hash_line(struct lb *b, const struct span *l)
{
	const char *p = skip_ws(l->s + 1, l->e), *e = l->e;
	if (e - p >= 7 && memcmp(p, "labels:", 7) == 0)
		return lb_labels(b, p + 7, e);
	if (p == l->s + 1 || e - p < 3 || p[0] != '0' || p[1] != 'x')
		return MT_OK; /* a comment, e.g. `# runtime.MemStats` */
	if (b->frames.n >= b->lim->max_frames)
		return lb_fail(b, l->s, "more than %zu frames in a sample (--max-frames)",
			       b->lim->max_frames);
	uint64_t len = (uint64_t)(e - p), h = mt_hash(p, len, 0);
	h += !h; /* 0 marks an empty slot */
	/* Resolved with the whole sample (lb_sample), so that the cache
	 * misses of its frames overlap instead of queueing one by one. */
	if (b->ncache)
		__builtin_prefetch(&b->cache[h & (b->ncache - 1)]);
	struct frame f = {.text = p, .hash = h, .len = len};
	VEC_PUSH(b->frames, f);
	return MT_OK;
}

