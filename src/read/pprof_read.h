/* pprof_read.h - reads profile.proto (uncompressed bytes; gz.h inflates). */
#ifndef MT_PPROF_READ_H
#define MT_PPROF_READ_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

struct mt_limits;
struct gz_stream;

/* Parses data[0..n) into p (a fresh profile). On failure p holds partial
 * data the caller frees; e says what is wrong and at which byte. */
enum mt_status pprof_parse(const uint8_t *data, size_t n, struct profile *p,
			   const struct mt_limits *lim, struct mt_err *e);

/* The same, decoding the gzip stream s (base/gzstream.h) as it is
 * inflated on the other core; the stream's error, if it fails, comes
 * before anything the decoder found. */
enum mt_status pprof_parse_stream(struct gz_stream *s, struct profile *p,
				  const struct mt_limits *lim, struct mt_err *e);

/* Whether data looks like the start of a profile.proto message. */
int pprof_sniff(const uint8_t *data, size_t n);

#endif
