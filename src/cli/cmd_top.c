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
	struct mt_report rep;
	int st = cli_report_open(c, p, path, &rep);
	if (st != EXIT_OK) {
		profile_free(p);
		return st;
	}
	/* pprof drops nodes whose cum is under nodefraction of the flat sum
	 * (0 by default here, so nothing is hidden unless asked). */
	mt_report_trim(&rep, c->q.nodefraction, c->q.nodecount, c->q.cum);
	const struct mt_nodes *nodes = &rep.nodes;
	struct mt_top *tp = &rep.top;
	int index = rep.index;
	char stype[256];
	cli_sample_type(c, p, index, stype, sizeof stype);
	const char *sunit = profile_str(p, p->sample_types.v[index].unit);

	if (c->format == CLI_JSON) {
		printf("{\"sample_type\": ");
		mt_json_str(stdout, stype);
		printf(", \"unit\": ");
		mt_json_str(stdout, sunit);
		printf(", \"total\": %" PRId64 ", \"rows\": [", tp->total);
		for (size_t i = 0; i < tp->n; i++) {
			printf("%s\n  {\"name\": ", i ? "," : "");
			mt_json_str(stdout, mt_node_name(nodes, tp->rows[i].node));
			printf(", \"flat\": %" PRId64 ", \"cum\": %" PRId64 "}",
			       tp->rows[i].flat, tp->rows[i].cum);
		}
		printf("%s]}\n", tp->n ? "\n" : "");
		rc = EXIT_OK;
		goto out;
	}

	const char *outunit = cli_report_unit(c, &rep);
	mt_report_inline_labels(&rep);
	cli_print_header(stdout, c, p, stype, sunit, outunit, tp->total);
	cli_print_shown(stdout, &rep, sunit, outunit);
	printf("%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t sum = 0;
	for (size_t i = 0; i < tp->n; i++) {
		const struct mt_top_row *r = &tp->rows[i];
		char fl[64], cu[64], fp[16], sp[16], cp[16];
		sum = mt_sat_add(sum, r->flat);
		mt_scaled_label(fl, sizeof fl, r->flat, sunit, outunit);
		mt_scaled_label(cu, sizeof cu, r->cum, sunit, outunit);
		mt_percentage(fp, sizeof fp, r->flat, tp->total);
		mt_percentage(sp, sizeof sp, sum, tp->total);
		mt_percentage(cp, sizeof cp, r->cum, tp->total);
		const char *inl = mt_top_inline_label(r);
		printf("%10s %s %s %10s %s  %s%s%s\n", fl, fp, sp, cu, cp,
		       mt_node_name(nodes, r->node), *inl ? " " : "", inl);
	}
	rc = EXIT_OK;
out:
	cli_report_close(&rep);
	profile_free(p);
	return rc;
}
