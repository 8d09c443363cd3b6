/* query.c - the query engine: profile references in, prepared profiles and
 * filtered reports out. */
#include "query/query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "profile/merge.h"
#include "profile/tags.h"
#include "read/reader.h"
#include "store/store.h"
#include "symbol/names.h"

static const char *const filter_names[] = {
#define MT_X(k, opt, pprof) [k] = opt,
	MT_FILTER_LIST(MT_X)
#undef MT_X
};

const char *mt_filter_name(enum mt_filter_kind k)
{
	return k < MT_FILTER_COUNT ? filter_names[k] : "?";
}

void mt_query_opts_init(struct mt_query_opts *o)
{
	memset(o, 0, sizeof *o);
	o->gran = MT_GRAN_FUNCTIONS;
	o->lim = mt_limits_default;
}

bool query_snapshot_ref(const char *ref, int64_t *id)
{
	if (!ref || ref[0] != '@' || ref[1] < '0' || ref[1] > '9')
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(ref + 1, &end, 10);
	if (errno || *end || v <= 0)
		return false;
	*id = v;
	return true;
}

bool query_is_url(const char *ref)
{
	return url_is_remote(ref);
}

/* Prefixes e's message with what ("base.pb.gz: ..."). */
static enum mt_status blame(struct mt_err *e, enum mt_status st, const char *what)
{
	if (e && what && *what) {
		char msg[sizeof e->msg];
		snprintf(msg, sizeof msg, "%s", e->msg);
		mt_errf(e, st, "%s: %s", what, msg);
	}
	return st;
}

/* Reads snapshot id from the store at db; errors name the database or the
 * snapshot. */
static enum mt_status read_snapshot(const char *db, const char *ref, int64_t id,
				    struct profile **out, struct mt_err *e)
{
	struct store *s = NULL;
	enum mt_status st = store_open(&s, db, false, e);
	if (st)
		return blame(e, st, db && *db ? db : "");
	st = store_load(s, id, out, e);
	store_close(s);
	return st ? blame(e, st, ref) : MT_OK;
}

enum mt_status query_read(const char *ref, const struct mt_query_opts *o,
			  struct profile **out, int64_t *snap_id,
			  struct mt_warnings *w, struct mt_err *e)
{
	int64_t id = 0;
	struct profile *p = NULL;
	*out = NULL;
	if (snap_id)
		*snap_id = 0;
	enum mt_status st;
	if (query_snapshot_ref(ref, &id))
		st = read_snapshot(o->db, ref, id, &p, e);
	else if (url_is_remote(ref))
		st = query_fetch(ref, o, &p, NULL, NULL, &id, w, e);
	else if ((st = reader_load_file(ref, &o->lim, &p, e)))
		blame(e, st, ref);
	if (st)
		return st;
	if (p->sample_types.n == 0) {
		profile_free(p);
		return mt_errf(e, MT_ERR_FORMAT, "%s: profile has no sample types", ref);
	}
	if (symbolize_wanted(p)) {
		struct mt_sym_opts so = {.binary = o->binary};
		struct mt_symbolizer *sym = symbolizer_new(&so);
		struct mt_warnings mine = {0};
		st = symbolize_profile(sym, p, w ? w : &mine, e);
		symbolizer_free(sym);
		mt_warnings_done(&mine);
		if (st) {
			profile_free(p);
			return blame(e, st, ref);
		}
	}
	/* The names go tool pprof shows (its symbolizer's demangling). */
	names_pprof(p);
	if (snap_id)
		*snap_id = id;
	*out = p;
	return MT_OK;
}

enum mt_status query_apply_base(struct profile **p, struct profile *base,
				const struct mt_query_opts *o, struct mt_err *e)
{
	if (o->normalize)
		profile_normalize(*p, base);
	struct profile *srcs[2] = {*p, base}, *merged = NULL;
	int scale[2] = {1, -1};
	bool diff[2] = {false, o->diff_base && *o->diff_base};
	enum mt_status st = profile_merge(srcs, scale, diff, 2, &merged, e);
	profile_free(*p);
	profile_free(base);
	*p = merged;
	return st;
}

enum mt_status query_load(const char *ref, const struct mt_query_opts *o,
			  struct profile **out, int64_t *snap_id,
			  struct mt_warnings *w, struct mt_err *e)
{
	struct profile *p = NULL;
	*out = NULL;
	enum mt_status st = query_read(ref, o, &p, snap_id, w, e);
	if (st)
		return st;
	const char *bref = o->base && *o->base ? o->base : o->diff_base;
	if (bref && *bref) {
		struct profile *base = NULL;
		st = query_read(bref, o, &base, NULL, w, e);
		if (st) {
			profile_free(p);
			return st;
		}
		if ((st = query_apply_base(&p, base, o, e))) {
			profile_free(p);
			return blame(e, st, bref);
		}
	}
	if ((o->tagroot && *o->tagroot) || (o->tagleaf && *o->tagleaf)) {
		struct profile *lp = NULL;
		bool rm, lm;
		st = mt_label_frames(p, o->tagroot, o->tagleaf, o->unit, &lp, &rm, &lm, e);
		profile_free(p);
		if (st)
			return blame(e, st, ref);
		p = lp;
		if (w && o->tagroot && *o->tagroot && !rm)
			VEC_PUSH(w->v, xstrdup("TagRoot expression matched no samples"));
		if (w && o->tagleaf && *o->tagleaf && !lm)
			VEC_PUSH(w->v, xstrdup("TagLeaf expression matched no samples"));
	}
	*out = p;
	return MT_OK;
}

/* ---- reports ----------------------------------------------------------- */

/* An alternation being built: "(?:a)|(?:b)". */
struct alt {
	char *v;
	size_t n, cap;
};

/* Appends "(?:pat)" to b. */
static void alt_add(struct alt *b, const char *pat)
{
	size_t l = strlen(pat);
	VEC_RESERVE(*b, b->n + l + 8);
	b->n += (size_t)sprintf(b->v + b->n, "%s(?:%s)", b->n ? "|" : "", pat);
}

/* Compiles pattern for option kind; the error names the option. */
static enum mt_status compile(struct mt_regex **re, enum mt_filter_kind kind,
			      const char *pattern, struct mt_err *e)
{
	struct mt_err inner;
	if (mt_regex_compile(re, pattern, false, &inner))
		return mt_errf(e, MT_ERR_USAGE, "parsing %s regexp: %s", mt_filter_name(kind),
			       inner.msg);
	return MT_OK;
}

/* Narrows keep to the samples whose frames a focus regex matches, on its
 * own (a stacked focus). */
static void keep_focused(const struct profile *p, enum mt_granularity gran,
			 const struct mt_regex *re, uint8_t *keep, bool *matched)
{
	struct mt_nodes m;
	struct mt_filters f = {.focus = re, .keep = keep};
	if (mt_nodes_init(&m, p, gran, &f, NULL))
		return;
	*matched = m.matched & MT_MATCH_FOCUS;
	struct mt_frame *buf = xmalloc((mt_nodes_max_frames(&m) + 1) * sizeof *buf);
	for (size_t s = 0; s < p->samples.n; s++)
		if (keep[s] && mt_nodes_frames(&m, s, buf) == 0)
			keep[s] = 0;
	free(buf);
	mt_nodes_done(&m);
}

/* Applies the sample filters of the stack (tag filters, every focus but
 * the newest) into r->keep; NULL when there are none. A tag filter
 * matched when it matched a sample of named[] (NULL: any sample): pprof
 * filters by tags the samples its focus, ignore, hide and show left. */
static enum mt_status sample_filters(struct mt_report *r, enum mt_granularity gran,
				     const struct mt_filter *f, size_t nf,
				     ptrdiff_t last_focus, const uint8_t *named,
				     struct mt_err *e)
{
	const struct profile *p = r->p;
	const char **units = NULL;
	for (size_t i = 0; i < nf; i++) {
		bool tag = f[i].kind == MT_FILTER_TAGFOCUS || f[i].kind == MT_FILTER_TAGIGNORE;
		bool older = f[i].kind == MT_FILTER_FOCUS && (ptrdiff_t)i != last_focus;
		if (!tag && !older)
			continue;
		if (!r->keep) {
			r->keep = xmalloc(p->samples.n + 1);
			memset(r->keep, 1, p->samples.n + 1);
		}
		if (older) {
			struct mt_regex *re = NULL;
			enum mt_status st = compile(&re, f[i].kind, f[i].pattern, e);
			if (st) {
				free(units);
				return st;
			}
			bool matched = false;
			keep_focused(p, gran, re, r->keep, &matched);
			if (!matched)
				r->nomatch |= 1u << MT_FILTER_FOCUS;
			mt_regex_free(re);
			continue;
		}
		struct mt_tagfilter tf;
		struct mt_err inner;
		if (mt_tagfilter_compile(&tf, f[i].pattern, NULL, &inner)) {
			free(units);
			return mt_errf(e, MT_ERR_USAGE, "parsing %s regexp: %s",
				       mt_filter_name(f[i].kind), inner.msg);
		}
		if (!units)
			units = mt_label_units(p);
		bool focus = f[i].kind == MT_FILTER_TAGFOCUS, any = false;
		for (size_t s = 0; s < p->samples.n; s++) {
			bool m = mt_tagfilter_match(&tf, p, s, units);
			any |= m && (!named || named[s]);
			if (m != focus)
				r->keep[s] = 0;
		}
		if (!any)
			r->nomatch |= 1u << f[i].kind;
		mt_tagfilter_done(&tf);
	}
	free(units);
	return MT_OK;
}

/* One byte per sample: whether m (its filters and keep mask) leaves it
 * any frame. The caller frees it. */
static uint8_t *survivors(const struct mt_nodes *m)
{
	const struct profile *p = m->p;
	uint8_t *ok = xmalloc(p->samples.n + 1);
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	for (size_t s = 0; s < p->samples.n; s++)
		ok[s] = mt_nodes_frames(m, s, fr) > 0;
	free(fr);
	return ok;
}

static void build_rows(struct mt_report *r)
{
	mt_top_build_mean(&r->top, &r->nodes, r->index, r->mean ? 0 : -1);
	r->flat_total = 0;
	for (size_t i = 0; i < r->top.n; i++)
		r->flat_total = mt_sat_add(r->flat_total, r->top.rows[i].raw_flat);
	if (!r->mean)
		r->top.total = r->total;
	else
		r->total = r->top.total;
	mt_top_sort(&r->top, &r->nodes, MT_SORT_FLAT);
}

enum mt_status mt_report_build(struct mt_report *r, const struct profile *p, int index,
			       enum mt_granularity gran, bool mean,
			       const struct mt_filter *f, size_t nf, struct mt_err *e)
{
	memset(r, 0, sizeof *r);
	r->p = p;
	r->index = index;
	r->mean = mean;
	r->total = mt_profile_total(p, index);
	ptrdiff_t last_focus = -1;
	for (size_t i = 0; i < nf; i++)
		if (f[i].kind == MT_FILTER_FOCUS && f[i].pattern && *f[i].pattern)
			last_focus = (ptrdiff_t)i;
	/* Frame filters: the newest focus; ignores, hides, shows, tagshows
	 * and taghides each as one alternation. */
	for (int k = 0; k < MT_FILTER_COUNT; k++) {
		if (k == MT_FILTER_TAGFOCUS || k == MT_FILTER_TAGIGNORE)
			continue;
		struct alt alt = {0};
		for (size_t i = 0; i < nf; i++) {
			if ((int)f[i].kind != k || !f[i].pattern || !*f[i].pattern)
				continue;
			if (k == MT_FILTER_FOCUS && (ptrdiff_t)i != last_focus)
				continue;
			alt_add(&alt, f[i].pattern);
		}
		if (!alt.n)
			continue;
		/* Each pattern alone first, so an error quotes the user's own,
		 * never the alternation built from them. */
		enum mt_status st = MT_OK;
		for (size_t i = 0; i < nf && !st; i++) {
			if ((int)f[i].kind != k || !f[i].pattern || !*f[i].pattern)
				continue;
			struct mt_regex *one = NULL;
			st = compile(&one, (enum mt_filter_kind)k, f[i].pattern, e);
			mt_regex_free(one);
		}
		if (!st)
			st = compile(&r->re[k], (enum mt_filter_kind)k, alt.v, e);
		free(alt.v);
		if (st) {
			mt_report_done(r);
			return st;
		}
	}
	/* The nodes first, then the samples the tag filters keep: pprof
	 * applies them in that order, which decides what "matched" means. */
	struct mt_filters flt = {.focus = r->re[MT_FILTER_FOCUS],
				 .ignore = r->re[MT_FILTER_IGNORE],
				 .hide = r->re[MT_FILTER_HIDE],
				 .show = r->re[MT_FILTER_SHOW]};
	enum mt_status st = mt_nodes_init(&r->nodes, p, gran, &flt, e);
	if (st) {
		mt_report_done(r);
		return st;
	}
	bool tags = false;
	for (size_t i = 0; i < nf; i++)
		tags |= f[i].kind == MT_FILTER_TAGFOCUS || f[i].kind == MT_FILTER_TAGIGNORE;
	uint8_t *named = tags ? survivors(&r->nodes) : NULL;
	st = sample_filters(r, gran, f, nf, last_focus, named, e);
	free(named);
	if (st) {
		mt_report_done(r);
		return st;
	}
	r->nodes.keep = r->keep;
	static const struct {
		int kind;
		unsigned bit;
	} frame_bits[] = {{MT_FILTER_FOCUS, MT_MATCH_FOCUS},
			  {MT_FILTER_IGNORE, MT_MATCH_IGNORE},
			  {MT_FILTER_HIDE, MT_MATCH_HIDE},
			  {MT_FILTER_SHOW, MT_MATCH_SHOW}};
	for (size_t i = 0; i < sizeof frame_bits / sizeof frame_bits[0]; i++)
		if (r->re[frame_bits[i].kind] && !(r->nodes.matched & frame_bits[i].bit))
			r->nomatch |= 1u << frame_bits[i].kind;
	if (r->re[MT_FILTER_TAGSHOW] || r->re[MT_FILTER_TAGHIDE]) {
		/* pprof's FilterTagsByName: whether some label key of a sample
		 * the other filters kept matched. */
		bool sm = false, hm = false;
		uint8_t *kept = survivors(&r->nodes);
		for (size_t s = 0; s < p->samples.n; s++) {
			if (!kept[s])
				continue;
			const struct mt_sample *sm_ = &p->samples.v[s];
			for (uint32_t j = 0; j < sm_->nlabel; j++) {
				mt_str key = p->labels.v[sm_->label0 + j].key;
				const char *k = profile_str(p, key);
				size_t kl = strtab_len(&p->strs, key);
				sm |= r->re[MT_FILTER_TAGSHOW] &&
				      mt_regex_match(r->re[MT_FILTER_TAGSHOW], k, kl);
				hm |= r->re[MT_FILTER_TAGHIDE] &&
				      mt_regex_match(r->re[MT_FILTER_TAGHIDE], k, kl);
			}
		}
		free(kept);
		if (r->re[MT_FILTER_TAGSHOW] && !sm)
			r->nomatch |= 1u << MT_FILTER_TAGSHOW;
		if (r->re[MT_FILTER_TAGHIDE] && !hm)
			r->nomatch |= 1u << MT_FILTER_TAGHIDE;
	}
	build_rows(r);
	return MT_OK;
}

enum mt_status mt_report_open(struct mt_report *r, const struct profile *p,
			      const struct mt_query_opts *o, struct mt_err *e)
{
	int index;
	if (profile_sample_index(p, o->sample_index, &index, e)) {
		memset(r, 0, sizeof *r);
		return MT_ERR_NOTFOUND; /* of this profile, not bad usage */
	}
	struct mt_filter f[MT_FILTER_COUNT];
	size_t nf = 0;
	for (int k = 0; k < MT_FILTER_COUNT; k++)
		if (o->filter[k] && *o->filter[k])
			f[nf++] = (struct mt_filter){(enum mt_filter_kind)k, o->filter[k]};
	return mt_report_build(r, p, index, o->gran, o->mean, f, nf, e);
}

static int64_t fraction_of(int64_t v, double f)
{
	int64_t c = (int64_t)((double)v * f);
	return c < 0 ? -c : c;
}

void mt_report_trim(struct mt_report *r, double nodefraction, int nodecount, bool cum)
{
	struct mt_top *t = &r->top;
	/* pprof's newTrimmedGraph: nodes with |cum| under the cutoff go,
	 * then all but the first nodecount in the report's order. */
	int64_t cutoff = fraction_of(r->flat_total, nodefraction);
	r->cutoff = fraction_of(r->total, nodefraction);
	r->dropped = 0;
	r->trimmed = false;
	if (cutoff > 0) {
		size_t k = 0;
		for (size_t i = 0; i < t->n; i++) {
			if (mt_sat_abs(t->rows[i].raw_cum) >= cutoff)
				t->rows[k++] = t->rows[i];
		}
		r->dropped = t->n - k;
		r->trimmed = k < t->n;
		t->n = k;
	}
	mt_top_sort(t, &r->nodes, cum ? MT_SORT_CUM : MT_SORT_FLAT);
	r->untrimmed = t->n;
	if (nodecount > 0 && (size_t)nodecount < t->n) {
		t->n = (size_t)nodecount;
		r->trimmed = true;
	}
	t->flat_sum = 0;
	for (size_t i = 0; i < t->n; i++)
		t->flat_sum = mt_sat_add(t->flat_sum, t->rows[i].flat);
}

uint8_t *mt_report_rows(const struct mt_report *r)
{
	uint8_t *rows = xcalloc(r->nodes.n ? r->nodes.n : 1, 1);
	for (size_t i = 0; i < r->top.n; i++)
		rows[r->top.rows[i].node] = 1;
	return rows;
}

uint8_t *mt_report_kept(const struct mt_report *r)
{
	return r->trimmed ? mt_report_rows(r) : NULL;
}

int64_t mt_report_edge_cutoff(const struct mt_report *r, double edgefraction)
{
	return fraction_of(r->flat_total, edgefraction);
}

struct profile *mt_report_profile(const struct mt_report *r)
{
	const struct profile *p = r->p;
	const struct mt_nodes *m = &r->nodes;
	struct profile *d = profile_new();
	/* The same string ids: every string, in order. */
	for (size_t i = 1; i < p->strs.n; i++)
		strtab_intern(&d->strs, profile_str(p, (mt_str)i), strtab_len(&p->strs, (mt_str)i));
	d->format = MT_FMT_PPROF;
	for (size_t i = 0; i < p->sample_types.n; i++)
		VEC_PUSH(d->sample_types, p->sample_types.v[i]);
	d->default_sample_type = p->default_sample_type;
	d->period_type = p->period_type;
	d->period = p->period;
	d->time_nanos = p->time_nanos;
	d->duration_nanos = p->duration_nanos;
	d->drop_frames = p->drop_frames;
	d->keep_frames = p->keep_frames;
	for (size_t i = 0; i < p->comments.n; i++)
		VEC_PUSH(d->comments, p->comments.v[i]);
	for (size_t i = 0; i < p->mappings.n; i++)
		VEC_PUSH(d->mappings, p->mappings.v[i]);
	for (size_t i = 0; i < p->functions.n; i++)
		VEC_PUSH(d->functions, p->functions.v[i]);
	/* Locations keep the lines hide and show left them; one with none
	 * left is hidden (MT_NONE in loc_of). */
	uint32_t *loc_of = xmalloc((p->locations.n + 1) * sizeof *loc_of);
	for (size_t li = 0; li < p->locations.n; li++) {
		struct mt_location loc = p->locations.v[li];
		loc_of[li] = MT_NONE;
		if (loc.nline == 0) {
			if (m->loc_node[li] == MT_NONE)
				continue;
		} else {
			uint32_t first = (uint32_t)d->lines.n;
			for (uint32_t j = 0; j < loc.nline; j++)
				if (m->line_node[loc.line0 + j] != MT_NONE)
					VEC_PUSH(d->lines, p->lines.v[loc.line0 + j]);
			if (d->lines.n == first)
				continue;
			loc.line0 = first;
			loc.nline = (uint32_t)d->lines.n - first;
		}
		loc_of[li] = (uint32_t)d->locations.n;
		VEC_PUSH(d->locations, loc);
	}
	size_t nst = p->sample_types.n;
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(m) + 1) * sizeof *fr);
	for (size_t s = 0; s < p->samples.n; s++) {
		if (mt_nodes_frames(m, s, fr) == 0)
			continue; /* focus, ignore, tag filters or nothing left */
		const struct mt_sample *sm = &p->samples.v[s];
		struct mt_sample ns = {.loc0 = (uint32_t)d->sample_locs.n,
				       .label0 = (uint32_t)d->labels.n};
		for (uint32_t i = 0; i < sm->nloc; i++) {
			uint32_t l = loc_of[p->sample_locs.v[sm->loc0 + i]];
			if (l != MT_NONE)
				VEC_PUSH(d->sample_locs, l);
		}
		ns.nloc = (uint32_t)d->sample_locs.n - ns.loc0;
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *l = &p->labels.v[sm->label0 + j];
			if (mt_report_shows_label(r, profile_str(p, l->key)))
				VEC_PUSH(d->labels, *l);
		}
		ns.nlabel = (uint32_t)d->labels.n - ns.label0;
		VEC_PUSH(d->samples, ns);
		for (size_t t = 0; t < nst; t++)
			VEC_PUSH(d->values, profile_values(p, s)[t]);
	}
	free(fr);
	free(loc_of);
	return d;
}

void mt_report_set_index(struct mt_report *r, int index)
{
	if (index < 0 || (size_t)index >= r->p->sample_types.n)
		return;
	r->index = index;
	r->total = mt_profile_total(r->p, index);
	mt_top_done(&r->top);
	build_rows(r);
}

void mt_report_done(struct mt_report *r)
{
	mt_top_done(&r->top);
	mt_nodes_done(&r->nodes);
	for (int k = 0; k < MT_FILTER_COUNT; k++)
		mt_regex_free(r->re[k]);
	free(r->keep);
	memset(r, 0, sizeof *r);
}

bool mt_report_shows_label(const struct mt_report *r, const char *key)
{
	size_t kl = strlen(key);
	const struct mt_regex *show = r->re[MT_FILTER_TAGSHOW], *hide = r->re[MT_FILTER_TAGHIDE];
	return (!show || mt_regex_match(show, key, kl)) &&
	       !(hide && mt_regex_match(hide, key, kl));
}
