/* store_async.h - importing files into the store on a thread of its own,
 * so that opening a profile in the viewer never waits for the database.
 *
 * The thread reads and parses each file itself (the viewer's profile is
 * not shared) and writes with its own SQLite connection; files whose
 * bytes are stored already are recognised by their content hash before
 * they are parsed. Ownership: the handle owns copies of the paths; join
 * frees it.
 */
#ifndef MT_STORE_ASYNC_H
#define MT_STORE_ASYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/status.h"

struct store_async;

/* Starts importing files[0..n) into the database at db (NULL: the default
 * path). Fails only when the thread cannot start. */
enum mt_status store_import_async(struct store_async **out, const char *db,
				  char *const *files, size_t n, const struct mt_limits *lim,
				  struct mt_err *e);

/* Whether the thread is still importing; *file (when not NULL) names the
 * file it is on, *i its index and *n the number of files. */
bool store_import_running(struct store_async *a, const char **file, size_t *i, size_t *n);

/* Waits for the thread and frees a. *stored counts new snapshots, *dups
 * files stored before. The first failure is returned, with e saying which
 * file and what went wrong; the other files were still imported. */
enum mt_status store_import_join(struct store_async *a, size_t *stored, size_t *dups,
				 struct mt_err *e);

#endif
