/* elfsym.h - just enough of an ELF file for symbolization: its type, the
 * loadable segments (file offset to virtual address), its GNU build id,
 * whether it carries DWARF, and its function symbols (.symtab, .dynsym).
 *
 * Ownership: struct mt_elf borrows the bytes it was opened on (usually a
 * mapping of the file); symbol names point into them, so the bytes must
 * outlive it. Every offset read from the file is bounds-checked: a corrupt or
 * truncated file yields an error or fewer symbols, never a crash.
 */
#ifndef MT_ELFSYM_H
#define MT_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "util.h"

struct mt_elf_seg {
	uint64_t offset, filesz, vaddr, memsz;
};

struct mt_elf_sym {
	uint64_t addr, size;
	const char *name; /* NUL-terminated inside the file's bytes */
};

struct mt_elf {
	const uint8_t *d;
	size_t n;
	bool exec;       /* ET_EXEC: addresses are absolute */
	bool has_dwarf;  /* a .debug_info or .zdebug_info section */
	char build_id[81]; /* lower-case hex, "" when none */
	VEC(struct mt_elf_seg) segs;
	VEC(struct mt_elf_sym) syms; /* sorted by addr */
};

/* Reads the headers, segments, build id and symbols of the ELF file in
 * d[0..n); fails (MT_ERR_FORMAT/MT_ERR_CORRUPT) when it is not a 64-bit
 * little-endian ELF file or its headers are out of bounds. */
enum mt_status elf_open_mem(struct mt_elf *elf, const uint8_t *d, size_t n,
			    struct mt_err *e);
void elf_done(struct mt_elf *elf);

/* The virtual address of file offset off, through the PT_LOAD segments;
 * false when no segment holds it. */
bool elf_offset_to_vaddr(const struct mt_elf *elf, uint64_t off, uint64_t *vaddr);

/* The function symbol holding vaddr (or the nearest one before it when its
 * size is unknown); NULL when none does. */
const struct mt_elf_sym *elf_sym_lookup(const struct mt_elf *elf, uint64_t vaddr);

#endif
