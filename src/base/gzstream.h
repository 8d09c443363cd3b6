/* gzstream.h - a gzip stream inflated on a second thread while its reader
 * decodes what has been inflated so far (the two cores work at once).
 *
 * Same rules as gz.h: bounded by what really inflates (the absolute bound
 * and the ratio to the compressed size, checked as it inflates), the
 * trailer's size never trusted (it is not even read: the output goes into
 * address space reserved up to the bound, of which only what is written
 * costs memory), and the head check run on the first GZ_HEAD_BYTES before
 * any byte is handed to the reader. Inflation is ISA-L's (isal_inflate);
 * whenever it fails, gz_inflate_opts inflates again to say precisely what
 * is wrong, so every error reads as gz.h's do.
 *
 * Ownership: the stream owns the inflated bytes; a pointer from
 * gzs_wait stays valid (the bytes never move) until gzs_free. The input
 * is borrowed and must outlive the stream.
 */
#ifndef MT_GZSTREAM_H
#define MT_GZSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/gz.h"

struct gz_stream;

/* Starts inflating the gzip members of in[0..n) within the bounds of o
 * (o->head, if any, runs on the inflating thread). NULL when no stream
 * can be set up here (no thread, no address space): the caller inflates
 * with gz_inflate_opts instead. */
struct gz_stream *gzs_start(const uint8_t *in, size_t n, const struct gz_opts *o);

/* Waits until at least want bytes are inflated or the stream has ended
 * (*done; then gzs_finish says how). Returns the start of the inflated
 * bytes, *have of them valid, followed by a NUL when the stream is done. */
const uint8_t *gzs_wait(struct gz_stream *s, size_t want, size_t *have, bool *done);

/* Waits for the end: MT_OK with the whole inflated size in *len, or the
 * error, as gz_inflate_opts reports it. */
enum mt_status gzs_finish(struct gz_stream *s, size_t *len, struct mt_err *e);

/* The reader will not look at inflated bytes [from, upto) again: their
 * pages are given back (what the inflater may still refer to is kept). */
void gzs_release(struct gz_stream *s, size_t from, size_t upto);

/* A plausible inflated size for sizing buffers (the trailer's, when it is
 * within the bounds and GZ_HINT_RATIO of the input; else 4 times the
 * input): a hint, never a limit. */
size_t gzs_size_hint(const struct gz_stream *s);

/* Stops the inflating thread (if it still runs) and frees everything. */
void gzs_free(struct gz_stream *s);

#endif
