/* procstat.h - what /proc says about a local process: resident memory
 * (VmRSS from /proc/PID/status, else resident pages from statm), open file
 * descriptors (entries of /proc/PID/fd) and threads (Threads in status).
 */
#ifndef MT_PROCSTAT_H
#define MT_PROCSTAT_H

#include <stdint.h>

#include "store/metrics.h"
#include "base/status.h"

struct procstat {
	int64_t rss_bytes;
	int64_t fds;     /* -1 when /proc/PID/fd cannot be read (another user) */
	int64_t threads;
};

/* Reads the figures of pid under proc_root (NULL: "/proc"). A process that
 * is gone is MT_ERR_NOTFOUND. */
enum mt_status procstat_read(const char *proc_root, int pid, struct procstat *out,
			     struct mt_err *e);

/* Adds proc.rss_bytes, proc.fds (when known) and proc.threads at time t. */
void procstat_points(const struct procstat *ps, int64_t t, struct metrics_batch *b);

#endif
