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

#include "base/status.h"
#include "base/util.h"

struct mt_elf_seg {
	uint64_t offset, filesz, vaddr, memsz;
};

/* The DWARF sections libdwarf walks unit by unit on its own (every unit
 * header of .debug_rnglists and .debug_loclists as soon as the first unit is
 * read), checked by elf_check_dwarf before libdwarf sees the file. */
enum mt_dbg_sect {
	MT_DBG_INFO,
	MT_DBG_RNGLISTS,
	MT_DBG_LOCLISTS,
	MT_DBG_ADDR,
	MT_DBG_STR_OFFSETS,
	MT_DBG_N
};

/* One such section as the section headers give it. */
struct mt_elf_sect {
	enum mt_dbg_sect kind;
	uint64_t offset, size; /* in the file */
	uint8_t packing;       /* 0 plain, 1 SHF_COMPRESSED, 2 .zdebug_ "ZLIB" */
};

struct mt_elf_sym {
	uint64_t addr, size;
	const char *name;    /* NUL-terminated inside the file's bytes */
	const char *version; /* a .dynsym symbol's version (GLIBC_2.2.5), or NULL */
	bool hidden;         /* not the default version: nm says name@V, else name@@V */
};

struct mt_elf {
	const uint8_t *d;
	size_t n;
	bool exec;       /* ET_EXEC: addresses are absolute */
	bool has_dwarf;  /* a .debug_info or .zdebug_info section */
	bool has_symtab; /* a .symtab: else the symbols are .dynsym's alone */
	/* `nm` (.symtab, else .dynsym) lists _fini: google-pprof and jeprof
	 * then ask addr2line for inlined frames (their end-of-list marker). */
	bool nm_has_fini;
	char build_id[81]; /* lower-case hex, "" when none */
	uint64_t want;     /* bytes the headers describe: more than n, a cut file */
	VEC(struct mt_elf_seg) segs;
	VEC(struct mt_elf_sym) syms; /* sorted by addr */
	VEC(struct mt_elf_sect) dbg; /* every section named as one of enum mt_dbg_sect */
};

/* Reads the headers, segments, build id and symbols of the ELF file in
 * d[0..n); fails (MT_ERR_FORMAT/MT_ERR_CORRUPT) when it is not a 64-bit
 * little-endian ELF file or its headers are out of bounds. */
enum mt_status elf_open_mem(struct mt_elf *elf, const uint8_t *d, size_t n,
			    struct mt_err *e);
void elf_done(struct mt_elf *elf);

/* Checks the unit headers of the DWARF 5 sections that Debian's libdwarf
 * (20210528) parses without stopping at its own errors (it double-frees on a
 * bad .debug_rnglists header): every unit length inside its section, version
 * 5, address and offset sizes, offset counts inside their unit. Compressed
 * sections are inflated to be checked. MT_ERR_CORRUPT with what and where
 * when one is malformed: the caller must then not hand the file to libdwarf. */
enum mt_status elf_check_dwarf(const struct mt_elf *elf, struct mt_err *e);

/* The virtual address of file offset off, through the PT_LOAD segments;
 * false when no segment holds it. */
bool elf_offset_to_vaddr(const struct mt_elf *elf, uint64_t off, uint64_t *vaddr);

/* The function symbol holding vaddr (or the nearest one before it when its
 * size is unknown); NULL when none does. In a file without .symtab the
 * nearest symbol before vaddr holds it whatever its size: .dynsym lists only
 * the exported functions, and addr2line (so pprof, google-pprof and jeprof)
 * names the code between them after the one before. */
const struct mt_elf_sym *elf_sym_lookup(const struct mt_elf *elf, uint64_t vaddr);

#endif
