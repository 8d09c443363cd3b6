/* fuzz_stores.c - libFuzzer target for the answers of profile stores
 * (collect/pyroscope.h, collect/parca.h): the first byte picks the
 * decoder, the rest is the answer. Any bytes give a result or an error;
 * a pprof found lies within the answer; strings are NUL-free; a series
 * has a value for each label name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/parca.h"
#include "collect/pyroscope.h"

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			abort();
		free(v[i]);
	}
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n < 1)
		return 0;
	unsigned which = d[0] % 8;
	size_t m = n - 1;
	uint8_t *a = malloc(m ? m : 1);
	if (m)
		memcpy(a, d + 1, m);
	struct mt_err e = {{0}};
	char **v = NULL;
	size_t nv = 0;
	switch (which) {
	case 0: {
		bool has;
		const uint8_t *p;
		size_t np;
		if (pyroscope_decode_stacktraces(a, m, &has, &p, &np, &e) == MT_OK &&
		    has && p && (p < a || p + np > a + m))
			abort();
		break;
	}
	case 1:
	case 2:
		pyroscope_decode_strings(a, m, which == 2, &v, &nv, &e);
		break;
	case 3: {
		uint8_t *p = NULL;
		size_t np = 0;
		enum mt_status st = parca_decode_query((const char *)a, m, &p, &np, &e);
		if (st != MT_OK && p)
			abort();
		free(p);
		break;
	}
	case 4:
		parca_decode_strings((const char *)a, m, "labelNames", &v, &nv, &e);
		break;
	case 5:
		parca_decode_strings((const char *)a, m, NULL, &v, &nv, &e);
		break;
	default: {
		struct fleet_listing l = {0};
		if (which == 6)
			pyroscope_decode_series(a, m, &l, &e);
		else
			parca_decode_series((const char *)a, m, &l, &e);
		for (size_t i = 0; i < l.series.n; i++)
			if (l.series.v[i].names.n != l.series.v[i].values.n)
				abort();
		fleet_listing_done(&l);
		break;
	}
	}
	free_strings(v, nv);
	free(a);
	return 0;
}
