/* reader_target.h - the body shared by the fuzz targets that go through
 * reader_load_bytes, the entry point the command line uses: the pprof and
 * the legacy targets differ only in their corpora and dictionaries. */
#ifndef MT_FUZZ_READER_TARGET_H
#define MT_FUZZ_READER_TARGET_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "read/reader.h"

static int fuzz_reader(const uint8_t *data, size_t n)
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

#endif
