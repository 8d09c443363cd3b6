/* store_codec.c - the store's in-memory dedupe maps. */
#include "store/store_int.h"

#include <stdlib.h>

void km_clear(struct keymap *m)
{
	free(m->slots);
	free(m->arena.v);
	memset(m, 0, sizeof *m);
}

int64_t km_find(const struct keymap *m, const void *k, size_t n, uint64_t h)
{
	if (!m->nslots)
		return 0;
	size_t mask = m->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct km_slot *s = &m->slots[i];
		if (!s->id)
			return 0;
		if (s->hash == h && s->len == n &&
		    memcmp(m->arena.v + s->off, k, n) == 0)
			return s->id;
	}
}

/* Doubles the slot array and places every entry again. */
static void km_grow(struct keymap *m)
{
	size_t nn = m->nslots ? m->nslots * 2 : 1024;
	struct km_slot *ns = xcalloc(nn, sizeof *ns);
	for (size_t i = 0; i < m->nslots; i++) {
		struct km_slot *s = &m->slots[i];
		if (!s->id)
			continue;
		size_t j = s->hash & (nn - 1);
		while (ns[j].id)
			j = (j + 1) & (nn - 1);
		ns[j] = *s;
	}
	free(m->slots);
	m->slots = ns;
	m->nslots = nn;
}

void km_add(struct keymap *m, const void *k, size_t n, uint64_t h, int64_t id)
{
	if ((m->n + 1) * 4 > m->nslots * 3)
		km_grow(m);
	size_t mask = m->nslots - 1, i = h & mask;
	while (m->slots[i].id)
		i = (i + 1) & mask;
	VEC_RESERVE(m->arena, m->arena.n + n);
	memcpy(m->arena.v + m->arena.n, k, n);
	m->slots[i] = (struct km_slot){.hash = h, .off = m->arena.n,
				       .len = (uint32_t)n, .id = id};
	m->arena.n += n;
	m->n++;
}

void hm_clear(struct hashmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

int64_t hm_find(const struct hashmap *m, uint64_t h1, uint64_t h2)
{
	if (!m->nslots)
		return 0;
	size_t mask = m->nslots - 1;
	for (size_t i = h1 & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].id)
			return 0;
		if (m->slots[i].h1 == h1 && m->slots[i].h2 == h2)
			return m->slots[i].id;
	}
}

void hm_add(struct hashmap *m, uint64_t h1, uint64_t h2, int64_t id)
{
	if ((m->n + 1) * 4 > m->nslots * 3) {
		size_t nn = m->nslots ? m->nslots * 2 : 1024;
		struct hm_slot *ns = xcalloc(nn, sizeof *ns);
		for (size_t i = 0; i < m->nslots; i++) {
			if (!m->slots[i].id)
				continue;
			size_t j = m->slots[i].h1 & (nn - 1);
			while (ns[j].id)
				j = (j + 1) & (nn - 1);
			ns[j] = m->slots[i];
		}
		free(m->slots);
		m->slots = ns;
		m->nslots = nn;
	}
	size_t mask = m->nslots - 1, i = h1 & mask;
	while (m->slots[i].id) {
		if (m->slots[i].h1 == h1 && m->slots[i].h2 == h2)
			return;
		i = (i + 1) & mask;
	}
	m->slots[i] = (struct hm_slot){.h1 = h1, .h2 = h2, .id = id};
	m->n++;
}

void im_clear(struct idmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

uint32_t im_get(const struct idmap *m, int64_t key)
{
	if (!m->nslots)
		return 0;
	size_t mask = m->nslots - 1;
	for (size_t i = mt_hash_u64((uint64_t)key) & mask;; i = (i + 1) & mask) {
		if (m->slots[i].key == key)
			return m->slots[i].val;
		if (!m->slots[i].val)
			return 0;
	}
}

void im_put(struct idmap *m, int64_t key, uint32_t val)
{
	if ((m->n + 1) * 4 > m->nslots * 3) {
		size_t nn = m->nslots ? m->nslots * 2 : 256;
		struct im_slot *ns = xcalloc(nn, sizeof *ns);
		for (size_t i = 0; i < m->nslots; i++) {
			if (!m->slots[i].val)
				continue;
			size_t j = mt_hash_u64((uint64_t)m->slots[i].key) & (nn - 1);
			while (ns[j].val)
				j = (j + 1) & (nn - 1);
			ns[j] = m->slots[i];
		}
		free(m->slots);
		m->slots = ns;
		m->nslots = nn;
	}
	size_t mask = m->nslots - 1, i = mt_hash_u64((uint64_t)key) & mask;
	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & mask;
	if (!m->slots[i].val)
		m->n++;
	m->slots[i] = (struct im_slot){.key = key, .val = val};
}
