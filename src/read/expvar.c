/* expvar.c - a bounded JSON reader for /debug/vars, and the walk that turns
 * its numbers into metric points.
 *
 * The reader builds a flat tree (nodes in one array, children linked by
 * index), so the walk can pair memstats' PauseNs with PauseEnd. Only what
 * expvar writes is needed, but any valid JSON is accepted. */
#include "read/expvar.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define MAX_DEPTH 64
#define MAX_NODES 1000000
#define MAX_NAME 512
#define MAX_FLAT_DEPTH 6 /* dots in a flattened name */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	uint32_t key0, keyn; /* member name: into the key arena */
	uint32_t child, next; /* first child, next sibling; 0 = none */
	double num;
	int64_t inum; /* the exact value of an integer that fits */
	bool is_int;
};

struct jparse {
	const uint8_t *p, *start, *end;
	VEC(struct jnode) nodes; /* nodes.v[0] is unused: 0 = none */
	VEC(char) keys;
	struct mt_err *e;
	enum mt_status st;
};

static bool fail(struct jparse *j, const char *what)
{
	if (!j->st)
		j->st = mt_errf(j->e, MT_ERR_CORRUPT, "bad JSON: %s (at byte %zu)", what,
				(size_t)(j->p - j->start));
	return false;
}

static void skip_ws(struct jparse *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
				 *j->p == '\r'))
		j->p++;
}

/* Reads a string at j->p (on its quote); with keep, decodes it into the
 * key arena (at most MAX_NAME bytes kept) and sets *off, *len. */
static bool parse_string(struct jparse *j, bool keep, uint32_t *off, uint32_t *len)
{
	j->p++;
	size_t k0 = j->keys.n;
	while (j->p < j->end && *j->p != '"') {
		uint8_t c = *j->p;
		uint32_t cp = c;
		if (c < 0x20)
			return fail(j, "control character in a string");
		if (c == '\\') {
			if (j->end - j->p < 2)
				return fail(j, "string cut short");
			switch (j->p[1]) {
			case '"': case '\\': case '/': cp = j->p[1]; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (j->end - j->p < 6)
					return fail(j, "string cut short");
				cp = 0;
				for (int i = 2; i < 6; i++) {
					int h = mt_hex_digit(j->p[i]);
					if (h < 0)
						return fail(j, "bad \\u escape");
					cp = cp << 4 | (uint32_t)h;
				}
				j->p += 4;
				break;
			default:
				return fail(j, "bad escape in a string");
			}
			j->p += 2;
		} else {
			j->p++;
		}
		if (!keep || j->keys.n - k0 >= MAX_NAME)
			continue;
		/* Surrogates and NUL become '?': names stay C strings. */
		if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
			cp = '?';
		char u[4];
		size_t un = 1;
		if (c >= 0x80 || cp < 0x80) {
			u[0] = (char)cp;
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			un = 2;
		} else {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			un = 3;
		}
		VEC_RESERVE(j->keys, j->keys.n + un);
		memcpy(j->keys.v + j->keys.n, u, un);
		j->keys.n += un;
	}
	if (j->p >= j->end)
		return fail(j, "string cut short");
	j->p++;
	if (keep) {
		if (j->keys.n > UINT32_MAX - 1)
			return fail(j, "too many names");
		*off = (uint32_t)k0;
		*len = (uint32_t)(j->keys.n - k0);
	}
	return true;
}

/* Reads a JSON number with the grammar's own rules (no hex, no inf); an
 * integer that fits in 64 bits is also kept exactly (times in ns exceed a
 * double's 53 bits). */
static bool parse_number(struct jparse *j, double *out, int64_t *iout, bool *is_int)
{
	const uint8_t *s = j->p;
	char buf[64];
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return fail(j, "bad number");
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return fail(j, "bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return fail(j, "bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	size_t n = (size_t)(j->p - s);
	/* Copied: strtod alone would also take hex and "inf" past the grammar. */
	char *num = n < sizeof buf ? buf : xmalloc(n + 1);
	memcpy(num, s, n);
	num[n] = 0;
	*out = strtod(num, NULL);
	*is_int = false;
	if (!strpbrk(num, ".eE")) {
		errno = 0;
		long long v = strtoll(num, NULL, 10);
		if (!errno) {
			*iout = v;
			*is_int = true;
		}
	}
	if (num != buf)
		free(num);
	return true;
}

static uint32_t new_node(struct jparse *j, enum jtype t)
{
	if (j->nodes.n >= MAX_NODES) {
		fail(j, "too many values");
		return 0;
	}
	struct jnode nd = {.type = t};
	VEC_PUSH(j->nodes, nd);
	return (uint32_t)(j->nodes.n - 1);
}

static bool literal(struct jparse *j, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return fail(j, "unexpected character");
	j->p += n;
	return true;
}

/* Parses one value into a new node; *out is its index. */
static bool parse_value(struct jparse *j, int depth, uint32_t *out)
{
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "value cut short");
	if (depth > MAX_DEPTH)
		return fail(j, "nested too deeply");
	uint8_t c = *j->p;
	uint32_t id;
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		if (!(id = new_node(j, obj ? J_OBJ : J_ARR)))
			return false;
		j->p++;
		skip_ws(j);
		if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
			j->p++;
			*out = id;
			return true;
		}
		uint32_t last = 0;
		for (;;) {
			uint32_t key0 = 0, keyn = 0, child;
			skip_ws(j);
			if (obj) {
				if (j->p >= j->end)
					return fail(j, "object cut short");
				if (*j->p != '"')
					return fail(j, "expected a member name");
				if (!parse_string(j, true, &key0, &keyn))
					return false;
				skip_ws(j);
				if (j->p >= j->end || *j->p != ':')
					return fail(j, "expected ':'");
				j->p++;
			}
			if (!parse_value(j, depth + 1, &child))
				return false;
			j->nodes.v[child].key0 = key0;
			j->nodes.v[child].keyn = keyn;
			if (last)
				j->nodes.v[last].next = child;
			else
				j->nodes.v[id].child = child;
			last = child;
			skip_ws(j);
			if (j->p >= j->end)
				return fail(j, obj ? "object cut short" : "array cut short");
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p == (obj ? '}' : ']')) {
				j->p++;
				break;
			}
			return fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	} else if (c == '"') {
		if (!(id = new_node(j, J_STR)) || !parse_string(j, false, NULL, NULL))
			return false;
	} else if (c == 't' || c == 'f') {
		if (!(id = new_node(j, J_BOOL)) || !literal(j, c == 't' ? "true" : "false"))
			return false;
	} else if (c == 'n') {
		if (!(id = new_node(j, J_NULL)) || !literal(j, "null"))
			return false;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		double v;
		int64_t iv = 0;
		bool is_int;
		if (!parse_number(j, &v, &iv, &is_int) || !(id = new_node(j, J_NUM)))
			return false;
		j->nodes.v[id].num = v;
		j->nodes.v[id].inum = iv;
		j->nodes.v[id].is_int = is_int;
	} else {
		return fail(j, "unexpected character");
	}
	*out = id;
	return true;
}

/* ------------------------------------------------------------------ */
/* The walk                                                            */

struct walk {
	struct jparse *j;
	struct metrics_batch *b;
	int64_t t;
	char name[MAX_FLAT_DEPTH * (MAX_NAME + 1) + 16];
};

static const struct jnode *member(const struct jparse *j, const struct jnode *obj,
				  const char *key)
{
	size_t n = strlen(key);
	for (uint32_t c = obj->child; c; c = j->nodes.v[c].next) {
		const struct jnode *m = &j->nodes.v[c];
		if (m->keyn == n && (n == 0 || memcmp(j->keys.v + m->key0, key, n) == 0))
			return m;
	}
	return NULL;
}

/* Adds numeric leaves under node at name[0..len), dot-separated. */
static void flatten(struct walk *w, const struct jnode *nd, size_t len, int depth)
{
	if (nd->type == J_NUM) {
		w->name[len] = 0;
		metrics_batch_add(w->b, w->name, w->t, nd->num);
		return;
	}
	if (nd->type != J_OBJ || depth >= MAX_FLAT_DEPTH)
		return;
	for (uint32_t c = nd->child; c; c = w->j->nodes.v[c].next) {
		const struct jnode *m = &w->j->nodes.v[c];
		size_t k = len;
		if (k)
			w->name[k++] = '.';
		if (m->keyn)
			memcpy(w->name + k, w->j->keys.v + m->key0, m->keyn);
		flatten(w, m, k + m->keyn, depth + 1);
	}
}

/* memstats: every number, and the recent pauses at the times they ended
 * (PauseNs and PauseEnd are circular buffers of 256, indexed by NumGC). */
static void walk_memstats(struct walk *w, const struct jnode *ms)
{
	flatten(w, ms, strlen(strcpy(w->name, "memstats")), 0);
	const struct jnode *pn = member(w->j, ms, "PauseNs");
	const struct jnode *pe = member(w->j, ms, "PauseEnd");
	if (!pn || !pe || pn->type != J_ARR || pe->type != J_ARR)
		return;
	uint32_t a = pn->child, b = pe->child;
	for (; a && b; a = w->j->nodes.v[a].next, b = w->j->nodes.v[b].next) {
		const struct jnode *x = &w->j->nodes.v[a], *y = &w->j->nodes.v[b];
		/* An end of 0 is a slot no GC has used yet. */
		if (x->type != J_NUM || y->type != J_NUM || !y->is_int || y->inum <= 0)
			continue;
		metrics_batch_add(w->b, "memstats.PauseNs", y->inum, x->num);
	}
}

enum mt_status expvar_parse(const uint8_t *data, size_t n, int64_t t,
			    struct metrics_batch *b, struct mt_err *e)
{
	struct jparse j = {.p = data, .start = data, .end = data + n, .e = e};
	uint32_t root = 0;
	VEC_PUSH(j.nodes, (struct jnode){0});
	VEC_RESERVE(j.keys, 64); /* never NULL, even when every name is "" */
	if (n >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
		j.p += 3;
	if (parse_value(&j, 0, &root)) {
		skip_ws(&j);
		if (j.p != j.end)
			fail(&j, "text after the JSON value");
		else if (j.nodes.v[root].type != J_OBJ)
			fail(&j, "not a JSON object");
	}
	if (!j.st) {
		struct walk w = {.j = &j, .b = b, .t = t};
		size_t before = b->v.n;
		for (uint32_t c = j.nodes.v[root].child; c; c = j.nodes.v[c].next) {
			const struct jnode *m = &j.nodes.v[c];
			if (m->keyn == 8 && memcmp(j.keys.v + m->key0, "memstats", 8) == 0 &&
			    m->type == J_OBJ) {
				walk_memstats(&w, m);
				continue;
			}
			if (m->keyn)
				memcpy(w.name, j.keys.v + m->key0, m->keyn);
			flatten(&w, m, m->keyn, 1);
		}
		if (b->full) {
			b->v.n = before;
			j.st = mt_errf(e, MT_ERR_LIMIT, "more than %zu numbers",
				       b->max ? b->max : (size_t)1000000);
		} else if (b->v.n == before) {
			j.st = mt_errf(e, MT_ERR_FORMAT, "no numbers in the expvar JSON");
		}
	}
	free(j.nodes.v);
	free(j.keys.v);
	return j.st;
}

bool expvar_is_url(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	if (!p)
		return false;
	size_t end = strcspn(p, "?#");
	while (end > 1 && p[end - 1] == '/')
		end--;
	static const char tail[] = "/debug/vars";
	size_t k = sizeof tail - 1;
	return end >= k && memcmp(p + end - k, tail, k) == 0;
}
