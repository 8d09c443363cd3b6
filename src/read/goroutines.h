/* goroutines.h - Go goroutine dumps: the debug=2 goroutine profile
 * (/debug/pprof/goroutine?debug=2) and the goroutine part of a panic, fatal
 * error or SIGQUIT dump.
 *
 * Ownership: a struct mt_goroutines owns everything it holds: its string
 * table (function, file and state names, interned once), the goroutines, their
 * frames, the frames' argument text (an arena, not interned: arguments are
 * mostly unique pointers) and the groups. Groups and frames refer to each other
 * by index; callers borrow them for the life of the struct.
 *
 * Frames are leaf first, as in the dump. A frame printed as `f(...)` is a call
 * the compiler inlined into the next frame (its caller).
 */
#ifndef MT_GOROUTINES_H
#define MT_GOROUTINES_H

#include <stdbool.h>
#include <stdint.h>

#include "base/limits.h"
#include "profile/profile.h"
#include "base/status.h"
#include "base/strtab.h"
#include "base/util.h"

#define MT_GROUP_IDS 8 /* goroutine ids kept per group, as examples */

struct mt_gframe {
	mt_str func, file;
	int64_t line;
	uint64_t args_off; /* into args */
	uint32_t args_len;
	bool inlined; /* printed as f(...): inlined into the next frame */
};

struct mt_goroutine {
	uint64_t id;
	mt_str state;	      /* "chan receive", without wait time and lock */
	int64_t wait_minutes; /* 0 when the dump shows none */
	bool locked;	      /* locked to thread */
	bool elided;	      /* "...additional frames elided..." (Go < 1.21) or
			       * "...N frames elided..." (Go >= 1.21) */
	bool has_creator_id;
	uint32_t elided_at;   /* frames printed before the elision line */
	uint64_t elided_n;    /* N of "...N frames elided...", 0 when not said */
	uint64_t synctest;    /* ", synctest group N" (Go >= 1.24), 0 when none */
	uint32_t frame0, nframe; /* frames[frame0 .. frame0+nframe), leaf first */
	mt_str created_by, created_file; /* 0 when not shown (goroutine 1) */
	int64_t created_line;
	uint64_t creator_id; /* "created by F in goroutine K" (Go >= 1.21) */
	uint32_t anc0, nanc; /* ancestors[...]: "[originating from goroutine N]" */
	uint64_t hash;	     /* of the grouping key */
	uint32_t group;
};

/* Goroutines with the same state, frames (function, file, line; not
 * arguments) and creator function. */
struct mt_ggroup {
	uint32_t first; /* index of the first member in goroutines */
	size_t count, locked;
	int64_t wait_min, wait_max;
	uint64_t ids[MT_GROUP_IDS];
	uint32_t nids;
};

struct mt_goroutines {
	struct mt_strtab strs;
	VEC(struct mt_goroutine) gs;
	VEC(struct mt_gframe) frames;
	VEC(char) args;
	VEC(uint64_t) ancestors;
	VEC(struct mt_ggroup) groups; /* after goroutines_group: largest first */
	mt_str reason;	      /* first "panic: ..." / "fatal error: ..." line, or 0 */
	size_t incomplete;    /* goroutines cut off by the end of the input, dropped */
	size_t incomplete_at; /* byte offset of the first one */
};

void goroutines_init(struct mt_goroutines *d);
void goroutines_done(struct mt_goroutines *d);

/* Parses a dump in one pass. data[0..n) need not be NUL-terminated. Lines
 * before, between and after goroutine blocks (panic preambles, log lines,
 * register dumps) are skipped. A goroutine cut off by the end of the input is
 * dropped and counted in d->incomplete. Fails with MT_ERR_FORMAT when there is
 * no goroutine at all, MT_ERR_CORRUPT on a malformed block and MT_ERR_LIMIT
 * past lim. */
enum mt_status goroutines_parse(struct mt_goroutines *d, const uint8_t *data, size_t n,
				const struct mt_limits *lim, struct mt_err *e);

/* Inflates a gzip dump within lim's bounds (gz.h) into a new buffer
 * (*out, *outlen, owned by the caller), refusing one whose first bytes are
 * binary (a goroutine header followed by zeros) before the rest is
 * inflated. */
enum mt_status goroutines_inflate(const uint8_t *in, size_t n, const struct mt_limits *lim,
				  uint8_t **out, size_t *outlen, struct mt_err *e);

/* Groups the parsed goroutines by state, frames and creator function, and
 * sorts the groups largest first (ties: state, then the leaf frame). */
void goroutines_group(struct mt_goroutines *d);

static inline const char *goroutines_str(const struct mt_goroutines *d, mt_str s)
{
	return strtab_get(&d->strs, s);
}

/* Label keys of the profile of a dump (goroutines_parse_profile). */
#define GOR_L_ID "goid"		   /* num: the goroutine id */
#define GOR_L_STATE "state"	   /* str: "chan receive" */
#define GOR_L_WAIT "wait"	   /* num, unit "minutes": only when shown */
#define GOR_L_LOCKED "locked"	   /* str "true": locked to thread */
#define GOR_L_CREATED_BY "created_by" /* str: the creator function */
#define GOR_L_CREATED_AT "created_at" /* str: "file:line" of the go statement */
#define GOR_L_CREATOR "creator"	   /* num: the creator's id (Go >= 1.21) */
#define GOR_L_ELIDED "elided"	   /* num: frames printed before "...elided..." */
#define GOR_L_ELIDED_N "elided_frames" /* num: N of "...N frames elided..." */
#define GOR_L_ANCESTOR "ancestor"  /* num, repeated: tracebackancestors ids */
#define GOR_L_SYNCTEST "synctest_group" /* num */
/* The comment that tells goroutines cut off by the end of the input. */
#define GOR_INCOMPLETE_COMMENT "memtop: incomplete goroutines at the end: "

/* The reader of MT_FMT_GOROUTINE_DUMP, lossless: one sample per goroutine
 * (value 1, sample type goroutine/count) in dump order, whose stack is its
 * frames (goroutines of one group share their locations) and whose labels
 * hold the rest (GOR_L_*: id, state, wait, lock, creator and its location
 * and id, elision, ancestors). The panic line, and how many goroutines the
 * end of the input cut off, are comments ("panic: ...";
 * GOR_INCOMPLETE_COMMENT "N (at byte B)"). Groups are made again from the
 * profile alone (report/ggroup.h), also when it comes back from the
 * store. */
enum mt_status goroutines_parse_profile(const uint8_t *data, size_t n,
					struct profile *p, const struct mt_limits *lim,
					struct mt_err *e);

#endif
