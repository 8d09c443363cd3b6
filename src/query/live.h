/* live.h - a URL watched live: a fetcher that refetches it every interval
 * on a thread of its own (keys never wait for the network), and the
 * session's history of what was fetched, from which the viewer shows each
 * function's growth since the first fetch and since the previous one.
 *
 * The fetcher reads with query_read, so every fetch is stored as a
 * snapshot like any fetched profile, and hands each result over through
 * live_take. The history keeps the session's first profile and its newest
 * ones (LIVE_KEEP in all); growth is computed from reports the query engine
 * builds of them under the model's filters, sample type and granularity,
 * never from numbers of its own.
 *
 * Ownership: the fetcher owns its copies of the URL and options; a profile
 * live_take hands over belongs to the caller. The history owns the
 * profiles given to live_hist_add.
 */
#ifndef MT_LIVE_H
#define MT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/model.h"

/* ---- the fetcher -------------------------------------------------------- */

struct live;

/* Starts refetching url every interval_s seconds (the first fetch one
 * interval from now: the caller has just fetched it). q is copied. */
struct live *live_start(const char *url, const struct mt_query_opts *q, int interval_s);

/* A fetch that finished since the last call: true with *p (the caller's)
 * and *id (its snapshot, 0 when not stored), or true with *p NULL and err
 * saying why it failed. False when there is nothing new. */
bool live_take(struct live *l, struct profile **p, int64_t *id, char *err, size_t n);

/* Pauses or resumes the refetching; a resumed fetcher fetches at once. */
void live_pause(struct live *l, bool paused);
/* Fetches now (the next one is an interval later). */
void live_fetch_now(struct live *l);

struct live_status {
	bool paused, busy;   /* busy: a fetch is running */
	int64_t last_ns;     /* wall time of the last good fetch, 0: none */
	int64_t next_ns;     /* when the next is due (0 when paused) */
	unsigned fetches, failures;
};
void live_get_status(struct live *l, struct live_status *st);

/* Stops the fetcher at once: a fetch that is running is left to end on
 * its own (bounded by the request timeout) and frees what it used. */
void live_stop(struct live *l);

/* ---- the session's history ---------------------------------------------- */

#define LIVE_KEEP 32

struct live_hist {
	struct profile *p[LIVE_KEEP]; /* p[0]: the first fetch; then the newest */
	int64_t time_ns[LIVE_KEEP];   /* when each was fetched */
	size_t n;
	size_t dropped; /* fetches between the first and p[1] no longer kept */
	/* Cache, for md->generation: flat of every node of md->rep.nodes in
	 * each kept profile (nodes x n), 0 where the function is absent. */
	unsigned generation;
	int idx;
	size_t nrows, ncols;
	int64_t *flat;
};

/* Appends p (the profile the model now shows; owned by the history from
 * now on, so the caller gives a copy or the model keeps its own). */
void live_hist_add(struct live_hist *h, struct profile *p, int64_t time_ns);
/* The flat of each of md's nodes (functions at its granularity) in each
 * kept profile (node-major, h->n columns), rebuilt when the model changed.
 * NULL when h holds no profile. */
const int64_t *live_hist_flat(struct live_hist *h, struct model *md);
void live_hist_done(struct live_hist *h);

#endif
