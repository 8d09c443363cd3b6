/* fuzz_legacy.c - libFuzzer target for the legacy text readers (Go debug=1
 * texts, gperftools heap and contentionz, jemalloc heap_v2), through the
 * same entry point the command line uses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	/* Readers expect a NUL after the bytes, as files and gzip give. */
	uint8_t *copy = malloc(n + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, n);
	copy[n] = 0;
	struct mt_limits lim = MT_LIMITS_DEFAULT;
	lim.max_inflate = 64 << 20; /* keep the fuzzer's memory bounded */
	struct profile *p = NULL;
	struct mt_err e;
	if (reader_load_bytes(copy, n, &lim, &p, &e) == MT_OK)
		profile_free(p);
	free(copy);
	return 0;
}
