/* strtab.h - interned strings.
 *
 * Ownership: a strtab owns the bytes of every string interned in it; an mt_str
 * is a small integer naming one of them, valid for the life of the table. Id 0
 * is always the empty string. Pointers returned by strtab_get stay valid until
 * the next strtab_intern (the arena may move); borrow ids, not pointers, when
 * strings are still being added. Every string is NUL-terminated.
 */
#ifndef MT_STRTAB_H
#define MT_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t mt_str;

struct mt_strtab {
	char *data;       /* arena of NUL-terminated strings */
	size_t data_len, data_cap;
	uint32_t *off;    /* off[id]: start of string id in data */
	uint32_t *len;    /* len[id]: its length */
	uint32_t *hash;   /* hash[id]: its 32-bit hash, to rehash and compare fast */
	size_t n, cap;    /* number of strings */
	uint32_t *slots;  /* open addressing: id + 1, 0 = empty */
	size_t nslots;
};

void strtab_init(struct mt_strtab *t);
void strtab_done(struct mt_strtab *t);
/* Returns the id of s[0..n), adding it if new. */
mt_str strtab_intern(struct mt_strtab *t, const char *s, size_t n);
/* Returns the id of s[0..n) or (mt_str)-1 when it is not in the table. */
mt_str strtab_find(const struct mt_strtab *t, const char *s, size_t n);

static inline const char *strtab_get(const struct mt_strtab *t, mt_str id)
{
	return t->data + t->off[id];
}

static inline size_t strtab_len(const struct mt_strtab *t, mt_str id)
{
	return t->len[id];
}

#endif
