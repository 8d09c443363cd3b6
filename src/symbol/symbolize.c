/* symbolize.c - resolves the addresses of a profile through the binaries of
 * its mappings (see symbolize.h). */
#include "symbol/symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbol/dwarfsym.h"
#include "symbol/elfsym.h"

/* A file opened and mapped read-only, with its ELF headers. */
struct elf_file {
	int fd;
	uint8_t *map;
	size_t n;
	struct mt_elf elf;
	bool ok;
};

/* One binary: the file itself, its separate debug file if it has one, and
 * the DWARF of whichever carries it (read on first use). */
struct bin {
	char *path;
	char why[160]; /* why it could not be opened */
	struct elf_file main, debug;
	bool dwarf_tried, has_dwarf;
	bool warned_cut; /* about a truncated file, once */
	char dwarf_why[200]; /* why its DWARF was refused, "" if it was not */
	int timeout_ms;      /* for reading the DWARF (mt_sym_opts) */
	struct mt_dwarf dw;
	/* Demangled names of ELF symbols, made on first use: index by symbol
	 * position in main.elf.syms (dm_main) or debug.elf.syms (dm_debug). */
	char **dm_main, **dm_debug;
	/* nm's names of main.elf's symbols for the C heaps' oracles (see
	 * cheap_frames), made on first use: in full, and short. */
	char **nm_full, **nm_short;
};

struct mt_symbolizer {
	struct mt_sym_opts opts;
	VEC(struct bin *) bins;
};

void mt_warnings_done(struct mt_warnings *w)
{
	for (size_t i = 0; i < w->v.n; i++)
		free(w->v.v[i]);
	free(w->v.v);
	w->v.v = NULL;
	w->v.n = w->v.cap = 0;
}

void mt_warnf(struct mt_warnings *w, const char *fmt, ...)
{
	if (!w)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	VEC_PUSH(w->v, xstrdup(buf));
}

struct mt_symbolizer *symbolizer_new(const struct mt_sym_opts *opts)
{
	struct mt_symbolizer *s = xcalloc(1, sizeof *s);
	if (opts)
		s->opts = *opts;
	if (!s->opts.debug_root)
		s->opts.debug_root = "/usr/lib/debug";
	return s;
}

static void file_close(struct elf_file *f)
{
	if (!f->ok)
		return;
	elf_done(&f->elf);
	munmap(f->map, f->n);
	close(f->fd);
	f->ok = false;
}

void symbolizer_free(struct mt_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->bins.n; i++) {
		struct bin *b = s->bins.v[i];
		for (size_t k = 0; b->dm_main && k < b->main.elf.syms.n; k++)
			free(b->dm_main[k]);
		for (size_t k = 0; b->dm_debug && k < b->debug.elf.syms.n; k++)
			free(b->dm_debug[k]);
		for (size_t k = 0; b->nm_full && k < b->main.elf.syms.n; k++) {
			free(b->nm_full[k]);
			free(b->nm_short[k]);
		}
		free(b->dm_main);
		free(b->dm_debug);
		free(b->nm_full);
		free(b->nm_short);
		file_close(&b->main);
		file_close(&b->debug);
		if (b->has_dwarf)
			dwarf_sym_done(&b->dw);
		free(b->path);
		free(b);
	}
	free(s->bins.v);
	free(s);
}

/* Opens and maps an ELF file; on failure writes the reason into why. Only
 * a regular file: the path comes from the profile, and a blocking open of a
 * FIFO would wait forever for a writer. */
static bool file_open(struct elf_file *f, const char *path, char *why, size_t nwhy)
{
	memset(f, 0, sizeof *f);
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f->fd < 0) {
		snprintf(why, nwhy, "%s", strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		snprintf(why, nwhy, "not a regular file");
		close(f->fd);
		return false;
	}
	f->n = (size_t)st.st_size;
	f->map = mmap(NULL, f->n, PROT_READ, MAP_PRIVATE, f->fd, 0);
	if (f->map == MAP_FAILED) {
		snprintf(why, nwhy, "%s", strerror(errno));
		close(f->fd);
		return false;
	}
	struct mt_err e;
	if (elf_open_mem(&f->elf, f->map, f->n, &e)) {
		snprintf(why, nwhy, "%.150s", e.msg);
		elf_done(&f->elf);
		munmap(f->map, f->n);
		close(f->fd);
		return false;
	}
	f->ok = true;
	return true;
}

/* Whether a build id can name a file: hex digits only (a GNU build id is
 * 8 to 64 bytes), so one from a profile cannot climb out of the debug
 * root ("../../tmp/x"). */
static bool build_id_ok(const char *id)
{
	size_t n = strspn(id, "0123456789abcdefABCDEF");
	return id[n] == 0 && n >= 4 && n <= 128;
}

/* The separate debug file of a build id under the debug root. */
static bool open_by_build_id(const struct mt_symbolizer *s, const char *id,
			     struct elf_file *f)
{
	char path[4096], why[160], low[129];
	if (!build_id_ok(id))
		return false;
	size_t n = strlen(id);
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] - 'A' + 'a' : id[i]);
	snprintf(path, sizeof path, "%s/.build-id/%.2s/%s.debug", s->opts.debug_root, low,
		 low + 2);
	return file_open(f, path, why, sizeof why);
}

/* The cached binary at path (opened on first use), or NULL; build_id is the
 * mapping's, tried when the file itself cannot be opened. A path of
 * "build-id:ID" names no file: only the debug root is tried. */
static struct bin *bin_get(struct mt_symbolizer *s, const char *path, const char *build_id)
{
	for (size_t i = 0; i < s->bins.n; i++)
		if (strcmp(s->bins.v[i]->path, path) == 0)
			return s->bins.v[i]->main.ok ? s->bins.v[i] : NULL;
	struct bin *b = xcalloc(1, sizeof *b);
	b->path = xstrdup(path);
	b->timeout_ms = s->opts.dwarf_timeout_ms;
	VEC_PUSH(s->bins, b);
	bool by_id = strncmp(path, "build-id:", 9) == 0;
	if (by_id)
		snprintf(b->why, sizeof b->why, "no file named, and no debug file %s",
			 build_id_ok(build_id ? build_id : "") ? "under the debug root"
							       : "(not a hex build id)");
	if (by_id || !file_open(&b->main, path, b->why, sizeof b->why)) {
		/* The debug file has the same program headers and symbols. */
		if (!build_id || !*build_id || !open_by_build_id(s, build_id, &b->main))
			return NULL;
	}
	if (!b->main.elf.has_dwarf && b->main.elf.build_id[0])
		open_by_build_id(s, b->main.elf.build_id, &b->debug);
	return b;
}

/* Reads the binary's DWARF once, from the debug file when it has one. A
 * file whose DWARF fails the header checks never reaches libdwarf, which
 * does not survive some malformed sections (see elf_check_dwarf). */
static const struct mt_dwarf *bin_dwarf(struct bin *b)
{
	if (!b->dwarf_tried) {
		b->dwarf_tried = true;
		struct elf_file *f = b->debug.ok && b->debug.elf.has_dwarf ? &b->debug
				     : b->main.elf.has_dwarf          ? &b->main
									: NULL;
		struct mt_err e;
		enum mt_status st = MT_OK;
		if (f && elf_check_dwarf(&f->elf, &e) != MT_OK)
			snprintf(b->dwarf_why, sizeof b->dwarf_why, "%.190s", e.msg);
		else if (f && (st = dwarf_sym_load(&b->dw, f->fd, b->timeout_ms, &e)) == MT_OK)
			b->has_dwarf = true;
		else if (f) {
			dwarf_sym_done(&b->dw);
			if (st != MT_ERR_NOTFOUND)
				snprintf(b->dwarf_why, sizeof b->dwarf_why, "%.190s", e.msg);
		}
	}
	return b->has_dwarf ? &b->dw : NULL;
}

/* A resolved frame before it is copied anywhere. */
struct raw_frame {
	const char *name, *sysname, *file;
	uint32_t line;
};

/* The name pprof shows for an ELF symbol (C++ demangled), cached. */
static const char *sym_name(struct bin *b, const struct mt_elf *elf,
			    const struct mt_elf_sym *sym)
{
	char ***dm = elf == &b->main.elf ? &b->dm_main : &b->dm_debug;
	if (!*dm)
		*dm = xcalloc(elf->syms.n, sizeof **dm);
	size_t i = (size_t)(sym - elf->syms.v);
	if (!(*dm)[i]) {
		char *d = dwarf_sym_demangle(sym->name);
		(*dm)[i] = d ? d : xstrdup(sym->name);
	}
	return (*dm)[i];
}

/* Resolves an ELF virtual address: DWARF first, symbols where DWARF has no
 * function. Returns the number of frames, innermost first. */
static size_t resolve_frames(struct bin *b, uint64_t vaddr, struct raw_frame *out)
{
	const struct mt_dwarf *dw = bin_dwarf(b);
	struct mt_dwarf_frame fr[MT_DWARF_MAX_DEPTH];
	size_t n = 0;
	fr[0] = (struct mt_dwarf_frame){0};
	if (dw)
		n = dwarf_sym_lookup(dw, vaddr, fr);
	for (size_t i = 0; i < n; i++)
		out[i] = (struct raw_frame){strtab_get(&dw->strs, fr[i].name),
					    strtab_get(&dw->strs, fr[i].sysname),
					    strtab_get(&dw->strs, fr[i].file), fr[i].line};
	if (n && out[n - 1].name[0])
		return n;
	const struct mt_elf_sym *sym = NULL;
	const struct mt_elf *elf = NULL;
	if (b->debug.ok && (sym = elf_sym_lookup(&b->debug.elf, vaddr)))
		elf = &b->debug.elf;
	else if ((sym = elf_sym_lookup(&b->main.elf, vaddr)))
		elf = &b->main.elf;
	if (!sym)
		return n;
	if (n) { /* DWARF knew the frames but not the outer name */
		out[n - 1].name = sym_name(b, elf, sym);
		out[n - 1].sysname = sym->name;
		return n;
	}
	out[0] = (struct raw_frame){sym_name(b, elf, sym), sym->name,
				    dw ? strtab_get(&dw->strs, fr[0].file) : "", fr[0].line};
	return 1;
}

/* A symbol's name as `nm -D -C` prints it (demangled in full, then its
 * version: name@@V, or name@V for a version not the default) and
 * google-pprof's short form of that (ShortFunctionName: no parameters, no
 * template arguments, the version kept), cached per symbol of main.elf. */
static void nm_names(struct bin *b, const struct mt_elf_sym *sym, const char **full,
		     const char **shrt)
{
	const struct mt_elf *elf = &b->main.elf;
	if (!b->nm_full) {
		b->nm_full = xcalloc(elf->syms.n, sizeof *b->nm_full);
		b->nm_short = xcalloc(elf->syms.n, sizeof *b->nm_short);
	}
	size_t i = (size_t)(sym - elf->syms.v);
	if (!b->nm_full[i]) {
		char ver[256] = "";
		if (sym->version)
			snprintf(ver, sizeof ver, "%s%s", sym->hidden ? "@" : "@@",
				 sym->version);
		char *dm = dwarf_sym_demangle_full(sym->name);
		const char *sn = sym_name(b, elf, sym);
		size_t nf = strlen(dm ? dm : sym->name) + strlen(ver) + 1;
		b->nm_full[i] = xmalloc(nf);
		snprintf(b->nm_full[i], nf, "%s%s", dm ? dm : sym->name, ver);
		b->nm_short[i] = xmalloc(strlen(sn) + strlen(ver) + 1);
		snprintf(b->nm_short[i], strlen(sn) + strlen(ver) + 1, "%s%s", sn, ver);
		free(dm);
	}
	*full = b->nm_full[i];
	*shrt = b->nm_short[i];
}

/* The frames google-pprof and jeprof, the oracles of tcmalloc and jemalloc
 * heaps, show for an address. They read names from addr2line, with -i (all
 * inlined frames) only when nm lists _fini, which they use to mark the end
 * of an address's frames: a library without .symtab (libc, libstdc++) gets
 * the innermost frame alone. Where nm's symbol at the address (.symtab, else
 * .dynsym, versioned) starts with a frame's name, they show nm's name:
 * `std::__throw_ios_failure@@GLIBCXX_3.4.26`, `fopen@@GLIBC_2.2.5`. */
static size_t cheap_frames(struct bin *b, uint64_t vaddr, struct raw_frame *out,
			   size_t n)
{
	const struct mt_elf *elf = &b->main.elf;
	const struct mt_elf_sym *sym = elf_sym_lookup(elf, vaddr);
	if (n > 1 && !elf->nm_has_fini) {
		n = 1;
		if (!out[0].name[0] && sym) /* addr2line's "??": nm's name */
			out[0].name = out[0].sysname = sym->name;
	}
	if (!sym)
		return n;
	const char *full, *shrt;
	nm_names(b, sym, &full, &shrt);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(out[i].name);
		if (k && strncmp(full, out[i].name, k) == 0) {
			out[i].name = shrt;
			out[i].sysname = sym->name;
		}
	}
	return n;
}

/* resolve_frames, with the oracle's names in a C heap (cheap). */
static size_t bin_resolve(struct bin *b, uint64_t vaddr, struct raw_frame *out,
			  bool cheap)
{
	size_t n = resolve_frames(b, vaddr, out);
	return cheap ? cheap_frames(b, vaddr, out, n) : n;
}

int symbolize_vaddr(struct mt_symbolizer *s, const char *path, uint64_t vaddr,
		    struct mt_sym_frame *out)
{
	struct bin *b = bin_get(s, path, NULL);
	if (!b)
		return -1;
	struct raw_frame fr[MT_DWARF_MAX_DEPTH];
	size_t n = bin_resolve(b, vaddr, fr, false);
	for (size_t i = 0; i < n; i++)
		out[i] = (struct mt_sym_frame){fr[i].name, fr[i].file, fr[i].line};
	return (int)n;
}

bool symbolize_wanted(const struct profile *p)
{
	for (size_t i = 0; i < p->locations.n; i++)
		if (p->locations.v[i].nline == 0 && p->locations.v[i].address)
			return true;
	return false;
}

/* Functions by (name, file): open addressing over function indices + 1. */
struct fn_table {
	uint32_t *slots;
	size_t cap, n;
};

static uint64_t fn_hash(mt_str name, mt_str sys, mt_str file)
{
	return mt_hash_u64(((uint64_t)name << 32 | file) + 1) ^ mt_hash_u64(sys);
}

static void fn_insert(struct fn_table *t, const struct profile *p, uint32_t fi)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 256;
		uint32_t *ns = xcalloc(ncap, sizeof *ns);
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->slots[i])
				continue;
			const struct mt_function *f = &p->functions.v[t->slots[i] - 1];
			size_t j = fn_hash(f->name, f->system_name, f->filename) & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = t->slots[i];
		}
		free(t->slots);
		t->slots = ns;
		t->cap = ncap;
	}
	const struct mt_function *f = &p->functions.v[fi];
	size_t j = fn_hash(f->name, f->system_name, f->filename) & (t->cap - 1);
	while (t->slots[j])
		j = (j + 1) & (t->cap - 1);
	t->slots[j] = fi + 1;
	t->n++;
}

/* The function index of (name, system name, file), adding the function
 * when new; C++ overloads share a name but not a system name. */
static uint32_t fn_get(struct fn_table *t, struct profile *p, const char *name,
		       const char *sysname, const char *file)
{
	mt_str ns = strtab_intern(&p->strs, name, strlen(name));
	mt_str ss = *sysname ? strtab_intern(&p->strs, sysname, strlen(sysname)) : ns;
	mt_str fs = strtab_intern(&p->strs, file, strlen(file));
	if (t->cap) {
		size_t j = fn_hash(ns, ss, fs) & (t->cap - 1);
		for (; t->slots[j]; j = (j + 1) & (t->cap - 1)) {
			const struct mt_function *f = &p->functions.v[t->slots[j] - 1];
			if (f->name == ns && f->system_name == ss && f->filename == fs)
				return t->slots[j] - 1;
		}
	}
	uint32_t fi = (uint32_t)p->functions.n;
	struct mt_function f = {.id = p->functions.n + 1, .name = ns, .system_name = ss,
				.filename = fs};
	VEC_PUSH(p->functions, f);
	fn_insert(t, p, fi);
	return fi;
}

/* The ELF virtual address of a profile address in mapping m (NULL when the
 * profile has none for it). Executables are loaded at their link
 * addresses; shared objects and PIEs wherever the mapping says. */
static uint64_t to_vaddr(const struct bin *b, const struct mt_mapping *m, uint64_t addr)
{
	if (b->main.elf.exec || !m || (m->start == 0 && m->offset == 0))
		return addr;
	uint64_t off = addr - m->start + m->offset, va;
	return elf_offset_to_vaddr(&b->main.elf, off, &va) ? va : off;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* True for the allocator's own library (jemalloc, tcmalloc), whose shipped
 * builds name only their exported entry points. */
static bool allocator_lib(const char *file)
{
	const char *b = base_name(file);
	return strncmp(b, "libjemalloc.", 12) == 0 || strncmp(b, "libtcmalloc", 11) == 0;
}

/* Drops the leaf frames a heap profile records inside a stripped allocator
 * library: jeprof and pprof drop them by the name of the entry point (malloc,
 * calloc, ...) and everything before it, where the static functions inside
 * have no symbol of their own (or, from .dynsym, the name of whatever
 * exported function precedes them). */
static void drop_allocator_frames(struct profile *p)
{
	for (size_t si = 0; si < p->samples.n; si++) {
		struct mt_sample *sm = &p->samples.v[si];
		uint32_t k = 0;
		while (k < sm->nloc) {
			const struct mt_location *l = &p->locations.v[p->sample_locs.v[sm->loc0 + k]];
			if (l->mapping == MT_NONE ||
			    !allocator_lib(profile_str(p, p->mappings.v[l->mapping].file)))
				break;
			k++;
		}
		if (k < sm->nloc) { /* keep stacks that are all allocator */
			sm->loc0 += k;
			sm->nloc -= k;
		}
	}
}

/* Warns, once per binary, when its file (or its debug file) is shorter than
 * its headers say: symbols and DWARF past the cut are lost, silently
 * otherwise. */
static void cut_warning(struct bin *b, struct mt_warnings *w)
{
	if (b->warned_cut)
		return;
	b->warned_cut = true;
	const struct elf_file *f = b->main.elf.want > b->main.n     ? &b->main
				   : b->debug.ok && b->debug.elf.want > b->debug.n ? &b->debug
										  : NULL;
	if (!f)
		return;
	char msg[1024];
	snprintf(msg, sizeof msg,
		 "%s%s: truncated ELF file (%zu bytes, its headers describe %llu): symbols "
		 "past the cut are lost, frames may show as [%s]",
		 f == &b->debug ? "the debug file of " : "", b->path, f->n,
		 (unsigned long long)f->elf.want, base_name(b->path));
	VEC_PUSH(w->v, xstrdup(msg));
}

enum mt_status symbolize_profile(struct mt_symbolizer *s, struct profile *p,
				 struct mt_warnings *w, struct mt_err *e)
{
	if (p->mappings.n >= UINT32_MAX)
		return mt_errf(e, MT_ERR_LIMIT, "too many mappings");
	struct fn_table ft = {0};
	for (size_t i = 0; i < p->functions.n; i++)
		fn_insert(&ft, p, (uint32_t)i);
	bool *resolved = xcalloc(p->mappings.n + 1, sizeof *resolved);
	size_t missing_locs = 0, missing_bins = 0;
	const struct bin *first_missing = NULL;
	char first_path[256] = "";
	VEC(char *) missing = {0}; /* copies: p->strs may move */
	VEC(const struct bin *) bad_dwarf = {0};
	struct raw_frame fr[MT_DWARF_MAX_DEPTH];
	/* tcmalloc and jemalloc heaps agree with google-pprof and jeprof, the
	 * tools made for them, in the names of frames too. */
	bool cheap =
		p->format == MT_FMT_TCMALLOC_HEAP || p->format == MT_FMT_JEMALLOC_HEAP;

	for (size_t li = 0; li < p->locations.n; li++) {
		struct mt_location *loc = &p->locations.v[li];
		if (loc->nline || !loc->address)
			continue;
		if (loc->mapping != MT_NONE && loc->mapping >= p->mappings.n) {
			free(resolved);
			free(ft.slots);
			for (size_t i = 0; i < missing.n; i++)
				free(missing.v[i]);
			free(missing.v);
			free(bad_dwarf.v);
			return mt_errf(e, MT_ERR_CORRUPT, "location %zu: no such mapping", li);
		}
		const struct mt_mapping *m =
			loc->mapping == MT_NONE ? NULL : &p->mappings.v[loc->mapping];
		const char *file = m ? profile_str(p, m->file) : "";
		const char *bid = m ? profile_str(p, m->build_id) : "";
		const char *path = file;
		if (s->opts.binary && (!m || loc->mapping == 0 || !*file))
			path = s->opts.binary;
		struct bin *b = NULL;
		char key[128];
		if (*path && path[0] != '[')
			b = bin_get(s, path, bid);
		else if (*bid) {
			snprintf(key, sizeof key, "build-id:%s", bid);
			b = bin_get(s, key, bid);
			path = key;
		} else {
			continue; /* nothing names a file: not worth a warning */
		}
		if (!b) {
			missing_locs++;
			bool seen = false;
			for (size_t i = 0; i < missing.n && !seen; i++)
				seen = strcmp(missing.v[i], path) == 0;
			if (!seen) {
				VEC_PUSH(missing, xstrdup(path));
				missing_bins++;
				if (!first_missing) {
					for (size_t i = 0; i < s->bins.n; i++)
						if (strcmp(s->bins.v[i]->path, path) == 0)
							first_missing = s->bins.v[i];
					snprintf(first_path, sizeof first_path, "%s", path);
				}
			}
			continue;
		}
		cut_warning(b, w);
		size_t n = bin_resolve(b, to_vaddr(b, m, loc->address), fr, cheap);
		if (b->dwarf_why[0]) {
			bool seen = false;
			for (size_t i = 0; i < bad_dwarf.n && !seen; i++)
				seen = bad_dwarf.v[i] == b;
			if (!seen)
				VEC_PUSH(bad_dwarf, b);
		}
		if (n == 0)
			continue;
		loc->line0 = (uint32_t)p->lines.n;
		loc->nline = (uint32_t)n;
		for (size_t i = 0; i < n; i++) {
			struct mt_line ln = {.func = fn_get(&ft, p, fr[i].name[0] ? fr[i].name : "??",
							    fr[i].name[0] ? fr[i].sysname : "",
							    fr[i].file),
					     .line = fr[i].line};
			VEC_PUSH(p->lines, ln);
		}
		resolved[loc->mapping == MT_NONE ? p->mappings.n : loc->mapping] = true;
	}
	for (size_t i = 0; i < p->mappings.n; i++) {
		struct mt_mapping *m = &p->mappings.v[i];
		if (resolved[i])
			m->has_functions = m->has_filenames = m->has_line_numbers =
				m->has_inline_frames = true;
	}
	if (missing_bins) {
		char msg[1024], more[64] = "";
		if (missing_bins > 1)
			snprintf(more, sizeof more, " and %zu other binar%s", missing_bins - 1,
				 missing_bins == 2 ? "y" : "ies");
		/* A mapping without a file shows as <unknown>, not its key. */
		bool by_id = strncmp(first_path, "build-id:", 9) == 0;
		snprintf(msg, sizeof msg,
			 "%zu address%s not symbolized: cannot open %s (%s)%s; frames show as "
			 "%s%s%s%s",
			 missing_locs, missing_locs == 1 ? "" : "es", first_path,
			 first_missing && first_missing->why[0] ? first_missing->why : "unreadable",
			 more, by_id ? "" : "[", by_id ? "<unknown>" : base_name(first_path),
			 by_id ? "" : "]",
			 s->opts.binary ? "" : " (give the executable with --binary PATH)");
		VEC_PUSH(w->v, xstrdup(msg));
	}
	for (size_t i = 0; i < bad_dwarf.n; i++) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s: malformed DWARF, names from ELF symbols only: %s",
			 bad_dwarf.v[i]->path, bad_dwarf.v[i]->dwarf_why);
		VEC_PUSH(w->v, xstrdup(msg));
	}
	free(bad_dwarf.v);
	bool any = false;
	for (size_t i = 0; i <= p->mappings.n; i++)
		any |= resolved[i];
	if (p->drop_frames)
		drop_allocator_frames(p);
	for (size_t i = 0; i < missing.n; i++)
		free(missing.v[i]);
	free(missing.v);
	free(resolved);
	free(ft.slots);
	/* The allocator's own frames only get names now: drop them as pprof
	 * does after symbolizing (drop_frames/keep_frames of the reader). */
	return any ? profile_prune(p, e) : MT_OK;
}
