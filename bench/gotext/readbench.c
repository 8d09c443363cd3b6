/* readbench.c - times reader_load_bytes alone (no aggregation) on a file
 * already in memory: best of N runs, in MB/s of the file's size.
 * Build: see bench/gotext/run.sh. Usage: readbench FILE [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "read/reader.h"

static double now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: readbench FILE [RUNS]\n", stderr);
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	uint8_t *d;
	size_t n;
	struct mt_err e;
	if (mt_read_file(argv[1], &d, &n, 0, &e)) {
		fprintf(stderr, "%s: %s\n", argv[1], e.msg);
		return 1;
	}
	/* Wall time, and CPU time, which a busy machine disturbs less. */
	double best = 1e9, best_cpu = 1e9;
	size_t nsamples = 0, nlocs = 0, nfuncs = 0;
	for (int r = 0; r < runs; r++) {
		struct profile *p;
		double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		if (reader_load_bytes(d, n, NULL, &p, &e)) {
			fprintf(stderr, "%s: %s\n", argv[1], e.msg);
			return 1;
		}
		double t = now(CLOCK_MONOTONIC) - t0, c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (t < best)
			best = t;
		if (c < best_cpu)
			best_cpu = c;
		nsamples = p->samples.n;
		nlocs = p->locations.n;
		nfuncs = p->functions.n;
		profile_free(p);
	}
	printf("%s: %zu bytes, %zu samples, %zu locations, %zu functions: best of %d: "
	       "wall %.3f s, %.0f MB/s; cpu %.3f s, %.0f MB/s\n",
	       argv[1], n, nsamples, nlocs, nfuncs, runs, best, (double)n / best / 1e6,
	       best_cpu, (double)n / best_cpu / 1e6);
	free(d);
	return 0;
}
