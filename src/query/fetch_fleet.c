/* fetch_fleet.c - profile references that are queries of a profile store
 * (collect/fleet.h): each window merged by the store, read, and kept as a
 * snapshot of the reference's series, so a range is a series that `memtop
 * leaks` and the timeline read like a collector's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "collect/fleet.h"
#include "query/query.h"
#include "read/reader.h"
#include "store/store.h"

/* The sample type a store's type id names (its second field, as in
 * memory:inuse_space:bytes:space:bytes) becomes p's default, when p has
 * it: a store may hand every type of the merged profiles. */
static void pick_sample_type(struct profile *p, const char *type)
{
	const char *a = strchr(type, ':');
	if (!a)
		return;
	a++;
	size_t n = strcspn(a, ":");
	mt_str id = strtab_find(&p->strs, a, n);
	if (id == (mt_str)-1)
		return;
	for (size_t i = 0; i < p->sample_types.n; i++)
		if (p->sample_types.v[i].type == id) {
			p->default_sample_type = id;
			return;
		}
}

/* The content hash of a window's answer: its bytes with the series and
 * the window, so the same answer for two windows is two snapshots, and
 * the same window fetched again is found stored. */
static uint8_t *hash_input(const uint8_t *raw, size_t n, const char *source,
			   int64_t start, int64_t end, size_t *out_n)
{
	char tail[96];
	int tl = snprintf(tail, sizeof tail, "\n%lld %lld\n", (long long)start,
			  (long long)end);
	size_t sl = strlen(source);
	uint8_t *b = xmalloc(n + sl + (size_t)tl + 1);
	if (n)
		memcpy(b, raw, n);
	memcpy(b + n, source, sl);
	memcpy(b + n + sl, tail, (size_t)tl);
	*out_n = n + sl + (size_t)tl;
	return b;
}

/* A window that ended this long ago is settled: the store has what it
 * will have of it. */
#define SETTLED_NS (60 * 1000000000LL)

/* Which windows of r are in s already (r's series, their ends as times)
 * and settled: *have[i] (NULL when none is). */
static bool *stored_windows(struct store *s, const struct fleet_ref *r, const int64_t *end,
			    size_t n)
{
	struct store_list l = {0};
	struct mt_err e = {{0}};
	if (!s || store_list(s, &l, &e))
		return NULL;
	bool *have = NULL;
	int64_t now = timefmt_now();
	for (size_t k = 0; k < l.n; k++) {
		if (strcmp(l.v[k].source, r->source) != 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (l.v[k].time == end[i] && end[i] < now - SETTLED_NS) {
				if (!have)
					have = xcalloc(n, sizeof *have);
				have[i] = true;
			}
	}
	store_list_done(&l);
	return have;
}

/* Fetches every window of r, reads each answer, stores it when s is not
 * NULL (a settled window stored before is not asked for again, unless its
 * profile is the one handed over); *last gets the newest profile (NULL: want none) and its snapshot
 * id. Windows with no profile are warnings; none at all is an error. */
static enum mt_status fetch_windows(const char *ref, const struct fleet_ref *r,
				    const struct mt_query_opts *o, struct store *s,
				    struct profile **last, int64_t *last_id,
				    size_t *stored, struct mt_warnings *w,
				    struct mt_err *e)
{
	int64_t *start, *end;
	size_t n, got = 0, empty = 0;
	char first_empty[48] = "";
	fleet_windows(r, &start, &end, &n);
	enum mt_status st = MT_OK;
	struct mt_err first = {{0}};
	bool *have = stored_windows(s, r, end, n);
	for (size_t i = 0; i < n; i++) {
		if (have && have[i] && !(last && i + 1 == n)) {
			got++;
			if (stored)
				(*stored)++;
			continue;
		}
		uint8_t *raw = NULL;
		size_t nraw = 0;
		struct mt_err fe = {{0}};
		char ts[48];
		timefmt_rfc3339(end[i], ts, sizeof ts);
		enum mt_status fs =
		    fleet_merge(r, start[i], end[i], &o->fetch, &raw, &nraw, &fe);
		struct profile *p = NULL;
		if (!fs && (fs = reader_load_bytes(raw, nraw, &o->lim, &p, &fe))) {
			char m[sizeof fe.msg];
			snprintf(m, sizeof m, "%s", fe.msg);
			fs = mt_errf(&fe, fs,
				     "bad profile in the answer (%zu bytes): %s", nraw,
				     m);
		}
		if (fs) {
			free(raw);
			/* A store that fails fails the read; an empty window
			 * of a series is news, not a failure. */
			if (fs != MT_ERR_NOTFOUND || n == 1) {
				st = fs;
				first = fe;
				break;
			}
			if (!empty++)
				snprintf(first_empty, sizeof first_empty, "%s", ts);
			continue;
		}
		pick_sample_type(p, r->type);
		int64_t id = 0;
		if (s) {
			size_t hn;
			uint8_t *h =
			    hash_input(raw, nraw, r->source, start[i], end[i], &hn);
			struct store_source src = {.source = r->source,
						   .time_nanos = end[i],
						   .force_time = true,
						   .raw = h,
						   .nraw = hn};
			bool dup;
			struct mt_err se = {{0}};
			if (store_import(s, p, &src, &id, &dup, &se)) {
				mt_warnf(w, "%s: not stored in the database: %s", ref,
					 se.msg);
				id = 0;
			} else if (stored) {
				(*stored)++;
			}
			free(h);
		}
		free(raw);
		got++;
		if (last) {
			profile_free(*last);
			*last = p;
			*last_id = id;
		} else {
			profile_free(p);
		}
	}
	if (!st && got && empty)
		mt_warnf(w,
			 "%s: %zu of %zu windows had no profile (the first ending %s)",
			 ref, empty, n, first_empty);
	if (!st && !got) {
		st = MT_ERR_NOTFOUND;
		snprintf(first.msg, sizeof first.msg,
			 "no profile in any of its %zu windows", n);
	}
	if (st) {
		if (last) {
			profile_free(*last);
			*last = NULL;
		}
		mt_errf(e, st, "%s: %s", ref, first.msg);
	}
	free(have);
	free(start);
	free(end);
	return st;
}

/* Opens the store of o for keeping what is fetched (NULL for ":memory:",
 * or when it cannot be opened: a warning). */
static struct store *open_keep(const struct mt_query_opts *o, struct mt_warnings *w)
{
	struct store *s = NULL;
	struct mt_err e = {{0}};
	if (o->db && strcmp(o->db, ":memory:") == 0)
		return NULL;
	if (store_open(&s, o->db, true, &e)) {
		mt_warnf(w, "not stored in the database: %s", e.msg);
		return NULL;
	}
	return s;
}

/* Parses ref; errors name it. */
static enum mt_status parse(const char *ref, struct fleet_ref *r, struct mt_err *e)
{
	enum mt_status st = fleet_parse(ref, timefmt_now(), r, e);
	if (st) {
		char m[sizeof e->msg];
		snprintf(m, sizeof m, "%s", e->msg);
		mt_errf(e, st, "%s: %s", ref, m);
	}
	return st;
}

enum mt_status query_fetch_fleet(const char *ref, const struct mt_query_opts *o,
				 struct profile **out, int64_t *snap_id,
				 struct mt_warnings *w, struct mt_err *e)
{
	struct fleet_ref r;
	*out = NULL;
	enum mt_status st = parse(ref, &r, e);
	if (st)
		return st;
	struct store *s = open_keep(o, w);
	int64_t id = 0;
	st = fetch_windows(ref, &r, o, s, out, &id, NULL, w, e);
	if (snap_id)
		*snap_id = id;
	store_close(s);
	fleet_ref_done(&r);
	return st;
}

enum mt_status query_fleet_series(const char *ref, const struct mt_query_opts *o,
				  char **source, size_t *stored, struct mt_warnings *w,
				  struct mt_err *e)
{
	struct fleet_ref r;
	*source = NULL;
	*stored = 0;
	enum mt_status st = parse(ref, &r, e);
	if (st)
		return st;
	struct store *s = NULL;
	if ((st = store_open(&s, o->db, true, e))) {
		char m[sizeof e->msg];
		snprintf(m, sizeof m, "%s", e->msg);
		mt_errf(e, st, "%s: %s", o->db && *o->db ? o->db : "database", m);
	} else if (!(st = fetch_windows(ref, &r, o, s, NULL, NULL, stored, w, e))) {
		*source = xstrdup(r.source);
	}
	store_close(s);
	fleet_ref_done(&r);
	return st;
}
