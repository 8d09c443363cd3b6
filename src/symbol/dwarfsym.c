/* dwarfsym.c - reads a binary's DWARF with libdwarf into sorted line rows
 * and nested function/inlined-call ranges (see dwarfsym.h). */
#include "symbol/dwarfsym.h"

#include <errno.h>
#include <fcntl.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NONE UINT32_MAX
/* DIE nesting deeper than this is not real code; it stops runaway input. */
#define MAX_DIE_DEPTH 128
/* Specification/abstract-origin chains followed for a name. */
#define MAX_REF_DEPTH 8
/* Enclosing ranges walked in one lookup before giving up (corrupt nesting). */
#define MAX_WALK 256

/* A DIE's display name and linkage name (see struct mt_dwarf_scope). */
struct names {
	mt_str name, sys;
};

/* Offsets of DIEs whose names were already resolved: open addressing, key + 1. */
struct name_cache {
	uint64_t *keys;
	struct names *vals;
	size_t n, cap;
};

struct ctx {
	Dwarf_Debug dbg;
	struct mt_dwarf *d;
	struct name_cache names;
	uint64_t cu_base;
	Dwarf_Half cu_version;
	int line_version;
	mt_str *files; /* the unit's file table */
	Dwarf_Signed nfiles;
	VEC(struct mt_dwarf_range) tmp; /* ranges of one DIE */
};

/* libdwarf calls this only where no Dwarf_Error pointer was given: returning
 * makes the call fail with DW_DLV_ERROR instead of aborting the program. */
static void on_dwarf_error(Dwarf_Error err, Dwarf_Ptr arg)
{
	(void)err;
	(void)arg;
}

static void drop_err(struct ctx *c, Dwarf_Error *err)
{
	if (*err) {
		dwarf_dealloc(c->dbg, *err, DW_DLA_ERROR);
		*err = NULL;
		c->d->nerr++;
	}
}

static struct names *cache_slot(struct name_cache *nc, uint64_t off, bool *found)
{
	if (nc->n * 2 >= nc->cap) {
		size_t ncap = nc->cap ? nc->cap * 2 : 1024;
		uint64_t *nk = xcalloc(ncap, sizeof *nk);
		struct names *nv = xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < nc->cap; i++) {
			if (!nc->keys[i])
				continue;
			size_t j = mt_hash_u64(nc->keys[i]) & (ncap - 1);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = nc->keys[i];
			nv[j] = nc->vals[i];
		}
		free(nc->keys);
		free(nc->vals);
		nc->keys = nk;
		nc->vals = nv;
		nc->cap = ncap;
	}
	size_t j = mt_hash_u64(off + 1) & (nc->cap - 1);
	while (nc->keys[j] && nc->keys[j] != off + 1)
		j = (j + 1) & (nc->cap - 1);
	*found = nc->keys[j] != 0;
	if (!*found) {
		nc->keys[j] = off + 1;
		nc->vals[j] = (struct names){0};
		nc->n++;
	}
	return &nc->vals[j];
}

/* The global offset a reference attribute points at; false when absent. */
static bool ref_attr(struct ctx *c, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	int rc = dwarf_attr(die, at, &attr, &err);
	if (rc != DW_DLV_OK) {
		drop_err(c, &err);
		return false;
	}
	rc = dwarf_global_formref(attr, off, &err);
	drop_err(c, &err);
	dwarf_dealloc(c->dbg, attr, DW_DLA_ATTR);
	return rc == DW_DLV_OK;
}

static bool udata_attr(struct ctx *c, Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *v)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	int rc = dwarf_attr(die, at, &attr, &err);
	if (rc != DW_DLV_OK) {
		drop_err(c, &err);
		return false;
	}
	rc = dwarf_formudata(attr, v, &err);
	drop_err(c, &err);
	if (rc != DW_DLV_OK) {
		/* DWARF 5 DW_FORM_implicit_const (gcc's call_file): only
		 * dwarf_formsdata reads it in this libdwarf. */
		Dwarf_Signed sv = 0;
		rc = dwarf_formsdata(attr, &sv, &err);
		drop_err(c, &err);
		if (rc == DW_DLV_OK && sv < 0)
			rc = DW_DLV_NO_ENTRY;
		*v = (Dwarf_Unsigned)sv;
	}
	dwarf_dealloc(c->dbg, attr, DW_DLA_ATTR);
	return rc == DW_DLV_OK;
}

/* The string value of attribute at, or NULL. The string is libdwarf's
 * (inside the section), valid while dbg is open. */
static const char *str_attr(struct ctx *c, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute attr;
	Dwarf_Error err = NULL;
	if (dwarf_attr(die, at, &attr, &err) != DW_DLV_OK) {
		drop_err(c, &err);
		return NULL;
	}
	char *str = NULL;
	if (dwarf_formstring(attr, &str, &err) != DW_DLV_OK)
		str = NULL;
	drop_err(c, &err);
	dwarf_dealloc(c->dbg, attr, DW_DLA_ATTR);
	return str && *str ? str : NULL;
}

static struct names names_at(struct ctx *c, Dwarf_Off off, int depth);

/* A DIE's names: its linkage name (DW_AT_linkage_name, or gcc's older
 * DW_AT_MIPS_linkage_name), found on the DIE or along its abstract origin
 * and specification chain, demangled as pprof shows C++; else its own
 * DW_AT_name (C, Go), else the name along the chain. */
static struct names die_names(struct ctx *c, Dwarf_Die die, int depth)
{
	const char *link = str_attr(c, die, DW_AT_linkage_name);
	if (!link)
		link = str_attr(c, die, DW_AT_MIPS_linkage_name);
	if (link) {
		struct names r = {.sys = strtab_intern(&c->d->strs, link, strlen(link))};
		char *dm = dwarf_sym_demangle(link);
		r.name = dm ? strtab_intern(&c->d->strs, dm, strlen(dm)) : r.sys;
		free(dm);
		return r;
	}
	const char *own = NULL;
	char *s = NULL;
	Dwarf_Error err = NULL;
	if (dwarf_diename(die, &s, &err) == DW_DLV_OK && s && *s)
		own = s;
	drop_err(c, &err);
	struct names ref = {0};
	Dwarf_Off off;
	if (depth < MAX_REF_DEPTH && (ref_attr(c, die, DW_AT_abstract_origin, &off) ||
				      ref_attr(c, die, DW_AT_specification, &off)))
		ref = names_at(c, off, depth + 1);
	if (ref.sys != ref.name || !own)
		return ref; /* a linkage name along the chain, or no own name */
	mt_str id = strtab_intern(&c->d->strs, own, strlen(own));
	return (struct names){id, id};
}

/* The names of the DIE at a global offset, cached: inlined calls of one
 * function all point at the same abstract DIE. */
static struct names names_at(struct ctx *c, Dwarf_Off off, int depth)
{
	bool found;
	struct names *slot = cache_slot(&c->names, off, &found);
	if (found)
		return *slot;
	Dwarf_Die die;
	Dwarf_Error err = NULL;
	struct names r = {0};
	if (dwarf_offdie_b(c->dbg, off, 1, &die, &err) == DW_DLV_OK) {
		r = die_names(c, die, depth);
		dwarf_dealloc(c->dbg, die, DW_DLA_DIE);
	}
	drop_err(c, &err);
	/* The slot may have moved while resolving the chain. */
	*cache_slot(&c->names, off, &found) = r;
	return r;
}

static void push_range(struct ctx *c, uint64_t lo, uint64_t hi)
{
	if (lo < hi) {
		struct mt_dwarf_range r = {.lo = lo, .hi = hi, .scope = NONE, .outer = NONE};
		VEC_PUSH(c->tmp, r);
	}
}

/* DWARF 5 DW_AT_ranges: a .debug_rnglists list, addresses already cooked. */
static void rnglists(struct ctx *c, Dwarf_Attribute attr, Dwarf_Half form)
{
	Dwarf_Error err = NULL;
	Dwarf_Unsigned val = 0, count = 0, goff = 0;
	Dwarf_Off roff = 0;
	int rc;
	if (form == DW_FORM_rnglistx) {
		rc = dwarf_formudata(attr, &val, &err);
	} else {
		rc = dwarf_global_formref(attr, &roff, &err);
		val = roff;
	}
	if (rc != DW_DLV_OK) {
		drop_err(c, &err);
		return;
	}
	Dwarf_Rnglists_Head head = NULL;
	if (dwarf_rnglists_get_rle_head(attr, form, val, &head, &count, &goff, &err) !=
	    DW_DLV_OK) {
		drop_err(c, &err);
		return;
	}
	for (Dwarf_Unsigned i = 0; i < count; i++) {
		unsigned len = 0, code = 0;
		Dwarf_Unsigned r1, r2, c1 = 0, c2 = 0;
		Dwarf_Bool unavail = 0;
		if (dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &r1, &r2, &unavail,
						      &c1, &c2, &err) != DW_DLV_OK) {
			drop_err(c, &err);
			break;
		}
		if (code == DW_RLE_end_of_list)
			break;
		if (!unavail && code != DW_RLE_base_address && code != DW_RLE_base_addressx)
			push_range(c, c1, c2);
	}
	dwarf_dealloc_rnglists_head(head);
}

/* DWARF 2-4 DW_AT_ranges: a .debug_ranges list relative to the unit's base. */
static void debug_ranges(struct ctx *c, Dwarf_Die die, Dwarf_Attribute attr)
{
	Dwarf_Error err = NULL;
	Dwarf_Off off = 0, real = 0;
	if (dwarf_global_formref(attr, &off, &err) != DW_DLV_OK) {
		Dwarf_Unsigned u = 0;
		drop_err(c, &err);
		if (dwarf_formudata(attr, &u, &err) != DW_DLV_OK) {
			drop_err(c, &err);
			return;
		}
		off = u;
	}
	Dwarf_Ranges *rs = NULL;
	Dwarf_Signed n = 0;
	Dwarf_Unsigned bytes = 0;
	if (dwarf_get_ranges_b(c->dbg, off, die, &real, &rs, &n, &bytes, &err) != DW_DLV_OK) {
		drop_err(c, &err);
		return;
	}
	uint64_t base = c->cu_base;
	for (Dwarf_Signed i = 0; i < n; i++) {
		if (rs[i].dwr_type == DW_RANGES_END)
			break;
		if (rs[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = rs[i].dwr_addr2;
		else
			push_range(c, base + rs[i].dwr_addr1, base + rs[i].dwr_addr2);
	}
	dwarf_ranges_dealloc(c->dbg, rs, n);
}

/* Collects the address ranges of a DIE into c->tmp. */
static void die_ranges(struct ctx *c, Dwarf_Die die)
{
	c->tmp.n = 0;
	Dwarf_Error err = NULL;
	Dwarf_Addr lo = 0, hi = 0;
	Dwarf_Half form = 0;
	enum Dwarf_Form_Class cls = DW_FORM_CLASS_UNKNOWN;
	if (dwarf_lowpc(die, &lo, &err) == DW_DLV_OK) {
		if (dwarf_highpc_b(die, &hi, &form, &cls, &err) == DW_DLV_OK) {
			if (cls == DW_FORM_CLASS_CONSTANT)
				hi += lo;
			push_range(c, lo, hi);
		}
		drop_err(c, &err);
		return;
	}
	drop_err(c, &err);
	Dwarf_Attribute attr;
	if (dwarf_attr(die, DW_AT_ranges, &attr, &err) != DW_DLV_OK) {
		drop_err(c, &err);
		return;
	}
	if (dwarf_whatform(attr, &form, &err) == DW_DLV_OK) {
		if (c->cu_version >= 5)
			rnglists(c, attr, form);
		else
			debug_ranges(c, die, attr);
	}
	drop_err(c, &err);
	dwarf_dealloc(c->dbg, attr, DW_DLA_ATTR);
}

/* The file of a line-table or DW_AT_call_file index: DWARF 5 counts from 0,
 * earlier versions from 1. */
static mt_str file_of(const struct ctx *c, Dwarf_Unsigned i)
{
	if (c->line_version < 5) {
		if (i == 0)
			return 0;
		i--;
	}
	return (Dwarf_Signed)i < c->nfiles && i < (Dwarf_Unsigned)c->nfiles ? c->files[i] : 0;
}

/* Records a function or inlined call and its ranges; returns its scope. */
static uint32_t add_scope(struct ctx *c, Dwarf_Die die, Dwarf_Half tag, uint32_t parent)
{
	die_ranges(c, die);
	if (c->tmp.n == 0)
		return NONE;
	struct names nm = die_names(c, die, 0);
	struct mt_dwarf_scope s = {.name = nm.name, .sysname = nm.sys, .parent = NONE};
	if (tag == DW_TAG_inlined_subroutine && parent != NONE) {
		Dwarf_Unsigned v;
		s.parent = parent;
		if (udata_attr(c, die, DW_AT_call_file, &v))
			s.call_file = file_of(c, v);
		if (udata_attr(c, die, DW_AT_call_line, &v))
			s.call_line = v > UINT32_MAX - 1 ? 0 : (uint32_t)v;
	}
	uint32_t id = (uint32_t)c->d->scopes.n;
	VEC_PUSH(c->d->scopes, s);
	for (size_t i = 0; i < c->tmp.n; i++) {
		c->tmp.v[i].scope = id;
		VEC_PUSH(c->d->ranges, c->tmp.v[i]);
	}
	return id;
}

/* Walks the children of a DIE: functions, inlined calls, and the blocks and
 * namespaces that can hold them. */
static void walk(struct ctx *c, Dwarf_Die parent_die, uint32_t scope, int depth)
{
	if (depth > MAX_DIE_DEPTH)
		return;
	Dwarf_Die die = NULL;
	Dwarf_Error err = NULL;
	if (dwarf_child(parent_die, &die, &err) != DW_DLV_OK) {
		drop_err(c, &err);
		return;
	}
	while (die) {
		Dwarf_Half tag = 0;
		if (dwarf_tag(die, &tag, &err) == DW_DLV_OK) {
			switch (tag) {
			case DW_TAG_subprogram:
			case DW_TAG_inlined_subroutine: {
				uint32_t s = add_scope(c, die, tag,
						       tag == DW_TAG_subprogram ? NONE : scope);
				if (s != NONE)
					walk(c, die, s, depth + 1);
				break;
			}
			case DW_TAG_lexical_block:
			case DW_TAG_namespace:
			case DW_TAG_module:
			case DW_TAG_try_block:
			case DW_TAG_catch_block:
				walk(c, die, scope, depth + 1);
				break;
			default:
				break;
			}
		}
		drop_err(c, &err);
		Dwarf_Die next = NULL;
		int rc = dwarf_siblingof_b(c->dbg, die, 1, &next, &err);
		drop_err(c, &err);
		dwarf_dealloc(c->dbg, die, DW_DLA_DIE);
		die = rc == DW_DLV_OK ? next : NULL;
	}
}

/* Reads the unit's file table and line rows. */
static void read_lines(struct ctx *c, Dwarf_Die cu)
{
	Dwarf_Error err = NULL;
	char **files = NULL;
	Dwarf_Signed nf = 0;
	c->nfiles = 0;
	if (dwarf_srcfiles(cu, &files, &nf, &err) == DW_DLV_OK) {
		c->files = xrealloc(c->files, (size_t)(nf > 0 ? nf : 1) * sizeof *c->files);
		for (Dwarf_Signed i = 0; i < nf; i++) {
			c->files[i] = files[i] ? strtab_intern(&c->d->strs, files[i],
							       strlen(files[i]))
					       : 0;
			dwarf_dealloc(c->dbg, files[i], DW_DLA_STRING);
		}
		dwarf_dealloc(c->dbg, files, DW_DLA_LIST);
		c->nfiles = nf;
	}
	drop_err(c, &err);

	Dwarf_Unsigned ver = 0;
	Dwarf_Small tables = 0;
	Dwarf_Line_Context lc = NULL;
	if (dwarf_srclines_b(cu, &ver, &tables, &lc, &err) != DW_DLV_OK) {
		drop_err(c, &err);
		return;
	}
	c->line_version = (int)ver;
	Dwarf_Line *lines = NULL;
	Dwarf_Signed nl = 0;
	if (dwarf_srclines_from_linecontext(lc, &lines, &nl, &err) == DW_DLV_OK) {
		VEC_RESERVE(c->d->rows, c->d->rows.n + (size_t)(nl > 0 ? nl : 0));
		for (Dwarf_Signed i = 0; i < nl; i++) {
			Dwarf_Addr a = 0;
			Dwarf_Unsigned ln = 0, fno = 0;
			Dwarf_Bool end = 0;
			if (dwarf_lineaddr(lines[i], &a, &err) != DW_DLV_OK ||
			    dwarf_lineno(lines[i], &ln, &err) != DW_DLV_OK ||
			    dwarf_line_srcfileno(lines[i], &fno, &err) != DW_DLV_OK ||
			    dwarf_lineendsequence(lines[i], &end, &err) != DW_DLV_OK) {
				drop_err(c, &err);
				continue;
			}
			struct mt_dwarf_row r = {
				.addr = a,
				.file = end ? 0 : file_of(c, fno),
				.line = end ? UINT32_MAX : ln >= UINT32_MAX ? 0 : (uint32_t)ln};
			VEC_PUSH(c->d->rows, r);
		}
	}
	drop_err(c, &err);
	dwarf_srclines_dealloc_b(lc);
}

/* At one address, an end of sequence sorts before the row that starts the
 * next sequence there, so that the lookup finds the start. */
static int row_cmp(const void *a, const void *b)
{
	const struct mt_dwarf_row *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	bool ex = x->line == UINT32_MAX, ey = y->line == UINT32_MAX;
	return ex == ey ? 0 : ex ? -1 : 1;
}

/* Outer ranges first: by start, then by end descending, then parents (lower
 * scope ids) before the calls inlined into them. */
static int range_cmp(const void *a, const void *b)
{
	const struct mt_dwarf_range *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->scope < y->scope ? -1 : x->scope > y->scope;
}

/* Links each range to the nearest earlier range that still covers its start. */
static void link_ranges(struct mt_dwarf *d)
{
	VEC(uint32_t) stack = {0};
	for (size_t i = 0; i < d->ranges.n; i++) {
		struct mt_dwarf_range *r = &d->ranges.v[i];
		while (stack.n && d->ranges.v[stack.v[stack.n - 1]].hi <= r->lo)
			stack.n--;
		r->outer = stack.n ? stack.v[stack.n - 1] : NONE;
		VEC_PUSH(stack, (uint32_t)i);
	}
	free(stack.v);
}

/* Reads the DWARF in this process; see dwarf_sym_load for why that is only
 * done in a child. */
static enum mt_status load_here(struct mt_dwarf *d, int fd, struct mt_err *e)
{
	memset(d, 0, sizeof *d);
	strtab_init(&d->strs);
	struct ctx c = {.d = d};
	Dwarf_Error err = NULL;
	int rc = dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, on_dwarf_error, NULL,
			      &c.dbg, &err);
	if (rc != DW_DLV_OK) {
		const char *msg = rc == DW_DLV_ERROR && err ? dwarf_errmsg(err) : NULL;
		enum mt_status st =
			rc == DW_DLV_NO_ENTRY
				? mt_errf(e, MT_ERR_NOTFOUND, "no DWARF")
				: mt_errf(e, MT_ERR_FORMAT, "unreadable DWARF: %s",
					  msg ? msg : "libdwarf failed");
		if (err)
			dwarf_dealloc(NULL, err, DW_DLA_ERROR);
		return st;
	}
	for (;;) {
		Dwarf_Unsigned hlen = 0, toff = 0, next = 0;
		Dwarf_Half ver = 0, asz = 0, lsz = 0, esz = 0, utype = 0;
		Dwarf_Off aoff = 0;
		Dwarf_Sig8 sig;
		rc = dwarf_next_cu_header_d(c.dbg, 1, &hlen, &ver, &aoff, &asz, &lsz, &esz, &sig,
					    &toff, &next, &utype, &err);
		if (rc != DW_DLV_OK) {
			drop_err(&c, &err);
			break;
		}
		Dwarf_Die cu = NULL;
		if (dwarf_siblingof_b(c.dbg, NULL, 1, &cu, &err) != DW_DLV_OK) {
			drop_err(&c, &err);
			continue;
		}
		d->ncu++;
		c.cu_version = ver;
		c.line_version = ver;
		Dwarf_Addr base = 0;
		c.cu_base = dwarf_lowpc(cu, &base, &err) == DW_DLV_OK ? base : 0;
		drop_err(&c, &err);
		read_lines(&c, cu);
		walk(&c, cu, NONE, 0);
		dwarf_dealloc(c.dbg, cu, DW_DLA_DIE);
	}
	dwarf_finish(c.dbg, &err);
	if (err)
		dwarf_dealloc(NULL, err, DW_DLA_ERROR);
	free(c.files);
	free(c.names.keys);
	free(c.names.vals);
	free(c.tmp.v);
	return MT_OK;
}

/* Sorts the tables and links nested ranges, after a load. */
static void finish_tables(struct mt_dwarf *d)
{
	if (d->rows.n) /* no NULL to qsort (UBSan) */
		qsort(d->rows.v, d->rows.n, sizeof *d->rows.v, row_cmp);
	if (d->ranges.n)
		qsort(d->ranges.v, d->ranges.n, sizeof *d->ranges.v, range_cmp);
	link_ranges(d);
}

/* ---- Running libdwarf in a child process ----
 *
 * Debian's libdwarf (20210528) does not survive malformed DWARF: fuzzing
 * found a double free (.debug_rnglists headers, now also caught by
 * elf_check_dwarf) and a wild read in dwarf_srcfiles within seconds, and
 * every section it parses is as exposed. So the DWARF is read in a forked
 * child that writes the finished tables into a memory file and exits; a
 * child that crashes, aborts or runs past the timeout costs only the DWARF
 * of that binary, never memtop. The parent checks every index it reads back. */

#define BLOB_MAGIC 0x315744544d41ull /* "AMTDW1" */

struct blob_head {
	uint64_t magic, nstrs, nrows, nscopes, nranges, ncu, nerr, strbytes;
};

static bool put(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

/* The child's side: the tables as a header, the strings (length + bytes, in
 * id order), the three arrays, and the magic again to show it finished. */
static bool blob_write(int out, const struct mt_dwarf *d)
{
	struct blob_head h = {.magic = BLOB_MAGIC, .nstrs = d->strs.n, .nrows = d->rows.n,
			      .nscopes = d->scopes.n, .nranges = d->ranges.n, .ncu = d->ncu,
			      .nerr = d->nerr};
	for (size_t i = 1; i < d->strs.n; i++)
		h.strbytes += 4 + strtab_len(&d->strs, (mt_str)i);
	if (!put(out, &h, sizeof h))
		return false;
	for (size_t i = 1; i < d->strs.n; i++) {
		uint32_t len = (uint32_t)strtab_len(&d->strs, (mt_str)i);
		if (!put(out, &len, 4) || !put(out, strtab_get(&d->strs, (mt_str)i), len))
			return false;
	}
	uint64_t end = BLOB_MAGIC;
	return put(out, d->rows.v, d->rows.n * sizeof *d->rows.v) &&
	       put(out, d->scopes.v, d->scopes.n * sizeof *d->scopes.v) &&
	       put(out, d->ranges.v, d->ranges.n * sizeof *d->ranges.v) &&
	       put(out, &end, sizeof end);
}

/* The parent's side: rebuilds d (empty, initialised) from the blob,
 * trusting nothing in it. */
static enum mt_status blob_read(struct mt_dwarf *d, const uint8_t *b, size_t n,
				struct mt_err *e)
{
	struct blob_head h;
	if (n < sizeof h + 8)
		return mt_errf(e, MT_ERR_FORMAT, "DWARF reader stopped early");
	memcpy(&h, b, sizeof h);
	uint64_t endm;
	memcpy(&endm, b + n - 8, 8);
	size_t room = n - sizeof h - 8;
	if (h.magic != BLOB_MAGIC || endm != BLOB_MAGIC || h.nstrs == 0 ||
	    h.strbytes > room || h.nrows > room / sizeof *d->rows.v ||
	    h.nscopes > room / sizeof *d->scopes.v || h.nranges > room / sizeof *d->ranges.v ||
	    h.strbytes + h.nrows * sizeof *d->rows.v + h.nscopes * sizeof *d->scopes.v +
			    h.nranges * sizeof *d->ranges.v !=
		    room)
		return mt_errf(e, MT_ERR_FORMAT, "DWARF reader stopped early");
	const uint8_t *p = b + sizeof h, *send = p + h.strbytes;
	for (uint64_t i = 1; i < h.nstrs; i++) {
		uint32_t len;
		if (send - p < 4)
			return mt_errf(e, MT_ERR_FORMAT, "DWARF reader: bad string table");
		memcpy(&len, p, 4);
		if ((uint64_t)(send - p - 4) < len ||
		    strtab_intern(&d->strs, (const char *)p + 4, len) != i)
			return mt_errf(e, MT_ERR_FORMAT, "DWARF reader: bad string table");
		p += 4 + len;
	}
	if (p != send)
		return mt_errf(e, MT_ERR_FORMAT, "DWARF reader: bad string table");
	VEC_RESERVE(d->rows, h.nrows);
	VEC_RESERVE(d->scopes, h.nscopes);
	VEC_RESERVE(d->ranges, h.nranges);
	/* Empty arrays stay NULL: no memcpy to NULL (UBSan). */
	if (h.nrows)
		memcpy(d->rows.v, p, h.nrows * sizeof *d->rows.v);
	p += h.nrows * sizeof *d->rows.v;
	if (h.nscopes)
		memcpy(d->scopes.v, p, h.nscopes * sizeof *d->scopes.v);
	p += h.nscopes * sizeof *d->scopes.v;
	if (h.nranges)
		memcpy(d->ranges.v, p, h.nranges * sizeof *d->ranges.v);
	d->rows.n = h.nrows;
	d->scopes.n = h.nscopes;
	d->ranges.n = h.nranges;
	d->ncu = h.ncu;
	d->nerr = h.nerr;
	for (size_t i = 0; i < d->rows.n; i++)
		if (d->rows.v[i].file >= h.nstrs)
			return mt_errf(e, MT_ERR_FORMAT, "DWARF reader: bad line row");
	for (size_t i = 0; i < d->scopes.n; i++) {
		const struct mt_dwarf_scope *sc = &d->scopes.v[i];
		if (sc->name >= h.nstrs || sc->sysname >= h.nstrs || sc->call_file >= h.nstrs ||
		    (sc->parent != NONE && sc->parent >= i))
			return mt_errf(e, MT_ERR_FORMAT, "DWARF reader: bad scope");
	}
	for (size_t i = 0; i < d->ranges.n; i++)
		if (d->ranges.v[i].scope >= d->scopes.n)
			return mt_errf(e, MT_ERR_FORMAT, "DWARF reader: bad range");
	return MT_OK;
}

/* Milliseconds on a monotonic clock. */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum mt_status dwarf_sym_load(struct mt_dwarf *d, int fd, int timeout_ms, struct mt_err *e)
{
	memset(d, 0, sizeof *d);
	strtab_init(&d->strs);
	int out = memfd_create("memtop-dwarf", MFD_CLOEXEC);
	int done[2];
	if (out < 0)
		return mt_errf(e, MT_ERR_IO, "memfd_create: %s", strerror(errno));
	if (pipe2(done, O_CLOEXEC) != 0) {
		close(out);
		return mt_errf(e, MT_ERR_IO, "pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(out), close(done[0]), close(done[1]);
		return mt_errf(e, MT_ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* A crashing libdwarf must not write over the terminal. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 2);
		close(done[0]);
		struct mt_dwarf cd;
		struct mt_err ce;
		enum mt_status st = load_here(&cd, fd, &ce);
		if (st == MT_OK && blob_write(out, &cd))
			_exit(0);
		/* The reason, for the parent's error line. */
		(void)!write(out, ce.msg, strnlen(ce.msg, sizeof ce.msg));
		_exit(st == MT_ERR_NOTFOUND ? 3 : 2);
	}
	close(done[1]);
	if (timeout_ms <= 0)
		timeout_ms = 60000;
	int64_t deadline = now_ms() + timeout_ms;
	bool timed_out = false;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pfd = {.fd = done[0], .events = POLLIN};
		int rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc != 0)
			break; /* the child exited: POLLHUP */
	}
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(done[0]);
	struct stat st;
	enum mt_status rc = MT_OK;
	uint8_t *b = MAP_FAILED;
	if (timed_out)
		rc = mt_errf(e, MT_ERR_LIMIT, "reading DWARF took over %d ms", timeout_ms);
	else if (WIFSIGNALED(status))
		rc = mt_errf(e, MT_ERR_FORMAT, "libdwarf crashed on it (signal %d)",
			     WTERMSIG(status));
	else if (fstat(out, &st) != 0 || st.st_size <= 0)
		rc = mt_errf(e, MT_ERR_FORMAT, "the DWARF reader failed (exit status %d)",
			     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else if ((b = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, out, 0)) ==
		 MAP_FAILED)
		rc = mt_errf(e, MT_ERR_IO, "mmap: %s", strerror(errno));
	else if (WIFEXITED(status) && (WEXITSTATUS(status) == 2 || WEXITSTATUS(status) == 3))
		rc = mt_errf(e, WEXITSTATUS(status) == 3 ? MT_ERR_NOTFOUND : MT_ERR_FORMAT, "%.*s",
			     (int)(st.st_size < 400 ? st.st_size : 400), (const char *)b);
	else
		rc = blob_read(d, b, (size_t)st.st_size, e);
	if (b != MAP_FAILED)
		munmap(b, (size_t)st.st_size);
	close(out);
	if (rc == MT_OK)
		finish_tables(d);
	return rc;
}

void dwarf_sym_done(struct mt_dwarf *d)
{
	strtab_done(&d->strs);
	free(d->rows.v);
	free(d->scopes.v);
	free(d->ranges.v);
	memset(d, 0, sizeof *d);
}

size_t dwarf_sym_lookup(const struct mt_dwarf *d, uint64_t vaddr,
			struct mt_dwarf_frame *out)
{
	out[0] = (struct mt_dwarf_frame){0};
	size_t lo = 0, hi = d->rows.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->rows.v[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && d->rows.v[lo - 1].line != UINT32_MAX) {
		out[0].file = d->rows.v[lo - 1].file;
		out[0].line = d->rows.v[lo - 1].line;
	}
	lo = 0, hi = d->ranges.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->ranges.v[mid].lo <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t r = lo ? (uint32_t)(lo - 1) : NONE;
	for (int steps = 0; r != NONE && steps < MAX_WALK; steps++) {
		if (vaddr < d->ranges.v[r].hi)
			break;
		r = d->ranges.v[r].outer;
	}
	if (r == NONE || vaddr >= d->ranges.v[r].hi)
		return 0;
	uint32_t s = d->ranges.v[r].scope;
	size_t n = 0;
	out[n].name = d->scopes.v[s].name;
	out[n++].sysname = d->scopes.v[s].sysname;
	while (d->scopes.v[s].parent != NONE && d->scopes.v[s].parent < s &&
	       n < MT_DWARF_MAX_DEPTH) {
		const struct mt_dwarf_scope *in = &d->scopes.v[s];
		s = in->parent;
		out[n++] = (struct mt_dwarf_frame){.name = d->scopes.v[s].name,
						   .sysname = d->scopes.v[s].sysname,
						   .file = in->call_file,
						   .line = in->call_line};
	}
	return n;
}

/* ---- C++ names ---- */

/* libstdc++'s demangler (the C++ ABI entry point; declared here for C). */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Longer linkage names are shown mangled: they are not real code, and the
 * demangler's work grows with them. */
#define DEMANGLE_MAX 8192

/* The length of the operator token at s ("operator<<", "operator()"), or 0
 * when s does not start one; a name character before s means it does not.
 * The longest symbol wins, so "operator<<" is not "operator<" + "<". */
static size_t operator_len(const char *base, const char *s)
{
	static const char *const ops[] = {
		"<<=", ">>=", "<=>", "->*", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
		"++",  "--",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=", "->", "()",
		"[]",  "+",   "-",   "*",   "/",  "%",  "^",  "&",  "|",  "~",  "!",  "=",
		"<",   ">",   ","};
	if (strncmp(s, "operator", 8) != 0 ||
	    (s > base && (s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z') ||
			  (s[-1] >= 'A' && s[-1] <= 'Z') || (s[-1] >= '0' && s[-1] <= '9'))))
		return 0;
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
		if (strncmp(s + 8, ops[i], strlen(ops[i])) == 0)
			return 8 + strlen(ops[i]);
	return 8;
}

/* pprof's default simplification of a demangled name, in place. */
static void simplify(char *s)
{
	char *clone = strstr(s, " [clone ");
	if (clone)
		*clone = '\0';
	/* The parameter list and the qualifiers after it. */
	size_t n = strlen(s);
	static const char *const quals[] = {" const", " volatile", " &&", " &", " noexcept"};
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < sizeof quals / sizeof *quals; i++) {
			size_t ql = strlen(quals[i]);
			if (n >= ql && memcmp(s + n - ql, quals[i], ql) == 0) {
				n -= ql;
				again = true;
			}
		}
	}
	if (n && s[n - 1] == ')') {
		int depth = 0;
		for (size_t i = n; i-- > 0;) {
			depth += s[i] == ')' ? 1 : s[i] == '(' ? -1 : 0;
			if (depth == 0) {
				n = i;
				break;
			}
		}
	}
	s[n] = '\0';
	/* Template arguments, keeping operator tokens such as operator<. */
	char *w = s;
	for (const char *r = s; *r;) {
		size_t ol = operator_len(s, r);
		if (ol) {
			memmove(w, r, ol);
			w += ol, r += ol;
		} else if (*r == '<') {
			int depth = 0;
			do {
				depth += *r == '<' ? 1 : *r == '>' ? -1 : 0;
				r++;
			} while (*r && depth > 0);
		} else {
			*w++ = *r++;
		}
	}
	while (w > s && w[-1] == ' ') /* "operator<< <T>" */
		w--;
	*w = '\0';
	/* The return type: everything to the last space outside brackets
	 * before the name (and before an operator such as "operator new"). */
	char *cut = NULL;
	int depth = 0;
	for (char *r = s; *r; r++) {
		if (depth == 0 && operator_len(s, r))
			break;
		depth += strchr("({[<", *r) ? 1 : strchr(")}]>", *r) ? -1 : 0;
		if (depth == 0 && *r == ' ')
			cut = r + 1;
	}
	if (cut)
		memmove(s, cut, strlen(cut) + 1);
}

char *dwarf_sym_demangle_full(const char *name)
{
	if (strncmp(name, "_Z", 2) != 0 || strnlen(name, DEMANGLE_MAX + 1) > DEMANGLE_MAX)
		return NULL;
	int st = -1;
	char *full = __cxa_demangle(name, NULL, NULL, &st);
	if (!full || st != 0) {
		free(full);
		return NULL;
	}
	return full;
}

char *dwarf_sym_demangle(const char *name)
{
	char *full = dwarf_sym_demangle_full(name);
	if (!full)
		return NULL;
	simplify(full);
	if (!*full) {
		free(full);
		return NULL;
	}
	return full;
}
