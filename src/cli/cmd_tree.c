/* cmd_tree.c - `memtop tree PROFILE`, `memtop peek REGEX PROFILE` and
 * `memtop traces PROFILE`: callers and callees of each function, and every
 * sample, in pprof's -tree / -peek / -traces text or as JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/sat.h"
#include "report/graph.h"
#include "profile/tags.h"
#include "profile/merge.h"
#include "base/units.h"
#include "cli.h"

/* One caller or callee line of a node: pprof's "%50s %s |   name". */
static void print_edge(const struct mt_report *rep, const struct mt_graph *g, uint32_t e,
		       bool caller, int64_t cum, const char *sunit, const char *unit)
{
	char a[64], pc[16];
	int64_t w = mt_edge_weight(g, e, rep->index);
	mt_scaled_label(a, sizeof a, w, sunit, unit);
	mt_percentage(pc, sizeof pc, w, cum);
	printf("%50s %s |   %s%s\n", a, pc,
	       mt_node_name(&rep->nodes, caller ? g->e[e].src : g->e[e].dst),
	       mt_edge_inline(g, e, rep->index) ? " (inline)" : "");
}

/* A node's callers or callees as a JSON array. */
static void json_edges(const struct mt_report *rep, const struct mt_graph *g, uint32_t node,
		       bool callers)
{
	const uint32_t *ids = callers ? g->in : g->out, *at = callers ? g->in0 : g->out0;
	printf("[");
	for (uint32_t k = at[node]; k < at[node + 1]; k++) {
		uint32_t e = ids[k];
		printf("%s{\"name\": ", k > at[node] ? ", " : "");
		mt_json_str(stdout, mt_node_name(&rep->nodes, callers ? g->e[e].src : g->e[e].dst));
		printf(", \"weight\": %" PRId64 ", \"inline\": %s}", mt_edge_weight(g, e, rep->index),
		       mt_edge_inline(g, e, rep->index) ? "true" : "false");
	}
	printf("]");
}

/* pprof's -tree (symbol NULL) or -peek=symbol: the report's nodes, each
 * with its callers and callees in pprof's graph of the trimmed report. */
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
	/* pprof trims -tree by -nodefraction, -nodecount and light edges
	 * (edgefraction 0.001 of the flat sum); -peek is never trimmed. */
	if (symbol)
		mt_report_trim(&rep, 0, 0, c->q.cum);
	else
		mt_report_trim(&rep, c->q.nodefraction, c->q.nodecount, c->q.cum);
	struct mt_top *t = &rep.top;
	uint8_t *kept = mt_report_kept(&rep), *rows = mt_report_rows(&rep);
	struct mt_graph g;
	mt_graph_build_kept(&g, &rep.nodes, kept);
	mt_graph_trim(&g, rep.index, symbol ? 0 : mt_report_edge_cutoff(&rep, 0.001), rows);
	free(kept);
	free(rows);
	mt_graph_sort(&g, &rep.nodes, rep.index);

	const struct mt_value_type *vt = &p->sample_types.v[rep.index];
	char stype[256];
	cli_sample_type(c, p, rep.index, stype, sizeof stype);
	const char *sunit = profile_str(p, vt->unit);
	size_t matched = 0;
	for (size_t i = 0; sym && i < t->n; i++) {
		const char *name = mt_node_name(&rep.nodes, t->rows[i].node);
		matched += mt_regex_match(sym, name, strlen(name));
	}
	/* Without a match pprof prints no report, only the error. */
	bool none = sym && !matched;
	matched = 0;
	if (none) {
		cli_err(path, "no matches found for regexp: %s", symbol);
		rc = EXIT_BAD;
	} else if (c->format == CLI_JSON) {
		printf("{\"sample_type\": ");
		mt_json_str(stdout, stype);
		printf(", \"unit\": ");
		mt_json_str(stdout, sunit);
		printf(", \"total\": %" PRId64 ", \"nodes\": [", t->total);
		for (size_t i = 0; i < t->n; i++) {
			const struct mt_top_row *r = &t->rows[i];
			const char *name = mt_node_name(&rep.nodes, r->node);
			if (sym && !mt_regex_match(sym, name, strlen(name)))
				continue;
			printf("%s\n  {\"name\": ", matched++ ? "," : "");
			mt_json_str(stdout, name);
			printf(", \"flat\": %" PRId64 ", \"cum\": %" PRId64 ", \"callers\": ",
			       r->flat, r->cum);
			json_edges(&rep, &g, r->node, true);
			printf(", \"callees\": ");
			json_edges(&rep, &g, r->node, false);
			printf("}");
		}
		printf("%s]}\n", matched ? "\n" : "");
	} else {
		const char *unit = cli_report_unit(c, &rep);
		cli_print_header(stdout, c, p, stype, sunit, unit, t->total);
		cli_print_shown(stdout, &rep, sunit, unit);
		const char *sep =
			"----------------------------------------------------------+-------------";
		printf("%s\n      flat  flat%%   sum%%        cum   cum%%   calls calls%% + "
		       "context \t \t \n",
		       sep);
		int64_t flat_sum = 0;
		char a[64], b[64], pc[16], pc2[16], pc3[16];
		for (size_t i = 0; i < t->n; i++) {
			const struct mt_top_row *r = &t->rows[i];
			const char *name = mt_node_name(&rep.nodes, r->node);
			if (sym && !mt_regex_match(sym, name, strlen(name)))
				continue;
			matched++;
			printf("%s\n", sep);
			for (uint32_t k = g.in0[r->node]; k < g.in0[r->node + 1]; k++)
				print_edge(&rep, &g, g.in[k], true, r->cum, sunit, unit);
			flat_sum = mt_sat_add(flat_sum, r->flat);
			mt_scaled_label(a, sizeof a, r->flat, sunit, unit);
			mt_scaled_label(b, sizeof b, r->cum, sunit, unit);
			mt_percentage(pc, sizeof pc, r->flat, t->total);
			mt_percentage(pc2, sizeof pc2, flat_sum, t->total);
			mt_percentage(pc3, sizeof pc3, r->cum, t->total);
			printf("%10s %s %s %10s %s                | %s\n", a, pc, pc2, b, pc3, name);
			for (uint32_t k = g.out0[r->node]; k < g.out0[r->node + 1]; k++)
				print_edge(&rep, &g, g.out[k], false, r->cum, sunit, unit);
		}
		if (t->n)
			printf("%s\n", sep);
	}
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

/* One label key of a sample with all its values, as pprof groups them. */
struct trace_label {
	mt_str key;
	bool num;
	char *text; /* pprof's line: "%10s:  v1 v2" */
};

static int cmp_label_text(const void *a, const void *b)
{
	return strcmp(((const struct trace_label *)a)->text, ((const struct trace_label *)b)->text);
}

/* The labels of sample s that tagshow/taghide let through, one per key:
 * string keys first, then numeric ones, each sorted by pprof's printed
 * line. Returns how many; *out grows as needed. */
static size_t trace_labels(const struct mt_report *rep, size_t s, const char *const *units,
			   struct trace_label **out, size_t *cap)
{
	const struct profile *p = rep->p;
	const struct mt_sample *sm = &p->samples.v[s];
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		bool num = pass == 1;
		size_t first = n;
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *l = &p->labels.v[sm->label0 + j];
			if (l->is_num != num)
				continue;
			bool seen = false;
			for (uint32_t i = 0; i < j; i++) {
				const struct mt_label *o = &p->labels.v[sm->label0 + i];
				seen |= o->is_num == num && o->key == l->key;
			}
			const char *key = profile_str(p, l->key);
			if (seen || !mt_report_shows_label(rep, key))
				continue;
			char *line = NULL;
			size_t len = 0;
			FILE *mf = open_memstream(&line, &len);
			fprintf(mf, "%10s: ", key);
			for (uint32_t i = j; i < sm->nlabel; i++) {
				const struct mt_label *o = &p->labels.v[sm->label0 + i];
				if (o->is_num != num || o->key != l->key)
					continue;
				if (num) {
					char nb[64];
					const char *u = units && units[o->key] ? units[o->key] : key;
					mt_scaled_label(nb, sizeof nb, o->num, u, "auto");
					fprintf(mf, " %s", nb);
				} else {
					fprintf(mf, " %s", profile_str(p, o->str));
				}
			}
			fclose(mf);
			if (n == *cap)
				xgrow((void **)out, cap, n + 1, sizeof **out);
			(*out)[n++] = (struct trace_label){.key = l->key, .num = num, .text = line};
		}
		if (n > first)
			qsort(*out + first, n - first, sizeof **out, cmp_label_text);
	}
	return n;
}

/* A trace's labels as a JSON object: strings, and numbers in the label's
 * unit, each key with the list of its values. */
static void json_labels(const struct profile *p, size_t s, const struct trace_label *lb,
			size_t n)
{
	const struct mt_sample *sm = &p->samples.v[s];
	printf("{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			printf(", ");
		mt_json_str(stdout, profile_str(p, lb[i].key));
		printf(": [");
		bool first = true;
		for (uint32_t j = 0; j < sm->nlabel; j++) {
			const struct mt_label *o = &p->labels.v[sm->label0 + j];
			if (o->is_num != lb[i].num || o->key != lb[i].key)
				continue;
			if (!first)
				printf(", ");
			first = false;
			if (o->is_num)
				printf("%" PRId64, o->num);
			else
				mt_json_str(stdout, profile_str(p, o->str));
		}
		printf("]");
	}
	printf("}");
}

/* `memtop traces PROFILE`: every sample with its labels, value and stack,
 * in pprof's -traces format, or as JSON. */
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
		struct mt_err e;
		if (profile_copy(p, &merged, &e) == MT_OK) {
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
	char stype[256];
	cli_sample_type(c, p, rep.index, stype, sizeof stype);
	const char *sunit = profile_str(p, vt->unit);
	const char *unit = c->q.unit ? c->q.unit : "minimum";
	bool json = c->format == CLI_JSON;
	if (json) {
		printf("{\"sample_type\": ");
		mt_json_str(stdout, stype);
		printf(", \"unit\": ");
		mt_json_str(stdout, sunit);
		printf(", \"total\": %" PRId64 ", \"samples\": [", rep.top.total);
	} else {
		/* pprof's -traces shows the profile's labels, not the filters. */
		cli_print_profile_labels(stdout, p, stype, sunit, unit, rep.top.total);
	}
	const char *sep = "-----------+-------------------------------------------------------";
	struct mt_frame *fr = xmalloc((mt_nodes_max_frames(&rep.nodes) + 1) * sizeof *fr);
	const char **units = mt_label_units(p);
	struct trace_label *lb = NULL;
	size_t lcap = 0, shown = 0;
	for (size_t s = 0; s < p->samples.n; s++) {
		size_t k = mt_nodes_frames(&rep.nodes, s, fr);
		if (k == 0)
			continue;
		size_t nl = trace_labels(&rep, s, units, &lb, &lcap);
		int64_t v = profile_values(p, s)[rep.index];
		if (c->q.mean) {
			int64_t d = profile_values(p, s)[0];
			if (d)
				v /= d;
		}
		if (json) {
			printf("%s\n  {\"value\": %" PRId64 ", \"labels\": ", shown ? "," : "", v);
			json_labels(p, s, lb, nl);
			printf(", \"frames\": [");
			for (size_t i = 0; i < k; i++) {
				printf("%s{\"name\": ", i ? ", " : "");
				mt_json_str(stdout, mt_node_name(&rep.nodes, fr[i].node));
				printf(", \"inline\": %s}", fr[i].inl ? "true" : "false");
			}
			printf("]}");
		} else {
			printf("%s\n", sep);
			for (size_t i = 0; i < nl; i++)
				printf("%s\n", lb[i].text);
			char vb[64];
			mt_scaled_label(vb, sizeof vb, v, sunit, unit);
			for (size_t i = 0; i < k; i++)
				printf("%10s   %s%s\n", i == 0 ? vb : "",
				       mt_node_name(&rep.nodes, fr[i].node),
				       fr[i].inl ? " (inline)" : "");
		}
		for (size_t i = 0; i < nl; i++)
			free(lb[i].text);
		shown++;
	}
	if (json)
		printf("%s]}\n", shown ? "\n" : "");
	else
		printf("%s\n", sep);
	free(lb);
	free(units);
	free(fr);
	cli_report_close(&rep);
	profile_free(p);
	return EXIT_OK;
}
