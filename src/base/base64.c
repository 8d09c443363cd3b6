/* base64.c - standard base64 (base64.h). */
#include "base/base64.h"

#include <stdlib.h>

#include "base/util.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const uint8_t *p, size_t n)
{
	char *out = xmalloc(n / 3 * 4 + 5);
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[k++] = alphabet[v >> 18 & 63];
		out[k++] = alphabet[v >> 12 & 63];
		out[k++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[k++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	out[k] = 0;
	return out;
}

/* The value of a base64 character, or -1. */
static int value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

enum mt_status base64_decode(const char *s, size_t n, uint8_t **out, size_t *nout,
			     struct mt_err *e)
{
	*out = NULL;
	*nout = 0;
	size_t end = n;
	while (end && s[end - 1] == '=' && n - end < 2)
		end--;
	if (end % 4 == 1)
		return mt_errf(e, MT_ERR_FORMAT, "bad base64 (length %zu)", n);
	uint8_t *o = xmalloc(end / 4 * 3 + 4);
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < end; i++) {
		int v = value_of((unsigned char)s[i]);
		if (v < 0) {
			free(o);
			return mt_errf(e, MT_ERR_FORMAT,
				       "bad base64 character at byte %zu", i);
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	o[k] = 0;
	*out = o;
	*nout = k;
	return MT_OK;
}
