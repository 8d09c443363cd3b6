/* gz.h - the gzip layer under every reader: inflates gzip members (one or
 * many) with a cap on the inflated size, so a gzip bomb is an error, not an
 * exhausted machine. */
#ifndef MT_GZ_H
#define MT_GZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define MT_DEFAULT_MAX_INFLATE ((size_t)4 << 30)

static inline bool gz_is_gzip(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Inflates all gzip members of in[0..n) into a new buffer (*out, *outlen),
 * NUL-terminated, owned by the caller. Fails with MT_ERR_LIMIT past max bytes
 * and MT_ERR_CORRUPT on bad or truncated data. */
enum mt_status gz_inflate(const uint8_t *in, size_t n, size_t max, uint8_t **out,
			  size_t *outlen, struct mt_err *e);

#endif
