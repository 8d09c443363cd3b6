/* symbolize.h - gives names to locations that carry only addresses
 * (tcmalloc/jemalloc heaps, Go texts without `#` lines, pprof protobufs
 * without symbols), from the binaries the profile's mappings name.
 *
 * For each such location: the mapping's binary (or the --binary override,
 * or /usr/lib/debug/.build-id/xx/rest.debug by build id) is opened once and
 * cached with its DWARF read into sorted tables; the address becomes an ELF
 * virtual address (address - start + offset, through the program headers,
 * for shared libraries and position-independent executables); DWARF gives
 * function, file, line and inlined frames, ELF .symtab/.dynsym the function
 * name where DWARF has none.
 *
 * tcmalloc and jemalloc heaps are named as google-pprof and jeprof, their
 * oracles, name them (symbolize.c: cheap_frames): the innermost inlined
 * frame alone in a binary without _fini among nm's symbols, and nm's
 * versioned .dynsym name where it starts with a frame's name. Leading frames
 * in the allocator's own library are dropped, as those tools drop everything
 * up to the allocator's entry point.
 *
 * A binary that is missing or unreadable is not an error: its locations keep
 * no lines (shown as `[libfoo.so]`) and the caller gets one warning line.
 * Nor is one whose DWARF is malformed: it is named from its ELF symbols, with
 * one warning line for that binary.
 */
#ifndef MT_SYMBOLIZE_H
#define MT_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "profile/profile.h"
#include "base/status.h"
#include "base/util.h"

struct mt_sym_opts {
	const char *binary;     /* the main executable, or NULL */
	const char *debug_root; /* NULL: /usr/lib/debug */
	int dwarf_timeout_ms;   /* per binary's DWARF; <= 0: one minute */
};

/* Warning lines for the caller to show; each string is owned by the list. */
struct mt_warnings {
	VEC(char *) v;
};
void mt_warnings_done(struct mt_warnings *w);
/* Adds a formatted line to w (w may be NULL: dropped). */
void mt_warnf(struct mt_warnings *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The per-binary cache; opts (and the strings in it) are borrowed. */
struct mt_symbolizer;
struct mt_symbolizer *symbolizer_new(const struct mt_sym_opts *opts);
void symbolizer_free(struct mt_symbolizer *s);

/* True when p has a location with an address and no lines. */
bool symbolize_wanted(const struct profile *p);

/* Adds functions and lines (innermost inlined frame first) to every location
 * of p that has an address and no lines, where a binary resolves it. Appends
 * to w at most one line for the binaries that cannot be opened and one per
 * binary whose DWARF is malformed. Fails only on a profile whose references do not
 * hold together. */
enum mt_status symbolize_profile(struct mt_symbolizer *s, struct profile *p,
				 struct mt_warnings *w, struct mt_err *e);

/* One resolved frame, for callers without a profile (tests, benchmarks). */
struct mt_sym_frame {
	const char *name, *file; /* borrowed from the symbolizer; "" if unknown */
	uint32_t line;
};

/* Resolves an ELF virtual address of the binary at path into out[0..n),
 * innermost first (n <= 64); returns n, 0 when nothing names it, -1 when the
 * binary cannot be opened. */
int symbolize_vaddr(struct mt_symbolizer *s, const char *path, uint64_t vaddr,
		    struct mt_sym_frame *out);

#endif
