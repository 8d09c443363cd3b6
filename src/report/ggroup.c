/* ggroup.c - goroutine groups of a profile, their names, the focus rule,
 * suppressions and the comparison of two inputs (ggroup.h). */
#include "report/ggroup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/u64map.h"
#include "base/util.h"
#include "read/goroutines.h"

bool gg_is_goroutines(const struct profile *p)
{
	if (p->format == MT_FMT_GOROUTINE_DUMP)
		return true;
	return p->sample_types.n == 1 &&
	       strcmp(profile_str(p, p->sample_types.v[0].type), "goroutine") == 0;
}

void gg_init(struct gg_set *s)
{
	memset(s, 0, sizeof *s);
	strtab_init(&s->strs);
}

void gg_done(struct gg_set *s)
{
	strtab_done(&s->strs);
	free(s->groups.v);
	free(s->frames.v);
	free(s->members.v);
	free(s->states.v);
	memset(s, 0, sizeof *s);
}

/* ---- names ------------------------------------------------------------ */

static bool has_prefix(const char *s, const char *pre)
{
	return strncmp(s, pre, strlen(pre)) == 0;
}

bool gg_waiting_func(const char *f)
{
	/* Whole packages: the runtime, its internals and the standard
	 * library's internal ones (internal/poll), sync, syscall. A module
	 * path has a dot in its first element, so "internal/" is std's. */
	static const char *const pkgs[] = {
	    "runtime.", "runtime/internal/",	  "internal/", "sync.", "sync/atomic.",
	    "syscall.", "golang.org/x/sys/unix.",
	};
	/* Functions of packages whose other functions are worth a name. */
	static const char *const funcs[] = {
	    "time.Sleep",
	    "time.sleep",
	    "net.(*netFD).",
	    "net.(*conn).",
	    "net.(*pollDesc).",
	    "net.(*TCPListener).accept",
	    "net.(*TCPListener).Accept",
	    "net.(*UnixListener).accept",
	    "net.(*UnixListener).Accept",
	    "net.(*UDPConn).readFrom",
	    "net.(*UDPConn).ReadFrom",
	    "os.(*File).Read",
	    "os.(*File).read",
	    "os.(*File).Write",
	    "os.(*File).write",
	    "os/signal.signal_recv",
	    "io.ReadAtLeast",
	    "io.ReadFull",
	    "io.Copy",
	    "io.copyBuffer",
	    "bufio.(*Reader).",
	    "testing/synctest.",
	};
	for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++)
		if (has_prefix(f, pkgs[i]))
			return true;
	for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
		if (has_prefix(f, funcs[i]))
			return true;
	return false;
}

/* The index of the naming frame among g's frames. */
static uint32_t name_frame(const struct gg_set *s, const struct gg_group *g)
{
	const struct gg_frame *f = VEC_AT(s->frames, g->f0);
	for (uint32_t i = 0; i < g->nf; i++)
		if (!gg_waiting_func(f[i].func))
			return i;
	for (uint32_t i = g->nf; i-- > 0;)
		if (strcmp(f[i].func, "runtime.goexit") != 0)
			return i;
	return 0;
}

const char *gg_name(const struct gg_set *s, const struct gg_group *g)
{
	return g->nf ? s->frames.v[g->f0 + g->name].func : "";
}

bool gg_match(const struct gg_set *s, const struct gg_group *g,
	      const struct mt_regex *re)
{
	for (uint32_t i = 0; i < g->nf; i++) {
		const struct gg_frame *f = &s->frames.v[g->f0 + i];
		if (mt_regex_match(re, f->func, strlen(f->func)) ||
		    (f->file && mt_regex_match(re, f->file, strlen(f->file))))
			return true;
	}
	return false;
}

/* ---- groups of a profile ----------------------------------------------- */

void gg_add_group(struct gg_set *s, const struct profile *p, size_t k,
		  struct gg_group g)
{
	const struct mt_sample *sm = &p->samples.v[k];
	g.f0 = (uint32_t)s->frames.n;
	for (uint32_t i = 0; i < sm->nloc; i++) {
		const struct mt_location *loc =
		    &p->locations.v[p->sample_locs.v[sm->loc0 + i]];
		for (uint32_t j = 0; j < loc->nline; j++) {
			const struct mt_line *ln = &p->lines.v[loc->line0 + j];
			const struct mt_function *fn =
			    ln->func == MT_NONE ? NULL : &p->functions.v[ln->func];
			struct gg_frame f = {fn ? profile_str(p, fn->name) : "?",
					     fn ? profile_str(p, fn->filename) : "",
					     ln->line, j + 1 < loc->nline};
			VEC_PUSH(s->frames, f);
		}
	}
	g.nf = (uint32_t)(s->frames.n - g.f0);
	g.name = name_frame(s, &g);
	VEC_PUSH(s->groups, g);
}

/* Hash of a group's identity: state, creator, elision and frames. */
uint64_t gg_key(const struct gg_set *s, const struct gg_group *g)
{
	uint64_t h = mt_hash(g->state, strlen(g->state), 0x676f72);
	h = mt_hash(g->creator, strlen(g->creator), h) ^
	    (g->elided ? 0x9e3779b97f4a7c15ULL : 0);
	for (uint32_t i = 0; i < g->nf; i++) {
		const struct gg_frame *f = &s->frames.v[g->f0 + i];
		h = mt_hash(f->func, strlen(f->func), h);
		h = mt_hash(f->file, strlen(f->file), h);
		h = mt_hash_u64(h ^ (uint64_t)f->line);
	}
	return h;
}

/* Largest first; ties by state, then the leaf frame, then input order. */
static int cmp_group(const void *pa, const void *pb, void *ctx)
{
	const struct gg_set *s = ctx;
	const struct gg_group *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	int c = strcmp(a->state, b->state);
	if (c)
		return c;
	if (a->nf && b->nf) {
		const struct gg_frame *fa = &s->frames.v[a->f0],
				      *fb = &s->frames.v[b->f0];
		if ((c = strcmp(fa->func, fb->func)) ||
		    (c = strcmp(fa->file, fb->file)))
			return c;
		if (fa->line != fb->line)
			return fa->line < fb->line ? -1 : 1;
	} else if (a->nf != b->nf) {
		return a->nf < b->nf ? -1 : 1;
	}
	return a->first < b->first ? -1 : a->first > b->first;
}

static int cmp_state(const void *x, const void *y)
{
	const struct gg_state *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->state, b->state);
}

void gg_finish(struct gg_set *s)
{
	for (size_t k = 0; k < s->groups.n; k++)
		s->groups.v[k].key = gg_key(s, &s->groups.v[k]);
	if (s->groups.n > 1)
		qsort_r(s->groups.v, s->groups.n, sizeof *s->groups.v, cmp_group, s);
	s->total = 0;
	s->states.n = 0;
	for (size_t k = 0; k < s->groups.n; k++) {
		const struct gg_group *g = &s->groups.v[k];
		s->total += g->count;
		size_t i = 0;
		while (i < s->states.n && strcmp(s->states.v[i].state, g->state) != 0)
			i++;
		if (i == s->states.n) {
			struct gg_state st = {g->state, 0, 0};
			VEC_PUSH(s->states, st);
		}
		s->states.v[i].count += g->count;
		s->states.v[i].groups++;
	}
	if (s->states.n > 1)
		qsort(s->states.v, s->states.n, sizeof *s->states.v, cmp_state);
}

/* The label keys of a dump's profile, as ids of its string table
 * ((mt_str)-1 when absent). */
struct keys {
	mt_str id, state, wait, locked, created_by, created_at, creator, elided,
	    elided_n;
};

static mt_str find_key(const struct profile *p, const char *k)
{
	return strtab_find(&p->strs, k, strlen(k));
}

/* What one sample's labels say. */
struct slabels {
	mt_str state, created_by, created_at;
	bool has_id, elided, locked;
	uint64_t id, creator;
	int64_t wait, elided_at, elided_n;
};

static void read_labels(const struct profile *p, const struct keys *k, size_t i,
			struct slabels *o)
{
	memset(o, 0, sizeof *o);
	const struct mt_sample *sm = &p->samples.v[i];
	for (uint32_t j = 0; j < sm->nlabel; j++) {
		const struct mt_label *l = &p->labels.v[sm->label0 + j];
		if (l->is_num) {
			if (l->key == k->id)
				o->id = (uint64_t)l->num, o->has_id = true;
			else if (l->key == k->wait)
				o->wait = l->num;
			else if (l->key == k->creator)
				o->creator = (uint64_t)l->num;
			else if (l->key == k->elided)
				o->elided = true, o->elided_at = l->num;
			else if (l->key == k->elided_n)
				o->elided_n = l->num;
		} else if (l->key == k->state) {
			o->state = l->str;
		} else if (l->key == k->created_by) {
			o->created_by = l->str;
		} else if (l->key == k->created_at) {
			o->created_at = l->str;
		} else if (l->key == k->locked) {
			o->locked = true;
		}
	}
}

/* Locations with the same lines (function name, file, line), mapped to
 * the first of them: two addresses of one line are one frame. */
static uint32_t *canonical_locations(const struct profile *p)
{
	size_t n = p->locations.n, nslots = 64;
	while (nslots < n * 2)
		nslots *= 2;
	uint32_t *canon = xmalloc((n + 1) * sizeof *canon);
	uint32_t *slots = xcalloc(nslots, sizeof *slots);
	uint64_t *hash = xmalloc((n + 1) * sizeof *hash);
	for (size_t i = 0; i < n; i++) {
		const struct mt_location *l = &p->locations.v[i];
		uint64_t h = l->nline;
		for (uint32_t j = 0; j < l->nline; j++) {
			const struct mt_line *ln = &p->lines.v[l->line0 + j];
			uint64_t f =
			    ln->func == MT_NONE
				? UINT64_MAX
				: ((uint64_t)p->functions.v[ln->func].name << 32 |
				   p->functions.v[ln->func].filename);
			h = mt_hash_u64(h ^ f) + (uint64_t)ln->line;
		}
		hash[i] = h;
		size_t s = h & (nslots - 1);
		canon[i] = (uint32_t)i;
		for (; slots[s]; s = (s + 1) & (nslots - 1)) {
			uint32_t o = slots[s] - 1;
			const struct mt_location *m = &p->locations.v[o];
			if (hash[o] != h || m->nline != l->nline)
				continue;
			uint32_t j = 0;
			for (; j < l->nline; j++) {
				const struct mt_line *a = &p->lines.v[l->line0 + j],
						     *b = &p->lines.v[m->line0 + j];
				if (a->line != b->line)
					break;
				if (a->func == b->func)
					continue;
				if (a->func == MT_NONE || b->func == MT_NONE ||
				    p->functions.v[a->func].name !=
					p->functions.v[b->func].name ||
				    p->functions.v[a->func].filename !=
					p->functions.v[b->func].filename)
					break;
			}
			if (j == l->nline) {
				canon[i] = o;
				break;
			}
		}
		if (canon[i] == i)
			slots[s] = (uint32_t)i + 1;
	}
	free(slots);
	free(hash);
	return canon;
}

/* The grouping key of sample i: its canonical locations, state, creator
 * and elision. */
struct skey {
	const uint32_t *locs;
	uint32_t nloc;
	mt_str state, created_by;
	bool elided;
};

static uint64_t skey_hash(const struct skey *k, const uint32_t *canon)
{
	uint64_t h = mt_hash_u64(((uint64_t)k->state << 32 | k->created_by) ^
				 (k->elided ? 0x9e3779b97f4a7c15ULL : 0));
	for (uint32_t i = 0; i < k->nloc; i++)
		h = mt_hash_u64(h ^ canon[k->locs[i]]) + i;
	return h;
}

static bool skey_eq(const struct skey *a, const struct skey *b, const uint32_t *canon)
{
	if (a->nloc != b->nloc || a->state != b->state ||
	    a->created_by != b->created_by || a->elided != b->elided)
		return false;
	if (a->locs == b->locs)
		return true;
	for (uint32_t i = 0; i < a->nloc; i++)
		if (canon[a->locs[i]] != canon[b->locs[i]])
			return false;
	return true;
}

/* Splits "file:line" at its last colon. */
static void split_at(const char *at, const char **file, size_t *flen, int64_t *line)
{
	const char *c = strrchr(at, ':');
	*file = at;
	*flen = strlen(at);
	*line = 0;
	if (c && c[1]) {
		char *end;
		errno = 0;
		long long v = strtoll(c + 1, &end, 10);
		if (!errno && !*end) {
			*flen = (size_t)(c - at);
			*line = v;
		}
	}
}

/* A dump's comments: the panic line, and goroutines cut off. */
static void read_comments(struct gg_set *s, const struct profile *p)
{
	size_t ic = strlen(GOR_INCOMPLETE_COMMENT);
	for (size_t i = 0; i < p->comments.n; i++) {
		const char *c = profile_str(p, p->comments.v[i]);
		if (strncmp(c, GOR_INCOMPLETE_COMMENT, ic) == 0)
			sscanf(c + ic, "%zu (at byte %zu)", &s->incomplete,
			       &s->incomplete_at);
		else if (!s->reason &&
			 (has_prefix(c, "panic: ") || has_prefix(c, "fatal error: ") ||
			  has_prefix(c, "SIGQUIT")))
			s->reason = c;
	}
}

enum mt_status gg_build(struct gg_set *s, const struct profile *p, struct mt_err *e)
{
	gg_init(s);
	if (!gg_is_goroutines(p))
		return mt_errf(e, MT_ERR_FORMAT, "a %s profile, not goroutines",
			       profile_kind(p));
	if (p->format == MT_FMT_GOROUTINE_DUMP)
		read_comments(s, p);
	struct keys k = {
	    .id = find_key(p, GOR_L_ID),
	    .state = find_key(p, GOR_L_STATE),
	    .wait = find_key(p, GOR_L_WAIT),
	    .locked = find_key(p, GOR_L_LOCKED),
	    .created_by = find_key(p, GOR_L_CREATED_BY),
	    .created_at = find_key(p, GOR_L_CREATED_AT),
	    .creator = find_key(p, GOR_L_CREATOR),
	    .elided = find_key(p, GOR_L_ELIDED),
	    .elided_n = find_key(p, GOR_L_ELIDED_N),
	};
	/* Only a dump's labels say these: a goroutine profile's labels are
	 * the program's own (pprof.Do), which may use any key. */
	if (p->format != MT_FMT_GOROUTINE_DUMP)
		memset(&k, 0xff, sizeof k);
	size_t ns = p->samples.n;
	uint32_t *canon = canonical_locations(p);
	uint32_t *gof = xmalloc((ns + 1) * sizeof *gof); /* sample -> group */
	VEC(struct skey) keys = {0};
	size_t nslots = 64;
	uint32_t *slots = xcalloc(nslots, sizeof *slots); /* group + 1 */
	VEC(uint64_t) hv = {0};
	VEC(mt_str) cat = {0}; /* per group: its first member's "file:line" */
	struct slabels sl;
	for (size_t i = 0; i < ns; i++) {
		const struct mt_sample *sm = &p->samples.v[i];
		read_labels(p, &k, i, &sl);
		struct skey key = {VEC_AT(p->sample_locs, sm->loc0),
				   sm->nloc, sl.state,
				   sl.created_by, sl.elided};
		uint64_t h = skey_hash(&key, canon);
		if ((keys.n + 1) * 2 > nslots) {
			free(slots);
			nslots *= 2;
			slots = xcalloc(nslots, sizeof *slots);
			for (size_t g = 0; g < keys.n; g++) {
				size_t t = hv.v[g] & (nslots - 1);
				while (slots[t])
					t = (t + 1) & (nslots - 1);
				slots[t] = (uint32_t)g + 1;
			}
		}
		size_t t = h & (nslots - 1);
		uint32_t g = UINT32_MAX;
		for (; slots[t]; t = (t + 1) & (nslots - 1))
			if (hv.v[slots[t] - 1] == h &&
			    skey_eq(&keys.v[slots[t] - 1], &key, canon)) {
				g = slots[t] - 1;
				break;
			}
		if (g == UINT32_MAX) {
			g = (uint32_t)keys.n;
			VEC_PUSH(keys, key);
			VEC_PUSH(hv, h);
			slots[t] = g + 1;
			VEC_PUSH(cat, sl.created_at);
			struct gg_group ng = {
			    .state = profile_str(p, sl.state),
			    .creator = profile_str(p, sl.created_by),
			    .creator_file = "",
			    .wait_min = sl.wait,
			    .wait_max = sl.wait,
			    .elided = sl.elided,
			    .elided_at = (uint32_t)sl.elided_at,
			    .elided_frames = sl.elided_n,
			    .first = i,
			};
			gg_add_group(s, p, i, ng);
		}
		gof[i] = g;
		struct gg_group *gr = &s->groups.v[g];
		gr->count += profile_values(p, i)[0];
		if (sl.has_id) {
			s->has_ids = true;
			gr->nm++;
			if (sl.wait < gr->wait_min)
				gr->wait_min = sl.wait;
			if (sl.wait > gr->wait_max)
				gr->wait_max = sl.wait;
			gr->locked += sl.locked;
		}
	}
	/* The creators' files, cut from "file:line" into the set's own table
	 * (pointers taken once every string is in). */
	mt_str *cfile = xcalloc(s->groups.n + 1, sizeof *cfile);
	for (size_t g = 0; g < s->groups.n; g++) {
		if (!cat.v[g])
			continue;
		const char *f;
		size_t fl;
		split_at(profile_str(p, cat.v[g]), &f, &fl,
			 &s->groups.v[g].creator_line);
		cfile[g] = strtab_intern(&s->strs, f, fl);
	}
	for (size_t g = 0; g < s->groups.n; g++)
		s->groups.v[g].creator_file = strtab_get(&s->strs, cfile[g]);
	free(cfile);
	free(cat.v);
	free(slots);
	free(keys.v);
	free(hv.v);
	free(canon);
	/* Members in input order, grouped: a counting sort. */
	uint32_t at = 0;
	for (size_t g = 0; g < s->groups.n; g++) {
		struct gg_group *gr = &s->groups.v[g];
		gr->m0 = at;
		at += gr->nm;
		gr->nm = 0;
	}
	if (s->has_ids) {
		VEC_RESERVE(s->members, at);
		s->members.n = at;
		for (size_t i = 0; i < ns; i++) {
			read_labels(p, &k, i, &sl);
			if (!sl.has_id)
				continue;
			struct gg_group *gr = &s->groups.v[gof[i]];
			s->members.v[gr->m0 + gr->nm++] =
			    (struct gg_member){.id = sl.id,
					       .creator_id = sl.creator,
					       .wait = sl.wait,
					       .sample = (uint32_t)i,
					       .locked = sl.locked};
		}
	}
	free(gof);
	gg_finish(s);
	return MT_OK;
}

/* ---- suppressions ------------------------------------------------------ */

enum mt_status gg_ignore_load(struct gg_ignore *ig, const char *path,
			      const struct mt_limits *lim, struct mt_err *e)
{
	memset(ig, 0, sizeof *ig);
	uint8_t *data = NULL;
	size_t n = 0;
	enum mt_status st = mt_read_file(path, &data, &n, lim ? lim->max_file : 0, e);
	if (st)
		return mt_errf(e, st, "%s: %s", path, e->msg);
	const char *p = (const char *)data, *end = p + n;
	for (size_t lineno = 1; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		while (le > p && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
			le--;
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		if (p == le || *p == '#') {
			p = next;
			continue;
		}
		bool top = (size_t)(le - p) > 4 && memcmp(p, "top:", 4) == 0;
		if (top)
			p += 4;
		char *pat = xstrndup(p, (size_t)(le - p));
		struct mt_regex *re = NULL;
		struct mt_err inner;
		st = mt_regex_compile(&re, pat, false, &inner);
		free(pat);
		if (st) {
			free(data);
			gg_ignore_done(ig);
			return mt_errf(e, MT_ERR_USAGE, "%s:%zu: %s", path, lineno,
				       inner.msg);
		}
		if (top)
			VEC_PUSH(ig->top, re);
		else
			VEC_PUSH(ig->any, re);
		p = next;
	}
	free(data);
	return MT_OK;
}

static bool re_match(const struct mt_regex *re, const char *s)
{
	return mt_regex_match(re, s, strlen(s));
}

bool gg_ignored(const struct gg_ignore *ig, const struct gg_set *s,
		const struct gg_group *g)
{
	if (!ig)
		return false;
	for (size_t i = 0; i < ig->top.n; i++)
		if (g->nf && (re_match(ig->top.v[i], s->frames.v[g->f0].func) ||
			      re_match(ig->top.v[i], gg_name(s, g))))
			return true;
	for (size_t i = 0; i < ig->any.n; i++) {
		if (*g->creator && re_match(ig->any.v[i], g->creator))
			return true;
		for (uint32_t f = 0; f < g->nf; f++)
			if (re_match(ig->any.v[i], s->frames.v[g->f0 + f].func))
				return true;
	}
	return false;
}

void gg_ignore_done(struct gg_ignore *ig)
{
	for (size_t i = 0; i < ig->any.n; i++)
		mt_regex_free(ig->any.v[i]);
	for (size_t i = 0; i < ig->top.n; i++)
		mt_regex_free(ig->top.v[i]);
	free(ig->any.v);
	free(ig->top.v);
	memset(ig, 0, sizeof *ig);
}

/* ---- two inputs compared ----------------------------------------------- */

static int cmp_diff_row(const void *x, const void *y)
{
	const struct gg_diff_row *a = x, *b = y;
	int64_t da = a->new_count - a->base_count, db = b->new_count - b->base_count;
	if (da != db)
		return da > db ? -1 : 1;
	if (a->new_count != b->new_count)
		return a->new_count > b->new_count ? -1 : 1;
	if (a->base_count != b->base_count)
		return a->base_count > b->base_count ? -1 : 1;
	/* Input order: new groups by their rank, then the base's. */
	uint64_t ka = a->new_ != MT_NONE ? a->new_ : (1ULL << 32) + a->base;
	uint64_t kb = b->new_ != MT_NONE ? b->new_ : (1ULL << 32) + b->base;
	return ka < kb ? -1 : ka > kb;
}

/* How many members of group nb (of n) the base group bb (of b) had, by id. */
static int64_t kept_ids(const struct gg_set *b, const struct gg_group *bb,
			const struct gg_set *n, const struct gg_group *nb)
{
	if (!bb->nm || !nb->nm)
		return 0;
	struct mt_u64map ids = {0};
	bool added;
	for (uint32_t i = 0; i < bb->nm; i++)
		mt_u64map_put(&ids, b->members.v[bb->m0 + i].id + 1, &added);
	int64_t kept = 0;
	for (uint32_t i = 0; i < nb->nm; i++)
		kept += mt_u64map_get(&ids, n->members.v[nb->m0 + i].id + 1) != NULL;
	mt_u64map_done(&ids);
	return kept;
}

void gg_diff_build(struct gg_diff *d, const struct gg_set *base,
		   const struct gg_set *new_)
{
	memset(d, 0, sizeof *d);
	d->base_total = base->total;
	d->new_total = new_->total;
	struct mt_u64map bk = {0}; /* key -> base group + 1 */
	bool added;
	for (size_t i = 0; i < base->groups.n; i++) {
		uint32_t *v = mt_u64map_put(&bk, base->groups.v[i].key | 1, &added);
		if (added)
			*v = (uint32_t)i + 1;
	}
	uint8_t *seen = xcalloc(base->groups.n + 1, 1);
	for (size_t i = 0; i < new_->groups.n; i++) {
		const struct gg_group *ng = &new_->groups.v[i];
		uint32_t *v = mt_u64map_get(&bk, ng->key | 1);
		struct gg_diff_row r = {
		    .base = MT_NONE, .new_ = (uint32_t)i, .new_count = ng->count};
		if (v && !seen[*v - 1]) {
			const struct gg_group *bg = &base->groups.v[*v - 1];
			seen[*v - 1] = 1;
			r.base = *v - 1;
			r.base_count = bg->count;
			r.kept = kept_ids(base, bg, new_, ng);
			d->both++;
		} else {
			d->only_new++;
		}
		VEC_PUSH(d->rows, r);
	}
	for (size_t i = 0; i < base->groups.n; i++) {
		if (seen[i])
			continue;
		struct gg_diff_row r = {.base = (uint32_t)i,
					.new_ = MT_NONE,
					.base_count = base->groups.v[i].count};
		VEC_PUSH(d->rows, r);
		d->only_base++;
	}
	free(seen);
	mt_u64map_done(&bk);
	if (d->rows.n > 1)
		qsort(d->rows.v, d->rows.n, sizeof *d->rows.v, cmp_diff_row);
}

void gg_diff_done(struct gg_diff *d)
{
	free(d->rows.v);
	memset(d, 0, sizeof *d);
}
