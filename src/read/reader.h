/* reader.h - opens any profile memtop understands: reads the bytes, inflates
 * gzip, detects the format from the content (never the file name), parses,
 * and applies pprof's load-time pruning (drop_frames). */
#ifndef MT_READER_H
#define MT_READER_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "profile/profile.h"

/* Detects the format of (inflated) bytes. */
enum mt_format reader_detect(const uint8_t *data, size_t n);

/* Whether the first bytes of an (inflated) input can start a profile:
 * MT_ERR_FORMAT for what reader_load_bytes would refuse from them alone
 * (no known header and not profile.proto, or binary data in a text
 * format). Lets a stream be refused before all of it is read or inflated. */
enum mt_status reader_check_head(const uint8_t *data, size_t n, struct mt_err *e);

/* A human name of a format ("pprof protobuf", "Go heap text", ...). */
const char *reader_format_name(enum mt_format f);

/* Reads a profile from bytes (gzip or not). The caller owns *out. */
enum mt_status reader_load_bytes(const uint8_t *data, size_t n,
				 const struct mt_limits *lim, struct profile **out,
				 struct mt_err *e);

/* Reads a profile from a file. The caller owns *out. */
enum mt_status reader_load_file(const char *path, const struct mt_limits *lim,
				struct profile **out, struct mt_err *e);

/* A parser of one text or binary format: fills a fresh profile from
 * data[0..n), which is NUL-terminated at data[n]. */
typedef enum mt_status (*reader_parse_fn)(const uint8_t *data, size_t n,
					  struct profile *p,
					  const struct mt_limits *lim,
					  struct mt_err *e);

#endif
