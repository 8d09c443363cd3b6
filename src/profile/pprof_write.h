/* pprof_write.h - encodes a struct profile as profile.proto, optionally
 * gzipped, so `go tool pprof` (and any pprof reader) can read what memtop
 * exports. */
#ifndef MT_PPROF_WRITE_H
#define MT_PPROF_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

/* Encodes p; with gzip the bytes are a gzip member. The caller owns *out. */
enum mt_status pprof_write(const struct profile *p, bool gzip, uint8_t **out,
			   size_t *n, struct mt_err *e);

#endif
