/* cmd_diff.c - `memtop diff BASE NEW`: per function base, new, delta and
 * delta%, side by side, as text or JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "profile/merge.h"
#include "base/sat.h"
#include "report/diff.h"
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
