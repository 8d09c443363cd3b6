/* cmd_list.c - `memtop list REGEX PROFILE`: annotated source of the matching
 * functions, as pprof's -list prints it (or as JSON). */
#include <stdlib.h>
#include <string.h>

#include "report/source.h"
#include "base/units.h"
#include "cli.h"

/* pprof's valueOrDot: zero is ".", anything else a scaled label. */
static const char *dot(char *buf, size_t n, int64_t v, const char *sunit,
		       const char *unit)
{
	if (!v)
		return ".";
	mt_scaled_label(buf, n, v, sunit, unit);
	return buf;
}

static void print_text(const struct mt_source *s, const char *sunit, const char *unit)
{
	char a[64], b[64], pc[16];
	mt_scaled_label(a, sizeof a, s->total, sunit, unit);
	printf("Total: %s\n", a);
	for (size_t i = 0; i < s->routines.n; i++) {
		const struct mt_source_routine *r = &s->routines.v[i];
		if (!r->file) {
			printf("No source information for %s\n", r->name);
			continue;
		}
		printf("ROUTINE ======================== %s in %s\n", r->name, r->file);
		mt_scaled_label(a, sizeof a, r->flat, sunit, unit);
		mt_scaled_label(b, sizeof b, r->cum, sunit, unit);
		mt_percentage(pc, sizeof pc, r->cum, s->total);
		printf("%10s %10s (flat, cum) %s of Total\n", a, b, pc);
		if (r->error) {
			printf(" Error: %s\n", r->error);
			continue;
		}
		for (size_t k = 0; k < r->nlines; k++) {
			const struct mt_source_line *l = &s->lines.v[r->line0 + k];
			printf("%10s %10s %6lld:", dot(a, sizeof a, l->flat, sunit, unit),
			       dot(b, sizeof b, l->cum, sunit, unit), (long long)l->lineno);
			fwrite(l->text, 1, l->len, stdout);
			putchar('\n');
		}
	}
}

/* JSON: exact integers; the text of a line as a JSON string. */
static void print_json(const struct mt_source *s, const char *stype, const char *sunit)
{
	printf("{\"sample_type\": ");
	mt_json_str(stdout, stype);
	printf(", \"unit\": ");
	mt_json_str(stdout, sunit);
	printf(", \"total\": %lld, \"routines\": [", (long long)s->total);
	for (size_t i = 0; i < s->routines.n; i++) {
		const struct mt_source_routine *r = &s->routines.v[i];
		printf("%s{\"name\": ", i ? ", " : "");
		mt_json_str(stdout, r->name);
		printf(", \"file\": ");
		if (r->file)
			mt_json_str(stdout, r->file);
		else
			printf("null");
		printf(", \"flat\": %lld, \"cum\": %lld", (long long)r->flat, (long long)r->cum);
		if (r->error) {
			printf(", \"error\": ");
			mt_json_str(stdout, r->error);
		}
		printf(", \"lines\": [");
		for (size_t k = 0; k < r->nlines; k++) {
			const struct mt_source_line *l = &s->lines.v[r->line0 + k];
			char *t = xstrndup(l->text, l->len);
			printf("%s{\"line\": %lld, \"flat\": %lld, \"cum\": %lld, \"text\": ",
			       k ? ", " : "", (long long)l->lineno, (long long)l->flat,
			       (long long)l->cum);
			mt_json_str(stdout, t);
			putchar('}');
			free(t);
		}
		printf("]}");
	}
	printf("]}\n");
}

int cmd_list(struct cli *c)
{
	if (c->nargs != 2) {
		cli_err("list", "expects a regular expression and a profile");
		return EXIT_USAGE;
	}
	const char *symbol = c->args[0], *path = c->args[1];
	struct mt_regex *sym = NULL;
	struct mt_err e;
	if (mt_regex_compile(&sym, symbol, false, &e)) {
		cli_err("list", "%s", e.msg);
		return EXIT_USAGE;
	}
	struct profile *p = cli_load_compared(c, path);
	if (!p) {
		mt_regex_free(sym);
		return EXIT_BAD;
	}
	/* pprof's list always works on lines, whatever -granularity says. */
	c->q.gran = MT_GRAN_LINES;
	struct mt_report rep;
	int rc = cli_report_open(c, p, path, &rep);
	if (rc != EXIT_OK) {
		mt_regex_free(sym);
		profile_free(p);
		return rc;
	}
	struct mt_source_opts o = {.search_path = c->source_path, .trim_path = c->trim_path};
	struct mt_source s;
	mt_source_build(&s, &rep.nodes, &rep.top, sym, NULL, &o, &e);
	const struct mt_value_type *vt = &p->sample_types.v[rep.index];
	const char *stype = profile_str(p, vt->type), *sunit = profile_str(p, vt->unit);
	if (!s.routines.n) {
		cli_err(path, "no matches found for regexp: %s", symbol);
		rc = EXIT_BAD;
	} else if (c->format == CLI_JSON) {
		print_json(&s, stype, sunit);
	} else {
		print_text(&s, sunit, c->q.unit ? c->q.unit : "minimum");
	}
	mt_source_done(&s);
	cli_report_close(&rep);
	profile_free(p);
	mt_regex_free(sym);
	return rc;
}
