/* status.h - result codes of the core and the error buffer that explains them.
 *
 * The core never prints and never exits: a function that can fail returns an
 * enum mt_status and, where the detail matters, fills a struct mt_err owned by
 * the caller with one line such as "truncated sample (at byte 81234)". The
 * caller prefixes the file name and decides what to do.
 */
#ifndef MT_STATUS_H
#define MT_STATUS_H

#include <stdarg.h>
#include <stddef.h>

#define MT_STATUS_LIST(X)                                                      \
	X(MT_OK, "ok")                                                         \
	X(MT_ERR_IO, "input/output error")                                     \
	X(MT_ERR_FORMAT, "not a profile memtop can read")                      \
	X(MT_ERR_CORRUPT, "corrupt profile")                                   \
	X(MT_ERR_LIMIT, "a limit was exceeded")                                \
	X(MT_ERR_USAGE, "bad argument")                                        \
	X(MT_ERR_NOMEM, "out of memory")                                       \
	X(MT_ERR_DB, "database error")                                         \
	X(MT_ERR_NET, "network error")                                         \
	X(MT_ERR_NOTFOUND, "not found")                                        \
	X(MT_ERR_CANCELLED, "cancelled")

enum mt_status {
#define MT_X(code, msg) code,
	MT_STATUS_LIST(MT_X)
#undef MT_X
};

/* One line of detail about a failure; the caller owns it. */
struct mt_err {
	char msg[512];
};

/* The fixed message of a status code. */
const char *mt_status_str(enum mt_status st);

/* Formats the detail into e (if e is not NULL) and returns st. */
enum mt_status mt_errf(struct mt_err *e, enum mt_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
