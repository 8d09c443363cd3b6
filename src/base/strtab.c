/* strtab.c - an interning table: one arena of bytes and an open-addressed
 * index over it. */
#include "base/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static uint32_t hash_bytes(const char *s, size_t n)
{
	return (uint32_t)mt_hash(s, n, 0x9e3779b97f4a7c15ULL);
}

void strtab_init(struct mt_strtab *t)
{
	memset(t, 0, sizeof *t);
	strtab_intern(t, "", 0);
}

void strtab_done(struct mt_strtab *t)
{
	free(t->data);
	free(t->off);
	free(t->len);
	free(t->hash);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static void rehash(struct mt_strtab *t, size_t nslots)
{
	free(t->slots);
	t->slots = xcalloc(nslots, sizeof *t->slots);
	t->nslots = nslots;
	for (size_t id = 0; id < t->n; id++) {
		size_t i = t->hash[id] & (nslots - 1);
		while (t->slots[i])
			i = (i + 1) & (nslots - 1);
		t->slots[i] = (uint32_t)id + 1;
	}
}

static size_t lookup(const struct mt_strtab *t, const char *s, size_t n,
		     uint32_t h, mt_str *found)
{
	size_t mask = t->nslots - 1;
	size_t i = h & mask;
	for (;;) {
		uint32_t slot = t->slots[i];
		if (!slot)
			return i;
		mt_str id = slot - 1;
		if (t->hash[id] == h && t->len[id] == n &&
		    memcmp(t->data + t->off[id], s, n) == 0) {
			*found = id;
			return i;
		}
		i = (i + 1) & mask;
	}
}

mt_str strtab_find(const struct mt_strtab *t, const char *s, size_t n)
{
	if (!t->nslots)
		return (mt_str)-1;
	mt_str id = (mt_str)-1;
	lookup(t, s, n, hash_bytes(s, n), &id);
	return id;
}

mt_str strtab_intern(struct mt_strtab *t, const char *s, size_t n)
{
	uint32_t h = hash_bytes(s, n);
	if (t->nslots == 0 || (t->n + 1) * 2 > t->nslots)
		rehash(t, t->nslots ? t->nslots * 2 : 64);
	mt_str id = (mt_str)-1;
	size_t slot = lookup(t, s, n, h, &id);
	if (id != (mt_str)-1)
		return id;
	if (t->n == t->cap) {
		size_t c = t->cap;
		xgrow((void **)&t->off, &c, t->n + 1, sizeof *t->off);
		c = t->cap;
		xgrow((void **)&t->len, &c, t->n + 1, sizeof *t->len);
		c = t->cap;
		xgrow((void **)&t->hash, &c, t->n + 1, sizeof *t->hash);
		t->cap = c;
	}
	if (t->data_len + n + 1 > t->data_cap)
		xgrow((void **)&t->data, &t->data_cap, t->data_len + n + 1, 1);
	/* s may point into our own arena; memmove keeps that safe after growth
	 * only if s did not move, so callers must not pass arena pointers. */
	memcpy(t->data + t->data_len, s, n);
	t->data[t->data_len + n] = 0;
	id = (mt_str)t->n++;
	t->off[id] = (uint32_t)t->data_len;
	t->len[id] = (uint32_t)n;
	t->hash[id] = h;
	t->data_len += n + 1;
	t->slots[slot] = id + 1;
	return id;
}
