/* parca.h - Parca's HTTP API (grpc-gateway JSON of
 * proto/parca/query/v1alpha1/query.proto and
 * proto/parca/profilestore/v1alpha1/profilestore.proto):
 *   GET  /api/profiles/query?mode=MODE_MERGE&reportType=REPORT_TYPE_PPROF&
 *        merge.query=Q&merge.start=T&merge.end=T   -> {"pprof": base64}
 *   GET  /api/profiles/query_range?query=Q&start=T&end=T&step=D
 *   GET  /api/profiles/types, /api/profiles/labels,
 *        /api/profiles/labels/{name}/values
 *   POST /api/profiles/writeraw
 * The decoders of the answers are separate, for the fuzz target. */
#ifndef MT_PARCA_H
#define MT_PARCA_H

#include "collect/fleet.h"

enum mt_status parca_merge(const struct fleet_ref *r, int64_t start_ns, int64_t end_ns,
			   const struct mt_fetch_opts *o, uint8_t **pprof, size_t *n,
			   struct mt_err *e);
enum mt_status parca_list(const struct fleet_ref *r, const struct mt_fetch_opts *o,
			  struct fleet_listing *l, struct mt_err *e);
enum mt_status parca_push(const struct fleet_ref *r, const struct fleet_pair *p,
			  size_t np, const uint8_t *raw, size_t n,
			  const struct mt_fetch_opts *o, struct mt_err *e);

/* A QueryResponse's "pprof" into *pprof (the caller owns it; empty when the
 * answer has none). */
enum mt_status parca_decode_query(const char *s, size_t n, uint8_t **pprof, size_t *np,
				  struct mt_err *e);

/* The strings of array `key` of an answer ("labelNames", "labelValues"),
 * or for key NULL the type ids of a ProfileTypesResponse, appended to
 * *out (the caller frees them). */
enum mt_status parca_decode_strings(const char *s, size_t n, const char *key,
				    char ***out, size_t *nout, struct mt_err *e);

/* A QueryRangeResponse ({"series": [{"labelset": {"labels": [{"name",
 * "value"}]}, "samples": [{"timestamp": RFC 3339, "value": int64}]}]}),
 * appended to l->series. */
enum mt_status parca_decode_series(const char *s, size_t n, struct fleet_listing *l,
				   struct mt_err *e);

#endif
