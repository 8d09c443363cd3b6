/* cmd_diff.c - `memtop diff BASE NEW`: per function base, new, delta and
 * delta%, side by side, as text or JSON; for two goroutine dumps, their
 * goroutine groups (report/ggroup.h): only in the base, only in the new,
 * in both, with counts and the goroutines both hold. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/regex.h"
#include "profile/merge.h"
#include "base/sat.h"
#include "report/diff.h"
#include "report/ggroup.h"
#include "base/units.h"
#include "cli.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

/* delta as a percentage of ref: "+12.50%", "new", "-100%". */
static void delta_pct(char *buf, size_t n, int64_t delta, int64_t ref, bool is_new)
{
	if (delta == 0)
		snprintf(buf, n, "0%%");
	else if (ref == 0)
		snprintf(buf, n, is_new ? "new" : "inf");
	else
		snprintf(buf, n, "%+.2f%%", 100.0 * (double)delta / (double)mt_sat_abs(ref));
}

/* Where a row of the goroutine diff is: "both", "new" or "base". */
static const char *gdiff_where(const struct gg_diff_row *r)
{
	return r->base == MT_NONE ? "new" : r->new_ == MT_NONE ? "base" : "both";
}

/* The group of row r (the new side's when it has one) and its set. */
static const struct gg_group *gdiff_group(const struct gg_diff_row *r, const struct gg_set *b,
					  const struct gg_set *n, const struct gg_set **s)
{
	*s = r->new_ != MT_NONE ? n : b;
	return r->new_ != MT_NONE ? &n->groups.v[r->new_] : &b->groups.v[r->base];
}

/* Two goroutine dumps: their groups joined by state, stack and creator. */
static int goroutine_diff(struct cli *c, const char *bpath, const struct profile *bp,
			  const char *npath, const struct profile *np)
{
	struct gg_set b, n;
	struct mt_err e = {{0}};
	struct mt_regex *state = NULL, *focus = NULL;
	const char *fpat = c->q.filter[MT_FILTER_FOCUS];
	if ((c->state && mt_regex_compile(&state, c->state, false, &e)) ||
	    (fpat && *fpat && mt_regex_compile(&focus, fpat, false, &e))) {
		cli_err("", "%s", e.msg);
		mt_regex_free(state);
		return EXIT_USAGE;
	}
	gg_build(&b, bp, &e);
	gg_build(&n, np, &e);
	struct gg_diff d;
	gg_diff_build(&d, &b, &n);
	size_t shown = 0;
	uint32_t *sel = xmalloc((d.rows.n + 1) * sizeof *sel);
	for (size_t i = 0; i < d.rows.n; i++) {
		const struct gg_set *s;
		const struct gg_group *g = gdiff_group(&d.rows.v[i], &b, &n, &s);
		if (state && !mt_regex_match(state, g->state, strlen(g->state)))
			continue;
		if (focus && !gg_match(s, g, focus))
			continue;
		sel[shown++] = (uint32_t)i;
	}
	size_t rows = shown;
	if (c->q.nodecount > 0 && (size_t)c->q.nodecount < rows)
		rows = (size_t)c->q.nodecount;
	if (c->format == CLI_JSON) {
		printf("{\"base_total\": %" PRId64 ", \"new_total\": %" PRId64
		       ", \"only_base\": %zu, \"only_new\": %zu, \"both\": %zu, \"groups\": [",
		       d.base_total, d.new_total, d.only_base, d.only_new, d.both);
		for (size_t k = 0; k < rows; k++) {
			const struct gg_diff_row *r = &d.rows.v[sel[k]];
			const struct gg_set *s;
			const struct gg_group *g = gdiff_group(r, &b, &n, &s);
			printf("%s\n  {\"in\": \"%s\", \"name\": ", k ? "," : "", gdiff_where(r));
			mt_json_str(stdout, gg_name(s, g));
			printf(", \"state\": ");
			mt_json_str(stdout, g->state);
			printf(", \"created_by\": ");
			mt_json_str(stdout, g->creator);
			printf(", \"base\": %" PRId64 ", \"new\": %" PRId64 ", \"kept\": %" PRId64
			       ", \"frames\": [",
			       r->base_count, r->new_count, r->kept);
			for (uint32_t f = 0; f < g->nf; f++) {
				if (f)
					printf(", ");
				mt_json_str(stdout, s->frames.v[g->f0 + f].func);
			}
			printf("]}");
		}
		printf("%s]}\n", rows ? "\n" : "");
	} else {
		int64_t dt = d.new_total - d.base_total;
		printf("Type: goroutine groups (state, stack, creator)\n");
		printf("Base: %s, %" PRId64 " goroutines\n", base_name(bpath), d.base_total);
		printf("New:  %s, %" PRId64 " goroutines (%s%" PRId64 ")\n", base_name(npath),
		       d.new_total, dt > 0 ? "+" : "", dt);
		printf("%zu group%s in both, %zu only in the new, %zu only in the base\n", d.both,
		       d.both == 1 ? "" : "s", d.only_new, d.only_base);
		if (rows < shown)
			printf("Showing top %zu of %zu groups by growth\n", rows, shown);
		printf("%8s %8s %8s %6s  %-4s  %s\n", "base", "new", "delta", "kept", "in",
		       "group (kept: the same goroutine ids in both)");
		for (size_t k = 0; k < rows; k++) {
			const struct gg_diff_row *r = &d.rows.v[sel[k]];
			const struct gg_set *s;
			const struct gg_group *g = gdiff_group(r, &b, &n, &s);
			char kept[24] = "-", delta[24];
			if (r->base != MT_NONE && r->new_ != MT_NONE && n.has_ids)
				snprintf(kept, sizeof kept, "%" PRId64, r->kept);
			snprintf(delta, sizeof delta, "%+" PRId64, r->new_count - r->base_count);
			printf("%8" PRId64 " %8" PRId64 " %8s %6s  %-4s  %s", r->base_count, r->new_count,
			       delta, kept, gdiff_where(r), gg_name(s, g));
			if (*g->state)
				printf(" in %s", g->state);
			if (*g->creator)
				printf(", created by %s", g->creator);
			putchar('\n');
		}
	}
	free(sel);
	gg_diff_done(&d);
	gg_done(&b);
	gg_done(&n);
	mt_regex_free(state);
	mt_regex_free(focus);
	return EXIT_OK;
}

int cmd_diff(struct cli *c)
{
	if (c->nargs != 2) {
		cli_err("diff", "expects a base and a new profile (try memtop --help)");
		return EXIT_USAGE;
	}
	const char *bpath = c->args[0], *npath = c->args[1];
	struct profile *bp = cli_load(c, bpath);
	if (!bp)
		return EXIT_BAD;
	struct profile *np = cli_load(c, npath);
	if (!np) {
		profile_free(bp);
		return EXIT_BAD;
	}
	if (bp->format == MT_FMT_GOROUTINE_DUMP && np->format == MT_FMT_GOROUTINE_DUMP) {
		int grc = goroutine_diff(c, bpath, bp, npath, np);
		profile_free(bp);
		profile_free(np);
		return grc;
	}
	int rc = EXIT_BAD;
	struct mt_report br = {0}, nr = {0};
	struct mt_diff d = {0};
	int64_t *vals = NULL;
	if (bp->sample_types.n != np->sample_types.n) {
		cli_err(npath, "has other sample types than %s", bpath);
		goto out;
	}
	if (c->q.normalize)
		profile_normalize(np, bp);
	if ((rc = cli_report_open(c, bp, bpath, &br)) != EXIT_OK)
		goto out;
	if ((rc = cli_report_open(c, np, npath, &nr)) != EXIT_OK)
		goto out;
	mt_diff_build(&d, &br.nodes, &br.top, &nr.nodes, &nr.top);
	mt_diff_sort(&d, c->q.cum ? MT_DIFF_CUM : MT_DIFF_GROWTH);
	size_t rows = d.n;
	if (c->q.nodecount > 0 && (size_t)c->q.nodecount < rows)
		rows = (size_t)c->q.nodecount;

	const struct mt_value_type *vt = &np->sample_types.v[nr.index];
	const char *stype = profile_str(np, vt->type), *sunit = profile_str(np, vt->unit);
	if (c->format == CLI_JSON) {
		printf("{\"sample_type\": ");
		mt_json_str(stdout, stype);
		printf(", \"unit\": ");
		mt_json_str(stdout, sunit);
		printf(", \"base_total\": %" PRId64 ", \"new_total\": %" PRId64 ", \"rows\": [",
		       d.base_total, d.new_total);
		for (size_t i = 0; i < rows; i++) {
			const struct mt_diff_row *r = &d.rows[i];
			printf("%s\n  {\"name\": ", i ? "," : "");
			mt_json_str(stdout, strtab_get(&d.names, r->name));
			printf(", \"base_flat\": %" PRId64 ", \"new_flat\": %" PRId64
			       ", \"base_cum\": %" PRId64 ", \"new_cum\": %" PRId64 "}",
			       r->base_flat, r->new_flat, r->base_cum, r->new_cum);
		}
		printf("%s]}\n", rows ? "\n" : "");
		rc = EXIT_OK;
		goto out;
	}

	const char *unit = c->q.unit ? c->q.unit : "minimum";
	if (strcmp(unit, "minimum") == 0) {
		vals = xmalloc((rows * 3 + 1) * sizeof *vals);
		size_t k = 0;
		for (size_t i = 0; i < rows; i++) {
			vals[k++] = d.rows[i].base_flat;
			vals[k++] = d.rows[i].new_flat;
			vals[k++] = mt_sat_sub(d.rows[i].new_flat, d.rows[i].base_flat);
		}
		int64_t big = d.base_total > d.new_total ? d.base_total : d.new_total;
		unit = mt_select_unit(vals, k, big, sunit);
	}
	char a[64], b[64], dl[80], pc[32];
	int64_t dt = mt_sat_sub(d.new_total, d.base_total);
	printf("Type: %s\n", stype);
	mt_scaled_label(a, sizeof a, d.base_total, sunit, unit);
	printf("Base: %s, total %s\n", base_name(bpath), a);
	mt_scaled_label(a, sizeof a, d.new_total, sunit, unit);
	mt_scaled_label(dl, sizeof dl, dt, sunit, unit);
	delta_pct(pc, sizeof pc, dt, d.base_total, false);
	printf("New:  %s, total %s (%s%s, %s)%s\n", base_name(npath), a, dt > 0 ? "+" : "",
	       dl, pc, c->q.normalize ? ", normalized to the base" : "");
	if (rows < d.n)
		printf("Showing top %zu of %zu functions by %s\n", rows, d.n,
		       c->q.cum ? "cum growth" : "flat growth");
	const char *what = c->q.cum ? "cum" : "flat";
	printf("%10s %10s %10s %8s  name (%s%s)\n", "base", "new", "delta", "delta%", what,
	       c->q.diff_base ? ", % of base total" : "");
	for (size_t i = 0; i < rows; i++) {
		const struct mt_diff_row *r = &d.rows[i];
		int64_t bv = c->q.cum ? r->base_cum : r->base_flat;
		int64_t nv = c->q.cum ? r->new_cum : r->new_flat;
		mt_scaled_label(a, sizeof a, bv, sunit, unit);
		mt_scaled_label(b, sizeof b, nv, sunit, unit);
		char sd[64];
		int64_t dv = mt_sat_sub(nv, bv);
		mt_scaled_label(sd, sizeof sd, dv, sunit, unit);
		snprintf(dl, sizeof dl, "%s%s", dv > 0 ? "+" : "", sd);
		delta_pct(pc, sizeof pc, dv, c->q.diff_base ? d.base_total : bv, bv == 0);
		printf("%10s %10s %10s %8s  %s\n", a, b, dl, pc, strtab_get(&d.names, r->name));
	}
	rc = EXIT_OK;
out:
	free(vals);
	mt_diff_done(&d);
	cli_report_close(&br);
	cli_report_close(&nr);
	profile_free(bp);
	profile_free(np);
	return rc;
}
