/* gctrace.h - reading the Go runtime's GODEBUG=gctrace=1 log into metric
 * points. One line per GC cycle (Go 1.19):
 *
 *   gc 7 @0.938s 1%: 0.021+0.63+0.003 ms clock, 0.043+0.11/0.19/0.35+0.007 ms cpu,
 *   9->9->4 MB, 9 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
 *
 * clock: sweep termination (STW) + concurrent mark + mark termination (STW);
 * cpu: sweep termination + assist/background/idle mark + mark termination;
 * heap at GC start -> at GC end -> live after marking; the goal; (Go 1.18+)
 * stacks and globals; the number of Ps. Older lines without stacks and
 * globals are read too. Lines that do not start with "gc N @" (the
 * program's own output) are skipped; lines that do but cannot be read are
 * counted and the first is reported, never fatal.
 *
 * Series (source: the log): gctrace.heap_before_mb, heap_after_mb,
 * heap_live_mb, heap_goal_mb, stacks_mb, globals_mb, pause_ms (the two STW
 * clock parts), mark_ms (concurrent mark, clock), cpu_stw_ms, cpu_assist_ms,
 * cpu_background_ms, cpu_idle_ms, gc_cpu_percent (since the program
 * started), procs.
 */
#ifndef MT_GCTRACE_H
#define MT_GCTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/metrics.h"
#include "base/status.h"

/* One GC cycle as the line states it. */
struct gctrace_line {
	int64_t n;            /* GC number */
	double at_s;          /* seconds since the program started */
	double cpu_percent;   /* GC CPU since the program started */
	double clock_ms[3];   /* sweep term, concurrent mark, mark term */
	double cpu_ms[5];     /* sweep term, assist, background, idle, mark term */
	int64_t heap_mb[3];   /* before, after, live */
	int64_t goal_mb;
	int64_t stacks_mb, globals_mb; /* -1 when the line has none */
	int64_t procs;
	bool forced;
};

/* Whether the bytes look like a gctrace log: a line starting "gc N @" that
 * parses, within the first 64 KiB. */
bool gctrace_detect(const uint8_t *data, size_t n);

/* Whether line s[0..n) starts like a gctrace line ("gc N @"). */
bool gctrace_is_line(const char *s, size_t n);

/* Parses one line (no newline); an error names the column. */
enum mt_status gctrace_parse_line(const char *s, size_t n, struct gctrace_line *out,
				  struct mt_err *e);

/* Reads a whole log and adds its points to b; a cycle at @T seconds is at
 * start + T. *cycles counts good lines, *bad lines that could not be read
 * (the first one in *bad_err, "line N: what"). MT_ERR_FORMAT when no line
 * could be read. */
enum mt_status gctrace_parse(const uint8_t *data, size_t n, int64_t start,
			     struct metrics_batch *b, size_t *cycles, size_t *bad,
			     struct mt_err *bad_err, struct mt_err *e);

/* The time of the log's last cycle, in seconds since the program started
 * (0 if none): an importer that knows when the log ended finds its start. */
double gctrace_last_at(const uint8_t *data, size_t n);

#endif
