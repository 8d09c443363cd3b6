/* fuzz_gctrace.c - libFuzzer target for the gctrace parser: the whole-log
 * reader, detection, and each line on its own; a line that parses says
 * what a gctrace line can say. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "read/gctrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, d, n);
	struct metrics_batch b = {.max = 100000};
	struct mt_err e, bad;
	size_t cycles, nbad;
	bool detected = gctrace_detect(copy, n);
	enum mt_status st = gctrace_parse(copy, n, 0, &b, &cycles, &nbad, &bad, &e);
	if (st == MT_OK && (!cycles || b.v.n < cycles * 12))
		abort();
	if (detected && st != MT_OK && st != MT_ERR_LIMIT)
		abort();
	(void)gctrace_last_at(copy, n);
	struct gctrace_line g;
	if (gctrace_parse_line((const char *)copy, n, &g, &e) == MT_OK &&
	    (g.n < 0 || g.heap_mb[0] < 0 || g.procs < 0 || g.at_s < 0 ||
	     (g.stacks_mb < 0) != (g.globals_mb < 0)))
		abort();
	metrics_batch_done(&b);
	free(copy);
	return 0;
}
