/* cmd_fleet.c - the command line's side of profile stores (Pyroscope,
 * Parca: collect/fleet.h): `memtop ls STORE` lists what a store holds,
 * `memtop leaks REF` ranks a store's series, `collect --push STORE` feeds
 * one. Reading a store's profile is the query engine's (query_read). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "cli.h"
#include "collect/fleet.h"
#include "symbol/symbolize.h"

/* Parses ref, printing the error; false on failure. */
static bool parse_ref(const char *ref, struct fleet_ref *r)
{
	struct mt_err e = {{0}};
	if (fleet_parse(ref, timefmt_now(), r, &e)) {
		cli_err(ref, "%s", e.msg);
		return false;
	}
	return true;
}

/* A store's total: an integer as one, else %g (JSON-safe: no NaN). */
static void print_value(double v)
{
	if (!isfinite(v))
		printf("0");
	else if (fabs(v) < 9e15 && v == (double)(int64_t)v)
		printf("%lld", (long long)v);
	else
		printf("%.17g", v);
}

int cli_ls_store(struct cli *c, const char *ref)
{
	struct fleet_ref r;
	if (!parse_ref(ref, &r))
		return EXIT_USAGE;
	struct fleet_listing l;
	struct mt_err e = {{0}};
	if (fleet_list(&r, &c->q.fetch, &l, &e)) {
		cli_err(ref, "%s", e.msg);
		fleet_ref_done(&r);
		return EXIT_BAD;
	}
	if (c->format == CLI_JSON) {
		printf("{\"store\": \"%s\", \"url\": ", fleet_store_name(r.store));
		mt_json_str(stdout, r.base);
		printf(", \"profile_types\": [");
		for (size_t i = 0; i < l.types.n; i++) {
			printf("%s", i ? ", " : "");
			mt_json_str(stdout, l.types.v[i]);
		}
		printf("], \"labels\": {");
		for (size_t i = 0; i < l.labels.n; i++) {
			printf("%s\n  ", i ? "," : "");
			mt_json_str(stdout, l.labels.v[i].name);
			printf(": [");
			for (size_t k = 0; k < l.labels.v[i].values.n; k++) {
				printf("%s", k ? ", " : "");
				mt_json_str(stdout, l.labels.v[i].values.v[k]);
			}
			printf("]");
		}
		printf("%s}, \"series\": [", l.labels.n ? "\n" : "");
		for (size_t i = 0; i < l.series.n; i++) {
			const struct fleet_series *x = &l.series.v[i];
			printf("%s\n  {\"labels\": {", i ? "," : "");
			for (size_t k = 0; k < x->names.n; k++) {
				printf("%s", k ? ", " : "");
				mt_json_str(stdout, x->names.v[k]);
				printf(": ");
				mt_json_str(stdout, x->values.v[k]);
			}
			printf("}, \"points\": [");
			for (size_t k = 0; k < x->points.n; k++) {
				char tb[48];
				timefmt_rfc3339(x->points.v[k].time_ns, tb, sizeof tb);
				printf("%s{\"time\": \"%s\", \"value\": ",
				       k ? ", " : "", tb);
				print_value(x->points.v[k].value);
				printf("}");
			}
			printf("]}");
		}
		printf("%s]}\n", l.series.n ? "\n" : "");
	} else {
		printf("%s at %s\n\nProfile types (%zu):\n", fleet_store_name(r.store),
		       r.base, l.types.n);
		for (size_t i = 0; i < l.types.n; i++)
			printf("  %s\n", l.types.v[i]);
		printf("\nLabels (%zu):\n", l.labels.n);
		for (size_t i = 0; i < l.labels.n; i++) {
			printf("  %s:", l.labels.v[i].name);
			for (size_t k = 0; k < l.labels.v[i].values.n; k++)
				printf("%s%s", k ? ", " : " ",
				       l.labels.v[i].values.v[k]);
			printf("\n");
		}
		if (*r.type && r.has_from)
			printf("\nSeries of %s (%zu), the total of each %.0f s:\n",
			       r.type, l.series.n,
			       (double)(r.step_ns ? r.step_ns : r.window_ns) / 1e9);
		for (size_t i = 0; i < l.series.n; i++) {
			const struct fleet_series *x = &l.series.v[i];
			printf("  {");
			for (size_t k = 0; k < x->names.n; k++)
				printf("%s%s=\"%s\"", k ? ", " : "", x->names.v[k],
				       x->values.v[k]);
			printf("}\n");
			for (size_t k = 0; k < x->points.n; k++) {
				char tb[48];
				timefmt_rfc3339(x->points.v[k].time_ns, tb, sizeof tb);
				printf("    %s  ", tb);
				print_value(x->points.v[k].value);
				printf("\n");
			}
		}
	}
	fleet_listing_done(&l);
	fleet_ref_done(&r);
	return EXIT_OK;
}

int cli_fetch_store_series(struct cli *c, const char *ref, char **source)
{
	*source = NULL;
	if (c->q.db && strcmp(c->q.db, ":memory:") == 0) {
		cli_err(ref,
			"a store's series is read from a database (not --db :memory:)");
		return EXIT_USAGE;
	}
	struct mt_err e = {{0}};
	struct mt_warnings w = {0};
	size_t stored = 0;
	enum mt_status st = query_fleet_series(ref, &c->q, source, &stored, &w, &e);
	cli_print_warnings(&w);
	if (st) {
		cli_err("", "%s", e.msg);
		return st == MT_ERR_USAGE ? EXIT_USAGE : EXIT_BAD;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* collect --push                                                      */

struct cli_push {
	struct fleet_ref r;
	bool has_service, has_instance; /* given with --push */
};

struct cli_push *cli_push_open(struct cli *c, int *rc)
{
	*rc = EXIT_OK;
	if (!c->push)
		return NULL;
	struct cli_push *p = xcalloc(1, sizeof *p);
	*rc = EXIT_USAGE;
	if (!fleet_is_ref(c->push)) {
		cli_err(
		    c->push,
		    "--push takes a store: pyroscope://HOST:PORT or parca://HOST:PORT");
		free(p);
		return NULL;
	}
	if (!parse_ref(c->push, &p->r)) {
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < p->r.nm; i++) {
		if (strcmp(p->r.m[i].op, "=") != 0) {
			cli_err(c->push,
				"--push labels are name=\"value\" pairs, not %s",
				p->r.m[i].op);
			cli_push_close(p);
			return NULL;
		}
		if (strcmp(p->r.m[i].name, "service_name") == 0)
			p->has_service = true;
		if (strcmp(p->r.m[i].name, "instance") == 0)
			p->has_instance = true;
	}
	*rc = EXIT_OK;
	return p;
}

void cli_push_close(struct cli_push *p)
{
	if (!p)
		return;
	fleet_ref_done(&p->r);
	free(p);
}

/* The __name__ a store files a Go profile kind under; NULL: not pushed. */
static const char *store_name_of(const char *kind)
{
	static const struct {
		const char *kind, *name;
	} names[] = {{"heap", "memory"},
		     {"allocs", "memory"},
		     {"goroutine", "goroutine"},
		     {"mutex", "mutex"},
		     {"block", "block"},
		     {"cpu", "process_cpu"},
		     {"threadcreate", "threadcreate"}};
	for (size_t i = 0; kind && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(kind, names[i].kind) == 0)
			return names[i].name;
	return NULL;
}

/* host:port of url into buf. */
static void instance_of(const char *url, char *buf, size_t n)
{
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	size_t k = strcspn(s, "/?#");
	snprintf(buf, n, "%.*s", (int)(k < 255 ? k : 255), s);
}

bool cli_push_send(struct cli *c, struct cli_push *p, const char *url, const char *kind,
		   const struct profile *prof, const uint8_t *raw, size_t n)
{
	const char *name = store_name_of(kind);
	/* The stores take pprof protobuf; Go's texts and dumps stay local. */
	if (!name || prof->format != MT_FMT_PPROF)
		return true;
	char inst[260];
	instance_of(url, inst, sizeof inst);
	struct fleet_pair *v = xcalloc(p->r.nm + 3, sizeof *v);
	size_t k = 0;
	v[k++] = (struct fleet_pair){"__name__", name};
	if (!p->has_service)
		v[k++] = (struct fleet_pair){"service_name", inst};
	if (!p->has_instance)
		v[k++] = (struct fleet_pair){"instance", inst};
	for (size_t i = 0; i < p->r.nm; i++)
		v[k++] = (struct fleet_pair){p->r.m[i].name, p->r.m[i].value};
	struct mt_err e = {{0}};
	bool ok = fleet_push(&p->r, v, k, raw, n, &c->q.fetch, &e) == MT_OK;
	if (!ok)
		cli_err(c->push, "pushing %s: %s", url, e.msg);
	free(v);
	return ok;
}
