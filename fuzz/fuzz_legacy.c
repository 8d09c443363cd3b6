/* fuzz_legacy.c - libFuzzer target for the legacy readers (Go debug=1
 * texts, gperftools heap, contentionz, binary CPU and threadz, Java heapz,
 * contentionz and CPU, jemalloc heap_v2), through the same entry point the
 * command line uses. */
#include "reader_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	return fuzz_reader(data, n);
}
