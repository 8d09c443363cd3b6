/* pyroscope.h - Grafana Pyroscope's Connect API (api/querier/v1/querier.proto,
 * api/types/v1/types.proto, api/push/v1/push.proto), over application/proto:
 *   querier.v1.QuerierService/SelectMergeStacktraces (format PPROF, Pyroscope
 *     2.2 on), falling back to SelectMergeProfile as Pyroscope's own CLI does
 *   querier.v1.QuerierService/ProfileTypes, LabelNames, LabelValues,
 *     SelectSeries
 *   push.v1.PusherService/Push
 * The decoders of the answers are separate, for the fuzz target. */
#ifndef MT_PYROSCOPE_H
#define MT_PYROSCOPE_H

#include "collect/fleet.h"

enum mt_status pyroscope_merge(const struct fleet_ref *r, int64_t start_ns,
			       int64_t end_ns, const struct mt_fetch_opts *o,
			       uint8_t **pprof, size_t *n, struct mt_err *e);
enum mt_status pyroscope_list(const struct fleet_ref *r, const struct mt_fetch_opts *o,
			      struct fleet_listing *l, struct mt_err *e);
enum mt_status pyroscope_push(const struct fleet_ref *r, const struct fleet_pair *p,
			      size_t np, const uint8_t *raw, size_t n,
			      const struct mt_fetch_opts *o, struct mt_err *e);

/* A SelectMergeStacktracesResponse: *has is whether it holds a pprof
 * (field 5, PprofProfile, its field 1), *pprof borrows its bytes. */
enum mt_status pyroscope_decode_stacktraces(const uint8_t *p, size_t n, bool *has,
					    const uint8_t **pprof, size_t *np,
					    struct mt_err *e);

/* The strings of repeated field `field` of a message (LabelNamesResponse,
 * LabelValuesResponse: 1), appended to *out (the caller frees them). For
 * a ProfileTypesResponse (field 1 of ProfileType messages) with types:
 * each type's ID. */
enum mt_status pyroscope_decode_strings(const uint8_t *p, size_t n, bool types,
					char ***out, size_t *nout, struct mt_err *e);

/* A SelectSeriesResponse (series=1: Series{labels=1: LabelPair, points=2:
 * Point{value=1 double, timestamp=2 ms}}), appended to l->series. */
enum mt_status pyroscope_decode_series(const uint8_t *p, size_t n, struct fleet_listing *l,
				       struct mt_err *e);

#endif
