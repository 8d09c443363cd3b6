/* u64map.c - linear probing over a power-of-two table, at most half full. */
#include "base/u64map.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static void grow(struct mt_u64map *m)
{
	struct mt_u64map old = *m;
	m->cap = old.cap ? old.cap * 2 : 1024;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xmalloc(m->cap * sizeof *m->vals);
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t j = mt_hash_u64(old.keys[i]) & (m->cap - 1);
		while (m->keys[j])
			j = (j + 1) & (m->cap - 1);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

uint32_t *mt_u64map_put(struct mt_u64map *m, uint64_t key, bool *added)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	size_t j = mt_hash_u64(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key) {
			*added = false;
			return &m->vals[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->vals[j] = 0;
	m->n++;
	*added = true;
	return &m->vals[j];
}

void mt_u64map_done(struct mt_u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}
uint32_t *mt_u64map_get(const struct mt_u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t j = mt_hash_u64(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key)
			return &m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}
