/* legacy_int.h - the builder the legacy text readers share (internal to
 * legacy_read.c, gotext_read.c and cheap_read.c).
 *
 * The builder borrows the input bytes and the profile it fills; names are
 * interned into the profile's string table as frames are met, functions and
 * locations are deduplicated by hash, and samples are appended in input
 * order, so location ids follow pprof's order of first use.
 */
#ifndef MT_LEGACY_INT_H
#define MT_LEGACY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "read/legacy_read.h"
#include "base/util.h"

/* A line without its newline and surrounding blanks. */
struct span {
	const char *s, *e;
};

/* One `#` frame line of the sample being read: its text (after `#` and
 * blanks) and hash, then a copy of its cache entry once resolved (func
 * MT_NONE when the line names no function). */
struct frame {
	const char *text;
	uint64_t hash, len, addr, entry;
	int64_t line;
	uint32_t func, name;
	bool has_entry;
};

/* A distinct `#` frame line, keyed by a hash of its text and its length: a
 * binary prints an address the same way every time, so a repeated frame
 * costs one hash of its bytes and one probe, with no parsing and no
 * interning; for a frame not inlined it also holds its location. Entries
 * live in the open-addressing table itself, one cache line each, so the
 * probe is a single cache miss. */
struct cache_ent {
	_Alignas(64) uint64_t hash; /* 0 = empty slot */
	uint64_t len, addr, entry;
	int64_t line;
	uint32_t func, name, loc;
	bool has_entry;
};

struct lb {
	struct profile *p;
	const struct mt_limits *lim;
	struct mt_err *e;
	const char *base, *cur, *end;
	uint32_t *lslots, *fslots; /* id + 1, 0 = empty */
	size_t nlslots, nfslots;
	VEC(uint64_t) lhash;
	VEC(uint64_t) fhash;
	struct cache_ent *cache; /* ncache slots, nused in use */
	void *cache_mem;         /* its allocation */
	size_t ncache, nused;
	/* the sample being read */
	VEC(uint64_t) addrs;
	VEC(struct frame) frames;
	VEC(struct mt_label) lbls;
	/* scratch */
	VEC(struct mt_line) lines;
	VEC(uint32_t) locs;
	bool any_named;
	/* Addresses of b->addrs from this index on are return addresses,
	 * stepped back by one onto the call (0, the default: all of them; a
	 * CPU profile's leaf is the interrupted PC itself, Java's are ids). */
	size_t adjust_from;
};

void lb_init(struct lb *b, const uint8_t *data, size_t n, struct profile *p,
	     const struct mt_limits *lim, struct mt_err *e);
void lb_done(struct lb *b);

/* Formats "msg (at byte N)" into the error buffer; returns MT_ERR_CORRUPT. */
enum mt_status lb_fail(struct lb *b, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The next line, trimmed of blanks and CR; false at the end. */
bool lb_next_line(struct lb *b, struct span *l);
bool span_prefix(const struct span *l, const char *pfx);
bool span_contains(const struct span *l, const char *needle);
const char *skip_ws(const char *p, const char *e);
/* Decimal (optionally signed) and hex numbers; NULL on overflow or no
 * digit, else the position after the number. */
const char *parse_i64(const char *p, const char *e, bool sign, int64_t *v);
const char *parse_hex(const char *p, const char *e, uint64_t *v);
/* The whole of [p, e) as Go's strconv.ParseInt(s, 0, 64) reads it (sign,
 * 0x/0o/0b prefixes, a leading 0 for octal, underscores between digits), the
 * attribute values of pprof's legacy parsers; false where Go fails. */
bool parse_go_int(const char *p, const char *e, int64_t *v);

/* Reads blank-separated 0x addresses up to e into b->addrs; an error on
 * anything else, or on more than max_frames of them. */
enum mt_status lb_parse_addrs(struct lb *b, const char *p, const char *e);

/* pprof's parseHexAddresses: appends every 0x[0-9a-f]+ in [p, e) to
 * b->addrs, whatever surrounds it; an error on one beyond 64 bits, or on
 * more than max_frames of them. */
enum mt_status lb_hex_numbers(struct lb *b, const char *p, const char *e);

/* A line starting with '#': a frame, a `labels:` line or a comment. */
enum mt_status lb_hash_line(struct lb *b, const struct span *l);

/* Appends the sample made of b->addrs / b->frames / b->lbls with values
 * vals (one per sample type) and clears them for the next. */
enum mt_status lb_sample(struct lb *b, const int64_t *vals, const char *at);

void lb_types(struct lb *b, const char *const *types, size_t n);
void lb_period(struct lb *b, const char *type, const char *unit, int64_t period);

bool lb_is_map_sentinel(const struct span *l);
/* Reads the memory map lines that follow a sentinel until the end. */
enum mt_status lb_parse_maps(struct lb *b);
/* pprof's parseAdditionalSections: skips to a map sentinel (cur may be
 * one) and reads the maps after it. */
enum mt_status lb_additional_sections(struct lb *b, const struct span *cur);

/* Mapping heuristics, mapping of locations, drop_frames; sets the format. */
enum mt_status lb_finish(struct lb *b, enum mt_format fmt);

/* The location section of a Java profile (`0xADDR name (file:line)` lines
 * from b->cur to the end) names the locations made from its samples; then
 * lb_finish, and addresses are dropped as pprof's parser does (they are
 * ids, not code addresses). In java_read.c. */
enum mt_status java_finish(struct lb *b, enum mt_format fmt);
/* MT_FMT_JAVA_HEAP or MT_FMT_JAVA_CONTENTION when the bytes start with a
 * Java header (and, for contentionz, an attribute only Java writes). */
enum mt_format java_detect(const uint8_t *d, size_t n);

#endif
