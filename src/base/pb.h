/* pb.h - the protobuf wire format, as small as the store protocols need:
 * a writer of varints, strings, bytes and nested messages into a growing
 * buffer, and a reader that walks the fields of one message, bounded by
 * its bytes (never past them, never recursing: a nested message is read
 * by another pb_reader over the field's bytes).
 *
 * Ownership: a struct pb_buf owns its bytes (pb_buf_done, or take .v);
 * a struct pb_field borrows the bytes of the message it was read from.
 */
#ifndef MT_PB_H
#define MT_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

struct pb_buf {
	uint8_t *v;
	size_t n, cap;
};

void pb_buf_done(struct pb_buf *b);
void pb_put_varint(struct pb_buf *b, uint64_t v);
/* Field number f as a varint (written even when v is 0). */
void pb_put_uint(struct pb_buf *b, uint32_t f, uint64_t v);
/* Field f with n bytes (p may be NULL when n is 0). */
void pb_put_bytes(struct pb_buf *b, uint32_t f, const void *p, size_t n);
void pb_put_str(struct pb_buf *b, uint32_t f, const char *s);
/* Field f as a double (wire type I64, little-endian IEEE 754). */
void pb_put_double(struct pb_buf *b, uint32_t f, double v);

struct pb_field {
	uint32_t num;
	enum pb_wire wt;
	uint64_t v;	  /* PB_VARINT, PB_I64, PB_I32 */
	const uint8_t *p; /* PB_LEN: the field's bytes */
	size_t n;
	size_t at; /* offset of the field in the message */
};

struct pb_reader {
	const uint8_t *p;
	size_t n, off;
};

/* The double a PB_I64 field holds. */
double pb_double(const struct pb_field *f);

/* A reader over p[0..n) (p may be NULL when n is 0). */
void pb_reader_init(struct pb_reader *r, const uint8_t *p, size_t n);

/* The next field into f: 1, or 0 at the end of the message, or -1 when the
 * bytes are no message (e says what and at which byte). */
int pb_next(struct pb_reader *r, struct pb_field *f, struct mt_err *e);

#endif
