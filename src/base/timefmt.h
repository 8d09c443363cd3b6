/* timefmt.h - the times and durations people type: RFC 3339
 * ("2026-12-06T09:00:00Z", an offset or fractions allowed), Unix seconds,
 * "now", and times relative to now as Pyroscope and Grafana write them
 * ("-1h", "now-30m"); durations "90s", "30m", "12h", "7d" (or plain
 * seconds, fractions allowed). Times are nanoseconds since the epoch. */
#ifndef MT_TIMEFMT_H
#define MT_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A duration into *ns; false when s is none. */
bool timefmt_duration(const char *s, int64_t *ns);

/* An absolute time (RFC 3339 or Unix seconds) into *ns. */
bool timefmt_absolute(const char *s, int64_t *ns);

/* An absolute time, "now", "now-DUR", "now+DUR" or "-DUR" (before now),
 * with now_ns as the present. */
bool timefmt_parse(const char *s, int64_t now_ns, int64_t *ns);

/* The present, in ns since the epoch. */
int64_t timefmt_now(void);

/* RFC 3339 in UTC with seconds ("2026-12-06T09:00:00Z"), or with
 * nanoseconds when ns has a fraction; buf of at least 40 bytes. */
void timefmt_rfc3339(int64_t ns, char *buf, size_t n);

#endif
