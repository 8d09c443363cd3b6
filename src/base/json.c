/* json.c - a small iterative JSON reader (json.h). */
#include "base/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void json_doc_done(struct json_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].str);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

struct jp {
	const char *s;
	size_t n, i;
	struct mt_err *e;
};

static void skip_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
			       p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static enum mt_status bad(struct jp *p, const char *what)
{
	return mt_errf(p->e, MT_ERR_FORMAT, "bad JSON at byte %zu: %s", p->i, what);
}

static int hex4(const char *s)
{
	int v = 0;
	for (int k = 0; k < 4; k++) {
		int d = mt_hex_digit((unsigned char)s[k]);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A string at p->i (its opening quote) into *out (decoded, NUL-terminated). */
static enum mt_status read_string(struct jp *p, char **out, size_t *len)
{
	size_t start = ++p->i, end = start;
	while (end < p->n && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->n)
		return bad(p, "unterminated string");
	/* Decoding never makes a string longer than its escaped form. */
	char *o = xmalloc(end - start + 1);
	size_t k = 0;
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)p->s[i];
		if (c < 0x20) {
			free(o);
			p->i = i;
			return bad(p, "control character in a string");
		}
		if (c != '\\') {
			o[k++] = (char)c;
			continue;
		}
		char x = p->s[++i];
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *m = x ? strchr(from, x) : NULL;
		if (m) {
			o[k++] = to[m - from];
			continue;
		}
		int u = x == 'u' && end - i > 4 ? hex4(p->s + i + 1) : -1;
		if (u < 0) {
			free(o);
			p->i = i;
			return bad(p, "bad escape");
		}
		i += 4;
		uint32_t cp = (uint32_t)u;
		if (cp >= 0xd800 && cp < 0xdc00 && end - i > 6 && p->s[i + 1] == '\\' &&
		    p->s[i + 2] == 'u') {
			int lo = hex4(p->s + i + 3);
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     ((uint32_t)lo - 0xdc00);
				i += 6;
			}
		}
		if (cp >= 0xd800 && cp < 0xe000)
			cp = 0xfffd; /* a lone surrogate, as Go decodes it */
		k += put_utf8(o + k, cp);
	}
	o[k] = 0;
	*out = o;
	*len = k;
	p->i = end + 1;
	return MT_OK;
}

static enum mt_status read_number(struct jp *p, double *out)
{
	size_t i = p->i;
	if (i < p->n && p->s[i] == '-')
		i++;
	size_t digits = i;
	while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
		i++;
	if (i == digits)
		return bad(p, "bad number");
	if (i < p->n && p->s[i] == '.') {
		size_t f = ++i;
		while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
		if (i == f)
			return bad(p, "bad number");
	}
	if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
		i++;
		if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		size_t x = i;
		while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
		if (i == x)
			return bad(p, "bad number");
	}
	char buf[64];
	size_t len = i - p->i;
	if (len >= sizeof buf)
		return bad(p, "number too long");
	memcpy(buf, p->s + p->i, len);
	buf[len] = 0;
	*out = strtod(buf, NULL);
	p->i = i;
	return MT_OK;
}

/* Appends a node under parent; returns its index. */
static int32_t add(struct json_doc *d, int32_t parent, enum json_type t, size_t at,
		   char *key)
{
	VEC_RESERVE(*d, d->n + 1);
	int32_t k = (int32_t)d->n++;
	d->v[k] = (struct json_node){.type = t,
				     .parent = parent,
				     .first = -1,
				     .last = -1,
				     .next = -1,
				     .key = key,
				     .at = at};
	if (parent >= 0) {
		if (d->v[parent].last >= 0)
			d->v[d->v[parent].last].next = k;
		else
			d->v[parent].first = k;
		d->v[parent].last = k;
	}
	return k;
}

static bool literal(struct jp *p, const char *w)
{
	size_t l = strlen(w);
	if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
		return false;
	p->i += l;
	return true;
}

enum mt_status json_parse(const char *s, size_t n, size_t max_nodes, struct json_doc *d,
			  struct mt_err *e)
{
	memset(d, 0, sizeof *d);
	static const char none[1];
	struct jp p = {.s = s ? s : none, .n = s ? n : 0, .e = e};
	int32_t cur = -1; /* the open container */
	int depth = 0;
	enum mt_status st = MT_OK;
	char *key = NULL;
	for (;;) {
		skip_ws(&p);
		/* A value is due: at the start, after '[' or ',' in an array,
		 * or after "key": in an object. */
		if (cur >= 0 && d->v[cur].type == JSON_OBJ) {
			if (p.i >= p.n || p.s[p.i] != '"') {
				st = bad(&p, "expected a member name");
				break;
			}
			size_t kl;
			if ((st = read_string(&p, &key, &kl)))
				break;
			skip_ws(&p);
			if (p.i >= p.n || p.s[p.i] != ':') {
				st = bad(&p, "expected ':'");
				break;
			}
			p.i++;
			skip_ws(&p);
		}
		if (p.i >= p.n) {
			st = bad(&p, "unexpected end");
			break;
		}
		if (max_nodes && d->n >= max_nodes) {
			st = mt_errf(e, MT_ERR_LIMIT, "JSON of more than %zu values",
				     max_nodes);
			break;
		}
		char c = p.s[p.i];
		size_t at = p.i;
		int32_t k;
		if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH) {
				st = bad(&p, "nested too deeply");
				break;
			}
			k = add(d, cur, c == '{' ? JSON_OBJ : JSON_ARR, at, key);
			key = NULL;
			p.i++;
			skip_ws(&p);
			if (p.i < p.n && p.s[p.i] == (c == '{' ? '}' : ']')) {
				p.i++; /* empty: closed at once */
				depth--;
			} else {
				cur = k;
				continue;
			}
		} else if (c == '"') {
			char *str;
			size_t len;
			if ((st = read_string(&p, &str, &len)))
				break;
			k = add(d, cur, JSON_STR, at, key);
			key = NULL;
			d->v[k].str = str;
			d->v[k].len = len;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			double v = 0;
			if ((st = read_number(&p, &v)))
				break;
			k = add(d, cur, JSON_NUM, at, key);
			key = NULL;
			d->v[k].num = v;
		} else if (literal(&p, "true") || literal(&p, "false")) {
			k = add(d, cur, JSON_BOOL, at, key);
			key = NULL;
			d->v[k].num = c == 't';
		} else if (literal(&p, "null")) {
			k = add(d, cur, JSON_NULL, at, key);
			key = NULL;
		} else {
			st = bad(&p, "unexpected character");
			break;
		}
		/* After a value: ',' for another, or the ends of containers. */
		for (;;) {
			skip_ws(&p);
			if (cur < 0)
				break;
			char close = d->v[cur].type == JSON_OBJ ? '}' : ']';
			if (p.i < p.n && p.s[p.i] == ',') {
				p.i++;
				break;
			}
			if (p.i < p.n && p.s[p.i] == close) {
				p.i++;
				depth--;
				cur = d->v[cur].parent;
				continue;
			}
			st = bad(&p, p.i < p.n ? "expected ',' or a closing bracket"
					       : "unexpected end");
			break;
		}
		if (st || cur < 0)
			break;
	}
	free(key);
	if (!st && p.i < p.n)
		st = bad(&p, "trailing bytes after the value");
	if (st)
		json_doc_done(d);
	return st;
}

int32_t json_get(const struct json_doc *d, int32_t obj, const char *key)
{
	if (obj < 0 || (size_t)obj >= d->n || d->v[obj].type != JSON_OBJ)
		return -1;
	for (int32_t k = d->v[obj].first; k >= 0; k = d->v[k].next)
		if (d->v[k].key && strcmp(d->v[k].key, key) == 0)
			return k;
	return -1;
}

const char *json_get_str(const struct json_doc *d, int32_t obj, const char *key)
{
	int32_t k = json_get(d, obj, key);
	return k >= 0 && d->v[k].type == JSON_STR ? d->v[k].str : NULL;
}
