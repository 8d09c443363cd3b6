/* metrics_findings_tool.c - prints metrics_findings() of a database, one
 * tab-separated line per finding (kind, series, source, points, from, to,
 * first, last, slope_per_hour, r2, text), for tests/metrics_collect.py
 * while `memtop leaks` does not print them yet. */
#include <inttypes.h>
#include <stdio.h>

#include "store/metrics.h"
#include "store/store.h"

int main(int argc, char **argv)
{
	struct store *s;
	struct mt_err e = {{0}};
	struct finding *f;
	size_t n;
	if (argc != 2) {
		fprintf(stderr, "usage: metrics_findings_tool DB\n");
		return 2;
	}
	if (store_open(&s, argv[1], false, &e) || metrics_findings(s, NULL, &f, &n, &e)) {
		fprintf(stderr, "metrics_findings_tool: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%zu\t%" PRId64 "\t%" PRId64 "\t%.17g\t%.17g\t%.17g\t%.17g\t%s\n",
		       f[i].name, f[i].series, f[i].source, f[i].points, f[i].from, f[i].to,
		       f[i].first, f[i].last, f[i].slope_per_hour, f[i].r2, f[i].text);
	metrics_findings_free(f, n);
	store_close(s);
	return 0;
}
