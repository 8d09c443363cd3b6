/* cmd_metrics.c - `memtop metrics`: the time series stored beside the
 * snapshots, as text or JSON; and the collector's and importer's hooks that
 * store them (expvar scrapes, /proc of --pid, gctrace logs). */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "read/expvar.h"
#include "read/gctrace.h"
#include "store/metrics.h"
#include "collect/procstat.h"
#include "store/store.h"
#include "cli.h"


/* A number as JSON: integers exactly, others in the fewest digits that
 * read back as the same double. */
static void print_num(FILE *f, double v)
{
	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		fprintf(f, "%.0f", v);
		return;
	}
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

void cli_print_findings_json(FILE *f, const struct finding *v, size_t n)
{
	char a[64], b[64];
	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		const struct finding *x = &v[i];
		cli_rfc3339(a, sizeof a, x->from);
		cli_rfc3339(b, sizeof b, x->to);
		fprintf(f, "%s\n  {\"kind\": \"%s\", \"series\": ", i ? "," : "", x->name);
		mt_json_str(f, x->series);
		fputs(", \"source\": ", f);
		mt_json_str(f, x->source);
		fprintf(f, ", \"from\": \"%s\", \"to\": \"%s\", \"points\": %zu, \"first\": ", a,
			b, x->points);
		print_num(f, x->first);
		fputs(", \"last\": ", f);
		print_num(f, x->last);
		if (x->kind == FINDING_GC_CPU_HIGH) {
			fputs(", \"peak\": ", f);
			print_num(f, x->peak);
		} else {
			fputs(", \"slope_per_hour\": ", f);
			print_num(f, x->slope_per_hour);
			fputs(", \"r2\": ", f);
			print_num(f, x->r2);
		}
		fputs(", \"unit\": ", f);
		mt_json_str(f, x->unit);
		fputs(", \"text\": ", f);
		mt_json_str(f, x->text);
		fputs("}", f);
	}
	fputs(n ? "\n]" : "]", f);
}

void cli_print_findings_text(FILE *f, const struct finding *v, size_t n)
{
	if (!n)
		return;
	fputs("\nFindings from the metrics:\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %s\n", v[i].text);
}

int cmd_metrics(struct cli *c)
{
	if (c->nargs) {
		cli_err("metrics", "takes no arguments (try memtop --help)");
		return EXIT_USAGE;
	}
	struct store *s = NULL;
	struct mt_err e = {{0}};
	struct metrics_list l = {0};
	/* No database yet holds no series, which is not an error. */
	enum mt_status st = store_open(&s, c->q.db, false, &e);
	if (st && st != MT_ERR_NOTFOUND) {
		cli_err(c->q.db && *c->q.db ? c->q.db : "", "%s", e.msg);
		return EXIT_BAD;
	}
	if (s && metrics_read(s, c->series, c->source, &l, &e)) {
		cli_err(store_path(s), "%s", e.msg);
		store_close(s);
		return EXIT_BAD;
	}
	char tb[64];
	if (c->format == CLI_JSON) {
		fputs("{\"series\": [", stdout);
		for (size_t i = 0; i < l.n; i++) {
			const struct metrics_series *se = &l.v[i];
			printf("%s\n  {\"name\": ", i ? "," : "");
			mt_json_str(stdout, se->name);
			fputs(", \"source\": ", stdout);
			mt_json_str(stdout, se->source);
			fputs(", \"points\": [", stdout);
			for (size_t j = 0; j < se->n; j++) {
				cli_rfc3339(tb, sizeof tb, se->v[j].time);
				printf("%s{\"time\": \"%s\", \"value\": ", j ? ", " : "", tb);
				print_num(stdout, se->v[j].value);
				fputs("}", stdout);
			}
			fputs("]}", stdout);
		}
		printf("%s]}\n", l.n ? "\n" : "");
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const struct metrics_series *se = &l.v[i];
			printf("%s%s  %s  (%zu points)\n", i ? "\n" : "", se->name, se->source,
			       se->n);
			for (size_t j = 0; j < se->n; j++) {
				cli_rfc3339(tb, sizeof tb, se->v[j].time);
				printf("  %-32s  ", tb);
				print_num(stdout, se->v[j].value);
				putchar('\n');
			}
		}
	}
	if (c->series && !l.n && c->format != CLI_JSON)
		cli_err("metrics", "no series named \"%s\"", c->series);
	metrics_list_done(&l);
	store_close(s);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Collector and importer hooks                                        */

bool cli_collect_expvar(struct store *s, const char *url, const uint8_t *body, size_t n,
			int64_t fetched)
{
	struct metrics_batch b = {0};
	struct mt_err e = {{0}};
	size_t added = 0;
	bool ok = false;
	if (expvar_parse(body, n, fetched, &b, &e))
		cli_err(url, "bad response (%zu bytes): %s", n, e.msg);
	else if (metrics_store(s, url, &b, &added, &e))
		cli_err(url, "%s", e.msg);
	else
		ok = true;
	if (ok) {
		printf("-\texpvar\t%s\t%zu points\n", url, added);
		fflush(stdout);
	}
	metrics_batch_done(&b);
	return ok;
}

bool cli_collect_pid(struct store *s, int pid, bool *gone)
{
	struct procstat ps;
	struct mt_err e = {{0}};
	char src[32];
	snprintf(src, sizeof src, "pid:%d", pid);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	enum mt_status st = procstat_read(NULL, pid, &ps, &e);
	if (st) {
		cli_err(src, "%s", e.msg);
		*gone = st == MT_ERR_NOTFOUND;
		return false;
	}
	struct metrics_batch b = {0};
	size_t added = 0;
	procstat_points(&ps, t, &b);
	bool ok = metrics_store(s, src, &b, &added, &e) == MT_OK;
	if (!ok)
		cli_err(src, "%s", e.msg);
	else
		printf("-\tproc\t%s\trss %" PRId64 " fds %" PRId64 " threads %" PRId64 "\n", src,
		       ps.rss_bytes, ps.fds, ps.threads);
	fflush(stdout);
	metrics_batch_done(&b);
	return ok;
}

bool cli_import_gctrace(struct store *s, const char *path, const uint8_t *data,
			size_t n, bool *ok)
{
	if (!gctrace_detect(data, n))
		return false;
	char *abs = realpath(path, NULL);
	const char *source = abs ? abs : path;
	struct metrics_batch b = {0};
	struct mt_err e = {{0}}, bad = {{0}};
	size_t cycles = 0, nbad = 0, added = 0;
	/* The log carries seconds since the program started; the program
	 * stopped writing it when the file was last modified. */
	struct stat sb;
	int64_t end = 0;
	if (stat(path, &sb) == 0)
		end = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	int64_t start = end - (int64_t)(gctrace_last_at(data, n) * 1e9 + 0.5);
	*ok = false;
	if (gctrace_parse(data, n, start, &b, &cycles, &nbad, &bad, &e))
		cli_err(path, "%s", e.msg);
	else if (metrics_store(s, source, &b, &added, &e))
		cli_err(path, "%s", e.msg);
	else
		*ok = true;
	if (nbad)
		cli_err(path, "%zu gctrace line%s not read, the first: %s", nbad,
			nbad == 1 ? "" : "s", bad.msg);
	if (*ok) {
		printf("%s: gctrace, %zu GC cycles, %zu new points\n", path, cycles, added);
		fflush(stdout);
	}
	metrics_batch_done(&b);
	free(abs);
	return true;
}
