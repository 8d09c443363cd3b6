/* u64map.h - an open-addressing map from non-zero 64-bit keys to 32-bit
 * values: the dictionary behind call-graph edges and stack tries, keyed by
 * (caller << 32 | callee) + 1. */
#ifndef MT_U64MAP_H
#define MT_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mt_u64map {
	uint64_t *keys; /* 0 = empty */
	uint32_t *vals;
	size_t n, cap;
};

/* The key of a pair of 32-bit ids, never 0. */
static inline uint64_t mt_pair_key(uint32_t a, uint32_t b)
{
	return ((uint64_t)a << 32 | b) + 1;
}

/* The value slot of key, added with value 0 (and *added set) if absent. */
uint32_t *mt_u64map_put(struct mt_u64map *m, uint64_t key, bool *added);
/* The value slot of key, or NULL. */
uint32_t *mt_u64map_get(const struct mt_u64map *m, uint64_t key);
void mt_u64map_done(struct mt_u64map *m);

#endif
