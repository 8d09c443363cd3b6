/* cmd_tree.c - `memtop tree PROFILE` and `memtop peek REGEX PROFILE`:
 * callers and callees of each function in pprof's -tree / -peek text. */
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "report/graph.h"
#include "profile/merge.h"
#include "base/units.h"
#include "cli.h"

static int tree(struct cli *c, const char *path, const char *symbol)
{
	struct mt_regex *sym = NULL;
	struct mt_err e;
	if (symbol && mt_regex_compile(&sym, symbol, false, &e)) {
		cli_err("peek", "%s", e.msg);
		return EXIT_USAGE;
	}
	struct profile *p = cli_load_compared(c, path);
	if (!p) {
		mt_regex_free(sym);
		return EXIT_BAD;
	}
	struct mt_report rep;
	int rc = cli_report_open(c, p, path, &rep);
	if (rc != EXIT_OK) {
		mt_regex_free(sym);
		profile_free(p);
		return rc;
	}
	struct mt_top *t = &rep.top;
	mt_top_sort(t, &rep.nodes, c->q.cum ? MT_SORT_CUM : MT_SORT_FLAT);
	struct mt_graph g;
	mt_graph_build(&g, &rep.nodes);
	/* pprof trims light edges for -tree (edgefraction 0.001 of the flat
	 * sum); -peek shows them all (but none of weight 0). */
	int64_t cut = symbol ? 0 : mt_sat_abs(mt_sat_from_double((double)t->flat_sum * 0.001));
	mt_graph_trim(&g, rep.index, cut);
	mt_graph_sort(&g, &rep.nodes, rep.index);
	size_t rows = t->n;
	if (c->q.nodecount > 0 && (size_t)c->q.nodecount < rows)
		rows = (size_t)c->q.nodecount;

	const struct mt_value_type *vt = &p->sample_types.v[rep.index];
	const char *stype = profile_str(p, vt->type), *sunit = profile_str(p, vt->unit);
	const char *unit = c->q.unit ? c->q.unit : "minimum";
	int64_t *mins = NULL;
	if (!strcmp(unit, "minimum") && rows) {
		mins = xmalloc(rows * sizeof *mins);
		for (size_t i = 0; i < rows; i++)
			mins[i] = t->rows[i].flat ? t->rows[i].flat : t->rows[i].cum;
		unit = mt_select_unit(mins, rows, t->total, sunit);
	}
	cli_print_header(stdout, c, p, stype, sunit, unit, t->total);
	char a[64], b[64], pc[16], pc2[16], pc3[16];
	int64_t shown = 0;
	for (size_t i = 0; i < rows; i++)
		shown = mt_sat_add(shown, t->rows[i].flat);
	mt_scaled_label(a, sizeof a, shown, sunit, unit);
	mt_scaled_label(b, sizeof b, t->total, sunit, unit);
	mt_percentage(pc, sizeof pc, shown, t->total);
	printf("Showing nodes accounting for %s, %s of %s total\n", a, pc + strspn(pc, " "), b);
	if (rows < t->n && t->total)
		printf("Showing top %zu nodes out of %zu\n", rows, t->n);
	const char *sep = "----------------------------------------------------------+-------------";
	printf("%s\n      flat  flat%%   sum%%        cum   cum%%   calls calls%% + context \t \t \n",
	       sep);
	int64_t flat_sum = 0;
	size_t matched = 0;
	for (size_t i = 0; i < rows; i++) {
		const struct mt_top_row *r = &t->rows[i];
		const char *name = mt_node_name(&rep.nodes, r->node);
		if (sym && !mt_regex_match(sym, name, strlen(name)))
			continue;
		matched++;
		printf("%s\n", sep);
		for (uint32_t k = g.in0[r->node]; k < g.in0[r->node + 1]; k++) {
			const struct mt_edge *ed = &g.e[g.in[k]];
			int64_t ew = mt_edge_weight(&g, g.in[k], rep.index);
			mt_scaled_label(a, sizeof a, ew, sunit, unit);
			mt_percentage(pc, sizeof pc, ew, r->cum);
			printf("%50s %s |   %s%s\n", a, pc, mt_node_name(&rep.nodes, ed->src),
			       mt_edge_inline(&g, g.in[k], rep.index) ? " (inline)" : "");
		}
		flat_sum = mt_sat_add(flat_sum, r->flat);
		mt_scaled_label(a, sizeof a, r->flat, sunit, unit);
		mt_scaled_label(b, sizeof b, r->cum, sunit, unit);
		mt_percentage(pc, sizeof pc, r->flat, t->total);
		mt_percentage(pc2, sizeof pc2, flat_sum, t->total);
		mt_percentage(pc3, sizeof pc3, r->cum, t->total);
		printf("%10s %s %s %10s %s                | %s\n", a, pc, pc2, b, pc3, name);
		for (uint32_t k = g.out0[r->node]; k < g.out0[r->node + 1]; k++) {
			const struct mt_edge *ed = &g.e[g.out[k]];
			int64_t ew = mt_edge_weight(&g, g.out[k], rep.index);
			mt_scaled_label(a, sizeof a, ew, sunit, unit);
			mt_percentage(pc, sizeof pc, ew, r->cum);
			printf("%50s %s |   %s%s\n", a, pc, mt_node_name(&rep.nodes, ed->dst),
			       mt_edge_inline(&g, g.out[k], rep.index) ? " (inline)" : "");
		}
	}
	if (rows)
		printf("%s\n", sep);
	if (sym && !matched) {
		cli_err(path, "no matches found for regexp: %s", symbol);
		rc = EXIT_BAD;
	}
	free(mins);
	mt_graph_done(&g);
	cli_report_close(&rep);
	profile_free(p);
	mt_regex_free(sym);
	return rc;
}

int cmd_tree(struct cli *c)
{
	if (c->nargs != 1) {
		cli_err("tree", "expects one profile (try memtop --help)");
		return EXIT_USAGE;
	}
	return tree(c, c->args[0], NULL);
}

int cmd_peek(struct cli *c)
{
	if (c->nargs != 2) {
		cli_err("peek", "expects a regular expression and a profile");
		return EXIT_USAGE;
	}
	return tree(c, c->args[1], c->args[0]);
}

/* `memtop traces PROFILE`: every sample with its labels, value and stack,
 * in pprof's -traces format. */
int cmd_traces(struct cli *c)
{
	if (c->nargs != 1) {
		cli_err("traces", "expects one profile (try memtop --help)");
		return EXIT_USAGE;
	}
	const char *path = c->args[0];
	struct profile *p = cli_load_compared(c, path);
	if (!p)
		return EXIT_BAD;
	/* pprof merges every profile it loads, which folds samples with the
	 * same stack and labels into one; traces shows samples, so do too. */
	if (!c->q.base && !c->q.diff_base) {
		struct profile *merged = NULL;
		int one = 1;
		struct mt_err e;
		if (profile_merge(&p, &one, NULL, 1, &merged, &e) == MT_OK) {
			profile_free(p);
			p = merged;
		}
	}
	struct mt_report rep;
	int rc = cli_report_open(c, p, path, &rep);
	if (rc != EXIT_OK) {
		profile_free(p);
		return rc;
	}
	const struct mt_value_type *vt = &p->sample_types.v[rep.index];
	const char *stype = profile_str(p, vt->type), *sunit = profile_str(p, vt->unit);
	const char *unit = c->q.unit ? c->q.unit : "minimum";
	cli_print_header(stdout, c, p, stype, sunit, unit, rep.top.total);
	const char *sep = "-----------+-------------------------------------------------------";
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(&rep.nodes) + 1) * sizeof *fr);
	VEC(char *) labels = {0};
	for (size_t s = 0; s < p->samples.n; s++) {
		size_t k = mt_nodes_frames(&rep.nodes, s, fr);
		if (k == 0)
			continue;
		printf("%s\n", sep);
		/* string labels, one line per key, sorted as pprof sorts them */
		const struct mt_sample *sm = &p->samples.v[s];
		labels.n = 0;
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *l = &p->labels.v[sm->label0 + j];
			if (l->is_num)
				continue;
			const char *key = profile_str(p, l->key);
			bool seen = false;
			for (uint32_t i = 0; i < j; i++) {
				const struct mt_label *o = &p->labels.v[sm->label0 + i];
				seen |= !o->is_num && o->key == l->key;
			}
			if (seen)
				continue;
			char *line = NULL;
			size_t len = 0;
			FILE *mf = open_memstream(&line, &len);
			fprintf(mf, "%10s: ", key);
			for (uint32_t i = j; i < sm->nlabel; i++) {
				const struct mt_label *o = &p->labels.v[sm->label0 + i];
				if (!o->is_num && o->key == l->key)
					fprintf(mf, " %s", profile_str(p, o->str));
			}
			fclose(mf);
			VEC_PUSH(labels, line);
		}
		for (size_t i = 1; i < labels.n; i++)
			for (size_t j = i; j > 0 && strcmp(labels.v[j - 1], labels.v[j]) > 0; j--) {
				char *x = labels.v[j];
				labels.v[j] = labels.v[j - 1];
				labels.v[j - 1] = x;
			}
		for (size_t i = 0; i < labels.n; i++) {
			printf("%s\n", labels.v[i]);
			free(labels.v[i]);
		}
		/* numeric labels, scaled by their unit (pprof guesses "bytes" for
		 * a key named bytes) */
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *l = &p->labels.v[sm->label0 + j];
			if (!l->is_num)
				continue;
			const char *key = profile_str(p, l->key);
			const char *u = l->unit ? profile_str(p, l->unit) : key;
			char nb[64];
			mt_scaled_label(nb, sizeof nb, l->num, u, "auto");
			printf("%10s:  %s\n", key, nb);
		}
		int64_t v = profile_values(p, s)[rep.index];
		if (c->q.mean) {
			int64_t d = profile_values(p, s)[0];
			if (d)
				v /= d;
		}
		char vb[64];
		mt_scaled_label(vb, sizeof vb, v, sunit, unit);
		for (size_t i = 0; i < k; i++)
			printf("%10s   %s%s\n", i == 0 ? vb : "", mt_node_name(&rep.nodes, fr[i].node),
			       fr[i].inl ? " (inline)" : "");
	}
	printf("%s\n", sep);
	free(labels.v);
	free(fr);
	cli_report_close(&rep);
	profile_free(p);
	return EXIT_OK;
}
