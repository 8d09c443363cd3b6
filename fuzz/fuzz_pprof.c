/* fuzz_pprof.c - libFuzzer target for the gzip layer and the profile.proto
 * reader, through the same entry point the command line uses. */
#include "reader_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	return fuzz_reader(data, n);
}
