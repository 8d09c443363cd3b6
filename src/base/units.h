/* units.h - pprof's measurement rules: unit scaling (B/kB/MB..., ns/us/ms/s),
 * value labels ("1.50MB") and percentages, byte for byte as pprof prints. */
#ifndef MT_UNITS_H
#define MT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Scales value from unit `from` to `to` (a unit, "auto" or "minimum");
 * *unit gets the unit of the result (a static string, may be ""). */
double mt_scale(int64_t value, const char *from, const char *to, const char **unit);

/* pprof's ScaledLabel: "%.2f" without a trailing ".00", then the unit. */
void mt_scaled_label(char *buf, size_t n, int64_t value, const char *from,
		     const char *to);

/* pprof's Percentage: "  100%", "12.34%" or "%5.2g%%". */
void mt_percentage(char *buf, size_t n, int64_t value, int64_t total);

/* The same for people (the viewer): "<0.01%" where pprof would print
 * "4.4e-06%", no leading blanks. */
void mt_percentage_short(char *buf, size_t n, int64_t value, int64_t total);
/* A span of ns nanoseconds as a person reads it: "850ms", "4s", "9m00s",
 * "2h05m", "3d04h" (negative spans as 0s). */
void mt_format_span(char *buf, size_t n, int64_t ns);

/* pprof's selectOutputUnit for "minimum": the unit that fits the smallest
 * non-zero value and the total. Returns a static string. */
const char *mt_select_unit(const int64_t *mins, size_t n, int64_t total,
			   const char *sample_unit);

/* Whether a unit names time ("nanoseconds", "ms", ...), bytes, or neither:
 * 't', 'b' or 0. */
int mt_unit_kind(const char *unit);

#endif
