/* fuzz_goroutines.c - libFuzzer target for the goroutine dump parser, its
 * grouping and the profile it builds (checked for internal consistency). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "read/goroutines.h"
#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct mt_limits lim = MT_LIMITS_DEFAULT;
	lim.max_goroutines = 100000;
	lim.max_frames = 1000;
	struct mt_err e;
	struct mt_goroutines g;
	goroutines_init(&g);
	if (goroutines_parse(&g, d, n, &lim, &e) == MT_OK) {
		goroutines_group(&g);
		size_t total = 0;
		for (size_t i = 0; i < g.groups.n; i++) {
			total += g.groups.v[i].count;
			if (g.groups.v[i].wait_min > g.groups.v[i].wait_max)
				abort();
			if (i && g.groups.v[i].count > g.groups.v[i - 1].count)
				abort();
		}
		if (total != g.gs.n)
			abort();
	}
	goroutines_done(&g);

	/* The reader wants NUL-terminated bytes. */
	uint8_t *z = malloc(n + 1);
	if (!z)
		return 0;
	memcpy(z, d, n);
	z[n] = 0;
	struct profile *p = profile_new();
	if (goroutines_parse_profile(z, n, p, &lim, &e) == MT_OK &&
	    profile_check(p, &e) != MT_OK)
		abort();
	profile_free(p);
	free(z);
	return 0;
}
