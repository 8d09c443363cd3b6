/* fuzz_symbolize.c - libFuzzer target for the symbolizer: the bytes are an
 * ELF file (written to a memfd, since libdwarf reads from a descriptor);
 * its headers, symbols and DWARF are read and a few addresses resolved,
 * both directly and through a small profile whose mapping names the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "symbol/symbolize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	/* Addresses a small binary's code may hold, plus the edges. */
	static const uint64_t addrs[] = {0, 1, 0x1000, 0x1040, 0x1139, 0x401000,
					 0x4f4840, UINT64_MAX};
	struct mt_sym_opts o = {.debug_root = "/nonexistent", .dwarf_timeout_ms = 5000};
	struct mt_symbolizer *s = symbolizer_new(&o);
	struct mt_sym_frame fr[64];
	for (size_t i = 0; i < sizeof addrs / sizeof *addrs; i++)
		if (symbolize_vaddr(s, path, addrs[i], fr) < 0)
			break;

	/* A C heap: names as google-pprof and jeprof give them (cheap_frames). */
	struct profile *p = profile_new();
	p->format = n && data[n - 1] & 1 ? MT_FMT_JEMALLOC_HEAP : MT_FMT_PPROF;
	struct mt_mapping m = {.id = 1, .start = 0x555555554000, .limit = 0x555555600000,
			       .file = strtab_intern(&p->strs, path, strlen(path))};
	VEC_PUSH(p->mappings, m);
	for (size_t i = 0; i < 4; i++) {
		struct mt_location l = {.id = i + 1, .address = m.start + 0x1000 + i * 0x37,
					.mapping = 0};
		VEC_PUSH(p->locations, l);
	}
	struct mt_warnings w = {{0}};
	struct mt_err e;
	struct mt_symbolizer *s2 = symbolizer_new(&o);
	symbolize_profile(s2, p, &w, &e);
	symbolizer_free(s2);
	mt_warnings_done(&w);
	profile_free(p);
	symbolizer_free(s);
	close(fd);
	return 0;
}
