/* legacy_read.c - what every legacy text reader shares: line and number
 * scanning, `#` frame lines, interning of functions and locations, samples,
 * memory maps and pprof's mapping heuristics.
 *
 * The parsers of the individual formats are in gotext_read.c (the `heap
 * profile:`, count and contention texts of Go and gperftools) and
 * cheap_read.c (jemalloc). They drive the builder declared in legacy_int.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "legacy_int.h"

#include <inttypes.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const char *lb_parse_addrs(struct lb *b, const char *p, const char *e)
{
	b->addrs.n = 0;
	for (;;) {
		p = skip_ws(p, e);
		if (p >= e)
			return p;
		uint64_t a;
		const char *q;
		if (e - p < 3 || p[0] != '0' || p[1] != 'x' ||
		    !(q = parse_hex(p + 2, e, &a)) || (q < e && *q != ' ' && *q != '\t'))
			return NULL;
		if (b->addrs.n >= b->lim->max_frames)
			return NULL;
		VEC_PUSH(b->addrs, a);
		p = q;
	}
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
	free(b->cslots);
	free(b->cache.v);
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

/* The cache entry of one named `#` frame, keyed by its address and a hash
 * of its name, file and line: a binary names an address the same way every
 * time, so a repeated frame costs one lookup, no interning, and (for a frame
 * not inlined) no location lookup either. */
static uint32_t lb_frame_ent(struct lb *b, const struct frame *f)
{
	uint64_t h = mt_hash(f->name, f->nname, f->addr);
	h = mt_hash(f->file, f->nfile, h ^ (uint64_t)f->line);
	if (2 * (b->cache.n + 1) > b->ncslots) {
		/* Full: start over with a table twice as big. */
		table_grow(&b->cslots, &b->ncslots, NULL, 0);
		b->cache.n = 0;
	}
	size_t mask = b->ncslots - 1, j = h & mask;
	for (; b->cslots[j]; j = (j + 1) & mask) {
		uint32_t i = b->cslots[j] - 1;
		const struct cache_ent *c = &b->cache.v[i];
		if (c->hash == h && c->addr == f->addr && c->line == f->line &&
		    c->nname == f->nname && c->nfile == f->nfile)
			return i;
	}
	struct cache_ent c = {.hash = h, .addr = f->addr, .line = f->line,
			      .func = lb_func(b, f->name, f->nname, f->file, f->nfile),
			      .loc = MT_NONE, .nname = (uint32_t)f->nname,
			      .nfile = (uint32_t)f->nfile};
	uint32_t i = (uint32_t)b->cache.n;
	b->cslots[j] = i + 1;
	VEC_PUSH(b->cache, c);
	return i;
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
	if (!a->nname || !c->nname)
		return false;
	if (a->addr == c->addr)
		return true;
	return a->has_entry && c->has_entry && a->entry == c->entry &&
	       !(a->nname == c->nname && memcmp(a->name, c->name, a->nname) == 0);
}

enum mt_status lb_sample(struct lb *b, const int64_t *vals, const char *at)
{
	struct profile *p = b->p;
	if (p->samples.n >= b->lim->max_samples)
		return lb_fail(b, at, "more than %zu samples", b->lim->max_samples);
	b->locs.n = 0;
	if (b->addrs.n && b->frames.n) {
		/* Frames from the `#` lines, inlined calls grouped. */
		const struct frame *f = b->frames.v;
		size_t nf = b->frames.n;
		for (size_t i = 0; i < nf;) {
			size_t j = i + 1;
			uint32_t loc;
			if (!f[i].nname) {
				loc = lb_loc(b, f[i].addr, NULL, 0);
			} else if (j == nf || !inlined_into(&f[i], &f[j])) {
				uint32_t ci = lb_frame_ent(b, &f[i]);
				struct cache_ent *c = &b->cache.v[ci];
				if (c->loc == MT_NONE) {
					struct mt_line ln = {c->func, c->line};
					c->loc = lb_loc(b, f[i].addr, &ln, 1);
				}
				loc = c->loc;
			} else {
				b->lines.n = 0;
				for (;;) {
					uint32_t ci = lb_frame_ent(b, &f[j - 1]);
					const struct cache_ent *c = &b->cache.v[ci];
					struct mt_line ln = {c->func, c->line};
					VEC_PUSH(b->lines, ln);
					if (j == nf || !inlined_into(&f[j - 1], &f[j]))
						break;
					j++;
				}
				loc = lb_loc(b, f[i].addr, b->lines.v, (uint32_t)b->lines.n);
			}
			if (f[i].nname)
				b->any_named = true;
			VEC_PUSH(b->locs, loc);
			i = j;
		}
	} else {
		/* Return addresses: step back onto the call, as pprof does. */
		for (size_t i = 0; i < b->addrs.n; i++)
			VEC_PUSH(b->locs, lb_loc(b, b->addrs.v[i] - 1, NULL, 0));
	}
	if (b->locs.n > b->lim->max_frames)
		return lb_fail(b, at, "more than %zu frames in a sample",
			       b->lim->max_frames);
	struct mt_sample s = {.loc0 = (uint32_t)p->sample_locs.n,
			      .nloc = (uint32_t)b->locs.n,
			      .label0 = (uint32_t)p->labels.n,
			      .nlabel = (uint32_t)b->lbls.n};
	VEC_RESERVE(p->sample_locs, p->sample_locs.n + b->locs.n);
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
		l.key = strtab_intern(&p_->strs, buf ? buf : "", len);
		p = skip_ws(p, e);
		if (p >= e || *p++ != ':')
			goto bad;
		p = skip_ws(p, e);
		if (!(p = parse_quoted(p, e, &buf, &len, &cap)))
			goto bad;
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
}

enum mt_status lb_hash_line(struct lb *b, const struct span *l)
{
	const char *p = skip_ws(l->s + 1, l->e), *e = l->e;
	if (e - p >= 7 && memcmp(p, "labels:", 7) == 0)
		return lb_labels(b, p + 7, e);
	if (p == l->s + 1 || e - p < 3 || p[0] != '0' || p[1] != 'x')
		return MT_OK; /* a comment, e.g. `# runtime.MemStats` */
	struct frame f = {0};
	const char *q = parse_hex(p + 2, e, &f.addr);
	if (!q || (q < e && *q != ' ' && *q != '\t'))
		return lb_fail(b, p, "bad address in frame line");
	p = skip_ws(q, e);
	if (p < e) {
		/* name+0xOFF, then file:line; tabs separate them. */
		const char *ne = memchr(p, '\t', (size_t)(e - p));
		if (!ne)
			ne = memchr(p, ' ', (size_t)(e - p));
		if (!ne)
			ne = e;
		f.name = p;
		f.nname = (size_t)(ne - p);
		for (const char *s = ne - 1; s > p + 2; s--) {
			if (s[-2] == '+' && s[-1] == '0' && s[0] == 'x') {
				uint64_t off;
				if (parse_hex(s + 1, ne, &off) == ne) {
					f.nname = (size_t)(s - 2 - p);
					f.entry = f.addr - off;
					f.has_entry = true;
				}
				break;
			}
		}
		const char *fs = skip_ws(ne, e), *fe = e, *c = e;
		while (c > fs && c[-1] >= '0' && c[-1] <= '9')
			c--;
		if (c > fs && c < e && c[-1] == ':' && parse_i64(c, e, false, &f.line)) {
			fe = c - 1;
		} else {
			f.line = 0;
		}
		f.file = fs;
		f.nfile = (size_t)(fe - fs);
		if (f.nname > b->lim->max_string || f.nfile > b->lim->max_string)
			return lb_fail(b, p, "name longer than %zu bytes",
				       b->lim->max_string);
	}
	if (b->frames.n >= b->lim->max_frames)
		return lb_fail(b, l->s, "more than %zu frames in a sample",
			       b->lim->max_frames);
	VEC_PUSH(b->frames, f);
	return MT_OK;
}

/* ------------------------------------------------------------------ */
/* Memory maps                                                         */

bool lb_is_map_sentinel(const struct span *l)
{
	return span_contains(l, "--- Memory map: ---") ||
	       span_contains(l, "MAPPED_LIBRARIES:");
}

#define WS "[\\t\\n\\f\\r ]"
#define HEXRANGE                                                               \
	"^" WS "*(?:0x)?([[:xdigit:]]+)(?:" WS "|-)?" WS                       \
	"*(?:0x)?([[:xdigit:]]+):?(?:" WS "+([-rwxp]+))?"
/* /proc/PID/maps: start-end perms offset dev inode file */
static const char proc_maps_re[] = HEXRANGE "(?:" WS "+([[:xdigit:]]+))?" WS
	"+[[:xdigit:]]+:[[:xdigit:]]+" WS "+[0-9]+(?:" WS "+([^\\t\\n\\f\\r ]+))?";
/* the brief form: start-end [perms] file [(@offset)] [build id] */
static const char brief_maps_re[] = HEXRANGE "(?:" WS "+([^\\t\\n\\f\\r ]+))?(?:" WS
	"+\\(@([[:xdigit:]]+)\\))?(?:" WS "+([[:xdigit:]]+))?";

struct subst {
	char *key, *val; /* "$name" and its value */
};

/* Applies `name=value` substitutions of earlier lines ($name -> value),
 * leftmost first, the first listed pair winning at a position. */
static char *apply_subst(const struct subst *sv, size_t ns, const char *s, size_t n,
			 size_t *outn)
{
	VEC(char) o = {0};
	for (size_t i = 0; i < n;) {
		size_t k;
		for (k = 0; k < ns; k++) {
			size_t kl = strlen(sv[k].key);
			if (kl && n - i >= kl && memcmp(s + i, sv[k].key, kl) == 0)
				break;
		}
		if (k < ns) {
			for (const char *v = sv[k].val; *v; v++)
				VEC_PUSH(o, *v);
			i += strlen(sv[k].key);
		} else {
			VEC_PUSH(o, s[i]);
			i++;
		}
		if (o.n > (1u << 20))
			break;
	}
	VEC_PUSH(o, 0);
	*outn = o.n - 1;
	return o.v;
}

static bool cap_hex(pcre2_match_data *md, int rc, int g, const char *s, uint64_t *v,
		    bool *present)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	*present = false;
	if (g >= rc || ov[2 * g] == PCRE2_UNSET)
		return true;
	const char *a = s + ov[2 * g], *z = s + ov[2 * g + 1];
	if (a == z)
		return true;
	*present = true;
	return (z - a) <= 16 && parse_hex(a, z, v) == z;
}

static mt_str cap_str(struct lb *b, pcre2_match_data *md, int rc, int g, const char *s)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	if (g >= rc || ov[2 * g] == PCRE2_UNSET)
		return 0;
	return strtab_intern(&b->p->strs, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* One mapping line; returns 1 for a mapping, 0 for a skipped
 * (non-executable) one, -1 when the line is not a mapping. */
static int parse_map_line(struct lb *b, pcre2_code *proc, pcre2_code *brief,
			  pcre2_match_data *md, const char *s, size_t n,
			  struct mt_mapping *m)
{
	int g_file, g_off, g_build = -1;
	int rc = pcre2_match(proc, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	if (rc > 0) {
		g_off = 4;
		g_file = 5;
	} else if ((rc = pcre2_match(brief, (PCRE2_SPTR)s, n, 0, 0, md, NULL)) > 0) {
		g_file = 4;
		g_off = 5;
		g_build = 6;
	} else {
		return -1;
	}
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	memset(m, 0, sizeof *m);
	if (rc > 3 && ov[6] != PCRE2_UNSET && ov[7] > ov[6] &&
	    !memchr(s + ov[6], 'x', ov[7] - ov[6]))
		return 0;
	bool present;
	if (!cap_hex(md, rc, 1, s, &m->start, &present) ||
	    !cap_hex(md, rc, 2, s, &m->limit, &present) ||
	    !cap_hex(md, rc, g_off, s, &m->offset, &present))
		return -1;
	m->file = cap_str(b, md, rc, g_file, s);
	if (g_build > 0)
		m->build_id = cap_str(b, md, rc, g_build, s);
	return 1;
}

/* pprof's removeLoggingInfo: a glog prefix `...file:NN] ` is dropped. */
static size_t log_prefix(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != '[' && s[i] != ']')
		i++;
	if (i == 0 || i >= n || s[i] != ']')
		return 0;
	size_t d = i;
	while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		d--;
	if (d == i || d < 2 || s[d - 1] != ':')
		return 0;
	if (i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '\t' || s[i + 1] == '\r' ||
			  s[i + 1] == '\f'))
		return i + 2;
	return 0;
}

enum mt_status lb_parse_maps(struct lb *b)
{
	int err;
	PCRE2_SIZE eoff;
	pcre2_code *proc = pcre2_compile((PCRE2_SPTR)proc_maps_re, PCRE2_ZERO_TERMINATED,
					 0, &err, &eoff, NULL);
	pcre2_code *brief = pcre2_compile((PCRE2_SPTR)brief_maps_re,
					  PCRE2_ZERO_TERMINATED, 0, &err, &eoff, NULL);
	if (!proc || !brief) {
		pcre2_code_free(proc);
		pcre2_code_free(brief);
		return mt_errf(b->e, MT_ERR_NOMEM, "cannot compile the memory map patterns");
	}
	pcre2_match_data *md = pcre2_match_data_create(8, NULL);
	VEC(struct subst) sv = {0};
	enum mt_status st = MT_OK;
	while (b->cur < b->end) {
		/* Raw lines: pprof trims nothing here but the regexes skip
		 * leading blanks themselves. */
		const char *s = b->cur;
		const char *nl = memchr(s, '\n', (size_t)(b->end - s));
		size_t n = (size_t)((nl ? nl : b->end) - s);
		b->cur = nl ? nl + 1 : b->end;
		size_t lp = log_prefix(s, n);
		s += lp;
		n -= lp;
		size_t ln;
		char *line = apply_subst(sv.v, sv.n, s, n, &ln);
		struct mt_mapping m;
		int r = parse_map_line(b, proc, brief, md, line, ln, &m);
		if (r > 0) {
			if (b->p->mappings.n >= b->lim->max_samples) {
				free(line);
				st = lb_fail(b, s, "too many mappings");
				break;
			}
			VEC_PUSH(b->p->mappings, m);
		} else if (r < 0) {
			char *eq = memchr(line, '=', ln);
			if (eq) {
				const char *k = line, *ke = eq, *v = eq + 1, *ve = line + ln;
				while (k < ke && (*k == ' ' || *k == '\t'))
					k++;
				while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t' || ke[-1] == '\r'))
					ke--;
				while (v < ve && (*v == ' ' || *v == '\t'))
					v++;
				while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
					ve--;
				struct subst x;
				x.key = xmalloc((size_t)(ke - k) + 2);
				x.key[0] = '$';
				memcpy(x.key + 1, k, (size_t)(ke - k));
				x.key[ke - k + 1] = 0;
				x.val = xstrndup(v, (size_t)(ve - v));
				if (sv.n < 1000)
					VEC_PUSH(sv, x);
				else
					free(x.key), free(x.val);
			}
		}
		free(line);
	}
	for (size_t i = 0; i < sv.n; i++) {
		free(sv.v[i].key);
		free(sv.v[i].val);
	}
	free(sv.v);
	pcre2_match_data_free(md);
	pcre2_code_free(proc);
	pcre2_code_free(brief);
	return st;
}

enum mt_status lb_additional_sections(struct lb *b, const struct span *cur)
{
	struct span l = *cur;
	bool have = cur->s != NULL;
	while (!(have && lb_is_map_sentinel(&l))) {
		if (!lb_next_line(b, &l))
			return MT_OK;
		have = true;
	}
	return lb_parse_maps(b);
}

/* ------------------------------------------------------------------ */
/* Finishing: pprof's mapping heuristics and frame pruning rules       */

static bool adjacent(const struct profile *p, const struct mt_mapping *a,
		     const struct mt_mapping *c)
{
	if (a->file && c->file && a->file != c->file)
		return false;
	if (a->build_id && c->build_id && a->build_id != c->build_id)
		return false;
	if (a->limit != c->start)
		return false;
	if (a->offset && c->offset && a->offset + (a->limit - a->start) != c->offset)
		return false;
	return true;
}

static bool is_lib(const char *f)
{
	size_t n = strlen(f);
	if (n >= 3 && strcmp(f + n - 3, ".so") == 0)
		return true;
	for (const char *s = strstr(f, ".so"); s; s = strstr(s + 1, ".so"))
		if ((s[3] == '.' || s[3] == '_') && s[4] >= '0' && s[4] <= '9')
			return true;
	return false;
}

/* The file name without "(deleted)" and surrounding blanks is non-empty,
 * no shared library and no [pseudo] mapping: pprof's main-binary guess. */
static bool is_main_candidate(const char *f)
{
	char buf[512];
	size_t n = 0;
	for (const char *s = f; *s && n < sizeof buf - 1;) {
		if (strncmp(s, "(deleted)", 9) == 0) {
			s += 9;
			continue;
		}
		buf[n++] = *s++;
	}
	buf[n] = 0;
	char *a = buf;
	while (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r')
		a++;
	char *z = a + strlen(a);
	while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\n' || z[-1] == '\r'))
		*--z = 0;
	return *a && !is_lib(a) && *a != '[';
}

static const char alloc_rx[] =
	"calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|"
	"pvalloc|valloc|realloc|"
	"tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|"
	"tc_posix_memalign|tc_pvalloc|tc_valloc|tc_realloc|tc_new|tc_delete|"
	"tc_newarray|tc_deletearray|tc_new_nothrow|tc_newarray_nothrow|"
	"malloc_zone_malloc|malloc_zone_calloc|malloc_zone_valloc|"
	"malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|"
	"runtime\\..*|"
	"BaseArena::.*|(::)?do_malloc_no_errno|(::)?do_malloc_pages|"
	"(::)?do_malloc|DoSampledAllocation|MallocedMemBlock::MallocedMemBlock|"
	"_M_allocate|__builtin_(vec_)?delete|__builtin_(vec_)?new|"
	"__gnu_cxx::new_allocator::allocate|__libc_malloc|"
	"__malloc_alloc_template::allocate|allocate|cpp_alloc|"
	"operator new(\\[\\])?|simple_alloc::allocate";
static const char alloc_keep_rx[] =
	"runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";
static const char lock_rx[] =
	"RecordLockProfileData|(base::)?RecordLockProfileData.*|"
	"(base::)?SubmitMutexProfileData.*|(base::)?SubmitSpinLockProfileData.*|"
	"(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|"
	"(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|"
	"(base::MutexLock::)?~MutexLock.*|(Mutex::)?AwaitCommon.*|"
	"(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|"
	"(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|"
	"(SpinLock::)?SlowUnlock.*|(SpinLockHolder::)?~SpinLockHolder.*";
static const char cpu_rx[] =
	"ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|"
	"__pthread_sighandler|__restore";

static bool types_are(const struct profile *p, const char *const *t, size_t n)
{
	if (p->sample_types.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(profile_str(p, p->sample_types.v[i].type), t[i]) != 0)
			return false;
	return true;
}

/* pprof's addLegacyFrameInfo: which frames are the allocator's or the
 * profiler's own, chosen from the sample types. */
static void set_frame_rules(struct profile *p)
{
	static const char *const heapz[][4] = {
		{"allocations", "size"},
		{"objects", "space"},
		{"inuse_objects", "inuse_space"},
		{"alloc_objects", "alloc_space"},
		{"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"},
	};
	static const char *const cont[] = {"contentions", "delay"};
	const char *drop = cpu_rx, *keep = NULL;
	for (size_t i = 0; i < 5; i++)
		if (types_are(p, heapz[i], i == 4 ? 4 : 2)) {
			drop = alloc_rx;
			keep = alloc_keep_rx;
		}
	if (types_are(p, cont, 2))
		drop = lock_rx;
	p->drop_frames = strtab_intern(&p->strs, drop, strlen(drop));
	p->keep_frames = keep ? strtab_intern(&p->strs, keep, strlen(keep)) : 0;
}

enum mt_status lb_finish(struct lb *b, enum mt_format fmt)
{
	struct profile *p = b->p;
	p->format = fmt;
	/* massageMappings: merge a mapping split in adjacent pieces. */
	if (p->mappings.n > 1) {
		size_t k = 1;
		for (size_t i = 1; i < p->mappings.n; i++) {
			struct mt_mapping *lm = &p->mappings.v[k - 1], *m = &p->mappings.v[i];
			if (adjacent(p, lm, m)) {
				lm->limit = m->limit;
				if (m->file)
					lm->file = m->file;
				if (m->build_id)
					lm->build_id = m->build_id;
				continue;
			}
			p->mappings.v[k++] = *m;
		}
		p->mappings.n = k;
	}
	for (size_t i = 0; i < p->mappings.n; i++) {
		if (!is_main_candidate(profile_str(p, p->mappings.v[i].file)))
			continue;
		struct mt_mapping t = p->mappings.v[0];
		p->mappings.v[0] = p->mappings.v[i];
		p->mappings.v[i] = t;
		break;
	}
	/* remapMappingIDs */
	if (p->mappings.n > 1 &&
	    strncmp(profile_str(p, p->mappings.v[0].file), "/anon_hugepage", 14) == 0 &&
	    p->mappings.v[0].limit == p->mappings.v[1].start) {
		memmove(p->mappings.v, p->mappings.v + 1,
			(p->mappings.n - 1) * sizeof *p->mappings.v);
		p->mappings.n--;
	}
	if (p->mappings.n && p->mappings.v[0].start - p->mappings.v[0].offset == 0x400000) {
		p->mappings.v[0].start = 0x400000;
		p->mappings.v[0].offset = 0;
	}
	uint32_t fake = MT_NONE;
	size_t nreal = p->mappings.n;
	for (size_t li = 0; li < p->locations.n; li++) {
		struct mt_location *l = &p->locations.v[li];
		uint64_t a = l->address;
		if (a == 0)
			continue;
		size_t i;
		for (i = 0; i < nreal; i++)
			if (p->mappings.v[i].start <= a && a < p->mappings.v[i].limit)
				break;
		if (i == nreal) {
			/* A mapping split in two whose first part was lost. */
			for (i = 0; i < nreal; i++) {
				struct mt_mapping *m = &p->mappings.v[i];
				if (m->offset && m->start - m->offset <= a && a < m->start) {
					m->start -= m->offset;
					m->offset = 0;
					break;
				}
			}
		}
		if (i < nreal) {
			l->mapping = (uint32_t)i;
			continue;
		}
		if (fake == MT_NONE) {
			struct mt_mapping m = {.limit = UINT64_MAX};
			fake = (uint32_t)p->mappings.n;
			VEC_PUSH(p->mappings, m);
		}
		l->mapping = fake;
	}
	for (size_t i = 0; i < p->mappings.n; i++) {
		struct mt_mapping *m = &p->mappings.v[i];
		m->id = i + 1;
		if (i == fake && b->any_named) {
			m->has_functions = m->has_filenames = true;
			m->has_line_numbers = m->has_inline_frames = true;
		}
	}
	set_frame_rules(p);
	return MT_OK;
}
