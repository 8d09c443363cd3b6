/* pb.c - the protobuf wire format (pb.h). */
#include "base/pb.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void pb_buf_done(struct pb_buf *b)
{
	free(b->v);
	memset(b, 0, sizeof *b);
}

static void put(struct pb_buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	VEC_RESERVE(*b, b->n + n);
	memcpy(b->v + b->n, p, n);
	b->n += n;
}

void pb_put_varint(struct pb_buf *b, uint64_t v)
{
	uint8_t t[10];
	size_t k = 0;
	do {
		t[k] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			t[k] |= 0x80;
		k++;
	} while (v);
	put(b, t, k);
}

void pb_put_uint(struct pb_buf *b, uint32_t f, uint64_t v)
{
	pb_put_varint(b, (uint64_t)f << 3 | PB_VARINT);
	pb_put_varint(b, v);
}

void pb_put_bytes(struct pb_buf *b, uint32_t f, const void *p, size_t n)
{
	pb_put_varint(b, (uint64_t)f << 3 | PB_LEN);
	pb_put_varint(b, n);
	put(b, p, n);
}

void pb_put_str(struct pb_buf *b, uint32_t f, const char *s)
{
	pb_put_bytes(b, f, s, strlen(s));
}

void pb_put_double(struct pb_buf *b, uint32_t f, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	uint8_t t[8];
	for (size_t i = 0; i < 8; i++)
		t[i] = (uint8_t)(bits >> (8 * i));
	pb_put_varint(b, (uint64_t)f << 3 | PB_I64);
	put(b, t, 8);
}

double pb_double(const struct pb_field *f)
{
	double v;
	memcpy(&v, &f->v, sizeof v);
	return v;
}

void pb_reader_init(struct pb_reader *r, const uint8_t *p, size_t n)
{
	static const uint8_t none[1];
	r->p = p ? p : none;
	r->n = p ? n : 0;
	r->off = 0;
}

/* Reads a varint at r->off; false when it runs past the end or is longer
 * than ten bytes. */
static bool varint(struct pb_reader *r, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (r->off >= r->n)
			return false;
		uint8_t c = r->p[r->off++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

int pb_next(struct pb_reader *r, struct pb_field *f, struct mt_err *e)
{
	if (r->off >= r->n)
		return 0;
	memset(f, 0, sizeof *f);
	f->at = r->off;
	uint64_t tag;
	if (!varint(r, &tag))
		return mt_errf(e, MT_ERR_CORRUPT, "truncated field tag at byte %zu",
			       f->at),
		       -1;
	f->num = (uint32_t)(tag >> 3);
	f->wt = (enum pb_wire)(tag & 7);
	if (f->num == 0 || tag >> 3 > 536870911)
		return mt_errf(e, MT_ERR_CORRUPT, "bad field number at byte %zu",
			       f->at),
		       -1;
	switch (f->wt) {
	case PB_VARINT:
		if (!varint(r, &f->v))
			return mt_errf(e, MT_ERR_CORRUPT,
				       "truncated varint at byte %zu", f->at),
			       -1;
		return 1;
	case PB_I64:
	case PB_I32: {
		size_t k = f->wt == PB_I64 ? 8 : 4;
		if (r->n - r->off < k)
			return mt_errf(e, MT_ERR_CORRUPT, "truncated field at byte %zu",
				       f->at),
			       -1;
		for (size_t i = 0; i < k; i++)
			f->v |= (uint64_t)r->p[r->off + i] << (8 * i);
		r->off += k;
		return 1;
	}
	case PB_LEN: {
		uint64_t len;
		if (!varint(r, &len) || len > r->n - r->off)
			return mt_errf(e, MT_ERR_CORRUPT,
				       "field %u at byte %zu runs past the end", f->num,
				       f->at),
			       -1;
		f->p = r->p + r->off;
		f->n = (size_t)len;
		r->off += (size_t)len;
		return 1;
	}
	default:
		return mt_errf(e, MT_ERR_CORRUPT, "unknown wire type %d at byte %zu",
			       (int)f->wt, f->at),
		       -1;
	}
}
