/* profile.c - the profile model: lifetime, sample index rules, pruning and
 * consistency checks shared by every reader. */
#include "profile/profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/regex.h"

struct profile *profile_new(void)
{
	struct profile *p = xcalloc(1, sizeof *p);
	strtab_init(&p->strs);
	return p;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	strtab_done(&p->strs);
	free(p->sample_types.v);
	free(p->comments.v);
	free(p->mappings.v);
	free(p->functions.v);
	free(p->lines.v);
	free(p->locations.v);
	free(p->samples.v);
	free(p->sample_locs.v);
	free(p->values.v);
	free(p->exact.v);
	free(p->labels.v);
	free(p);
}

int64_t profile_sum(double x)
{
	if (!(x > -9.2e18))
		return x != x ? 0 : INT64_MIN;
	if (!(x < 9.2e18))
		return INT64_MAX;
	return (int64_t)x;
}

int profile_default_index(const struct profile *p)
{
	if (p->sample_types.n == 0)
		return -1;
	if (p->default_sample_type) {
		for (size_t i = 0; i < p->sample_types.n; i++)
			if (p->sample_types.v[i].type == p->default_sample_type)
				return (int)i;
	}
	return (int)p->sample_types.n - 1;
}

enum mt_status profile_sample_index(const struct profile *p, const char *want,
				    int *index, struct mt_err *e)
{
	int n = (int)p->sample_types.n;
	if (n == 0)
		return mt_errf(e, MT_ERR_USAGE, "profile has no samples");
	if (!want || !*want) {
		*index = profile_default_index(p);
		return MT_OK;
	}
	char *end;
	long v = strtol(want, &end, 10);
	if (*end == 0 && end != want) {
		if (v < 0 || v >= n)
			return mt_errf(e, MT_ERR_USAGE,
				       "sample index %s is outside the range [0..%d]",
				       want, n - 1);
		*index = (int)v;
		return MT_OK;
	}
	const char *noinuse = strncmp(want, "inuse_", 6) == 0 ? want + 6 : want;
	for (int i = 0; i < n; i++) {
		const char *t = profile_str(p, p->sample_types.v[i].type);
		if (strcmp(t, want) == 0 || strcmp(t, noinuse) == 0) {
			*index = i;
			return MT_OK;
		}
	}
	char list[256] = "";
	size_t used = 0;
	for (int i = 0; i < n && used < sizeof list - 1; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
					 i ? " " : "",
					 profile_str(p, p->sample_types.v[i].type));
	return mt_errf(e, MT_ERR_USAGE, "sample index \"%s\" must be one of: %s",
		       want, list);
}

/* pprof's simplifyFunc: drops a leading '.' and an argument list, so that
 * drop_frames patterns written for bare names match C++ signatures. */
static size_t simplified_len(const char *s, size_t n, const char **start)
{
	if (n && s[0] == '.') {
		s++;
		n--;
	}
	*start = s;
	static const char *reserved[] = {"(anonymous namespace)", "operator()"};
	for (size_t i = 0; i < n; i++) {
		bool skipped = false;
		for (size_t r = 0; r < 2; r++) {
			size_t rl = strlen(reserved[r]);
			if (n - i >= rl && memcmp(s + i, reserved[r], rl) == 0) {
				i += rl - 1;
				skipped = true;
				break;
			}
		}
		if (!skipped && s[i] == '(')
			return i;
	}
	return n;
}

enum mt_status profile_prune(struct profile *p, struct mt_err *e)
{
	if (!p->drop_frames)
		return MT_OK;
	struct mt_regex *drop = NULL, *keep = NULL;
	enum mt_status st = mt_regex_compile(&drop, profile_str(p, p->drop_frames),
					     true, e);
	if (st)
		return st;
	if (p->keep_frames) {
		st = mt_regex_compile(&keep, profile_str(p, p->keep_frames), false, e);
		if (st) {
			mt_regex_free(drop);
			return st;
		}
	}
	/* Per location: 0 keep, 1 prune beneath (keep the location), 2 prune it. */
	uint8_t *mark = xcalloc(p->locations.n, 1);
	uint8_t *fmatch = xcalloc(p->functions.n, 1); /* 0 unknown, 1 no, 2 yes */
	for (size_t li = 0; li < p->locations.n; li++) {
		struct mt_location *loc = &p->locations.v[li];
		int64_t i;
		for (i = (int64_t)loc->nline - 1; i >= 0; i--) {
			uint32_t f = p->lines.v[loc->line0 + i].func;
			if (f == MT_NONE || !p->functions.v[f].name)
				continue;
			if (!fmatch[f]) {
				const char *name = profile_str(p, p->functions.v[f].name);
				const char *s;
				size_t n = simplified_len(name, strlen(name), &s);
				bool m = mt_regex_match(drop, s, n) &&
					 !(keep && mt_regex_match(keep, s, n));
				fmatch[f] = m ? 2 : 1;
			}
			if (fmatch[f] == 2)
				break;
		}
		if (i >= 0) {
			if (i == (int64_t)loc->nline - 1) {
				mark[li] = 2;
			} else {
				mark[li] = 1;
				loc->line0 += (uint32_t)i + 1;
				loc->nline -= (uint32_t)i + 1;
			}
		}
	}
	for (size_t si = 0; si < p->samples.n; si++) {
		struct mt_sample *s = &p->samples.v[si];
		const uint32_t *locs = s->nloc ? p->sample_locs.v + s->loc0 : NULL;
		bool user = false;
		for (int64_t i = (int64_t)s->nloc - 1; i >= 0; i--) {
			uint8_t m = mark[locs[i]];
			if (!m) {
				user = true;
				continue;
			}
			if (!user)
				continue;
			uint32_t cut = m == 2 ? (uint32_t)i + 1 : (uint32_t)i;
			s->loc0 += cut;
			s->nloc -= cut;
			break;
		}
	}
	free(mark);
	free(fmatch);
	mt_regex_free(drop);
	mt_regex_free(keep);
	return MT_OK;
}

enum mt_status profile_check(const struct profile *p, struct mt_err *e)
{
	size_t nst = p->sample_types.n;
	if (p->values.n != p->samples.n * nst)
		return mt_errf(e, MT_ERR_CORRUPT, "values do not match samples");
	if (p->exact.n && p->exact.n != p->values.n)
		return mt_errf(e, MT_ERR_CORRUPT, "exact values do not match samples");
	for (size_t i = 0; i < p->locations.n; i++) {
		const struct mt_location *l = &p->locations.v[i];
		if (l->mapping != MT_NONE && l->mapping >= p->mappings.n)
			return mt_errf(e, MT_ERR_CORRUPT, "location %" PRIu64
				       " has a bad mapping", l->id);
		if ((uint64_t)l->line0 + l->nline > p->lines.n)
			return mt_errf(e, MT_ERR_CORRUPT, "location %" PRIu64
				       " has bad lines", l->id);
		for (uint32_t j = 0; j < l->nline; j++) {
			uint32_t f = p->lines.v[l->line0 + j].func;
			if (f != MT_NONE && f >= p->functions.n)
				return mt_errf(e, MT_ERR_CORRUPT, "location %" PRIu64
					       " has a bad function", l->id);
		}
	}
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct mt_sample *s = &p->samples.v[i];
		if ((uint64_t)s->loc0 + s->nloc > p->sample_locs.n ||
		    (uint64_t)s->label0 + s->nlabel > p->labels.n)
			return mt_errf(e, MT_ERR_CORRUPT, "sample %zu is out of range", i);
		for (uint32_t j = 0; j < s->nloc; j++)
			if (p->sample_locs.v[s->loc0 + j] >= p->locations.n)
				return mt_errf(e, MT_ERR_CORRUPT,
					       "sample %zu has a bad location", i);
	}
	return MT_OK;
}

static bool has_type(const struct profile *p, const char *t)
{
	for (size_t i = 0; i < p->sample_types.n; i++)
		if (strcmp(profile_str(p, p->sample_types.v[i].type), t) == 0)
			return true;
	return false;
}

const char *profile_kind(const struct profile *p)
{
	const char *pt = profile_str(p, p->period_type.type);
	if (p->format == MT_FMT_GOROUTINE_DUMP)
		return "goroutine";
	if (has_type(p, "inuse_space") || has_type(p, "space"))
		return has_type(p, "inuse_space") && strcmp(pt, "space") == 0 &&
				       p->default_sample_type &&
				       strcmp(profile_str(p, p->default_sample_type),
					      "alloc_space") == 0
			       ? "allocs"
			       : "heap";
	if (has_type(p, "goroutine") || strcmp(pt, "goroutine") == 0)
		return "goroutine";
	/* Go 1.26's goroutines the collector proved blocked for ever. */
	if (has_type(p, "goroutineleak") || strcmp(pt, "goroutineleak") == 0)
		return "goroutineleak";
	if (has_type(p, "threadcreate") || strcmp(pt, "threadcreate") == 0)
		return "threadcreate";
	/* Go writes mutex and block profiles alike; only their source tells
	 * them apart, so the caller may know better than "contention". */
	if (has_type(p, "contentions") || has_type(p, "delay"))
		return "contention";
	if (has_type(p, "cpu") || has_type(p, "samples"))
		return "cpu";
	return "profile";
}
