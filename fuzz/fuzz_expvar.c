/* fuzz_expvar.c - libFuzzer target for the /debug/vars JSON reader: any
 * bytes give points or an error, never both, and every point has a name
 * in the batch and a finite value. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "read/expvar.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* Not NUL-terminated on purpose: the reader must stay within n. */
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, d, n);
	struct metrics_batch b = {.max = 10000};
	struct mt_err e;
	enum mt_status st = expvar_parse(copy, n, 1, &b, &e);
	if (st != MT_OK && b.v.n)
		abort();
	if (st == MT_OK && !b.v.n)
		abort();
	for (size_t i = 0; i < b.v.n; i++)
		if (!isfinite(b.v.v[i].value) || b.v.v[i].name >= b.names.n)
			abort();
	metrics_batch_done(&b);
	free(copy);
	return 0;
}
