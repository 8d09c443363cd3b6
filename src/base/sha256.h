/* sha256.h - SHA-256 (FIPS 180-4), for the content hash of stored snapshots:
 * importing the same bytes twice must be recognised, whatever their size. */
#ifndef MT_SHA256_H
#define MT_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Writes the digest of data[0..n) as 64 lowercase hex digits and a NUL. */
void mt_sha256_hex(const void *data, size_t n, char out[65]);

#endif
