/* base64.h - standard base64 (RFC 4648, with '=' padding), as Parca's JSON
 * carries bytes. The caller owns what these return. */
#ifndef MT_BASE64_H
#define MT_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* p[0..n) as base64, NUL-terminated (p may be NULL when n is 0). */
char *base64_encode(const uint8_t *p, size_t n);

/* Decodes s[0..n) (padding optional; no other characters) into *out
 * (NUL-terminated at (*out)[*nout]); MT_ERR_FORMAT naming the first bad
 * character. */
enum mt_status base64_decode(const char *s, size_t n, uint8_t **out, size_t *nout,
			     struct mt_err *e);

#endif
