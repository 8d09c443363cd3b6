/* parca.c - Parca's HTTP API (parca.h). */
#include "collect/parca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/json.h"
#include "base/timefmt.h"
#include "base/util.h"

/* Bounds the values of one JSON answer (its bytes are bounded by
 * --max-body already). */
#define MAX_JSON_NODES ((size_t)4 << 20)

/* Parses an answer that must be a JSON object; *k gets its member key
 * (-1: absent). */
static enum mt_status open_answer(const char *s, size_t n, struct json_doc *d,
				  const char *key, int32_t *k, struct mt_err *e)
{
	enum mt_status st = json_parse(s, n, MAX_JSON_NODES, d, e);
	if (st)
		return st;
	if (d->v[0].type != JSON_OBJ) {
		json_doc_done(d);
		return mt_errf(e, MT_ERR_FORMAT, "not a JSON object");
	}
	*k = json_get(d, 0, key);
	return MT_OK;
}

enum mt_status parca_decode_query(const char *s, size_t n, uint8_t **pprof, size_t *np,
				  struct mt_err *e)
{
	struct json_doc d;
	*pprof = NULL;
	*np = 0;
	int32_t k = -1;
	enum mt_status st = open_answer(s, n, &d, "pprof", &k, e);
	if (st)
		return st;
	if (k >= 0 && d.v[k].type != JSON_STR)
		st = mt_errf(e, MT_ERR_FORMAT, "\"pprof\" is not a string");
	else if (k >= 0)
		st = base64_decode(d.v[k].str, d.v[k].len, pprof, np, e);
	json_doc_done(&d);
	return st;
}

/* Appends s to *out. */
static void push_str(char ***out, size_t *n, const char *s)
{
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = xstrdup(s);
}

enum mt_status parca_decode_strings(const char *s, size_t n, const char *key,
				    char ***out, size_t *nout, struct mt_err *e)
{
	struct json_doc d;
	int32_t a = -1;
	enum mt_status st = open_answer(s, n, &d, key ? key : "types", &a, e);
	if (st)
		return st;
	if (a < 0)
		goto out; /* grpc-gateway leaves out empty arrays */
	if (d.v[a].type != JSON_ARR) {
		st = mt_errf(e, MT_ERR_FORMAT, "\"%s\" is not an array",
			     key ? key : "types");
		goto out;
	}
	for (int32_t k = d.v[a].first; k >= 0; k = d.v[k].next) {
		if (key) {
			if (d.v[k].type != JSON_STR ||
			    strlen(d.v[k].str) != d.v[k].len) {
				st = mt_errf(e, MT_ERR_FORMAT,
					     "a value of \"%s\" is no string", key);
				goto out;
			}
			push_str(out, nout, d.v[k].str);
			continue;
		}
		/* ProfileType: name:sampleType:sampleUnit:periodType:periodUnit,
		 * and :delta for a delta profile (Parca's query syntax). */
		static const char *const parts[] = {"name", "sampleType", "sampleUnit",
						    "periodType", "periodUnit"};
		char id[1024] = "";
		size_t len = 0;
		for (size_t i = 0; i < 5; i++) {
			const char *v = json_get_str(&d, k, parts[i]);
			len += (size_t)snprintf(id + len, sizeof id - len, "%s%.200s",
						i ? ":" : "", v ? v : "");
		}
		int32_t dk = json_get(&d, k, "delta");
		if (dk >= 0 && d.v[dk].type == JSON_BOOL && d.v[dk].num)
			snprintf(id + len, sizeof id - len, ":delta");
		push_str(out, nout, id);
	}
out:
	json_doc_done(&d);
	return st;
}

/* A JSON int64 as grpc-gateway writes it (a string) or a number. */
static bool json_int(const struct json_doc *d, int32_t k, double *out)
{
	if (k < 0)
		return false;
	if (d->v[k].type == JSON_NUM) {
		*out = d->v[k].num;
		return true;
	}
	if (d->v[k].type != JSON_STR)
		return false;
	char *end;
	double v = strtod(d->v[k].str, &end);
	if (end == d->v[k].str || *end)
		return false;
	*out = v;
	return true;
}

/* The labels of a labelset object into s. */
static enum mt_status series_labels(const struct json_doc *d, int32_t ls,
				    struct fleet_series *s, struct mt_err *e)
{
	int32_t a = json_get(d, ls, "labels");
	if (a < 0)
		return MT_OK;
	if (d->v[a].type != JSON_ARR)
		return mt_errf(e, MT_ERR_FORMAT, "\"labels\" is not an array");
	for (int32_t k = d->v[a].first; k >= 0; k = d->v[k].next) {
		const char *name = json_get_str(d, k, "name");
		const char *value = json_get_str(d, k, "value");
		if (!name || !value)
			return mt_errf(e, MT_ERR_FORMAT,
				       "a label without a name or value");
		VEC_PUSH(s->names, xstrdup(name));
		VEC_PUSH(s->values, xstrdup(value));
	}
	return MT_OK;
}

enum mt_status parca_decode_series(const char *s, size_t n, struct fleet_listing *l,
				   struct mt_err *e)
{
	struct json_doc d;
	int32_t a = -1;
	enum mt_status st = open_answer(s, n, &d, "series", &a, e);
	if (st)
		return st;
	if (a >= 0 && d.v[a].type != JSON_ARR)
		st = mt_errf(e, MT_ERR_FORMAT, "\"series\" is not an array");
	for (int32_t k = a >= 0 && !st ? d.v[a].first : -1; k >= 0 && !st;
	     k = d.v[k].next) {
		struct fleet_series x = {0};
		st = series_labels(&d, json_get(&d, k, "labelset"), &x, e);
		int32_t sm = json_get(&d, k, "samples");
		if (!st && sm >= 0 && d.v[sm].type != JSON_ARR)
			st = mt_errf(e, MT_ERR_FORMAT, "\"samples\" is not an array");
		for (int32_t q = !st && sm >= 0 ? d.v[sm].first : -1; q >= 0 && !st;
		     q = d.v[q].next) {
			struct fleet_point pt = {0};
			const char *ts = json_get_str(&d, q, "timestamp");
			if (!ts || !timefmt_absolute(ts, &pt.time_ns) ||
			    !json_int(&d, json_get(&d, q, "value"), &pt.value))
				st = mt_errf(e, MT_ERR_FORMAT,
					     "a sample without a timestamp or value");
			else
				VEC_PUSH(x.points, pt);
		}
		VEC_PUSH(l->series, x);
	}
	json_doc_done(&d);
	return st;
}

/* Parca's query of r (its type and selector), escaped for a URL; the
 * caller owns it. */
static char *query_of(const struct fleet_ref *r)
{
	size_t ql = strlen(r->type) + strlen(r->selector) + 1;
	char *q = xmalloc(ql);
	snprintf(q, ql, "%s%s", r->type, r->selector);
	char *qe = fleet_query_escape(q);
	free(q);
	return qe;
}

/* GETs path and hands its body over. */
static enum mt_status get(const struct fleet_ref *r, const char *path,
			  const struct mt_fetch_opts *o, uint8_t **body, size_t *n,
			  struct mt_err *e)
{
	return fleet_http(r, path, NULL, 0, NULL, o, body, n, NULL, e);
}

enum mt_status parca_merge(const struct fleet_ref *r, int64_t start_ns, int64_t end_ns,
			   const struct mt_fetch_opts *o, uint8_t **pprof, size_t *n,
			   struct mt_err *e)
{
	char *qe = query_of(r);
	char ts[48], te[48];
	/* [start, end): the store's end is inclusive. */
	timefmt_rfc3339(start_ns / 1000000 * 1000000, ts, sizeof ts);
	timefmt_rfc3339((end_ns / 1000000 - 1) * 1000000, te, sizeof te);
	size_t pl = strlen(qe) + 256;
	char *path = xmalloc(pl);
	snprintf(path, pl,
		 "/api/profiles/query?mode=MODE_MERGE&reportType=REPORT_TYPE_PPROF&"
		 "merge.query=%s&merge.start=%s&merge.end=%s",
		 qe, ts, te);
	free(qe);
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st = get(r, path, o, &body, &bn, e);
	free(path);
	if (st)
		return st;
	struct mt_err de;
	if (parca_decode_query((const char *)body, bn, pprof, n, &de))
		st = mt_errf(e, MT_ERR_FORMAT, "bad query answer (%zu bytes): %s", bn,
			     de.msg);
	else if (*n == 0)
		st = mt_errf(e, MT_ERR_NOTFOUND, "no profile in that window");
	free(body);
	if (st) {
		free(*pprof);
		*pprof = NULL;
		*n = 0;
	}
	return st;
}

/* GETs path and appends the strings of its answer (parca_decode_strings). */
static enum mt_status get_strings(const struct fleet_ref *r, const char *path,
				  const char *key, const struct mt_fetch_opts *o,
				  char ***v, size_t *nv, struct mt_err *e)
{
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st = get(r, path, o, &body, &bn, e);
	if (st)
		return st;
	struct mt_err de;
	if (parca_decode_strings((const char *)body, bn, key, v, nv, &de))
		st = mt_errf(e, MT_ERR_FORMAT, "bad answer of %.200s (%zu bytes): %s",
			     path, bn, de.msg);
	free(body);
	return st;
}

/* QueryRange of r's type and selector over its range into l->series. */
static enum mt_status list_series(const struct fleet_ref *r,
				  const struct mt_fetch_opts *o,
				  struct fleet_listing *l, struct mt_err *e)
{
	char *qe = query_of(r);
	char ts[48], te[48];
	timefmt_rfc3339(r->from_ns, ts, sizeof ts);
	timefmt_rfc3339(r->until_ns, te, sizeof te);
	size_t pl = strlen(qe) + 256;
	char *path = xmalloc(pl);
	snprintf(path, pl,
		 "/api/profiles/query_range?query=%s&start=%s&end=%s&step=%.3fs", qe,
		 ts, te, (double)(r->step_ns ? r->step_ns : r->window_ns) / 1e9);
	free(qe);
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st = get(r, path, o, &body, &bn, e);
	free(path);
	if (st)
		return st;
	struct mt_err de;
	if (parca_decode_series((const char *)body, bn, l, &de))
		st = mt_errf(e, MT_ERR_FORMAT, "bad query_range answer (%zu bytes): %s",
			     bn, de.msg);
	free(body);
	return st;
}

enum mt_status parca_list(const struct fleet_ref *r, const struct mt_fetch_opts *o,
			  struct fleet_listing *l, struct mt_err *e)
{
	char range[160] = "";
	if (r->has_from) {
		char ts[48], te[48];
		timefmt_rfc3339(r->from_ns, ts, sizeof ts);
		timefmt_rfc3339(r->until_ns, te, sizeof te);
		snprintf(range, sizeof range, "start=%s&end=%s", ts, te);
	}
	enum mt_status st =
	    get_strings(r, "/api/profiles/types", NULL, o, &l->types.v, &l->types.n, e);
	if (st)
		return st;
	l->types.cap = l->types.n;
	char *match =
	    strcmp(r->selector, "{}") ? fleet_query_escape(r->selector) : NULL;
	size_t pl = 512 + (match ? strlen(match) : 0);
	char *path = xmalloc(pl);
	snprintf(path, pl, "/api/profiles/labels?%s%s%s%s", match ? "match=" : "",
		 match ? match : "", match && *range ? "&" : "", range);
	char **names = NULL;
	size_t nn = 0;
	st = get_strings(r, path, "labelNames", o, &names, &nn, e);
	for (size_t i = 0; i < nn; i++) {
		struct fleet_label lab = {.name = names[i]};
		if (!st) {
			char *ne = fleet_query_escape(names[i]);
			free(path);
			pl = strlen(ne) + 512 + (match ? strlen(match) : 0);
			path = xmalloc(pl);
			snprintf(path, pl, "/api/profiles/labels/%s/values?%s%s%s%s",
				 ne, match ? "match=" : "", match ? match : "",
				 match && *range ? "&" : "", range);
			free(ne);
			st = get_strings(r, path, "labelValues", o, &lab.values.v,
					 &lab.values.n, e);
			lab.values.cap = lab.values.n;
		}
		VEC_PUSH(l->labels, lab);
	}
	free(names);
	free(path);
	free(match);
	if (!st && *r->type && r->has_from)
		st = list_series(r, o, l, e);
	return st;
}

struct cbuf {
	char *v;
	size_t n, cap;
};

/* Appends s to b as a JSON string. */
static void json_put(struct cbuf *b, const char *s)
{
	size_t n = strlen(s);
	VEC_RESERVE(*b, b->n + 6 * n + 4);
	b->n += mt_json_quote(b->v + b->n, s);
}

static void put_raw(struct cbuf *b, const char *s)
{
	size_t n = strlen(s);
	VEC_RESERVE(*b, b->n + n + 1);
	memcpy(b->v + b->n, s, n + 1);
	b->n += n;
}

enum mt_status parca_push(const struct fleet_ref *r, const struct fleet_pair *p,
			  size_t np, const uint8_t *raw, size_t n,
			  const struct mt_fetch_opts *o, struct mt_err *e)
{
	/* WriteRawRequest{series: [RawProfileSeries{labels: LabelSet{labels:
	 * [Label{name, value}]}, samples: [RawSample{raw_profile}]}]}, as
	 * grpc-gateway reads JSON: camelCase names, bytes in base64. */
	struct cbuf b = {0};
	put_raw(&b, "{\"series\": [{\"labels\": {\"labels\": [");
	for (size_t i = 0; i < np; i++) {
		put_raw(&b, i ? ", {\"name\": " : "{\"name\": ");
		json_put(&b, p[i].name);
		put_raw(&b, ", \"value\": ");
		json_put(&b, p[i].value);
		put_raw(&b, "}");
	}
	char *b64 = base64_encode(raw, n);
	put_raw(&b, "]}, \"samples\": [{\"rawProfile\": \"");
	put_raw(&b, b64);
	put_raw(&b, "\"}]}]}");
	free(b64);
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st = fleet_http(r, "/api/profiles/writeraw", b.v, b.n,
				       "application/json", o, &body, &bn, NULL, e);
	free(body);
	free(b.v);
	return st;
}
