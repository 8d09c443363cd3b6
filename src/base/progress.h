/* progress.h - how far a long load has got, for a front end that watches
 * from another thread (the viewer's loading screen).
 *
 * The loader stores plain counters (relaxed atomics) at most once per
 * MT_PROGRESS_STEP bytes, so its hot loops pay one comparison per record,
 * and reads the cancel flag at the same points: a cancelled load ends with
 * MT_ERR_CANCELLED. The core never draws; the watcher polls this struct.
 * The watcher owns it and keeps it alive until the load has returned.
 */
#ifndef MT_PROGRESS_H
#define MT_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define MT_PROGRESS_STEP ((size_t)1 << 20)

enum mt_phase {
	MT_PHASE_READ,	  /* done of total bytes read; total 0: unknown (a pipe) */
	MT_PHASE_INFLATE, /* gzip, in one call: no done */
	MT_PHASE_PARSE,	  /* done of total inflated bytes parsed */
	MT_PHASE_PREPARE, /* checks, pruning, aggregation: no done */
	MT_PHASE_FETCH,	  /* done bytes received from the network; no total */
};

struct mt_progress {
	atomic_int phase;
	atomic_size_t done, total;
	atomic_bool cancel;
};

/* Starts a phase of total bytes (0: unknown or not measured). */
static inline void mt_progress_phase(struct mt_progress *pg, enum mt_phase ph,
				     size_t total)
{
	if (!pg)
		return;
	atomic_store_explicit(&pg->done, 0, memory_order_relaxed);
	atomic_store_explicit(&pg->total, total, memory_order_relaxed);
	atomic_store_explicit(&pg->phase, (int)ph, memory_order_release);
}

/* Whether the watcher asked to stop. */
static inline bool mt_progress_cancelled(struct mt_progress *pg)
{
	return pg && atomic_load_explicit(&pg->cancel, memory_order_relaxed);
}

/* Records done bytes of the phase; true when the load should stop. */
static inline bool mt_progress_at(struct mt_progress *pg, size_t done)
{
	if (!pg)
		return false;
	atomic_store_explicit(&pg->done, done, memory_order_relaxed);
	return mt_progress_cancelled(pg);
}

#endif
