/* pyroscope.c - Grafana Pyroscope's Connect API (pyroscope.h). Field
 * numbers are those of the .proto files named there. */
#include "collect/pyroscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pb.h"
#include "base/util.h"

#define CT_PROTO "application/proto"
#define PROFILE_FORMAT_PPROF 4

/* A Connect request of service/method with body b; on success *out. */
static enum mt_status call(const struct fleet_ref *r, const char *method,
			   const struct pb_buf *b, const struct mt_fetch_opts *o,
			   uint8_t **out, size_t *n, long *status, struct mt_err *e)
{
	char path[128];
	snprintf(path, sizeof path, "/%s", method);
	return fleet_http(r, path, b->v ? (const void *)b->v : "", b->n, CT_PROTO, o,
			  out, n, status, e);
}

static int64_t ms(int64_t ns) { return ns / 1000000; }

/* SelectMergeStacktracesRequest / SelectMergeProfileRequest: the same
 * first five fields. */
static void merge_request(struct pb_buf *b, const struct fleet_ref *r, int64_t start_ns,
			  int64_t end_ns)
{
	pb_put_str(b, 1, r->type);
	pb_put_str(b, 2, r->selector);
	pb_put_uint(b, 3, (uint64_t)ms(start_ns));
	/* [start, end): the store's end is inclusive. */
	pb_put_uint(b, 4, (uint64_t)(ms(end_ns) - 1));
	if (r->max_nodes)
		pb_put_uint(b, 5, (uint64_t)r->max_nodes);
}

enum mt_status pyroscope_decode_stacktraces(const uint8_t *p, size_t n, bool *has,
					    const uint8_t **pprof, size_t *np,
					    struct mt_err *e)
{
	struct pb_reader rd;
	struct pb_field f;
	int k;
	*has = false;
	*pprof = NULL;
	*np = 0;
	pb_reader_init(&rd, p, n);
	while ((k = pb_next(&rd, &f, e)) > 0) {
		if (f.num != 5 || f.wt != PB_LEN)
			continue;
		struct pb_reader in;
		struct pb_field g;
		int j;
		*has = true;
		pb_reader_init(&in, f.p, f.n);
		while ((j = pb_next(&in, &g, e)) > 0)
			if (g.num == 1 && g.wt == PB_LEN) {
				*pprof = g.p;
				*np = g.n;
			}
		if (j < 0)
			return MT_ERR_CORRUPT;
	}
	return k < 0 ? MT_ERR_CORRUPT : MT_OK;
}

enum mt_status pyroscope_merge(const struct fleet_ref *r, int64_t start_ns,
			       int64_t end_ns, const struct mt_fetch_opts *o,
			       uint8_t **pprof, size_t *n, struct mt_err *e)
{
	struct pb_buf b = {0};
	merge_request(&b, r, start_ns, end_ns);
	pb_put_uint(&b, 6, PROFILE_FORMAT_PPROF);
	uint8_t *body = NULL;
	size_t bn = 0;
	long status = 0;
	enum mt_status st = call(r, "querier.v1.QuerierService/SelectMergeStacktraces",
				 &b, o, &body, &bn, &status, e);
	pb_buf_done(&b);
	bool has = false;
	if (st == MT_OK) {
		const uint8_t *pp;
		size_t pn;
		struct mt_err de;
		if (pyroscope_decode_stacktraces(body, bn, &has, &pp, &pn, &de)) {
			free(body);
			return mt_errf(
			    e, MT_ERR_FORMAT,
			    "bad SelectMergeStacktraces answer (%zu bytes): %s", bn,
			    de.msg);
		}
		if (has) {
			/* The profile moves to the front of the answer's buffer. */
			memmove(body, pp ? pp : body, pn);
			body[pn] = 0;
			*pprof = body;
			*n = pn;
		} else {
			free(body);
		}
	} else if (!(status == 404 || status == 400 || status == 415 ||
		     status == 501)) {
		return st; /* the store failed, not the method */
	}
	/* A server before 2.2 answers with a flame graph, or refuses the
	 * method or the format: SelectMergeProfile then, as profilecli. */
	if (!has) {
		merge_request(&b, r, start_ns, end_ns);
		st = call(r, "querier.v1.QuerierService/SelectMergeProfile", &b, o,
			  pprof, n, NULL, e);
		pb_buf_done(&b);
		if (st)
			return st;
	}
	if (*n == 0) {
		free(*pprof);
		*pprof = NULL;
		return mt_errf(e, MT_ERR_NOTFOUND, "no profile in that window");
	}
	return MT_OK;
}

enum mt_status pyroscope_decode_strings(const uint8_t *p, size_t n, bool types,
					char ***out, size_t *nout, struct mt_err *e)
{
	struct pb_reader rd;
	struct pb_field f;
	int k;
	pb_reader_init(&rd, p, n);
	while ((k = pb_next(&rd, &f, e)) > 0) {
		if (f.num != 1 || f.wt != PB_LEN)
			continue;
		const uint8_t *s = f.p;
		size_t sn = f.n;
		if (types) {
			struct pb_reader in;
			struct pb_field g;
			int j;
			s = NULL;
			sn = 0;
			pb_reader_init(&in, f.p, f.n);
			while ((j = pb_next(&in, &g, e)) > 0)
				if (g.num == 1 && g.wt == PB_LEN)
					s = g.p, sn = g.n;
			if (j < 0)
				return MT_ERR_CORRUPT;
			if (!s)
				continue;
		}
		if (memchr(s, 0, sn))
			return mt_errf(e, MT_ERR_CORRUPT,
				       "a NUL in a string at byte %zu", f.at);
		*out = xrealloc(*out, (*nout + 1) * sizeof **out);
		(*out)[(*nout)++] = xstrndup((const char *)s, sn);
	}
	return k < 0 ? MT_ERR_CORRUPT : MT_OK;
}

/* Calls method with b and appends the strings of its answer to *v. */
static enum mt_status call_strings(const struct fleet_ref *r, const char *method,
				   struct pb_buf *b, bool types,
				   const struct mt_fetch_opts *o, char ***v, size_t *nv,
				   struct mt_err *e)
{
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st = call(r, method, b, o, &body, &bn, NULL, e);
	pb_buf_done(b);
	if (st)
		return st;
	struct mt_err de;
	if (pyroscope_decode_strings(body, bn, types, v, nv, &de))
		st = mt_errf(e, MT_ERR_FORMAT, "bad %s answer (%zu bytes): %s",
			     strrchr(method, '/') + 1, bn, de.msg);
	free(body);
	return st;
}

/* A LabelPair's name and value into *name and *value (left as they are
 * when absent). */
static enum mt_status pair_of(const struct pb_field *lp, char **name, char **value,
			      struct mt_err *e)
{
	struct pb_reader in;
	struct pb_field g;
	int j;
	pb_reader_init(&in, lp->p, lp->n);
	while ((j = pb_next(&in, &g, e)) > 0) {
		if (g.wt != PB_LEN || (g.num != 1 && g.num != 2))
			continue;
		if (memchr(g.p, 0, g.n))
			return mt_errf(e, MT_ERR_CORRUPT,
				       "a NUL in a label at byte %zu", g.at);
		char **to = g.num == 1 ? name : value;
		free(*to);
		*to = xstrndup((const char *)g.p, g.n);
	}
	return j < 0 ? MT_ERR_CORRUPT : MT_OK;
}

enum mt_status pyroscope_decode_series(const uint8_t *p, size_t n,
				       struct fleet_listing *l, struct mt_err *e)
{
	struct pb_reader rd;
	struct pb_field f;
	int k;
	pb_reader_init(&rd, p, n);
	while ((k = pb_next(&rd, &f, e)) > 0) {
		if (f.num != 1 || f.wt != PB_LEN)
			continue;
		struct fleet_series s = {0};
		struct pb_reader in;
		struct pb_field g;
		int j;
		enum mt_status st = MT_OK;
		pb_reader_init(&in, f.p, f.n);
		while (!st && (j = pb_next(&in, &g, e)) > 0) {
			if (g.wt != PB_LEN)
				continue;
			if (g.num == 1) {
				char *name = NULL, *value = NULL;
				st = pair_of(&g, &name, &value, e);
				VEC_PUSH(s.names, name ? name : xstrdup(""));
				VEC_PUSH(s.values, value ? value : xstrdup(""));
			} else if (g.num == 2) {
				struct fleet_point pt = {0};
				struct pb_reader pin;
				struct pb_field h;
				int q;
				pb_reader_init(&pin, g.p, g.n);
				while ((q = pb_next(&pin, &h, e)) > 0) {
					if (h.num == 1 && h.wt == PB_I64)
						pt.value = pb_double(&h);
					else if (h.num == 2 && h.wt == PB_VARINT &&
						 (int64_t)h.v > -9000000000000LL &&
						 (int64_t)h.v < 9000000000000LL)
						pt.time_ns = (int64_t)h.v * 1000000;
				}
				if (q < 0)
					st = MT_ERR_CORRUPT;
				VEC_PUSH(s.points, pt);
			}
		}
		if (!st && j < 0)
			st = MT_ERR_CORRUPT;
		VEC_PUSH(l->series, s);
		if (st)
			return st;
	}
	return k < 0 ? MT_ERR_CORRUPT : MT_OK;
}

/* SelectSeries of r's type and selector over its range, grouped by every
 * label but the store's own (__name__ ...), into l->series. */
static enum mt_status list_series(const struct fleet_ref *r,
				  const struct mt_fetch_opts *o,
				  struct fleet_listing *l, struct mt_err *e)
{
	struct pb_buf b = {0};
	pb_put_str(&b, 1, r->type);
	pb_put_str(&b, 2, r->selector);
	pb_put_uint(&b, 3, (uint64_t)ms(r->from_ns));
	pb_put_uint(&b, 4, (uint64_t)(ms(r->until_ns) - 1));
	for (size_t i = 0; i < l->labels.n; i++)
		if (strncmp(l->labels.v[i].name, "__", 2) != 0)
			pb_put_str(&b, 5, l->labels.v[i].name);
	pb_put_double(&b, 6, (double)(r->step_ns ? r->step_ns : r->window_ns) / 1e9);
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st = call(r, "querier.v1.QuerierService/SelectSeries", &b, o,
				 &body, &bn, NULL, e);
	pb_buf_done(&b);
	if (st)
		return st;
	struct mt_err de;
	if (pyroscope_decode_series(body, bn, l, &de))
		st = mt_errf(e, MT_ERR_FORMAT,
			     "bad SelectSeries answer (%zu bytes): %s", bn, de.msg);
	free(body);
	return st;
}

enum mt_status pyroscope_list(const struct fleet_ref *r, const struct mt_fetch_opts *o,
			      struct fleet_listing *l, struct mt_err *e)
{
	int64_t s = r->has_from ? ms(r->from_ns) : 0,
		en = r->has_from ? ms(r->until_ns) : 0;
	bool sel = strcmp(r->selector, "{}") != 0;
	struct pb_buf b = {0};
	if (s) {
		pb_put_uint(&b, 1, (uint64_t)s);
		pb_put_uint(&b, 2, (uint64_t)en);
	}
	enum mt_status st = call_strings(r, "querier.v1.QuerierService/ProfileTypes",
					 &b, true, o, &l->types.v, &l->types.n, e);
	if (st)
		return st;
	l->types.cap = l->types.n;
	char **names = NULL;
	size_t nn = 0;
	if (sel)
		pb_put_str(&b, 1, r->selector);
	if (s) {
		pb_put_uint(&b, 2, (uint64_t)s);
		pb_put_uint(&b, 3, (uint64_t)en);
	}
	st = call_strings(r, "querier.v1.QuerierService/LabelNames", &b, false, o,
			  &names, &nn, e);
	for (size_t i = 0; i < nn; i++) {
		struct fleet_label lab = {.name = names[i]};
		if (!st) {
			pb_put_str(&b, 1, names[i]);
			if (sel)
				pb_put_str(&b, 2, r->selector);
			if (s) {
				pb_put_uint(&b, 3, (uint64_t)s);
				pb_put_uint(&b, 4, (uint64_t)en);
			}
			st =
			    call_strings(r, "querier.v1.QuerierService/LabelValues", &b,
					 false, o, &lab.values.v, &lab.values.n, e);
			lab.values.cap = lab.values.n;
		}
		VEC_PUSH(l->labels, lab);
	}
	free(names);
	if (!st && *r->type && r->has_from)
		st = list_series(r, o, l, e);
	return st;
}

enum mt_status pyroscope_push(const struct fleet_ref *r, const struct fleet_pair *p,
			      size_t np, const uint8_t *raw, size_t n,
			      const struct mt_fetch_opts *o, struct mt_err *e)
{
	/* PushRequest{series: RawProfileSeries{labels: LabelPair...,
	 * samples: RawSample{raw_profile}}} */
	struct pb_buf series = {0}, pair = {0}, sample = {0}, req = {0};
	for (size_t i = 0; i < np; i++) {
		pb_put_str(&pair, 1, p[i].name);
		pb_put_str(&pair, 2, p[i].value);
		pb_put_bytes(&series, 1, pair.v, pair.n);
		pair.n = 0;
	}
	pb_put_bytes(&sample, 1, raw, n);
	pb_put_bytes(&series, 2, sample.v, sample.n);
	pb_put_bytes(&req, 1, series.v, series.n);
	uint8_t *body = NULL;
	size_t bn = 0;
	enum mt_status st =
	    call(r, "push.v1.PusherService/Push", &req, o, &body, &bn, NULL, e);
	free(body);
	pb_buf_done(&series);
	pb_buf_done(&pair);
	pb_buf_done(&sample);
	pb_buf_done(&req);
	return st;
}
