/* symbolize_tool.c - a window onto src/symbolize for the test scripts and
 * the benchmark:
 *
 *   symbolize_tool BINARY ADDR...    one line per frame, innermost first:
 *                                    ADDR<TAB>DEPTH<TAB>NAME<TAB>FILE<TAB>LINE
 *                                    (ADDR is an ELF virtual address, hex)
 *   symbolize_tool --check BINARY... runs the DWARF header checks libdwarf
 *                                    is protected by: "ok" or the error, per file
 *   symbolize_tool --demangle NAME...  the name memtop shows for each linkage
 *                                    name, one a line (the name itself when
 *                                    it is not mangled)
 *   symbolize_tool --sym BINARY ADDR...  the ELF symbol memtop names each
 *                                    address after (no DWARF): ADDR<TAB>SYMBOL
 *                                    ADDRESS<TAB>NAME<TAB>@@VERSION, @VERSION
 *                                    or -; a first line `fini yes|no`, whether
 *                                    nm (.symtab, else .dynsym) lists _fini
 *   symbolize_tool --bench BINARY N  resolves N distinct addresses spread over
 *                                    the executable segment and prints the
 *                                    time taken, DWARF loading included
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "symbol/dwarfsym.h"
#include "symbol/elfsym.h"
#include "symbol/symbolize.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The executable segment of an ELF file, from its program headers. */
static int text_segment(const char *path, uint64_t *lo, uint64_t *hi)
{
	uint8_t *d;
	size_t n;
	struct mt_err e;
	if (mt_read_file(path, &d, &n, (size_t)1 << 31, &e)) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		return -1;
	}
	int rc = -1;
	uint64_t phoff = 0;
	memcpy(&phoff, d + 32, 8);
	uint16_t phentsize, phnum;
	memcpy(&phentsize, d + 54, 2);
	memcpy(&phnum, d + 56, 2);
	for (uint16_t i = 0; i < phnum && phoff + (i + 1) * (uint64_t)phentsize <= n; i++) {
		const uint8_t *p = d + phoff + i * (uint64_t)phentsize;
		uint32_t type, flags;
		memcpy(&type, p, 4);
		memcpy(&flags, p + 4, 4);
		if (type == 1 && (flags & 1)) {
			memcpy(lo, p + 16, 8);
			uint64_t memsz;
			memcpy(&memsz, p + 40, 8);
			*hi = *lo + memsz;
			rc = 0;
			break;
		}
	}
	free(d);
	return rc;
}

static int bench(const char *path, long n)
{
	uint64_t lo, hi;
	if (text_segment(path, &lo, &hi))
		return 1;
	/* Distinct addresses: a stride through the segment, offset by a
	 * pseudo-random amount inside each step. */
	uint64_t *addrs = malloc((size_t)n * sizeof *addrs);
	uint64_t step = (hi - lo) / (uint64_t)n, x = 88172645463325252ull;
	for (long i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		addrs[i] = lo + (uint64_t)i * step + (step > 1 ? x % step : 0);
	}
	struct mt_sym_frame fr[64];
	double t0 = now();
	struct mt_symbolizer *s = symbolizer_new(NULL);
	long named = 0, lined = 0, frames = 0;
	for (long i = 0; i < n; i++) {
		int k = symbolize_vaddr(s, path, addrs[i], fr);
		if (k < 0) {
			fprintf(stderr, "%s: cannot open\n", path);
			return 1;
		}
		if (k > 0 && fr[0].name[0])
			named++;
		if (k > 0 && fr[0].line)
			lined++;
		frames += k;
	}
	double t1 = now();
	symbolizer_free(s);
	printf("%ld addresses in %.3f s (DWARF load included): %ld named, %ld with "
	       "lines, %ld frames (inlined included); text %#" PRIx64 "-%#" PRIx64 "\n",
	       n, t1 - t0, named, lined, frames, lo, hi);
	free(addrs);
	return 0;
}

/* The DWARF header checks of each file: 0 when all pass. */
static int check(int n, char **paths)
{
	int rc = 0;
	for (int i = 0; i < n; i++) {
		uint8_t *d;
		size_t len;
		struct mt_err e;
		struct mt_elf elf;
		if (mt_read_file(paths[i], &d, &len, (size_t)1 << 32, &e)) {
			printf("%s: not read: %s\n", paths[i], e.msg);
			rc = 1;
			continue;
		}
		if (elf_open_mem(&elf, d, len, &e)) {
			printf("%s: not ELF: %s\n", paths[i], e.msg);
			elf_done(&elf);
			free(d);
			rc = 1;
			continue;
		}
		bool ok = elf_check_dwarf(&elf, &e) == MT_OK;
		printf("%s: %s\n", paths[i], ok ? "ok" : e.msg);
		rc |= !ok;
		elf_done(&elf);
		free(d);
	}
	return rc;
}

/* --sym: the symbol of each address, straight from elfsym. */
static int syms(const char *path, int n, char **addrs)
{
	uint8_t *d;
	size_t len;
	struct mt_err e;
	struct mt_elf elf;
	if (mt_read_file(path, &d, &len, (size_t)1 << 32, &e) ||
	    elf_open_mem(&elf, d, len, &e)) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		return 1;
	}
	printf("fini %s\n", elf.nm_has_fini ? "yes" : "no");
	for (int i = 0; i < n; i++) {
		uint64_t a = strtoull(addrs[i], NULL, 16);
		const struct mt_elf_sym *sym = elf_sym_lookup(&elf, a);
		if (!sym) {
			printf("%#" PRIx64 "\t-\t-\t-\n", a);
			continue;
		}
		printf("%#" PRIx64 "\t%#" PRIx64 "\t%s\t%s%s\n", a, sym->addr, sym->name,
		       sym->version ? (sym->hidden ? "@" : "@@") : "-",
		       sym->version ? sym->version : "");
	}
	elf_done(&elf);
	free(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--sym") == 0)
		return syms(argv[2], argc - 3, argv + 3);
	if (argc >= 3 && strcmp(argv[1], "--check") == 0)
		return check(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "--demangle") == 0) {
		for (int i = 2; i < argc; i++) {
			char *d = dwarf_sym_demangle(argv[i]);
			printf("%s\n", d ? d : argv[i]);
			free(d);
		}
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "--bench") == 0)
		return bench(argv[2], atol(argv[3]));
	if (argc < 2) {
		fprintf(stderr, "usage: symbolize_tool BINARY ADDR... | --bench BINARY N\n");
		return 2;
	}
	struct mt_symbolizer *s = symbolizer_new(NULL);
	struct mt_sym_frame fr[64];
	int rc = 0;
	for (int i = 2; i < argc; i++) {
		uint64_t a = strtoull(argv[i], NULL, 16);
		int k = symbolize_vaddr(s, argv[1], a, fr);
		if (k < 0) {
			fprintf(stderr, "%s: cannot open\n", argv[1]);
			rc = 1;
			break;
		}
		for (int j = 0; j < k; j++)
			printf("%#" PRIx64 "\t%d\t%s\t%s\t%u\n", a, j, fr[j].name, fr[j].file,
			       fr[j].line);
	}
	symbolizer_free(s);
	return rc;
}
