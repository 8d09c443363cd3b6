/* pbenc.h - a minimal protobuf writer for tests: builds profile.proto bytes
 * by hand, so tests can make exact small profiles and precise corruptions. */
#ifndef MT_PBENC_H
#define MT_PBENC_H

#include <stdint.h>
#include <string.h>

struct pb {
	uint8_t b[1 << 16];
	size_t n;
};

static void pb_varint(struct pb *p, uint64_t v)
{
	while (v >= 0x80) {
		p->b[p->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p->b[p->n++] = (uint8_t)v;
}

static void pb_tag(struct pb *p, uint32_t field, int wt)
{
	pb_varint(p, (uint64_t)field << 3 | (uint64_t)wt);
}

static void pb_uint(struct pb *p, uint32_t field, uint64_t v)
{
	pb_tag(p, field, 0);
	pb_varint(p, v);
}

static void pb_bytes(struct pb *p, uint32_t field, const void *d, size_t n)
{
	pb_tag(p, field, 2);
	pb_varint(p, n);
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void pb_msg(struct pb *p, uint32_t field, const struct pb *m)
{
	pb_bytes(p, field, m->b, m->n);
}

static void pb_str(struct pb *p, const char *s)
{
	pb_bytes(p, 6, s, strlen(s));
}

#endif
