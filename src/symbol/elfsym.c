/* elfsym.c - ELF headers, segments, build id and function symbols, read
 * from memory with every offset checked. */
#include "symbol/elfsym.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
	ET_EXEC_ = 2,
	PT_LOAD_ = 1,
	SHT_SYMTAB_ = 2,
	SHT_NOTE_ = 7,
	SHT_DYNSYM_ = 11,
	SHT_GNU_VERDEF_ = 0x6ffffffd,
	SHT_GNU_VERSYM_ = 0x6fffffff,
	STT_NOTYPE_ = 0,
	STT_FUNC_ = 2,
	STT_GNU_IFUNC_ = 10,
	STB_LOCAL_ = 0,
	NT_GNU_BUILD_ID_ = 3,
	SHF_COMPRESSED_ = 0x800,
	ELFCOMPRESS_ZLIB_ = 1,
};

/* The suffix after ".debug_" (or ".zdebug_") of each checked section. */
static const char *const dbg_names[MT_DBG_N] = {
	[MT_DBG_INFO] = "info",
	[MT_DBG_RNGLISTS] = "rnglists",
	[MT_DBG_LOCLISTS] = "loclists",
	[MT_DBG_ADDR] = "addr",
	[MT_DBG_STR_OFFSETS] = "str_offsets",
};

/* A compressed debug section larger than this inflated is not checked but
 * refused: libdwarf would have to hold it in memory too. */
#define DBG_MAX_INFLATED ((uint64_t)1 << 30)

/* Symbols read from one file are bounded by its size, but a sane cap keeps
 * a hostile symbol count from costing a long sort. */
#define ELF_MAX_SYMS (1u << 24)

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* True when [off, off+len) lies inside n bytes, without overflow. */
static bool in_bounds(size_t n, uint64_t off, uint64_t len)
{
	return off <= n && len <= n - off;
}

struct shdr {
	uint32_t name, type;
	uint64_t flags, offset, size, link, entsize;
};

static bool read_shdr(const struct mt_elf *elf, uint64_t shoff, uint16_t shentsize,
		      uint32_t i, struct shdr *s)
{
	uint64_t at = shoff + (uint64_t)i * shentsize;
	if (shentsize < 64 || !in_bounds(elf->n, at, 64))
		return false;
	const uint8_t *p = elf->d + at;
	s->name = rd32(p);
	s->type = rd32(p + 4);
	s->flags = rd64(p + 8);
	s->offset = rd64(p + 24);
	s->size = rd64(p + 32);
	s->link = rd32(p + 40);
	s->entsize = rd64(p + 56);
	return true;
}

/* Prefer, at one address, a symbol with a size, then the shorter name
 * (aliases such as __GI_x and x), then the default version. */
static int sym_cmp(const void *a, const void *b)
{
	const struct mt_elf_sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if ((x->size != 0) != (y->size != 0))
		return x->size ? -1 : 1;
	size_t lx = strlen(x->name), ly = strlen(y->name);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->hidden != y->hidden)
		return x->hidden ? 1 : -1;
	return strcmp(x->version ? x->version : "", y->version ? y->version : "");
}

/* The names of a .gnu.version_d section by version index (vd_ndx), for
 * the symbols of .dynsym; n slots. */
struct verdefs {
	const char **name;
	size_t n;
};

/* Reads the version definitions of section vd (strings in str). */
static void read_verdefs(const struct mt_elf *elf, const struct shdr *vd,
			 const struct shdr *str, struct verdefs *v)
{
	memset(v, 0, sizeof *v);
	if (!in_bounds(elf->n, vd->offset, vd->size) ||
	    !in_bounds(elf->n, str->offset, str->size) || str->size == 0 ||
	    elf->d[str->offset + str->size - 1] != '\0')
		return;
	const char *strs = (const char *)elf->d + str->offset;
	uint64_t off = 0;
	/* Each entry links to the next; a count bounds a cycle. */
	for (int k = 0; k < 0x8000 && off <= vd->size && vd->size - off >= 20; k++) {
		const uint8_t *p = elf->d + vd->offset + off;
		uint16_t ndx = rd16(p + 4) & 0x7fff, cnt = rd16(p + 6);
		uint32_t aux = rd32(p + 12), next = rd32(p + 16);
		if (cnt && aux <= vd->size - off && vd->size - off - aux >= 8) {
			uint32_t name = rd32(elf->d + vd->offset + off + aux);
			if (name < str->size) {
				if (ndx >= v->n) {
					size_t nn = (size_t)ndx + 1;
					size_t sz = sizeof *v->name;
					v->name = xrealloc(v->name, nn * sz);
					memset(v->name + v->n, 0, (nn - v->n) * sz);
					v->n = nn;
				}
				v->name[ndx] = strs + name;
			}
		}
		if (!next)
			break;
		off += next;
	}
}

/* True when section i holds code: untyped symbols there are assembly
 * entry points such as _dl_start_user, which nm (and so pprof) shows. */
static bool code_section(const struct mt_elf *elf, uint64_t shoff, uint16_t shentsize,
			 uint16_t shnum, uint16_t i)
{
	struct shdr s;
	return i < shnum && read_shdr(elf, shoff, shentsize, i, &s) && (s.flags & 4);
}

/* Adds the function symbols of one SHT_SYMTAB/SHT_DYNSYM section, with
 * their versions where versym (one 16-bit index per symbol) and verdefs
 * give them; notes whether _fini is among all its symbols. */
static void read_syms(struct mt_elf *elf, const struct shdr *sym, const struct shdr *str,
		      const struct shdr *versym, const struct verdefs *vd,
		      uint64_t shoff, uint16_t shentsize, uint16_t shnum, bool *fini)
{
	if (sym->entsize != 24 || !in_bounds(elf->n, sym->offset, sym->size) ||
	    !in_bounds(elf->n, str->offset, str->size) || str->size == 0)
		return;
	const char *strs = (const char *)elf->d + str->offset;
	if (strs[str->size - 1] != '\0')
		return; /* names could run past the section */
	uint64_t count = sym->size / 24;
	for (uint64_t i = 1; i < count && elf->syms.n < ELF_MAX_SYMS; i++) {
		const uint8_t *p = elf->d + sym->offset + i * 24;
		uint32_t name = rd32(p);
		uint8_t info = p[4];
		uint16_t shndx = rd16(p + 6);
		uint64_t value = rd64(p + 8), size = rd64(p + 16);
		uint8_t type = info & 0xf;
		if (shndx == 0 || value == 0 || name == 0 || name >= str->size)
			continue;
		if (strcmp(strs + name, "_fini") == 0)
			*fini = true;
		if (type == STT_NOTYPE_) {
			const char *nm = strs + name;
			if (nm[0] == '.' || nm[0] == '$' ||
			    !code_section(elf, shoff, shentsize, shnum, shndx))
				continue;
		} else if (type != STT_FUNC_ && type != STT_GNU_IFUNC_) {
			continue;
		}
		struct mt_elf_sym s = {.addr = value, .size = size, .name = strs + name};
		if (versym && in_bounds(elf->n, versym->offset, versym->size) &&
		    i < versym->size / 2) {
			uint16_t ver = rd16(elf->d + versym->offset + 2 * i);
			uint16_t ndx = ver & 0x7fff;
			/* 0 local and 1 global carry no version name. */
			if (ndx >= 2 && ndx < vd->n && vd->name[ndx] &&
			    strcmp(vd->name[ndx], s.name) != 0) {
				s.version = vd->name[ndx];
				s.hidden = ver & 0x8000;
			}
		}
		VEC_PUSH(elf->syms, s);
	}
}

/* Records a section named .debug_X, .zdebug_X or either with .dwo for X
 * one of dbg_names; room bounds the name inside the string table. */
static void note_dbg_sect(struct mt_elf *elf, const struct shdr *s, const char *nm,
			  size_t room)
{
	size_t len = strnlen(nm, room);
	if (len == room)
		return; /* unterminated */
	bool z = strncmp(nm, ".zdebug_", 8) == 0;
	if (!z && strncmp(nm, ".debug_", 7) != 0)
		return;
	const char *x = nm + (z ? 8 : 7);
	size_t xl = strlen(x);
	if (xl > 4 && strcmp(x + xl - 4, ".dwo") == 0)
		xl -= 4;
	for (int k = 0; k < MT_DBG_N; k++) {
		if (strlen(dbg_names[k]) != xl || memcmp(dbg_names[k], x, xl) != 0)
			continue;
		struct mt_elf_sect d = {.kind = (enum mt_dbg_sect)k, .offset = s->offset,
					.size = s->size,
					.packing = s->flags & SHF_COMPRESSED_ ? 1 : z ? 2 : 0};
		VEC_PUSH(elf->dbg, d);
		if (k == MT_DBG_INFO && x + xl == nm + len) /* not .dwo */
			elf->has_dwarf |= s->size > 0;
	}
}

/* Finds NT_GNU_BUILD_ID in a note section. */
static void read_build_id(struct mt_elf *elf, const struct shdr *s)
{
	if (!in_bounds(elf->n, s->offset, s->size))
		return;
	const uint8_t *p = elf->d + s->offset, *end = p + s->size;
	while (end - p >= 12) {
		uint32_t namesz = rd32(p), descsz = rd32(p + 4), type = rd32(p + 8);
		uint64_t nal = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t dal = ((uint64_t)descsz + 3) & ~3ull;
		if (nal > (uint64_t)(end - p - 12) || dal > (uint64_t)(end - p - 12) - nal)
			return;
		const uint8_t *desc = p + 12 + nal;
		if (type == NT_GNU_BUILD_ID_ && namesz == 4 && memcmp(p + 12, "GNU", 4) == 0 &&
		    descsz > 0 && descsz <= 40) {
			static const char hex[] = "0123456789abcdef";
			for (uint32_t i = 0; i < descsz; i++) {
				elf->build_id[2 * i] = hex[desc[i] >> 4];
				elf->build_id[2 * i + 1] = hex[desc[i] & 15];
			}
			elf->build_id[2 * descsz] = '\0';
			return;
		}
		p += 12 + nal + dal;
	}
}

enum mt_status elf_open_mem(struct mt_elf *elf, const uint8_t *d, size_t n,
			    struct mt_err *e)
{
	memset(elf, 0, sizeof *elf);
	elf->d = d;
	elf->n = n;
	if (n < 64 || memcmp(d, "\177ELF", 4) != 0)
		return mt_errf(e, MT_ERR_FORMAT, "not an ELF file");
	if (d[4] != 2 || d[5] != 1)
		return mt_errf(e, MT_ERR_FORMAT, "not a 64-bit little-endian ELF file");
	elf->exec = rd16(d + 16) == ET_EXEC_;
	uint64_t phoff = rd64(d + 32), shoff = rd64(d + 40);
	uint16_t phentsize = rd16(d + 54), phnum = rd16(d + 56);
	uint16_t shentsize = rd16(d + 58), shnum = rd16(d + 60), shstrndx = rd16(d + 62);

	if (phnum && (phentsize < 56 || !in_bounds(n, phoff, (uint64_t)phnum * phentsize)))
		return mt_errf(e, MT_ERR_CORRUPT, "program headers out of bounds (at byte %llu)",
			       (unsigned long long)phoff);
	/* How long the file should be: its section headers and every loaded
	 * segment inside it (sums of 64-bit fields from the file, saturated). */
	elf->want = phoff + (uint64_t)phnum * phentsize; /* in bounds: checked above */
	if (shnum && shoff < UINT64_MAX - (uint64_t)shnum * shentsize &&
	    shoff + (uint64_t)shnum * shentsize > elf->want)
		elf->want = shoff + (uint64_t)shnum * shentsize;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *p = d + phoff + (uint64_t)i * phentsize;
		if (rd32(p) != PT_LOAD_)
			continue;
		struct mt_elf_seg s = {.offset = rd64(p + 8), .vaddr = rd64(p + 16),
				       .filesz = rd64(p + 32), .memsz = rd64(p + 40)};
		VEC_PUSH(elf->segs, s);
		if (s.offset < UINT64_MAX - s.filesz && s.offset + s.filesz > elf->want)
			elf->want = s.offset + s.filesz;
	}

	struct shdr shstr;
	if (shnum == 0 || !read_shdr(elf, shoff, shentsize, shstrndx, &shstr) ||
	    !in_bounds(n, shstr.offset, shstr.size))
		return MT_OK; /* no sections: segments only */
	const char *names = (const char *)d + shstr.offset;
	/* Symbol versions first: they belong to .dynsym, wherever it is. */
	struct shdr versym = {0}, vdsec;
	struct verdefs vd = {0};
	bool have_versym = false;
	for (uint32_t i = 0; i < shnum; i++) {
		struct shdr s, link;
		if (!read_shdr(elf, shoff, shentsize, i, &s))
			break;
		if (s.type == SHT_SYMTAB_)
			elf->has_symtab = true;
		if (s.type == SHT_GNU_VERSYM_) {
			versym = s;
			have_versym = true;
		}
		if (s.type == SHT_GNU_VERDEF_ && !vd.n && s.link < shnum &&
		    read_shdr(elf, shoff, shentsize, (uint32_t)s.link, &link)) {
			vdsec = s;
			read_verdefs(elf, &vdsec, &link, &vd);
		}
	}
	bool fini_symtab = false, fini_dynsym = false;
	for (uint32_t i = 0; i < shnum; i++) {
		struct shdr s, link;
		if (!read_shdr(elf, shoff, shentsize, i, &s))
			break;
		if (s.name < shstr.size)
			note_dbg_sect(elf, &s, names + s.name, shstr.size - s.name);
		if (s.type == SHT_NOTE_ && !elf->build_id[0])
			read_build_id(elf, &s);
		bool dyn = s.type == SHT_DYNSYM_;
		const struct shdr *vs = dyn && have_versym ? &versym : NULL;
		if ((s.type == SHT_SYMTAB_ || dyn) && s.link < shnum &&
		    read_shdr(elf, shoff, shentsize, (uint32_t)s.link, &link))
			read_syms(elf, &s, &link, vs, &vd, shoff, shentsize, shnum,
				  dyn ? &fini_dynsym : &fini_symtab);
	}
	free(vd.name);
	/* nm reads .symtab, and .dynsym only when there is none. */
	elf->nm_has_fini = elf->has_symtab ? fini_symtab : fini_dynsym;
	if (elf->syms.n) {
		qsort(elf->syms.v, elf->syms.n, sizeof *elf->syms.v, sym_cmp);
		size_t k = 1;
		for (size_t i = 1; i < elf->syms.n; i++)
			if (elf->syms.v[i].addr != elf->syms.v[k - 1].addr)
				elf->syms.v[k++] = elf->syms.v[i];
		elf->syms.n = k;
	}
	return MT_OK;
}

void elf_done(struct mt_elf *elf)
{
	free(elf->segs.v);
	free(elf->syms.v);
	free(elf->dbg.v);
	memset(elf, 0, sizeof *elf);
}

bool elf_offset_to_vaddr(const struct mt_elf *elf, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < elf->segs.n; i++) {
		const struct mt_elf_seg *s = &elf->segs.v[i];
		if (off >= s->offset && off - s->offset < s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

const struct mt_elf_sym *elf_sym_lookup(const struct mt_elf *elf, uint64_t vaddr)
{
	size_t lo = 0, hi = elf->syms.n;
	while (lo < hi) { /* first symbol above vaddr */
		size_t mid = lo + (hi - lo) / 2;
		if (elf->syms.v[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct mt_elf_sym *s = &elf->syms.v[lo - 1];
	if (s->size && vaddr - s->addr >= s->size && elf->has_symtab)
		return NULL;
	return s;
}

/* Inflates a zlib stream into exactly want bytes (or, with prefix, its
 * first want bytes at most); NULL when the stream is bad or the size differs. */
static uint8_t *inflate_exact(const uint8_t *in, uint64_t n, uint64_t want, bool prefix,
			      uint64_t *got)
{
	if (n > UINT32_MAX || want == 0 || want > DBG_MAX_INFLATED)
		return NULL;
	uint8_t *out = xmalloc((size_t)want);
	z_stream z = {.next_in = (Bytef *)in, .avail_in = (uInt)n, .next_out = out,
		      .avail_out = (uInt)want};
	if (inflateInit(&z) != Z_OK) {
		free(out);
		return NULL;
	}
	int rc = inflate(&z, Z_FINISH);
	*got = want - z.avail_out;
	inflateEnd(&z);
	bool ok = prefix ? *got > 0 && (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK)
			 : rc == Z_STREAM_END && *got == want;
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

/* The bytes of a debug section as libdwarf will see them: the file's own
 * bytes, or inflated into *owned (freed by the caller). With max, only a
 * prefix of at most max bytes is wanted. NULL with e filled when the
 * section cannot be read. */
static const uint8_t *sect_bytes(const struct mt_elf *elf, const struct mt_elf_sect *s,
				 uint64_t max, uint64_t *n, uint8_t **owned, struct mt_err *e)
{
	*owned = NULL;
	if (!in_bounds(elf->n, s->offset, s->size)) {
		mt_errf(e, MT_ERR_CORRUPT, ".debug_%s section out of bounds (at byte %llu)",
			dbg_names[s->kind], (unsigned long long)s->offset);
		return NULL;
	}
	const uint8_t *p = elf->d + s->offset;
	uint64_t want = 0, hdr = 0;
	if (s->packing == 1 && s->size >= 24 && rd32(p) == ELFCOMPRESS_ZLIB_) {
		want = rd64(p + 8);
		hdr = 24;
	} else if (s->packing == 2 && s->size >= 12 && memcmp(p, "ZLIB", 4) == 0) {
		for (int i = 4; i < 12; i++)
			want = want << 8 | p[i];
		hdr = 12;
	} else if (s->packing == 1) {
		mt_errf(e, MT_ERR_CORRUPT, "compressed .debug_%s with an unknown header",
			dbg_names[s->kind]);
		return NULL;
	} else {
		*n = max && s->size > max ? max : s->size;
		return p;
	}
	uint64_t got = 0;
	bool prefix = max && want > max;
	*owned = inflate_exact(p + hdr, s->size - hdr, prefix ? max : want, prefix, &got);
	if (!*owned) {
		mt_errf(e, MT_ERR_CORRUPT, "compressed .debug_%s does not inflate to %llu bytes",
			dbg_names[s->kind], (unsigned long long)want);
		return NULL;
	}
	*n = got;
	return *owned;
}

/* Checks the units of one DWARF 5 section that starts every unit with a
 * header: .debug_rnglists/.debug_loclists (version, address size, segment
 * selector size, offset count), .debug_addr (version, address size, segment
 * selector size) and .debug_str_offsets (version, padding). */
static enum mt_status check_units(enum mt_dbg_sect kind, const uint8_t *d, uint64_t n,
				  struct mt_err *e)
{
	const char *nm = dbg_names[kind];
	uint64_t off = 0;
	while (off < n) {
		if (n - off < 4)
			return mt_errf(e, MT_ERR_CORRUPT,
				       ".debug_%s: truncated unit length (at byte %llu)", nm,
				       (unsigned long long)off);
		uint64_t len = rd32(d + off), osz = 4, hdr = 4;
		if (len == 0xffffffffu) {
			if (n - off < 12)
				return mt_errf(e, MT_ERR_CORRUPT,
					       ".debug_%s: truncated unit length (at byte %llu)",
					       nm, (unsigned long long)off);
			len = rd64(d + off + 4);
			osz = 8;
			hdr = 12;
		} else if (len >= 0xfffffff0u) {
			return mt_errf(e, MT_ERR_CORRUPT,
				       ".debug_%s: reserved unit length %#llx (at byte %llu)", nm,
				       (unsigned long long)len, (unsigned long long)off);
		}
		if (len > n - off - hdr)
			return mt_errf(e, MT_ERR_CORRUPT,
				       ".debug_%s: unit of %llu bytes runs past the section "
				       "(at byte %llu)",
				       nm, (unsigned long long)len, (unsigned long long)off);
		const uint8_t *u = d + off + hdr;
		uint64_t need = kind == MT_DBG_RNGLISTS || kind == MT_DBG_LOCLISTS ? 8 : 4;
		if (len < need)
			return mt_errf(e, MT_ERR_CORRUPT,
				       ".debug_%s: unit header truncated (at byte %llu)", nm,
				       (unsigned long long)off);
		unsigned version = rd16(u);
		if (version != 5)
			return mt_errf(e, MT_ERR_CORRUPT,
				       ".debug_%s: unit version %u, not 5 (at byte %llu)", nm,
				       version, (unsigned long long)off);
		if (kind != MT_DBG_STR_OFFSETS) {
			unsigned asz = u[2], seg = u[3];
			if ((asz != 4 && asz != 8) || seg != 0)
				return mt_errf(e, MT_ERR_CORRUPT,
					       ".debug_%s: address size %u, segment selector "
					       "size %u (at byte %llu)",
					       nm, asz, seg, (unsigned long long)off);
			if (kind == MT_DBG_ADDR && (len - 4) % asz != 0)
				return mt_errf(e, MT_ERR_CORRUPT,
					       ".debug_addr: unit of %llu bytes is not whole "
					       "addresses (at byte %llu)",
					       (unsigned long long)len, (unsigned long long)off);
			/* libdwarf sizes the offset array by the larger of the two. */
			uint64_t count = kind == MT_DBG_ADDR ? 0 : rd32(u + 4);
			uint64_t esz = asz > osz ? asz : osz;
			if (count > (len - 8) / esz)
				return mt_errf(e, MT_ERR_CORRUPT,
					       ".debug_%s: %llu offsets do not fit in a unit of "
					       "%llu bytes (at byte %llu)",
					       nm, (unsigned long long)count,
					       (unsigned long long)len, (unsigned long long)off);
		} else if ((len - 4) % osz != 0) {
			return mt_errf(e, MT_ERR_CORRUPT,
				       ".debug_str_offsets: unit of %llu bytes is not whole "
				       "offsets (at byte %llu)",
				       (unsigned long long)len, (unsigned long long)off);
		}
		off += hdr + len;
	}
	return MT_OK;
}

/* The version of the first unit of .debug_info, 0 when unreadable. */
static unsigned info_version(const struct mt_elf *elf, struct mt_err *e)
{
	unsigned v = 0;
	for (size_t i = 0; i < elf->dbg.n && !v; i++) {
		const struct mt_elf_sect *s = &elf->dbg.v[i];
		uint64_t n = 0;
		uint8_t *owned;
		if (s->kind != MT_DBG_INFO)
			continue;
		const uint8_t *d = sect_bytes(elf, s, 16, &n, &owned, e);
		if (d && n >= 6)
			v = rd32(d) == 0xffffffffu ? (n >= 14 ? rd16(d + 12) : 0) : rd16(d + 4);
		free(owned);
	}
	return v;
}

enum mt_status elf_check_dwarf(const struct mt_elf *elf, struct mt_err *e)
{
	/* .debug_addr and .debug_str_offsets have headers from DWARF 5 on;
	 * before, only split DWARF has them, headerless (GNU extensions). */
	bool v5 = info_version(elf, e) >= 5;
	for (size_t i = 0; i < elf->dbg.n; i++) {
		const struct mt_elf_sect *s = &elf->dbg.v[i];
		if (s->kind == MT_DBG_INFO ||
		    (!v5 && (s->kind == MT_DBG_ADDR || s->kind == MT_DBG_STR_OFFSETS)))
			continue;
		uint64_t n = 0;
		uint8_t *owned;
		const uint8_t *d = sect_bytes(elf, s, 0, &n, &owned, e);
		if (!d)
			return MT_ERR_CORRUPT;
		enum mt_status st = check_units(s->kind, d, n, e);
		free(owned);
		if (st)
			return st;
	}
	return MT_OK;
}
