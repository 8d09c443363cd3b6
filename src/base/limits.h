/* limits.h - explicit bounds on what one input may make memtop allocate. */
#ifndef MT_LIMITS_H
#define MT_LIMITS_H

#include <stddef.h>

#include "base/gz.h"

struct mt_limits {
	size_t max_inflate;   /* bytes after gzip */
	size_t max_inflate_ratio; /* and per compressed byte (0: no such bound; gz.h) */
	size_t max_file;      /* bytes read from a file */
	size_t max_samples;   /* samples in one profile */
	size_t max_frames;    /* locations in one sample */
	size_t max_string;    /* bytes in one string */
	size_t max_goroutines;
	/* Where a watched load reports how far it has got (src/progress.h);
	 * NULL, as in the defaults, when nobody watches. */
	struct mt_progress *progress;
};

/* The one rule for a string over max_string (a function or file name, a
 * label, a goroutine's state...) in every reader: the input is refused,
 * never read with the string cut. len bytes at byte offset at. */
enum mt_status mt_err_long_string(struct mt_err *e, size_t len, size_t max, size_t at);

/* Defaults: generous for real services, finite for hostile input. */
#define MT_LIMITS_DEFAULT                                                      \
	{                                                                      \
		.max_inflate = (size_t)4 << 30,                                \
		.max_inflate_ratio = MT_INFLATE_RATIO,                         \
		.max_file = (size_t)4 << 30,                                   \
		.max_samples = 50000000, .max_frames = 100000,                 \
		.max_string = 1 << 20, .max_goroutines = 10000000,            \
	}

extern const struct mt_limits mt_limits_default;

#endif
