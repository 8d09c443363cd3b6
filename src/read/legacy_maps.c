/* legacy_maps.c - the memory maps at the end of legacy texts
 * (`--- Memory map: ---`, `MAPPED_LIBRARIES:`, /proc/PID/maps lines and
 * their brief form), and pprof's mapping heuristics and frame pruning rules
 * applied when a legacy profile is finished.
 *
 * Part of the legacy text builder declared in legacy_int.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "read/legacy_int.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

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
		if (n > b->lim->max_string) {
			st = lb_fail(b, s, "memory map line longer than %zu bytes "
					   "(--max-string)", b->lim->max_string);
			break;
		}
		size_t lp = log_prefix(s, n);
		s += lp;
		n -= lp;
		size_t ln;
		char *line = apply_subst(sv.v, sv.n, s, n, &ln);
		struct mt_mapping m;
		int r = parse_map_line(b, proc, brief, md, line, ln, &m);
		if (r > 0) {
			/* Linux's default vm.max_map_count; every location
			 * is looked up in them one by one. */
			if (b->p->mappings.n >= 65536) {
				free(line);
				st = lb_fail(b, s, "more than 65536 executable mappings");
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

/* Locations are looked up in the mappings by address: by binary search
 * while the mappings do not overlap (a /proc/PID/maps never does), else one
 * by one in the profile's order, within a bound on the work (a hostile
 * memory map must not make reading quadratic). */
#define MAP_WORK_MAX ((size_t)1 << 30)

struct map_span {
	uint64_t start, limit;
	uint32_t i;
};

struct map_index {
	struct map_span *v; /* sorted by start */
	uint32_t *off;      /* mappings with an offset, in order */
	size_t n, noff, work;
	bool disjoint;
};

static int cmp_span(const void *x, const void *y)
{
	const struct map_span *a = x, *c = y;
	return a->start < c->start ? -1 : a->start > c->start;
}

static void map_index_init(struct map_index *ix, const struct profile *p)
{
	memset(ix, 0, sizeof *ix);
	ix->n = p->mappings.n;
	ix->v = xmalloc((ix->n + 1) * sizeof *ix->v);
	ix->off = xmalloc((ix->n + 1) * sizeof *ix->off);
	for (size_t i = 0; i < ix->n; i++) {
		const struct mt_mapping *m = &p->mappings.v[i];
		ix->v[i] = (struct map_span){m->start, m->limit, (uint32_t)i};
		if (m->offset)
			ix->off[ix->noff++] = (uint32_t)i;
	}
	qsort(ix->v, ix->n, sizeof *ix->v, cmp_span);
	/* Disjoint when each start is at or past every earlier limit: then
	 * only the last mapping starting at or below an address can hold it. */
	ix->disjoint = true;
	uint64_t maxlim = 0;
	for (size_t k = 0; k < ix->n; k++) {
		if (k && ix->v[k].start < maxlim)
			ix->disjoint = false;
		if (ix->v[k].limit > maxlim)
			maxlim = ix->v[k].limit;
	}
}

static void map_index_done(struct map_index *ix)
{
	free(ix->v);
	free(ix->off);
}

/* The first mapping, in the profile's order, that holds a; n if none. */
static size_t map_find(struct map_index *ix, const struct profile *p, uint64_t a)
{
	if (ix->disjoint) {
		size_t lo = 0, hi = ix->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ix->v[mid].start <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && a < ix->v[lo - 1].limit)
			return ix->v[lo - 1].i;
		return ix->n;
	}
	ix->work += ix->n;
	for (size_t i = 0; i < ix->n; i++)
		if (p->mappings.v[i].start <= a && a < p->mappings.v[i].limit)
			return i;
	return ix->n;
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
	struct map_index ix;
	map_index_init(&ix, p);
	enum mt_status st = MT_OK;
	for (size_t li = 0; li < p->locations.n; li++) {
		struct mt_location *l = &p->locations.v[li];
		uint64_t a = l->address;
		if (a == 0)
			continue;
		size_t i = map_find(&ix, p, a);
		if (i == nreal) {
			/* A mapping split in two whose first part was lost. */
			for (size_t k = 0; k < ix.noff; k++) {
				struct mt_mapping *m = &p->mappings.v[ix.off[k]];
				if (m->offset && m->start - m->offset <= a && a < m->start) {
					m->start -= m->offset;
					m->offset = 0;
					ix.disjoint = false; /* starts moved */
					i = ix.off[k];
					break;
				}
			}
			ix.work += ix.noff;
		}
		if (ix.work > MAP_WORK_MAX) {
			st = mt_errf(b->e, MT_ERR_LIMIT,
				     "memory map of %zu mappings too large to look up "
				     "%zu locations in", nreal, p->locations.n);
			break;
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
	map_index_done(&ix);
	if (st)
		return st;
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
