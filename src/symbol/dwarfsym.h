/* dwarfsym.h - the DWARF of one binary turned into two sorted tables, read
 * once with libdwarf: the line table rows (address -> file, line) and the
 * address ranges of functions and of the calls inlined into them, so that an
 * address resolves to its inlined frames with two binary searches.
 *
 * Ownership: a struct mt_dwarf owns its string table; the names and files of
 * the frames returned by dwarf_sym_lookup live there.
 */
#ifndef MT_DWARFSYM_H
#define MT_DWARFSYM_H

#include <stdint.h>

#include "base/status.h"
#include "base/strtab.h"
#include "base/util.h"

struct mt_dwarf_row {
	uint64_t addr;
	mt_str file;
	uint32_t line; /* UINT32_MAX: end of a sequence */
};

/* A function or an inlined call: parent is the scope it was inlined into
 * (UINT32_MAX for a function); call_file/call_line is where. name is what
 * pprof shows (C++ demangled and simplified: qualified, no parameters, no
 * template arguments); sysname the linkage (mangled) name, else name. */
struct mt_dwarf_scope {
	mt_str name, sysname, call_file;
	uint32_t call_line, parent;
};

struct mt_dwarf_range {
	uint64_t lo, hi;
	uint32_t scope;
	uint32_t outer; /* the range that encloses this one, or UINT32_MAX */
};

struct mt_dwarf {
	struct mt_strtab strs;
	VEC(struct mt_dwarf_row) rows;      /* sorted by addr */
	VEC(struct mt_dwarf_scope) scopes;
	VEC(struct mt_dwarf_range) ranges;  /* sorted by lo, outer first */
	size_t ncu, nerr; /* units read; libdwarf errors met (and skipped) */
};

/* One frame of an address, innermost inlined call first. */
struct mt_dwarf_frame {
	mt_str name, sysname, file; /* in d->strs; name 0 when DWARF does not know it */
	uint32_t line;
};

#define MT_DWARF_MAX_DEPTH 64

/* Reads the DWARF of the ELF file open on fd, with libdwarf in a child
 * process (a libdwarf crash costs only this binary's DWARF). Errors inside
 * a unit skip the unit; a file libdwarf cannot open at all fails
 * (MT_ERR_FORMAT, or MT_ERR_NOTFOUND when it has no DWARF), as does a crash
 * of the child (MT_ERR_FORMAT) or a read longer than timeout_ms (<= 0: one
 * minute; MT_ERR_LIMIT). d must be released with dwarf_sym_done either way. */
enum mt_status dwarf_sym_load(struct mt_dwarf *d, int fd, int timeout_ms, struct mt_err *e);

/* The name pprof shows for a C++ (Itanium ABI) linkage name: demangled, no
 * parameters, template arguments, return type or clone suffix
 * ("_ZN2ns3BoxIiE3getEv" -> "ns::Box::get"). Returns a malloc'd string the
 * caller frees, or NULL when name is not a mangled name. */
char *dwarf_sym_demangle(const char *name);
/* The same demangled in full, as `nm -C` prints it (parameters and all). */
char *dwarf_sym_demangle_full(const char *name);
void dwarf_sym_done(struct mt_dwarf *d);

/* Fills out[0..n) (n <= MT_DWARF_MAX_DEPTH) with the frames of vaddr,
 * innermost first, and returns n; 0 when no function covers vaddr, in which
 * case out[0] may still carry the line-table file and line (n = 0, but
 * out[0].line != 0). */
size_t dwarf_sym_lookup(const struct mt_dwarf *d, uint64_t vaddr,
			struct mt_dwarf_frame *out);

#endif
