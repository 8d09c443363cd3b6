/* cmd_goroutines.c - `memtop goroutines DUMP`: a goroutine dump (debug=2,
 * panic or SIGQUIT output, a file or a stored @ID) or a goroutine profile
 * grouped by state, stack and creator (report/ggroup.h), as text or JSON;
 * with --since, how long each group's goroutines have been there across the
 * stored dumps of its series (report/gseries.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/regex.h"
#include "report/ggroup.h"
#include "report/gseries.h"
#include "store/series.h"
#include "store/store.h"
#include "cli.h"

/* How long each group's goroutines have been there (--since). */
struct since {
	struct gs_series gs;
	size_t idx; /* the --since snapshot's index in gs */
	bool on;
};

static bool compile(struct mt_regex **re, const char *pat)
{
	if (!pat || !*pat)
		return true;
	struct mt_err e;
	if (mt_regex_compile(re, pat, false, &e)) {
		cli_err("", "%s", e.msg);
		return false;
	}
	return true;
}

/* Whether a group passes --state (its state) and --focus (the goroutine
 * focus rule, gg_match). */
static bool keep(const struct gg_set *s, const struct gg_group *g,
		 const struct mt_regex *state, const struct mt_regex *focus)
{
	if (state && !mt_regex_match(state, g->state, strlen(g->state)))
		return false;
	return !focus || gg_match(s, g, focus);
}

/* For group g of s: how many of its goroutines have been there since the
 * --since snapshot, and its oldest goroutine (member index, first seen). */
static int64_t since_group(const struct since *sn, const struct gg_set *s,
			   const struct gg_group *g, uint32_t *oldest)
{
	int64_t k = 0;
	*oldest = UINT32_MAX;
	int32_t best = INT32_MAX;
	for (uint32_t i = 0; i < g->nm; i++) {
		int32_t f = sn->gs.first[g->m0 + i];
		k += f <= (int32_t)sn->idx;
		if (f < best || (f == best && s->members.v[g->m0 + i].wait >
						  s->members.v[g->m0 + *oldest].wait)) {
			best = f;
			*oldest = i;
		}
	}
	return k;
}

static void print_json(const struct gg_set *s, const uint32_t *sel, size_t n, int64_t total,
		       const struct since *sn)
{
	printf("{\"total\": %" PRId64 ", \"groups\": [", total);
	for (size_t k = 0; k < n; k++) {
		const struct gg_group *g = &s->groups.v[sel[k]];
		printf("%s\n  {\"state\": ", k ? "," : "");
		mt_json_str(stdout, g->state);
		printf(", \"count\": %" PRId64 ", \"wait_minutes_min\": %" PRId64
		       ", \"wait_minutes_max\": %" PRId64 ", \"name\": ",
		       g->count, g->wait_min, g->wait_max);
		mt_json_str(stdout, gg_name(s, g));
		printf(", \"created_by\": ");
		mt_json_str(stdout, g->creator);
		if (*g->creator_file) {
			printf(", \"created_at\": {\"file\": ");
			mt_json_str(stdout, g->creator_file);
			printf(", \"line\": %" PRId64 "}", g->creator_line);
		}
		if (s->has_ids) {
			printf(", \"ids\": [");
			for (uint32_t i = 0; i < g->nm; i++)
				printf("%s%" PRIu64, i ? ", " : "", s->members.v[g->m0 + i].id);
			printf("]");
		}
		if (sn->on && g->nm) {
			uint32_t o;
			int64_t k = since_group(sn, s, g, &o);
			const struct gg_member *m = &s->members.v[g->m0 + o];
			int32_t f = sn->gs.first[g->m0 + o];
			char t[64] = "";
			printf(", \"since\": {\"snapshot\": %" PRId64 ", \"dumps_ago\": %zu, "
			       "\"count\": %" PRId64 "}, \"oldest\": {\"id\": %" PRIu64
			       ", \"since\": ",
			       sn->gs.ids[sn->idx], sn->gs.cur_index - sn->idx, k, m->id);
			if ((size_t)f < sn->gs.cur_index) {
				cli_rfc3339(t, sizeof t, sn->gs.times[f]);
				printf("%" PRId64 ", \"time\": \"%s\"", sn->gs.ids[f], t);
			} else {
				printf("null, \"time\": null");
			}
			printf(", \"wait_minutes\": %" PRId64 "}", m->wait);
		}
		printf(", \"frames\": [");
		for (uint32_t i = 0; i < g->nf; i++) {
			const struct gg_frame *f = &s->frames.v[g->f0 + i];
			printf("%s{\"function\": ", i ? ", " : "");
			mt_json_str(stdout, f->func);
			printf(", \"file\": ");
			mt_json_str(stdout, f->file);
			printf(", \"line\": %" PRId64 "}", f->line);
		}
		printf("]}");
	}
	printf("%s]}\n", n ? "\n" : "");
}

/* Groups sel[0..n) of the nsel that passed the filters, with total
 * goroutines among those. */
static void print_text(const struct gg_set *s, const uint32_t *sel, size_t n, size_t nsel,
		       int64_t total, const struct since *sn)
{
	if (s->reason)
		printf("%s\n", s->reason);
	if (sn->on) {
		char t[64];
		cli_rfc3339(t, sizeof t, sn->gs.times[sn->idx]);
		size_t ago = sn->gs.cur_index - sn->idx;
		printf("Since @%" PRId64 " (%s, %zu dump%s before this one, of %zu stored of %s): "
		       "goroutines there ever since, with the same stack and a wait that never "
		       "went back\n",
		       sn->gs.ids[sn->idx], t, ago, ago == 1 ? "" : "s", sn->gs.nsnap,
		       sn->gs.source);
	}
	printf("%" PRId64 " goroutine%s in %zu group%s", total, total == 1 ? "" : "s", nsel,
	       nsel == 1 ? "" : "s");
	if (total != s->total)
		printf(" (of %" PRId64 " goroutines)", s->total);
	if (n < nsel)
		printf(", showing the top %zu", n);
	printf("\n");
	if (!s->has_ids && s->groups.n)
		printf("A goroutine profile: stacks, without states, ids or creators.\n");
	for (size_t k = 0; k < n; k++) {
		const struct gg_group *g = &s->groups.v[sel[k]];
		/* A profile's group has no state: its name says what it is. */
		printf("\n%" PRId64 ": %s", g->count, *g->state ? g->state : gg_name(s, g));
		if (g->wait_max > 0) {
			if (g->wait_min == g->wait_max)
				printf(", %" PRId64 " minutes", g->wait_max);
			else
				printf(", %" PRId64 "-%" PRId64 " minutes", g->wait_min,
				       g->wait_max);
		}
		if (g->locked)
			printf(", %zu locked to thread", g->locked);
		if (g->nm) {
			printf(" [goroutine%s", g->count == 1 ? "" : "s");
			uint32_t shown = g->nm < 8 ? g->nm : 8;
			for (uint32_t i = 0; i < shown; i++)
				printf("%s %" PRIu64, i ? "," : "", s->members.v[g->m0 + i].id);
			printf("%s]", g->nm > shown ? ", ..." : "");
		}
		printf("\n");
		if (sn->on && g->nm) {
			uint32_t o;
			int64_t k = since_group(sn, s, g, &o);
			const struct gg_member *m = &s->members.v[g->m0 + o];
			int32_t f = sn->gs.first[g->m0 + o];
			printf("    %" PRId64 " of %u there since @%" PRId64 "; oldest: goroutine %" PRIu64,
			       k, g->nm, sn->gs.ids[sn->idx], m->id);
			if ((size_t)f < sn->gs.cur_index) {
				char t[64];
				cli_rfc3339(t, sizeof t, sn->gs.times[f]);
				printf(", stuck since @%" PRId64 " (%s)", sn->gs.ids[f], t);
			} else {
				printf(", new in this dump");
			}
			if (m->wait)
				printf(", waiting %" PRId64 " minutes", m->wait);
			printf("\n");
		}
		for (uint32_t i = 0; i < g->nf; i++) {
			const struct gg_frame *f = &s->frames.v[g->f0 + i];
			if (g->elided && g->elided_at == i && i < g->nf)
				printf("    ...%" PRId64 " frames elided...\n", g->elided_frames);
			printf("    %s%s\n        %s:%" PRId64 "\n", f->func,
			       f->inl ? " (inline)" : "", f->file, f->line);
		}
		if (g->elided && g->elided_at >= g->nf) {
			if (g->elided_frames)
				printf("    ...%" PRId64 " frames elided...\n", g->elided_frames);
			else
				printf("    ...additional frames elided...\n");
		}
		if (*g->creator) {
			printf("    created by %s\n", g->creator);
			if (*g->creator_file)
				printf("        %s:%" PRId64 "\n", g->creator_file,
				       g->creator_line);
		}
	}
}

/* The series of --since and how each goroutine of s has lived in it: the
 * series holds snapshot @ID of "--since @ID", or the dump itself when it
 * is stored (path "@N"), for "--since DURATION". Returns -1, or the exit
 * status after printing the error. */
static int since_open(struct cli *c, const char *path, const struct gg_set *s,
		      struct since *sn)
{
	int64_t cur = 0, since = 0, dur = 0;
	query_snapshot_ref(path, &cur);
	bool byid = query_snapshot_ref(c->since, &since);
	if (!byid && !cli_parse_duration(c->since, &dur)) {
		cli_err("goroutines", "bad --since \"%s\" (@ID, or 90s, 30m, 12h, 7d)", c->since);
		return EXIT_USAGE;
	}
	if (!byid && !cur) {
		cli_err("goroutines", "--since %s needs a stored dump (@ID) to count back from; "
				      "give --since @ID for a file", c->since);
		return EXIT_USAGE;
	}
	if (!s->has_ids) {
		cli_err(path, "a goroutine profile has no goroutine ids to follow: --since needs "
			      "a dump (debug=2)");
		return EXIT_USAGE;
	}
	struct store *st = cli_store_open(c, false);
	if (!st)
		return EXIT_BAD;
	struct store_list l;
	struct mt_err e = {{0}};
	struct store_series *sv = NULL;
	size_t nsv = 0;
	int rc = EXIT_BAD;
	if (store_list(st, &l, &e)) {
		cli_err(c->q.db, "%s", e.msg);
		store_close(st);
		return EXIT_BAD;
	}
	store_series_group(&l, NULL, NULL, &sv, &nsv);
	const struct store_series *se = store_series_of(sv, nsv, byid ? since : cur);
	const struct store_series *cs = cur ? store_series_of(sv, nsv, cur) : se;
	if (!se) {
		cli_err(c->since, "no such snapshot in %s", store_path(st));
		goto out;
	}
	if (cs != se) {
		cli_err("goroutines", "%s and @%" PRId64 " are not of one series", path, since);
		rc = EXIT_USAGE;
		goto out;
	}
	if (strcmp(se->kind, "goroutine-dump") != 0) {
		cli_err(c->since, "is a %s snapshot, not a goroutine dump", se->kind);
		rc = EXIT_USAGE;
		goto out;
	}
	struct gs_opts o = {.cur = s, .cur_id = cur, .lifetimes_only = true};
	if (gs_build(&sn->gs, st, se, &o, &e)) {
		cli_err(c->q.db, "%s", e.msg);
		goto out;
	}
	sn->on = true;
	if (!byid) {
		/* The first dump within DURATION before this one. */
		int64_t t0 = sn->gs.times[sn->gs.nsnap - 1] - dur;
		for (sn->idx = 0; sn->idx + 1 < sn->gs.nsnap && sn->gs.times[sn->idx] < t0;)
			sn->idx++;
	} else {
		sn->idx = SIZE_MAX;
		for (size_t i = 0; i < sn->gs.nsnap; i++)
			if (sn->gs.ids[i] == since)
				sn->idx = i;
		if (sn->idx == SIZE_MAX || sn->idx > sn->gs.cur_index) {
			cli_err(c->since, "was captured after %s", path);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	rc = -1;
out:
	store_series_free(sv, nsv);
	store_list_done(&l);
	store_close(st);
	return rc;
}

int cmd_goroutines(struct cli *c)
{
	if (c->nargs != 1) {
		cli_err("goroutines", "expects one goroutine dump (try memtop --help)");
		return EXIT_USAGE;
	}
	const char *path = c->args[0];
	struct mt_regex *state = NULL, *focus = NULL;
	if (!compile(&state, c->state) || !compile(&focus, c->q.filter[MT_FILTER_FOCUS])) {
		mt_regex_free(state);
		return EXIT_USAGE;
	}
	int rc = EXIT_BAD;
	uint32_t *sel = NULL;
	struct since sn = {0};
	struct gg_set s;
	gg_init(&s);
	struct mt_err e = {{0}};
	/* From a service or a goroutine URL, the dump (debug=2) is asked for. */
	if (query_is_url(path))
		c->q.service_kind = "goroutine-dump";
	struct profile *p = cli_load(c, path);
	if (!p)
		goto out;
	gg_done(&s);
	if (gg_build(&s, p, &e)) {
		cli_err(path, "%s", e.msg);
		goto out;
	}
	if (c->since) {
		int r = since_open(c, path, &s, &sn);
		if (r >= 0) {
			rc = r;
			goto out;
		}
	}
	if (s.incomplete)
		cli_err(path,
			"warning: %zu incomplete goroutine%s at the end ignored "
			"(at byte %zu)",
			s.incomplete, s.incomplete == 1 ? "" : "s", s.incomplete_at);

	sel = xmalloc((s.groups.n + 1) * sizeof *sel);
	size_t nsel = 0;
	int64_t total = 0;
	for (size_t k = 0; k < s.groups.n; k++) {
		if (!keep(&s, &s.groups.v[k], state, focus))
			continue;
		sel[nsel++] = (uint32_t)k;
		total += s.groups.v[k].count;
	}
	size_t shown = nsel;
	if (c->q.nodecount > 0 && (size_t)c->q.nodecount < nsel)
		shown = (size_t)c->q.nodecount;
	if (c->format == CLI_JSON)
		print_json(&s, sel, shown, total, &sn);
	else
		print_text(&s, sel, shown, nsel, total, &sn);
	rc = EXIT_OK;
out:
	if (sn.on)
		gs_done(&sn.gs);
	free(sel);
	gg_done(&s);
	profile_free(p);
	mt_regex_free(state);
	mt_regex_free(focus);
	return rc;
}
