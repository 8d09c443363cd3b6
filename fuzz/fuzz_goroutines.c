/* fuzz_goroutines.c - libFuzzer target for the goroutine dump parser, its
 * grouping, the profile it builds and the groups made again from that
 * profile (report/ggroup.h), checked for internal consistency. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "read/goroutines.h"
#include "profile/profile.h"
#include "report/ggroup.h"

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
	if (goroutines_parse_profile(z, n, p, &lim, &e) == MT_OK) {
		if (profile_check(p, &e) != MT_OK)
			abort();
		/* A goroutine a sample: the groups hold every one, each once. */
		struct gg_set s;
		if (gg_build(&s, p, &e) != MT_OK)
			abort();
		int64_t total = 0;
		size_t members = 0;
		for (size_t i = 0; i < s.groups.n; i++) {
			const struct gg_group *g = &s.groups.v[i];
			total += g->count;
			members += g->nm;
			if (g->nm != (uint32_t)g->count || g->wait_min > g->wait_max ||
			    g->f0 + g->nf > s.frames.n || (g->nf && g->name >= g->nf))
				abort();
		}
		if (total != (int64_t)p->samples.n || members != s.members.n ||
		    members != p->samples.n)
			abort();
		gg_done(&s);
	}
	profile_free(p);
	free(z);
	return 0;
}
