/* fuzz_fleetref.c - libFuzzer target for profile store references
 * (collect/fleet.h): any string is a reference or an error, never both;
 * a reference has a store URL, a series key and at most FLEET_MAX_WINDOWS
 * windows, each ending after it starts or as the range says. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);
	if (n)
		memcpy(s, d, n);
	s[n] = 0;
	struct fleet_ref r;
	struct mt_err e = {{0}};
	enum mt_status st = fleet_parse(s, 1700000000LL * 1000000000LL, &r, &e);
	if (st != MT_OK) {
		if (!e.msg[0])
			abort();
		free(s);
		return 0;
	}
	if (!fleet_is_ref(s) || !r.base || !r.source || !r.type || !r.selector ||
	    strncmp(r.base, "http", 4) != 0)
		abort();
	int64_t *a, *b;
	size_t k;
	fleet_windows(&r, &a, &b, &k);
	if (k < 1 || k > FLEET_MAX_WINDOWS)
		abort();
	for (size_t i = 0; i < k; i++)
		if (b[i] <= a[i] || (i && b[i] <= b[i - 1]))
			abort();
	free(a);
	free(b);
	fleet_ref_done(&r);
	free(s);
	return 0;
}
