/* tags.c - pprof's tag filters (-tagfocus, -tagignore) and label frames
 * (-tagroot, -tagleaf). */
#include "profile/tags.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"
#include "profile/merge.h"

/* One "[+-]digits[letters]" token of a range, pprof's
 * ([+-]?[[:digit:]]+)([[:alpha:]]+)? found anywhere in s from *pos. */
struct range_tok {
	size_t start, end; /* the whole match in s */
	long long v;
	char unit[16];
	bool ok;
};

static struct range_tok next_tok(const char *s, size_t from)
{
	struct range_tok t = {0};
	size_t n = strlen(s);
	for (size_t i = from; i < n; i++) {
		size_t j = i;
		if (s[j] == '+' || s[j] == '-')
			j++;
		if (j >= n || !isdigit((unsigned char)s[j]))
			continue;
		size_t d0 = j;
		while (j < n && isdigit((unsigned char)s[j]))
			j++;
		char num[32];
		size_t nl = j - i;
		if (nl >= sizeof num)
			return t; /* pprof panics on an int64 overflow: refuse */
		memcpy(num, s + i, nl);
		num[nl] = 0;
		(void)d0;
		t.v = strtoll(num, NULL, 10);
		size_t u0 = j;
		while (j < n && isalpha((unsigned char)s[j]))
			j++;
		size_t ul = j - u0;
		if (ul >= sizeof t.unit)
			ul = sizeof t.unit - 1;
		memcpy(t.unit, s + u0, ul);
		t.unit[ul] = 0;
		t.start = i;
		t.end = j;
		t.ok = true;
		return t;
	}
	return t;
}

/* pprof's parseTagFilterRange: true when value is a range, with t's
 * bounds set. */
static bool parse_range(struct mt_tagfilter *t, const char *value)
{
	struct range_tok a = next_tok(value, 0);
	if (!a.ok)
		return false;
	struct range_tok b = next_tok(value, a.end);
	const char *u;
	double sa = mt_scale(a.v, a.unit, a.unit, &u);
	snprintf(t->unit, sizeof t->unit, "%s", u);
	size_t n = strlen(value), al = a.end - a.start;
	if (!b.ok) {
		if (a.start == 0 && a.end == n) {
			t->lo = t->hi = sa;
			t->has_lo = t->has_hi = true;
		} else if (a.start == 0 && a.end + 1 == n && value[a.end] == ':') {
			t->lo = sa;
			t->has_lo = true;
		} else if (a.start == 1 && value[0] == ':' && 1 + al == n) {
			t->hi = sa;
			t->has_hi = true;
		} else {
			return false;
		}
		return true;
	}
	/* Two tokens: exactly "A:B", both in one unit. */
	if (a.start != 0 || value[a.end] != ':' || b.start != a.end + 1 || b.end != n)
		return false;
	const char *u2;
	double sb = mt_scale(b.v, b.unit, t->unit, &u2);
	if (strcmp(u2, t->unit) != 0)
		return false;
	t->lo = sa;
	t->hi = sb;
	t->has_lo = t->has_hi = true;
	return true;
}

enum mt_status mt_tagfilter_compile(struct mt_tagfilter *t, const char *spec,
				    bool *numeric_note, struct mt_err *e)
{
	memset(t, 0, sizeof *t);
	if (numeric_note)
		*numeric_note = false;
	const char *value = spec;
	const char *eq = strchr(spec, '=');
	if (eq) {
		t->key = xstrndup(spec, (size_t)(eq - spec));
		value = eq + 1;
	}
	if (parse_range(t, value)) {
		t->numeric = true;
		if (numeric_note)
			*numeric_note = true;
		return MT_OK;
	}
	/* Comma-separated regular expressions. */
	const char *s = value;
	for (;;) {
		const char *c = strchr(s, ',');
		size_t l = c ? (size_t)(c - s) : strlen(s);
		char *pat = xstrndup(s, l);
		struct mt_regex *re = NULL;
		enum mt_status st = mt_regex_compile(&re, pat, false, e);
		free(pat);
		if (st) {
			mt_tagfilter_done(t);
			return st;
		}
		t->re = xrealloc(t->re, (t->nre + 1) * sizeof *t->re);
		t->re[t->nre++] = re;
		if (!c)
			break;
		s = c + 1;
	}
	return MT_OK;
}

void mt_tagfilter_done(struct mt_tagfilter *t)
{
	for (size_t i = 0; i < t->nre; i++)
		mt_regex_free(t->re[i]);
	free(t->re);
	free(t->key);
	memset(t, 0, sizeof *t);
}

const char **mt_label_units(const struct profile *p)
{
	size_t ns = p->strs.n;
	const char **u = xcalloc(ns + 1, sizeof *u);
	for (size_t i = 0; i < p->labels.n; i++) {
		const struct mt_label *l = &p->labels.v[i];
		if (!l->is_num)
			continue;
		if (l->unit && *profile_str(p, l->unit) && (!u[l->key] || !*u[l->key]))
			u[l->key] = profile_str(p, l->unit);
		else if (!u[l->key])
			u[l->key] = "";
	}
	for (size_t k = 0; k < ns; k++) {
		if (!u[k] || *u[k])
			continue;
		const char *key = profile_str(p, (mt_str)k);
		u[k] = !strcmp(key, "alignment") || !strcmp(key, "request") ? "bytes" : key;
	}
	return u;
}

static bool num_in_range(const struct mt_tagfilter *t, int64_t v, const char *unit)
{
	const char *su;
	double sv = mt_scale(v, unit, t->unit, &su);
	if (strcmp(su, t->unit) != 0)
		return false;
	return (!t->has_lo || sv >= t->lo) && (!t->has_hi || sv <= t->hi);
}

bool mt_tagfilter_match(const struct mt_tagfilter *t, const struct profile *p, size_t s,
			const char *const *units)
{
	const struct mt_sample *sm = &p->samples.v[s];
	const struct mt_label *ls = VEC_AT(p->labels, sm->label0);
	if (t->numeric) {
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			if (!ls[j].is_num)
				continue;
			const char *key = profile_str(p, ls[j].key);
			if (t->key && strcmp(key, t->key) != 0)
				continue;
			if (num_in_range(t, ls[j].num, units[ls[j].key]))
				return true;
		}
		return false;
	}
	if (t->key) {
		/* Any regex matching any value of the key. */
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			if (ls[j].is_num || strcmp(profile_str(p, ls[j].key), t->key) != 0)
				continue;
			const char *v = profile_str(p, ls[j].str);
			for (size_t i = 0; i < t->nre; i++)
				if (mt_regex_match(t->re[i], v, strlen(v)))
					return true;
		}
		return false;
	}
	/* Every regex matching some "key:value". */
	char buf[512];
	for (size_t i = 0; i < t->nre; i++) {
		bool hit = false;
		for (uint32_t j = 0; !hit && j < sm->nlabel; j++) {
			if (ls[j].is_num)
				continue;
			const char *k = profile_str(p, ls[j].key), *v = profile_str(p, ls[j].str);
			size_t kl = strlen(k), vl = strlen(v);
			char *kv = kl + vl + 2 <= sizeof buf ? buf : xmalloc(kl + vl + 2);
			memcpy(kv, k, kl);
			kv[kl] = ':';
			memcpy(kv + kl + 1, v, vl + 1);
			hit = mt_regex_match(t->re[i], kv, kl + 1 + vl);
			if (kv != buf)
				free(kv);
		}
		if (!hit)
			return false;
	}
	return true;
}

/* ---- label frames ------------------------------------------------------ */

/* Splits "a,b,,c" into its non-empty keys (pointers into a copy). */
static size_t split_keys(const char *s, char **copy, const char ***keys)
{
	*copy = xstrdup(s ? s : "");
	*keys = NULL;
	size_t n = 0;
	for (char *tok = strtok(*copy, ","); tok; tok = strtok(NULL, ",")) {
		*keys = xrealloc(*keys, (n + 1) * sizeof **keys);
		(*keys)[n++] = tok;
	}
	return n;
}

/* The pseudo frame's function name for key of sample s: its string values,
 * then its numeric ones, comma-separated, as go tool pprof's
 * formatLabelValues makes it: numbers with units in outunit, numbers
 * without as plain numbers, none when only some have a unit; *any when
 * there was a value. */
static void label_values(const struct profile *p, size_t s, const char *key,
			 const char *outunit, char **out, bool *any)
{
	const struct mt_sample *sm = &p->samples.v[s];
	const struct mt_label *ls = VEC_AT(p->labels, sm->label0);
	size_t nnum = 0, nunit = 0;
	for (uint32_t j = 0; j < sm->nlabel; j++)
		if (ls[j].is_num && !strcmp(profile_str(p, ls[j].key), key)) {
			nnum++;
			nunit += ls[j].unit && *profile_str(p, ls[j].unit);
		}
	bool nums = nunit == 0 || nunit == nnum;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			if (ls[j].is_num != (pass == 1) || strcmp(profile_str(p, ls[j].key), key))
				continue;
			if (pass == 1 && !nums)
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			if (pass == 0) {
				fputs(profile_str(p, ls[j].str), f);
			} else {
				char nb[64];
				if (nunit)
					mt_scaled_label(nb, sizeof nb, ls[j].num,
							profile_str(p, ls[j].unit), outunit);
				else
					mt_scaled_label(nb, sizeof nb, ls[j].num, "", "");
				fputs(nb, f);
			}
		}
	}
	fclose(f);
	*any = !first;
	*out = buf;
}

enum mt_status mt_label_frames(const struct profile *src, const char *rootkeys,
			       const char *leafkeys, const char *outunit,
			       struct profile **out, bool *rootm, bool *leafm,
			       struct mt_err *e)
{
	*rootm = *leafm = false;
	*out = NULL;
	struct profile *p = NULL;
	enum mt_status st = profile_copy(src, &p, e);
	if (st)
		return st;
	char *rc, *lc;
	const char **rk, **lk;
	size_t nr = split_keys(rootkeys, &rc, &rk), nl = split_keys(leafkeys, &lc, &lk);
	if (!outunit || !*outunit)
		outunit = "minimum";
	uint64_t next_fn = 0, next_loc = 0;
	for (size_t i = 0; i < p->functions.n; i++)
		if (p->functions.v[i].id > next_fn)
			next_fn = p->functions.v[i].id;
	for (size_t i = 0; i < p->locations.n; i++)
		if (p->locations.v[i].id > next_loc)
			next_loc = p->locations.v[i].id;
	/* A location per (key, value string), shared by the samples. */
	struct mt_strtab keyed;
	strtab_init(&keyed);
	VEC(uint32_t) loc_of = {0}; /* keyed id -> location index */
	VEC(uint32_t) locs = {0};
	size_t ns = p->samples.n;
	for (size_t s = 0; s < ns; s++) {
		struct mt_sample *sm = &p->samples.v[s];
		size_t base = locs.n;
		/* New frames leaf first: leaf keys (last key innermost), the
		 * sample's own, then root keys (first key outermost). */
		for (int side = 0; side < 3; side++) {
			if (side == 1) {
				for (uint32_t i = 0; i < sm->nloc; i++)
					VEC_PUSH(locs, p->sample_locs.v[sm->loc0 + i]);
				continue;
			}
			const char **keys = side == 0 ? lk : rk;
			size_t nk = side == 0 ? nl : nr;
			for (size_t i = nk; i-- > 0;) {
				char *name;
				bool any;
				label_values(p, s, keys[i], outunit, &name, &any);
				if (any)
					*(side == 0 ? leafm : rootm) = true;
				size_t kl = strlen(keys[i]), vl = strlen(name);
				char *kv = xmalloc(kl + vl + 2);
				memcpy(kv, keys[i], kl);
				kv[kl] = 0;
				memcpy(kv + kl + 1, name, vl + 1);
				mt_str id = strtab_intern(&keyed, kv, kl + 1 + vl);
				free(kv);
				if (id >= loc_of.n) {
					mt_str fname = strtab_intern(&p->strs, name, vl);
					mt_str ffile = strtab_intern(&p->strs, keys[i], kl);
					VEC_PUSH(p->functions, ((struct mt_function){
								       .id = ++next_fn,
								       .name = fname,
								       .system_name = fname,
								       .filename = ffile}));
					VEC_PUSH(p->lines, ((struct mt_line){
								   .func = (uint32_t)(p->functions.n - 1)}));
					VEC_PUSH(p->locations, ((struct mt_location){
								       .id = ++next_loc,
								       .mapping = MT_NONE,
								       .line0 = (uint32_t)(p->lines.n - 1),
								       .nline = 1}));
					while (loc_of.n <= id)
						VEC_PUSH(loc_of, MT_NONE);
					loc_of.v[id] = (uint32_t)(p->locations.n - 1);
				}
				free(name);
				VEC_PUSH(locs, loc_of.v[id]);
			}
		}
		sm->loc0 = (uint32_t)base;
		sm->nloc = (uint32_t)(locs.n - base);
	}
	free(p->sample_locs.v);
	p->sample_locs.v = locs.v;
	p->sample_locs.n = locs.n;
	p->sample_locs.cap = locs.cap;
	free(loc_of.v);
	strtab_done(&keyed);
	free(rc);
	free(lc);
	free(rk);
	free(lk);
	*out = p;
	return MT_OK;
}
