/* expvar.h - reading a Go service's /debug/vars (package expvar) into
 * metric points: the runtime's memstats (every numeric field, as
 * "memstats.HeapInuse", and each recent GC pause at the time it ended, as
 * "memstats.PauseNs"), and every other numeric variable, nested maps
 * flattened with dots ("requests.vars"). Strings, booleans and other arrays
 * are skipped.
 *
 * The JSON reader is small and bounded: nesting depth, the number of values
 * and the length of a name are capped, and bad or truncated JSON is an error
 * naming the byte, never a crash.
 */
#ifndef MT_EXPVAR_H
#define MT_EXPVAR_H

#include <stddef.h>
#include <stdint.h>

#include "store/metrics.h"
#include "base/status.h"

/* Reads data[0..n) (a /debug/vars body) and adds its points at time t
 * (ns since the epoch) to b. Nothing is added when the JSON is bad. */
enum mt_status expvar_parse(const uint8_t *data, size_t n, int64_t t,
			    struct metrics_batch *b, struct mt_err *e);

/* Whether a URL names an expvar endpoint (its path ends in /debug/vars). */
bool expvar_is_url(const char *url);

#endif
