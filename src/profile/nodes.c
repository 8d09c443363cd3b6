/* nodes.c - node naming with pprof's NodeInfo rules and the sample walk. */
#include "profile/nodes.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"

int mt_granularity_parse(const char *s)
{
	static const char *names[] = {
		[MT_GRAN_FUNCTIONS] = "functions",
		[MT_GRAN_FILEFUNCTIONS] = "filefunctions",
		[MT_GRAN_FILES] = "files",
		[MT_GRAN_LINES] = "lines",
		[MT_GRAN_ADDRESSES] = "addresses",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* A growable text buffer for building names. */
struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap)
		xgrow((void **)&b->s, &b->cap, b->n + n + 1, 1);
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Appends Go's filepath.Clean of path. */
static void clean_path(struct sbuf *b, const char *path)
{
	if (!*path)
		return;
	char *c = mt_path_clean(path);
	sb_str(b, c);
	free(c);
}

static const char *base_name(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *s = path + n;
	while (s > path && s[-1] != '/')
		s--;
	return s;
}

/* pprof's NodeInfo.PrintableName for one line (fn may be NULL) of a
 * location under a granularity. */
static void printable(struct sbuf *b, const struct profile *p,
		      const struct mt_location *loc, const struct mt_line *ln,
		      enum mt_granularity g)
{
	b->n = 0;
	if (b->s)
		b->s[0] = 0;
	const struct mt_function *fn =
		ln && ln->func != MT_NONE ? &p->functions.v[ln->func] : NULL;
	bool want_name = g != MT_GRAN_FILES;
	bool want_file = g != MT_GRAN_FUNCTIONS;
	bool want_line = g == MT_GRAN_LINES || g == MT_GRAN_ADDRESSES;
	const char *name = fn && want_name ? profile_str(p, fn->name) : "";
	const char *file = fn && want_file ? profile_str(p, fn->filename) : "";
	int64_t lineno = fn && want_line ? ln->line : 0;
	const char *objfile = "";
	if (loc->mapping != MT_NONE)
		objfile = profile_str(p, p->mappings.v[loc->mapping].file);

	bool first = true;
#define SEP()                                                                  \
	do {                                                                   \
		if (!first)                                                    \
			sb_add(b, " ", 1);                                     \
		first = false;                                                 \
	} while (0)
	if (g == MT_GRAN_ADDRESSES && loc->address) {
		char a[32];
		snprintf(a, sizeof a, "%016" PRIx64, loc->address);
		SEP();
		sb_str(b, a);
	}
	if (*name) {
		SEP();
		sb_str(b, name);
	}
	if (lineno) {
		SEP();
		if (*file)
			clean_path(b, file);
		char l[32];
		snprintf(l, sizeof l, ":%" PRId64, lineno);
		sb_str(b, l);
	} else if (*file) {
		SEP();
		clean_path(b, file);
	} else if (*name) {
		/* the name says it all */
	} else if (*objfile) {
		SEP();
		sb_add(b, "[", 1);
		sb_str(b, base_name(objfile));
		sb_add(b, "]", 1);
	} else {
		SEP();
		sb_str(b, "<unknown>");
	}
#undef SEP
}

/* Whether a function alone decides its node name under gran. */
static bool fn_keyed(const struct profile *p, const struct mt_function *fn,
		     enum mt_granularity gran)
{
	switch (gran) {
	case MT_GRAN_FUNCTIONS:
		return *profile_str(p, fn->name) != 0;
	case MT_GRAN_FILES:
		return *profile_str(p, fn->filename) != 0;
	case MT_GRAN_FILEFUNCTIONS:
		return *profile_str(p, fn->name) || *profile_str(p, fn->filename);
	default:
		return false;
	}
}

static bool fn_matches(const struct profile *p, const struct mt_function *fn,
		       const struct mt_regex *re)
{
	const char *name = profile_str(p, fn->name);
	const char *file = profile_str(p, fn->filename);
	return mt_regex_match(re, name, strtab_len(&p->strs, fn->name)) ||
	       mt_regex_match(re, file, strtab_len(&p->strs, fn->filename));
}

/* pprof's Location.matchesName: any line's function name or file name, or
 * the mapping's file. */
static bool loc_matches(const struct profile *p, const struct mt_location *loc,
			const struct mt_regex *re, uint8_t *cache)
{
	for (uint32_t i = 0; i < loc->nline; i++) {
		uint32_t f = p->lines.v[loc->line0 + i].func;
		if (f == MT_NONE)
			continue;
		if (!cache[f])
			cache[f] = fn_matches(p, &p->functions.v[f], re) ? 2 : 1;
		if (cache[f] == 2)
			return true;
	}
	if (loc->mapping != MT_NONE) {
		mt_str file = p->mappings.v[loc->mapping].file;
		if (mt_regex_match(re, profile_str(p, file), strtab_len(&p->strs, file)))
			return true;
	}
	return false;
}

static bool line_matches(const struct profile *p, const struct mt_line *ln,
			 const struct mt_regex *re, uint8_t *cache)
{
	if (ln->func == MT_NONE)
		return false;
	if (!cache[ln->func])
		cache[ln->func] = fn_matches(p, &p->functions.v[ln->func], re) ? 2 : 1;
	return cache[ln->func] == 2;
}

enum mt_status mt_nodes_init(struct mt_nodes *m, const struct profile *p,
			     enum mt_granularity gran,
			     const struct mt_filters *f, struct mt_err *e)
{
	(void)e;
	memset(m, 0, sizeof *m);
	m->p = p;
	m->gran = gran;
	strtab_init(&m->names);
	size_t nl = p->lines.n, nloc = p->locations.n, nf = p->functions.n;
	m->line_node = xmalloc((nl ? nl : 1) * sizeof *m->line_node);
	m->loc_node = xmalloc((nloc ? nloc : 1) * sizeof *m->loc_node);
	m->loc_focus = xcalloc(nloc ? nloc : 1, 1);
	const struct mt_regex *focus = f ? f->focus : NULL, *ignore = f ? f->ignore : NULL;
	const struct mt_regex *hide = f ? f->hide : NULL, *show = f ? f->show : NULL;
	uint8_t *cf = focus ? xcalloc(nf + 1, 1) : NULL;
	uint8_t *ci = ignore ? xcalloc(nf + 1, 1) : NULL;
	uint8_t *ch = hide ? xcalloc(nf + 1, 1) : NULL;
	uint8_t *cs = show ? xcalloc(nf + 1, 1) : NULL;
	m->use_focus = focus || ignore;
	m->keep = f ? f->keep : NULL;

	/* Names are cached per function for the granularities that do not
	 * depend on the line or address. */
	bool per_fn = gran != MT_GRAN_LINES && gran != MT_GRAN_ADDRESSES;
	uint32_t *fn_node = per_fn ? xmalloc((nf ? nf : 1) * sizeof *fn_node) : NULL;
	if (fn_node)
		memset(fn_node, 0xff, (nf ? nf : 1) * sizeof *fn_node);
	struct sbuf b = {0};

	for (size_t li = 0; li < nloc; li++) {
		const struct mt_location *loc = &p->locations.v[li];
		if (ignore && loc_matches(p, loc, ignore, ci)) {
			m->loc_focus[li] = 2;
			m->matched |= MT_MATCH_IGNORE;
		} else if (!focus || loc_matches(p, loc, focus, cf)) {
			m->loc_focus[li] = 1;
			m->matched |= focus ? MT_MATCH_FOCUS : 0;
		}
		m->loc_node[li] = MT_NONE;
		/* pprof's hide drops every line of a location whose binary it
		 * matches, and show keeps every line of one. */
		bool map_hide = false, map_show = false;
		if (loc->mapping != MT_NONE && (hide || show)) {
			mt_str mf = p->mappings.v[loc->mapping].file;
			const char *ms = profile_str(p, mf);
			size_t ml = strtab_len(&p->strs, mf);
			map_hide = hide && mt_regex_match(hide, ms, ml);
			map_show = show && mt_regex_match(show, ms, ml);
		}
		if (loc->nline == 0) {
			/* A location without lines is one node for its address
			 * and binary; show always drops it. */
			m->matched |= map_hide ? MT_MATCH_HIDE : 0;
			if (!show && !map_hide) {
				printable(&b, p, loc, NULL, gran);
				m->loc_node[li] = strtab_intern(&m->names, b.s, b.n) - 1;
			}
			continue;
		}
		for (uint32_t i = 0; i < loc->nline; i++) {
			uint32_t lx = loc->line0 + i;
			const struct mt_line *ln = &p->lines.v[lx];
			bool has_fn = ln->func != MT_NONE;
			bool hidden = hide && (map_hide || (has_fn && line_matches(p, ln, hide, ch)));
			bool shown = !show || map_show || !has_fn || line_matches(p, ln, show, cs);
			/* pprof: show matched when a location keeps a line. */
			m->matched |= (hidden ? MT_MATCH_HIDE : 0) |
				      (show && shown && !hidden ? MT_MATCH_SHOW : 0);
			if (hidden || !shown) {
				m->line_node[lx] = MT_NONE;
				continue;
			}
			/* A function's node depends on its binary only when
			 * the granularity's own field of it is empty. */
			bool cacheable = per_fn && ln->func != MT_NONE &&
					 fn_keyed(p, &p->functions.v[ln->func], gran);
			if (cacheable && fn_node[ln->func] != MT_NONE) {
				m->line_node[lx] = fn_node[ln->func];
				continue;
			}
			printable(&b, p, loc, ln, gran);
			uint32_t node = strtab_intern(&m->names, b.s, b.n) - 1;
			m->line_node[lx] = node;
			if (cacheable)
				fn_node[ln->func] = node;
		}
	}
	m->n = m->names.n - 1;
	free(b.s);
	free(fn_node);
	free(cf);
	free(ci);
	free(ch);
	free(cs);
	return MT_OK;
}

void mt_nodes_done(struct mt_nodes *m)
{
	strtab_done(&m->names);
	free(m->line_node);
	free(m->loc_node);
	free(m->loc_focus);
	memset(m, 0, sizeof *m);
}

/* A bound, not the exact maximum: the deepest sample times the most lines of
 * any location, which avoids a walk of every frame of every sample. */
size_t mt_nodes_max_frames(const struct mt_nodes *m)
{
	const struct profile *p = m->p;
	size_t maxloc = 0, maxlines = 1;
	for (size_t s = 0; s < p->samples.n; s++)
		if (p->samples.v[s].nloc > maxloc)
			maxloc = p->samples.v[s].nloc;
	for (size_t l = 0; l < p->locations.n; l++)
		if (p->locations.v[l].nline > maxlines)
			maxlines = p->locations.v[l].nline;
	return maxloc * maxlines;
}

size_t mt_nodes_frames(const struct mt_nodes *m, size_t s, struct mt_frame *out)
{
	const struct profile *p = m->p;
	const struct mt_sample *sm = &p->samples.v[s];
	const uint32_t *locs = VEC_AT(p->sample_locs, sm->loc0);
	if (m->keep && !m->keep[s])
		return 0;
	if (m->use_focus) {
		bool focused = false;
		for (uint32_t i = 0; i < sm->nloc; i++) {
			uint8_t fl = m->loc_focus[locs[i]];
			if (fl == 2)
				return 0;
			if (fl == 1)
				focused = true;
		}
		if (!focused)
			return 0;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < sm->nloc; i++) {
		const struct mt_location *loc = &p->locations.v[locs[i]];
		if (loc->nline == 0) {
			uint32_t node = m->loc_node[locs[i]];
			if (node != MT_NONE)
				out[k++] = (struct mt_frame){node, false};
			continue;
		}
		/* Leaf first: inner lines are inlined into the outermost kept one. */
		size_t first = k;
		for (uint32_t j = 0; j < loc->nline; j++) {
			uint32_t node = m->line_node[loc->line0 + j];
			if (node != MT_NONE)
				out[k++] = (struct mt_frame){node, true};
		}
		if (k > first)
			out[k - 1].inl = false;
	}
	return k;
}

int64_t mt_profile_total(const struct profile *p, int index)
{
	int64_t total = 0, diff_total = 0;
	double ftotal = 0, fdiff_total = 0;
	bool exact = profile_has_exact(p);
	size_t nst = p->sample_types.n;
	const int64_t *v = VEC_AT(p->values, index);
	mt_str base_key = strtab_find(&p->strs, "pprof::base", 11);
	for (size_t s = 0; s < p->samples.n; s++, v += nst) {
		int64_t a = mt_sat_abs(*v);
		double fa = exact ? fabs(profile_value_exact(p, s, (size_t)index)) : 0;
		bool is_base = false;
		if (base_key != (mt_str)-1) {
			const struct mt_sample *sm = &p->samples.v[s];
			for (uint32_t j = 0; j < sm->nlabel; j++)
				is_base |= p->labels.v[sm->label0 + j].key == base_key;
		}
		if (is_base) {
			diff_total = mt_sat_add(diff_total, a);
			fdiff_total += fa;
		} else {
			total = mt_sat_add(total, a);
			ftotal += fa;
		}
	}
	if (exact) {
		total = profile_sum(ftotal);
		diff_total = profile_sum(fdiff_total);
	}
	/* pprof's -diff_base: percentages are of the base's total. */
	return diff_total > 0 ? diff_total : total;
}
