/* series.c - snapshots grouped into series by one rule (series.h). */
#include "store/series.h"

#include <stdlib.h>
#include <string.h>

size_t store_series_key_len(const char *source)
{
	const char *slash = strrchr(source, '/');
	if (source[0] == '/' && slash)
		return (size_t)(slash - source);
	return strlen(source);
}

bool store_same_series(const struct store_entry *a, const struct store_entry *b)
{
	if (strcmp(a->kind, b->kind) != 0)
		return false;
	size_t ka = store_series_key_len(a->source), kb = store_series_key_len(b->source);
	return ka == kb && strncmp(a->source, b->source, ka) == 0;
}

bool store_series_named(const struct store_entry *en, const char *s)
{
	size_t k = store_series_key_len(en->source), n = strlen(s);
	if (n && s[n - 1] == '/' && n - 1 == k)
		n--;
	if (n == k && strncmp(en->source, s, k) == 0)
		return true;
	/* A file of the series names it by its directory. */
	return en->source[0] == '/' && store_series_key_len(s) == k &&
	       strncmp(en->source, s, k) == 0;
}

static int by_time(const void *a, const void *b)
{
	const struct store_entry *x = *(const struct store_entry *const *)a;
	const struct store_entry *y = *(const struct store_entry *const *)b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_size(const void *a, const void *b)
{
	const struct store_series *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	int64_t tx = x->snaps[x->n - 1]->time, ty = y->snaps[y->n - 1]->time;
	if (tx != ty)
		return tx > ty ? -1 : 1;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->kind, y->kind);
}

/* Whether two entries' series keys and kinds are in order: a hash-free
 * grouping by sorting pointers. */
static int by_series(const void *a, const void *b)
{
	const struct store_entry *x = *(const struct store_entry *const *)a;
	const struct store_entry *y = *(const struct store_entry *const *)b;
	size_t kx = store_series_key_len(x->source), ky = store_series_key_len(y->source);
	size_t k = kx < ky ? kx : ky;
	int c = strncmp(x->source, y->source, k);
	if (!c && kx != ky)
		c = kx < ky ? -1 : 1;
	if (!c)
		c = strcmp(x->kind, y->kind);
	return c ? c : by_time(a, b);
}

void store_series_group(const struct store_list *l, const char *source, const char *kind,
			struct store_series **out, size_t *n)
{
	const struct store_entry **sel = xmalloc((l->n + 1) * sizeof *sel);
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct store_entry *en = &l->v[i];
		if ((!source || store_series_named(en, source)) &&
		    (!kind || strcmp(en->kind, kind) == 0))
			sel[k++] = en;
	}
	qsort(sel, k, sizeof *sel, by_series);
	VEC(struct store_series) v = {0};
	for (size_t i = 0; i < k;) {
		size_t j = i + 1;
		while (j < k && store_same_series(sel[i], sel[j]))
			j++;
		struct store_series se = {
			.key = xstrndup(sel[i]->source, store_series_key_len(sel[i]->source)),
			.kind = sel[i]->kind,
			.snaps = xmalloc((j - i) * sizeof *se.snaps),
			.n = j - i,
		};
		memcpy(se.snaps, sel + i, (j - i) * sizeof *se.snaps);
		VEC_PUSH(v, se);
		i = j;
	}
	free(sel);
	if (v.n > 1)
		qsort(v.v, v.n, sizeof *v.v, by_size);
	*out = v.v;
	*n = v.n;
}

void store_series_free(struct store_series *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].snaps);
	}
	free(v);
}

const struct store_series *store_series_of(const struct store_series *v, size_t n,
					   int64_t id)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].n; j++)
			if (v[i].snaps[j]->id == id)
				return &v[i];
	return NULL;
}
