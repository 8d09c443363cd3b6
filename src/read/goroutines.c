/* goroutines.c - one-pass parser of Go goroutine dumps, grouping of identical
 * stacks, and the goroutine-dump reader that turns the groups into a profile.
 *
 * The dump is line oriented. Outside a goroutine block every line is skipped
 * (panic preambles, "[signal ...]", log lines, SIGQUIT register dumps) until
 * a header "goroutine N [state, M minutes, locked to thread]:". Inside a block
 * a frame is a call line "pkg.func(args)" followed by "\tfile:line +0xoff";
 * "created by F [in goroutine K]" and its location end the goroutine's own
 * stack; "[originating from goroutine N]:" starts ancestor stacks
 * (GODEBUG=tracebackancestors), which are not part of the goroutine's stack.
 */
#include "read/goroutines.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gz.h"

void goroutines_init(struct mt_goroutines *d)
{
	memset(d, 0, sizeof *d);
	strtab_init(&d->strs);
}

void goroutines_done(struct mt_goroutines *d)
{
	strtab_done(&d->strs);
	free(d->gs.v);
	free(d->frames.v);
	free(d->args.v);
	free(d->ancestors.v);
	free(d->groups.v);
	memset(d, 0, sizeof *d);
}

/* ---- small scanners over one line [p, end) ---- */

static bool has_prefix(const char *p, const char *end, const char *s)
{
	size_t k = strlen(s);
	return (size_t)(end - p) >= k && memcmp(p, s, k) == 0;
}

/* Parses decimal digits at *pp into *out; false when there are none or the
 * number does not fit in max. */
static bool parse_u64(const char **pp, const char *end, uint64_t max, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	if (p >= end || *p < '0' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned dgt = (unsigned)(*p - '0');
		if (v > (max - dgt) / 10)
			return false;
		v = v * 10 + dgt;
	}
	*pp = p;
	*out = v;
	return true;
}

/* The parser's state between lines. */
enum gmode {
	GM_TOP,	     /* outside any goroutine */
	GM_STACK,    /* in a goroutine's own frames */
	GM_CREATED,  /* after "created by": its location may follow */
	GM_ANCESTOR, /* in "[originating from goroutine N]" stacks */
};

struct gparse {
	struct mt_goroutines *d;
	const struct mt_limits *lim;
	struct mt_err *e;
	const char *base;
	enum gmode mode;
	bool open;	/* a goroutine is being filled (the last of d->gs) */
	bool need_loc;	/* the last frame has no file:line yet */
	bool need_cloc; /* "created by" has no file:line yet */
	bool body;	/* a line followed the open goroutine's header */
	size_t open_at; /* byte offset of its header */
};

static enum mt_status corrupt(struct gparse *g, const char *at, const char *what)
{
	return mt_errf(g->e, MT_ERR_CORRUPT, "%s (at byte %zu)", what,
		       (size_t)(at - g->base));
}

/* Interns s[0..n) into *out; a string over --max-string is refused, as
 * every reader refuses it (limits.h), never cut. */
static enum mt_status intern(struct gparse *g, const char *s, size_t n, mt_str *out)
{
	if (n > g->lim->max_string)
		return mt_err_long_string(g->e, n, g->lim->max_string, (size_t)(s - g->base));
	*out = strtab_intern(&g->d->strs, s, n);
	return MT_OK;
}

/* The grouping key's hash: state, creator function, elision and every
 * frame's function, file and line (never the arguments). */
static uint64_t key_hash(const struct mt_goroutines *d, const struct mt_goroutine *gr)
{
	uint64_t h = mt_hash_u64(((uint64_t)gr->state << 32 | gr->created_by) ^
				 (gr->elided ? 0x9e3779b97f4a7c15ULL : 0));
	const struct mt_gframe *f = gr->nframe ? d->frames.v + gr->frame0 : NULL;
	for (uint32_t i = 0; i < gr->nframe; i++)
		h = mt_hash_u64(h ^ ((uint64_t)f[i].func << 32 | f[i].file)) +
		    (uint64_t)f[i].line;
	return h;
}

/* Finishes the open goroutine: complete ones are kept, one that the input
 * cut off is dropped (with its frames) and counted. */
static void close_goroutine(struct gparse *g, bool complete)
{
	if (!g->open)
		return;
	struct mt_goroutines *d = g->d;
	struct mt_goroutine *gr = &d->gs.v[d->gs.n - 1];
	if (!complete || g->need_loc || g->need_cloc) {
		if (!d->incomplete)
			d->incomplete_at = g->open_at;
		d->incomplete++;
		d->frames.n = gr->frame0;
		d->ancestors.n = gr->anc0;
		d->gs.n--;
	} else {
		gr->hash = key_hash(d, gr);
	}
	g->open = g->need_loc = g->need_cloc = g->body = false;
	g->mode = GM_TOP;
}

/* Recognizes "goroutine N [...]:" (also "goroutine N gp=... m=... [...]:"
 * of GOTRACEBACK=system) and opens a goroutine. Returns MT_ERR_NOTFOUND,
 * without touching the error, when the line is not a header. */
static enum mt_status header(struct gparse *g, const char *p, const char *end)
{
	const char *line = p;
	uint64_t id;
	if (!has_prefix(p, end, "goroutine "))
		return MT_ERR_NOTFOUND;
	p += 10;
	if (p >= end || *p < '0' || *p > '9')
		return MT_ERR_NOTFOUND;
	if (end - p < 2 || end[-1] != ':' || end[-2] != ']')
		return MT_ERR_NOTFOUND;
	if (!parse_u64(&p, end, UINT64_MAX, &id))
		return corrupt(g, line, "goroutine id out of range");
	if (p >= end || *p != ' ')
		return MT_ERR_NOTFOUND;
	const char *lb = memchr(p, '[', (size_t)(end - p));
	if (!lb)
		return MT_ERR_NOTFOUND;
	struct mt_goroutines *d = g->d;
	close_goroutine(g, true);
	if (d->gs.n >= g->lim->max_goroutines)
		return mt_errf(g->e, MT_ERR_LIMIT,
			       "more than %zu goroutines (--max-goroutines%s) (at byte %zu)",
			       g->lim->max_goroutines,
			       mt_limit_sized_note(g->lim->goroutines_by_input),
			       (size_t)(line - g->base));

	struct mt_goroutine gr = {.id = id,
				  .frame0 = (uint32_t)d->frames.n,
				  .anc0 = (uint32_t)d->ancestors.n};
	/* The bracket holds "state[, N minutes][, locked to thread]"; parts memtop
	 * does not know stay in the state, so nothing is lost. */
	const char *s = lb + 1, *se = end - 2;
	const char *st0 = s, *st1 = s;
	while (s < se) {
		const char *c = s;
		while (c < se && !(c[0] == ',' && c + 1 < se && c[1] == ' '))
			c++;
		uint64_t mins;
		if (s != st0 && (size_t)(c - s) > 8 &&
		    memcmp(c - 8, " minutes", 8) == 0 && s[0] >= '0' && s[0] <= '9') {
			const char *q = s;
			if (!parse_u64(&q, c - 8, INT64_MAX, &mins) || q != c - 8)
				return corrupt(g, line, "bad wait time");
			gr.wait_minutes = (int64_t)mins;
		} else if (s != st0 && (size_t)(c - s) == 16 &&
			   memcmp(s, "locked to thread", 16) == 0) {
			gr.locked = true;
		} else if (s != st0 && (size_t)(c - s) > 15 &&
			   memcmp(s, "synctest group ", 15) == 0) {
			const char *q = s + 15;
			if (!parse_u64(&q, c, UINT64_MAX, &gr.synctest) || q != c)
				return corrupt(g, line, "bad synctest group");
		} else {
			st1 = c;
		}
		s = c < se ? c + 2 : se;
	}
	/* " (scan)": the garbage collector was scanning the stack, a moment's
	 * state that would split a group in two. */
	if (st1 - st0 > 7 && memcmp(st1 - 7, " (scan)", 7) == 0)
		st1 -= 7;
	enum mt_status ist = intern(g, st0, (size_t)(st1 - st0), &gr.state);
	if (ist)
		return ist;
	VEC_PUSH(d->gs, gr);
	g->open = true;
	g->open_at = (size_t)(line - g->base);
	g->mode = GM_STACK;
	return MT_OK;
}

/* Parses "\tfile:line[ +0xoff][ fp=... sp=... pc=...]": the line number is
 * the last ":digits" followed by a space or the end. */
static bool location(const char *p, const char *end, const char **file, size_t *flen,
		     int64_t *line, bool *range)
{
	const char *best = NULL, *bend = NULL;
	uint64_t v = 0;
	*range = true;
	/* From the right: the offset and frame pointers have no colon, so the
	 * first candidate is nearly always the answer. */
	for (const char *lim = end; !best && lim > p;) {
		const char *c = memrchr(p, ':', (size_t)(lim - p));
		if (!c)
			break;
		const char *q = c + 1;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q > c + 1 && (q == end || *q == ' ')) {
			best = c;
			bend = q;
		}
		lim = c;
	}
	if (!best)
		return false;
	const char *q = best + 1;
	if (!parse_u64(&q, bend, INT64_MAX, &v)) {
		*range = false;
		return false;
	}
	*file = p;
	*flen = (size_t)(best - p);
	*line = (int64_t)v;
	return true;
}

/* Adds a call line "func(args)" as the next frame. */
static enum mt_status frame(struct gparse *g, const char *p, const char *end)
{
	struct mt_goroutines *d = g->d;
	struct mt_goroutine *gr = &d->gs.v[d->gs.n - 1];
	const char *lp = end - 1;
	while (lp > p && *lp != '(')
		lp--;
	if (lp == p)
		return corrupt(g, p, "call without a function name");
	if (g->need_loc)
		return corrupt(g, p, "frame without a file:line");
	if (gr->nframe >= g->lim->max_frames)
		return mt_errf(g->e, MT_ERR_LIMIT,
			       "goroutine %" PRIu64
			       " has more than %zu frames (--max-frames) (at byte %zu)",
			       gr->id, g->lim->max_frames, (size_t)(p - g->base));
	size_t alen = (size_t)(end - 1 - (lp + 1));
	if (alen > UINT32_MAX)
		return corrupt(g, p, "arguments too long");
	mt_str func = 0;
	enum mt_status st = intern(g, p, (size_t)(lp - p), &func);
	if (st)
		return st;
	struct mt_gframe f = {
	    .func = func,
	    .args_off = d->args.n,
	    .args_len = (uint32_t)alen,
	    .inlined = alen == 3 && memcmp(lp + 1, "...", 3) == 0,
	};
	if (alen) {
		VEC_RESERVE(d->args, d->args.n + alen);
		memcpy(d->args.v + d->args.n, lp + 1, alen);
		d->args.n += alen;
	}
	VEC_PUSH(d->frames, f);
	gr->nframe++;
	g->need_loc = true;
	return MT_OK;
}

/* Handles "created by F" and "created by F in goroutine K". */
static enum mt_status created_by(struct gparse *g, const char *p, const char *end)
{
	struct mt_goroutines *d = g->d;
	struct mt_goroutine *gr = &d->gs.v[d->gs.n - 1];
	if (g->need_loc)
		return corrupt(g, p, "frame without a file:line");
	const char *f = p + 11, *fe = end;
	static const char in_g[] = " in goroutine ";
	for (const char *c = end - 1; c > f; c--) {
		if (*c == ' ' && (size_t)(end - c) > sizeof in_g - 1 &&
		    memcmp(c, in_g, sizeof in_g - 1) == 0) {
			const char *q = c + sizeof in_g - 1;
			uint64_t k;
			if (!parse_u64(&q, end, UINT64_MAX, &k) || q != end)
				return corrupt(g, p, "bad creator goroutine id");
			gr->creator_id = k;
			gr->has_creator_id = true;
			fe = c;
			break;
		}
	}
	enum mt_status st = intern(g, f, (size_t)(fe - f), &gr->created_by);
	if (st)
		return st;
	g->need_cloc = true;
	g->mode = GM_CREATED;
	return MT_OK;
}

/* How much of a panic's or fatal error's message is kept. */
static size_t reason_max(const struct gparse *g)
{
	return g->lim->max_string < 200 ? g->lim->max_string : 200;
}

/* Handles one line (without its newline and a trailing CR). */
static enum mt_status line(struct gparse *g, const char *p, const char *end)
{
	struct mt_goroutines *d = g->d;
	enum mt_status st;
again: /* once more after a line that ended a goroutine */
	if (g->mode == GM_TOP) {
		if (p < end && *p == 'g' && (st = header(g, p, end)) != MT_ERR_NOTFOUND)
			return st;
		if (!d->reason && (has_prefix(p, end, "panic: ") ||
				   has_prefix(p, end, "fatal error: ") ||
				   has_prefix(p, end, "SIGQUIT")))
			/* An excerpt of the message, not a name: cut to its
			 * first 200 bytes (and to --max-string), never refused. */
			d->reason = strtab_intern(&d->strs, p,
						  (size_t)(end - p) < reason_max(g)
						      ? (size_t)(end - p)
						      : reason_max(g));
		return MT_OK;
	}
	g->body = true;
	if (p == end) { /* a blank line ends the goroutine */
		close_goroutine(g, true);
		return MT_OK;
	}
	if (*p == '\t') {
		const char *file;
		size_t flen;
		int64_t ln;
		bool in_range;
		bool ok = location(p + 1, end, &file, &flen, &ln, &in_range);
		if (!in_range)
			return corrupt(g, p, "line number out of range");
		if (g->mode == GM_ANCESTOR)
			return MT_OK;
		if (g->need_loc) {
			if (!ok)
				return corrupt(g, p, "expected \"\\tfile:line\"");
			struct mt_gframe *f = &d->frames.v[d->frames.n - 1];
			if ((st = intern(g, file, flen, &f->file)))
				return st;
			f->line = ln;
			g->need_loc = false;
			return MT_OK;
		}
		if (g->need_cloc) {
			if (!ok)
				return corrupt(g, p, "expected \"\\tfile:line\"");
			struct mt_goroutine *gr = &d->gs.v[d->gs.n - 1];
			if ((st = intern(g, file, flen, &gr->created_file)))
				return st;
			gr->created_line = ln;
			g->need_cloc = false;
			return MT_OK;
		}
		/* "\tgoroutine running on other thread; stack unavailable" */
		if (ok)
			return corrupt(g, p, "file:line without a call");
		return MT_OK;
	}
	if (*p == 'g' && (st = header(g, p, end)) != MT_ERR_NOTFOUND)
		return st;
	if (has_prefix(p, end, "[originating from goroutine ")) {
		const char *q = p + 28;
		uint64_t k;
		if (g->need_loc || g->need_cloc)
			return corrupt(g, p, "frame without a file:line");
		if (!parse_u64(&q, end, UINT64_MAX, &k) || !has_prefix(q, end, "]"))
			return corrupt(g, p, "bad ancestor goroutine id");
		VEC_PUSH(d->ancestors, k);
		d->gs.v[d->gs.n - 1].nanc++;
		g->mode = GM_ANCESTOR;
		return MT_OK;
	}
	if (g->mode == GM_ANCESTOR) {
		if (end[-1] == ')' || has_prefix(p, end, "created by ") ||
		    has_prefix(p, end, "..."))
			return MT_OK;
		close_goroutine(g, true);
		goto again;
	}
	if (has_prefix(p, end, "created by "))
		return g->mode == GM_STACK ? created_by(g, p, end)
					   : corrupt(g, p, "second \"created by\"");
	if (has_prefix(p, end, "...")) {
		/* "...additional frames elided..." ends the frames (Go < 1.21);
		 * "...N frames elided..." sits between the innermost and the
		 * outermost ones (Go >= 1.21). */
		if (g->need_loc)
			return corrupt(g, p, "frame without a file:line");
		struct mt_goroutine *gr = &d->gs.v[d->gs.n - 1];
		const char *q = p + 3;
		uint64_t k = 0;
		if (parse_u64(&q, end, UINT64_MAX, &k) && !has_prefix(q, end, " frames elided"))
			k = 0;
		gr->elided = true;
		gr->elided_at = gr->nframe;
		gr->elided_n = k;
		return MT_OK;
	}
	if (g->mode == GM_STACK && end[-1] == ')' && memchr(p, '(', (size_t)(end - p)))
		return frame(g, p, end);
	/* Anything else (an exit status, a register dump) ends the block. */
	if (g->need_loc || g->need_cloc)
		return corrupt(g, p, "expected \"\\tfile:line\"");
	close_goroutine(g, true);
	goto again;
}

/* A dump is text: a NUL byte in its first 64 KiB means it is not one. */
static enum mt_status dump_head(const uint8_t *d, size_t n, void *ctx, struct mt_err *e)
{
	(void)ctx;
	const uint8_t *z = memchr(d, 0, n < 65536 ? n : 65536);
	if (z)
		return mt_errf(e, MT_ERR_FORMAT, "binary data, not a goroutine dump (a NUL "
			       "byte at byte %zu)", (size_t)(z - d));
	return MT_OK;
}

enum mt_status goroutines_inflate(const uint8_t *in, size_t n, const struct mt_limits *lim,
				  uint8_t **out, size_t *outlen, struct mt_err *e)
{
	if (!lim)
		lim = &mt_limits_default;
	struct gz_opts o = {.max = lim->max_inflate, .ratio = lim->max_inflate_ratio,
			    .head = dump_head};
	return gz_inflate_opts(in, n, &o, out, outlen, e);
}

enum mt_status goroutines_parse(struct mt_goroutines *d, const uint8_t *data, size_t n,
				const struct mt_limits *lim, struct mt_err *e)
{
	if (!lim)
		lim = &mt_limits_default;
	struct gparse g = {.d = d, .lim = lim, .e = e, .base = (const char *)data};
	const char *p = (const char *)data, *end = p + n;
	enum mt_status st;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		bool cut = !nl;
		const char *le = nl ? nl : end;
		if (le > p && le[-1] == '\r')
			le--;
		/* The input stops inside this line: trust it only if it
		 * visibly ends (a location with its +0x offset). */
		if (cut &&
		    !(g.open && *p == '\t' && memmem(p, (size_t)(le - p), " +0x", 4))) {
			close_goroutine(&g, false);
			break;
		}
		if ((st = line(&g, p, le)))
			return st;
		p = nl ? nl + 1 : end;
	}
	/* A header alone at the very end may have lost its stack. */
	close_goroutine(&g, g.body);
	if (d->gs.n == 0)
		return d->incomplete
			   ? mt_errf(e, MT_ERR_CORRUPT,
				     "truncated goroutine dump (at byte %zu)",
				     d->incomplete_at)
			   : mt_errf(e, MT_ERR_FORMAT,
				     "no \"goroutine N [state]:\" header found");
	return MT_OK;
}

/* ---- grouping ---- */

static bool same_key(const struct mt_goroutines *d, const struct mt_goroutine *a,
		     const struct mt_goroutine *b)
{
	if (a->hash != b->hash || a->state != b->state || a->nframe != b->nframe ||
	    a->created_by != b->created_by || a->elided != b->elided)
		return false;
	if (!a->nframe)
		return true;
	const struct mt_gframe *fa = VEC_AT(d->frames, a->frame0),
			       *fb = VEC_AT(d->frames, b->frame0);
	for (uint32_t i = 0; i < a->nframe; i++)
		if (fa[i].func != fb[i].func || fa[i].file != fb[i].file ||
		    fa[i].line != fb[i].line)
			return false;
	return true;
}

static int cmp_str(const struct mt_goroutines *d, mt_str a, mt_str b)
{
	return a == b ? 0 : strcmp(goroutines_str(d, a), goroutines_str(d, b));
}

/* Largest first; ties by state, then the leaf frame, then dump order. */
static int cmp_group(const void *pa, const void *pb, void *ctx)
{
	const struct mt_goroutines *d = ctx;
	const struct mt_ggroup *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	const struct mt_goroutine *ga = &d->gs.v[a->first], *gb = &d->gs.v[b->first];
	int c = cmp_str(d, ga->state, gb->state);
	if (c)
		return c;
	if (ga->nframe && gb->nframe) {
		const struct mt_gframe *fa = &d->frames.v[ga->frame0];
		const struct mt_gframe *fb = &d->frames.v[gb->frame0];
		if ((c = cmp_str(d, fa->func, fb->func)) ||
		    (c = cmp_str(d, fa->file, fb->file)))
			return c;
		if (fa->line != fb->line)
			return fa->line < fb->line ? -1 : 1;
	} else if (ga->nframe != gb->nframe) {
		return ga->nframe < gb->nframe ? -1 : 1;
	}
	return a->first < b->first ? -1 : a->first > b->first;
}

void goroutines_group(struct mt_goroutines *d)
{
	d->groups.n = 0;
	size_t nslots = 64;
	uint32_t *slots = xcalloc(nslots, sizeof *slots); /* group index + 1 */
	for (size_t i = 0; i < d->gs.n; i++) {
		struct mt_goroutine *gr = &d->gs.v[i];
		if ((d->groups.n + 1) * 2 > nslots) {
			free(slots);
			nslots *= 2;
			slots = xcalloc(nslots, sizeof *slots);
			for (size_t k = 0; k < d->groups.n; k++) {
				size_t s =
				    d->gs.v[d->groups.v[k].first].hash & (nslots - 1);
				while (slots[s])
					s = (s + 1) & (nslots - 1);
				slots[s] = (uint32_t)k + 1;
			}
		}
		size_t s = gr->hash & (nslots - 1);
		struct mt_ggroup *grp = NULL;
		for (; slots[s]; s = (s + 1) & (nslots - 1)) {
			struct mt_ggroup *c = &d->groups.v[slots[s] - 1];
			if (same_key(d, &d->gs.v[c->first], gr)) {
				grp = c;
				break;
			}
		}
		if (!grp) {
			struct mt_ggroup ng = {.first = (uint32_t)i,
					       .wait_min = gr->wait_minutes,
					       .wait_max = gr->wait_minutes};
			VEC_PUSH(d->groups, ng);
			slots[s] = (uint32_t)d->groups.n;
			grp = &d->groups.v[d->groups.n - 1];
		}
		gr->group = (uint32_t)(grp - d->groups.v);
		grp->count++;
		grp->locked += gr->locked;
		if (gr->wait_minutes < grp->wait_min)
			grp->wait_min = gr->wait_minutes;
		if (gr->wait_minutes > grp->wait_max)
			grp->wait_max = gr->wait_minutes;
		if (grp->nids < MT_GROUP_IDS)
			grp->ids[grp->nids++] = gr->id;
	}
	free(slots);
	qsort_r(d->groups.v, d->groups.n, sizeof *d->groups.v, cmp_group, d);
	/* Members point at their group's new position. */
	uint32_t *pos = xmalloc((d->groups.n + 1) * sizeof *pos);
	for (size_t k = 0; k < d->groups.n; k++)
		pos[d->gs.v[d->groups.v[k].first].group] = (uint32_t)k;
	for (size_t i = 0; i < d->gs.n; i++)
		d->gs.v[i].group = pos[d->gs.v[i].group];
	free(pos);
}

/* ---- the profile view of a dump ---- */

/* A group's last "file:line" of its creator, interned. */
struct cat {
	mt_str file, str;
	int64_t line;
};

struct pbuild {
	struct cat *cat; /* per group */
	const struct mt_goroutines *d;
	struct profile *p;
	mt_str *smap;	  /* d's string id -> p's, MT_NONE until used */
	uint32_t *fslots; /* function table: index + 1 */
	size_t nfslots;
	uint32_t *lslots; /* location table: index + 1 */
	size_t nlslots;
};

static mt_str pstr(struct pbuild *b, mt_str s)
{
	if (b->smap[s] == MT_NONE)
		b->smap[s] = strtab_intern(&b->p->strs, goroutines_str(b->d, s),
					   strtab_len(&b->d->strs, s));
	return b->smap[s];
}

/* Doubles an open-addressing table of index + 1 entries, rehashing with h. */
static void regrow(uint32_t **slots, size_t *n, size_t used, struct pbuild *b,
		   uint64_t (*h)(struct pbuild *, uint32_t))
{
	if ((used + 1) * 2 <= *n)
		return;
	size_t nn = *n ? *n * 2 : 256;
	free(*slots);
	*slots = xcalloc(nn, sizeof **slots);
	*n = nn;
	for (uint32_t k = 0; k < used; k++) {
		size_t s = h(b, k) & (nn - 1);
		while ((*slots)[s])
			s = (s + 1) & (nn - 1);
		(*slots)[s] = k + 1;
	}
}

static uint64_t func_hash(struct pbuild *b, uint32_t k)
{
	const struct mt_function *f = &b->p->functions.v[k];
	return mt_hash_u64((uint64_t)f->name << 32 | f->filename);
}

static uint32_t func_index(struct pbuild *b, const struct mt_gframe *fr)
{
	struct profile *p = b->p;
	mt_str name = pstr(b, fr->func), file = pstr(b, fr->file);
	regrow(&b->fslots, &b->nfslots, p->functions.n, b, func_hash);
	size_t s = mt_hash_u64((uint64_t)name << 32 | file) & (b->nfslots - 1);
	for (; b->fslots[s]; s = (s + 1) & (b->nfslots - 1)) {
		const struct mt_function *f = &p->functions.v[b->fslots[s] - 1];
		if (f->name == name && f->filename == file)
			return b->fslots[s] - 1;
	}
	struct mt_function f = {.id = p->functions.n + 1,
				.name = name,
				.system_name = name,
				.filename = file};
	VEC_PUSH(p->functions, f);
	b->fslots[s] = (uint32_t)p->functions.n;
	return (uint32_t)p->functions.n - 1;
}

static uint64_t lines_hash(const struct mt_line *l, uint32_t n)
{
	uint64_t h = n;
	for (uint32_t i = 0; i < n; i++)
		h = mt_hash_u64(h ^ ((uint64_t)l[i].func << 32)) + (uint64_t)l[i].line;
	return h;
}

static uint64_t loc_hash(struct pbuild *b, uint32_t k)
{
	const struct mt_location *l = &b->p->locations.v[k];
	return lines_hash(VEC_AT(b->p->lines, l->line0), l->nline);
}

/* The location of lines[line0..] (just appended): an existing identical one,
 * whose lines are then dropped again, or a new one. */
static uint32_t loc_index(struct pbuild *b, uint32_t line0)
{
	struct profile *p = b->p;
	uint32_t n = (uint32_t)(p->lines.n - line0);
	const struct mt_line *nl = VEC_AT(p->lines, line0);
	regrow(&b->lslots, &b->nlslots, p->locations.n, b, loc_hash);
	size_t s = lines_hash(nl, n) & (b->nlslots - 1);
	for (; b->lslots[s]; s = (s + 1) & (b->nlslots - 1)) {
		const struct mt_location *l = &p->locations.v[b->lslots[s] - 1];
		const struct mt_line *ol = VEC_AT(p->lines, l->line0);
		uint32_t i = 0;
		if (l->nline != n)
			continue;
		while (i < n && ol[i].func == nl[i].func && ol[i].line == nl[i].line)
			i++;
		if (i == n) {
			p->lines.n = line0;
			return b->lslots[s] - 1;
		}
	}
	struct mt_location l = {
	    .id = p->locations.n + 1, .mapping = MT_NONE, .line0 = line0, .nline = n};
	VEC_PUSH(p->locations, l);
	b->lslots[s] = (uint32_t)p->locations.n;
	return (uint32_t)p->locations.n - 1;
}

/* The label keys, interned once. */
struct lkeys {
	mt_str id, state, wait, minutes, locked, yes, created_by, created_at, creator,
	    elided, elided_n, ancestor, synctest;
};

static mt_str pkey(struct profile *p, const char *k)
{
	return strtab_intern(&p->strs, k, strlen(k));
}

static void str_label(struct profile *p, mt_str key, mt_str val)
{
	struct mt_label l = {.key = key, .str = val};
	VEC_PUSH(p->labels, l);
}

static void num_label(struct profile *p, mt_str key, int64_t num, mt_str unit)
{
	struct mt_label l = {.key = key, .num = num, .unit = unit, .is_num = true};
	VEC_PUSH(p->labels, l);
}

/* The labels of one goroutine (GOR_L_* in goroutines.h). */
static void goroutine_labels(struct pbuild *b, const struct lkeys *k,
			     const struct mt_goroutine *gr)
{
	struct profile *p = b->p;
	const struct mt_goroutines *d = b->d;
	num_label(p, k->id, (int64_t)gr->id, 0);
	str_label(p, k->state, pstr(b, gr->state));
	if (gr->wait_minutes > 0)
		num_label(p, k->wait, gr->wait_minutes, k->minutes);
	if (gr->locked)
		str_label(p, k->locked, k->yes);
	if (gr->created_by) {
		str_label(p, k->created_by, pstr(b, gr->created_by));
		if (gr->created_file) {
			/* Members of a group mostly share the go statement: the
			 * group remembers the last one interned. */
			struct cat *c = &b->cat[gr->group];
			if (!c->str || c->file != gr->created_file || c->line != gr->created_line) {
				char buf[64];
				const char *f = goroutines_str(d, gr->created_file);
				size_t fl = strtab_len(&d->strs, gr->created_file);
				int n = snprintf(buf, sizeof buf, ":%" PRId64, gr->created_line);
				char *at = xmalloc(fl + (size_t)n + 1);
				memcpy(at, f, fl);
				memcpy(at + fl, buf, (size_t)n + 1);
				c->str = strtab_intern(&p->strs, at, fl + (size_t)n);
				c->file = gr->created_file;
				c->line = gr->created_line;
				free(at);
			}
			str_label(p, k->created_at, c->str);
		}
	}
	if (gr->has_creator_id)
		num_label(p, k->creator, (int64_t)gr->creator_id, 0);
	if (gr->elided) {
		num_label(p, k->elided, gr->elided_at, 0);
		if (gr->elided_n)
			num_label(p, k->elided_n, (int64_t)gr->elided_n, 0);
	}
	for (uint32_t i = 0; i < gr->nanc; i++)
		num_label(p, k->ancestor, (int64_t)d->ancestors.v[gr->anc0 + i], 0);
	if (gr->synctest)
		num_label(p, k->synctest, (int64_t)gr->synctest, 0);
}

enum mt_status goroutines_parse_profile(const uint8_t *data, size_t n,
					struct profile *p, const struct mt_limits *lim,
					struct mt_err *e)
{
	struct mt_goroutines d;
	goroutines_init(&d);
	enum mt_status st = goroutines_parse(&d, data, n, lim, e);
	if (st) {
		goroutines_done(&d);
		return st;
	}
	goroutines_group(&d);

	p->format = MT_FMT_GOROUTINE_DUMP;
	mt_str gor = strtab_intern(&p->strs, "goroutine", 9);
	mt_str cnt = strtab_intern(&p->strs, "count", 5);
	struct mt_value_type vt = {.type = gor, .unit = cnt};
	VEC_PUSH(p->sample_types, vt);
	p->period_type = vt;
	p->period = 1;
	if (d.reason)
		VEC_PUSH(p->comments, strtab_intern(&p->strs, goroutines_str(&d, d.reason),
						    strtab_len(&d.strs, d.reason)));
	if (d.incomplete) {
		char c[160];
		int cn = snprintf(c, sizeof c, GOR_INCOMPLETE_COMMENT "%zu (at byte %zu)",
				  d.incomplete, d.incomplete_at);
		VEC_PUSH(p->comments, strtab_intern(&p->strs, c, (size_t)cn));
	}
	struct lkeys k = {
	    .id = pkey(p, GOR_L_ID),
	    .state = pkey(p, GOR_L_STATE),
	    .wait = pkey(p, GOR_L_WAIT),
	    .minutes = pkey(p, "minutes"),
	    .locked = pkey(p, GOR_L_LOCKED),
	    .yes = pkey(p, "true"),
	    .created_by = pkey(p, GOR_L_CREATED_BY),
	    .created_at = pkey(p, GOR_L_CREATED_AT),
	    .creator = pkey(p, GOR_L_CREATOR),
	    .elided = pkey(p, GOR_L_ELIDED),
	    .elided_n = pkey(p, GOR_L_ELIDED_N),
	    .ancestor = pkey(p, GOR_L_ANCESTOR),
	    .synctest = pkey(p, GOR_L_SYNCTEST),
	};

	struct pbuild b = {.d = &d, .p = p};
	b.smap = xmalloc(d.strs.n * sizeof *b.smap);
	memset(b.smap, 0xff, d.strs.n * sizeof *b.smap);
	/* Each group's stack once: its members' samples share it. */
	uint32_t *gloc = xmalloc((d.groups.n + 1) * 2 * sizeof *gloc);
	b.cat = xcalloc(d.groups.n + 1, sizeof *b.cat);
	for (size_t g = 0; g < d.groups.n; g++) {
		const struct mt_goroutine *gr = &d.gs.v[d.groups.v[g].first];
		gloc[2 * g] = (uint32_t)p->sample_locs.n;
		/* Inlined frames (f(...)) share a location with the caller
		 * they were inlined into, innermost first, as in profile.proto. */
		uint32_t line0 = (uint32_t)p->lines.n;
		for (uint32_t i = 0; i < gr->nframe; i++) {
			const struct mt_gframe *fr = &d.frames.v[gr->frame0 + i];
			struct mt_line ln = {.func = func_index(&b, fr), .line = fr->line};
			VEC_PUSH(p->lines, ln);
			if (fr->inlined && i + 1 < gr->nframe)
				continue;
			VEC_PUSH(p->sample_locs, loc_index(&b, line0));
			line0 = (uint32_t)p->lines.n;
		}
		gloc[2 * g + 1] = (uint32_t)(p->sample_locs.n - gloc[2 * g]);
	}
	VEC_RESERVE(p->samples, d.gs.n);
	VEC_RESERVE(p->values, d.gs.n);
	for (size_t i = 0; i < d.gs.n; i++) {
		const struct mt_goroutine *gr = &d.gs.v[i];
		struct mt_sample s = {.loc0 = gloc[2 * gr->group],
				      .nloc = gloc[2 * gr->group + 1],
				      .label0 = (uint32_t)p->labels.n};
		goroutine_labels(&b, &k, gr);
		s.nlabel = (uint32_t)(p->labels.n - s.label0);
		VEC_PUSH(p->samples, s);
		VEC_PUSH(p->values, 1);
	}
	free(gloc);
	free(b.cat);
	free(b.smap);
	free(b.fslots);
	free(b.lslots);
	goroutines_done(&d);
	return MT_OK;
}
