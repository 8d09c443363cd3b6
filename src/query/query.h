/* query.h - the query engine: what every command and every view asks.
 *
 * A profile reference (a file path, a URL as go tool pprof takes one, a
 * query of a profile store (pyroscope://, parca://), or a stored snapshot
 * "@ID") and one
 * options struct go in; out comes the prepared profile (loaded, its
 * addresses named from its binaries, the base subtracted or diffed as pprof
 * does, normalized, label frames added) and, for a filter set, the report:
 * the nodes under the granularity and filters and pprof's flat/cum rows.
 * `memtop top` and the viewer's top table are two printings of one
 * struct mt_report.
 *
 * Ownership: query_load hands the caller a profile it owns (profile_free).
 * A struct mt_report borrows the profile it was built on (which must
 * outlive it) and owns its nodes, rows, compiled filters and sample mask;
 * it copies nothing of the filter patterns it was given.
 */
#ifndef MT_QUERY_H
#define MT_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/limits.h"
#include "collect/url.h"
#include "profile/nodes.h"
#include "profile/profile.h"
#include "report/top.h"
#include "symbol/symbolize.h"

/* pprof's filters. The first four act on frames (a location's function
 * names and file names, or its binary); the tag filters on labels. */
#define MT_FILTER_LIST(X)                                                      \
	X(MT_FILTER_FOCUS, "focus", "Focus")                                   \
	X(MT_FILTER_IGNORE, "ignore", "Ignore")                                \
	X(MT_FILTER_HIDE, "hide", "Hide")                                      \
	X(MT_FILTER_SHOW, "show", "Show")                                      \
	X(MT_FILTER_TAGFOCUS, "tagfocus", "TagFocus")                          \
	X(MT_FILTER_TAGIGNORE, "tagignore", "TagIgnore")                       \
	X(MT_FILTER_TAGSHOW, "tagshow", "TagShow")                             \
	X(MT_FILTER_TAGHIDE, "taghide", "TagHide")

enum mt_filter_kind {
#define MT_X(k, opt, pprof) k,
	MT_FILTER_LIST(MT_X)
#undef MT_X
	MT_FILTER_COUNT
};

/* The option name of a filter kind ("focus", "tagfocus", ...). */
const char *mt_filter_name(enum mt_filter_kind k);

/* One filter of a stack: pprof's options give at most one of each kind,
 * the viewer stacks as many as the user pushes. Stacking rules: the newest
 * focus filters frames, older focuses keep the samples they match (so
 * focuses narrow); ignores, hides and shows each act as one alternation;
 * every tag filter narrows the samples (tagfocus keeps, tagignore drops);
 * tagshow and taghide choose which labels a report shows. */
struct mt_filter {
	enum mt_filter_kind kind;
	const char *pattern; /* borrowed */
};

/* Everything a query depends on. Strings are borrowed. */
struct mt_query_opts {
	const char *db;           /* the store of "@ID" references (NULL: default) */
	const char *binary;       /* --binary: names addresses of the main binary */
	const char *sample_index; /* name or number; NULL: the profile's default */
	enum mt_granularity gran;
	const char *filter[MT_FILTER_COUNT]; /* NULL or "": none */
	const char *tagroot, *tagleaf; /* label keys, comma-separated */
	const char *unit;              /* output unit of numeric label frames */
	const char *base, *diff_base;  /* pprof's -base / -diff_base */
	bool normalize;                /* scale to the base's totals first */
	bool mean;                     /* values per contention (sample type 0) */
	/* How the rows are trimmed and ordered (mt_report_trim). */
	int nodecount;                 /* rows kept, 0: all */
	double nodefraction;           /* drop rows with |cum| <= this of the total */
	bool cum;                      /* order by cum, not flat */
	struct mt_limits lim;
	struct mt_fetch_opts fetch;    /* URLs: --seconds, --timeout, --max-body, --gc */
	/* Which profile of a service root (`host:6060`) a read returns:
	 * a snapshot kind, NULL for "heap". */
	const char *service_kind;
};

/* The options of no option: functions, no filters, default limits. */
void mt_query_opts_init(struct mt_query_opts *o);

/* Whether ref names a stored snapshot ("@N", N > 0); its id. */
bool query_snapshot_ref(const char *ref, int64_t *id);

/* Whether ref is a URL (by go tool pprof's rules) or a profile store
 * reference (pyroscope://, parca://), not a file. */
bool query_is_url(const char *ref);

/* Reads ref (a file, a URL, or "@ID" from o->db) and names its addresses
 * from its binaries when it has none (warnings go to w, which may be
 * NULL: then they are dropped). A URL is fetched (query_fetch) and kept in
 * the store. *snap_id (may be NULL) gets the snapshot id, 0 for a file or
 * what could not be stored. The caller owns *out. Errors name what is at
 * fault (the file, the URL, the database or the snapshot). */
enum mt_status query_read(const char *ref, const struct mt_query_opts *o,
			  struct profile **out, int64_t *snap_id,
			  struct mt_warnings *w, struct mt_err *e);

/* Fetches the URL ref with o->fetch (pprof's rules: collect/url.h), within
 * bounded time and memory, and stores every profile that came as a
 * snapshot in o->db (NULL: the default database; ":memory:": none); a
 * store that fails is a warning in w, not a failure. A service root
 * (`host:6060`) fetches one round of what the service offers (heap,
 * allocs, the goroutine dump, mutex, block, goroutineleak, /debug/vars)
 * and hands over its o->service_kind profile (the heap by default). The
 * caller owns *out, and *raw (the bytes as fetched; raw may be NULL).
 * *snap_id (may be NULL) is its snapshot, 0 when not stored. Errors are
 * one line naming the URL. */
enum mt_status query_fetch(const char *ref, const struct mt_query_opts *o,
			   struct profile **out, uint8_t **raw, size_t *nraw,
			   int64_t *snap_id, struct mt_warnings *w, struct mt_err *e);

/* Reads a profile store reference (collect/fleet.h: pyroscope://,
 * parca://): each of its windows is merged by the store, read and stored
 * as a snapshot of the reference's series in o->db (":memory:": none; a
 * store that fails is a warning); the newest window's profile is handed
 * over (the caller owns it), with its snapshot id (0: not stored). A
 * window without a profile is a warning when there are others. Errors
 * are one line naming the reference. */
enum mt_status query_fetch_fleet(const char *ref, const struct mt_query_opts *o,
				 struct profile **out, int64_t *snap_id,
				 struct mt_warnings *w, struct mt_err *e);

/* Fetches every window of the store reference ref into the store o->db
 * (which must be a file: a series is read from it) and sets *source (the
 * caller owns it) to the series' source, *stored to the snapshots kept. */
enum mt_status query_fleet_series(const char *ref, const struct mt_query_opts *o,
				  char **source, size_t *stored, struct mt_warnings *w,
				  struct mt_err *e);

/* query_read, then what the options do to the whole profile, in pprof's
 * order: the base subtracted (-base) or diffed against (-diff_base), scaled
 * to the base's totals first with normalize; label frames of tagroot and
 * tagleaf added. e names the file at fault ("base.pb.gz: ..."). *snap_id
 * (may be NULL) is ref's snapshot as query_read gives it. */
enum mt_status query_load(const char *ref, const struct mt_query_opts *o,
			  struct profile **out, int64_t *snap_id,
			  struct mt_warnings *w, struct mt_err *e);

/* Applies base (o->base or o->diff_base, already read) to p as pprof does;
 * replaces *p. Both are consumed. */
enum mt_status query_apply_base(struct profile **p, struct profile *base,
				const struct mt_query_opts *o, struct mt_err *e);

/* A profile under a sample type, a granularity and a filter stack. */
struct mt_report {
	const struct profile *p; /* borrowed */
	int index;               /* sample type */
	bool mean;
	int64_t total;           /* pprof's total: before any filter */
	struct mt_regex *re[MT_FILTER_COUNT]; /* focus..show; tagshow/taghide */
	uint8_t *keep;           /* per sample, or NULL: all kept */
	struct mt_nodes nodes;
	struct mt_top top;       /* sorted by flat (pprof's order) */
	/* Filter kinds that matched nothing (bit 1 << kind), for pprof's
	 * "Focus expression matched no samples". */
	unsigned nomatch;
	/* pprof's totalValue: the flat sum of every node before trimming
	 * (before --mean's division); its node and edge cutoffs are
	 * fractions of it. */
	int64_t flat_total;
	/* Set by mt_report_trim: rows dropped under the cutoff, rows there
	 * were before nodecount cut the list, the cutoff as pprof's
	 * "Dropped N nodes (cum <= X)" shows it (a fraction of total), and
	 * whether nodes were dropped (pprof then rebuilds its graph over the
	 * kept ones: mt_report_kept). */
	size_t dropped, untrimmed;
	int64_t cutoff;
	bool trimmed;
};

/* Builds r over p (borrowed) for sample type index; f[0..nf) is the filter
 * stack. A pattern that does not compile fails with MT_ERR_USAGE and e
 * naming the option. */
enum mt_status mt_report_build(struct mt_report *r, const struct profile *p, int index,
			       enum mt_granularity gran, bool mean,
			       const struct mt_filter *f, size_t nf, struct mt_err *e);

/* The same with the options' filters and sample index (o->sample_index
 * resolved against p). */
enum mt_status mt_report_open(struct mt_report *r, const struct profile *p,
			      const struct mt_query_opts *o, struct mt_err *e);

/* pprof's trimming of the rows: those whose |cum| is under nodefraction of
 * r->flat_total go (r->dropped, r->cutoff), the rest are ordered by cum or
 * flat, and the first nodecount (0: all) are kept (r->untrimmed: how many
 * there were). Call once after a build. */
void mt_report_trim(struct mt_report *r, double nodefraction, int nodecount, bool cum);

/* The nodes pprof's graph of the trimmed report holds: a mask with one
 * byte per node, 1 for a row's node; NULL when nothing was trimmed (every
 * node, also those without a row). The caller frees it. */
uint8_t *mt_report_kept(const struct mt_report *r);

/* A mask with one byte per node, 1 for a row's node (the nodes of pprof's
 * graph). The caller frees it. */
uint8_t *mt_report_rows(const struct mt_report *r);

/* pprof's edge cutoff, edgefraction (its default: 0.001) of flat_total. */
int64_t mt_report_edge_cutoff(const struct mt_report *r, double edgefraction);

/* Marks the top rows pprof's -top marks "(inline)" or "(partial-inline)"
 * (mt_top_inline_label): from the edges into them in the trimmed graph,
 * at pprof's default edge fraction. The CLI's top and the viewer's. */
void mt_report_inline_labels(struct mt_report *r);

/* The profile r shows, as pprof writes it with -proto after its filters:
 * the samples the filters keep, each location without the lines hide and
 * show removed (and gone from the samples when none is left), the labels
 * tagshow and taghide let through; addresses, lines, files, functions and
 * mappings as they were. The granularity changes nothing (pprof's -proto
 * keeps addresses), so it reads back at every granularity with the numbers
 * of r's profile under the same filters. The caller owns the result. */
struct profile *mt_report_profile(const struct mt_report *r);

/* Switches the sample type and rebuilds the rows (filters unchanged). */
void mt_report_set_index(struct mt_report *r, int index);
void mt_report_done(struct mt_report *r);

/* Whether the report's tagshow/taghide let a label key through. */
bool mt_report_shows_label(const struct mt_report *r, const char *key);

#endif
