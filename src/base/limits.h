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
	/* The defaults of max_samples and max_goroutines are floors, raised
	 * with the input's size (mt_limits_for_input): a profile of a few MB
	 * cannot hold 50M samples, and a bomb must not build them. An
	 * explicit --max-samples or --max-goroutines clears its flag. */
	bool samples_by_input, goroutines_by_input;
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
		.max_samples = MT_MIN_MAX_SAMPLES, .max_frames = 100000,       \
		.max_string = 1 << 20, .max_goroutines = MT_MIN_MAX_GOROUTINES, \
		.samples_by_input = true, .goroutines_by_input = true,         \
	}

/* The floors of the sized defaults, and the input bytes per sample and per
 * goroutine above them: the 1M-sample bench profile (50 MB of gzip) and a
 * goroutine dump of 16 bytes a goroutine, compressed, still open. */
#define MT_MIN_MAX_SAMPLES ((size_t)1000000)
#define MT_MIN_MAX_GOROUTINES ((size_t)200000)
#define MT_BYTES_PER_SAMPLE 4
#define MT_BYTES_PER_GOROUTINE 16

/* The limits for an input of n bytes (as read, before inflating): the
 * sized defaults raised to n / 4 samples and n / 16 goroutines. */
struct mt_limits mt_limits_for_input(const struct mt_limits *lim, size_t n);

/* The words an error adds after "(--max-samples" when the default was
 * sized from the input: how to raise it. "" otherwise. */
const char *mt_limit_sized_note(bool by_input);

extern const struct mt_limits mt_limits_default;

#endif
