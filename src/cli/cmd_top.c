/* cmd_top.c - `memtop top`: pprof's -top report as text or JSON. */
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/sat.h"
#include "profile/merge.h"
#include "report/top.h"
#include "base/units.h"
#include "cli.h"

int cmd_top(struct cli *c)
{
	if (c->nargs != 1) {
		cli_err("top", "expects one profile (try memtop --help)");
		return EXIT_USAGE;
	}
	const char *path = c->args[0];
	struct profile *p = cli_load_compared(c, path);
	if (!p)
		return EXIT_BAD;
	int rc = EXIT_BAD;
	int64_t *mins = NULL;
	struct cli_report rep;
	int st = cli_report_open(c, p, path, &rep);
	if (st != EXIT_OK) {
		profile_free(p);
		return st;
	}
	struct mt_nodes nodes = rep.nodes;
	struct mt_top top = rep.top;
	int index = rep.index;

	/* pprof drops nodes whose cum is at most nodefraction of the total
	 * (0 by default here, so nothing is hidden unless asked). */
	size_t orig = top.n, dropped = 0;
	int64_t cutoff = mt_sat_abs(mt_sat_from_double((double)top.total * c->nodefraction));
	if (cutoff > 0) {
		size_t k = 0;
		for (size_t i = 0; i < top.n; i++) {
			int64_t cum = mt_sat_abs(top.rows[i].cum);
			if (cum > cutoff)
				top.rows[k++] = top.rows[i];
		}
		dropped = top.n - k;
		top.n = k;
		orig = k;
	}
	mt_top_sort(&top, &nodes, c->cum ? MT_SORT_CUM : MT_SORT_FLAT);
	if (c->nodecount > 0 && (size_t)c->nodecount < top.n)
		top.n = (size_t)c->nodecount;
	int64_t flat_sum = 0;
	for (size_t i = 0; i < top.n; i++)
		flat_sum = mt_sat_add(flat_sum, top.rows[i].flat);

	const struct mt_value_type *vt = &p->sample_types.v[index];
	char mean_type[128];
	const char *stype = profile_str(p, vt->type);
	if (c->mean) {
		snprintf(mean_type, sizeof mean_type, "mean_%s", stype);
		stype = mean_type;
	}
	const char *sunit = profile_str(p, vt->unit);

	if (c->format == CLI_JSON) {
		printf("{\"sample_type\": ");
		cli_json_str(stdout, stype);
		printf(", \"unit\": ");
		cli_json_str(stdout, sunit);
		printf(", \"total\": %" PRId64 ", \"rows\": [", top.total);
		for (size_t i = 0; i < top.n; i++) {
			printf("%s\n  {\"name\": ", i ? "," : "");
			cli_json_str(stdout, mt_node_name(&nodes, top.rows[i].node));
			printf(", \"flat\": %" PRId64 ", \"cum\": %" PRId64 "}",
			       top.rows[i].flat, top.rows[i].cum);
		}
		printf("%s]}\n", top.n ? "\n" : "");
		rc = EXIT_OK;
		goto out;
	}

	const char *outunit = c->unit ? c->unit : "minimum";
	if (strcmp(outunit, "minimum") == 0 && top.n) {
		mins = xmalloc(top.n * sizeof *mins);
		for (size_t i = 0; i < top.n; i++)
			mins[i] = top.rows[i].flat ? top.rows[i].flat : top.rows[i].cum;
		outunit = mt_select_unit(mins, top.n, top.total, sunit);
	}
	mt_top_inline_labels(&top, &nodes, index, top.n, 0.001);
	cli_print_header(stdout, c, p, stype, sunit, outunit, top.total);
	char a[64], b[64], pc[16];
	mt_scaled_label(a, sizeof a, flat_sum, sunit, outunit);
	mt_scaled_label(b, sizeof b, top.total, sunit, outunit);
	mt_percentage(pc, sizeof pc, flat_sum, top.total);
	printf("Showing nodes accounting for %s, %s of %s total\n", a,
	       pc + strspn(pc, " "), b);
	if (top.total != 0) {
		if (dropped) {
			mt_scaled_label(a, sizeof a, cutoff, sunit, outunit);
			printf("Dropped %zu node%s (cum <= %s)\n", dropped,
			       dropped > 1 ? "s" : "", a);
		}
		if (top.n > 0 && top.n < orig)
			printf("Showing top %zu nodes out of %zu\n", top.n, orig);
	}
	printf("%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t sum = 0;
	for (size_t i = 0; i < top.n; i++) {
		const struct mt_top_row *r = &top.rows[i];
		char fl[64], cu[64], fp[16], sp[16], cp[16];
		sum = mt_sat_add(sum, r->flat);
		mt_scaled_label(fl, sizeof fl, r->flat, sunit, outunit);
		mt_scaled_label(cu, sizeof cu, r->cum, sunit, outunit);
		mt_percentage(fp, sizeof fp, r->flat, top.total);
		mt_percentage(sp, sizeof sp, sum, top.total);
		mt_percentage(cp, sizeof cp, r->cum, top.total);
		const char *inl = mt_top_inline_label(r);
		printf("%10s %s %s %10s %s  %s%s%s\n", fl, fp, sp, cu, cp,
		       mt_node_name(&nodes, r->node), *inl ? " " : "", inl);
	}
	rc = EXIT_OK;
out:
	free(mins);
	rep.top = top; /* rows may have been trimmed in place */
	cli_report_close(&rep);
	profile_free(p);
	return rc;
}
