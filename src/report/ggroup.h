/* ggroup.h - goroutines grouped by state, stack and creator: the one
 * grouping of every goroutine input (a dump read as a profile, the same dump
 * stored and loaded again, a goroutine profile in protobuf or debug=1 text),
 * the name of a group (its first frame outside the runtime and the standard
 * library's waiting machinery), the one goroutine focus rule, suppressions
 * (goleak's IgnoreTopFunction / IgnoreAnyFunction as a file of regular
 * expressions), and the comparison of two inputs.
 *
 * A dump's profile has a sample per goroutine with its id, state, wait and
 * creator in labels (read/goroutines.h); a goroutine profile has a sample
 * per stack and no ids, states nor creators: its groups are its stacks, in
 * state "" (unknown).
 *
 * Ownership: a struct gg_set owns its arrays and a table of strings of its
 * own (creators' files); the other strings it holds (functions, files,
 * states, creators) are borrowed from the profile it was built from (or,
 * built by hand, from the caller's tables), which must outlive it.
 */
#ifndef MT_GGROUP_H
#define MT_GGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/regex.h"
#include "base/status.h"
#include "profile/profile.h"

struct gg_frame {
	const char *func, *file;
	int64_t line;
	bool inl; /* inlined into the next frame (its caller) */
};

/* One goroutine of a dump. */
struct gg_member {
	uint64_t id;
	uint64_t creator_id; /* "created by F in goroutine K" (Go >= 1.21), else 0 */
	int64_t wait;	     /* minutes; 0 when the dump shows none */
	uint32_t sample;     /* its sample in the profile */
	bool locked;
};

struct gg_group {
	const char *state;		    /* "" when the input does not say */
	const char *creator, *creator_file; /* "" when unknown */
	int64_t creator_line;
	int64_t count;
	int64_t wait_min, wait_max; /* minutes; 0 when not shown */
	size_t locked;
	bool elided;	       /* frames were elided */
	uint32_t elided_at;    /* frames printed before the elision */
	int64_t elided_frames; /* how many, 0 when not said */
	uint32_t f0, nf;       /* frames[f0 .. f0+nf), leaf first */
	uint32_t name;	       /* the frame that names the group (gg_name) */
	uint32_t m0, nm; /* members[m0 .. m0+nm), in dump order; 0 for a profile */
	uint64_t key;	 /* state, creator, elision and frames: the same
			  * group in another input has the same key */
	size_t first;	 /* its first sample: ties keep input order */
};

struct gg_state {
	const char *state;
	int64_t count;
	uint32_t groups;
};

struct gg_set {
	struct mt_strtab strs;	     /* strings of its own (creators' files) */
	VEC(struct gg_group) groups; /* largest first (gg_build) */
	VEC(struct gg_frame) frames;
	VEC(struct gg_member) members;
	VEC(struct gg_state) states; /* largest first */
	int64_t total;		     /* goroutines */
	bool has_ids;		     /* a dump: members with ids */
	const char *reason;	     /* a dump's panic line, or NULL */
	size_t incomplete;	     /* goroutines the end of the input cut off */
	size_t incomplete_at;	     /* byte offset of the first of them */
};

/* Whether a profile holds goroutines (a dump or a goroutine profile). */
bool gg_is_goroutines(const struct profile *p);

/* Groups the goroutines of p (borrowed: s points into it): a dump's by
 * state, stack (function, file, line of every frame), creator function and
 * elision; a profile's by stack. Groups are sorted largest first (ties:
 * state, then the leaf frame, then input order). MT_ERR_FORMAT when p is
 * not goroutines. */
enum mt_status gg_build(struct gg_set *s, const struct profile *p, struct mt_err *e);
/* An empty set (gg_build starts with it), and the end of one. */
void gg_init(struct gg_set *s);
void gg_done(struct gg_set *s);

/* Whether a function is the runtime's, or the standard library's waiting
 * machinery (sync, internal/poll, time.Sleep, net's file descriptors,
 * syscall, ...): never the name of a group. */
bool gg_waiting_func(const char *func);

/* The function that names group g: its first frame outside the runtime and
 * the waiting machinery (main.parkForever, not runtime.gopark nor
 * runtime.chanrecv); when every frame is in them, the outermost one that is
 * not runtime.goexit. "" for a group without frames. */
const char *gg_name(const struct gg_set *s, const struct gg_group *g);

/* The goroutine focus rule of `memtop goroutines --focus` and the viewer's
 * filters: a frame's function or file matches re. */
bool gg_match(const struct gg_set *s, const struct gg_group *g,
	      const struct mt_regex *re);

/* ---- building sets by hand (report/gseries.c) ---- */

/* Appends group g with the frames of sample k of p (its stack, leaf first)
 * and computes its name frame; g's other fields are the caller's. */
void gg_add_group(struct gg_set *s, const struct profile *p, size_t k,
		  struct gg_group g);
/* Computes keys, sorts the groups largest first and counts the states. */
void gg_finish(struct gg_set *s);
/* The key of group g of s (gg_group.key): a hash of its state, creator,
 * elision and frames. */
uint64_t gg_key(const struct gg_set *s, const struct gg_group *g);

/* ---- suppressions ---- */

/* Known goroutines to leave out of checks: regular expressions, one a
 * line. A plain line matches a group when it matches one of its frames'
 * functions or its creator (goleak's IgnoreAnyFunction); "top:REGEX"
 * matches its leaf function or the function that names it
 * (IgnoreTopFunction). Blank lines and lines starting with '#' are
 * skipped. */
struct gg_ignore {
	VEC(struct mt_regex *) any;
	VEC(struct mt_regex *) top;
};

/* Reads the suppressions file path; errors name the file and the line. */
enum mt_status gg_ignore_load(struct gg_ignore *ig, const char *path,
			      const struct mt_limits *lim, struct mt_err *e);
bool gg_ignored(const struct gg_ignore *ig, const struct gg_set *s,
		const struct gg_group *g);
void gg_ignore_done(struct gg_ignore *ig);

/* ---- two inputs compared ---- */

struct gg_diff_row {
	uint32_t base, new_; /* group index in each set, MT_NONE when absent */
	int64_t base_count, new_count;
	int64_t kept; /* goroutines of the new group whose ids the base group
		       * had (dumps only): the same goroutines, still there */
};

struct gg_diff {
	VEC(struct gg_diff_row) rows; /* by delta, largest growth first */
	size_t only_base, only_new, both;
	int64_t base_total, new_total;
};

/* Joins the groups of base and new by key. */
void gg_diff_build(struct gg_diff *d, const struct gg_set *base,
		   const struct gg_set *new_);
void gg_diff_done(struct gg_diff *d);

#endif
